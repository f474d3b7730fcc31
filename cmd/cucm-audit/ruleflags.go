package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/cucm-audit/cucm-audit/analyze"
)

// ruleFlags are the rule-selection flags that analyze and run share.
type ruleFlags struct {
	ruleDirs []string
	only     []string
	skip     []string
	params   map[string]string
	waivers  string
	eol      string
	failOn   analyze.Severity
}

func addRuleFlags(fs *flag.FlagSet) *ruleFlags {
	rf := &ruleFlags{params: map[string]string{}}
	fs.Func("rules", "folder of extra rule packs (*.yaml), added to the built-ins (repeatable)", func(s string) error {
		rf.ruleDirs = append(rf.ruleDirs, s)
		return nil
	})
	fs.Func("only", "evaluate only these rule ids or categories (comma-separated, repeatable)", func(s string) error {
		rf.only = append(rf.only, splitList(s)...)
		return nil
	})
	fs.Func("skip", "skip these rule ids or categories (comma-separated, repeatable)", func(s string) error {
		rf.skip = append(rf.skip, splitList(s)...)
		return nil
	})
	fs.Func("param", "override a rule parameter: RULE-ID.name=value, e.g. REG-002.days=45 (repeatable)", func(s string) error {
		k, v, ok := strings.Cut(s, "=")
		if !ok || !strings.Contains(k, ".") {
			return fmt.Errorf("want RULE-ID.name=value (e.g. REG-002.days=45), got %q", s)
		}
		rf.params[strings.TrimSpace(k)] = v
		return nil
	})
	fs.StringVar(&rf.waivers, "waivers", "", "waiver file (YAML, see rules/README.md)")
	fs.StringVar(&rf.eol, "eol", "", "end-of-life model data replacing the built-in rules/eol-models.yaml")
	fs.Func("fail-on", "exit 3 when open findings at or above this severity remain after waivers (info, low, medium, high, critical)", func(s string) error {
		return rf.failOn.Set(s)
	})
	return rf
}

// options are the analyze.Options the flags select.
func (rf *ruleFlags) options() analyze.Options {
	return analyze.Options{
		RuleDirs: rf.ruleDirs, Only: rf.only, Skip: rf.skip, Params: rf.params,
		WaiversFile: rf.waivers, EOLFile: rf.eol, ToolVersion: toolVersion(),
	}
}

// failOnFindings turns open findings at or above --fail-on into exit code 3.
func (rf *ruleFlags) failOnFindings(res *analyze.Result) error {
	if rf.failOn == 0 {
		return nil
	}
	if n := res.CountAtLeast(rf.failOn); n > 0 {
		return withCode(exitFindings, fmt.Errorf("%d open finding(s) at or above %s (waived findings do not count)", n, rf.failOn))
	}
	return nil
}
