package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// XLSX writes the worklist: a Summary sheet, one sheet per rule with findings (every finding,
// no cap) as an Excel table with filter buttons and a frozen header, then Waived, Registration,
// Inventory, Coverage, Inconclusive, Rules and, for change-window reports, Changes.
// Every value is written as a string cell, so a value such as =cmd|' /C calc'!A0 stays text and
// is never a formula.
type XLSX struct {
	// Worklist, when set, is an earlier workbook's All findings sheet: its Status, Assignee and
	// Notes are carried to the same findings (by fingerprint), and findings are marked new,
	// open before or gone.
	Worklist *Worklist
}

// Format implements Renderer.
func (*XLSX) Format() Format { return FormatXLSX }

// Fixed sheet names; rule sheets are named after the rule id and never take one of these.
const (
	sheetSummary      = "Summary"
	sheetWaived       = "Waived"
	sheetRegistration = "Registration"
	sheetInventory    = "Inventory"
	sheetCoverage     = "Coverage"
	sheetInconclusive = "Inconclusive"
	sheetRules        = "Rules"
	sheetTrend        = "Trend"
)

var fixedSheets = append([]string{sheetSummary, sheetWaived, sheetRegistration, sheetInventory, sheetCoverage, sheetInconclusive, sheetRules, sheetTrend},
	changeSheets...)

// ruleSheetNames names one sheet per rule section: the rule id with the characters Excel refuses
// ([]:*?/\) replaced by '_', at most 31 characters, unique (case-insensitively) among themselves
// and the fixed sheets.
func ruleSheetNames(sections []results.RuleSection) []string {
	used := map[string]bool{}
	for _, s := range fixedSheets {
		used[strings.ToLower(s)] = true
	}
	out := make([]string, len(sections))
	for i, s := range sections {
		base := sheetNameFor(s.Rule.ID)
		name := base
		for n := 2; used[strings.ToLower(name)]; n++ {
			suffix := "~" + strconv.Itoa(n)
			name = cutRunes(base, 31-len(suffix)) + suffix
		}
		used[strings.ToLower(name)] = true
		out[i] = name
	}
	return out
}

