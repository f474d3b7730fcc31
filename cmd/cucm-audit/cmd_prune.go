package main

import (
	"context"
	"fmt"
	"io"

	"github.com/cucm-audit/cucm-audit/internal/cli"
	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

const pruneHelp = `Keep the N newest usable snapshots of every cluster (complete or partial) and delete the older
ones with their analyses; failed snapshots older than the oldest kept go too. With --reports,
the report sets of deleted snapshots found under that folder (every *.manifest.json, with the
files it lists) are deleted as well. --dry-run prints what would go and changes nothing.
`

func runPrune(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSetHelp("prune", "prune --keep N [--db FILE] [--cluster ID] [--reports DIR] [--dry-run]", pruneHelp, stderr)
	var o render.PruneOptions
	db := cli.DBFlag(fs)
	fs.IntVar(&o.Keep, "keep", 0, "usable snapshots to keep per cluster (at least 1)")
	fs.StringVar(&o.Cluster, "cluster", "", "prune only this cluster (default: every cluster in the database)")
	fs.StringVar(&o.ReportsDir, "reports", "", "folder of report sets (searched recursively for *.manifest.json) to prune with their snapshots")
	fs.BoolVar(&o.DryRun, "dry-run", false, "print what would be deleted and change nothing")
	if err := cli.Parse(fs, args, false); err != nil {
		return err
	}
	if o.Keep < 1 {
		return cli.UsageErrorf("prune: --keep %d: want the number of snapshots to keep per cluster, at least 1", o.Keep)
	}
	open := snapshot.OpenExisting
	if o.DryRun {
		open = snapshot.OpenReadOnly
	}
	store, err := open(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := render.Prune(ctx, store, o, stdout); err != nil {
		return fmt.Errorf("prune: %w", err)
	}
	return nil
}
