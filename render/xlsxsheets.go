package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// ruleSheet lists every finding of one rule.
func (b *xlsxBook) ruleSheet(sw *sheetRec, s results.RuleSection) error {
	ev := evidenceColumns(s.Findings)
	msg := hasMessage(s.Findings)
	grouped := len(s.Groups) > 0
	headers := []string{"Rule", "Severity", "Entity"}
	if grouped {
		headers = append(headers, "Group")
	}
	kinds := make([]colKind, len(ev))
	for i, name := range ev {
		headers = append(headers, humanHeader(name))
		kinds[i] = columnKind(name, func(j int) string { return evidenceValue(s.Findings[j], name) }, len(s.Findings))
	}
	if msg {
		headers = append(headers, "Message")
	}
	headers = append(headers, "Fingerprint")
	rows := make([][]any, 0, len(s.Findings))
	for _, f := range s.Findings {
		row := make([]any, 0, len(headers))
		row = append(row, cells(f.RuleID, f.Severity.String(), f.Entity)...)
		if grouped {
			row = append(row, cells(f.Group)...)
		}
		for i, name := range ev {
			row = append(row, b.typedCell(kinds[i], evidenceValue(f, name)))
		}
		if msg {
			row = append(row, cells(f.Message)...)
		}
		row = append(row, cells(f.Fingerprint)...)
		rows = append(rows, row)
	}
	return b.table(sw, headers, rows)
}

