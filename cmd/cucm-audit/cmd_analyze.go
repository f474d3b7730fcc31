package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/collect"
	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// analyzeFlags are the rule flags shared by analyze and run.
type analyzeFlags struct {
	fs       *flag.FlagSet
	ruleDirs []string
	only     []string
	skip     []string
	packs    packFlag
	params   map[string]string
	waivers  string
	eol      string
	failOn   analyze.Severity
	// ruleTimeout and ruleMaxRows are the limits of one rule (0: the engine's defaults).
	ruleTimeout time.Duration
	ruleMaxRows int
}

func addRuleDirsFlag(fs *flag.FlagSet, dirs *[]string) {
	fs.Func("rules", "folder of extra rule packs (*.yaml), added to the built-ins (repeatable)", func(s string) error {
		*dirs = append(*dirs, s)
		return nil
	})
}

// addAnalyzeFlags registers --rules, --pack, --only, --skip, --param, --waivers, --eol, --rule-timeout,
// --rule-max-rows and --fail-on.
func addAnalyzeFlags(fs *flag.FlagSet) *analyzeFlags {
	af := &analyzeFlags{fs: fs, params: map[string]string{}}
	addRuleDirsFlag(fs, &af.ruleDirs)
	addPackFlag(fs, &af.packs)
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
	fs.Func("rule-timeout", fmt.Sprintf("time limit of one rule's query, a Go duration (default %s); a rule past it is an error result", analyze.DefaultRuleTimeout), func(s string) error {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return fmt.Errorf("want a positive Go duration such as 60s or 5m, got %q", s)
		}
		af.ruleTimeout = d
		return nil
	})
	fs.Func("rule-max-rows", fmt.Sprintf("row limit of one rule's query (default %d); a rule past it is an error result", analyze.DefaultRuleMaxRows), func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return fmt.Errorf("want a whole number ≥ 1, got %q", s)
		}
		af.ruleMaxRows = n
		return nil
	})
	fs.Func("fail-on", "exit 3 when open findings at or above this severity remain after waivers (info, low, medium, high, critical)", func(s string) error {
		return af.failOn.Set(s)
	})
	return af
}

// configFlagHelp is the help of --config on the commands that read only its analysis: block.
const configFlagHelp = "YAML configuration file: its analysis: block sets rule folders, parameters, waivers, end-of-life data, packs, only, skip and fail_on (flags override it)"

// configFile is the --config of the command ("" when it has none or it is not set): run takes
// it from the collector flags, analyze and report register their own.
func configFile(fs *flag.FlagSet) string {
	if f := fs.Lookup("config"); f != nil {
		return f.Value.String()
	}
	return ""
}

// loadAnalysisConfig reads the analysis: block of --config, a zero block without --config.
func loadAnalysisConfig(fs *flag.FlagSet) (collect.AnalysisConfig, error) {
	path := configFile(fs)
	if path == "" {
		return collect.AnalysisConfig{}, nil
	}
	return collect.LoadAnalysisConfig(path)
}

// where names a setting of the configuration file in errors: "config.yaml:12: analysis.params".
func where(ac collect.AnalysisConfig, line int, key string) string {
	return fmt.Sprintf("%s:%d: analysis.%s", ac.File, line, key)
}

// ruleSetFromConfig loads the built-ins plus the rule folders of --rules, else those of the
// configuration file's analysis.rules; fromFile tells which.
func ruleSetFromConfig(flagDirs []string, ac collect.AnalysisConfig) (set *analyze.RuleSet, dirs []string, err error) {
	dirs, fromFile := flagDirs, false
	if len(dirs) == 0 && len(ac.Rules.Value) > 0 {
		dirs, fromFile = ac.Rules.Value, true
	}
	set, err = analyze.LoadRules(dirs...)
	if err != nil && fromFile {
		err = fmt.Errorf("%s: %w", where(ac, ac.Rules.Line, "rules"), err)
	}
	return set, dirs, err
}

