package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/collect"
	"github.com/cucm-audit/cucm-audit/deliver"
	"github.com/cucm-audit/cucm-audit/internal/cli"
	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

const runHelp = `Collect a snapshot, evaluate the rules and write the reports: the one command for a quarterly
audit or a cron job. Configuration as for "collect" (AXL_URL, AXL_USER, AXL_PASS or AXL_PASS_FILE, ...),
e-mail as for "report" (SMTP_HOST, ...; --mail-to). A partial snapshot is still analysed (rules
whose inputs are incomplete report inconclusive) and reported, then the exit code is 4; so is a
collection stopped by --timeout, which stores what it read.
Exit codes: 0 ok, 1 error, 2 usage, 3 findings at or above --fail-on, 4 snapshot incomplete.
`

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSetHelp("run", "run [--db FILE] [--config FILE --cluster NAME] [--timeout DURATION] [analyze flags] [report flags] [--mail-to ADDRS] [--quiet]", runHelp, stderr)
	db := cli.DBFlag(fs)
	cf := collect.AddFlags(fs, true)
	af := analyze.AddFlags(fs)
	rf := render.AddFlags(fs)
	mail := deliver.AddMailer(fs)
	quiet := cli.QuietFlag(fs)
	profile := profileFlag(fs)
	if err := cli.Parse(fs, args, false); err != nil {
		return err
	}
	stopProfile, err := startProfile(*profile)
	if err != nil {
		return err
	}
	defer stopProfile()
	// Every configuration problem is found before the cluster is touched.
	aopts, err := analysisOptions(ctx, fs, af)
	if err != nil {
		return err
	}
	rOpts, err := rf.Options()
	if err != nil {
		return cli.UsageErrorf("report: %w", err)
	}
	if err := mail.Prepare(os.Getenv); err != nil {
		return err
	}
	if err := mail.CheckFormats(rf.Formats); err != nil {
		return err
	}
	cfg, err := collectorConfig(cf)
	if err != nil {
		return err
	}
	// --quiet: one line on stdout however the run ends, after what was done (errors go to stderr).
	line := render.RunLine{Cluster: cfg.Cluster}
	if *quiet {
		defer func() { fmt.Fprintln(stdout, line.String()) }()
	}
	store, meta, err := collectInto(ctx, cfg, *db, cf.Verbose, *quiet, stderr)
	if err != nil {
		return fmt.Errorf("run: collecting: %w", err)
	}
	defer store.Close()
	line.Meta = meta
	res, err := analyze.Run(ctx, store, meta.ID, aopts)
	if err != nil {
		return fmt.Errorf("run: analysing snapshot %d: %w", meta.ID, err)
	}
	line.Result = res
	if !*quiet {
		render.ResultText(res, 5)(stderr)
	}
	// This run's analysis, whatever its selection.
	rep, err := analyze.BuildReport(ctx, store, meta.ID, analyze.ReportOptions{ToolVersion: toolVersion(), AnalysisID: res.AnalysisID})
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	line.Report = rep
	m, err := render.WriteAll(ctx, rep, rf.Formats, rf.Out, rOpts)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	line.Manifest = m.Path
	mailOut := stderr
	if *quiet {
		mailOut = io.Discard // a failed e-mail is still an error; "sent" and "not sent" are not news
	} else {
		m.WritePaths(stdout)
	}
	if err := mail.Send(ctx, store, rep, m, mailOut); err != nil {
		return err
	}
	if meta.Status != snapshot.StatusComplete {
		return cli.WithCode(cli.ExitIncomplete, errors.New("snapshot is incomplete (see the report's data quality section or `cucm-audit show`)"))
	}
	return failOnFindings(af, res)
}
