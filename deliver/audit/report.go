package audit

import (
	"context"
	"fmt"
	"io"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/deliver"
	"github.com/cucm-audit/cucm-audit/internal/cli"
	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// ReportOptions are one `cucm-audit report`: a stored analysis rendered and mailed again.
type ReportOptions struct {
	DB       string // database file, which must exist
	Snapshot string // snapshot reference: an id, latest or latest~N
	Cluster  string // cluster id for latest, when the database holds several
	Build    analyze.ReportOptions
	Formats  render.Formats
	Out      string // report folder
	Render   render.Options
	Worklist string          // an earlier XLSX whose Status, Assignee and Notes are carried over
	Mail     *deliver.Mailer // prepared; sends nothing unless enabled
	Quiet    bool            // one line on stdout, nothing on stderr but errors
}

// Report renders the report of one analysed snapshot and mails it; the paths go to stdout (with
// Quiet, one line).
func Report(ctx context.Context, o ReportOptions, stdout, stderr io.Writer) error {
	if o.Worklist != "" {
		if !o.Formats.Has(render.FormatXLSX) {
			return cli.UsageErrorf("report: --worklist carries edits into the XLSX: add xlsx to --format")
		}
		var err error
		if o.Render.Worklist, err = render.ReadWorklist(o.Worklist); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	open := snapshot.OpenReadOnly
	if o.Mail.Enabled() {
		open = snapshot.OpenExisting // the mailed report is recorded in mail_log
	}
	store, err := open(ctx, o.DB)
	if err != nil {
		return err
	}
	defer store.Close()
	meta, err := store.Resolve(ctx, o.Snapshot, o.Cluster)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	rep, err := analyze.BuildReport(ctx, store, meta.ID, o.Build)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	m, err := render.WriteAll(ctx, rep, o.Formats, o.Out, o.Render)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if o.Quiet {
		err := o.Mail.Send(ctx, store, rep, m, io.Discard)
		fmt.Fprintln(stdout, render.ReportLine(rep, m))
		return err
	}
	m.WritePaths(stdout)
	return o.Mail.Send(ctx, store, rep, m, stderr)
}
