package render

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// AnalysisLine is the one line `analyze --quiet` prints.
func AnalysisLine(res *analyze.Result) string {
	return fmt.Sprintf("cucm-audit analyze: %s snapshot #%d %s; analysis #%d: %d rules, %s", res.Snapshot.ClusterID,
		res.Snapshot.ID, res.Snapshot.Status, res.AnalysisID, res.Document(0).Summary.Rules, openText(res))
}

// openText counts an analysis's open findings in a few words: "12 open findings (critical 1,
// high 11), 2 rules inconclusive".
func openText(res *analyze.Result) string {
	doc := res.Document(0)
	var sev []string
	for _, sc := range doc.Open {
		if sc.Count > 0 {
			sev = append(sev, fmt.Sprintf("%s %d", sc.Severity, sc.Count))
		}
	}
	l := fmt.Sprintf("%d open findings", doc.Summary.Open)
	if len(sev) > 0 {
		l += " (" + strings.Join(sev, ", ") + ")"
	}
	if n := doc.Summary.Inconclusive + doc.Summary.Error; n > 0 {
		rules := "rules"
		if n == 1 {
			rules = "rule"
		}
		l += fmt.Sprintf(", %d %s inconclusive or in error", n, rules)
	}
	return l
}

// RunLine is the one line `run --quiet` prints: what the run got to, whatever stopped it. The
// fields are filled as the run gets through its stages.
type RunLine struct {
	Cluster  string
	Meta     snapshot.Meta
	Result   *analyze.Result
	Report   *results.Report
	Manifest string
}

func (l RunLine) String() string {
	parts := []string{"cucm-audit run: " + l.Cluster}
	if l.Meta.ID == 0 {
		return parts[0] + ": no snapshot stored"
	}
	parts = append(parts, fmt.Sprintf("snapshot #%d %s", l.Meta.ID, l.Meta.Status))
	if l.Result != nil {
		parts = append(parts, fmt.Sprintf("analysis #%d: %s", l.Result.AnalysisID, openText(l.Result)))
	}
	if l.Report != nil && l.Report.Summary.Change != nil {
		parts = append(parts, changeText(l.Report.Summary.Change))
	}
	if l.Manifest != "" {
		parts = append(parts, "reports: "+l.Manifest)
	}
	return strings.Join(parts, "; ")
}

// changeText says what changed since the previous snapshot, in a few words.
func changeText(c *results.ChangeSummary) string {
	var ch []string
	if !c.FindingsNotCompared && (c.NewFindings > 0 || c.ResolvedFindings > 0) {
		ch = append(ch, fmt.Sprintf("%d new and %d resolved findings", c.NewFindings, c.ResolvedFindings))
	}
	if c.DevicesAdded > 0 || c.DevicesRemoved > 0 {
		ch = append(ch, fmt.Sprintf("%d devices added, %d removed", c.DevicesAdded, c.DevicesRemoved))
	}
	if c.RegisteredDelta != 0 {
		ch = append(ch, fmt.Sprintf("registered %+d", c.RegisteredDelta))
	}
	if len(ch) == 0 {
		if c.FindingsNotCompared {
			return fmt.Sprintf("since #%d: no device change (findings not compared)", c.PreviousID)
		}
		return fmt.Sprintf("unchanged since #%d", c.PreviousID)
	}
	return fmt.Sprintf("since #%d: %s", c.PreviousID, strings.Join(ch, ", "))
}

// ReportLine is the one line `report --quiet` prints.
func ReportLine(rep *results.Report, m Manifest) string {
	return fmt.Sprintf("cucm-audit report: %s snapshot #%d, analysis #%d: %d %s; manifest %s", rep.Snapshot.ClusterID, rep.Snapshot.ID,
		rep.Analysis.ID, len(m.Files), Plural(len(m.Files), "file", "files"), m.Path)
}

// WritePaths prints every written file and then the manifest, one path per line.
func (m Manifest) WritePaths(w io.Writer) error {
	ew := &errWriter{w: w}
	for _, f := range m.Files {
		fmt.Fprintln(ew, f.Path)
	}
	fmt.Fprintln(ew, m.Path)
	return ew.err
}

// ResultText prints an analysis for a person: counts, then each failing rule with its first
// top entities (never thousands of lines), inconclusive rules with their reasons, waivers.
func ResultText(res *analyze.Result, top int) func(io.Writer) error {
	return func(w io.Writer) error {
		ew := &errWriter{w: w}
		writeAnalysisText(ew, res, top)
		return ew.err
	}
}