// summary writes the facts, findings by severity and the index of rule sheets (no table: it is
// a page to read, not to filter).
func (b *xlsxBook) summary(sw *sheetRec, r *results.Report, names []string, cv *changeView, wl *Worklist) error {
	if err := sw.SetColWidth(1, 1, 34); err != nil {
		return err
	}
	if err := sw.SetColWidth(2, 2, 60); err != nil {
		return err
	}
	if err := sw.SetColWidth(3, 5, 16); err != nil {
		return err
	}
	var rows [][]any
	add := func(vals ...any) { rows = append(rows, vals) }
	heading := func(s string) {
		add()
		add(excelize.Cell{Value: s, StyleID: b.bold})
	}
	title := "CUCM audit report"
	if r.Kind == kindChangeWindow {
		title = "CUCM change-window report"
	}
	add(excelize.Cell{Value: title, StyleID: b.title})
	if r.Kind == kindChangeWindow && cv != nil {
		add(excelize.Cell{Value: "Verdict", StyleID: b.bold}, excelize.Cell{Value: cellText(cv.Verdict), StyleID: b.bold})
	}
	if s := PartialBanner(r); s != "" {
		add(excelize.Cell{Value: "Partial snapshot", StyleID: b.bold}, excelize.Cell{Value: cellText(s), StyleID: b.bold})
	}
	add(cells("Cluster", r.Snapshot.ClusterID)...)
	add(cells("CUCM version", r.Snapshot.CUCMVersion)...)
	add(cells("Publisher (AXL host)", r.Snapshot.AXLHost)...)
	add(cells("Snapshot", "#"+strconv.FormatInt(r.Snapshot.ID, 10))...)
	if s := AnalysisText(r); s != "" {
		add(cells("Analysis", s)...)
	}
	add(cells("Collection started (UTC)", fmtTime(r.Snapshot.StartedAt))...)
	add(cells("Collection finished (UTC)", fmtTime(r.Snapshot.FinishedAt))...)
	add(cells("Snapshot status", string(r.Snapshot.Status))...)
	add(cells("Report generated (UTC)", fmtTime(r.GeneratedAt))...)
	add(cells("Tool version", "cucm-audit "+r.ToolVersion)...)

	if r.DataQuality.Selection != nil {
		add(cells("Rules evaluated", selectionText(r.DataQuality.Selection))...)
	}
	if cv != nil {
		d := cv.D
		heading(cv.Title)
		add(cells("Earlier snapshot", fmt.Sprintf("#%d taken %s", d.Before.ID, fmtTime(d.Before.StartedAt)))...)
		add(cells("Measure", "Count")...)
		for _, c := range cv.Counts {
			if c.Text != "" {
				add(cells(c.Label, c.Text)...)
			} else {
				add(cells(c.Label, c.N)...)
			}
		}
		if cv.NotCompared != "" {
			add(cells("Findings not compared", cv.NotCompared)...)
		}
		for _, n := range cv.Notes {
			add(cells("Note", n)...)
		}
		add(cells("Ignored fields", cv.IgnoredText)...)
		heading("Change lists (one sheet each, every row)")
		add(cells("List", "Rows", "Sheet")...)
		for _, l := range cv.Lists {
			add(cells(l.Title, len(l.Rows), l.Sheet)...)
		}
		add(cells("Fields ignored as volatile", len(cv.Ignored), sheetIgnoredField)...)
		if len(d.Registration) > 0 {
			heading("Registration by class, before and after")
			add(cells("Class", "Registered before", "Registered after", "Change")...)
			for _, c := range d.Registration {
				add(cells(c.Class, c.RegisteredBefore, c.RegisteredAfter, c.RegisteredAfter-c.RegisteredBefore)...)
			}
		}
	}
	if r.Kind == kindChangeWindow {
		return writeRows(sw, rows)
	}
	if len(r.Summary.Narrative) > 0 {
		heading("In words")
		for _, sentence := range r.Summary.Narrative {
			add(cells("", sentence)...)
		}
	}
	if len(r.Summary.Scores) > 0 {
		heading("Scores (0-100): " + results.ScoreFormula)
		add(cells("Area", "Score", "Rules failing", "Rules evaluated", "Rules without verdict")...)
		for _, sc := range r.Summary.Scores {
			add(cells(sc.Area, sc.Score, sc.Failing, sc.Rules, sc.Inconclusive)...)
		}
	}
	heading("Open findings by severity")
	add(cells("Severity", "Open findings")...)
	total := 0
	for _, s := range r.Summary.FindingsBySeverity {
		add(cells(s.Severity.String(), s.Count)...)
		total += s.Count
	}
	add(cells("total", total)...)

	heading("Findings by rule")
	add(cells("Rule", "Title", "Severity", "Open findings", "Sheet")...)
	for i, s := range r.Rules {
		add(cells(s.Rule.ID, s.Rule.Title, s.Rule.Severity.String(), len(s.Findings), names[i])...)
	}
	if len(r.Summary.TopRisks) > 0 {
		heading("Top risks")
		add(cells("Rule", "Title", "Severity", "Open findings")...)
		for _, t := range r.Summary.TopRisks {
			add(cells(t.RuleID, t.Title, t.Severity.String(), t.Count)...)
		}
	}
	if c := r.Summary.Change; c != nil {
		heading(fmt.Sprintf("Change since snapshot #%d", c.PreviousID))
		if c.FindingsNotCompared {
			add(cells("New findings", "not compared")...)
			add(cells("Resolved findings", "not compared")...)
			add(cells("Findings not compared", changeNotCompared(c))...)
		} else {
			add(cells("New findings", c.NewFindings)...)
			add(cells("Resolved findings", c.ResolvedFindings)...)
		}
		add(cells("Registered devices (change)", c.RegisteredDelta)...)
		add(cells("Devices added", c.DevicesAdded)...)
		add(cells("Devices removed", c.DevicesRemoved)...)
	}
	if wl != nil {
		carried, edited, fresh, gone := worklistCounts(r, wl)
		heading("Worklist carried from " + wl.Source)
		add(cells("Findings open before (Status, Assignee, Notes carried)", carried)...)
		add(cells("  of which the team had edited", edited)...)
		add(cells("New findings (blank, to triage)", fresh)...)
		add(cells("Findings gone since (kept at the end of "+sheetAll+")", gone)...)
	}
	heading("Data quality")
	if sel := selectionText(r.DataQuality.Selection); sel != "" {
		add(cells("Rules in this report", sel)...)
	}
	add(cells("Coverage gaps", r.DataQuality.Gaps)...)
	add(cells("Inconclusive rules", len(r.DataQuality.Inconclusive))...)
	add(cells("Rules that failed to run", len(r.DataQuality.Errors))...)
	return writeRows(sw, rows)
}

