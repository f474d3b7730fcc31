package analyze

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

func TestBuildReport(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)

	// Before: healthy. After: one phone never seen, one rejected gateway, a lobby phone without
	// an owner (waived), users not read completely (INV-006 inconclusive).
	before := healthy()
	id1 := before.write(t, store)
	_, err := Run(ctx, store, id1, Options{Now: fixtureTime})
	must(t, err)

	after := healthy()
	after.at = fixtureTime.Add(24 * 3600e9)
	after.phone("SEP0000000000AA", "Cisco 8845", "alice", "1003", "")
	after.phone("SEPLOBBY0000001", "Cisco 7841", "", "1010", "sub1")
	g := after.risOf(t, "GW-1")
	g.Status, g.StatusReason = "Rejected", 14
	after.setCoverage(snapshot.SourceAXL, "users", false, "query failed")
	id2 := after.write(t, store)
	waivers := filepath.Join(t.TempDir(), "w.yaml")
	must(t, os.WriteFile(waivers, []byte("waivers:\n  - rule: INV-001\n    entity: SEPLOBBY*\n    statement: shared\n    owner: voice\n    expires: 2027-12-31\n"), 0o644))
	_, err = Run(ctx, store, id2, Options{Now: fixtureTime, WaiversFile: waivers})
	must(t, err)

	rep, err := BuildReport(ctx, store, id2, ReportOptions{Now: fixtureTime, ToolVersion: "test"})
	must(t, err)

	sev := map[results.Severity]int{}
	for _, s := range rep.Summary.FindingsBySeverity {
		sev[s.Severity] = s.Count
	}
	if diff := cmp.Diff(map[results.Severity]int{results.SeverityCritical: 0, results.SeverityHigh: 2, results.SeverityMedium: 1, results.SeverityLow: 2, results.SeverityInfo: 1}, sev); diff != "" {
		t.Errorf("findings by severity (-want +got):\n%s", diff)
	}
	var phone *results.ClassRegistration
	for i := range rep.Summary.Registration {
		if rep.Summary.Registration[i].Class == "Phone" {
			phone = &rep.Summary.Registration[i]
		}
	}
	if phone == nil || phone.Configured != 4 || phone.Seen != 3 || phone.Registered != 3 || phone.NeverSeen != 1 || !phone.Complete {
		t.Errorf("Phone registration = %+v", phone)
	}
	var ids []string
	for _, s := range rep.Rules {
		ids = append(ids, s.Rule.ID)
	}
	// High first (by id), then medium.
	if diff := cmp.Diff([]string{"REG-001", "REG-003", "REG-008", "DQ-002", "LIC-002", "LIC-001"}, ids); diff != "" {
		t.Errorf("rule sections (-want +got):\n%s", diff)
	}
	if len(rep.Waived) != 1 || rep.Waived[0].Entity != "SEPLOBBY0000001" || rep.Waived[0].Waiver.Owner != "voice" {
		t.Errorf("waived = %+v", rep.Waived)
	}
	var inconclusive []string
	for _, o := range rep.DataQuality.Inconclusive {
		if strings.Contains(o.Reason, "table:") {
			continue // compliance packs: the fixture mirrors no CUCM table
		}
		inconclusive = append(inconclusive, o.Rule.ID+": "+o.Reason)
	}
	want := []string{
		"EOL-003: " + noReleaseData, // no release dates are shipped
		"INV-006: axl users incomplete: query failed",
	}
	if diff := cmp.Diff(want, inconclusive); diff != "" {
		t.Errorf("inconclusive (-want +got):\n%s", diff)
	}
	if c := rep.Summary.Change; c == nil || c.PreviousID != id1 || c.NewFindings != 7 || c.ResolvedFindings != 0 || c.DevicesAdded != 2 {
		t.Errorf("change = %+v", c)
	}
	if len(rep.Trend) != 2 || rep.Trend[1].FindingsBySeverity[results.SeverityHigh] != 2 {
		t.Errorf("trend = %+v", rep.Trend)
	}
	if builtin, _ := LoadRules(); len(rep.Appendix.Rules) != len(builtin.Rules) {
		t.Errorf("appendix lists %d rules, want every built-in rule (%d)", len(rep.Appendix.Rules), len(builtin.Rules))
	}
	for _, o := range rep.Appendix.Rules {
		if o.Rule.ID == "REG-002" && o.Rule.Params["days"] != "30" {
			t.Errorf("REG-002 params in appendix = %v", o.Rule.Params)
		}
		if o.Rule.Description == "" || o.Rule.Remediation == "" {
			t.Errorf("%s lacks its texts in the appendix", o.Rule.ID)
		}
	}
	if rep.DataQuality.Selection != nil {
		t.Errorf("selection = %+v for an analysis of every rule, want none", rep.DataQuality.Selection)
	}
	if _, err := BuildReport(ctx, store, healthy().write(t, store), ReportOptions{}); err == nil {
		t.Error("BuildReport on a snapshot never analysed: no error")
	}
}

