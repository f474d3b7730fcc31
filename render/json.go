package render

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/cucm-audit/cucm-audit/analyze"
)

// JSON writes the whole report model, indented, with its schema_version: the machine contract.
// Output is deterministic for a given Report (map keys are sorted by encoding/json).
type JSON struct{}

// Format implements Renderer.
func (*JSON) Format() Format { return FormatJSON }

// Render implements Renderer.
func (*JSON) Render(w io.Writer, r *analyze.Report) error {
	rep := *r
	if rep.SchemaVersion == 0 {
		rep.SchemaVersion = analyze.ReportSchemaVersion
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&rep); err != nil {
		return fmt.Errorf("encoding json report: %w", err)
	}
	return nil
}
