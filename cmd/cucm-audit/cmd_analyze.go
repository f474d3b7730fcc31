package main

import (
	"context"
	"fmt"
	"io"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/collect"
	"github.com/cucm-audit/cucm-audit/internal/cli"
	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// analysisOptions merges the analysis: block of the configuration file (none when path is "")
// under the rule flags (analyze.Flags.Options).
func analysisOptions(ctx context.Context, path string, af *analyze.Flags) (analyze.Options, error) {
	file, err := analysisSettings(path)
	if err != nil {
		return analyze.Options{}, err
	}
	return af.Options(ctx, file, toolVersion())
}

// analysisSettings reads the analysis: block of the configuration file, none when path is "".
func analysisSettings(path string) (analyze.FileSettings, error) {
	if path == "" {
		return analyze.FileSettings{}, nil
	}
	ac, err := collect.LoadAnalysisConfig(path)
	return analyze.FileSettings(ac), err
}

func runAnalyze(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("analyze", "analyze [--db FILE] [--config FILE] [--snapshot ID|latest] [--rules DIR]... [--pack NAME,...] [--only ID,...] [--skip ID,...] "+
		"[--param ID.name=value]... [--waivers FILE] [--eol FILE] [--fail-on SEVERITY] [--format text|json]", stderr)
	db := cli.DBFlag(fs)
	config := fs.String("config", "", "YAML configuration file: its analysis: block sets rule folders, parameters, waivers, end-of-life data, packs, only, skip and fail_on (flags override it)")
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
	opts, err := analysisOptions(ctx, *config, af)
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
	return res.FailOn(af.FailOn)
}
