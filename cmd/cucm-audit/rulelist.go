package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// RuleListSchemaVersion versions `rules list --format json`. Version 2 groups the rules by pack
// (version 1, before packs, was a bare list of rules).
const ruleListSchemaVersion = 2

// ruleList is `rules list` as JSON: the rules grouped by pack, with counts.
type ruleList struct {
	SchemaVersion int        `json:"schema_version"`
	Rules         int        `json:"rules"`
	Packs         []packList `json:"packs"`
}

// packList is one pack of `rules list`.
type packList struct {
	Name       string             `json:"name"`
	Title      string             `json:"title"`
	Compliance bool               `json:"compliance"`
	File       string             `json:"file"`
	Count      int                `json:"count"`
	Rules      []results.RuleInfo `json:"rules"`
}

// listPacks groups the rule set by pack, in load order.
func listPacks(set *analyze.RuleSet) ruleList {
	l := ruleList{SchemaVersion: ruleListSchemaVersion, Rules: len(set.Rules), Packs: []packList{}}
	for _, p := range set.Packs {
		pl := packList{Name: p.Name, Title: p.Title, Compliance: p.Compliance, File: p.File, Rules: []results.RuleInfo{}}
		for _, r := range set.PackRules(p.Name) {
			pl.Rules = append(pl.Rules, r.Info(nil))
		}
		pl.Count = len(pl.Rules)
		l.Packs = append(l.Packs, pl)
	}
	return l
}

// writeRuleList prints `rules list`: one heading per pack with its count, its rules beneath in
// columns aligned across packs, and the totals.
func writeRuleList(w io.Writer, l ruleList) {
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
		fmt.Fprintf(tw, "%s: %s (%d %s%s)\n", p.Name, p.Title, p.Count, plural(p.Count, "rule", "rules"), kind)
		for _, r := range p.Rules {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Category, r.Title)
		}
	}
	fmt.Fprintf(tw, "\n%d rules in %d packs (%d compliance packs: --pack selects packs)\n", l.Rules, len(l.Packs), compliance)
	tw.Flush()
}
