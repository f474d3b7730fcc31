package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// reportOptions are the flags of `cucm-audit report`.
type reportOptions struct {
	db       string
	snapshot string
	cluster  string
	analysis int64
	formats  render.Formats
	out      string
	render   render.Options
	pdfMax   int
	mdMax    int
	worklist string
	packs    analyze.PackFlag
}

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

func reportFlags(fs *flag.FlagSet, o *reportOptions) {
	o.formats = render.Formats{render.FormatPDF, render.FormatXLSX, render.FormatMarkdown, render.FormatJSON}
	fs.Var(&o.formats, "format", "report formats, comma-separated: pdf, xlsx, md, json, html or all")
	fs.StringVar(&o.out, "out", "reports", "folder the reports are written into (created when missing)")
	fs.StringVar(&o.render.TemplatesDir, "templates", "", "folder of Markdown templates (*.tmpl) overriding the built-in ones, whole or block by block")
	fs.IntVar(&o.pdfMax, "pdf-max-entities", render.DefaultPDFMaxEntities, "entities listed per rule in the PDF, the rest counted and left to the XLSX (0 = all)")
	fs.IntVar(&o.mdMax, "md-max-entities", render.DefaultMarkdownMaxEntities, "entities listed per rule in the Markdown (0 = all)")
}

// renderOptions turns the entity caps of the flags (0 = all) into render.Options.
func (o *reportOptions) renderOptions() (render.Options, error) {
	ro := o.render
	if err := ro.SetEntityCaps(o.pdfMax, o.mdMax); err != nil {
		return ro, usageErrorf("report: %w", err)
	}
	return ro, nil
}

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report", "report [--db FILE] [--config FILE] [--snapshot ID|latest] [--analysis ID] [--pack NAME,...] [--format pdf,xlsx,md,json,html] [--out DIR] [--templates DIR] [--pdf-max-entities N] [--worklist LAST.xlsx]", stderr)
	usage := fs.Usage
	fs.Usage = func() {
		usage()
		fmt.Fprint(stderr, "\n"+reportHelp)
	}
	var o reportOptions
	dbPath := dbFlag(fs)
	fs.String("config", "", "YAML configuration file: the rule folders of its analysis: block supply the rule texts (default: those the analysis used)")
	fs.StringVar(&o.snapshot, "snapshot", "latest", "snapshot to report on: an id, latest or latest~N")
	fs.StringVar(&o.cluster, "cluster", "", "cluster id for latest, when the database holds several")
	fs.Int64Var(&o.analysis, "analysis", 0, "analysis of the snapshot to report (default: its newest analysis of the whole rule set, so an ad-hoc analyze --only does not narrow the report)")
	reportFlags(fs, &o)
	analyze.AddPackFlag(fs, &o.packs)
	fs.StringVar(&o.worklist, "worklist", "", "an earlier report's XLSX as the team edited it: carry its Status, Assignee and Notes to the same findings")
	mail := addMailFlags(fs) // e-mail (mailflags.go)
	quiet := quietFlag(fs)
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if err := mail.prepare(os.Getenv); err != nil {
		return err
	}
	if err := mail.checkFormats(o.formats); err != nil {
		return err
	}
	o.db = *dbPath
	var rules *analyze.RuleSet
	if file, err := analysisSettings(fs); err != nil {
		return err
	} else if len(file.Rules.Value) > 0 {
		if rules, _, err = file.LoadRuleSet(nil); err != nil {
			return err
		}
	}
	ro, err := o.renderOptions()
	if err != nil {
		return err
	}
	if o.worklist != "" {
		if !o.formats.Has(render.FormatXLSX) {
			return usageErrorf("report: --worklist carries edits into the XLSX: add xlsx to --format")
		}
		if ro.Worklist, err = render.ReadWorklist(o.worklist); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	open := snapshot.OpenReadOnly
	if mail.enabled() {
		open = snapshot.OpenExisting // the mailed report is recorded in mail_log
	}
	store, err := open(ctx, o.db)
	if err != nil {
		return err
	}
	defer store.Close()
	meta, err := store.Resolve(ctx, o.snapshot, o.cluster)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	rep, err := analyze.BuildReport(ctx, store, meta.ID, analyze.ReportOptions{Rules: rules, ToolVersion: toolVersion(), AnalysisID: o.analysis, Packs: o.packs.Names})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	m, err := render.WriteAll(ctx, rep, o.formats, o.out, ro)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if *quiet {
		err := mail.send(ctx, store, rep, m, io.Discard)
		fmt.Fprintln(stdout, render.ReportLine(rep, m))
		return err
	}
	m.WritePaths(stdout)
	return mail.send(ctx, store, rep, m, stderr)
}

// buildReport builds the report model of an analysed snapshot from the analysis analysisID (0:
// the newest of the whole rule set); a snapshot never analysed is
// refused with analyze.ErrNoAnalysis, whose message names the command to run.
func buildReport(ctx context.Context, store *snapshot.Store, meta snapshot.Meta, analysisID int64) (*analyze.Report, error) {
	return analyze.BuildReport(ctx, store, meta.ID, analyze.ReportOptions{ToolVersion: toolVersion(), AnalysisID: analysisID})
}
