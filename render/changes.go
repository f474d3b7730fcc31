package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// changeView is a diff laid out once for every format, so the PDF, the XLSX and the Markdown
// list the same things in the same order: what broke, what recovered, devices added, removed
// and changed field by field, findings new, resolved and not confirmed resolved, registration by
// class, the ignored fields and the notes. Rows hold raw values; each renderer escapes, caps
// (PDF, Markdown) or lists everything (XLSX).
type changeView struct {
	D     *results.Diff
	Title string
	// Verdict answers "did we break anything?" in one line, first in every format (Verdict).
	Verdict string
	// Broke is how many devices broke, so a format can colour the verdict.
	Broke int
	// Counts is the summary table at the top.
	Counts []changeCount
	// NotCompared says why findings were not compared; "" when they were. When set, the
	// findings lists are absent and no finding count is shown as a number.
	NotCompared string
	// Lists are the detailed lists, in reading order.
	Lists []changeList
	// Ignored are the volatile fields that never counted as a change; IgnoredText says so in words.
	Ignored     []string
	IgnoredText string
	Notes       []string
}

// changeCount is one row of the summary table: a count, or Text when there is no number to give.
type changeCount struct {
	Label string
	N     int
	Text  string
}

// changeCol is one column of a change list. Num columns hold integers (an XLSX writes them as
// numbers); XLSXOnly columns (such as the fingerprint) are left out of the PDF and the Markdown.
type changeCol struct {
	Head     string
	Num      bool
	XLSXOnly bool
}

// changeList is one list of a change-window report.
type changeList struct {
	Title string // heading in the PDF and the Markdown
	Sheet string // XLSX sheet holding every row
	Intro string // one sentence on what the list holds
	None  string // said instead of an empty table
	Cols  []changeCol
	Rows  [][]string
	// Unit names what one row is, for "N more <unit> in the XLSX".
	Unit string
	// Sevs is the severity of each row of a findings list (column 1 shows it), nil otherwise.
	Sevs []results.Severity
}

// XLSX sheet names of the change lists (at most 31 characters, none a rule id's).
const (
	sheetBroke        = "Broke"
	sheetRecovered    = "Recovered"
	sheetAdded        = "Devices added"
	sheetRemoved      = "Devices removed"
	sheetChanged      = "Devices changed"
	sheetNewFindings  = "New findings"
	sheetResolved     = "Resolved findings"
	sheetUnconfirmed  = "Unconfirmed findings"
	sheetRegChange    = "Registration change"
	sheetIgnoredField = "Ignored fields"
)

var changeSheets = []string{sheetBroke, sheetRecovered, sheetAdded, sheetRemoved, sheetChanged, sheetNewFindings,
	sheetResolved, sheetUnconfirmed, sheetRegChange, sheetIgnoredField}

// visible returns the columns (heads) and rows without the XLSX-only columns.
func (l changeList) visible() ([]string, [][]string) {
	var keep []int
	var heads []string
	for i, c := range l.Cols {
		if !c.XLSXOnly {
			keep = append(keep, i)
			heads = append(heads, c.Head)
		}
	}
	rows := make([][]string, len(l.Rows))
	for i, r := range l.Rows {
		row := make([]string, len(keep))
		for j, k := range keep {
			if k < len(r) {
				row[j] = r[k]
			}
		}
		rows[i] = row
	}
	return heads, rows
}

// findingsNotCompared explains why a diff has no finding comparison: which snapshot has no
// analysis run (DiffSnapshots sets the analysis id of each side that has one).
func findingsNotCompared(d *results.Diff) string {
	if d.FindingsCompared {
		return ""
	}
	var missing, runs []string
	if d.BeforeAnalysis == 0 {
		missing = append(missing, fmt.Sprintf("#%d (before)", d.Before.ID))
		runs = append(runs, fmt.Sprintf("cucm-audit analyze --snapshot %d", d.Before.ID))
	}
	if d.AfterAnalysis == 0 && d.After.ID != d.Before.ID {
		missing = append(missing, fmt.Sprintf("#%d (after)", d.After.ID))
		runs = append(runs, fmt.Sprintf("cucm-audit analyze --snapshot %d", d.After.ID))
	}
	if len(missing) == 0 {
		return "Findings not compared: the findings of one of the two snapshots were not available, so no finding is reported new, resolved or persisting."
	}
	verb := "has"
	if len(missing) > 1 {
		verb = "have"
	}
	return fmt.Sprintf("Findings not compared: snapshot %s %s not been analyzed, so no finding is reported new, resolved or persisting "+
		"(the counts are unknown, not zero). Run %s, then compare again.",
		strings.Join(missing, " and "), verb, strings.Join(runs, " and "))
}

