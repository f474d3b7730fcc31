package render

import (
	"flag"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseFormats(t *testing.T) {
	tests := []struct {
		name, in string
		want     Formats
		err      string
	}{
		{"all four", "pdf,xlsx,md,json", Formats{FormatPDF, FormatXLSX, FormatMarkdown, FormatJSON}, ""},
		{"spaces and case", " PDF , Json ", Formats{FormatPDF, FormatJSON}, ""},
		{"markdown alias", "markdown", Formats{FormatMarkdown}, ""},
		{"duplicates dropped", "md,md,pdf,md", Formats{FormatMarkdown, FormatPDF}, ""},
		{"all", "all", Formats{FormatPDF, FormatXLSX, FormatMarkdown, FormatJSON, FormatHTML}, ""},
		{"unknown", "pdf,docx", nil, `unknown report format "docx": want pdf, xlsx, md, json or html`},
		{"html", "html,HTML", Formats{FormatHTML}, ""},
		{"htm is not html", "htm", nil, `unknown report format "htm": want pdf, xlsx, md, json or html`},
		{"empty", " , ", nil, "no report format given: want a comma-separated list of pdf, xlsx, md, json, html (or all)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFormats(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("ParseFormats(%q) error = %v, want %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseFormats(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestFormatsFlag(t *testing.T) {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	formats := Formats{FormatPDF}
	fs.Var(&formats, "format", "formats")
	if err := fs.Parse([]string{"--format", "xlsx,json"}); err != nil {
		t.Fatal(err)
	}
	if got := formats.String(); got != "xlsx,json" {
		t.Errorf("--format xlsx,json gave %q", got)
	}
	err := fs.Parse([]string{"--format", "pdf,txt"})
	want := `invalid value "pdf,txt" for flag -format: unknown report format "txt": want pdf, xlsx, md, json or html`
	if err == nil || err.Error() != want {
		t.Errorf("bad --format: error %v, want %q", err, want)
	}
}

func TestNewCoversEveryFormat(t *testing.T) {
	for _, f := range AllFormats() {
		r, err := New(f, Options{})
		if err != nil {
			t.Fatalf("New(%s): %v", f, err)
		}
		if r.Format() != f {
			t.Errorf("New(%s) returned a %s renderer", f, r.Format())
		}
	}
	if _, err := New("docx", Options{}); err == nil {
		t.Error("New(docx) succeeded")
	}
}

// TestAllFormatsFresh: AllFormats hands out a new list each call, so a caller that changes it
// cannot change what "all" means for the next one.
func TestAllFormatsFresh(t *testing.T) {
	want := Formats{FormatPDF, FormatXLSX, FormatMarkdown, FormatJSON, FormatHTML}
	got := AllFormats()
	got[0] = FormatJSON
	if diff := cmp.Diff(want, AllFormats()); diff != "" {
		t.Errorf("AllFormats() after a caller changed its copy (-want +got):\n%s", diff)
	}
	all, err := ParseFormats("all")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, all); diff != "" {
		t.Errorf(`ParseFormats("all") (-want +got):\n%s`, diff)
	}
}
