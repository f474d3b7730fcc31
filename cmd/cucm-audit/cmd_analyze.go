package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/collect"
	"github.com/cucm-audit/cucm-audit/internal/cli"
	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

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

// analysisSettings reads the analysis: block of --config, none without --config.
func analysisSettings(fs *flag.FlagSet) (analyze.FileSettings, error) {
	path := configFile(fs)
	if path == "" {
		return analyze.FileSettings{}, nil
	}
	ac, err := collect.LoadAnalysisConfig(path)
	if err != nil {
		return analyze.FileSettings{}, err
	}
	params := make(map[string]analyze.Setting[string], len(ac.Params))
	for k, p := range ac.Params {
		params[k] = analyze.Setting[string](p)
	}
	type list = analyze.Setting[[]string]
	type text = analyze.Setting[string]
	return analyze.FileSettings{File: ac.File, Rules: list(ac.Rules), Params: params, Waivers: text(ac.Waivers),
		EOLModels: text(ac.EOLModels), Packs: list(ac.Packs), Only: list(ac.Only), Skip: list(ac.Skip), FailOn: text(ac.FailOn),
		RuleTimeout: text(ac.RuleTimeout), RuleMaxRows: text(ac.RuleMaxRows)}, nil
}

// analysisOptions merges --config's analysis: block under the rule flags (analyze.Flags.Options).
func analysisOptions(ctx context.Context, fs *flag.FlagSet, af *analyze.Flags) (analyze.Options, error) {
	file, err := analysisSettings(fs)
	if err != nil {
		return analyze.Options{}, err
	}
	return af.Options(ctx, file, toolVersion())
}

// failOnFindings is the exit-3 error when open findings at or above --fail-on remain.
func failOnFindings(af *analyze.Flags, res *analyze.Result) error {
	if n := res.CountAtLeast(af.FailOn); af.FailOn != 0 && n > 0 {
		return cli.WithCode(cli.ExitFindings, fmt.Errorf("%d open finding(s) at or above %s (waived findings do not count)", n, af.FailOn))
	}
	return nil
}

func runAnalyze(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("analyze", "analyze [--db FILE] [--config FILE] [--snapshot ID|latest] [--rules DIR]... [--pack NAME,...] [--only ID,...] [--skip ID,...] "+
		"[--param ID.name=value]... [--waivers FILE] [--eol FILE] [--fail-on SEVERITY] [--format text|json]", stderr)
	db := cli.DBFlag(fs)
	fs.String("config", "", configFlagHelp)
	ref := fs.String("snapshot", "latest", "snapshot to analyse: an id, latest or latest~N")
	cluster := fs.String("cluster", "", "cluster id for latest, when the database holds several")
	af := analyze.AddFlags(fs)
	var format render.Output
	fs.Var(&format, "format", "output format: text or json")
	top := fs.Int("top", 5, "entities named per rule in text output")
	quiet := cli.QuietFlag(fs)
	if err := cli.Parse(fs, args, false); err != nil {
		return err
	}
	opts, err := analysisOptions(ctx, fs, af)
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
	if err := format.Print(stdout, res.Document(af.FailOn), text); err != nil {
		return err
	}
	return failOnFindings(af, res)
}
