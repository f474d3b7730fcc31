package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

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
	open, critHigh := summaryOpenFindings(r)
	regText, regOf := regTotal(r.Summary.Registration)
	gapCol := colGood
	if dataQualityTroubled(r) {
		gapCol = colBad
	}
	tiles := []struct {
		value, label string
		c            rgb
	}{
		{num(open), "open findings", colBrand},
		{num(critHigh), "critical or high", sevColor(results.SeverityHigh)},
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
		var sevs []results.Severity
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
		if s.Rule.Severity <= results.SeverityLow {
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
		if ri.Severity > results.SeverityMedium {
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
func (d *pdfDoc) ruleGroups(i int, s results.RuleSection) {
	cols, rows, more := groupTable(s, pdfMaxGroups)
	if len(cols) == 0 || singletons(s, d.entityCap(s)) {
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
func (d *pdfDoc) ruleEntities(i int, s results.RuleSection) {
	shown, more := capped(s.Findings, d.entityCap(s))
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
	// Evidence columns past the page's width (a routing path, a replay command) are the
	// XLSX's: listing them here would break their words or shrink the type.
	var left []string
	if n := d.columnsThatFit(pc, rows); n < len(pc) {
		for _, c := range pc[n:] {
			left = append(left, c.head)
		}
		pc = pc[:n]
		for r := range rows {
			rows[r] = rows[r][:min(n, len(rows[r]))]
		}
	}
	if len(s.Groups) > 0 && !singletons(s, len(shown)) {
		d.heading("First findings", 15)
	}
	d.ensure(15)
	d.table(pc, rows, nil)
	var notes []string
	if more > 0 {
		notes = append(notes, fmt.Sprintf("Showing %s of %s findings: %s", num(len(shown)), num(len(s.Findings)),
			d.more(more, "every finding of this rule", d.sheets[i])))
	}
	if len(left) > 0 {
		notes = append(notes, d.leftColumns(left, d.sheets[i]))
	}
	if len(notes) > 0 {
		d.para(strings.Join(notes, " "), "", 8.5, colMuted)
	}
}

// leftColumns says where the columns a table left out are: "Columns Path and Replay: in the
// XLSX, sheet "EMG-001"."
func (d *pdfDoc) leftColumns(heads []string, sheet string) string {
	what := "Column " + heads[0]
	if len(heads) > 1 {
		what = "Columns " + strings.Join(heads[:len(heads)-1], ", ") + " and " + heads[len(heads)-1]
	}
	if d.xlsx {
		return fmt.Sprintf("%s: in the XLSX, sheet %q.", what, sheet)
	}
	return fmt.Sprintf("%s: in the XLSX report, sheet %q (--format xlsx).", what, sheet)
}

// entityCap is how many findings of a rule the PDF lists.
func (d *pdfDoc) entityCap(s results.RuleSection) int {
	max := d.max
	if (len(s.Groups) > 0 || s.Rule.Severity <= results.SeverityMedium) && !d.maxAsked && max > pdfGroupedEntities {
		max = pdfGroupedEntities // the groups already say where they are; a medium rule shows a sample
		if len(s.Findings) == max+1 {
			max++ // one more row takes no more room than the line that would count it
		}
	}
	return max
}

// singletons reports whether every group of a rule holds one finding and the PDF lists them
// all (shown of them): the groups would restate the findings' rows, so only the rows are drawn.
func singletons(s results.RuleSection, shown int) bool {
	if shown >= 0 && shown < len(s.Findings) {
		return false
	}
	for _, g := range s.Groups {
		if g.Count != 1 {
			return false
		}
	}
	return true
}

// pdfGroupedEntities caps the entities listed for a grouped or medium rule (by default).
const pdfGroupedEntities = 3

// waived draws accepted risks, expired and stale waivers.
func (d *pdfDoc) waived() {
	r := d.rep
	d.flowSection("Waived findings (accepted risk)")
	if len(r.Waived) == 0 {
		d.para("No finding is waived.", "", pdfBodySize, colInk)
	} else {
		d.para("These findings are covered by an accepted-risk waiver: they stay visible here but do not count in the summary or the exit code.", "", pdfBodySize, colInk)
		var rows [][]string
		var sevs []results.Severity
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
	waiverTable := func(title, dateHead string, ws []results.Waiver) {
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

// appendix draws every rule evaluated with its parameters, and the inventory by model.
func (d *pdfDoc) appendix() {
	r := d.rep
	d.flowSection("Appendix")
	d.heading("Rules with findings or without a verdict", 15)
	var rows [][]string
	var sevs []results.Severity
	var outcomes []results.Outcome
	var passed []string // named in one line: the Compliance section and the XLSX count them
	for _, o := range r.Appendix.Rules {
		if o.Outcome == results.OutcomePass && o.Waived == 0 {
			passed = append(passed, o.Rule.ID)
			continue
		}
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
				case results.OutcomePass:
					return colGood, true
				case results.OutcomeFail, results.OutcomeError:
					return colBad, true
				case results.OutcomeInconclusive:
					return rgb{200, 120, 0}, true
				}
			}
			return rgb{}, false
		})
	note := "The parameters of every rule and the inventory by model: XLSX sheets Rules and Inventory, and the JSON."
	if len(passed) > 0 {
		note = fmt.Sprintf("Passed with no finding (%s): %s. %s", num(len(passed)), strings.Join(passed, ", "), note)
	}
	d.para(note, "", 8.5, colMuted)
}
