package render

import (
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
)

// TestPDFTablesKeepWords: no table cell breaks a word that fits its column. The demo report
// gets the device classes of a real cluster (MediaResources is the longest), and every word of
// the summary, data-quality and appendix tables must come out of pdftotext whole, with each
// numeric cell ("≥ 49.3 %") on one line. The text of page 2 is golden.
func TestPDFTablesKeepWords(t *testing.T) {
	pdftotext := testtool.Need(t, "pdftotext")
	t.Run("golden page 2", func(t *testing.T) {
		path := renderTo(t, demoReport(), FormatPDF, Options{})
		golden(t, "demo-page2.pdf.txt", scrub(run(t, pdftotext, "-layout", "-f", "2", "-l", "2", path, "-")))
	})
	r := demoReport()
	for _, c := range []string{"MediaResources", "CTIPort", "VoiceMailPort", "CTIRoutePoint"} {
		r.Summary.Registration = append(r.Summary.Registration, analyze.ClassRegistration{Class: c, Configured: 12, Seen: 12,
			Registered: 11, UnRegistered: 1, RegistrationRate: 11.0 / 12, Complete: true})
	}
	path := renderTo(t, r, FormatPDF, Options{})
	text := string(run(t, pdftotext, "-layout", path, "-"))
	var cells [][]string
	for _, c := range r.Summary.Registration {
		cells = append(cells, append([]string{c.Class}, regRow(c, num)...))
	}
	for _, t := range r.Summary.TopRisks {
		cells = append(cells, []string{t.RuleID, t.Title})
	}
	for _, n := range r.DataQuality.Nodes {
		cells = append(cells, []string{n.Name, nodeRoleText(n), n.RisPort})
	}
	for _, o := range r.DataQuality.Inconclusive {
		cells = append(cells, []string{o.Rule.ID, o.Rule.Title})
	}
	for _, o := range r.Appendix.Rules {
		cells = append(cells, []string{o.Rule.ID, o.Rule.Title, string(o.Outcome)})
	}
	// The inventory by model is the XLSX's and the JSON's, not the PDF's.
	numeric := map[string]bool{}
	for _, c := range r.Summary.Registration {
		for _, v := range regRow(c, num) {
			numeric[v] = true
		}
	}
	checked := 0
	for _, row := range cells {
		for _, cell := range row {
			words := strings.Fields(cell)
			if numeric[cell] {
				words = []string{cell}
			}
			for _, w := range words {
				checked++
				if !strings.Contains(text, w) {
					t.Errorf("the PDF breaks %q (of cell %q)", w, cell)
				}
			}
		}
	}
	// Each class's row of the registration table is one line holding every figure whole.
	_, table, _ := strings.Cut(text, "Configured (AXL) versus seen (RisPort)")
	table, _, _ = strings.Cut(table, "Top risks")
	for _, c := range r.Summary.Registration {
		var row string
		for _, l := range strings.Split(table, "\n") {
			if strings.HasPrefix(l, c.Class+" ") {
				row = l
			}
		}
		if row == "" {
			t.Errorf("no line of the registration table starts with %q:\n%s", c.Class, table)
			continue
		}
		squeezed := strings.ReplaceAll(row, " ", "")
		for _, v := range regRow(c, num) {
			if !strings.Contains(squeezed, strings.ReplaceAll(v, " ", "")) {
				t.Errorf("registration row %q lacks %q on its line", row, v)
			}
		}
	}
	if checked < 100 {
		t.Errorf("only %d words checked", checked)
	}
}
