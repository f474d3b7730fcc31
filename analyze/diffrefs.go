package analyze

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

// DiffRefs diffs the snapshots two references name (an id, latest or latest~N), as `cucm-audit
// diff --before --after` gives them: before is resolved in the cluster of after unless cluster
// names one. The errors name the flag and say what to do.
func DiffRefs(ctx context.Context, store *snapshot.Store, beforeRef, afterRef, cluster string, opts DiffOptions) (*Diff, error) {
	after, err := store.Resolve(ctx, afterRef, cluster)
	if err != nil {
		return nil, fmt.Errorf("--after: %w", err)
	}
	if cluster == "" {
		cluster = after.ClusterID
	}
	before, err := store.Resolve(ctx, beforeRef, cluster)
	if errors.Is(err, snapshot.ErrNotFound) && strings.HasPrefix(beforeRef, "latest") {
		return nil, fmt.Errorf("--before %s: cluster %s has no earlier snapshot to compare with (collect again after the change, or pass --before ID): %w", beforeRef, cluster, err)
	}
	if err != nil {
		return nil, fmt.Errorf("--before: %w", err)
	}
	d, err := DiffSnapshots(ctx, store, before.ID, after.ID, opts)
	if errors.Is(err, ErrDifferentClusters) {
		return nil, fmt.Errorf("%w; pass --force to compare them anyway", err)
	}
	return d, err
}
