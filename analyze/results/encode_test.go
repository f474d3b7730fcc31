package results

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDiffEncoding checks the one diff encoding: `diff --format json` and the report JSON
// agree field for field, and what was not compared is null, never 0.
func TestDiffEncoding(t *testing.T) {
	for _, tt := range []struct {
		name       string
		diff       Diff
		persisting any
	}{
		{"not compared", Diff{Persisting: 0}, nil},
		{"compared", Diff{FindingsCompared: true, Persisting: 7, NewFindings: []Finding{}, Resolved: []Finding{}}, 7.0},
		{"compared none", Diff{FindingsCompared: true, NewFindings: []Finding{}, Resolved: []Finding{}}, 0.0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var doc bytes.Buffer
			if err := EncodeDiff(&doc, &tt.diff); err != nil {
				t.Fatal(err)
			}
			var fromDoc map[string]any
			if err := json.Unmarshal(doc.Bytes(), &fromDoc); err != nil {
				t.Fatal(err)
			}
			if fromDoc["schema_version"] != float64(DiffSchemaVersion) {
				t.Errorf("schema_version = %v, want %d", fromDoc["schema_version"], DiffSchemaVersion)
			}
			if got, ok := fromDoc["findings_persisting"]; !ok || got != tt.persisting {
				t.Errorf("findings_persisting = %v (present %v), want %v", got, ok, tt.persisting)
			}
			if !tt.diff.FindingsCompared && (fromDoc["findings_new"] != nil || fromDoc["findings_resolved"] != nil) {
				t.Errorf("findings not compared, but findings_new %v, findings_resolved %v", fromDoc["findings_new"], fromDoc["findings_resolved"])
			}
			b, err := json.Marshal(Report{Diff: &tt.diff})
			if err != nil {
				t.Fatal(err)
			}
			var fromReport struct {
				Diff map[string]any `json:"diff"`
			}
			if err := json.Unmarshal(b, &fromReport); err != nil {
				t.Fatal(err)
			}
			delete(fromDoc, "schema_version")
			if diff := cmp.Diff(fromReport.Diff, fromDoc); diff != "" {
				t.Errorf("report JSON diff and diff document disagree (-report +document):\n%s", diff)
			}
		})
	}
}
