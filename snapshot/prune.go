package snapshot

import (
	"context"
	"fmt"
	"slices"
	"sort"
)

// PrunePlan is what keeping the newest usable snapshots of each cluster removes.
type PrunePlan struct {
	// Doomed are the snapshots that go, oldest first, each with its number of analyses.
	Doomed []PrunedSnapshot
	// OldestKept is, per cluster, the id of the oldest snapshot kept (clusters with fewer usable
	// snapshots than asked keep everything and are not listed).
	OldestKept map[string]int64
	known      map[string][]int64
}

// PrunedSnapshot is one snapshot a prune deletes.
type PrunedSnapshot struct {
	Meta     Meta
	Analyses int
}

// Goes reports whether a report of snapshot id of cluster belongs with what the plan deletes:
// a doomed snapshot, or one an earlier prune deleted (no longer stored) older than what the
// cluster keeps.
func (p *PrunePlan) Goes(cluster string, id int64) bool {
	for _, d := range p.Doomed {
		if d.Meta.ID == id {
			return d.Meta.ClusterID == cluster
		}
	}
	cut, ok := p.OldestKept[cluster]
	return ok && id < cut && !slices.Contains(p.known[cluster], id)
}

// PlanPrune decides which snapshots go when the newest keep usable (complete or partial)
// snapshots of each cluster (or of cluster alone, when given) are kept: every older one, failed
// ones included. It changes nothing.
func (s *Store) PlanPrune(ctx context.Context, cluster string, keep int) (*PrunePlan, error) {
	if keep < 1 {
		return nil, fmt.Errorf("pruning: keep %d snapshots: want at least 1", keep)
	}
	list, err := s.List(ctx, cluster)
	if err != nil {
		return nil, err
	}
	byCluster := map[string][]Meta{}
	for _, m := range list {
		byCluster[m.ClusterID] = append(byCluster[m.ClusterID], m)
	}
	p := &PrunePlan{OldestKept: map[string]int64{}, known: map[string][]int64{}}
	for c, snaps := range byCluster { // each oldest first
		for _, m := range snaps {
			p.known[c] = append(p.known[c], m.ID)
		}
		kept, cut := 0, int64(0)
		for i := len(snaps) - 1; i >= 0 && cut == 0; i-- {
			if snaps[i].Status != StatusFailed {
				if kept++; kept == keep {
					cut = snaps[i].ID
				}
			}
		}
		if cut == 0 {
			continue // fewer usable snapshots than asked: nothing goes
		}
		p.OldestKept[c] = cut
		for _, m := range snaps {
			if m.ID < cut {
				p.Doomed = append(p.Doomed, PrunedSnapshot{Meta: m})
			}
		}
	}
	sort.Slice(p.Doomed, func(i, j int) bool { return p.Doomed[i].Meta.ID < p.Doomed[j].Meta.ID })
	for i := range p.Doomed {
		id := p.Doomed[i].Meta.ID
		if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM analysis WHERE snapshot_id = ?`, id).Scan(&p.Doomed[i].Analyses); err != nil {
			return nil, fmt.Errorf("pruning: counting the analyses of snapshot %d: %w", id, err)
		}
	}
	return p, nil
}

// Prune deletes the plan's snapshots in one transaction; their rows, mirrored tables and
// analyses go with them (ON DELETE CASCADE).
func (s *Store) Prune(ctx context.Context, p *PrunePlan) error {
	if len(p.Doomed) == 0 {
		return nil
	}
	tx, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("pruning: %w", err)
	}
	defer tx.Rollback()
	for _, d := range p.Doomed {
		if _, err := tx.ExecContext(ctx, `DELETE FROM snapshot WHERE id = ?`, d.Meta.ID); err != nil {
			return fmt.Errorf("pruning: deleting snapshot %d: %w", d.Meta.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("pruning: %w", err)
	}
	return nil
}
