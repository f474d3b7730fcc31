package analyze

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

func TestTrend(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	cov := []snapshot.Coverage{
		{Source: snapshot.SourceRisPort, Item: "class:Phone", Complete: true},
		{Source: snapshot.SourceRisPort, Item: "class:HuntList", Complete: true},
		{Source: snapshot.SourceRisPort, Item: "node:sub1", Complete: true},
	}
	devs := []snapshot.Device{phone("SEP1", "m", "p", "o"), phone("SEP2", "m", "p", "o")}
	s1 := writeSnap(t, s, snap{devices: devs, coverage: cov, ris: []snapshot.RisDevice{
		ris("sub1", "SEP1", "Phone", "Registered", 0, "", "", 1),
		ris("sub1", "SEP2", "Phone", "Registered", 0, "", "", 1),
	}})
	writeAnalysis(t, s, s1, nil, []testFinding{{"REG-001", "high", "SEP3", ""}, {"REG-003", "critical", "GW1", ""}})
	if _, err := s.RecordFailed(ctx, snapshot.Meta{ClusterID: "cl1"}, "AXL unreachable"); err != nil {
		t.Fatal(err)
	}
	writeSnap(t, s, snap{cluster: "other", devices: devs})
	s2 := writeSnap(t, s, snap{devices: devs, coverage: cov, ris: []snapshot.RisDevice{
		ris("sub1", "SEP1", "Phone", "Registered", 0, "", "", 1),
		ris("sub1", "SEP2", "Phone", "UnRegistered", 0, "", "", 1),
		// A device seen twice counts once, by its newest entry.
		ris("sub2", "SEP1", "Phone", "UnRegistered", 0, "", "", 0),
	}})
	id := writeAnalysis(t, s, s2, nil, []testFinding{{"REG-001", "high", "SEP2", ""}, {"FW-001", "medium", "x", ""}})
	if _, err := s.DB().Exec(`UPDATE finding SET waived = 1 WHERE analysis_id = ? AND rule_id = 'FW-001'`, id); err != nil {
		t.Fatal(err)
	}
	s3 := writeSnap(t, s, snap{devices: devs, coverage: cov}) // not analyzed, nobody registered

	allSev := func(m map[results.Severity]int) map[results.Severity]int {
		out := map[results.Severity]int{results.SeverityCritical: 0, results.SeverityHigh: 0, results.SeverityMedium: 0, results.SeverityLow: 0, results.SeverityInfo: 0}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	p1 := results.TrendPoint{SnapshotID: s1, RegisteredByClass: map[string]int{"Phone": 2, "HuntList": 0}, Analyzed: true,
		FindingsBySeverity: allSev(map[results.Severity]int{results.SeverityHigh: 1, results.SeverityCritical: 1})}
	p2 := results.TrendPoint{SnapshotID: s2, RegisteredByClass: map[string]int{"Phone": 1, "HuntList": 0}, Analyzed: true,
		FindingsBySeverity: allSev(map[results.Severity]int{results.SeverityHigh: 1})}
	p3 := results.TrendPoint{SnapshotID: s3, RegisteredByClass: map[string]int{"Phone": 0, "HuntList": 0}}
	opt := cmpopts.IgnoreFields(results.TrendPoint{}, "At")

	tests := []struct {
		name string
		get  func() ([]results.TrendPoint, error)
		want []results.TrendPoint
	}{
		{"last 8", func() ([]results.TrendPoint, error) { return results.Trend(ctx, s, "cl1", 8) }, []results.TrendPoint{p1, p2, p3}},
		{"last 2", func() ([]results.TrendPoint, error) { return results.Trend(ctx, s, "cl1", 2) }, []results.TrendPoint{p2, p3}},
		{"at s2", func() ([]results.TrendPoint, error) { return results.TrendAt(ctx, s, s2, 8) }, []results.TrendPoint{p1, p2}},
		{"none", func() ([]results.TrendPoint, error) { return results.Trend(ctx, s, "cl1", 0) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.get()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, opt); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if got := results.TrendClasses([]results.TrendPoint{p1}); !cmp.Equal(got, []string{"HuntList", "Phone"}) {
		t.Errorf("TrendClasses = %v", got)
	}
}
