package render

import (
	"bytes"
	"fmt"
	"html"
	"image"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
)

// TestPDFTablesKeepWords renders every page of the demo PDF (the hand-made fixture and the
// report of the real demo, testdata/demo-collected.json) and of the change-window PDF with
// pdftoppm and checks every table cell the layout drew (summary, data quality, findings,
// waived, changes, appendix) against what a reader gets: pdftotext -bbox must find each word of
// the cell whole, on one line, inside the cell's box (a right-aligned figure such as "≥ 49.3 %"
// on one line), and the rendered page must show the cell's text with no ink in the gutters
// between columns. Only a word wider than a third of the page, which no column is given, may
// break. The text of page 2 is golden.
func TestPDFTablesKeepWords(t *testing.T) {
	pdftotext := testtool.Need(t, "pdftotext")
	t.Run("golden page 2", func(t *testing.T) {
		path := renderTo(t, demoReport(), FormatPDF, Options{})
		golden(t, "demo-page2.pdf.txt", scrub(run(t, pdftotext, "-layout", "-f", "2", "-l", "2", path, "-")))
	})
	// The demo, the demo with the device classes of a real cluster (MediaResources is the
	// longest) and the change-window report.
	every := demoReport()
	for _, c := range []string{"MediaResources", "CTIPort", "VoiceMailPort", "CTIRoutePoint"} {
		every.Summary.Registration = append(every.Summary.Registration, results.ClassRegistration{Class: c, Configured: 12, Seen: 12,
			Registered: 11, UnRegistered: 1, RegistrationRate: 11.0 / 12, Complete: true})
	}
	for _, tt := range []struct {
		name     string
		rep      *results.Report
		maxPages int
	}{
		{"demo", demoReport(), 12},
		{"demo with every device class", every, 12},
		{"change window", changeWindowReport(), 0},
		{"collected demo", collectedDemoReport(t), 12},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := &PDF{WithXLSX: true}
			var cells []pdfCell
			p.cells = func(c pdfCell) { cells = append(cells, c) }
			var buf bytes.Buffer
			if err := p.Render(&buf, tt.rep); err != nil {
				t.Fatal(err)
			}
			pages := readPages(t, buf.Bytes())
			if tt.maxPages > 0 && len(pages) > tt.maxPages {
				t.Errorf("%d pages, want at most %d", len(pages), tt.maxPages)
			}
			for _, problem := range checkCells(t, cells, pages) {
				t.Error(problem)
			}
			words, body := 0, 0
			for _, c := range cells {
				words += len(strings.Fields(c.Text))
				if !c.Head {
					body++
				}
			}
			if body < 40 || words < 200 {
				t.Errorf("only %d body cells and %d words checked", body, words)
			}
			t.Logf("%d pages, %d cells (%d words) checked", len(pages), len(cells), words)
		})
	}
}

// TestPDFCellCheckCatches proves the check of TestPDFTablesKeepWords fails on what it guards
// against: the old "ConfigurationMi smatch" (a column too narrow for its words, or a splitter
// breaking inside a word that fits) and text drawn past its column. The same table laid out by
// the renderer passes.
func TestPDFCellCheckCatches(t *testing.T) {
	cols := []pdfCol{{"Gateway", 0, "L"}, {"Reason", 0, "L"}, {"Rejected endpoints", 0, "R"}}
	rows := [][]string{
		{"vg320-old", "ConfigurationMismatch on cucm-sub1 since the firmware load changed", "44 of 48"},
		{"vg224-lab", "ConfigurationMismatch", "3 of 24"},
	}
	every15 := func(s string, _ float64) []string { // the old bug's shape: cut every 15 runes
		var out []string
		for utf8.RuneCountInString(s) > 15 {
			i := len(string([]rune(s)[:15]))
			out = append(out, s[:i])
			s = s[i:]
		}
		return append(out, s)
	}
	tests := []struct {
		name   string
		widths []float64 // nil: the renderer's own (d.table)
		split  func(string, float64) []string
		want   []string // a problem with each of these in its text
	}{
		{name: "laid out by the renderer"},
		{name: "too narrow column", widths: []float64{30, 15, 135},
			want: []string{`breaks "ConfigurationMismatch"`}},
		{name: "splitter breaks a word that fits", widths: []float64{40, 100, 40}, split: every15,
			want: []string{`breaks "ConfigurationMismatch"`}},
		{name: "text drawn past its column", widths: []float64{30, 20, 130},
			split: func(s string, _ float64) []string { return []string{s} },
			want:  []string{"outside its cell", "ink in the gutter"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := newPDFDoc(&results.Report{})
			if err != nil {
				t.Fatal(err)
			}
			d.setup()
			var cells []pdfCell
			d.cells = func(c pdfCell) { cells = append(cells, c) }
			if tt.split != nil {
				d.split = tt.split
			}
			d.f.AddPage()
			if tt.widths == nil {
				d.table(cols, rows, nil)
			} else {
				d.drawTable(cols, tt.widths, pdfTableSize, rows, nil)
			}
			var buf bytes.Buffer
			if err := d.f.Output(&buf); err != nil {
				t.Fatal(err)
			}
			problems := checkCells(t, cells, readPages(t, buf.Bytes()))
			all := strings.Join(problems, "\n")
			t.Logf("the check reports:\n%s", all)
			if len(tt.want) == 0 && len(problems) > 0 {
				t.Errorf("the renderer's own layout fails the check:\n%s", all)
			}
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("the check does not report %q; it reports:\n%s", w, all)
				}
			}
		})
	}
}

