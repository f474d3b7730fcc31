package render

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
)

func TestPDFReaders(t *testing.T) {
	pdftotext := testtool.Need(t, "pdftotext")
	qpdf := testtool.Need(t, "qpdf")
	pdffonts := testtool.Need(t, "pdffonts")
	pdftoppm := testtool.Need(t, "pdftoppm")
	path := renderTo(t, demoReport(), FormatPDF, Options{})

	t.Run("qpdf --check", func(t *testing.T) {
		out := run(t, qpdf, "--check", path)
		if !bytes.Contains(out, []byte("No syntax or stream encoding errors")) {
			t.Errorf("qpdf --check:\n%s", out)
		}
	})
	t.Run("fonts embedded", func(t *testing.T) {
		out := string(run(t, pdffonts, path))
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) < 4 {
			t.Fatalf("pdffonts lists no font:\n%s", out)
		}
		for _, l := range lines[2:] {
			f := strings.Fields(l)
			if len(f) < 5 || f[len(f)-5] != "yes" {
				t.Errorf("font not embedded: %s", l)
			}
			if !strings.Contains(l, "dejavu") {
				t.Errorf("unexpected font (core fonts would turn UTF-8 into mojibake): %s", l)
			}
		}
	})
	text := string(run(t, pdftotext, "-layout", path, "-"))
	t.Run("text", func(t *testing.T) {
		for _, want := range []string{
			"CUCM Audit Report", "HOSP-Zürich/Main", "15.0.1.12900-234", "#42",
			"Executive summary", "Data quality", "Findings by rule", "Waived findings", "Appendix",
			"Page 1 of ", "Page 2 of ",
			"Empfang Zürich", "Γραφείο Ελλάδα", "DP-Ελλάδα-Athens",
			"GW-LAB-01", "Lab gateway, | not in production", "voice-team@example.org",
			"NodeNotResponding", "REG-010", "needs risport node:cucm-sub3",
			"Showing 3 of 574 findings: 571 more in the XLSX",
			"<script>alert(1)</script>", // drawn as text, never interpreted
		} {
			if !strings.Contains(text, want) {
				t.Errorf("pdftotext output lacks %q", want)
			}
		}
		// The demo's summary figures, on the row of their class. The demo's Phone class was read
		// incompletely (a node did not answer): its RisPort figures are bounds (≥, ≤, unknown).
		if row := lineStarting(text, "Phone "); !strings.Contains(row, "≥ 803") || !strings.Contains(row, "≤ 574") || !strings.Contains(row, "unknown") {
			t.Errorf("registration row of the partial Phone class shows no bounds: %q", row)
		}
		for class, figures := range map[string][]string{
			"Phone":    {"1,377", "803", "679", "123", "574"},
			"Gateway":  {"85", "41", "44"},
			"SIPTrunk": {"22", "18", "4"},
		} {
			row := lineStarting(text, class+" ")
			for _, f := range figures {
				if !containsField(row, f) {
					t.Errorf("registration row %q lacks %s", row, f)
				}
			}
		}
		if strings.Contains(text, "{toc") || strings.Contains(text, "{nb}") {
			t.Error("a page-number alias was left unreplaced")
		}
		if !regexp.MustCompile(`Findings by rule\s+4\n`).MatchString(text) {
			t.Error("contents do not give the page of Findings by rule")
		}
		if strings.ContainsAny(text, "\x07\x1b\u202E") {
			t.Error("control characters reached the PDF")
		}
	})
	t.Run("golden", func(t *testing.T) {
		golden(t, "demo.pdf.txt", scrub([]byte(text)))
	})
	t.Run("pages not blank", func(t *testing.T) {
		prefix := filepath.Join(t.TempDir(), "page")
		run(t, pdftoppm, "-r", "40", "-png", "-f", "1", "-l", "2", path, prefix)
		pngs, _ := filepath.Glob(prefix + "*.png")
		if len(pngs) != 2 {
			t.Fatalf("pdftoppm wrote %v", pngs)
		}
		for _, p := range pngs {
			if n, total := inkPixels(t, p); n < total/50 {
				t.Errorf("%s looks blank: %d of %d pixels are not white", p, n, total)
			}
		}
	})
}

// lineStarting returns the line with the most words among those whose trimmed text starts
// with prefix (the table row rather than the chart label).
func lineStarting(text, prefix string) string {
	best := ""
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), prefix) && len(strings.Fields(l)) > len(strings.Fields(best)) {
			best = l
		}
	}
	return best
}

func containsField(line, f string) bool {
	for _, x := range strings.Fields(line) {
		if x == f {
			return true
		}
	}
	return false
}

