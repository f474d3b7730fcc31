package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/cucm-audit/cucm-audit/examples/demo"
	"github.com/cucm-audit/cucm-audit/internal/cli"
	"github.com/cucm-audit/cucm-audit/render"
)

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("demo", "demo [--scenario FILE|NAME] [--db FILE] [--out DIR]", stderr)
	scenario := fs.String("scenario", "demo", "scenario to simulate: a YAML file or a shipped scenario name")
	o := demo.Options{ToolVersion: toolVersion(), Log: cli.Logger(stderr, false), Notes: stderr}
	fs.StringVar(&o.Out, "out", "reports", "folder for the reports")
	fs.StringVar(&o.DB, "db", "", "database file, recreated on each run (default OUT/demo.db)")
	if err := cli.Parse(fs, args, false); err != nil {
		return err
	}
	if o.DB == "" {
		o.DB = filepath.Join(o.Out, "demo.db")
	}
	var err error
	if o.Scenario, o.Source, err = demo.LoadScenario(*scenario); err != nil {
		return err
	}
	if cli.IsTerminal(stderr) {
		o.Progress = stderr
	}
	res, err := demo.Run(ctx, o)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	render.OverviewText(res.Overview)(stdout)
	fmt.Fprintln(stdout)
	render.ResultText(res.Analysis, 5)(stdout)
	fmt.Fprintln(stdout, "\nReports:")
	return res.Manifest.WritePaths(stdout)
}