// ignoredText says which fields were ignored as volatile, so a reader knows what was not compared.
func ignoredText(ignored []string) string {
	if len(ignored) == 0 {
		return "No field was ignored: every field was compared (--ignore-fields none)."
	}
	return "Ignored as volatile, never counted as a change: " + strings.Join(ignored, ", ") +
		". The list is set with cucm-audit diff --ignore-fields."
}

func newChangeView(d *results.Diff) *changeView {
	v := &changeView{D: d, Title: diffTitle(d), Ignored: d.Ignored, IgnoredText: ignoredText(d.Ignored), Notes: d.Notes,
		NotCompared: findingsNotCompared(d)}
	broke, recovered := d.StatusChanges()
	v.Verdict, v.Broke = Verdict(d), len(broke)
	// A device that broke or recovered is listed there, with its other changes beside it, and
	// not again among the devices changed.
	statusChanged := map[string]bool{}
	for _, c := range broke {
		statusChanged[c.Name] = true
	}
	for _, c := range recovered {
		statusChanged[c.Name] = true
	}
	var others []results.DeviceChange
	for _, c := range d.Changed {
		if !statusChanged[c.Name] {
			others = append(others, c)
		}
	}
	fieldChanges := 0
	for _, c := range others {
		fieldChanges += len(c.Fields)
	}
	changed := fmt.Sprintf("%s field changes", num(fieldChanges))
	if fieldChanges == 1 {
		changed = "1 field change"
	}
	v.Counts = []changeCount{
		{Label: "Devices that broke (registered before, not now)", N: len(broke)},
		{Label: "Devices that recovered (registered now, not before)", N: len(recovered)},
		{Label: "Devices added", N: len(d.Added)},
		{Label: "Devices removed", N: len(d.Removed)},
		{Label: "Other devices changed (" + changed + ")", N: len(others)},
	}
	if v.NotCompared != "" {
		v.Counts = append(v.Counts, changeCount{Label: "Findings new, resolved, persisting", Text: "not compared"})
	} else {
		v.Counts = append(v.Counts,
			changeCount{Label: "New findings", N: len(d.NewFindings)},
			changeCount{Label: "Resolved findings", N: len(d.Resolved)},
			changeCount{Label: "Persisting findings", N: d.Persisting})
		if len(d.Unconfirmed) > 0 {
			v.Counts = append(v.Counts, changeCount{Label: "Earlier findings not confirmed resolved", N: len(d.Unconfirmed)})
		}
	}

	// The status lists locate each device (pool, node, IP, description, model) so a failure can
	// be found; the status that is the same on every row (Registered before a break, after a
	// recovery) is in the XLSX only.
	statusCols := func(broke bool) []changeCol {
		return []changeCol{{Head: "Device"}, {Head: "Class", XLSXOnly: true}, {Head: "Model"}, {Head: "Device pool"}, {Head: "Node"},
			{Head: "IP"}, {Head: "Description"}, {Head: "Status before", XLSXOnly: broke}, {Head: "Status after", XLSXOnly: !broke},
			{Head: "Also changed"}}
	}
	statusRows := func(cs []results.DeviceChange) [][]string {
		var rows [][]string
		for _, c := range cs {
			var st results.FieldChange
			var also []string
			for _, f := range c.Fields {
				switch f.Field {
				case results.FieldStatus:
					st = f
				case results.FieldStatusReason, results.FieldTimestamp, results.FieldRegistrationAttempts:
					// Part of the registration change itself.
				default:
					also = append(also, f.Field+": "+f.Before+" → "+f.After)
				}
			}
			w := results.Where{Model: c.Model}
			if c.Where != nil {
				w = *c.Where
			}
			model := c.Model
			if model == "" {
				model = w.Model
			}
			rows = append(rows, []string{c.Name, c.Class, model, w.DevicePool, w.Node, w.IP, w.Description, st.Before, st.After,
				strings.Join(also, "; ")})
		}
		return rows
	}
	refCols := []changeCol{{Head: "Device"}, {Head: "Class"}, {Head: "Model"}}
	refRows := func(rs []results.DeviceRef) [][]string {
		rows := make([][]string, 0, len(rs))
		for _, r := range rs {
			rows = append(rows, []string{r.Name, r.Class, r.Model})
		}
		return rows
	}
	var changedRows [][]string
	for _, c := range others {
		for _, f := range c.Fields {
			changedRows = append(changedRows, []string{c.Name, c.Class, c.Model, f.Field, f.Before, f.After})
		}
	}
	v.Lists = append(v.Lists,
		changeList{Title: "What broke", Sheet: sheetBroke, Unit: "devices",
			Intro: "Devices registered in the earlier snapshot and not registered now.",
			None:  "No device stopped registering.", Cols: statusCols(true), Rows: statusRows(broke)},
		changeList{Title: "What recovered", Sheet: sheetRecovered, Unit: "devices",
			Intro: "Devices registered now that were not registered in the earlier snapshot.",
			None:  "No device registered again.", Cols: statusCols(false), Rows: statusRows(recovered)},
		changeList{Title: "Devices added", Sheet: sheetAdded, Unit: "devices",
			Intro: "Devices in the later snapshot only.", None: "No device was added.", Cols: refCols, Rows: refRows(d.Added)},
		changeList{Title: "Devices removed", Sheet: sheetRemoved, Unit: "devices",
			Intro: "Devices in the earlier snapshot only.", None: "No device was removed.", Cols: refCols, Rows: refRows(d.Removed)},
		changeList{Title: "Devices changed, field by field", Sheet: sheetChanged, Unit: "field changes",
			Intro: "Every field that changed on a device present in both snapshots, before and after. A device that broke or recovered is listed there, with its other changes, not here.",
			None:  "No field of any other device changed.",
			Cols:  []changeCol{{Head: "Device"}, {Head: "Class"}, {Head: "Model"}, {Head: "Field"}, {Head: "Before"}, {Head: "After"}},
			Rows:  changedRows},
	)
	if v.NotCompared == "" {
		findingCols := []changeCol{{Head: "Rule"}, {Head: "Severity"}, {Head: "Entity"}, {Head: "Message"}, {Head: "Evidence"}, {Head: "Fingerprint", XLSXOnly: true}}
		findings := func(l changeList, fs []results.Finding) changeList {
			l.Cols = findingCols
			l.Rows = make([][]string, 0, len(fs))
			l.Sevs = make([]results.Severity, 0, len(fs))
			for _, f := range fs {
				ev := make([]string, len(f.Evidence))
				for i, e := range f.Evidence {
					ev[i] = e.Name + "=" + e.Value
				}
				l.Rows = append(l.Rows, []string{f.RuleID, sevName(f.Severity), f.Entity, f.Message, strings.Join(ev, "; "), f.Fingerprint})
				l.Sevs = append(l.Sevs, f.Severity)
			}
			return l
		}
		v.Lists = append(v.Lists,
			findings(changeList{Title: "New findings", Sheet: sheetNewFindings, Unit: "findings",
				Intro: "Findings of the later snapshot that the earlier one did not have (matched by fingerprint).",
				None:  "No new finding."}, d.NewFindings),
			findings(changeList{Title: "Resolved findings", Sheet: sheetResolved, Unit: "findings",
				Intro: fmt.Sprintf("Findings of the earlier snapshot that its rule no longer reports. %s findings persist.", num(d.Persisting)),
				None:  fmt.Sprintf("No finding was resolved. %s findings persist.", num(d.Persisting))}, d.Resolved))
		if len(d.Unconfirmed) > 0 {
			v.Lists = append(v.Lists, findings(changeList{Title: "Earlier findings not confirmed resolved", Sheet: sheetUnconfirmed, Unit: "findings",
				Intro: "Their rule did not conclude on the later snapshot (inconclusive, error or not evaluated), so they are not claimed resolved."}, d.Unconfirmed))
		}
	}
	var regRows [][]string
	regIntro := "Devices registered, seen by RisPort and configured in AXL, per RisPort device class."
	for _, c := range d.Registration {
		if c.IncompleteBefore || c.IncompleteAfter {
			regIntro = "Devices registered, seen by RisPort and configured in AXL, per RisPort device class. Where RisPort's view " +
				"of a class had a gap, that snapshot's registered and seen counts are lower bounds (≥ N) and the change is a bound " +
				"(≥, ≤) or unknown: see the RisPort coverage column."
			break
		}
	}
	for _, c := range d.Registration {
		regRows = append(regRows, []string{c.Class,
			atLeast(c.RegisteredBefore, c.IncompleteBefore), atLeast(c.RegisteredAfter, c.IncompleteAfter),
			changeBound(c.RegisteredAfter-c.RegisteredBefore, c.IncompleteBefore, c.IncompleteAfter),
			atLeast(c.SeenBefore, c.IncompleteBefore), atLeast(c.SeenAfter, c.IncompleteAfter),
			strconv.Itoa(c.ConfiguredBefore), strconv.Itoa(c.ConfiguredAfter), coverageNote(d, c)})
	}
	v.Lists = append(v.Lists, changeList{Title: "Registration by class, before and after", Sheet: sheetRegChange, Unit: "classes",
		Intro: regIntro,
		None:  "RisPort reported no device class in either snapshot.",
		Cols: []changeCol{{Head: "Class"}, {Head: "Registered before", Num: true}, {Head: "Registered after", Num: true},
			{Head: "Change", Num: true}, {Head: "Seen before", Num: true}, {Head: "Seen after", Num: true},
			{Head: "Configured before", Num: true}, {Head: "Configured after", Num: true}, {Head: "RisPort coverage"}},
		Rows: regRows})
	return v
}

