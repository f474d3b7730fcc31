package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/cucm-audit/cucm-audit/analyze"
)

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
