package analyze

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/internal/cli"
	"github.com/cucm-audit/cucm-audit/internal/yamlfile"
)

// Flags are the rule flags of `analyze` and `run`: --rules, --pack, --only, --skip, --param,
// --waivers, --eol, --rule-timeout, --rule-max-rows and --fail-on. Options merges them over the analysis:
// block of a configuration file.
type Flags struct {
	fs       *flag.FlagSet
	ruleDirs []string
	only     []string
	skip     []string
	packs    PackFlag
	params   map[string]string
	waivers  string
	eol      string
	// FailOn is --fail-on, or the file's fail_on once Options has run (0: never fail).
	FailOn results.Severity
	// ruleTimeout and ruleMaxRows are the limits of one rule (0: the engine's defaults).
	ruleTimeout time.Duration
	ruleMaxRows int
}

// FlagError is a mistake in a command-line flag, as opposed to one in a file: the command
// treats it as a usage error.
type FlagError struct{ Err error }

func (e *FlagError) Error() string { return e.Err.Error() }
func (e *FlagError) Unwrap() error { return e.Err }

// ExitCode makes a flag mistake a usage error (exit 2) wherever the command meets it.
func (e *FlagError) ExitCode() int { return cli.ExitUsage }

// PackFlag is --pack NAME[,NAME] of analyze, report and run: the rule packs to keep
// (rules/README.md). The names are checked once the rule set is loaded (built-ins and --rules
// or analysis.rules folders), so a pack of an added folder is selectable; an unknown name is
// a usage error naming the packs of the loaded set.
type PackFlag struct{ Names []string }

func (p *PackFlag) String() string { return strings.Join(p.Names, ",") }

// Set adds the comma-separated pack names of one --pack (repeatable).
func (p *PackFlag) Set(s string) error {
	names := splitList(s)
	if len(names) == 0 {
		return fmt.Errorf("want pack names, comma-separated (see cucm-audit rules list)")
	}
	for _, n := range names {
		if !slices.ContainsFunc(p.Names, func(have string) bool { return strings.EqualFold(have, n) }) {
			p.Names = append(p.Names, n)
		}
	}
	return nil
}

// canonicalPacks returns names spelled as the packs of set spell them; an unknown name is an error
// (CheckPacks).
func (set *RuleSet) canonicalPacks(names []string) ([]string, error) {
	if err := set.CheckPacks(names); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		if c := set.Pack(n).Name; !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// selectInPacks is inPacks.Select(only, skip), saying when a name is a rule or category of the
// whole set that the selected packs leave out.
func selectInPacks(all, inPacks *RuleSet, packs, only, skip []string) ([]*Rule, error) {
	sel, err := inPacks.Select(only, skip)
	if err == nil || len(packs) == 0 {
		return sel, err
	}
	for _, name := range slices.Concat(only, skip) {
		if _, e := inPacks.Select([]string{name}, nil); e == nil {
			continue
		}
		if _, e := all.Select([]string{name}, nil); e == nil {
			return nil, fmt.Errorf("%s is not in the selected packs (%s)", name, strings.Join(packs, ", "))
		}
	}
	return nil, err
}

// AddPackFlag registers --pack on fs.
func AddPackFlag(fs *flag.FlagSet, p *PackFlag) {
	fs.Var(p, "pack", "evaluate or report only the rules of these packs, comma-separated (emergency, tollfraud, access, dialplan, lifecycle, ...; see rules list)")
}

// AddRuleDirsFlag registers the repeatable --rules flag, appending to dirs.
func AddRuleDirsFlag(fs *flag.FlagSet, dirs *[]string) {
	fs.Func("rules", "folder of extra rule packs (*.yaml), added to the built-ins (repeatable)", func(s string) error {
		*dirs = append(*dirs, s)
		return nil
	})
}

// AddFlags registers the rule flags on fs.
func AddFlags(fs *flag.FlagSet) *Flags {
	af := &Flags{fs: fs, params: map[string]string{}}
	AddRuleDirsFlag(fs, &af.ruleDirs)
	AddPackFlag(fs, &af.packs)
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
	fs.Func("rule-timeout", fmt.Sprintf("time limit of one rule's query, a Go duration (default %s); a rule past it is an error result", DefaultRuleTimeout), func(s string) error {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return fmt.Errorf("want a positive Go duration such as 60s or 5m, got %q", s)
		}
		af.ruleTimeout = d
		return nil
	})
	fs.Func("rule-max-rows", fmt.Sprintf("row limit of one rule's query (default %d); a rule past it is an error result", DefaultRuleMaxRows), func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return fmt.Errorf("want a whole number ≥ 1, got %q", s)
		}
		af.ruleMaxRows = n
		return nil
	})
	fs.Func("fail-on", "exit 3 when open findings at or above this severity remain after waivers (info, low, medium, high, critical)", func(s string) error {
		return af.FailOn.Set(s)
	})
	return af
}

