package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

func TestSelectionText(t *testing.T) {
	tests := []struct {
		name string
		sel  *results.RuleSelection
		want string
	}{
		{"none", nil, ""},
		{"only", &results.RuleSelection{Only: []string{"REG-001", "REG-003"}, Evaluated: 5, Available: 27},
			"This report covers 5 of 27 rules (--only REG-001,REG-003); findings of other rules are not included."},
		{"skip", &results.RuleSelection{Skip: []string{"lifecycle"}, Evaluated: 1250, Available: 1300},
			"This report covers 1,250 of 1,300 rules (--skip lifecycle); findings of other rules are not included."},
		{"both", &results.RuleSelection{Only: []string{"registration"}, Skip: []string{"REG-010"}, Evaluated: 8, Available: 27},
			"This report covers 8 of 27 rules (--only registration --skip REG-010); findings of other rules are not included."},
		{"flags unknown", &results.RuleSelection{Evaluated: 3, Available: 27},
			"This report covers 3 of 27 rules; findings of other rules are not included."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := selectionText(tt.sel); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestDataQualitySelection: a report from a rule subset says so in every format's data-quality
// section (set by hand here; analyze.BuildReport fills it from the analysis).
func TestDataQualitySelection(t *testing.T) {
	const want = "This report covers 5 of 27 rules (--only REG-001,REG-003); findings of other rules are not included."
	sel := func() *results.Report {
		r := demoReport()
		r.DataQuality.Selection = &results.RuleSelection{Only: []string{"REG-001", "REG-003"}, Evaluated: 5, Available: 27}
		return r
	}
	t.Run("pdf", func(t *testing.T) {
		text := pdfText(t, sel(), Options{})
		if !strings.Contains(flat(text), "Data quality Rules in this report "+want) {
			t.Error("the data-quality section does not open with the selection")
		}
		if rowWith(text, "Rules evaluated", "5 of 27 (a selection: see Data quality)") == "" {
			t.Error("title page does not say the rules are a selection")
		}
		if plain := pdfText(t, demoReport(), Options{}); strings.Contains(plain, "Rules in this report") || strings.Contains(plain, "a selection") {
			t.Error("a report of every rule speaks of a selection")
		}
	})
	t.Run("md", func(t *testing.T) {
		html := checkTables(t, renderMD(t, sel(), 0).Bytes())
		if !strings.Contains(html, "<h2>Data quality</h2>\n<p><strong>Rules in this report:</strong> "+want+"</p>") {
			t.Errorf("markdown data quality lacks the selection:\n%.400s", html[strings.Index(html, "<h2>Data quality"):])
		}
		if strings.Contains(renderMD(t, demoReport(), 0).String(), "Rules in this report") {
			t.Error("a report of every rule speaks of a selection")
		}
	})
	t.Run("xlsx", func(t *testing.T) {
		d := dumpXLSX(t, renderTo(t, sel(), FormatXLSX, Options{}), 200)
		sum := d.Sheets[0].Head
		if !hasRow(sum, "Rules in this report", want) || !hasRow(sum, "Rules evaluated", want) {
			t.Error("Summary sheet lacks the selection")
		}
		// In the data-quality block, right under its heading.
		for i, r := range sum {
			if c := deref(r); len(c) == 1 && c[0] == "Data quality" {
				if i+1 >= len(sum) || !cmp.Equal(deref(sum[i+1]), []string{"Rules in this report", want}) {
					t.Errorf("row after Data quality: %v", deref(sum[i+1]))
				}
			}
		}
	})
	t.Run("json", func(t *testing.T) {
		var buf bytes.Buffer
		if err := (&JSON{}).Render(&buf, sel()); err != nil {
			t.Fatal(err)
		}
		var back struct {
			DataQuality struct {
				Selection *results.RuleSelection `json:"selection"`
			} `json:"data_quality"`
		}
		if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(sel().DataQuality.Selection, back.DataQuality.Selection); diff != "" {
			t.Errorf("selection in JSON (-want +got):\n%s", diff)
		}
		var plain bytes.Buffer
		if err := (&JSON{}).Render(&plain, demoReport()); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(plain.Bytes(), []byte(`"selection"`)) {
			t.Error("a report of every rule has a selection in JSON")
		}
	})
}