// writeRows writes rows from A1 down.
func writeRows(sw *sheetRec, rows [][]any) error {
	for i, row := range rows {
		if err := sw.SetRow("A"+strconv.Itoa(i+1), row); err != nil {
			return err
		}
	}
	return nil
}

func (b *xlsxBook) waived(sw *sheetRec, r *results.Report) error {
	headers := []string{"Rule", "Severity", "Entity", "Statement", "Owner", "Expires", "Message", "Evidence", "Fingerprint"}
	var rows [][]any
	for _, f := range r.Waived {
		var st, owner, exp string
		if f.Waiver != nil {
			st, owner, exp = f.Waiver.Statement, f.Waiver.Owner, f.Waiver.Expires
		}
		ev := make([]string, len(f.Evidence))
		for i, e := range f.Evidence {
			ev[i] = e.Name + "=" + e.Value
		}
		row := cells(f.RuleID, f.Severity.String(), f.Entity, st, owner)
		row = append(row, b.typedCell(kindDate, exp))
		rows = append(rows, append(row, cells(f.Message, strings.Join(ev, "; "), f.Fingerprint)...))
	}
	if err := b.table(sw, headers, rows); err != nil {
		return err
	}
	// Expired and stale waivers below the table, for the record.
	next := maxInt(len(rows)+1, 2) + 2
	for _, block := range []struct {
		title string
		ws    []results.Waiver
	}{{"Expired waivers (their findings are open again)", r.Waivers.Expired}, {"Waivers that matched no finding", r.Waivers.Stale}} {
		if len(block.ws) == 0 {
			continue
		}
		if err := sw.SetRow("A"+strconv.Itoa(next), []any{excelize.Cell{Value: block.title, StyleID: b.bold}}); err != nil {
			return err
		}
		next++
		if err := sw.SetRow("A"+strconv.Itoa(next), cells("Rule", "Entity pattern", "Statement", "Owner", "Expires")); err != nil {
			return err
		}
		next++
		for _, w := range block.ws {
			if err := sw.SetRow("A"+strconv.Itoa(next), cells(w.Rule, w.Entity, w.Statement, w.Owner, w.Expires)); err != nil {
				return err
			}
			next++
		}
		next++
	}
	return nil
}

func (b *xlsxBook) registration(sw *sheetRec, r *results.Report) error {
	headers := []string{"Class", "Configured (AXL)", "Seen (RisPort)", "Registered", "UnRegistered", "Rejected",
		"PartiallyRegistered", "Unknown", "Never seen", "Registration rate", "RisPort complete"}
	var rows [][]any
	for _, c := range r.Summary.Registration {
		row := regXLSXRow(c)
		if c.Complete {
			row[9] = excelize.Cell{Value: c.RegistrationRate, StyleID: b.pct}
		}
		rows = append(rows, row)
	}
	if err := b.table(sw, headers, rows); err != nil {
		return err
	}
	next := maxInt(len(rows)+1, 2) + 2
	if err := sw.SetRow("A"+strconv.Itoa(next), []any{excelize.Cell{Value: "RisPort devices by class and status", StyleID: b.bold}}); err != nil {
		return err
	}
	next++
	if err := sw.SetRow("A"+strconv.Itoa(next), cells("Class", "Status", "Devices")); err != nil {
		return err
	}
	for _, c := range r.Summary.RisByClassStatus {
		next++
		if err := sw.SetRow("A"+strconv.Itoa(next), cells(c.Class, c.Status, c.Count)); err != nil {
			return err
		}
	}
	return nil
}

func (b *xlsxBook) inventory(sw *sheetRec, r *results.Report) error {
	var rows [][]any
	for _, m := range r.Appendix.ModelCounts {
		rows = append(rows, cells(m.Class, m.Model, m.Count))
	}
	return b.table(sw, []string{"Class", "Model", "Devices"}, rows)
}