// Setting is one value of a configuration file with the line it was written on; Line is 0 when
// the file does not set it.
type Setting[T any] = yamlfile.Setting[T]

// FileSettings are the analysis: block of a configuration file (collect reads the file, as
// collect.AnalysisConfig): the settings analyze, report and run apply unless a flag overrides
// them. File names the file in errors.
type FileSettings yamlfile.AnalysisSettings

// where names a setting of the configuration file in errors: "config.yaml:12: analysis.params".
func (fs FileSettings) where(line int, key string) string {
	return fmt.Sprintf("%s:%d: analysis.%s", fs.File, line, key)
}

// LoadRuleSet loads the built-ins plus the rule folders of --rules (flagDirs), else those of the
// file's analysis.rules, and returns the folders it used. A mistake in the file's folders names
// its line.
func (fs FileSettings) LoadRuleSet(flagDirs []string) (set *RuleSet, dirs []string, err error) {
	dirs, fromFile := flagDirs, false
	if len(dirs) == 0 && len(fs.Rules.Value) > 0 {
		dirs, fromFile = fs.Rules.Value, true
	}
	set, err = LoadRules(dirs...)
	if err != nil && fromFile {
		err = fmt.Errorf("%s: %w", fs.where(fs.Rules.Line, "rules"), err)
	}
	return set, dirs, err
}

// LoadWaiversFor reads a waiver file and refuses a waiver of a rule set does not hold.
func LoadWaiversFor(set *RuleSet, file string) ([]WaiverEntry, error) {
	ws, err := LoadWaivers(file)
	if err != nil {
		return nil, err
	}
	for _, w := range ws {
		if set.Get(w.Rule) == nil {
			return nil, fmt.Errorf("%s:%d: waiver for unknown rule %s (see `cucm-audit rules list`)", w.File, w.Line, w.Rule)
		}
	}
	return ws, nil
}

