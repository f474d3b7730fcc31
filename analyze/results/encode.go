package results

import (
	"encoding/json"
	"fmt"
	"io"
)

// diffFields is Diff without its methods, so that encoding it does not recurse into MarshalJSON.
type diffFields Diff

// encodedDiff is a Diff as every JSON document carries it. It differs from the model in one
// place: a diff whose findings were not compared (findings_compared false) gives
// findings_persisting as null, like findings_new and findings_resolved, instead of a 0 that
// would read as compared.
type encodedDiff struct {
	SchemaVersion int `json:"schema_version,omitempty"`
	*diffFields
	Persisting *int `json:"findings_persisting"`
}

func encodeDiff(d *Diff, schemaVersion int) encodedDiff {
	e := encodedDiff{SchemaVersion: schemaVersion, diffFields: (*diffFields)(d)}
	if d.FindingsCompared {
		n := d.Persisting
		e.Persisting = &n
	}
	return e
}

// MarshalJSON encodes the diff as the report JSON holds it (see encodedDiff).
func (d *Diff) MarshalJSON() ([]byte, error) { return json.Marshal(encodeDiff(d, 0)) }

// EncodeDiff writes the JSON document of `cucm-audit diff --format json`: the diff as the report
// JSON holds it, indented, with "schema_version" (DiffSchemaVersion) first.
func EncodeDiff(w io.Writer, d *Diff) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(encodeDiff(d, DiffSchemaVersion)); err != nil {
		return fmt.Errorf("encoding json diff: %w", err)
	}
	return nil
}