func (b *xlsxBook) coverage(sw *sheetRec, r *results.Report) error {
	var rows [][]any
	for _, c := range r.DataQuality.Coverage {
		complete := "yes"
		if !c.Complete {
			complete = "no"
		}
		rows = append(rows, cells(c.Source, c.Item, complete, c.Records, c.Reason))
	}
	for _, n := range r.DataQuality.Nodes {
		if n.Role == snapshot.RoleIMAndPresence {
			rows = append(rows, cells("axl", "node:"+n.Name, "yes", 0, nodeRoleText(n)+": RisPort not applicable"))
		}
	}
	return b.table(sw, []string{"Source", "Item", "Complete", "Records", "Reason"}, rows)
}

func (b *xlsxBook) inconclusive(sw *sheetRec, r *results.Report) error {
	var rows [][]any
	for _, list := range [][]results.RuleOutcome{r.DataQuality.Inconclusive, r.DataQuality.Errors} {
		for _, o := range list {
			rows = append(rows, cells(o.Rule.ID, o.Rule.Title, o.Rule.Severity.String(), string(o.Outcome), o.Reason))
		}
	}
	return b.table(sw, []string{"Rule", "Title", "Severity", "Outcome", "Reason"}, rows)
}

func (b *xlsxBook) rules(sw *sheetRec, r *results.Report) error {
	var rows [][]any
	for _, o := range r.Appendix.Rules {
		rows = append(rows, cells(o.Rule.ID, o.Rule.Title, o.Rule.Severity.String(), o.Rule.Category, string(o.Outcome),
			o.Findings, o.Waived, o.Reason, paramList(o.Rule.Params), strings.Join(o.Rule.Controls, ", "),
			strings.Join(o.Rule.References, " "), o.Rule.Description, o.Rule.Remediation))
	}
	return b.table(sw, []string{"Rule", "Title", "Severity", "Category", "Outcome", "Open findings", "Waived", "Reason",
		"Parameters", "Controls", "References", "Description", "Remediation"}, rows)
}

// changeSheet writes one change list, every row, numbers as numbers.
func (b *xlsxBook) changeSheet(sw *sheetRec, l changeList) error {
	heads := make([]string, len(l.Cols))
	for i, c := range l.Cols {
		heads[i] = c.Head
	}
	rows := make([][]any, len(l.Rows))
	for i, r := range l.Rows {
		row := make([]any, len(l.Cols))
		for j := range l.Cols {
			v := ""
			if j < len(r) {
				v = r[j]
			}
			if l.Cols[j].Num {
				if n, err := strconv.Atoi(v); err == nil {
					row[j] = n
					continue
				}
			}
			row[j] = excelize.Cell{Value: cellText(v)}
		}
		rows[i] = row
	}
	return b.table(sw, heads, rows)
}

// ignoredFields lists every field a diff knows and whether it was ignored as volatile.
func (b *xlsxBook) ignoredFields(sw *sheetRec, d *results.Diff) error {
	ignored := map[string]bool{}
	for _, f := range d.Ignored {
		ignored[f] = true
	}
	var rows [][]any
	for _, f := range d.Ignored {
		rows = append(rows, cells(f, "ignored: never counted as a change")) // the diff's own list first, even a field this version does not know
	}
	for _, f := range results.DiffFields() {
		if !ignored[f] {
			rows = append(rows, cells(f, "compared"))
		}
	}
	return b.table(sw, []string{"Field", "In this comparison"}, rows)
}

// trend writes Report.Trend, one row per snapshot, numbers as numbers.
func (b *xlsxBook) trend(sw *sheetRec, r *results.Report) error {
	header, rows := TrendTable(r.Trend)
	out := make([][]any, len(rows))
	for i, row := range rows {
		for _, v := range row {
			if n, err := strconv.Atoi(v); err == nil {
				out[i] = append(out[i], n)
			} else {
				out[i] = append(out[i], cells(v)...)
			}
		}
	}
	return b.table(sw, header, out)
}
