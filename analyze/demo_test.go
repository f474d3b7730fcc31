package analyze

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/collect"
	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/examples"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// collectDemo collects the shipped demo scenario, with faults changed by setFaults, into store.
func collectDemo(t *testing.T, store *snapshot.Store, setFaults func(*cucmsim.Faults)) snapshot.Meta {
	t.Helper()
	return collectDemoWith(t, store, func(sc *cucmsim.Scenario) {
		if setFaults != nil {
			setFaults(&sc.Faults)
		}
	})
}

// collectDemoWith collects the shipped demo scenario as changed by change into store.
func collectDemoWith(t *testing.T, store *snapshot.Store, change func(*cucmsim.Scenario)) snapshot.Meta {
	t.Helper()
	data, err := examples.Scenario("demo")
	must(t, err)
	sc, err := cucmsim.ParseScenario("demo.yaml", data)
	must(t, err)
	sc.Faults.RisPortRateLimit = 0
	change(sc)
	hs, _ := testtool.Sim(t, sc)
	c, err := collect.New(collect.Config{
		Cluster: "demo", AXLURL: hs.URL + "/axl/", User: sc.Credentials.User, Password: collect.Secret(sc.Credentials.Password),
		VerifyTLS: true, Retries: 1, Timeout: 10 * time.Second, RisRateLimit: 1000, RisRateWindow: time.Second,
		RisMaxDevices: 1000, InitialBackoff: time.Millisecond, ToolVersion: "test",
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	must(t, err)
	m, err := c.Run(context.Background(), store, io.Discard)
	if err != nil && m.ID == 0 {
		t.Fatalf("collecting the demo: %v", err)
	}
	return m
}

// TestDemoAcceptance is the acceptance of issue 3 on the demo cluster: every built-in rule
// evaluates; never-registered reports exactly the 574 phones RisPort never saw; the rejected
// gateway rule exactly the 44 gateways (the rejected phone is REG-004's); the count delta shows
// Phone 1,377 in AXL vs 803 in RisPort.
func TestDemoAcceptance(t *testing.T) {
	if testing.Short() {
		t.Skip("collects the demo cluster from the simulator")
	}
	store := newStore(t)
	m := collectDemo(t, store, nil)
	res := evalAll(t, store, m.ID) // every built-in rule, none in error
	builtin, err := LoadRules()
	must(t, err)
	if len(res.Rules) != len(builtin.Rules) {
		t.Errorf("%d rules evaluated on the demo snapshot, want every built-in rule (%d)", len(res.Rules), len(builtin.Rules))
	}
	got := byRule(res)
	for _, tc := range []struct {
		rule string
		n    int
	}{{"REG-001", 574}, {"REG-003", 44}, {"REG-004", 1}, {"REG-008", 1}} {
		if r := got[tc.rule]; len(r.Findings) != tc.n {
			t.Errorf("%s: %s with %d findings, want %d (%s)", tc.rule, r.Outcome, len(r.Findings), tc.n, r.Reason)
		}
	}
	if r := got["REG-008"]; len(r.Findings) == 1 {
		want := "Phone: 1,377 in AXL vs 803 in RisPort (679 registered, 41.7% apart)"
		if f := r.Findings[0]; f.Entity != "Phone" || f.Message != want {
			t.Errorf("REG-008 = %s %q, want Phone %q", f.Entity, f.Message, want)
		}
	}
	for _, r := range res.Rules {
		// EOL-003 cannot decide on the shipped data: no release dates are shipped.
		if r.Rule.ID == "EOL-003" && strings.HasPrefix(r.Reason, "no end-of-life data for release 15.0 ") {
			continue
		}
		if r.Outcome == results.OutcomeInconclusive {
			t.Errorf("%s inconclusive on the complete demo snapshot: %s", r.Rule.ID, r.Reason)
		}
	}
	// Every never-seen phone is in AXL as a phone and absent from every node's answer.
	var absent int
	must(t, store.DB().QueryRow(`SELECT COUNT(*) FROM axl_device d WHERE d.snapshot_id = ? AND d.ris_class = 'Phone'
		AND NOT EXISTS (SELECT 1 FROM ris_device r WHERE r.snapshot_id = d.snapshot_id AND r.name = d.name)`, m.ID).Scan(&absent))
	if absent != 574 {
		t.Errorf("phones absent from RisPort in the snapshot = %d, want 574", absent)
	}
}

// TestDemoPartialRisPortIsInconclusive collects the same cluster with a node not responding and
// with the Phone class failing: the registration rules are inconclusive, never false orphans.
func TestDemoPartialRisPortIsInconclusive(t *testing.T) {
	if testing.Short() {
		t.Skip("collects the demo cluster from the simulator")
	}
	for _, tc := range []struct {
		name   string
		faults func(*cucmsim.Faults)
	}{
		{"node not responding", func(f *cucmsim.Faults) { f.NodesNotResponding = []string{"cucm-sub2"} }},
		{"phone class failing", func(f *cucmsim.Faults) { f.ClassesFailing = []string{"Phone"} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := newStore(t)
			m := collectDemo(t, store, tc.faults)
			got := byRule(evalAll(t, store, m.ID))
			for _, id := range registrationRules {
				if r := got[id]; r.Outcome != results.OutcomeInconclusive || len(r.Findings) != 0 {
					t.Errorf("%s: %s with %d findings, want inconclusive with none (%s)", id, r.Outcome, len(r.Findings), r.Reason)
				}
			}
			t.Logf("REG-001 reason: %s", got["REG-001"].Reason)
		})
	}
}