// pdfDPI is the resolution pages are rendered at: a column gutter (2 × 1.2 mm) is 14 pixels.
const pdfDPI = 150

// pdfPage is one page as a reader gets it: pdftotext's words with their boxes (mm from the top
// left) and pdftoppm's rendering in grey.
type pdfPage struct {
	words []pdfWord
	img   *image.Gray
}

type pdfWord struct {
	text           string
	x0, y0, x1, y1 float64
}

var (
	bboxPage = regexp.MustCompile(`<page width="[\d.]+" height="[\d.]+">`)
	bboxWord = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)
)

// readPages writes pdf to a file and reads every page back with pdftotext -bbox and pdftoppm.
func readPages(t *testing.T, pdf []byte) []pdfPage {
	t.Helper()
	pdftotext := testtool.Need(t, "pdftotext")
	pdftoppm := testtool.Need(t, "pdftoppm")
	dir := t.TempDir()
	path := filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	var pages []pdfPage
	for _, page := range bboxPage.Split(string(run(t, pdftotext, "-bbox", path, "-")), -1)[1:] {
		var p pdfPage
		for _, m := range bboxWord.FindAllStringSubmatch(page, -1) {
			w := pdfWord{text: html.UnescapeString(m[5])}
			for i, v := range []*float64{&w.x0, &w.y0, &w.x1, &w.y1} {
				pt, _ := strconv.ParseFloat(m[i+1], 64)
				*v = pt * 25.4 / 72
			}
			p.words = append(p.words, w)
		}
		pages = append(pages, p)
	}
	// Grey PGM rather than PNG: the same rendering, without seconds spent compressing it.
	prefix := filepath.Join(dir, "page")
	run(t, pdftoppm, "-r", strconv.Itoa(pdfDPI), "-gray", path, prefix)
	pgms, _ := filepath.Glob(prefix + "-*.pgm")
	pageNo := func(p string) int {
		n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(p, prefix+"-"), ".pgm"))
		return n
	}
	sort.Slice(pgms, func(i, j int) bool { return pageNo(pgms[i]) < pageNo(pgms[j]) })
	if len(pgms) != len(pages) || len(pages) == 0 {
		t.Fatalf("pdftotext read %d pages, pdftoppm rendered %d", len(pages), len(pgms))
	}
	for i, name := range pgms {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if pages[i].img, err = readPGM(b); err != nil {
			t.Fatalf("reading %s: %v", name, err)
		}
	}
	return pages
}

