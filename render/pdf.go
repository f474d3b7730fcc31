package render

import (
	"fmt"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// PDF lays the report out for management: a title page, the executive summary with charts,
// data quality, findings by rule (each entity list capped at MaxEntities with "N more in the
// XLSX" when an XLSX is written with it), waived findings, changes, and an appendix. Every page
// after the title carries a header and "Page N of M". Text is drawn with embedded DejaVu Sans;
// runes the font lacks print as '?'.
type PDF struct {
	// MaxEntities caps each rule's entity table; negative means no cap, 0 the default. At the
	// default (DefaultPDFMaxEntities, also what --pdf-max-entities says when not given) a rule
	// whose groups say where its findings are, or a medium one, lists a sample of
	// 3 (pdfGroupedEntities); any other cap holds for every rule.
	MaxEntities int
	// WithXLSX says an XLSX of the same report is written with this PDF (New sets it from
	// Options.Formats): the cut lists then point at it ("N more in the XLSX"); otherwise they say
	// that the XLSX report lists them all and how to write one (--format xlsx).
	WithXLSX bool

	// cells, when set, receives the box and text of every table cell drawn: the tests check each
	// against the rendered pages.
	cells func(pdfCell)
}

// Format implements Renderer.
func (*PDF) Format() Format { return FormatPDF }

// Page geometry (mm, A4 portrait) and type sizes (pt).
const (
	pdfMarginL   = 15.0
	pdfMarginR   = 15.0
	pdfMarginT   = 20.0
	pdfMarginB   = 18.0
	pdfTableSize = 7.5
	pdfBodySize  = 9.5
	// pdfCellMargin is the room fpdf leaves between a cell's edge and its text.
	pdfCellMargin = 1.2
	// pdfMaxCellRunes and pdfMaxCellLines bound one table cell; the XLSX has the full value.
	pdfMaxCellRunes = 240
	pdfMaxCellLines = 8
)

type rgb struct{ r, g, b int }

// Colours of the layout (read-only).
var (
	colInk     = rgb{33, 37, 41}
	colMuted   = rgb{108, 117, 125}
	colBrand   = rgb{22, 58, 99}
	colBrandLt = rgb{232, 238, 246}
	colRule    = rgb{206, 212, 218}
	colZebra   = rgb{246, 247, 249}
	colGood    = rgb{39, 134, 74}
	colBad     = rgb{192, 57, 43}
)

// sevColor is the colour of a severity in badges and charts.
func sevColor(s results.Severity) rgb {
	switch s {
	case results.SeverityCritical:
		return rgb{125, 10, 30}
	case results.SeverityHigh:
		return rgb{214, 48, 39}
	case results.SeverityMedium:
		return rgb{240, 128, 40}
	case results.SeverityLow:
		return rgb{214, 170, 30}
	}
	return rgb{91, 143, 196}
}

// pdfDoc is one document being drawn.
type pdfDoc struct {
	f        *fpdf.Fpdf
	runes    *runeSet
	rep      *results.Report
	max      int
	maxAsked bool     // a cap other than the default was asked for: it holds for grouped rules too
	xlsx     bool     // an XLSX is written with this PDF
	sheets   []string // XLSX sheet of each rule section
	// toc maps each section title to the alias its page number replaces on the title page.
	toc    map[string]string
	pageW  float64
	pageH  float64
	width  float64 // printable width
	bottom float64 // y past which nothing is drawn
	// split wraps a cell's text to a column width (fpdf's SplitText); cells receives each table
	// cell drawn when set (see PDF.cells).
	split func(s string, w float64) []string
	cells func(pdfCell)
}

// newPDFDoc starts an A4 document with the embedded fonts and the page geometry.
func newPDFDoc(r *results.Report) (*pdfDoc, error) {
	runes, err := fontRunes()
	if err != nil {
		return nil, fmt.Errorf("loading pdf fonts: %w", err)
	}
	f := fpdf.New("P", "mm", "A4", "")
	// Resource catalogs in a fixed order: the same report renders to the same bytes, so WriteAll
	// keeps an identical PDF in place instead of writing another version of it.
	f.SetCatalogSort(true)
	f.AddUTF8FontFromBytes("DejaVu", "", dejaVuSans)
	f.AddUTF8FontFromBytes("DejaVu", "B", dejaVuSansBold)
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("loading pdf fonts: %w", err)
	}
	d := &pdfDoc{f: f, runes: runes, rep: r, split: f.SplitText}
	d.pageW, d.pageH = f.GetPageSize()
	d.width = d.pageW - pdfMarginL - pdfMarginR
	d.bottom = d.pageH - pdfMarginB
	return d, nil
}

