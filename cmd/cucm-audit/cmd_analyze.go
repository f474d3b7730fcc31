package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// analyzeFlags are the rule flags shared by analyze and run.
type analyzeFlags struct {
	ruleDirs []string
	only     []string
	skip     []string
	params   map[string]string
	waivers  string
	eol      string
	failOn   analyze.Severity
}

func addRuleDirsFlag(fs *flag.FlagSet, dirs *[]string) {
	fs.Func("rules", "folder of extra rule packs (*.yaml), added to the built-ins (repeatable)", func(s string) error {
		*dirs = append(*dirs, s)
		return nil
	})
}

// addAnalyzeFlags registers --rules, --only, --skip, --param, --waivers, --eol and --fail-on.
func addAnalyzeFlags(fs *flag.FlagSet) *analyzeFlags {
	af := &analyzeFlags{params: map[string]string{}}
	addRuleDirsFlag(fs, &af.ruleDirs)
	fs.Func("only", "evaluate only these rule ids or categories (comma-separated, repeatable)", func(s string) error {
		af.only = append(af.only, splitList(s)...)
		return nil
	})
	fs.Func("skip", "skip these rule ids or categories (comma-separated, repeatable)", func(s string) error {
		af.skip = append(af.skip, splitList(s)...)
		return nil
	})
	fs.Func("param", "override a rule parameter: RULE-ID.name=value, e.g. REG-002.days=45 (repeatable)", func(s string) error {
		k, v, ok := strings.Cut(s, "=")
		if !ok || !strings.Contains(k, ".") {
			return fmt.Errorf("want RULE-ID.name=value (e.g. REG-002.days=45), got %q", s)
		}
		af.params[strings.TrimSpace(k)] = v
		return nil
	})
	fs.StringVar(&af.waivers, "waivers", "", "waiver file (YAML, see rules/README.md)")
	fs.StringVar(&af.eol, "eol", "", "end-of-life model data replacing the built-in rules/eol-models.yaml")
	fs.Func("fail-on", "exit 3 when open findings at or above this severity remain after waivers (info, low, medium, high, critical)", func(s string) error {
		return af.failOn.Set(s)
	})
	return af
}

// options loads and checks the rules, parameters, waivers and end-of-life data now, so that a
// configuration mistake fails before anything is collected.
func (af *analyzeFlags) options() (analyze.Options, error) {
	set, err := analyze.LoadRules(af.ruleDirs...)
	if err != nil {
		return analyze.Options{}, err
	}
	if _, err := set.Select(af.only, af.skip); err != nil {
		return analyze.Options{}, err
	}
	if err := analyze.CheckParams(set, af.params); err != nil {
		return analyze.Options{}, err
	}
	if af.waivers != "" {
		if _, err := analyze.LoadWaivers(af.waivers); err != nil {
			return analyze.Options{}, err
		}
	}
	if _, err := analyze.LoadEOL(af.eol); err != nil {
		return analyze.Options{}, err
	}
	return analyze.Options{
		RuleDirs: af.ruleDirs, Rules: set, Only: af.only, Skip: af.skip, Params: af.params,
		WaiversFile: af.waivers, EOLFile: af.eol, ToolVersion: toolVersion(),
	}, nil
}

// failOnFindings is the exit-3 error when open findings at or above --fail-on remain.
func (af *analyzeFlags) failOnFindings(res *analyze.Result) error {
	if af.failOn == 0 {
		return nil
	}
	if n := res.CountAtLeast(af.failOn); n > 0 {
		return withCode(exitFindings, fmt.Errorf("%d open finding(s) at or above %s (waived findings do not count)", n, af.failOn))
	}
	return nil
}

func runAnalyze(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("analyze", "analyze [--db FILE] [--snapshot ID|latest] [--rules DIR]... [--only ID,...] [--skip ID,...] "+
		"[--param ID.name=value]... [--waivers FILE] [--eol FILE] [--fail-on SEVERITY] [--format text|json]", stderr)
	db := dbFlag(fs)
	ref := fs.String("snapshot", "latest", "snapshot to analyse: an id, latest or latest~N")
	cluster := fs.String("cluster", "", "cluster id for latest, when the database holds several")
	af := addAnalyzeFlags(fs)
	var format outputFormat
	fs.Var(&format, "format", "output format: text or json")
	top := fs.Int("top", 5, "entities named per rule in text output")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	opts, err := af.options()
	if err != nil {
		return err
	}
	store, err := snapshot.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	meta, err := store.Resolve(ctx, *ref, *cluster)
	if err != nil {
		return err
	}
	res, err := analyze.Run(ctx, store, meta.ID, opts)
	if err != nil {
		return err
	}
	if format == formatJSON {
		if err := writeJSON(stdout, res.Document(af.failOn)); err != nil {
			return err
		}
	} else {
		writeAnalysisText(stdout, res, *top)
	}
	return af.failOnFindings(res)
}

// writeAnalysisText prints the result for a person: counts, then each failing rule with its
// first entities (never thousands of lines), inconclusive rules with their reasons, waivers.
func writeAnalysisText(w io.Writer, res *analyze.Result, top int) {
	doc := res.Document(0)
	m := res.Snapshot
	fmt.Fprintf(w, "Snapshot #%d  %s  %s  %s", m.ID, m.ClusterID, m.StartedAt.UTC().Format("2006-01-02 15:04 UTC"), m.Status)
	if m.CUCMVersion != "" {
		fmt.Fprintf(w, "  CUCM %s", m.CUCMVersion)
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
	for _, sev := range analyze.Severities {
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
		case analyze.OutcomeInconclusive:
			inc = append(inc, r)
		case analyze.OutcomeError:
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
	var waived []analyze.Finding
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
		list  []analyze.Waiver
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

func openFindings(r analyze.RuleResult) []analyze.Finding {
	var out []analyze.Finding
	for _, f := range r.Findings {
		if f.Open() {
			out = append(out, f)
		}
	}
	return out
}

// findingLines shows a few findings: their messages when there are few, else entity names.
func findingLines(fs []analyze.Finding, top int) []string {
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

// printAnalysisSummary is the analysis as `cucm-audit demo` and `run` print it: the same text
// as `cucm-audit analyze`.
func printAnalysisSummary(w io.Writer, res *analyze.Result) {
	writeAnalysisText(w, res, 5)
}