// options merges the configuration file's analysis: block under the flags (a flag replaces the
// file's setting; --param replaces the file's value of the same parameter only), then loads and
// checks the rules, parameters, waivers and end-of-life data now, so that a configuration
// mistake fails before anything is collected. A mistake in the file names its line and key.
func (af *analyzeFlags) options(ctx context.Context) (analyze.Options, error) {
	ac, err := loadAnalysisConfig(af.fs)
	if err != nil {
		return analyze.Options{}, err
	}
	set := map[string]bool{}
	af.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	rules, dirs, err := ruleSetFromConfig(af.ruleDirs, ac)
	if err != nil {
		return analyze.Options{}, err
	}
	af.ruleDirs = dirs
	if len(dirs) > 0 {
		// Added packs' queries are checked against the views now, not after a collection.
		if err := analyze.Check(ctx, rules); err != nil {
			return analyze.Options{}, err
		}
	}
	for _, sel := range []struct {
		key  string
		flag *[]string
		file collect.Setting[[]string]
	}{{"only", &af.only, ac.Only}, {"skip", &af.skip, ac.Skip}} {
		if set[sel.key] || sel.file.Line == 0 {
			continue
		}
		only, skip := sel.file.Value, []string(nil)
		if sel.key == "skip" {
			only, skip = nil, sel.file.Value
		}
		if _, err := rules.Select(only, skip); err != nil {
			return analyze.Options{}, fmt.Errorf("%s: %w", where(ac, sel.file.Line, sel.key), err)
		}
		*sel.flag = sel.file.Value
	}
	if !set["pack"] && ac.Packs.Line != 0 {
		if err := rules.CheckPacks(ac.Packs.Value); err != nil {
			return analyze.Options{}, fmt.Errorf("%s: %w", where(ac, ac.Packs.Line, "packs"), err)
		}
		af.packs.names = ac.Packs.Value
	}
	inPacks, err := rules.InPacks(af.packs.names)
	if err != nil {
		return analyze.Options{}, withCode(exitUsage, err)
	}
	// What is still wrong here came from --only, --skip or --param (the file's values were
	// checked above): a usage error, exit 2, like a bad --fail-on.
	if _, err := inPacks.Select(af.only, af.skip); err != nil {
		return analyze.Options{}, withCode(exitUsage, err)
	}
	if err := analyze.CheckParams(rules, af.params); err != nil {
		return analyze.Options{}, withCode(exitUsage, err)
	}
	params := map[string]string{}
	keys := make([]string, 0, len(ac.Params))
	for k := range ac.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := ac.Params[k]
		if err := analyze.CheckParam(rules, k, p.Value); err != nil {
			return analyze.Options{}, fmt.Errorf("%s: %s: %w", where(ac, p.Line, "params"), k, err)
		}
		params[k] = p.Value
	}
	for k, v := range af.params {
		params[k] = v
	}
	var waiversAt, eolAt string
	if af.waivers == "" && ac.Waivers.Value != "" {
		af.waivers, waiversAt = ac.Waivers.Value, where(ac, ac.Waivers.Line, "waivers")+": "
	}
	if af.eol == "" && ac.EOLModels.Value != "" {
		af.eol, eolAt = ac.EOLModels.Value, where(ac, ac.EOLModels.Line, "eol_models")+": "
	}
	if !set["fail-on"] && ac.FailOn.Value != "" {
		sev, err := analyze.ParseSeverity(ac.FailOn.Value)
		if err != nil {
			return analyze.Options{}, fmt.Errorf("%s: %w", where(ac, ac.FailOn.Line, "fail_on"), err)
		}
		af.failOn = sev
	}
	if !set["rule-timeout"] && ac.RuleTimeout.Line != 0 {
		d, err := time.ParseDuration(ac.RuleTimeout.Value)
		if err != nil || d <= 0 {
			return analyze.Options{}, fmt.Errorf("%s: %q: want a positive Go duration such as 60s or 5m", where(ac, ac.RuleTimeout.Line, "rule_timeout"), ac.RuleTimeout.Value)
		}
		af.ruleTimeout = d
	}
	if !set["rule-max-rows"] && ac.RuleMaxRows.Line != 0 {
		n, err := strconv.Atoi(ac.RuleMaxRows.Value)
		if err != nil || n < 1 {
			return analyze.Options{}, fmt.Errorf("%s: %q: want a whole number ≥ 1", where(ac, ac.RuleMaxRows.Line, "rule_max_rows"), ac.RuleMaxRows.Value)
		}
		af.ruleMaxRows = n
	}
	if af.waivers != "" {
		ws, err := analyze.LoadWaivers(af.waivers)
		if err != nil {
			return analyze.Options{}, fmt.Errorf("%s%w", waiversAt, err)
		}
		for _, w := range ws {
			if rules.Get(w.Rule) == nil {
				return analyze.Options{}, fmt.Errorf("%s%s:%d: waiver for unknown rule %s (see `cucm-audit rules list`)", waiversAt, w.File, w.Line, w.Rule)
			}
		}
	}
	if _, err := analyze.LoadEOL(af.eol); err != nil {
		return analyze.Options{}, fmt.Errorf("%s%w", eolAt, err)
	}
	if len(params) == 0 {
		params = nil
	}
	return analyze.Options{
		RuleDirs: af.ruleDirs, Rules: rules, Only: af.only, Skip: af.skip, Packs: af.packs.names, Params: params,
		WaiversFile: af.waivers, EOLFile: af.eol, ToolVersion: toolVersion(),
		RuleTimeout: af.ruleTimeout, RuleMaxRows: af.ruleMaxRows,
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
	fs := newFlagSet("analyze", "analyze [--db FILE] [--config FILE] [--snapshot ID|latest] [--rules DIR]... [--pack NAME,...] [--only ID,...] [--skip ID,...] "+
		"[--param ID.name=value]... [--waivers FILE] [--eol FILE] [--fail-on SEVERITY] [--format text|json]", stderr)
	db := dbFlag(fs)
	fs.String("config", "", configFlagHelp)
	ref := fs.String("snapshot", "latest", "snapshot to analyse: an id, latest or latest~N")
	cluster := fs.String("cluster", "", "cluster id for latest, when the database holds several")
	af := addAnalyzeFlags(fs)
	var format render.Output
	fs.Var(&format, "format", "output format: text or json")
	top := fs.Int("top", 5, "entities named per rule in text output")
	quiet := quietFlag(fs)
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	opts, err := af.options(ctx)
	if err != nil {
		return err
	}
	// Analysis rows are written, but a database is never created: a missing one is an error
	// that says to collect first.
	store, err := snapshot.OpenExisting(ctx, *db)
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
	text := render.ResultText(res, *top)
	if *quiet {
		text = func(w io.Writer) error { _, err := fmt.Fprintln(w, render.AnalysisLine(res)); return err }
	}
	if err := format.Print(stdout, res.Document(af.failOn), text); err != nil {
		return err
	}
	return af.failOnFindings(res)
}