func writeAnalysisText(w io.Writer, res *analyze.Result, top int) {
	doc := res.Document(0)
	m := res.Snapshot
	fmt.Fprintf(w, "Snapshot #%d  %s  %s  %s", m.ID, m.ClusterID, m.StartedAt.UTC().Format("2006-01-02 15:04 UTC"), m.Status)
	if m.CUCMVersion != "" {
		fmt.Fprintf(w, "  CUCM %s", m.CUCMVersion)
	}
	if m.Status != "" && m.Status != snapshot.StatusComplete {
		fmt.Fprintf(w, "\nPartial snapshot: some sources were not read completely (`cucm-audit show --snapshot %d` names them); rules needing them are inconclusive, and RisPort counts from them are bounds, not exact", m.ID)
	}
	fmt.Fprintf(w, "\nAnalysis #%d: %d rules in %.2fs: %d fail, %d pass, %d inconclusive, %d error\n",
		res.AnalysisID, doc.Summary.Rules, res.Duration.Seconds(), doc.Summary.Fail, doc.Summary.Pass, doc.Summary.Inconclusive, doc.Summary.Error)
	var parts []string
	for _, sc := range doc.Open {
		parts = append(parts, fmt.Sprintf("%s %d", sc.Severity, sc.Count))
	}
	fmt.Fprintf(w, "Open findings: %s  (waived %d)\n", strings.Join(parts, ", "), doc.Summary.Waived)

	rules := append([]analyze.RuleResult(nil), res.Rules...)
	sort.SliceStable(rules, func(i, j int) bool {
		if rules[i].Rule.Severity != rules[j].Rule.Severity {
			return rules[i].Rule.Severity > rules[j].Rule.Severity
		}
		return rules[i].Rule.ID < rules[j].Rule.ID
	})
	for _, sev := range results.Severities() {
		var lines []string
		for _, r := range rules {
			open := openFindings(r)
			if r.Rule.Severity != sev || len(open) == 0 {
				continue
			}
			lines = append(lines, fmt.Sprintf("  %-8s %5d  %s", r.Rule.ID, len(open), r.Rule.Title))
			lines = append(lines, findingLines(open, top)...)
		}
		if len(lines) > 0 {
			fmt.Fprintf(w, "\n%s\n%s\n", strings.ToUpper(sev.String()), strings.Join(lines, "\n"))
		}
	}
	var inc, errs []analyze.RuleResult
	for _, r := range res.Rules {
		switch r.Outcome {
		case results.OutcomeInconclusive:
			inc = append(inc, r)
		case results.OutcomeError:
			errs = append(errs, r)
		}
	}
	for _, g := range []struct {
		title string
		list  []analyze.RuleResult
	}{{"Inconclusive (inputs incomplete, no findings reported)", inc}, {"Errors (rule failed while running)", errs}} {
		if len(g.list) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s: %d\n", g.title, len(g.list))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, r := range g.list {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", r.Rule.ID, r.Rule.Title, r.Reason)
		}
		tw.Flush()
	}
	var waived []results.Finding
	for _, r := range res.Rules {
		for _, f := range r.Findings {
			if !f.Open() {
				waived = append(waived, f)
			}
		}
	}
	if len(waived) > 0 {
		fmt.Fprintf(w, "\nWaived: %d\n", len(waived))
		for i, f := range waived {
			if i == top*4 {
				fmt.Fprintf(w, "  ... %d more (see --format json or the report)\n", len(waived)-i)
				break
			}
			fmt.Fprintf(w, "  %-8s %s  (%s, until %s: %s)\n", f.RuleID, f.Entity, f.Waiver.Owner, f.Waiver.Expires, f.Waiver.Statement)
		}
	}
	for _, g := range []struct {
		title string
		list  []results.Waiver
	}{{"Expired waivers (their findings count again)", res.Waivers.Expired}, {"Stale waivers (matched nothing)", res.Waivers.Stale}} {
		if len(g.list) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s: %d\n", g.title, len(g.list))
		for _, wv := range g.list {
			fmt.Fprintf(w, "  %-8s %s  (%s, expires %s)\n", wv.Rule, wv.Entity, wv.Owner, wv.Expires)
		}
	}
}

func openFindings(r analyze.RuleResult) []results.Finding {
	var out []results.Finding
	for _, f := range r.Findings {
		if f.Open() {
			out = append(out, f)
		}
	}
	return out
}

// findingLines shows a few findings: their messages when there are few, else entity names.
func findingLines(fs []results.Finding, top int) []string {
	if top <= 0 {
		return nil
	}
	if len(fs) <= top {
		var out []string
		for _, f := range fs {
			text := f.Message
			if text == "" {
				text = f.Entity
			}
			out = append(out, "           "+text)
		}
		return out
	}
	names := make([]string, 0, top)
	for _, f := range fs[:top] {
		names = append(names, f.Entity)
	}
	return []string{fmt.Sprintf("           %s ... and %d more", strings.Join(names, ", "), len(fs)-top)}
}
