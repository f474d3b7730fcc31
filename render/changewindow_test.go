package render

import (
	"strings"
	"testing"
)

// TestChangeWindowReport renders a before/after report: only the identity and the diff, read
// back by the same third-party readers.
func TestChangeWindowReport(t *testing.T) {
	rep := changeWindowReport()
	t.Run("pdf", func(t *testing.T) {
		pdftotext := needTool(t, "pdftotext")
		text := string(run(t, pdftotext, "-layout", renderTo(t, rep, FormatPDF, Options{}), "-"))
		for _, want := range []string{"Change-window report", "Changes from snapshot #41 to #42", "TRK-PSTN-Zürich", "GW-VG007",
			"SEP00DD00000001", "DP-Ελλάδα-Athens", "Compared with"} {
			if !strings.Contains(text, want) {
				t.Errorf("PDF lacks %q", want)
			}
		}
		for _, absent := range []string{"Executive summary", "Data quality", "Appendix"} {
			if strings.Contains(text, absent) {
				t.Errorf("change-window PDF has an empty %q section", absent)
			}
		}
	})
	t.Run("md", func(t *testing.T) {
		buf := renderMD(t, rep, 0)
		html := checkTables(t, buf.Bytes())
		for _, want := range []string{"Changes from snapshot #41 to #42", "SEP00DD00000001", "&lt;script&gt;"} {
			if !strings.Contains(html, want) {
				t.Errorf("markdown lacks %q", want)
			}
		}
		if strings.Contains(html, "Executive summary") {
			t.Error("change-window markdown has an empty summary")
		}
		golden(t, "change-window.md", scrub(buf.Bytes()))
	})
	t.Run("xlsx", func(t *testing.T) {
		d := dumpXLSX(t, renderTo(t, rep, FormatXLSX, Options{}), 20)
		var names []string
		for _, s := range d.Sheets {
			names = append(names, s.Name)
		}
		if strings.Join(names, ",") != "Summary,Changes" {
			t.Fatalf("sheets %v, want Summary,Changes", names)
		}
		// header + 1 new + 1 resolved + 1 unconfirmed + 1 added + 1 removed + 2 changed fields
		if got := d.Sheets[1].Rows; got != 8 {
			t.Errorf("Changes has %d rows, want 8", got)
		}
	})
}
