package results

import (
	"context"
	"fmt"
	"strings"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

// DefaultTrendPoints is how many snapshots a report's trend shows unless told otherwise.
const DefaultTrendPoints = 8

// Trend returns the cluster's last n snapshots (complete or partial; failed ones hold no data),
// oldest first: registered devices by RisPort class and open findings by severity from each
// snapshot's newest analysis.
func Trend(ctx context.Context, store *snapshot.Store, cluster string, n int) ([]TrendPoint, error) {
	return trend(ctx, store, cluster, 0, n)
}

// TrendAt is Trend for a report on snapshotID: the n snapshots of its cluster that end with it,
// so a report on an older snapshot never shows what came after.
func TrendAt(ctx context.Context, store *snapshot.Store, snapshotID int64, n int) ([]TrendPoint, error) {
	m, err := store.Get(ctx, snapshotID)
	if err != nil {
		return nil, fmt.Errorf("building trend: %w", err)
	}
	return trend(ctx, store, m.ClusterID, snapshotID, n)
}

func trend(ctx context.Context, store *snapshot.Store, cluster string, upTo int64, n int) ([]TrendPoint, error) {
	if n <= 0 {
		return nil, nil
	}
	list, err := store.List(ctx, cluster)
	if err != nil {
		return nil, fmt.Errorf("building trend of cluster %s: %w", cluster, err)
	}
	var metas []snapshot.Meta
	for _, m := range list {
		if m.Status != snapshot.StatusFailed && (upTo == 0 || m.ID <= upTo) {
			metas = append(metas, m)
		}
	}
	if len(metas) > n {
		metas = metas[len(metas)-n:]
	}
	db := store.DB()
	classes := map[string]bool{}
	points := make([]TrendPoint, 0, len(metas))
	for _, m := range metas {
		p := TrendPoint{SnapshotID: m.ID, At: m.StartedAt, RegisteredByClass: map[string]int{}}
		rows, err := db.QueryContext(ctx, `SELECT device_class, COUNT(*) FROM ris_latest
			WHERE snapshot_id = ? AND status = 'Registered' GROUP BY device_class`, m.ID)
		if err != nil {
			return nil, fmt.Errorf("building trend: counting registered devices of snapshot %d: %w", m.ID, err)
		}
		for rows.Next() {
			var class string
			var count int
			if err := rows.Scan(&class, &count); err != nil {
				rows.Close()
				return nil, fmt.Errorf("building trend: counting registered devices of snapshot %d: %w", m.ID, err)
			}
			p.RegisteredByClass[class] = count
			classes[class] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("building trend: counting registered devices of snapshot %d: %w", m.ID, err)
		}
		// Every RisPort class the snapshot queried counts, even with nobody registered.
		cov, err := store.Coverage(ctx, m.ID)
		if err != nil {
			return nil, fmt.Errorf("building trend: %w", err)
		}
		for _, c := range cov {
			if class, ok := cutClassItem(c); ok {
				classes[class] = true
			}
		}
		analysis, err := newestAnalysis(ctx, db, m.ID)
		if err != nil {
			return nil, fmt.Errorf("building trend: %w", err)
		}
		if analysis != 0 {
			p.Analyzed = true
			p.FindingsBySeverity = map[Severity]int{}
			for _, s := range Severities() {
				p.FindingsBySeverity[s] = 0
			}
			rows, err := db.QueryContext(ctx, `SELECT severity, COUNT(*) FROM finding WHERE analysis_id = ? AND waived = 0
				GROUP BY severity`, analysis)
			if err != nil {
				return nil, fmt.Errorf("building trend: counting findings of snapshot %d: %w", m.ID, err)
			}
			for rows.Next() {
				var sev string
				var count int
				if err := rows.Scan(&sev, &count); err != nil {
					rows.Close()
					return nil, fmt.Errorf("building trend: counting findings of snapshot %d: %w", m.ID, err)
				}
				s, err := ParseSeverity(sev)
				if err != nil {
					rows.Close()
					return nil, fmt.Errorf("building trend: finding of snapshot %d: %w", m.ID, err)
				}
				p.FindingsBySeverity[s] += count
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, fmt.Errorf("building trend: counting findings of snapshot %d: %w", m.ID, err)
			}
			if p.Scores, err = storedScores(ctx, store, m.ID, analysis); err != nil {
				return nil, fmt.Errorf("building trend: %w", err)
			}
		}
		points = append(points, p)
	}
	// Every point names every class, so a table or chart has no holes.
	for _, p := range points {
		for c := range classes {
			if _, ok := p.RegisteredByClass[c]; !ok {
				p.RegisteredByClass[c] = 0
			}
		}
	}
	return points, nil
}

func cutClassItem(c snapshot.Coverage) (string, bool) {
	if c.Source != snapshot.SourceRisPort {
		return "", false
	}
	class, ok := strings.CutPrefix(c.Item, snapshot.ClassItem(""))
	return class, ok && class != ""
}

// TrendClasses lists the RisPort classes that appear in a trend, in a stable order: the
// columns of a trend table and the series of a trend chart.
func TrendClasses(points []TrendPoint) []string {
	seen := map[string]bool{}
	for _, p := range points {
		for c := range p.RegisteredByClass {
			seen[c] = true
		}
	}
	return sortedKeys(seen)
}
