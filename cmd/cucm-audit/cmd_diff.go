package main

import (
	"context"
	"fmt"
	"io"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/internal/cli"
	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// diffOptions are the flags of `cucm-audit diff`.
type diffOptions struct {
	db     string
	format render.ChangeFormat
	out    string
	limit  int
	render render.Options
	pdfMax int
	mdMax  int
}

func runDiff(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("diff", "diff [--db FILE] [--before ID|latest~1] [--after ID|latest] [--format text|json] [--out DIR --format pdf,xlsx,md,json,html]", stderr)
	var o diffOptions
	dbPath := cli.DBFlag(fs)
	df := analyze.AddDiffFlags(fs)
	o.format = "text"
	fs.Var(&o.format, "format", "text or json on stdout; with --out, a list of report formats: pdf,xlsx,md,json,html")
	fs.StringVar(&o.out, "out", "", "write the change-window report files into this folder (needs --format pdf,xlsx,md,json,html)")
	fs.IntVar(&o.limit, "limit", 25, "devices and findings listed per section in text output (0 = all)")
	fs.StringVar(&o.render.TemplatesDir, "templates", "", "with --out: folder of Markdown templates (*.tmpl) overriding the built-in ones (the change window is the \"diff\" block)")
	fs.IntVar(&o.pdfMax, "pdf-max-entities", render.DefaultPDFMaxEntities, "with --out: rows listed per change list in the PDF, the rest counted and left to the XLSX (0 = all)")
	fs.IntVar(&o.mdMax, "md-max-entities", render.DefaultMarkdownMaxEntities, "with --out: rows listed per change list in the Markdown (0 = all)")
	if err := cli.Parse(fs, args, false); err != nil {
		return err
	}
	o.db = *dbPath
	if o.out == "" && o.format != "text" && o.format != "json" {
		return cli.UsageErrorf("diff: --format %q writes files: give --out DIR, or use --format text or json for stdout", o.format)
	}
	if err := o.render.SetEntityCaps(o.pdfMax, o.mdMax); err != nil {
		return cli.UsageErrorf("diff: %w", err)
	}
	store, err := snapshot.OpenReadOnly(ctx, o.db)
	if err != nil {
		return err
	}
	defer store.Close()
	d, failOn, err := df.Diff(ctx, store)
	if err != nil {
		return fmt.Errorf("diff: %w", err)
	}
	switch {
	case o.out != "":
		err = writeDiffReport(ctx, d, o, stdout)
	case o.format == "json":
		err = results.EncodeDiff(stdout, d)
	default:
		err = render.DiffText(d, o.limit)(stdout)
	}
	if err != nil {
		return err
	}
	if why := failOn.Failed(d); why != "" {
		return cli.WithCode(cli.ExitFindings, fmt.Errorf("diff: %s", why))
	}
	return nil
}

// writeDiffReport renders the change-window report files through the renderers and prints
// their paths and the manifest.
func writeDiffReport(ctx context.Context, d *results.Diff, o diffOptions, stdout io.Writer) error {
	formats, err := render.ParseFormats(string(o.format))
	if err != nil {
		return cli.UsageErrorf("diff: --format: %w", err)
	}
	m, err := render.WriteAll(ctx, results.ChangeWindow(d, toolVersion()), formats, o.out, o.render)
	if err != nil {
		return fmt.Errorf("diff: %w", err)
	}
	return m.WritePaths(stdout)
}
