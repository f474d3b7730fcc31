package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

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
		out = append(out, "Executive summary", "Data quality")
		if len(r.Compliance) > 0 {
			out = append(out, complianceTitle)
		}
		out = append(out, "Findings by rule", "Waived findings (accepted risk)")
	}
	if r.Diff != nil {
		out = append(out, diffTitle(r.Diff))
	}
	if audit {
		out = append(out, "Appendix")
	}
	return out
}

func diffTitle(df *results.Diff) string {
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
func compared(r *results.Report) string {
	if r.Diff == nil {
		return ""
	}
	return fmt.Sprintf("#%d taken %s", r.Diff.Before.ID, fmtTime(r.Diff.Before.StartedAt))
}

// ruleCoverage is "5 of 27 (only a selection: see Data quality)" for a report from a rule
// subset, "" otherwise.
func ruleCoverage(r *results.Report) string {
	sel := r.DataQuality.Selection
	if sel == nil {
		return ""
	}
	return fmt.Sprintf("%s of %s (a selection: see Data quality)", num(sel.Evaluated), num(sel.Available))
}
