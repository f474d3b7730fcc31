package render

import (
	"math"
	"strconv"
	"strings"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

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
	total := 0.0
	for _, c := range cols {
		total += c.w
	}
	widths := make([]float64, len(cols))
	if total <= 0 {
		widths = d.autoWidths(cols, rows, style)
	} else {
		for i, c := range cols {
			widths[i] = c.w * d.width / total
		}
	}
	size := d.fitWords(cols, rows, widths, style)
	d.drawTable(cols, widths, size, rows, style)
}

// pdfCell is where one table cell was drawn: page, its column's box in the row (mm from the top
// left), the font, the text it was given (sanitised and truncated) and the lines the text was
// split into. The layout reports it when asked (PDF.cells) so the tests can check every cell
// against the rendered pages.
type pdfCell struct {
	Page       int
	X, Y, W, H float64
	Size       float64 // pt
	Bold, Head bool
	Align      string
	Text       string
	Lines      []string
	Cut        bool // the lines past pdfMaxCellLines were left out for "…"
}

// drawTable draws table rows in columns of the given widths and font size.
func (d *pdfDoc) drawTable(cols []pdfCol, widths []float64, size float64, rows [][]string, style tableStyle) {
	f := d.f
	lh := 3.4 * size / pdfTableSize
	const pad = 0.8
	header := func() {
		d.font("B", size, rgb{255, 255, 255})
		lines := make([][]string, len(cols))
		n := 1
		for i, c := range cols {
			lines[i] = d.split(d.line1(c.head), widths[i])
			n = maxInt(n, len(lines[i]))
		}
		h := float64(n)*lh + 2*pad
		d.ensure(h + lh + 2*pad)
		y := f.GetY()
		x := pdfMarginL
		d.fill(colBrand)
		f.Rect(x, y, d.width, h, "F")
		for i := range cols {
			if d.cells != nil {
				d.cells(pdfCell{Page: f.PageNo(), X: x, Y: y, W: widths[i], H: h, Size: size, Bold: true, Head: true,
					Align: cols[i].align, Text: d.line1(cols[i].head), Lines: lines[i]})
			}
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
	texts := make([]string, len(cols))
	cut := make([]bool, len(cols))
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
			texts[i] = truncate(strings.TrimSpace(d.txt(v)), pdfMaxCellRunes)
			for _, p := range strings.Split(texts[i], "\n") {
				ls = append(ls, d.split(p, widths[i])...)
			}
			cut[i] = len(ls) > pdfMaxCellLines
			if cut[i] {
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
			bold := d.cellFont(style, ri, i)
			d.f.SetFontSize(size)
			if d.cells != nil {
				d.cells(pdfCell{Page: f.PageNo(), X: x, Y: y, W: widths[i], H: h, Size: size, Bold: bold,
					Align: cols[i].align, Text: texts[i], Lines: lines[i], Cut: cut[i]})
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

// cellFont sets the font a body cell is drawn in at the table's base size: bold in its colour
// when style picks one, ink otherwise. It reports whether the cell is bold: the column widths
// are measured in the font the cell is drawn in, as bold text is wider.
func (d *pdfDoc) cellFont(style tableStyle, row, col int) (bold bool) {
	if style != nil {
		if c, ok := style(row, col); ok {
			d.font("B", pdfTableSize, c)
			return true
		}
	}
	d.font("", pdfTableSize, colInk)
	return false
}

// fitWords widens columns whose header or cells have a word wider than the column, taking the
// room from columns with slack, so a table never breaks inside a word that fits ("Configur-ed",
// "MediaRes-ources"). A right-aligned (numeric) cell counts as one word: "≥ 49.3 %" never wraps.
// Only a word wider than a third of the page is left to break. When the columns' words together
// are wider than the page, the table's font shrinks (to 70 % at least) until they fit; fitWords
// returns the font size to draw the table with.
func (d *pdfDoc) fitWords(cols []pdfCol, rows [][]string, widths []float64, style tableStyle) float64 {
	need := d.wordNeeds(cols, rows, style)
	short, slack := 0.0, 0.0
	total := 0.0
	for i := range cols {
		total += need[i]
	}
	for i, c := range cols {
		for _, w := range strings.Fields(d.line1(c.head)) {
			need[i] = math.Max(need[i], d.f.GetStringWidth(w)+2.6)
		}
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

// wordNeeds is the width each column needs so that none of its words breaks: its widest word
// (a right-aligned cell as one word) in the font the cell is drawn in, at most a third of the
// page.
func (d *pdfDoc) wordNeeds(cols []pdfCol, rows [][]string, style tableStyle) []float64 {
	need := make([]float64, len(cols))
	d.font("B", pdfTableSize, colInk)
	for i, c := range cols {
		for _, w := range strings.Fields(d.line1(c.head)) {
			need[i] = math.Max(need[i], d.f.GetStringWidth(w)+2.6)
		}
	}
	for ri, row := range rows {
		if ri >= 200 {
			break
		}
		for i := 0; i < len(cols) && i < len(row); i++ {
			d.cellFont(style, ri, i)
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
	for i := range need {
		need[i] = math.Min(need[i], d.width/3)
	}
	return need
}

// columnsThatFit is how many leading columns fit the page without breaking a word at the
// table's own font size (at least one): the columns after them are left to the XLSX rather than
// shrinking the type or cutting words.
func (d *pdfDoc) columnsThatFit(cols []pdfCol, rows [][]string) int {
	need := d.wordNeeds(cols, rows, nil)
	total := 0.0
	for i, w := range need {
		if total+w > d.width && i > 0 {
			return i
		}
		total += w
	}
	return len(cols)
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func sevStyle(sevs []results.Severity, col int) tableStyle {
	return func(row, c int) (rgb, bool) {
		if c != col || row >= len(sevs) {
			return rgb{}, false
		}
		return sevColor(sevs[row]), true
	}
}

// autoWidths sizes columns from their content the way browsers lay out automatic tables: each
// column gets at least its longest word (so an unbroken value such as a device name never
// wraps) and the rest of the page width is shared in proportion to how much wider each
// column's longest line is than that minimum.
func (d *pdfDoc) autoWidths(cols []pdfCol, rows [][]string, style tableStyle) []float64 {
	const margins = 2*pdfCellMargin + 0.6
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
	for ri, row := range rows {
		if ri >= 100 {
			break
		}
		for i := 0; i < len(cols) && i < len(row); i++ {
			d.cellFont(style, ri, i)
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
