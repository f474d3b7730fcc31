package render

import (
	"strconv"
	"strings"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// The Compliance section (Report.Compliance) as every format lays it out: the same tables,
// built here once, so the PDF, HTML, Markdown and XLSX say the same thing.

// complianceTitle heads the section in every format.
const complianceTitle = "Compliance"

// complianceIntro is the sentence before the section's tables, naming the packs the report
// holds (a report --pack names only those).
func complianceIntro(cs []results.PackCompliance) string {
	names := make([]string, 0, len(cs))
	for _, p := range cs {
		name := p.Title
		if name == "" {
			name = p.Pack
		}
		names = append(names, strings.ToLower(name))
	}
	return "One entry per compliance pack (" + strings.Join(names, ", ") + "): how its rules ended, its worst failing " +
		"rules (most severe, then most findings) and the controls they map to. A rule without a verdict (its inputs " +
		"were incomplete) is neither a pass nor a fail."
}

// complianceExampleRunes bounds the example finding of a worst rule outside the XLSX and JSON.
const complianceExampleRunes = 140

// Column heads of the section's tables.
var (
	compliancePackCols    = []string{"Pack", "Verdict", "Rules", "Pass", "Fail", "No verdict", "Open findings", "Controls failing"}
	compliancePackNum     = []bool{false, false, true, true, true, true, true, false}
	complianceWorstCols   = []string{"Pack", "Rule", "Severity", "Open findings", "Title", "Example", "Controls"}
	complianceWorstNum    = []bool{false, false, false, true}
	complianceNoVerdCols  = []string{"Pack", "Rule", "Title", "Outcome", "Why no verdict"}
	complianceControlCols = []string{"Pack", "Control", "Verdict", "Rules"}
)

// complianceRules is "4" or "3 of 4" when the analysis left some of the pack's rules out.
func complianceRules(p results.PackCompliance) string {
	if p.NotEvaluated > 0 {
		return strconv.Itoa(p.Rules) + " of " + strconv.Itoa(p.Rules+p.NotEvaluated)
	}
	return strconv.Itoa(p.Rules)
}

// failingControls lists the labels of a pack's controls that a rule failed, "none" without.
func failingControls(p results.PackCompliance) string {
	if l := failingLabels(p); len(l) > 0 {
		return strings.Join(l, ", ")
	}
	return "none"
}

// compliancePackRows is one row per pack: verdict and counts.
func compliancePackRows(cs []results.PackCompliance) [][]string {
	rows := make([][]string, 0, len(cs))
	for _, p := range cs {
		rows = append(rows, []string{p.Title, string(p.Outcome), complianceRules(p), num(p.Pass), num(p.Fail),
			num(p.Inconclusive + p.Error), num(p.Findings), failingControls(p)})
	}
	return rows
}

// complianceWorstRows is each pack's worst failing rules; examples are cut at max runes (<0:
// whole).
func complianceWorstRows(cs []results.PackCompliance, max int) [][]string {
	var rows [][]string
	for _, p := range cs {
		for _, w := range p.Worst {
			ex := w.Example
			if max >= 0 {
				ex = truncate(oneLine(ex), max)
			}
			rows = append(rows, []string{p.Title, w.RuleID, w.Severity.String(), num(w.Findings), w.Title, ex, strings.Join(w.Controls, ", ")})
		}
	}
	return rows
}

// complianceMore says which packs have more failing rules than the worst ones shown; "" when
// none.
func complianceMore(cs []results.PackCompliance) string {
	var parts []string
	for _, p := range cs {
		if p.MoreFailing > 0 {
			parts = append(parts, p.Title+": "+num(p.MoreFailing)+" more")
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "Further failing rules (" + strings.Join(parts, "; ") + ") are under Findings by rule."
}

// complianceNoVerdictRows lists the rules of the packs that reached no verdict, with the reason.
func complianceNoVerdictRows(cs []results.PackCompliance) [][]string {
	var rows [][]string
	for _, p := range cs {
		for _, u := range p.Unconcluded {
			rows = append(rows, []string{p.Title, u.RuleID, u.Title, string(u.Outcome), u.Reason})
		}
	}
	return rows
}

// complianceControlRows is every control of every pack with its verdict and rules.
func complianceControlRows(cs []results.PackCompliance) [][]string {
	var rows [][]string
	for _, p := range cs {
		for _, c := range p.Controls {
			rows = append(rows, []string{p.Title, c.Label, string(c.Outcome), strings.Join(c.Rules, ", ")})
		}
	}
	return rows
}

// complianceView is the section for the Markdown and HTML templates.
type complianceView struct {
	Title, Intro, More                  string
	PackCols, WorstCols                 []string
	PackNum, WorstNum                   []bool // right-aligned (numeric) columns
	NoVerdictCols, ControlCols          []string
	Packs, Worst, NoVerdict, ControlRow [][]string
}

// newComplianceView builds the section of r; nil when the report has no compliance pack.
func newComplianceView(r *results.Report, exampleRunes int) *complianceView {
	if len(r.Compliance) == 0 {
		return nil
	}
	cs := r.Compliance
	return &complianceView{Title: complianceTitle, Intro: complianceIntro(cs), More: complianceMore(cs),
		PackCols: compliancePackCols, WorstCols: complianceWorstCols, PackNum: compliancePackNum, WorstNum: complianceWorstNum, NoVerdictCols: complianceNoVerdCols, ControlCols: complianceControlCols,
		Packs: compliancePackRows(cs), Worst: complianceWorstRows(cs, exampleRunes), NoVerdict: complianceNoVerdictRows(cs),
		ControlRow: complianceControlRows(cs)}
}

// compliance draws the PDF's Compliance section as one table: per pack its counts, its worst
// failing rules by id and open findings (described under Findings by rule) and the controls
// they failed, then the rules without a verdict. The examples and every control are in the
// XLSX, HTML, Markdown and JSON; the PDF keeps to its page budget (issue 15).
func (d *pdfDoc) compliance() {
	cs := d.rep.Compliance
	if len(cs) == 0 {
		return
	}
	d.flowSection(complianceTitle)
	d.para(compliancePDFNote, "", pdfBodySize, colInk)
	rows := make([][]string, 0, len(cs))
	for _, p := range cs {
		rows = append(rows, []string{p.Title, string(p.Outcome), complianceRules(p), num(p.Pass), num(p.Fail),
			num(p.Inconclusive + p.Error), num(p.Findings), worstIDs(p), shortLabels(failingLabels(p))})
	}
	d.table([]pdfCol{{"Pack", 17, "L"}, {"Verdict", 10, "L"}, {"Rules", 6, "R"}, {"Pass", 5, "R"}, {"Fail", 5, "R"},
		{"No verdict", 7, "R"}, {"Open", 6, "R"}, {"Worst failing rules (open)", 22, "L"}, {"Controls failing", 22, "L"}},
		rows, outcomeStyle(cs))
	if rows := complianceNoVerdictRows(cs); len(rows) > 0 {
		d.heading("Rules without a verdict", 15)
		d.table([]pdfCol{{"Pack", 16, "L"}, {"Rule", 9, "L"}, {"Title", 28, "L"}, {"Outcome", 11, "L"}, {"Why no verdict", 36, "L"}}, rows, nil)
	}
}

// compliancePDFNote introduces the PDF's Compliance table.
const compliancePDFNote = "Per compliance pack: how its rules ended (a rule without a verdict is neither a pass nor a fail), " +
	"its worst failing rules (most severe, then most open findings; described under Findings by rule) and the controls they failed. " +
	"Every control, with examples, is in the XLSX."

// worstIDs is "EMG-001 (2), EMG-003 (2)", "+N more" when the pack has more failing rules.
func worstIDs(p results.PackCompliance) string {
	var parts []string
	for _, w := range p.Worst {
		parts = append(parts, w.RuleID+" ("+num(w.Findings)+")")
	}
	if p.MoreFailing > 0 {
		parts = append(parts, "+"+num(p.MoreFailing)+" more")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// failingLabels lists the labels of a pack's controls that a rule failed.
func failingLabels(p results.PackCompliance) []string {
	var out []string
	for _, c := range p.Controls {
		if c.Outcome == results.OutcomeFail {
			out = append(out, c.Label)
		}
	}
	return out
}

// shortLabels joins control labels, naming a framework once for the labels after it that
// share it: "ISO 27001 A.5.9, A.8.19", "none" for no label.
func shortLabels(labels []string) string {
	if len(labels) == 0 {
		return "none"
	}
	var b strings.Builder
	prev := ""
	for i, l := range labels {
		fw, ref := l, ""
		if j := strings.LastIndexByte(l, ' '); j > 0 {
			fw, ref = l[:j], l[j+1:]
		}
		if i > 0 {
			b.WriteString(", ")
		}
		if fw == prev && ref != "" {
			b.WriteString(ref)
		} else {
			b.WriteString(l)
		}
		prev = fw
	}
	return b.String()
}

// outcomeStyle colours the Verdict column of the pack table.
func outcomeStyle(cs []results.PackCompliance) tableStyle {
	return func(row, col int) (rgb, bool) {
		if col != 1 || row >= len(cs) {
			return rgb{}, false
		}
		switch cs[row].Outcome {
		case results.OutcomeFail:
			return colBad, true
		case results.OutcomeInconclusive:
			return colMuted, true
		}
		return rgb{}, false
	}
}

// complianceSheet writes the XLSX's Compliance sheet: one row per pack with its counts as
// numbers, its worst failing rules, the rules without a verdict and its controls.
func (b *xlsxBook) complianceSheet(sw *sheetRec, r *results.Report) error {
	var rows [][]any
	for _, p := range r.Compliance {
		var worst, noVerdict, controls []string
		for _, w := range p.Worst {
			worst = append(worst, w.RuleID+" ("+w.Severity.String()+", "+strconv.Itoa(w.Findings)+"): "+w.Title)
		}
		for _, u := range p.Unconcluded {
			noVerdict = append(noVerdict, u.RuleID+": "+u.Reason)
		}
		for _, c := range p.Controls {
			controls = append(controls, c.Label+" "+string(c.Outcome)+" ("+strings.Join(c.Rules, ", ")+")")
		}
		rows = append(rows, cells(p.Title, p.Pack, string(p.Outcome), p.Rules, p.NotEvaluated, p.Pass, p.Fail, p.Inconclusive, p.Error,
			p.Findings, p.Waived, failingControls(p), strings.Join(worst, "; "), p.MoreFailing, strings.Join(noVerdict, "; "),
			strings.Join(controls, "; ")))
	}
	return b.table(sw, []string{"Pack", "Pack name", "Verdict", "Rules evaluated", "Rules not evaluated", "Pass", "Fail",
		"Inconclusive", "Error", "Open findings", "Waived", "Controls failing", "Worst failing rules", "More failing rules",
		"Rules without a verdict", "Controls"}, rows)
}
