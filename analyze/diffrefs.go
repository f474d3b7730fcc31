package analyze

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// DiffFlags are the comparison flags of `cucm-audit diff`: --cluster, --before, --after,
// --ignore-fields, --force and --fail-on.
type DiffFlags struct {
	cluster, before, after string
	opts                   results.DiffOptions
	failOn                 string
}

// AddDiffFlags registers the comparison flags on fs.
func AddDiffFlags(fs *flag.FlagSet) *DiffFlags {
	f := &DiffFlags{opts: results.DiffOptions{Ignore: results.DefaultIgnoredFields()}}
	fs.StringVar(&f.cluster, "cluster", "", "cluster id, when the database holds several (default: the cluster of --after)")
	fs.StringVar(&f.before, "before", "latest~1", "the snapshot before the change: an id, latest or latest~N (of the cluster of --after)")
	fs.StringVar(&f.after, "after", "latest", "the snapshot after the change: an id, latest or latest~N")
	fs.Func("ignore-fields", "fields that never count as a change, replacing the defaults; +a,b adds to them; none compares all\n(fields: "+
		strings.Join(results.DiffFields(), ", ")+")\n(default "+strings.Join(results.DefaultIgnoredFields(), ",")+")", func(s string) error {
		v, err := results.ParseIgnoreFields(s)
		if err != nil {
			return err
		}
		f.opts.Ignore = v
		return nil
	})
	fs.BoolVar(&f.opts.Force, "force", false, "compare snapshots of two different clusters anyway")
	fs.StringVar(&f.failOn, "fail-on", "", "exit 3 when the change window has any of: broke (a device that was registered is not), new-findings (comma-separated)")
	return f
}

// Diff reads --fail-on and diffs the snapshots --before and --after name.
func (f *DiffFlags) Diff(ctx context.Context, store *snapshot.Store) (*results.Diff, DiffFailOn, error) {
	failOn, err := ParseDiffFailOn(f.failOn)
	if err != nil {
		return nil, nil, err
	}
	d, err := diffRefs(ctx, store, f.before, f.after, f.cluster, f.opts)
	return d, failOn, err
}

// diffRefs diffs the snapshots two references name (an id, latest or latest~N): before is
// resolved in the cluster of after unless cluster names one. The errors name the flag and say
// what to do.
func diffRefs(ctx context.Context, store *snapshot.Store, beforeRef, afterRef, cluster string, opts results.DiffOptions) (*results.Diff, error) {
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
	d, err := results.DiffSnapshots(ctx, store, before.ID, after.ID, opts)
	if errors.Is(err, results.ErrDifferentClusters) {
		return nil, fmt.Errorf("%w; pass --force to compare them anyway", err)
	}
	return d, err
}
