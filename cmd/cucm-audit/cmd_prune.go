package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

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

// pruneSet is the report set of one manifest.
type pruneSet struct {
	manifest string
	files    []string
}

func prune(ctx context.Context, store *snapshot.Store, o pruneOptions, w io.Writer) error {
	list, err := store.List(ctx, o.cluster)
	if err != nil {
		return err
	}
	byCluster := map[string][]snapshot.Meta{}
	for _, m := range list {
		byCluster[m.ClusterID] = append(byCluster[m.ClusterID], m)
	}
	clusters := make([]string, 0, len(byCluster))
	for c := range byCluster {
		clusters = append(clusters, c)
	}
	sort.Strings(clusters)

	// doomed: snapshot id → its meta; oldestKept: cluster → the oldest snapshot id kept.
	doomed := map[int64]snapshot.Meta{}
	oldestKept := map[string]int64{}
	for _, c := range clusters {
		snaps := byCluster[c] // oldest first
		kept := 0
		cut := int64(0)
		for i := len(snaps) - 1; i >= 0; i-- {
			if snaps[i].Status != snapshot.StatusFailed {
				kept++
				if kept == o.keep {
					cut = snaps[i].ID
					break
				}
			}
		}
		if cut == 0 {
			continue // fewer usable snapshots than --keep: nothing goes
		}
		oldestKept[c] = cut
		for _, m := range snaps {
			if m.ID < cut {
				doomed[m.ID] = m
			}
		}
	}

	sets, err := reportSets(o.reports, func(cluster string, id int64) bool {
		if _, ok := doomed[id]; ok {
			return doomed[id].ClusterID == cluster
		}
		// A report set of a snapshot pruned earlier (no longer in the database), older than
		// what this cluster keeps.
		cut, ok := oldestKept[cluster]
		return ok && id < cut && !inList(byCluster[cluster], id)
	})
	if err != nil {
		return err
	}

	verb := "deleted"
	if o.dryRun {
		verb = "would delete"
	}
	ids := make([]int64, 0, len(doomed))
	for id := range doomed {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	analyses := 0
	for _, id := range ids {
		m := doomed[id]
		var n int
		if err := store.DB().QueryRowContext(ctx, `SELECT count(*) FROM analysis WHERE snapshot_id = ?`, id).Scan(&n); err != nil {
			return fmt.Errorf("prune: counting analyses of snapshot %d: %w", id, err)
		}
		analyses += n
		fmt.Fprintf(w, "%s snapshot #%d of %s (%s, %s) and its %d %s\n", verb, id, m.ClusterID,
			m.StartedAt.UTC().Format("2006-01-02 15:04 UTC"), m.Status, n, plural(n, "analysis", "analyses"))
	}
	files := 0
	for _, s := range sets {
		files += len(s.files)
		fmt.Fprintf(w, "%s report set %s (%d files)\n", verb, s.manifest, len(s.files))
	}
	if !o.dryRun {
		if err := deleteSnapshots(ctx, store, ids); err != nil {
			return err
		}
		for _, s := range sets {
			for _, f := range append(s.files, s.manifest) {
				if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return fmt.Errorf("prune: removing %s: %w", f, err)
				}
			}
		}
	}
	fmt.Fprintf(w, "prune: %s %d snapshots (%d analyses) and %d report sets (%d files); kept the newest %d of each cluster\n",
		verb, len(ids), analyses, len(sets), files, o.keep)
	return nil
}

func inList(list []snapshot.Meta, id int64) bool {
	for _, m := range list {
		if m.ID == id {
			return true
		}
	}
	return false
}

// deleteSnapshots deletes the snapshots in one transaction; their rows and analyses go with
// them (ON DELETE CASCADE).
func deleteSnapshots(ctx context.Context, store *snapshot.Store, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	tx, err := store.DB().BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("prune: %w", err)
	}
	defer tx.Rollback()
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `DELETE FROM snapshot WHERE id = ?`, id); err != nil {
			return fmt.Errorf("prune: deleting snapshot %d: %w", id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("prune: %w", err)
	}
	return nil
}

// reportSets finds the manifests under dir whose (cluster, snapshot) doomed says go, with the
// files each lists (only names in the manifest's own folder). dir "" finds none.
func reportSets(dir string, doomed func(cluster string, id int64) bool) ([]pruneSet, error) {
	if dir == "" {
		return nil, nil
	}
	var sets []pruneSet
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(d.Name(), ".manifest.json") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var m render.Manifest
		if err := json.Unmarshal(data, &m); err != nil || m.Tool != "cucm-audit" {
			return nil // not ours: left alone
		}
		if !doomed(m.ClusterID, m.SnapshotID) {
			return nil
		}
		s := pruneSet{manifest: path}
		for _, f := range m.Files {
			if f.Name == "" || filepath.Base(f.Name) != f.Name {
				continue // never a path outside the manifest's folder
			}
			s.files = append(s.files, filepath.Join(filepath.Dir(path), f.Name))
		}
		sets = append(sets, s)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("prune: reading report folder %s: %w", dir, err)
	}
	return sets, nil
}
