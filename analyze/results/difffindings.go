package results

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

func diffFindings(ctx context.Context, store *snapshot.Store, d *Diff) error {
	var sides [2]*StoredAnalysis
	for i, id := range []int64{d.Before.ID, d.After.ID} {
		a, err := LatestAnalysis(ctx, store, id)
		if errors.Is(err, ErrNoAnalysis) {
			d.Notes = append(d.Notes, fmt.Sprintf("snapshot %d has not been analyzed: findings not compared (run `cucm-audit analyze --snapshot %d`)", id, id))
			continue
		}
		if err != nil {
			return fmt.Errorf("diffing findings: %w", err)
		}
		sides[i] = a
	}
	// The analysis ids are set even when only one side has one, so a report can name the
	// snapshot whose missing analysis kept the findings from being compared.
	if sides[0] != nil {
		d.BeforeAnalysis = sides[0].ID
	}
	if sides[1] != nil {
		d.AfterAnalysis = sides[1].ID
	}
	if sides[0] == nil || sides[1] == nil {
		return nil
	}
	before, after := sides[0], sides[1]
	d.FindingsCompared = true
	outcomes := func(a *StoredAnalysis) map[string]Outcome {
		m := map[string]Outcome{}
		for _, r := range a.Rules {
			m[r.ID] = r.Outcome
		}
		return m
	}
	bOutcome, aOutcome := outcomes(before), outcomes(after)
	// Most severe first; LatestAnalysis orders by rule and entity within that.
	bf := slices.Clone(before.Findings)
	af := slices.Clone(after.Findings)
	for _, fs := range [][]Finding{bf, af} {
		sort.SliceStable(fs, func(i, j int) bool { return fs[i].Severity > fs[j].Severity })
	}
	inBefore := map[string]bool{}
	for _, f := range bf {
		inBefore[f.Fingerprint] = true
	}
	inAfter := map[string]bool{}
	for _, f := range af {
		inAfter[f.Fingerprint] = true
	}
	notConcludedBefore := map[string]int{}
	for _, f := range af {
		if inBefore[f.Fingerprint] {
			d.Persisting++
			continue
		}
		d.NewFindings = append(d.NewFindings, f)
		if o := bOutcome[f.RuleID]; o != OutcomePass && o != OutcomeFail {
			notConcludedBefore[f.RuleID]++
		}
	}
	for _, f := range bf {
		if inAfter[f.Fingerprint] {
			continue
		}
		if o := aOutcome[f.RuleID]; o == OutcomePass || o == OutcomeFail {
			d.Resolved = append(d.Resolved, f)
		} else {
			d.Unconfirmed = append(d.Unconfirmed, f)
		}
	}
	for _, id := range sortedKeys(notConcludedBefore) {
		d.Notes = append(d.Notes, fmt.Sprintf("rule %s did not conclude on snapshot %d (%s): its %d new findings may have existed before",
			id, d.Before.ID, outcomeText(bOutcome[id]), notConcludedBefore[id]))
	}
	if len(d.Unconfirmed) > 0 {
		d.Notes = append(d.Notes, fmt.Sprintf("%d earlier findings are not confirmed resolved: their rules did not conclude on snapshot %d",
			len(d.Unconfirmed), d.After.ID))
	}
	return nil
}

func outcomeText(o Outcome) string {
	if o == "" {
		return "not evaluated"
	}
	return string(o)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// StatusChanges splits the devices whose RisPort status changed into what broke (was Registered,
// is not any more) and what recovered (is Registered now, was not).
func (d *Diff) StatusChanges() (broke, recovered []DeviceChange) {
	for _, c := range d.Changed {
		for _, f := range c.Fields {
			if f.Field != FieldStatus {
				continue
			}
			switch {
			case f.Before == "Registered":
				broke = append(broke, c)
			case f.After == "Registered":
				recovered = append(recovered, c)
			}
		}
	}
	return broke, recovered
}

// Empty reports whether nothing changed between the two snapshots.
func (d *Diff) Empty() bool {
	return len(d.Added) == 0 && len(d.Removed) == 0 && len(d.Changed) == 0 && len(d.NewFindings) == 0 &&
		len(d.Resolved) == 0 && len(d.Unconfirmed) == 0
}

// Summarize condenses a diff into the executive summary's "change since the previous snapshot".
func (d *Diff) Summarize() *ChangeSummary {
	c := &ChangeSummary{PreviousID: d.Before.ID, NewFindings: len(d.NewFindings), ResolvedFindings: len(d.Resolved),
		DevicesAdded: len(d.Added), DevicesRemoved: len(d.Removed), FindingsNotCompared: !d.FindingsCompared}
	for _, r := range d.Registration {
		c.RegisteredDelta += r.RegisteredAfter - r.RegisteredBefore
	}
	return c
}

// PreviousSnapshot returns the newest complete or partial snapshot of the same cluster taken
// before snapshotID; ok is false when there is none. BuildReport diffs against it for the
// executive summary's change section.
func PreviousSnapshot(ctx context.Context, store *snapshot.Store, snapshotID int64) (m snapshot.Meta, ok bool, err error) {
	cur, err := store.Get(ctx, snapshotID)
	if err != nil {
		return snapshot.Meta{}, false, fmt.Errorf("finding the previous snapshot: %w", err)
	}
	list, err := store.List(ctx, cur.ClusterID)
	if err != nil {
		return snapshot.Meta{}, false, fmt.Errorf("finding the previous snapshot: %w", err)
	}
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].ID < snapshotID && list[i].Status != snapshot.StatusFailed {
			return list[i], true, nil
		}
	}
	return snapshot.Meta{}, false, nil
}

// StatusReasonText is the name of a RisPort StatusReason code, e.g. "ConfigurationMismatch";
// a code outside Cisco's published list reads "Unknown reason N".
func StatusReasonText(code int) string {
	if n, ok := snapshot.StatusReason(code); ok {
		return n
	}
	return fmt.Sprintf("Unknown reason %d", code)
}