// sheetNameFor is a rule id made acceptable as a sheet name (before de-duplication).
func sheetNameFor(id string) string {
	var b strings.Builder
	for _, r := range oneLine(id) {
		if strings.ContainsRune(`[]:*?/\`, r) {
			r = '_'
		}
		b.WriteRune(r)
	}
	name := strings.Trim(cutRunes(b.String(), 31), "' ")
	if name == "" {
		name = "Rule"
	}
	return name
}

func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// cellText keeps a value as exact as a spreadsheet allows: only characters XML 1.0 cannot hold
// (C0 controls other than tab, LF, CR) and bidirectional overrides are removed.
func cellText(s string) string {
	ok := utf8.ValidString(s)
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF || isBidiControl(r) || (r >= 0x7F && r < 0xA0) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF || isBidiControl(r) || (r >= 0x7F && r < 0xA0) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// sheetStep writes one sheet.
type sheetStep struct {
	name  string
	write func(*sheetRec) error
}

// sheetRec records one sheet's writes, so that the sheet's used range (<dimension ref>) is
// known before the stream writer writes the sheet's head: excelize's StreamWriter otherwise
// leaves it at A1, and readers that trust it (openpyxl in read-only mode) see one row.
type sheetRec struct {
	ops            []func(*excelize.StreamWriter) error
	maxRow, maxCol int
}

func (r *sheetRec) SetColWidth(minCol, maxCol int, width float64) error {
	r.ops = append(r.ops, func(sw *excelize.StreamWriter) error { return sw.SetColWidth(minCol, maxCol, width) })
	return nil
}

func (r *sheetRec) SetPanes(p *excelize.Panes) error {
	r.ops = append(r.ops, func(sw *excelize.StreamWriter) error { return sw.SetPanes(p) })
	return nil
}

func (r *sheetRec) AddTable(t *excelize.Table) error {
	r.ops = append(r.ops, func(sw *excelize.StreamWriter) error { return sw.AddTable(t) })
	return nil
}

func (r *sheetRec) SetRow(cell string, values []any, opts ...excelize.RowOpts) error {
	col, row, err := excelize.CellNameToCoordinates(cell)
	if err != nil {
		return err
	}
	if len(values) > 0 {
		r.maxRow = maxInt(r.maxRow, row)
		r.maxCol = maxInt(r.maxCol, col+len(values)-1)
	}
	r.ops = append(r.ops, func(sw *excelize.StreamWriter) error { return sw.SetRow(cell, values, opts...) })
	return nil
}

// stream writes the recorded sheet with its used range.
func (r *sheetRec) stream(f *excelize.File, sheet string) error {
	if r.maxRow > 0 {
		last, err := excelize.CoordinatesToCellName(r.maxCol, r.maxRow)
		if err != nil {
			return err
		}
		if err := f.SetSheetDimension(sheet, "A1:"+last); err != nil {
			return err
		}
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for _, op := range r.ops {
		if err := op(sw); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// xlsxBook is one workbook being written.
type xlsxBook struct {
	f                   *excelize.File
	header, title, bold int
	date, dateTime, pct int
	tables              int
}

// Render implements Renderer.
func (x *XLSX) Render(w io.Writer, r *results.Report) error {
	f := excelize.NewFile()
	defer f.Close()
	b := &xlsxBook{f: f}
	if err := b.styles(); err != nil {
		return err
	}
	_ = f.SetDocProps(&excelize.DocProperties{
		Title:   cellText("CUCM audit " + r.Snapshot.ClusterID),
		Creator: "cucm-audit " + cellText(r.ToolVersion),
		Subject: fmt.Sprintf("snapshot #%d", r.Snapshot.ID),
	})
	if err := f.SetSheetName("Sheet1", sheetSummary); err != nil {
		return fmt.Errorf("naming summary sheet: %w", err)
	}
	names := ruleSheetNames(r.Rules)
	var cv *changeView
	if r.Diff != nil {
		cv = newChangeView(r.Diff)
	}
	steps := []sheetStep{{sheetSummary, func(sw *sheetRec) error { return b.summary(sw, r, names, cv, x.Worklist) }}}
	if r.Kind != kindChangeWindow || len(r.Rules) > 0 {
		steps = append(steps, sheetStep{sheetAll, func(sw *sheetRec) error { return b.allFindings(sw, r, x.Worklist) }})
	}
	for i := range r.Rules {
		s := r.Rules[i]
		steps = append(steps, sheetStep{names[i], func(sw *sheetRec) error { return b.ruleSheet(sw, s) }})
	}
	if len(r.Compliance) > 0 {
		steps = append(steps, sheetStep{complianceTitle, func(sw *sheetRec) error { return b.complianceSheet(sw, r) }})
	}
	if r.Kind != kindChangeWindow {
		steps = append(steps,
			sheetStep{sheetWaived, func(sw *sheetRec) error { return b.waived(sw, r) }},
			sheetStep{sheetRegistration, func(sw *sheetRec) error { return b.registration(sw, r) }},
			sheetStep{sheetInventory, func(sw *sheetRec) error { return b.inventory(sw, r) }},
			sheetStep{sheetCoverage, func(sw *sheetRec) error { return b.coverage(sw, r) }},
			sheetStep{sheetInconclusive, func(sw *sheetRec) error { return b.inconclusive(sw, r) }},
			sheetStep{sheetRules, func(sw *sheetRec) error { return b.rules(sw, r) }},
		)
		if len(r.Trend) > 0 {
			steps = append(steps, sheetStep{sheetTrend, func(sw *sheetRec) error { return b.trend(sw, r) }})
		}
	}
	if cv != nil {
		for _, l := range cv.Lists {
			steps = append(steps, sheetStep{l.Sheet, func(sw *sheetRec) error { return b.changeSheet(sw, l) }})
		}
		steps = append(steps, sheetStep{sheetIgnoredField, func(sw *sheetRec) error { return b.ignoredFields(sw, r.Diff) }})
	}
	for _, st := range steps {
		if st.name != sheetSummary {
			if _, err := f.NewSheet(st.name); err != nil {
				return fmt.Errorf("adding sheet %q: %w", st.name, err)
			}
		}
		rec := &sheetRec{}
		if err := st.write(rec); err != nil {
			return fmt.Errorf("writing sheet %q: %w", st.name, err)
		}
		if err := rec.stream(f, st.name); err != nil {
			return fmt.Errorf("writing sheet %q: %w", st.name, err)
		}
	}
	// No SetActiveSheet: it would parse every streamed sheet back into memory. The Summary is
	// the first sheet and therefore already the active one.
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("writing xlsx: %w", err)
	}
	return nil
}

func (b *xlsxBook) styles() error {
	var err error
	if b.header, err = b.f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"163A63"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
	}); err != nil {
		return fmt.Errorf("creating xlsx styles: %w", err)
	}
	if b.title, err = b.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16, Color: "163A63"}}); err != nil {
		return fmt.Errorf("creating xlsx styles: %w", err)
	}
	if b.bold, err = b.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "163A63"}}); err != nil {
		return fmt.Errorf("creating xlsx styles: %w", err)
	}
	dateFmt, dateTimeFmt := "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
	if b.date, err = b.f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		return fmt.Errorf("creating xlsx styles: %w", err)
	}
	if b.dateTime, err = b.f.NewStyle(&excelize.Style{CustomNumFmt: &dateTimeFmt}); err != nil {
		return fmt.Errorf("creating xlsx styles: %w", err)
	}
	if b.pct, err = b.f.NewStyle(&excelize.Style{NumFmt: 10}); err != nil { // 0.00%
		return fmt.Errorf("creating xlsx styles: %w", err)
	}
	return nil
}

// cells turns values into row cells: strings cleaned and always stored as strings, numbers as
// numbers.
func cells(vals ...any) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		if s, ok := v.(string); ok {
			out[i] = excelize.Cell{Value: cellText(s)}
			continue
		}
		out[i] = v
	}
	return out
}

// uniqueHeaders makes table headers non-empty and unique, as Excel tables require.
func uniqueHeaders(h []string) []string {
	out := make([]string, len(h))
	seen := map[string]bool{}
	for i, s := range h {
		s = cellText(oneLine(s))
		if s == "" {
			s = "Column " + strconv.Itoa(i+1)
		}
		base := s
		for n := 2; seen[strings.ToLower(s)]; n++ {
			s = base + " (" + strconv.Itoa(n) + ")"
		}
		seen[strings.ToLower(s)] = true
		out[i] = s
	}
	return out
}

// table writes a header and rows as an Excel table at A1 with a frozen header, column widths
// fitted to the content (sampled) and filter buttons. rows holds already-built cells.
func (b *xlsxBook) table(sw *sheetRec, headers []string, rows [][]any) error {
	headers = uniqueHeaders(headers)
	widths := make([]float64, len(headers))
	for i, h := range headers {
		widths[i] = float64(utf8.RuneCountInString(h)) + 4
	}
	for ri, row := range rows {
		if ri >= 500 {
			break
		}
		for i, c := range row {
			if i >= len(widths) {
				break
			}
			n := 6
			switch v := c.(type) {
			case excelize.Cell:
				switch x := v.Value.(type) {
				case string:
					n = utf8.RuneCountInString(x)
				case time.Time:
					n = 19
				}
			case string:
				n = utf8.RuneCountInString(v)
			}
			widths[i] = maxF(widths[i], float64(n)+2)
		}
	}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, minF(maxF(wd, 8), 60)); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, len(headers))
	for i, h := range headers {
		head[i] = excelize.Cell{Value: h, StyleID: b.header}
	}
	if err := sw.SetRow("A1", head, excelize.RowOpts{Height: 20}); err != nil {
		return err
	}
	for i, row := range rows {
		if err := sw.SetRow("A"+strconv.Itoa(i+2), row); err != nil {
			return err
		}
	}
	last, err := excelize.CoordinatesToCellName(len(headers), maxInt(len(rows)+1, 2))
	if err != nil {
		return err
	}
	b.tables++
	return sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: "Table" + strconv.Itoa(b.tables), StyleName: "TableStyleMedium2"})
}

func maxF(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

func minF(a, b float64) float64 {
	if a < b {
		return a
	}
	return b
}