// Options merges the file's settings under the flags (a flag replaces the file's setting;
// --param replaces the file's value of the same parameter only), then loads and checks the
// rules, parameters, waivers and end-of-life data now, so that a configuration mistake fails
// before anything is collected. A mistake in the file names its line and key; one in a flag is
// a *FlagError.
func (af *Flags) Options(ctx context.Context, file FileSettings, toolVersion string) (Options, error) {
	set := map[string]bool{}
	af.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	rules, dirs, err := file.LoadRuleSet(af.ruleDirs)
	if err != nil {
		return Options{}, err
	}
	af.ruleDirs = dirs
	if len(dirs) > 0 {
		// Added packs' queries are checked against the views now, not after a collection.
		if err := Check(ctx, rules); err != nil {
			return Options{}, err
		}
	}
	for _, sel := range []struct {
		key  string
		flag *[]string
		file Setting[[]string]
	}{{"only", &af.only, file.Only}, {"skip", &af.skip, file.Skip}} {
		if set[sel.key] || sel.file.Line == 0 {
			continue
		}
		only, skip := sel.file.Value, []string(nil)
		if sel.key == "skip" {
			only, skip = nil, sel.file.Value
		}
		if _, err := rules.Select(only, skip); err != nil {
			return Options{}, fmt.Errorf("%s: %w", file.where(sel.file.Line, sel.key), err)
		}
		*sel.flag = sel.file.Value
	}
	if set["pack"] {
		given := af.packs.String()
		if af.packs.Names, err = rules.canonicalPacks(af.packs.Names); err != nil {
			return Options{}, &FlagError{fmt.Errorf("--pack %s: %w", given, err)}
		}
	} else if file.Packs.Line != 0 {
		// An unknown pack is a usage error (exit 2) from the file as from the flag.
		if af.packs.Names, err = rules.canonicalPacks(file.Packs.Value); err != nil {
			return Options{}, &FlagError{fmt.Errorf("%s: %w", file.where(file.Packs.Line, "packs"), err)}
		}
	}
	inPacks, err := rules.InPacks(af.packs.Names)
	if err != nil {
		return Options{}, &FlagError{err}
	}
	// What is still wrong here came from --only, --skip or --param (the file's values were
	// checked above).
	if _, err := selectInPacks(rules, inPacks, af.packs.Names, af.only, af.skip); err != nil {
		return Options{}, &FlagError{err}
	}
	if err := CheckParams(rules, af.params); err != nil {
		return Options{}, &FlagError{err}
	}
	params := map[string]string{}
	keys := make([]string, 0, len(file.Params))
	for k := range file.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := file.Params[k]
		if err := CheckParam(rules, k, p.Value); err != nil {
			return Options{}, fmt.Errorf("%s: %s: %w", file.where(p.Line, "params"), k, err)
		}
		params[k] = p.Value
	}
	for k, v := range af.params {
		params[k] = v
	}
	var waiversAt, eolAt string
	if af.waivers == "" && file.Waivers.Value != "" {
		af.waivers, waiversAt = file.Waivers.Value, file.where(file.Waivers.Line, "waivers")+": "
	}
	if af.eol == "" && file.EOLModels.Value != "" {
		af.eol, eolAt = file.EOLModels.Value, file.where(file.EOLModels.Line, "eol_models")+": "
	}
	if !set["fail-on"] && file.FailOn.Value != "" {
		sev, err := results.ParseSeverity(file.FailOn.Value)
		if err != nil {
			return Options{}, fmt.Errorf("%s: %w", file.where(file.FailOn.Line, "fail_on"), err)
		}
		af.FailOn = sev
	}
	if !set["rule-timeout"] && file.RuleTimeout.Line != 0 {
		d, err := time.ParseDuration(file.RuleTimeout.Value)
		if err != nil || d <= 0 {
			return Options{}, fmt.Errorf("%s: %q: want a positive Go duration such as 60s or 5m", file.where(file.RuleTimeout.Line, "rule_timeout"), file.RuleTimeout.Value)
		}
		af.ruleTimeout = d
	}
	if !set["rule-max-rows"] && file.RuleMaxRows.Line != 0 {
		n, err := strconv.Atoi(file.RuleMaxRows.Value)
		if err != nil || n < 1 {
			return Options{}, fmt.Errorf("%s: %q: want a whole number ≥ 1", file.where(file.RuleMaxRows.Line, "rule_max_rows"), file.RuleMaxRows.Value)
		}
		af.ruleMaxRows = n
	}
	if af.waivers != "" {
		if _, err := LoadWaiversFor(rules, af.waivers); err != nil {
			return Options{}, fmt.Errorf("%s%w", waiversAt, err)
		}
	}
	if _, err := LoadEOL(af.eol); err != nil {
		return Options{}, fmt.Errorf("%s%w", eolAt, err)
	}
	if len(params) == 0 {
		params = nil
	}
	return Options{
		RuleDirs: af.ruleDirs, Rules: rules, Only: af.only, Skip: af.skip, Packs: af.packs.Names, Params: params,
		WaiversFile: af.waivers, EOLFile: af.eol, ToolVersion: toolVersion,
		RuleTimeout: af.ruleTimeout, RuleMaxRows: af.ruleMaxRows,
	}, nil
}

// DiffFailOn is the --fail-on of `cucm-audit diff`: the changes that fail a change window,
// broke (a device that was registered is not) and new-findings.
type DiffFailOn map[string]bool

// ParseDiffFailOn reads --fail-on: broke, new-findings, comma-separated.
func ParseDiffFailOn(list string) (DiffFailOn, error) {
	out := DiffFailOn{}
	for _, v := range strings.Split(list, ",") {
		switch v = strings.TrimSpace(v); v {
		case "":
		case "broke", "new-findings":
			out[v] = true
		default:
			return nil, &FlagError{fmt.Errorf("--fail-on %q: want broke, new-findings or both, comma-separated", v)}
		}
	}
	return out, nil
}

// Failed says why the change window d fails, "" when it does not: "2 devices broke
// (--fail-on broke)".
func (f DiffFailOn) Failed(d *results.Diff) string {
	var why []string
	if broke, _ := d.StatusChanges(); f["broke"] && len(broke) > 0 {
		why = append(why, fmt.Sprintf("%d devices broke", len(broke)))
	}
	if f["new-findings"] && len(d.NewFindings) > 0 {
		why = append(why, fmt.Sprintf("%d new findings", len(d.NewFindings)))
	}
	if len(why) == 0 {
		return ""
	}
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return fmt.Sprintf("%s (--fail-on %s)", strings.Join(why, " and "), strings.Join(keys, ","))
}

// FailOn is the exit-3 error of --fail-on when open findings at or above sev remain (waived
// findings do not count); nil when none do or sev is 0 (--fail-on not set).
func (res *Result) FailOn(sev results.Severity) error {
	if n := res.CountAtLeast(sev); sev != 0 && n > 0 {
		return cli.WithCode(cli.ExitFindings, fmt.Errorf("%d open finding(s) at or above %s (waived findings do not count)", n, sev))
	}
	return nil
}