// Verdict answers "did we break anything?" in one line: how many devices broke and recovered,
// and registration by class before → after. It comes first in every format of a change-window
// report.
func Verdict(d *results.Diff) string {
	broke, recovered := d.StatusChanges()
	var b strings.Builder
	switch len(broke) {
	case 0:
		b.WriteString("Nothing broke: no device stopped registering")
	case 1:
		b.WriteString("1 device broke")
	default:
		b.WriteString(num(len(broke)) + " devices broke")
	}
	b.WriteString(", " + num(len(recovered)) + " recovered.")
	if len(d.Registration) > 0 {
		b.WriteString(" Registered by class, before → after: ")
		for i, c := range d.Registration {
			if i > 0 {
				b.WriteString("; ")
			}
			fmt.Fprintf(&b, "%s %s → %s", c.Class, atLeastNum(c.RegisteredBefore, c.IncompleteBefore),
				atLeastNum(c.RegisteredAfter, c.IncompleteAfter))
			if ch := changeBound(c.RegisteredAfter-c.RegisteredBefore, c.IncompleteBefore, c.IncompleteAfter); ch != "0" {
				b.WriteString(" (" + ch + ")")
			}
		}
		b.WriteString(".")
	}
	return b.String()
}

// atLeastNum is atLeast with thousands separators.
func atLeastNum(n int, incomplete bool) string {
	if incomplete {
		return "≥ " + num(n)
	}
	return num(n)
}

