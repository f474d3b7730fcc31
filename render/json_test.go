package render

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

func TestJSON(t *testing.T) {
	rep := demoReport()
	var a, b bytes.Buffer
	if err := (&JSON{}).Render(&a, rep); err != nil {
		t.Fatal(err)
	}
	if err := (&JSON{}).Render(&b, demoReport()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two renders of the same report differ")
	}
	var back results.Report
	if err := json.Unmarshal(a.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rep, &back); diff != "" {
		t.Errorf("JSON does not round-trip (-want +got):\n%s", diff)
	}
	var head struct {
		SchemaVersion int `json:"schema_version"`
	}
	_ = json.Unmarshal(a.Bytes(), &head)
	if head.SchemaVersion != results.ReportSchemaVersion {
		t.Errorf("schema_version %d", head.SchemaVersion)
	}
	// A report built without a schema version still carries it.
	rep.SchemaVersion = 0
	var c bytes.Buffer
	if err := (&JSON{}).Render(&c, rep); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal(c.Bytes(), &head)
	if head.SchemaVersion != results.ReportSchemaVersion {
		t.Errorf("schema_version %d for a report without one", head.SchemaVersion)
	}
	small := demoReport()
	small.Rules[3].Findings = small.Rules[3].Findings[:10] // keep the golden file readable
	var g bytes.Buffer
	if err := (&JSON{}).Render(&g, small); err != nil {
		t.Fatal(err)
	}
	golden(t, "demo.json", scrub(g.Bytes()))
}
