package render

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/internal/testtool"
)

// TestCapsSayWhereTheRestIs: a list cut in the PDF or the Markdown says its other rows are "in
// the XLSX" only when the same run writes the XLSX; a run without one (--format pdf alone) says
// that the XLSX report lists them all and how to write it, for the findings by rule, the
// change-window lists and the PDF's reading guide.
func TestCapsSayWhereTheRestIs(t *testing.T) {
	type want struct{ has, lacks []string }
	tests := []struct {
		name    string
		formats Formats
		audit   want // what the audit report (demoReport) says
		window  want // what the change-window report (bigChangeReport) says
	}{
		{
			name:    "pdf alone",
			formats: Formats{FormatPDF},
			audit: want{
				has: []string{
					`Showing 3 of 574 findings: 571 more not shown: the XLSX report lists every finding of this rule on sheet "REG-001" (--format xlsx).`,
					"The XLSX report (--format xlsx, not written with this PDF) lists every finding as a filterable worklist.",
				},
				lacks: []string{"more in the XLSX", "delivered with this PDF"},
			},
			window: want{
				has: []string{
					`Showing 50 of 120 devices: 70 more not shown: the XLSX report lists them all on sheet "Broke" (--format xlsx).`,
					"Long lists are cut here; the XLSX report (--format xlsx, not written with this PDF) lists every change",
				},
				lacks: []string{"more in the XLSX", "delivered with this PDF"},
			},
		},
		{
			name:    "pdf with xlsx",
			formats: Formats{FormatPDF, FormatXLSX},
			audit: want{
				has: []string{
					`Showing 3 of 574 findings: 571 more in the XLSX, which lists every finding of this rule on sheet "REG-001".`,
					"The XLSX delivered with this PDF lists every finding as a filterable worklist.",
				},
				lacks: []string{"not shown", "--format xlsx"},
			},
			window: want{
				has:   []string{`Showing 50 of 120 devices: 70 more in the XLSX, which lists them all on sheet "Broke".`},
				lacks: []string{"not shown", "--format xlsx"},
			},
		},
		{
			name:    "md alone",
			formats: Formats{FormatMarkdown, FormatJSON},
			audit: want{
				has:   []string{"*Showing 25 of 574 findings: 549 more not shown: the XLSX report lists every finding (--format xlsx).*"},
				lacks: []string{"more in the XLSX"},
			},
			window: want{
				has:   []string{"*Showing 25 of 120 devices: 95 more not shown: the XLSX report lists them all on sheet Broke (--format xlsx).*"},
				lacks: []string{"more in the XLSX"},
			},
		},
		{
			name:    "md with xlsx",
			formats: Formats{FormatXLSX, FormatMarkdown},
			audit: want{
				has:   []string{"*Showing 25 of 574 findings: 549 more in the XLSX, which lists every finding.*"},
				lacks: []string{"not shown", "--format xlsx"},
			},
			window: want{
				has:   []string{"*Showing 25 of 120 devices: 95 more in the XLSX (sheet Broke), which lists them all.*"},
				lacks: []string{"not shown", "--format xlsx"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				kind string
				w    want
			}{{"audit", tt.audit}, {"window", tt.window}} {
				text := flat(textOf(t, tt.formats, c.kind))
				for _, s := range c.w.has {
					if !strings.Contains(text, s) {
						t.Errorf("%s report lacks %q", c.kind, s)
					}
				}
				for _, s := range c.w.lacks {
					if strings.Contains(text, s) {
						t.Errorf("%s report says %q", c.kind, s)
					}
				}
			}
		})
	}
}

// textOf writes the audit (demoReport) or change-window (bigChangeReport) report in formats
// through WriteAll and returns what a reader sees of its PDF (pdftotext) or else its Markdown.
func textOf(t *testing.T, formats Formats, kind string) string {
	t.Helper()
	rep := demoReport()
	if kind == "window" {
		rep = bigChangeReport(120)
	}
	m, err := WriteAll(context.Background(), rep, formats, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Files {
		if f.Format == FormatPDF {
			return string(run(t, testtool.Need(t, "pdftotext"), "-layout", f.Path, "-"))
		}
	}
	for _, f := range m.Files {
		if f.Format == FormatMarkdown {
			b, err := os.ReadFile(f.Path)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("no PDF or Markdown among %v", formats)
	return ""
}