// atLeast prints a count, or "≥ N" when it came from incomplete RisPort coverage and is only a
// lower bound (such a cell is text in the XLSX, never a number to sum).
func atLeast(n int, incomplete bool) string {
	if incomplete {
		return "≥ " + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// changeBound prints the change after - before of registration counts. Exact when both sides
// were read completely; a lower bound ("≥ +3") when only the after count is a lower bound; an
// upper bound ("≤ -2") when only the before count is; "unknown" when both are.
func changeBound(n int, beforeIncomplete, afterIncomplete bool) string {
	switch {
	case beforeIncomplete && afterIncomplete:
		return "unknown"
	case afterIncomplete:
		return "≥ " + signedRaw(n)
	case beforeIncomplete:
		return "≤ " + signedRaw(n)
	}
	return signedRaw(n)
}

// coverageNote says whether a class's counts are exact, or which snapshot's RisPort coverage of
// it had a gap.
func coverageNote(d *results.Diff, c results.ClassDelta) string {
	switch {
	case c.IncompleteBefore && c.IncompleteAfter:
		return fmt.Sprintf("incomplete in #%d and #%d: counts are lower bounds, change unknown", d.Before.ID, d.After.ID)
	case c.IncompleteBefore:
		return fmt.Sprintf("incomplete in #%d (before): its counts are lower bounds", d.Before.ID)
	case c.IncompleteAfter:
		return fmt.Sprintf("incomplete in #%d (after): its counts are lower bounds", d.After.ID)
	}
	return "complete"
}

// signedRaw prints a change with its sign and no separators: +3, -12, 0.
func signedRaw(n int) string {
	if n > 0 {
		return "+" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// selectionText says that a report covers only some rules, or "" when it covers them all.
func selectionText(sel *results.RuleSelection) string {
	if sel == nil {
		return ""
	}
	var flags []string
	if len(sel.Packs) > 0 {
		flags = append(flags, "--pack "+strings.Join(sel.Packs, ","))
	}
	if len(sel.Only) > 0 {
		flags = append(flags, "--only "+strings.Join(sel.Only, ","))
	}
	if len(sel.Skip) > 0 {
		flags = append(flags, "--skip "+strings.Join(sel.Skip, ","))
	}
	how := ""
	if len(flags) > 0 {
		how = " (" + strings.Join(flags, " ") + ")"
	}
	rules := "rules"
	if sel.Available == 1 {
		rules = "rule"
	}
	return fmt.Sprintf("This report covers %s of %s %s%s; findings of other rules are not included.",
		num(sel.Evaluated), num(sel.Available), rules, how)
}

// changeNotCompared explains the "not compared" findings of an executive summary's change
// since the previous snapshot.
func changeNotCompared(c *results.ChangeSummary) string {
	return fmt.Sprintf("Findings not compared with snapshot #%d: it has not been analyzed, so new and resolved findings are unknown, not zero "+
		"(run cucm-audit analyze --snapshot %d).", c.PreviousID, c.PreviousID)
}