// TestBuildReportSelection: a report of an analysis that ran --only / --skip says so, from the
// newest analysis only.
func TestBuildReportSelection(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	id := healthy().write(t, store)
	all, err := LoadRules()
	must(t, err)
	for _, tc := range []struct {
		name       string
		only, skip []string
		want       *results.RuleSelection
	}{
		{"only a category", []string{"redundancy"}, nil,
			&results.RuleSelection{Only: []string{"redundancy"}, Evaluated: 3, Available: len(all.Rules)}},
		{"only and skip", []string{"redundancy"}, []string{"RED-003"},
			&results.RuleSelection{Only: []string{"redundancy"}, Skip: []string{"RED-003"}, Evaluated: 2, Available: len(all.Rules)}},
		{"skip", nil, []string{"REG-001", "inventory"},
			&results.RuleSelection{Skip: []string{"REG-001", "inventory"}, Evaluated: len(all.Rules) - 1 - countCategory(all, "inventory"), Available: len(all.Rules)}},
		{"every rule", nil, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(ctx, store, id, Options{Now: fixtureTime, Only: tc.only, Skip: tc.skip})
			must(t, err)
			rep, err := BuildReport(ctx, store, id, ReportOptions{Now: fixtureTime, TrendPoints: -1})
			must(t, err)
			if diff := cmp.Diff(tc.want, rep.DataQuality.Selection); diff != "" {
				t.Errorf("selection (-want +got):\n%s", diff)
			}
			if len(rep.Appendix.Rules) != len(all.Rules) && tc.want == nil {
				t.Errorf("appendix lists %d rules, want %d", len(rep.Appendix.Rules), len(all.Rules))
			}
		})
	}
}

// TestBuildReportSelectionOlderAnalysis: an analysis stored before the count of available rules
// was recorded takes it from the rules loaded for the report.
func TestBuildReportSelectionOlderAnalysis(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	id := healthy().write(t, store)
	res, err := Run(ctx, store, id, Options{Now: fixtureTime, Only: []string{"REG-001"}})
	must(t, err)
	_, err = store.DB().Exec(`UPDATE analysis SET options = json_remove(options, '$.available') WHERE id = ?`, res.AnalysisID)
	must(t, err)
	rep, err := BuildReport(ctx, store, id, ReportOptions{Now: fixtureTime, TrendPoints: -1})
	must(t, err)
	want := &results.RuleSelection{Only: []string{"REG-001"}, Evaluated: 1, Available: res.Available}
	if diff := cmp.Diff(want, rep.DataQuality.Selection); diff != "" {
		t.Errorf("selection (-want +got):\n%s", diff)
	}
}

func countCategory(set *RuleSet, category string) int {
	n := 0
	for _, r := range set.Rules {
		if r.Category == category {
			n++
		}
	}
	return n
}