// readPGM reads a binary grey PGM (P5, 8 bits), as pdftoppm -gray writes it.
func readPGM(b []byte) (*image.Gray, error) {
	var w, h, maxVal int
	var rest string
	if _, err := fmt.Sscan(string(b[:min(len(b), 64)]), &rest, &w, &h, &maxVal); err != nil || rest != "P5" || maxVal != 255 {
		return nil, fmt.Errorf("not an 8-bit P5 PGM (%q %d×%d max %d): %v", rest, w, h, maxVal, err)
	}
	// The header ends with one whitespace byte after the fourth field.
	fields, i := 0, 0
	for fields < 4 && i < len(b) {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		for i < len(b) && !isSpace(b[i]) {
			i++
		}
		fields++
	}
	pix := b[i+1:]
	if len(pix) != w*h {
		return nil, fmt.Errorf("%d bytes of pixels for %d×%d", len(pix), w, h)
	}
	return &image.Gray{Pix: pix, Stride: w, Rect: image.Rect(0, 0, w, h)}, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

// checkCells compares every table cell the layout drew with the pages a reader gets, and says
// what is wrong, one line per problem.
func checkCells(t *testing.T, cells []pdfCell, pages []pdfPage) []string {
	t.Helper()
	d, err := newPDFDoc(&results.Report{})
	if err != nil {
		t.Fatal(err)
	}
	// A word no wider than a third of the page fits the widest column the layout gives a word
	// (fitWords): it must never break, even when its column came out narrower.
	fits := func(c pdfCell, word string) bool {
		style := ""
		if c.Bold {
			style = "B"
		}
		d.f.SetFont("DejaVu", style, c.Size)
		return d.f.GetStringWidth(word)+2*pdfCellMargin <= max(c.W, d.width/3)+0.01
	}
	// Each word of a page belongs to the cell holding its centre; words outside every cell are
	// headings and paragraphs.
	inCell := make([][]pdfWord, len(cells))
	for pi, p := range pages {
		for _, w := range p.words {
			cx, cy := (w.x0+w.x1)/2, (w.y0+w.y1)/2
			for ci, c := range cells {
				if c.Page == pi+1 && cx >= c.X && cx < c.X+c.W && cy >= c.Y && cy < c.Y+c.H {
					inCell[ci] = append(inCell[ci], w)
					break
				}
			}
		}
	}
	var problems []string
	for ci, c := range cells {
		where := fmt.Sprintf("page %d, cell %q at x %.1f y %.1f mm (%.1f mm wide)", c.Page, truncate(c.Text, 60), c.X, c.Y, c.W)
		if c.Page < 1 || c.Page > len(pages) {
			problems = append(problems, where+": no such page")
			continue
		}
		for _, p := range checkCellWords(c, inCell[ci], fits) {
			problems = append(problems, where+": "+p)
		}
		for _, p := range checkCellInk(c, pages[c.Page-1].img) {
			problems = append(problems, where+": "+p)
		}
	}
	return problems
}

// checkCellWords checks a cell's text against the words pdftotext found in its box.
func checkCellWords(c pdfCell, found []pdfWord, fits func(pdfCell, string) bool) []string {
	const tol = 0.3 // mm
	var problems []string
	// Reading order: lines top to bottom, words left to right.
	sort.SliceStable(found, func(i, j int) bool {
		if d := found[i].y0 - found[j].y0; d < -0.8 || d > 0.8 {
			return d < 0
		}
		return found[i].x0 < found[j].x0
	})
	for _, w := range found {
		if w.x0 < c.X-tol || w.x1 > c.X+c.W+tol || w.y0 < c.Y-tol || w.y1 > c.Y+c.H+tol {
			problems = append(problems, fmt.Sprintf("%q lies outside its cell (x %.1f–%.1f, y %.1f–%.1f mm)", w.text, w.x0, w.x1, w.y0, w.y1))
		}
	}
	if c.Align == "R" && !c.Head && len(found) > 1 {
		for _, w := range found[1:] {
			if w.y0-found[0].y0 > 0.8 {
				problems = append(problems, fmt.Sprintf("the figure %q wraps", c.Text))
				break
			}
		}
	}
	want := strings.Fields(c.Text)
	k := 0
	for _, e := range want {
		if c.Cut && k < len(found) && found[k].text == "…" {
			break // the lines past pdfMaxCellLines were left out by design
		}
		if k == len(found) {
			if !c.Cut {
				problems = append(problems, fmt.Sprintf("%q is not on the page", e))
			}
			break
		}
		if found[k].text == e {
			k++
			continue
		}
		if fits(c, e) {
			problems = append(problems, fmt.Sprintf("breaks %q: the page has %q", e, found[k].text))
			return problems
		}
		// A word wider than any column may break across lines; nothing of it may be lost.
		got := ""
		for k < len(found) && len(got) < len(e) && strings.HasPrefix(e, got+found[k].text) {
			got += found[k].text
			k++
		}
		if got != e && !c.Cut {
			problems = append(problems, fmt.Sprintf("the long word %q comes out as %q", truncate(e, 40), truncate(got, 40)))
			return problems
		}
	}
	rest := found[k:]
	if c.Cut && len(rest) > 0 && rest[len(rest)-1].text == "…" {
		rest = rest[:len(rest)-1]
	}
	for _, w := range rest {
		problems = append(problems, fmt.Sprintf("%q is not the cell's text", w.text))
	}
	return problems
}

// checkCellInk checks a cell on the rendered page: its text shows, and no ink lies in the
// gutters its cell margins keep free on either side (text spilling into the next column or
// crossing from it). Body text is dark on white or zebra grey; header text white on blue.
func checkCellInk(c pdfCell, img *image.Gray) []string {
	px := func(mm float64) int { return int(mm / 25.4 * pdfDPI) }
	ink := func(v uint8) bool { return v < 200 }
	if c.Head {
		ink = func(v uint8) bool { return v > 160 }
	}
	count := func(x0, x1, y0, y1 float64) int {
		n := 0
		for y := px(y0) + 1; y < px(y1); y++ {
			for x := px(x0) + 1; x < px(x1); x++ {
				if ink(img.GrayAt(x, y).Y) {
					n++
				}
			}
		}
		return n
	}
	const keep = 0.3 // mm of the margin next to the text left out: anti-aliasing
	var problems []string
	if strings.TrimSpace(c.Text) != "" && count(c.X+pdfCellMargin, c.X+c.W-pdfCellMargin, c.Y, c.Y+c.H) == 0 {
		problems = append(problems, "no text shows on the rendered page")
	}
	top, bottom := c.Y+0.3, c.Y+c.H-0.3
	if n := count(c.X, c.X+pdfCellMargin-keep, top, bottom); n > 0 {
		problems = append(problems, fmt.Sprintf("%d pixels of ink in the gutter on its left", n))
	}
	if n := count(c.X+c.W-pdfCellMargin+keep, c.X+c.W, top, bottom); n > 0 {
		problems = append(problems, fmt.Sprintf("%d pixels of ink in the gutter on its right", n))
	}
	return problems
}
