package render

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/cucm-audit/cucm-audit/analyze"
)

// PDF lays the report out for management: a title page, the executive summary with charts,
// data quality, findings by rule (each entity list capped at MaxEntities with "N more in the
// XLSX" when an XLSX is written with it), waived findings, changes, and an appendix. Every page
// after the title carries a header and "Page N of M". Text is drawn with embedded DejaVu Sans;
// runes the font lacks print as '?'.
type PDF struct {
	// MaxEntities caps each rule's entity table; negative means no cap, 0 the default.
	MaxEntities int
	// WithXLSX says an XLSX of the same report is written with this PDF (New sets it from
	// Options.Formats): the cut lists then point at it ("N more in the XLSX"); otherwise they say
	// that the XLSX report lists them all and how to write one (--format xlsx).
	WithXLSX bool
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
func sevColor(s analyze.Severity) rgb {
	switch s {
	case analyze.SeverityCritical:
		return rgb{125, 10, 30}
	case analyze.SeverityHigh:
		return rgb{214, 48, 39}
	case analyze.SeverityMedium:
		return rgb{240, 128, 40}
	case analyze.SeverityLow:
		return rgb{214, 170, 30}
	}
	return rgb{91, 143, 196}
}

// pdfDoc is one document being drawn.
type pdfDoc struct {
	f        *fpdf.Fpdf
	runes    *runeSet
	rep      *analyze.Report
	max      int
	maxAsked bool     // MaxEntities was given (--pdf-max-entities): it holds for grouped rules too
	xlsx     bool     // an XLSX is written with this PDF
	sheets   []string // XLSX sheet of each rule section
	// toc maps each section title to the alias its page number replaces on the title page.
	toc    map[string]string
	pageW  float64
	pageH  float64
	width  float64 // printable width
	bottom float64 // y past which nothing is drawn
}

// Render implements Renderer.
func (p *PDF) Render(w io.Writer, r *analyze.Report) (err error) {
	max := p.MaxEntities
	if max == 0 {
		max = DefaultPDFMaxEntities
	}
	runes, err := fontRunes()
	if err != nil {
		return fmt.Errorf("loading pdf fonts: %w", err)
	}
	f := fpdf.New("P", "mm", "A4", "")
	// Resource catalogs in a fixed order: the same report renders to the same bytes, so WriteAll
	// keeps an identical PDF in place instead of writing another version of it.
	f.SetCatalogSort(true)
	f.AddUTF8FontFromBytes("DejaVu", "", dejaVuSans)
	f.AddUTF8FontFromBytes("DejaVu", "B", dejaVuSansBold)
	if err := f.Error(); err != nil {
		return fmt.Errorf("loading pdf fonts: %w", err)
	}
	d := &pdfDoc{f: f, runes: runes, rep: r, max: max, maxAsked: p.MaxEntities != 0, xlsx: p.WithXLSX, sheets: ruleSheetNames(r.Rules)}
	d.pageW, d.pageH = f.GetPageSize()
	d.width = d.pageW - pdfMarginL - pdfMarginR
	d.bottom = d.pageH - pdfMarginB
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
	f.SetCellMargin(1.2)
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

// ensure starts a new page unless h mm still fit.
func (d *pdfDoc) ensure(h float64) {
	if d.f.GetY()+h > d.bottom {
		d.f.AddPage()
	}
}

// section starts a new page with a top-level heading and bookmark.
func (d *pdfDoc) section(title string) {
	d.f.AddPage()
	d.sectionHead(title)
}

// flowSection starts a top-level section below the previous one when at least 60 mm are
// left on the page, on a new page otherwise: short sections do not each take a page.
func (d *pdfDoc) flowSection(title string) {
	if d.f.GetY()+60 > d.bottom {
		d.f.AddPage()
	} else {
		d.f.SetY(d.f.GetY() + 6)
	}
	d.sectionHead(title)
}

// sectionHead draws a top-level heading and bookmark at the current position.
func (d *pdfDoc) sectionHead(title string) {
	if alias, ok := d.toc[title]; ok {
		d.f.RegisterAlias(alias, strconv.Itoa(d.f.PageNo()))
	}
	d.f.Bookmark(title, 0, -1)
	d.font("B", 16, colBrand)
	d.f.SetX(pdfMarginL)
	d.f.CellFormat(d.width, 9, title, "", 1, "L", false, 0, "")
	d.draw(colBrand)
	d.f.SetLineWidth(0.5)
	y := d.f.GetY()
	d.f.Line(pdfMarginL, y, pdfMarginL+30, y)
	d.f.SetY(y + 4)
}

// heading is a second-level heading; it keeps at least keep mm of room below it.
func (d *pdfDoc) heading(title string, keep float64) {
	d.ensure(8 + keep)
	d.f.SetY(d.f.GetY() + 2)
	d.font("B", 11.5, colBrand)
	d.f.SetX(pdfMarginL)
	d.f.CellFormat(d.width, 7, d.line1(title), "", 1, "L", false, 0, "")
	d.f.SetY(d.f.GetY() + 1)
}

// para draws wrapped text at the current position, breaking pages between lines.
func (d *pdfDoc) para(s string, style string, size float64, c rgb) {
	d.font(style, size, c)
	lh := size * 0.45
	for _, p := range strings.Split(d.txt(strings.TrimSpace(s)), "\n") {
		if strings.TrimSpace(p) == "" {
			d.f.SetY(d.f.GetY() + lh/2)
			continue
		}
		for _, l := range d.f.SplitText(p, d.width) {
			d.ensure(lh)
			d.f.SetX(pdfMarginL)
			d.f.CellFormat(d.width, lh, l, "", 1, "L", false, 0, "")
		}
	}
	d.f.SetY(d.f.GetY() + 1.5)
}

// labelled draws "Label: text" with a bold label and wrapped text.
func (d *pdfDoc) labelled(label, s string) {
	if strings.TrimSpace(s) == "" {
		return
	}
	d.font("B", pdfBodySize, colInk)
	d.ensure(6)
	d.f.SetX(pdfMarginL)
	d.f.CellFormat(d.width, 5, label, "", 1, "L", false, 0, "")
	d.para(s, "", pdfBodySize, colInk)
}

// pdfCol is one table column: header, relative or absolute width, alignment.
type pdfCol struct {
	head  string
	w     float64
	align string
}

// tableStyle colours one cell's text; nil means ink.
type tableStyle func(row, col int) (rgb, bool)

// table draws a table that breaks across pages, repeating its header, with cells wrapped to
// their column and row heights computed from the tallest cell.
func (d *pdfDoc) table(cols []pdfCol, rows [][]string, style tableStyle) {
	f := d.f
	total := 0.0
	for _, c := range cols {
		total += c.w
	}
	widths := make([]float64, len(cols))
	if total <= 0 {
		widths = d.autoWidths(cols, rows)
	} else {
		for i, c := range cols {
			widths[i] = c.w * d.width / total
		}
	}
	size := d.fitWords(cols, rows, widths)
	lh := 3.4 * size / pdfTableSize
	const pad = 0.8
	header := func() {
		d.font("B", size, rgb{255, 255, 255})
		lines := make([][]string, len(cols))
		n := 1
		for i, c := range cols {
			lines[i] = f.SplitText(d.line1(c.head), widths[i])
			n = maxInt(n, len(lines[i]))
		}
		h := float64(n)*lh + 2*pad
		d.ensure(h + lh + 2*pad)
		y := f.GetY()
		x := pdfMarginL
		d.fill(colBrand)
		f.Rect(x, y, d.width, h, "F")
		for i := range cols {
			for j, l := range lines[i] {
				f.SetXY(x, y+pad+float64(j)*lh)
				f.CellFormat(widths[i], lh, l, "", 0, cols[i].align, false, 0, "")
			}
			x += widths[i]
		}
		f.SetY(y + h)
	}
	header()
	d.font("", size, colInk)
	for ri, row := range rows {
		d.font("", size, colInk)
		lines := make([][]string, len(cols))
		n := 1
		for i := range cols {
			v := ""
			if i < len(row) {
				v = row[i]
			}
			var ls []string
			for _, p := range strings.Split(truncate(strings.TrimSpace(d.txt(v)), pdfMaxCellRunes), "\n") {
				ls = append(ls, f.SplitText(p, widths[i])...)
			}
			if len(ls) > pdfMaxCellLines {
				ls = append(ls[:pdfMaxCellLines-1], "…")
			}
			lines[i] = ls
			n = maxInt(n, len(ls))
		}
		h := float64(n)*lh + 2*pad
		if f.GetY()+h > d.bottom {
			f.AddPage()
			header()
		}
		y := f.GetY()
		if ri%2 == 1 {
			d.fill(colZebra)
			f.Rect(pdfMarginL, y, d.width, h, "F")
		}
		x := pdfMarginL
		for i := range cols {
			c, bold := colInk, false
			if style != nil {
				if sc, ok := style(ri, i); ok {
					c, bold = sc, true
				}
			}
			if bold {
				d.font("B", size, c)
			} else {
				d.font("", size, c)
			}
			for j, l := range lines[i] {
				f.SetXY(x, y+pad+float64(j)*lh)
				f.CellFormat(widths[i], lh, l, "", 0, cols[i].align, false, 0, "")
			}
			x += widths[i]
		}
		d.draw(colRule)
		f.SetLineWidth(0.1)
		f.Line(pdfMarginL, y+h, pdfMarginL+d.width, y+h)
		f.SetY(y + h)
	}
	f.SetY(f.GetY() + 3)
}

// fitWords widens columns whose header or cells have a word wider than the column, taking the
// room from columns with slack, so a table never breaks inside a word that fits ("Configur-ed",
// "MediaRes-ources"). A right-aligned (numeric) cell counts as one word: "≥ 49.3 %" never wraps.
// Only a word wider than a third of the page is left to break. When the columns' words together
// are wider than the page, the table's font shrinks (to 70 % at least) until they fit; fitWords
// returns the font size to draw the table with.
func (d *pdfDoc) fitWords(cols []pdfCol, rows [][]string, widths []float64) float64 {
	need := make([]float64, len(cols))
	short, slack := 0.0, 0.0
	d.font("B", pdfTableSize, colInk)
	for i, c := range cols {
		for _, w := range strings.Fields(d.line1(c.head)) {
			need[i] = math.Max(need[i], d.f.GetStringWidth(w)+2.6)
		}
	}
	d.font("", pdfTableSize, colInk)
	for ri, row := range rows {
		if ri >= 200 {
			break
		}
		for i := 0; i < len(cols) && i < len(row); i++ {
			v := truncate(d.txt(row[i]), pdfMaxCellRunes)
			words := strings.Fields(v)
			if cols[i].align == "R" {
				words = []string{strings.Join(words, " ")}
			}
			for _, w := range words {
				need[i] = math.Max(need[i], d.f.GetStringWidth(w)+2.6)
			}
		}
	}
	total := 0.0
	for i := range cols {
		need[i] = math.Min(need[i], d.width/3)
		total += need[i]
	}
	if total > d.width {
		s := math.Max(d.width/total, 0.7)
		used := 0.0
		for i := range widths {
			widths[i] = need[i] * s
			used += widths[i]
		}
		for i := range widths {
			widths[i] *= d.width / used
		}
		return pdfTableSize * s
	}
	for i := range cols {
		if widths[i] < need[i] {
			short += need[i] - widths[i]
		} else {
			slack += widths[i] - need[i]
		}
	}
	if short == 0 || slack <= 0 {
		return pdfTableSize
	}
	take := math.Min(1, short/slack)
	for i := range widths {
		if widths[i] < need[i] {
			widths[i] = need[i]
			if short > slack {
				widths[i] -= (short - slack) * need[i] / d.width
			}
		} else {
			widths[i] -= (widths[i] - need[i]) * take
		}
	}
	return pdfTableSize
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func sevStyle(sevs []analyze.Severity, col int) tableStyle {
	return func(row, c int) (rgb, bool) {
		if c != col || row >= len(sevs) {
			return rgb{}, false
		}
		return sevColor(sevs[row]), true
	}
}

func sevName(s analyze.Severity) string {
	n := s.String()
	if n == "" {
		return "?"
	}
	return strings.ToUpper(n[:1]) + n[1:]
}

// titlePage draws the cover: a band with the title, the facts, and a note on how to read it.
func (d *pdfDoc) titlePage() {
	f, r := d.f, d.rep
	f.AddPage()
	f.Bookmark("Title", 0, -1)
	d.fill(colBrand)
	f.Rect(0, 0, d.pageW, 95, "F")
	d.font("", 11, rgb{190, 205, 225})
	f.SetXY(pdfMarginL, 30)
	f.CellFormat(d.width, 6, "Cisco Unified Communications Manager", "", 1, "L", false, 0, "")
	d.font("B", 28, rgb{255, 255, 255})
	f.SetX(pdfMarginL)
	title := "CUCM Audit Report"
	if r.Kind == kindChangeWindow {
		title = "CUCM Change-Window Report"
	}
	f.CellFormat(d.width, 14, title, "", 1, "L", false, 0, "")
	d.font("", 16, rgb{255, 255, 255})
	for i, l := range f.SplitText(truncate(d.line1(r.Snapshot.ClusterID), 120), d.width) {
		if i == 2 {
			break
		}
		f.SetX(pdfMarginL)
		f.CellFormat(d.width, 8, l, "", 1, "L", false, 0, "")
	}
	d.font("", 10, rgb{190, 205, 225})
	f.SetXY(pdfMarginL, 80)
	kind := "Compliance audit"
	if r.Kind == kindChangeWindow {
		kind = "Change-window report"
	}
	f.CellFormat(d.width, 6, kind+" · snapshot of "+fmtTime(r.Snapshot.StartedAt), "", 1, "L", false, 0, "")

	f.SetY(100)
	if r.Kind == kindChangeWindow && r.Diff != nil {
		// The answer to "did we break anything?" is the first thing on page 1.
		broke, _ := r.Diff.StatusChanges()
		c := colGood
		if len(broke) > 0 {
			c = colBad
		}
		d.para("Verdict: "+Verdict(r.Diff), "B", 12, c)
		f.SetY(f.GetY() + 2)
	}
	d.banner()
	f.SetY(max(f.GetY(), 110))
	facts := reportFacts(r, fmtTime)
	for _, kv := range facts {
		if kv[1] == "" && (kv[0] == "Compared with" || kv[0] == "Rules evaluated" || kv[0] == "Analysis") {
			continue
		}
		d.font("B", 10, colMuted)
		f.SetX(pdfMarginL)
		y := f.GetY()
		f.CellFormat(50, 7, kv[0], "", 0, "L", false, 0, "")
		d.font("", 10, colInk)
		lines := f.SplitText(truncate(d.line1(kv[1]), 200), d.width-50)
		if len(lines) == 0 {
			lines = []string{"—"}
		}
		for i, l := range lines {
			f.SetXY(pdfMarginL+50, y+float64(i)*5.5)
			f.CellFormat(d.width-50, 7, l, "", 0, "L", false, 0, "")
		}
		y += float64(len(lines)-1)*5.5 + 7
		d.draw(colRule)
		f.SetLineWidth(0.1)
		f.Line(pdfMarginL, y, pdfMarginL+d.width, y)
		f.SetY(y + 0.5)
	}
	f.SetY(f.GetY() + 8)
	d.contents()
	f.SetY(f.GetY() + 6)
	d.font("B", 10, colBrand)
	f.SetX(pdfMarginL)
	f.CellFormat(d.width, 6, "How to read this report", "", 1, "L", false, 0, "")
	if r.Kind == kindChangeWindow {
		d.para("This report compares two snapshots of the same cluster taken before and after a change: what broke and what "+
			"recovered (registration), devices added, removed or changed field by field, findings that appeared or were resolved, "+
			"and registration by device class. Fields that change on their own (such as registration timestamps, listed at the "+
			"end) are not counted as changes. Long lists are cut here; "+d.xlsxName()+" lists every change, "+
			"one sheet per list.", "", 9.5, colInk)
		return
	}
	d.para("Configuration was read from CUCM's AXL interface and live registration from RisPort70 at the time above. "+
		"Each finding names the affected device or object and the evidence it came from. Findings covered by an accepted-risk "+
		"waiver are listed apart and do not count in the summary. Where a source could not be read completely, rules that "+
		"depend on it are reported as inconclusive rather than guessed. "+upperFirst(d.xlsxName())+" lists every finding "+
		"as a filterable worklist.", "", 9.5, colInk)
}

// xlsxName names the XLSX for the reading guide: the one delivered with this PDF, or, when none
// was written with it, the XLSX report and the flag that writes it.
func (d *pdfDoc) xlsxName() string {
	if d.xlsx {
		return "the XLSX delivered with this PDF"
	}
	return "the XLSX report (--format xlsx, not written with this PDF)"
}

// more says where the rows a cut list left out can be read: in the XLSX written with this PDF
// or, when none was, in the XLSX report that --format xlsx writes.
func (d *pdfDoc) more(n int, what, sheet string) string {
	if d.xlsx {
		return fmt.Sprintf("%s more in the XLSX, which lists %s on sheet %q.", num(n), what, sheet)
	}
	return fmt.Sprintf("%s more not shown: the XLSX report lists %s on sheet %q (--format xlsx).", num(n), what, sheet)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// sectionTitles lists the top-level sections this report will have, in order.
func (d *pdfDoc) sectionTitles() []string {
	r := d.rep
	audit := r.Kind != kindChangeWindow
	var out []string
	if audit {
		out = append(out, "Executive summary", "Data quality", "Findings by rule", "Waived findings (accepted risk)")
	}
	if r.Diff != nil {
		out = append(out, diffTitle(r.Diff))
	}
	if audit {
		out = append(out, "Appendix")
	}
	return out
}

func diffTitle(df *analyze.Diff) string {
	return fmt.Sprintf("Changes from snapshot #%d to #%d", df.Before.ID, df.After.ID)
}

// contents draws the list of sections with their page numbers, which are filled in through
// aliases when the document is closed.
func (d *pdfDoc) contents() {
	f := d.f
	d.font("B", 10, colBrand)
	f.SetX(pdfMarginL)
	f.CellFormat(d.width, 6, "Contents", "", 1, "L", false, 0, "")
	d.toc = map[string]string{}
	for i, title := range d.sectionTitles() {
		alias := "{toc" + strconv.Itoa(i) + "}"
		d.toc[title] = alias
		y := f.GetY()
		d.font("", 9.5, colInk)
		f.SetXY(pdfMarginL, y)
		f.CellFormat(d.width-12, 5.5, d.line1(title), "", 0, "L", false, 0, "")
		// Left-aligned in a fixed column: the alias is wider than the number replacing it.
		f.CellFormat(12, 5.5, alias, "", 0, "L", false, 0, "")
		d.draw(colRule)
		f.SetLineWidth(0.1)
		f.Line(pdfMarginL, y+5.5, pdfMarginL+d.width, y+5.5)
		f.SetY(y + 6)
	}
}

// kindChangeWindow is the Report.Kind of a before/after comparison: only the diff is laid out.
const kindChangeWindow = "change-window"

// compared names the earlier snapshot of a change-window report, "" otherwise.
func compared(r *analyze.Report) string {
	if r.Diff == nil {
		return ""
	}
	return fmt.Sprintf("#%d taken %s", r.Diff.Before.ID, fmtTime(r.Diff.Before.StartedAt))
}

// ruleCoverage is "5 of 27 (only a selection: see Data quality)" for a report from a rule
// subset, "" otherwise.
func ruleCoverage(r *analyze.Report) string {
	sel := r.DataQuality.Selection
	if sel == nil {
		return ""
	}
	return fmt.Sprintf("%s of %s (a selection: see Data quality)", num(sel.Evaluated), num(sel.Available))
}

// summary draws the executive summary: key figures, charts and tables.
func (d *pdfDoc) summary() {
	f, r := d.f, d.rep
	d.section("Executive summary")
	for _, sentence := range r.Summary.Narrative {
		d.para(sentence, "", pdfBodySize, colInk)
	}
	if len(r.Summary.Narrative) > 0 {
		f.SetY(f.GetY() + 3)
	}
	open, critHigh := 0, 0
	for _, s := range r.Summary.FindingsBySeverity {
		open += s.Count
		if s.Severity >= analyze.SeverityHigh {
			critHigh += s.Count
		}
	}
	regText, regOf := regTotal(r.Summary.Registration)
	gapCol := colGood
	if r.DataQuality.Gaps > 0 || len(r.DataQuality.Inconclusive) > 0 || len(r.DataQuality.Errors) > 0 {
		gapCol = colBad
	}
	tiles := []struct {
		value, label string
		c            rgb
	}{
		{num(open), "open findings", colBrand},
		{num(critHigh), "critical or high", sevColor(analyze.SeverityHigh)},
		{regText, "devices registered (" + regOf + ")", colBrand},
		{num(r.DataQuality.Gaps), fmt.Sprintf("data gaps · %d inconclusive rules", len(r.DataQuality.Inconclusive)), gapCol},
	}
	y := f.GetY()
	tw := (d.width - 3*4) / 4
	for i, t := range tiles {
		x := pdfMarginL + float64(i)*(tw+4)
		d.fill(colBrandLt)
		f.RoundedRect(x, y, tw, 22, 2, "1234", "F")
		d.fill(t.c)
		f.Rect(x, y+3, 1.2, 16, "F")
		d.font("B", 17, t.c)
		f.SetXY(x+3, y+3)
		f.CellFormat(tw-4, 9, t.value, "", 0, "L", false, 0, "")
		d.font("", 7, colMuted)
		for j, l := range f.SplitText(t.label, tw-4) {
			if j == 2 {
				break
			}
			f.SetXY(x+3, y+12.5+float64(j)*3.2)
			f.CellFormat(tw-4, 3.2, l, "", 0, "L", false, 0, "")
		}
	}
	f.SetY(y + 28)

	d.heading("Open findings by severity", 40)
	d.severityChart()

	if len(r.Summary.Registration) > 0 {
		d.heading("Registration by device class", 30)
		d.registrationChart()
	}

	if len(r.Summary.Registration) > 0 {
		d.heading("Configured (AXL) versus seen (RisPort)", 20)
		cols := []pdfCol{{"Class", 15, "L"}, {"Configured", 15, "R"}, {"Seen", 13, "R"}, {"Registered", 15, "R"},
			{"Unregistered", 17, "R"}, {"Rejected", 15, "R"}, {"Partial", 15, "R"}, {"Unknown", 15, "R"}, {"Never seen", 14, "R"},
			{"Rate", 16, "R"}, {"RisPort complete", 12, "L"}}
		var rows [][]string
		var incomplete []bool
		for _, c := range r.Summary.Registration {
			complete := "yes"
			if !c.Complete {
				complete = "no"
			}
			incomplete = append(incomplete, !c.Complete)
			rows = append(rows, append(append([]string{c.Class}, regRow(c, num)...), complete))
		}
		d.table(cols, rows, func(row, col int) (rgb, bool) {
			if col == 10 && incomplete[row] {
				return colBad, true
			}
			return rgb{}, false
		})
	}

	if len(r.Summary.TopRisks) > 0 {
		d.heading("Top risks", 20)
		var rows [][]string
		var sevs []analyze.Severity
		for _, t := range r.Summary.TopRisks {
			rows = append(rows, []string{sevName(t.Severity), t.RuleID, t.Title, num(t.Count)})
			sevs = append(sevs, t.Severity)
		}
		d.table([]pdfCol{{"Severity", 12, "L"}, {"Rule", 12, "L"}, {"Title", 60, "L"}, {"Open findings", 14, "R"}}, rows, sevStyle(sevs, 0))
	}

	if c := r.Summary.Change; c != nil {
		d.heading(fmt.Sprintf("Change since the previous snapshot (#%d)", c.PreviousID), 20)
		newF, resF := num(c.NewFindings), num(c.ResolvedFindings)
		if c.FindingsNotCompared {
			newF, resF = "not compared", "not compared"
		}
		rows := [][]string{
			{"New findings", newF},
			{"Resolved findings", resF},
			{"Registered devices", signed(c.RegisteredDelta)},
			{"Devices added to the configuration", num(c.DevicesAdded)},
			{"Devices removed from the configuration", num(c.DevicesRemoved)},
		}
		d.table([]pdfCol{{"Measure", 60, "L"}, {"Change", 20, "R"}}, rows, nil)
		if c.FindingsNotCompared {
			d.para(changeNotCompared(c), "", 8.5, colMuted)
		}
	}
	if len(r.Trend) >= 2 {
		d.heading("Trend over the last snapshots", 60)
		d.trendChart()
		header, rows := TrendTable(r.Trend)
		cols := make([]pdfCol, len(header))
		for i, h := range header {
			cols[i] = pdfCol{head: h, w: 10, align: "R"}
		}
		cols[0].align, cols[1].align, cols[1].w = "L", "L", 16
		d.table(cols, rows, nil)
	}
}

// signed prints a change with its sign: +3, -12, 0.
func signed(n int) string {
	if n > 0 {
		return "+" + num(n)
	}
	return num(n)
}

// num prints a count with thousands separators, as management reads them: 1,377.
func num(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// severityChart draws one horizontal bar per severity.
func (d *pdfDoc) severityChart() {
	f, r := d.f, d.rep
	max := 0
	for _, s := range r.Summary.FindingsBySeverity {
		max = maxInt(max, s.Count)
	}
	const labelW, barH, gap = 24.0, 5.5, 2.0
	barMax := d.width - labelW - 22
	for _, s := range r.Summary.FindingsBySeverity {
		d.ensure(barH + gap)
		y := f.GetY()
		d.font("", 8.5, colInk)
		f.SetXY(pdfMarginL, y)
		f.CellFormat(labelW, barH, sevName(s.Severity), "", 0, "L", false, 0, "")
		w := 0.0
		if max > 0 {
			w = barMax * float64(s.Count) / float64(max)
		}
		if s.Count > 0 && w < 0.8 {
			w = 0.8
		}
		d.fill(sevColor(s.Severity))
		if w > 0 {
			f.Rect(pdfMarginL+labelW, y+0.5, w, barH-1, "F")
		}
		d.font("B", 8.5, colInk)
		f.SetXY(pdfMarginL+labelW+w+1, y)
		f.CellFormat(20, barH, num(s.Count), "", 0, "L", false, 0, "")
		f.SetY(y + barH + gap)
	}
	f.SetY(f.GetY() + 2)
}

// registrationChart draws one 100 % stacked bar per class: registered, unregistered, rejected,
// partially registered, unknown, never seen.
func (d *pdfDoc) registrationChart() {
	f, r := d.f, d.rep
	type seg struct {
		label string
		c     rgb
	}
	segs := []seg{{"Registered", colGood}, {"Unregistered", rgb{240, 173, 78}}, {"Rejected", colBad},
		{"Partially registered", rgb{155, 89, 182}}, {"Unknown", rgb{160, 160, 160}}, {"Never seen by RisPort", rgb{215, 219, 224}}}
	const labelW, barH, gap = 24.0, 6.0, 2.5
	valueW := 46.0
	barW := d.width - labelW - valueW
	for _, c := range r.Summary.Registration {
		d.ensure(barH + gap)
		y := f.GetY()
		d.font("", 8.5, colInk)
		f.SetXY(pdfMarginL, y)
		f.CellFormat(labelW, barH, truncate(d.line1(c.Class), 18), "", 0, "L", false, 0, "")
		vals := []int{c.Registered, c.UnRegistered, c.Rejected, c.PartiallyRegistered, c.Unknown, c.NeverSeen}
		total := 0
		for _, v := range vals {
			total += v
		}
		x := pdfMarginL + labelW
		d.fill(rgb{240, 240, 240})
		f.Rect(x, y+0.5, barW, barH-1, "F")
		if total > 0 {
			for i, v := range vals {
				w := barW * float64(v) / float64(total)
				if v > 0 && w < 0.6 {
					w = 0.6
				}
				if x+w > pdfMarginL+labelW+barW {
					w = pdfMarginL + labelW + barW - x
				}
				if w <= 0 {
					continue
				}
				d.fill(segs[i].c)
				f.Rect(x, y+0.5, w, barH-1, "F")
				x += w
			}
		}
		d.font("", 7.5, colInk)
		f.SetXY(pdfMarginL+labelW+barW+1.5, y)
		f.CellFormat(valueW-1.5, barH, regChartLabel(c), "", 0, "L", false, 0, "")
		f.SetY(y + barH + gap)
	}
	// Legend.
	d.ensure(6)
	y := f.GetY() + 1
	x := pdfMarginL + labelW
	d.font("", 7, colMuted)
	for _, s := range segs {
		d.fill(s.c)
		f.Rect(x, y+0.8, 3, 3, "F")
		w := f.GetStringWidth(s.label) + 3
		f.SetXY(x+3.5, y)
		f.CellFormat(w, 4.5, s.label, "", 0, "L", false, 0, "")
		x += w + 6
	}
	f.SetY(y + 8)
}

// trendChart draws the open findings of each snapshot as stacked columns by severity.
func (d *pdfDoc) trendChart() {
	f, r := d.f, d.rep
	pts := r.Trend
	if len(pts) > 12 {
		pts = pts[len(pts)-12:]
	}
	const chartH = 42.0
	d.ensure(chartH + 14)
	top := f.GetY()
	axisX := pdfMarginL + 14
	base := top + chartH
	max := 0
	for _, p := range pts {
		t := 0
		for _, v := range p.FindingsBySeverity {
			t += v
		}
		max = maxInt(max, t)
	}
	if max == 0 {
		max = 1
	}
	scale := niceCeil(max)
	d.draw(colRule)
	f.SetLineWidth(0.1)
	d.font("", 7, colMuted)
	for i := 0; i <= 4; i++ {
		v := scale * i / 4
		y := base - chartH*float64(v)/float64(scale)
		f.Line(axisX, y, pdfMarginL+d.width, y)
		f.SetXY(pdfMarginL, y-2)
		f.CellFormat(12, 4, num(v), "", 0, "R", false, 0, "")
	}
	slot := (pdfMarginL + d.width - axisX) / float64(len(pts))
	bw := math.Min(slot*0.55, 18)
	for i, p := range pts {
		x := axisX + slot*float64(i) + (slot-bw)/2
		y := base
		if !p.Analyzed {
			d.font("", 6.5, colMuted)
			f.SetXY(x-8, base-8)
			f.CellFormat(bw+16, 3.5, "not analysed", "", 0, "C", false, 0, "")
		}
		total := 0
		sevs := analyze.Severities()
		for j := len(sevs) - 1; j >= 0; j-- {
			s := sevs[j]
			v := p.FindingsBySeverity[s]
			total += v
			h := chartH * float64(v) / float64(scale)
			if h <= 0 {
				continue
			}
			d.fill(sevColor(s))
			f.Rect(x, y-h, bw, h, "F")
			y -= h
		}
		if p.Analyzed {
			d.font("B", 7, colInk)
			f.SetXY(x-5, y-4.5)
			f.CellFormat(bw+10, 4, num(total), "", 0, "C", false, 0, "")
		}
		d.font("", 6.5, colMuted)
		f.SetXY(x-8, base+1)
		f.CellFormat(bw+16, 3.5, fmt.Sprintf("#%d", p.SnapshotID), "", 0, "C", false, 0, "")
		f.SetXY(x-8, base+4.5)
		f.CellFormat(bw+16, 3.5, p.At.UTC().Format("2006-01-02"), "", 0, "C", false, 0, "")
	}
	// Legend.
	y := base + 10
	x := axisX
	d.font("", 7, colMuted)
	for _, s := range analyze.Severities() {
		d.fill(sevColor(s))
		f.Rect(x, y+0.8, 3, 3, "F")
		f.SetXY(x+3.5, y)
		w := f.GetStringWidth(sevName(s)) + 3
		f.CellFormat(w, 4.5, sevName(s), "", 0, "L", false, 0, "")
		x += w + 6
	}
	f.SetY(y + 8)
}

// niceCeil rounds n up to 1, 2 or 5 times a power of ten, and to a multiple of 4.
func niceCeil(n int) int {
	p := 1
	for p*10 <= n {
		p *= 10
	}
	for _, m := range []int{1, 2, 5, 10} {
		if v := m * p; v >= n {
			if v%4 != 0 && v >= 4 {
				v += 4 - v%4
			}
			return maxInt(v, 4)
		}
	}
	return n
}

// quality draws coverage gaps, inconclusive rules and rules that failed.
func (d *pdfDoc) quality() {
	r := d.rep
	d.flowSection("Data quality")
	dq := r.DataQuality
	if sel := selectionText(dq.Selection); sel != "" {
		d.heading("Rules in this report", 10)
		d.para(sel, "B", pdfBodySize, colBad)
	}
	var gaps [][]string
	for _, c := range dq.Coverage {
		if !c.Complete {
			gaps = append(gaps, []string{c.Source, c.Item, num(c.Records), c.Reason})
		}
	}
	if len(gaps) == 0 {
		d.para(fmt.Sprintf("Every source was read completely (%d sources checked). Every rule could rely on its inputs.", len(dq.Coverage)), "", pdfBodySize, colInk)
	} else {
		d.para(fmt.Sprintf("%d of %d sources could not be read completely. Rules that need them are reported as inconclusive "+
			"instead of producing findings, so nothing below is a guess based on missing data.", len(gaps), len(dq.Coverage)), "", pdfBodySize, colInk)
		d.heading("Coverage gaps", 15)
		d.table([]pdfCol{{"Source", 10, "L"}, {"Item", 22, "L"}, {"Records read", 11, "R"}, {"Reason", 50, "L"}}, gaps, nil)
	}
	if len(dq.Nodes) > 0 {
		d.heading("Cluster nodes", 15)
		var rows [][]string
		for _, n := range dq.Nodes {
			rows = append(rows, []string{n.Name, nodeRoleText(n), n.RisPort})
		}
		d.table([]pdfCol{{"Node", 22, "L"}, {"Role", 30, "L"}, {"RisPort", 48, "L"}}, rows, nil)
	}
	if len(dq.Inconclusive) > 0 {
		d.heading("Inconclusive rules", 15)
		var rows [][]string
		for _, o := range dq.Inconclusive {
			rows = append(rows, []string{o.Rule.ID, o.Rule.Title, o.Reason})
		}
		d.table([]pdfCol{{"Rule", 12, "L"}, {"Title", 40, "L"}, {"Why it could not conclude", 48, "L"}}, rows, nil)
	}
	if len(dq.Errors) > 0 {
		d.heading("Rules that failed to run", 15)
		var rows [][]string
		for _, o := range dq.Errors {
			rows = append(rows, []string{o.Rule.ID, o.Rule.Title, o.Reason})
		}
		d.table([]pdfCol{{"Rule", 12, "L"}, {"Title", 40, "L"}, {"Error", 48, "L"}}, rows, nil)
	}
}

// findings draws one block per failing rule.
func (d *pdfDoc) findings() {
	f, r := d.f, d.rep
	d.flowSection("Findings by rule")
	if len(r.Rules) == 0 {
		d.para("No rule has open findings.", "", pdfBodySize, colInk)
		return
	}
	var minor []int // low and info rules: one line each, their findings in the XLSX
	for i, s := range r.Rules {
		if s.Rule.Severity <= analyze.SeverityLow {
			minor = append(minor, i)
			continue
		}
		if i > 0 {
			d.ensure(45)
			f.SetY(f.GetY() + 4)
		}
		ri := s.Rule
		f.Bookmark(d.line1(ri.ID+" "+ri.Title), 1, -1)
		// Severity badge and title.
		y := f.GetY()
		sev := strings.ToUpper(ri.Severity.String())
		d.font("B", 7.5, rgb{255, 255, 255})
		bw := f.GetStringWidth(sev) + 5
		d.fill(sevColor(ri.Severity))
		f.RoundedRect(pdfMarginL, y+0.8, bw, 5, 1.2, "1234", "F")
		f.SetXY(pdfMarginL, y+0.8)
		f.CellFormat(bw, 5, sev, "", 0, "C", false, 0, "")
		d.font("B", 11.5, colBrand)
		lines := f.SplitText(truncate(d.line1(ri.ID+"  "+ri.Title), 200), d.width-bw-3)
		for j, l := range lines {
			f.SetXY(pdfMarginL+bw+2, y+float64(j)*5.5)
			f.CellFormat(d.width-bw-2, 6.5, l, "", 0, "L", false, 0, "")
		}
		f.SetY(y + float64(len(lines))*5.5 + 2)
		meta := num(len(s.Findings)) + " open finding"
		if len(s.Findings) != 1 {
			meta += "s"
		}
		if ri.Category != "" {
			meta += " · category " + ri.Category
		}
		if len(ri.Controls) > 0 {
			meta += " · controls " + strings.Join(ri.Controls, ", ")
		}
		d.para(meta, "", 8, colMuted)
		d.para(ri.Description, "", pdfBodySize, colInk)
		if ri.Severity > analyze.SeverityMedium {
			d.labelled("Why it matters", ri.Rationale) // medium rules: in the appendix of the XLSX and JSON
		}
		d.labelled("Remediation", ri.Remediation)
		d.ruleGroups(i, s)
		d.ruleEntities(i, s)
	}
	d.minorRules(minor)
}

// minorRules lists the low and info rules with findings in one table: what, how many, and the
// largest cause or first finding; a manager reads them at a glance and the team works them from
// the XLSX.
func (d *pdfDoc) minorRules(idx []int) {
	if len(idx) == 0 {
		return
	}
	d.ensure(40)
	d.f.SetY(d.f.GetY() + 4)
	d.heading("Low and informational findings", 20)
	rows := make([][]string, 0, len(idx))
	for _, i := range idx {
		s := d.rep.Rules[i]
		first := ""
		switch {
		case len(s.Groups) > 0:
			first = s.Groups[0].Key
		case len(s.Findings) > 0:
			first = s.Findings[0].Entity
		}
		rows = append(rows, []string{s.Rule.ID, s.Rule.Title, num(len(s.Findings)), first})
	}
	d.table([]pdfCol{{"Rule", 0, "L"}, {"Title", 0, "L"}, {"Findings", 0, "R"}, {"Largest cause or first finding", 0, "L"}}, rows, nil)
	where := "the XLSX report lists every finding with its remediation"
	if !d.xlsx {
		where = "the XLSX report (--format xlsx) lists every finding with its remediation"
	}
	d.para("Each rule's description, remediation and findings: "+where+"; the appendix lists every rule.", "", 8.5, colMuted)
}

// pdfMaxGroups is how many groups of one rule the PDF lists; the XLSX has them all (the
// Group column of the rule's sheet and of All findings).
const pdfMaxGroups = 5

// ruleGroups draws a rule's findings grouped by cause, largest first.
func (d *pdfDoc) ruleGroups(i int, s analyze.RuleSection) {
	cols, rows, more := groupTable(s, pdfMaxGroups)
	if len(cols) == 0 {
		return
	}
	d.heading("By cause", 20)
	pc := make([]pdfCol, len(cols))
	for j, c := range cols {
		pc[j] = pdfCol{head: c, align: "L"}
		if j >= len(s.Groups[0].Fields) {
			pc[j].align = "R"
		}
	}
	d.table(pc, rows, nil)
	if more > 0 {
		d.para(fmt.Sprintf("Showing the %d largest of %s groups: %s", pdfMaxGroups, num(len(s.Groups)),
			d.more(more, "the group of every finding (column Group)", d.sheets[i])), "", 8.5, colMuted)
	}
}

// ruleEntities draws the first few findings of a rule: the entity and the evidence columns
// that say something new (no message restating them, no column repeating another).
func (d *pdfDoc) ruleEntities(i int, s analyze.RuleSection) {
	max := d.max
	if (len(s.Groups) > 0 || s.Rule.Severity <= analyze.SeverityMedium) && !d.maxAsked && max > pdfGroupedEntities {
		max = pdfGroupedEntities // the groups already say where they are; a medium rule shows a sample
	}
	shown, more := capped(s.Findings, max)
	ev := evidenceColumns(shown)
	cols := append([]string{"Entity"}, ev...)
	rows := make([][]string, 0, len(shown))
	for _, f := range shown {
		rows = append(rows, findingRow(f, ev, false))
	}
	cols, rows = distinctColumns(withoutEntityParts(cols, rows))
	pc := make([]pdfCol, len(cols))
	for j, c := range cols {
		pc[j] = pdfCol{head: humanize(c), align: "L"} // width 0: sized from the content
	}
	if len(s.Groups) > 0 {
		d.heading("First findings", 15)
	}
	d.ensure(15)
	d.table(pc, rows, nil)
	if more > 0 {
		d.para(fmt.Sprintf("Showing %s of %s findings: %s", num(len(shown)), num(len(s.Findings)),
			d.more(more, "every finding of this rule", d.sheets[i])), "", 8.5, colMuted)
	}
}

// pdfGroupedEntities caps the entities listed for a grouped or medium rule (by default).
const pdfGroupedEntities = 3

// autoWidths sizes columns from their content the way browsers lay out automatic tables: each
// column gets at least its longest word (so an unbroken value such as a device name never
// wraps) and the rest of the page width is shared in proportion to how much wider each
// column's longest line is than that minimum.
func (d *pdfDoc) autoWidths(cols []pdfCol, rows [][]string) []float64 {
	const margins = 2*1.2 + 0.6
	minW := make([]float64, len(cols))
	maxW := make([]float64, len(cols))
	measure := func(i int, text string) {
		for _, l := range strings.Split(text, "\n") {
			maxW[i] = math.Max(maxW[i], d.f.GetStringWidth(strings.TrimSpace(l))+margins)
			for _, w := range strings.Fields(l) {
				minW[i] = math.Max(minW[i], math.Min(d.f.GetStringWidth(w)+margins, d.width/2.5))
			}
		}
	}
	d.font("B", pdfTableSize, colInk)
	for i, c := range cols {
		measure(i, d.line1(c.head))
	}
	d.font("", pdfTableSize, colInk)
	for ri, row := range rows {
		if ri >= 100 {
			break
		}
		for i := 0; i < len(cols) && i < len(row); i++ {
			measure(i, truncate(d.txt(row[i]), pdfMaxCellRunes))
		}
	}
	// A short column (a model, a date, a node) keeps its whole line; the long ones share the
	// rest, each at least its longest word when there is room for that.
	short := 0.8 * d.width / float64(len(cols))
	widths := make([]float64, len(cols))
	room := d.width
	var sumMin, sumMax float64
	for i := range cols {
		maxW[i] = math.Max(maxW[i], minW[i])
		if maxW[i] <= short {
			widths[i] = maxW[i]
			room -= maxW[i]
			continue
		}
		minW[i] = math.Max(minW[i], short)
		sumMin += minW[i]
		sumMax += maxW[i]
	}
	for i := range cols {
		if widths[i] > 0 {
			continue
		}
		switch {
		case sumMax <= room:
			widths[i] = maxW[i]
		case sumMin >= room: // even the words do not fit: shrink the long columns alike
			widths[i] = minW[i] * room / sumMin
		default:
			widths[i] = minW[i] + (maxW[i]-minW[i])*(room-sumMin)/(sumMax-sumMin)
		}
	}
	used := 0.0
	for _, w := range widths {
		used += w
	}
	if used > 0 && used < d.width { // room to spare goes to every column in proportion
		for i := range widths {
			widths[i] *= d.width / used
		}
	}
	return widths
}

// waived draws accepted risks, expired and stale waivers.
func (d *pdfDoc) waived() {
	r := d.rep
	d.flowSection("Waived findings (accepted risk)")
	if len(r.Waived) == 0 {
		d.para("No finding is waived.", "", pdfBodySize, colInk)
	} else {
		d.para("These findings are covered by an accepted-risk waiver: they stay visible here but do not count in the summary or the exit code.", "", pdfBodySize, colInk)
		var rows [][]string
		var sevs []analyze.Severity
		for _, w := range r.Waived {
			st, owner, exp := "", "", ""
			if w.Waiver != nil {
				st, owner, exp = w.Waiver.Statement, w.Waiver.Owner, w.Waiver.Expires
			}
			rows = append(rows, []string{w.RuleID, sevName(w.Severity), w.Entity, st, owner, exp})
			sevs = append(sevs, w.Severity)
		}
		d.table([]pdfCol{{"Rule", 10, "L"}, {"Severity", 9, "L"}, {"Entity", 20, "L"}, {"Statement", 32, "L"}, {"Owner", 25, "L"}, {"Expires", 11, "L"}}, rows, sevStyle(sevs, 1))
	}
	waiverTable := func(title, dateHead string, ws []analyze.Waiver) {
		if len(ws) == 0 {
			return
		}
		d.heading(title, 15)
		var rows [][]string
		for _, w := range ws {
			rows = append(rows, []string{w.Rule, w.Entity, w.Owner, w.Expires, w.Statement})
		}
		d.table([]pdfCol{{"Rule", 11, "L"}, {"Entity pattern", 20, "L"}, {"Owner", 18, "L"}, {dateHead, 11, "L"}, {"Statement", 40, "L"}}, rows, nil)
	}
	waiverTable("Expired waivers: their findings are open again", "Expired on", r.Waivers.Expired)
	waiverTable("Waivers that matched no finding", "Expires", r.Waivers.Stale)
}

// diff draws a change-window comparison: the counts, why findings were not compared when they
// were not, the notes, every change list (each capped at MaxEntities rows with "N more", in the
// XLSX when one is written with it), and the fields ignored as volatile.
func (d *pdfDoc) diff() {
	v := newChangeView(d.rep.Diff)
	d.section(v.Title)
	verdictCol := colGood
	if v.Broke > 0 {
		verdictCol = colBad
	}
	d.para("Verdict: "+v.Verdict, "B", 11, verdictCol)
	var rows [][]string
	var unknown []bool
	for _, c := range v.Counts {
		val := num(c.N)
		if c.Text != "" {
			val = c.Text
		}
		rows = append(rows, []string{c.Label, val})
		unknown = append(unknown, c.Text != "")
	}
	d.table([]pdfCol{{"Measure", 70, "L"}, {"Count", 20, "R"}}, rows, func(row, col int) (rgb, bool) {
		if col == 1 && unknown[row] {
			return colBad, true
		}
		return rgb{}, false
	})
	if v.NotCompared != "" {
		d.para(v.NotCompared, "B", pdfBodySize, colBad)
	}
	for _, n := range v.Notes {
		d.para(n, "", 8.5, colMuted)
	}
	for _, l := range v.Lists {
		d.changeList(l)
	}
	d.heading("Fields ignored as volatile", 10)
	d.para(v.IgnoredText, "", pdfBodySize, colInk)
}

// pdfChangeRows is the least number of rows a change list shows: a change window's lists are
// the point of its report, so they are not cut to the few entities a rule section shows.
const pdfChangeRows = 50

// changeList draws one list of a change-window report, capped at pdfChangeRows rows (or
// d.max when larger; all when d.max < 0).
func (d *pdfDoc) changeList(l changeList) {
	d.heading(fmt.Sprintf("%s (%s)", l.Title, num(len(l.Rows))), 15)
	if len(l.Rows) == 0 {
		d.para(l.None, "", pdfBodySize, colInk)
		return
	}
	d.para(l.Intro, "", 8.5, colMuted)
	heads, rows := l.visible()
	shown := rows
	if lim := maxInt(d.max, pdfChangeRows); d.max >= 0 && len(rows) > lim {
		shown = rows[:lim]
	}
	var numCols []bool
	cols := make([]pdfCol, len(heads))
	for i, h := range heads {
		cols[i] = pdfCol{head: h, align: "L"} // width 0: sized from the content
	}
	j := 0
	for _, c := range l.Cols {
		if c.XLSXOnly {
			continue
		}
		numCols = append(numCols, c.Num)
		if c.Num {
			cols[j].align = "R"
		}
		j++
	}
	out := make([][]string, len(shown))
	for i, r := range shown {
		row := make([]string, len(r))
		for k, val := range r {
			row[k] = val
			if numCols[k] {
				// A bound from incomplete coverage ("≥ 1682", "≤ -2") keeps its sign in front.
				bound, raw := "", val
				for _, p := range []string{"≥ ", "≤ "} {
					if rest, ok := strings.CutPrefix(val, p); ok {
						bound, raw = p, rest
					}
				}
				if n, err := strconv.Atoi(raw); err == nil {
					if strings.HasPrefix(raw, "+") {
						row[k] = bound + signed(n)
					} else {
						row[k] = bound + num(n)
					}
				}
			}
		}
		out[i] = row
	}
	var style tableStyle
	if len(l.Sevs) == len(l.Rows) && len(l.Sevs) > 0 {
		style = sevStyle(l.Sevs, 1)
	}
	d.ensure(15)
	d.table(cols, out, style)
	if more := len(rows) - len(shown); more > 0 {
		d.para(fmt.Sprintf("Showing %s of %s %s: %s", num(len(shown)), num(len(rows)), l.Unit,
			d.more(more, "them all", l.Sheet)), "", 8.5, colMuted)
	}
}

// appendix draws every rule evaluated with its parameters, and the inventory by model.
func (d *pdfDoc) appendix() {
	r := d.rep
	d.flowSection("Appendix")
	d.heading("Rules evaluated (parameters and inventory by model: XLSX sheets Rules and Inventory)", 15)
	var rows [][]string
	var sevs []analyze.Severity
	var outcomes []analyze.Outcome
	for _, o := range r.Appendix.Rules {
		open := num(o.Findings)
		if o.Waived > 0 {
			open += " (+" + num(o.Waived) + " waived)"
		}
		rows = append(rows, []string{o.Rule.ID, o.Rule.Title, sevName(o.Rule.Severity), string(o.Outcome), open})
		sevs = append(sevs, o.Rule.Severity)
		outcomes = append(outcomes, o.Outcome)
	}
	d.table([]pdfCol{{"Rule", 10, "L"}, {"Title", 57, "L"}, {"Severity", 11, "L"}, {"Outcome", 11, "L"}, {"Open", 11, "R"}}, rows,
		func(row, col int) (rgb, bool) {
			switch col {
			case 2:
				return sevColor(sevs[row]), true
			case 3:
				switch outcomes[row] {
				case analyze.OutcomePass:
					return colGood, true
				case analyze.OutcomeFail, analyze.OutcomeError:
					return colBad, true
				case analyze.OutcomeInconclusive:
					return rgb{200, 120, 0}, true
				}
			}
			return rgb{}, false
		})
	// The parameters in force and the inventory by model are the XLSX's (sheets Rules and
	// Inventory) and the JSON's, as the heading says.
}