// Render implements Renderer.
func (p *PDF) Render(w io.Writer, r *results.Report) (err error) {
	max := p.MaxEntities
	if max == 0 {
		max = DefaultPDFMaxEntities
	}
	d, err := newPDFDoc(r)
	if err != nil {
		return err
	}
	f := d.f
	d.max, d.maxAsked, d.xlsx, d.sheets, d.cells = max, max != DefaultPDFMaxEntities, p.WithXLSX, ruleSheetNames(r.Rules), p.cells
	// A panic in fpdf (it has some on odd input) must not take the process down: it becomes an
	// error naming the report.
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("drawing pdf for snapshot %d: internal error: %v", r.Snapshot.ID, v)
		}
	}()
	d.setup()
	d.titlePage()
	audit := r.Kind != kindChangeWindow
	if audit {
		d.summary()
		d.quality()
		d.compliance()
		d.findings()
		d.waived()
	}
	if r.Diff != nil {
		d.diff()
	}
	if audit {
		d.appendix()
	}
	if err := f.Error(); err != nil {
		return fmt.Errorf("drawing pdf: %w", err)
	}
	if err := f.Output(w); err != nil {
		return fmt.Errorf("writing pdf: %w", err)
	}
	return nil
}

// txt makes a value drawable: control characters go, runes the fonts lack become '?'.
func (d *pdfDoc) txt(s string) string {
	s = cleanText(s)
	ok := true
	for _, r := range s {
		if r != '\n' && !d.runes.has(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r == '\n' || d.runes.has(r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}

func (d *pdfDoc) line1(s string) string { return strings.Join(strings.Fields(d.txt(s)), " ") }

func (d *pdfDoc) font(style string, size float64, c rgb) {
	d.f.SetFont("DejaVu", style, size)
	d.f.SetTextColor(c.r, c.g, c.b)
}

func (d *pdfDoc) fill(c rgb) { d.f.SetFillColor(c.r, c.g, c.b) }

func (d *pdfDoc) draw(c rgb) { d.f.SetDrawColor(c.r, c.g, c.b) }

func (d *pdfDoc) setup() {
	f, r := d.f, d.rep
	f.SetMargins(pdfMarginL, pdfMarginT, pdfMarginR)
	f.SetAutoPageBreak(false, pdfMarginB)
	f.SetCellMargin(pdfCellMargin)
	f.AliasNbPages("{nb}")
	docTitle := "CUCM audit report: "
	if r.Kind == kindChangeWindow {
		docTitle = "CUCM change-window report: "
	}
	f.SetTitle(d.line1(docTitle+r.Snapshot.ClusterID), true)
	f.SetSubject(d.line1(fmt.Sprintf("Snapshot #%d of %s", r.Snapshot.ID, r.Snapshot.ClusterID)), true)
	f.SetCreator("cucm-audit "+d.line1(r.ToolVersion), true)
	f.SetAuthor("cucm-audit", true)
	if !r.GeneratedAt.IsZero() {
		f.SetCreationDate(r.GeneratedAt)
		f.SetModificationDate(r.GeneratedAt)
	}
	f.SetHeaderFuncMode(func() {
		if f.PageNo() == 1 {
			return
		}
		d.font("", 7.5, colMuted)
		f.SetXY(pdfMarginL, 9)
		head := "CUCM audit · "
		if r.Kind == kindChangeWindow {
			head = "CUCM change window · "
		}
		f.CellFormat(d.width/2, 5, truncate(d.line1(head+r.Snapshot.ClusterID), 80), "", 0, "L", false, 0, "")
		f.CellFormat(d.width/2, 5, fmt.Sprintf("Snapshot #%d · %s", r.Snapshot.ID, fmtTime(r.Snapshot.StartedAt)), "", 0, "R", false, 0, "")
		d.draw(colRule)
		f.SetLineWidth(0.2)
		f.Line(pdfMarginL, 14.5, d.pageW-pdfMarginR, 14.5)
		f.SetXY(pdfMarginL, pdfMarginT)
	}, false)
	f.SetFooterFunc(func() {
		d.font("", 7.5, colMuted)
		y := d.pageH - 12
		f.SetXY(pdfMarginL, y)
		f.CellFormat(d.width/2, 5, "cucm-audit "+truncate(d.line1(r.ToolVersion), 40)+" · generated "+fmtTime(r.GeneratedAt), "", 0, "L", false, 0, "")
		f.CellFormat(d.width/2, 5, fmt.Sprintf("Page %d of {nb}", f.PageNo()), "", 0, "R", false, 0, "")
	})
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func sevName(s results.Severity) string {
	n := s.String()
	if n == "" {
		return "?"
	}
	return strings.ToUpper(n[:1]) + n[1:]
}
