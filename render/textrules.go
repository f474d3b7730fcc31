package render

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// RulesCheckText is what `cucm-audit rules check` prints when every file passed: the waivers of
// waiverFile (when it is not "") and the packs of set.
func RulesCheckText(set *analyze.RuleSet, waivers int, waiverFile string) func(io.Writer) error {
	return func(w io.Writer) error {
		ew := &errWriter{w: w}
		if waiverFile != "" {
			fmt.Fprintf(ew, "ok: %d waivers in %s\n", waivers, waiverFile)
		}
		fmt.Fprintf(ew, "ok: %d rules in %d packs (%s)\n", len(set.Rules), len(set.Files), strings.Join(set.Files, ", "))
		return ew.err
	}
}

// RuleText prints one rule in full for `cucm-audit rules show`.
func RuleText(r *analyze.Rule) func(io.Writer) error {
	return func(w io.Writer) error {
		ew := &errWriter{w: w}
		writeRule(ew, r)
		return ew.err
	}
}

func writeRule(w io.Writer, r *analyze.Rule) {
	fmt.Fprintf(w, "%s  %s\n", r.ID, r.Title)
	fmt.Fprintf(w, "severity: %s   category: %s   pack: %s   defined in %s:%d\n", r.Severity, r.Category, r.Pack, r.File, r.Line)
	section := func(name, text string) {
		if text != "" {
			fmt.Fprintf(w, "\n%s:\n  %s\n", name, strings.ReplaceAll(strings.TrimSpace(text), "\n", "\n  "))
		}
	}
	section("Description", r.Description)
	section("Rationale", r.Rationale)
	section("Remediation", r.Remediation)
	section("References", strings.Join(r.References, "\n"))
	section("Controls", strings.Join(r.Controls, ", "))
	section("Requires", strings.Join(r.Requires, ", "))
	if len(r.Params) > 0 {
		var lines []string
		for _, p := range r.Params {
			line := fmt.Sprintf("%s (%s, default %v)", p.Name, p.Type, p.Default)
			if p.Description != "" {
				line += ": " + p.Description
			}
			lines = append(lines, line)
		}
		section("Parameters (override with --param "+r.ID+".NAME=VALUE)", strings.Join(lines, "\n"))
	}
	section("Query", r.Query)
	section("Message", r.Message)
}

// RuleListText prints `rules list`: one heading per pack with its count, its rules beneath in
// columns aligned across packs, and the totals.
func RuleListText(l results.RuleList) func(io.Writer) error {
	return func(w io.Writer) error {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		compliance := 0
		for i, p := range l.Packs {
			if i > 0 {
				fmt.Fprintln(tw)
			}
			kind := ""
			if p.Compliance {
				kind = ", compliance"
				compliance++
			}
			fmt.Fprintf(tw, "%s: %s (%d %s%s)\n", p.Name, p.Title, p.Count, Plural(p.Count, "rule", "rules"), kind)
			for _, r := range p.Rules {
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Category, r.Title)
			}
		}
		fmt.Fprintf(tw, "\n%d rules in %d packs (%d compliance packs: --pack selects packs)\n", l.Rules, len(l.Packs), compliance)
		return tw.Flush()
	}
}
