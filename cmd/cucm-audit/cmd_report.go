package main

import (
	"context"
	"io"
	"os"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/deliver"
	"github.com/cucm-audit/cucm-audit/deliver/audit"
	"github.com/cucm-audit/cucm-audit/internal/cli"
	"github.com/cucm-audit/cucm-audit/render"
)

const reportHelp = `Render the reports of one analysed snapshot: PDF for management, XLSX as the worklist,
Markdown for tickets, JSON as the machine contract. Files are named
cucm-audit_<cluster>_<YYYYMMDD-HHMMSS>.<ext> after the cluster and the snapshot's start time (UTC),
written atomically (mode 0644), with <same name>.manifest.json holding the SHA-256 and size of
every file, the snapshot id and the tool version. The paths are printed on stdout.

The XLSX's "All findings" sheet has Status, Assignee and Notes columns for the team. With
--worklist LAST.xlsx (last quarter's workbook, as the team edited it) those edits are carried to
the same findings in the new workbook; findings are marked new, open before or gone.

The report reads the snapshot and one analysis of it, named on the report: --analysis ID, or
by default the newest analysis of the whole rule set (an "analyze --only X" made since does not
narrow it; when every analysis was such a selection, the newest, and the report says so). It
never changes them (with --mail-to it
records the e-mail in the database's mail log). A snapshot that was never analysed is refused:
run "cucm-audit analyze --snapshot ID" first, or use "cucm-audit run", which collects, analyses
and reports in one go.
`

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSetHelp("report", "report [--db FILE] [--config FILE] [--snapshot ID|latest] [--analysis ID] [--pack NAME,...] [--format pdf,xlsx,md,json,html] [--out DIR] [--templates DIR] [--pdf-max-entities N] [--worklist LAST.xlsx]", reportHelp, stderr)
	db := cli.DBFlag(fs)
	config := fs.String("config", "", "YAML configuration file: the rule folders of its analysis: block supply the rule texts (default: those the analysis used)")
	ref := fs.String("snapshot", "latest", "snapshot to report on: an id, latest or latest~N")
	cluster := fs.String("cluster", "", "cluster id for latest, when the database holds several")
	analysisID := fs.Int64("analysis", 0, "analysis of the snapshot to report (default: its newest analysis of the whole rule set, so an ad-hoc analyze --only does not narrow the report)")
	rf := render.AddFlags(fs)
	var packs analyze.PackFlag
	analyze.AddPackFlag(fs, &packs)
	worklist := fs.String("worklist", "", "an earlier report's XLSX as the team edited it: carry its Status, Assignee and Notes to the same findings")
	mail := deliver.AddMailer(fs)
	quiet := cli.QuietFlag(fs)
	if err := cli.Parse(fs, args, false); err != nil {
		return err
	}
	if err := mail.Prepare(os.Getenv); err != nil {
		return err
	}
	if err := mail.CheckFormats(rf.Formats); err != nil {
		return err
	}
	var rules *analyze.RuleSet
	if file, err := analysisSettings(*config); err != nil {
		return err
	} else if len(file.Rules.Value) > 0 {
		if rules, _, err = file.LoadRuleSet(nil); err != nil {
			return err
		}
	}
	ro, err := rf.Options()
	if err != nil {
		return cli.UsageErrorf("report: %w", err)
	}
	return audit.Report(ctx, audit.ReportOptions{
		DB: *db, Snapshot: *ref, Cluster: *cluster, Formats: rf.Formats, Out: rf.Out, Render: ro,
		Build:    analyze.ReportOptions{Rules: rules, ToolVersion: toolVersion(), AnalysisID: *analysisID, Packs: packs.Names},
		Worklist: *worklist, Mail: mail, Quiet: *quiet,
	}, stdout, stderr)
}
