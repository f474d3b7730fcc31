package main

import (
	"context"
	"fmt"
	"io"

	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

const pruneHelp = `Keep the N newest usable snapshots of every cluster (complete or partial) and delete the older
ones with their analyses; failed snapshots older than the oldest kept go too. With --reports,
the report sets of deleted snapshots found under that folder (every *.manifest.json, with the
files it lists) are deleted as well. --dry-run prints what would go and changes nothing.
`

// pruneOptions are the flags of `cucm-audit prune`.
type pruneOptions struct {
	db      string
	keep    int
	cluster string
	reports string
	dryRun  bool
}

func runPrune(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("prune", "prune --keep N [--db FILE] [--cluster ID] [--reports DIR] [--dry-run]", stderr)
	usage := fs.Usage
	fs.Usage = func() {
		usage()
		fmt.Fprint(stderr, "\n"+pruneHelp)
	}
	var o pruneOptions
	db := dbFlag(fs)
	fs.IntVar(&o.keep, "keep", 0, "usable snapshots to keep per cluster (at least 1)")
	fs.StringVar(&o.cluster, "cluster", "", "prune only this cluster (default: every cluster in the database)")
	fs.StringVar(&o.reports, "reports", "", "folder of report sets (searched recursively for *.manifest.json) to prune with their snapshots")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print what would be deleted and change nothing")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	o.db = *db
	if o.keep < 1 {
		return usageErrorf("prune: --keep %d: want the number of snapshots to keep per cluster, at least 1", o.keep)
	}
	open := snapshot.OpenExisting
	if o.dryRun {
		open = snapshot.OpenReadOnly
	}
	store, err := open(ctx, o.db)
	if err != nil {
		return err
	}
	defer store.Close()
	return prune(ctx, store, o, stdout)
}

func prune(ctx context.Context, store *snapshot.Store, o pruneOptions, w io.Writer) error {
	plan, err := store.PlanPrune(ctx, o.cluster, o.keep)
	if err != nil {
		return err
	}
	var sets []render.ReportSet
	if o.reports != "" {
		if sets, err = render.FindReportSets(o.reports, plan.Goes); err != nil {
			return fmt.Errorf("prune: %w", err)
		}
	}
	verb := "deleted"
	if o.dryRun {
		verb = "would delete"
	}
	analyses, files := 0, 0
	for _, d := range plan.Doomed {
		analyses += d.Analyses
		fmt.Fprintf(w, "%s snapshot #%d of %s (%s, %s) and its %d %s\n", verb, d.Meta.ID, d.Meta.ClusterID,
			d.Meta.StartedAt.UTC().Format("2006-01-02 15:04 UTC"), d.Meta.Status, d.Analyses, plural(d.Analyses, "analysis", "analyses"))
	}
	for _, s := range sets {
		files += len(s.Files)
		fmt.Fprintf(w, "%s report set %s (%d %s)\n", verb, s.Manifest, len(s.Files), plural(len(s.Files), "file", "files"))
	}
	if !o.dryRun {
		if err := store.Prune(ctx, plan); err != nil {
			return err
		}
		for _, s := range sets {
			if err := s.Remove(); err != nil {
				return fmt.Errorf("prune: %w", err)
			}
		}
	}
	fmt.Fprintf(w, "prune: %s %d snapshots (%d analyses) and %d report sets (%d files); kept the newest %d of each cluster\n",
		verb, len(plan.Doomed), analyses, len(sets), files, o.keep)
	return nil
}
