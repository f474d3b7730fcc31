package render

import (
	"context"
	"fmt"
	"io"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

// PruneOptions are one pruning: keep the Keep newest usable snapshots of Cluster ("" for
// every cluster) and, with ReportsDir, delete the report sets of the others found there.
type PruneOptions struct {
	Keep       int
	Cluster    string
	ReportsDir string
	DryRun     bool
}

// Prune deletes the snapshots store.PlanPrune dooms, with their analyses, and the report sets
// of those snapshots under o.ReportsDir, and prints one line for each and a summary to w; with
// o.DryRun it only prints what it would delete.
func Prune(ctx context.Context, store *snapshot.Store, o PruneOptions, w io.Writer) error {
	plan, err := store.PlanPrune(ctx, o.Cluster, o.Keep)
	if err != nil {
		return err
	}
	var sets []ReportSet
	if o.ReportsDir != "" {
		if sets, err = FindReportSets(o.ReportsDir, plan.Goes); err != nil {
			return err
		}
	}
	verb := "deleted"
	if o.DryRun {
		verb = "would delete"
	}
	analyses, files := 0, 0
	for _, d := range plan.Doomed {
		analyses += d.Analyses
		fmt.Fprintf(w, "%s snapshot #%d of %s (%s, %s) and its %d %s\n", verb, d.Meta.ID, d.Meta.ClusterID,
			d.Meta.StartedAt.UTC().Format("2006-01-02 15:04 UTC"), d.Meta.Status, d.Analyses, Plural(d.Analyses, "analysis", "analyses"))
	}
	for _, s := range sets {
		files += len(s.Files)
		fmt.Fprintf(w, "%s report set %s (%d %s)\n", verb, s.Manifest, len(s.Files), Plural(len(s.Files), "file", "files"))
	}
	if !o.DryRun {
		if err := store.Prune(ctx, plan); err != nil {
			return err
		}
		for _, s := range sets {
			if err := s.Remove(); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(w, "prune: %s %d snapshots (%d analyses) and %d report sets (%d files); kept the newest %d of each cluster\n",
		verb, len(plan.Doomed), analyses, len(sets), files, o.Keep)
	return nil
}

// Plural is one when n is 1 and many otherwise: "1 file", "2 files".
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
