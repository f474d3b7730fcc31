package render

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// JSON writes the whole report model, indented, with its schema_version: the machine contract.
// Output is deterministic for a given Report (map keys are sorted by encoding/json).
type JSON struct{}

// Format implements Renderer.
func (*JSON) Format() Format { return FormatJSON }

// jsonReport is the Report as encoded, with what the renderers derive from it. Its diff is
// encoded by the read side (results.Diff's MarshalJSON), as `cucm-audit diff --format json`.
type jsonReport struct {
	// Verdict answers "did we break anything?" first in a change-window report (Verdict).
	Verdict string `json:"verdict,omitempty"`
	results.Report
	Summary jsonSummary `json:"summary"`
	// Banner names the sources not read completely (bounds.go); absent when every one was.
	Banner string `json:"partial_banner,omitempty"`
}

// Render implements Renderer.
func (*JSON) Render(w io.Writer, r *results.Report) error {
	rep := jsonReport{Report: *r}
	jsonBounds(&rep, r)
	if rep.SchemaVersion == 0 {
		rep.SchemaVersion = results.ReportSchemaVersion
	}
	if d := r.Diff; d != nil && r.Kind == kindChangeWindow {
		rep.Verdict = Verdict(d)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&rep); err != nil {
		return fmt.Errorf("encoding json report: %w", err)
	}
	return nil
}
