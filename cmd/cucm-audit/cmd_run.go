package main

import (
	"context"
	"io"
	"os"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/collect"
	"github.com/cucm-audit/cucm-audit/deliver"
	"github.com/cucm-audit/cucm-audit/deliver/audit"
	"github.com/cucm-audit/cucm-audit/internal/cli"
	"github.com/cucm-audit/cucm-audit/render"
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
	if err := cli.Parse(fs, args, false); err != nil {
		return err
	}
	stopProfile, err := cf.StartProfile()
	if err != nil {
		return err
	}
	defer stopProfile()
	// Every configuration problem is found before the cluster is touched.
	o := audit.Options{DB: *db, Verbose: cf.Verbose, Quiet: *quiet, Formats: rf.Formats, Out: rf.Out, Mail: mail, Version: toolVersion()}
	if o.Analysis, err = analysisOptions(ctx, cf.ConfigFile, af); err != nil {
		return err
	}
	if o.Render, err = rf.Options(); err != nil {
		return cli.UsageErrorf("report: %w", err)
	}
	if err := mail.Prepare(os.Getenv); err != nil {
		return err
	}
	if err := mail.CheckFormats(rf.Formats); err != nil {
		return err
	}
	if o.Collect, err = cf.Config(os.Getenv, toolVersion()); err != nil {
		return err
	}
	o.FailOn = af.FailOn // the configuration file's fail_on once analysisOptions has run
	return audit.Run(ctx, o, stdout, stderr)
}