func inkPixels(t *testing.T, path string) (ink, total int) {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	img, err := png.Decode(fh)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xF000 || g < 0xF000 || bl < 0xF000 {
				ink++
			}
			total++
		}
	}
	return ink, total
}

var _ image.Image // image/png registers the decoder through image

// TestPDFHostileValues renders values fpdf is known to choke on, each alone in every place a
// value can appear: it must never panic and never fail.
func TestPDFHostileValues(t *testing.T) {
	values := map[string]string{
		"emoji only":        "📞📞📞",
		"emoji with joiner": "👩‍💻 desk ☎️",
		"cjk":               "東京本社 受付",
		"10 kB no spaces":   strings.Repeat("x", 10240),
		"10 kB words":       strings.Repeat("lorem ipsum ", 900),
		"controls":          "\x00\x01\x1b[2J\x7f\u0085\u202Eabc",
		"invalid utf8":      "bad \xff\xfe bytes",
		"rtl":               "مرحبا بالعالم שלום",
		"newlines only":     "\n\n\n",
		"empty":             "",
		"surrogate range":   "\U0010FFFF\U0001F600",
	}
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			rep := demoReport()
			rep.Snapshot.ClusterID = v
			rep.Snapshot.CUCMVersion = v
			rep.ToolVersion = v
			rep.Rules[0].Rule.ID = v
			rep.Rules[0].Rule.Title = v
			rep.Rules[0].Rule.Description = v
			rep.Rules[0].Rule.Remediation = v
			rep.Rules[0].Rule.Controls = []string{v}
			rep.Rules[0].Findings[0].Entity = v
			rep.Rules[0].Findings[0].Evidence[0] = results.Field{Name: v, Value: v}
			rep.Rules[0].Findings[0].Message = v
			rep.Summary.Registration[0].Class = v
			rep.DataQuality.Coverage[0].Reason = v
			rep.Waived[0].Waiver.Statement = v
			rep.Appendix.ModelCounts[0].Model = v
			rep.Appendix.Rules[0].Rule.Params = map[string]string{v: v}
			var buf bytes.Buffer
			if err := (&PDF{}).Render(&buf, rep); err != nil {
				t.Fatalf("rendering %s: %v", name, err)
			}
			if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) || !bytes.Contains(buf.Bytes(), []byte("%%EOF")) {
				t.Fatalf("not a whole PDF")
			}
		})
	}
}

func TestPDFEntityCap(t *testing.T) {
	pdftotext := testtool.Need(t, "pdftotext")
	tests := []struct {
		name string
		max  int
		want string
	}{
		{"default: a sample of a grouped rule", 0, "Showing 3 of 574 findings: 571 more in the XLSX"},
		{"default given explicitly", DefaultPDFMaxEntities, "Showing 3 of 574 findings: 571 more in the XLSX"},
		{"10", 10, "Showing 10 of 574 findings: 564 more in the XLSX"},
		{"no cap", -1, "SEP00AA0000123D"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := renderTo(t, demoReport(), FormatPDF, Options{PDFMaxEntities: tt.max})
			text := string(run(t, pdftotext, "-layout", path, "-"))
			if !strings.Contains(text, tt.want) {
				t.Errorf("PDF text lacks %q", tt.want)
			}
			if tt.max < 0 {
				if strings.Contains(text, "more in the XLSX") {
					t.Error("uncapped PDF still says more in the XLSX")
				}
				// 574 rows span many pages: each page with rows repeats the table header.
				pages := 0
				for i, page := range strings.Split(text, "\f") {
					if !strings.Contains(page, "SEP00AA0000") {
						continue
					}
					pages++
					if !regexp.MustCompile(`Entity\s+Model\s+Device pool\s+Description`).MatchString(page) {
						t.Errorf("page %d holds REG-001 rows without the table header", i+1)
					}
				}
				if pages < 10 {
					t.Errorf("574 rows fit on %d pages; expected the table to break across pages", pages)
				}
			}
		})
	}
}

// TestPDFMegacluster renders the megacluster-sized fixture (60,000 findings): the cap keeps the
// PDF a readable size and qpdf finds it sound.
func TestPDFMegacluster(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 60,000 findings")
	}
	qpdf := testtool.Need(t, "qpdf")
	pdfinfo := testtool.Need(t, "pdfinfo")
	path := renderTo(t, bigReport(24, 2500), FormatPDF, Options{})
	run(t, qpdf, "--check", path)
	m := regexp.MustCompile(`Pages:\s+(\d+)`).FindSubmatch(run(t, pdfinfo, path))
	if m == nil {
		t.Fatal("pdfinfo gives no page count")
	}
	if n, _ := strconv.Atoi(string(m[1])); n < 6 || n > 60 {
		t.Errorf("%d pages for 24 rules capped at 5 entities each", n)
	}
}
