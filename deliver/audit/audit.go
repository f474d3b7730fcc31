// Package audit is `cucm-audit run`, the one command for a quarterly audit or a cron job: it
// collects one snapshot, evaluates the rules over it, renders the report set and mails it, each
// stage through the package that owns it. It sits below deliver in the pipeline because it
// drives every stage; the command only turns its flags into Options. Report is `cucm-audit
// report`, the render-and-mail end of the same run for a snapshot analysed before.
package audit

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/collect"
	"github.com/cucm-audit/cucm-audit/deliver"
	"github.com/cucm-audit/cucm-audit/internal/cli"
	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// Options are one run, checked before the cluster is touched: every configuration problem is
// found by the flags' own checks first.
type Options struct {
	DB       string // database file, created when missing
	Collect  collect.Config
	Verbose  bool // debug logs on stderr
	Quiet    bool // --quiet: one line on stdout, warnings and errors on stderr, nothing else
	Analysis analyze.Options
	FailOn   results.Severity // exit 3 when open findings at or above it remain (0: never)
	Formats  render.Formats
	Out      string // report folder
	Render   render.Options
	Mail     *deliver.Mailer // prepared; sends nothing unless enabled
	Version  string          // tool version, on the report
}

// Run collects, analyses, reports and mails. The analysis summary goes to stderr and the report
// paths to stdout (with Quiet, one line on stdout however the run ends). A partial snapshot is
// still analysed and reported, then the error has exit code 4; findings at or above FailOn make
// it exit code 3.
func Run(ctx context.Context, o Options, stdout, stderr io.Writer) error {
	line := render.RunLine{Cluster: o.Collect.Cluster}
	if o.Quiet {
		defer func() { fmt.Fprintln(stdout, line.String()) }()
	}
	store, meta, err := collect.IntoFile(ctx, o.Collect, o.DB, o.Verbose, o.Quiet, stderr)
	if err != nil {
		return fmt.Errorf("run: collecting: %w", err)
	}
	defer store.Close()
	line.Meta = meta
	res, err := analyze.Run(ctx, store, meta.ID, o.Analysis)
	if err != nil {
		return fmt.Errorf("run: analysing snapshot %d: %w", meta.ID, err)
	}
	line.Result = res
	if !o.Quiet {
		render.ResultText(res, 5)(stderr)
	}
	// This run's analysis, whatever its selection.
	rep, err := analyze.BuildReport(ctx, store, meta.ID, analyze.ReportOptions{ToolVersion: o.Version, AnalysisID: res.AnalysisID})
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	line.Report = rep
	m, err := render.WriteAll(ctx, rep, o.Formats, o.Out, o.Render)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	line.Manifest = m.Path
	mailOut := stderr
	if o.Quiet {
		mailOut = io.Discard // a failed e-mail is still an error; "sent" and "not sent" are not news
	} else {
		m.WritePaths(stdout)
	}
	if err := o.Mail.Send(ctx, store, rep, m, mailOut); err != nil {
		return err
	}
	if meta.Status != snapshot.StatusComplete {
		return cli.WithCode(cli.ExitIncomplete, errors.New("snapshot is incomplete (see the report's data quality section or `cucm-audit show`)"))
	}
	return res.FailOn(o.FailOn)
}
