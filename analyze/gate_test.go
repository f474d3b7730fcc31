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

// registrationRules are the rules that would report false orphans or false states from a
// partial RisPort pass.
var registrationRules = []string{"REG-001", "REG-002", "REG-004", "REG-005", "REG-007", "REG-008", "RED-001", "RED-002", "FW-001"}

// TestInconclusiveWithoutRisPortCoverage: a node or a class missing from coverage makes the
// registration rules inconclusive, with the reason, and never yields a false orphan.
func TestInconclusiveWithoutRisPortCoverage(t *testing.T) {
	orphanless := func(f *fixture) {
		// Both phones are registered on sub2, which did not answer: RisPort lacks them.
		f.ris = f.ris[:0]
		f.device("GW-1b", "Gateway", "Gateway", "sub1")
	}
	cases := []struct {
		name   string
		mutate func(f *fixture)
		reason string // expected reason of REG-001
	}{
		{"node not responding", func(f *fixture) {
			orphanless(f)
			f.setCoverage(snapshot.SourceRisPort, snapshot.NodeItem("sub2"), false, "NodeNotResponding")
		}, "risport node:sub2 incomplete: NodeNotResponding"},
		{"node missing from coverage", func(f *fixture) {
			orphanless(f)
			f.dropCoverage(snapshot.SourceRisPort, snapshot.NodeItem("sub2"))
		}, "risport node:sub2 (a node in AXL) was not read (no coverage record)"},
		{"class not read", func(f *fixture) {
			orphanless(f)
			f.dropCoverage(snapshot.SourceRisPort, snapshot.ClassItem("Phone"))
		}, "risport class:Phone was not read (no coverage record)"},
		{"class incomplete", func(f *fixture) {
			orphanless(f)
			f.setCoverage(snapshot.SourceRisPort, snapshot.ClassItem("Phone"), false, "HTTP 500 after 3 retries")
		}, "risport class:Phone incomplete: HTTP 500 after 3 retries"},
		{"no risport at all", func(f *fixture) {
			orphanless(f)
			var keep []snapshot.Coverage
			for _, c := range f.coverage {
				if c.Source != snapshot.SourceRisPort {
					keep = append(keep, c)
				}
			}
			f.coverage, f.answers = keep, nil
		}, "risport class:Phone was not read (no coverage record); risport nodes: no node coverage record, so it is unknown whether every node answered; risport node:pub (a node in AXL) was not read (no coverage record); risport node:sub1 (a node in AXL) was not read (no coverage record); risport node:sub2 (a node in AXL) was not read (no coverage record)"},
		{"node answered an error", func(f *fixture) {
			orphanless(f)
			for i := range f.answers {
				if f.answers[i].Node == "sub2" && f.answers[i].DeviceClass == "Phone" {
					f.answers[i].ReturnCode = "NodeNotResponding"
				}
			}
		}, "risport node sub2 answered NodeNotResponding for class Phone"},
		{"node answered an error for class Any", func(f *fixture) {
			orphanless(f)
			f.answers = append(f.answers, snapshot.NodeAnswer{DeviceClass: "Any", Node: "sub2", ReturnCode: "NodeNotResponding"})
		}, "risport node sub2 answered NodeNotResponding for class Any"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store := newStore(t)
			f := healthy()
			tc.mutate(f)
			id := f.write(t, store)
			res := evalAll(t, store, id)
			got := byRule(res)
			for _, rid := range registrationRules {
				r := got[rid]
				if r.Outcome != results.OutcomeInconclusive || len(r.Findings) != 0 {
					t.Errorf("%s: %s with %d findings (%s), want inconclusive with none", rid, r.Outcome, len(r.Findings), r.Reason)
				}
			}
			if r := got["REG-001"]; r.Reason != tc.reason {
				t.Errorf("REG-001 reason:\n got %s\nwant %s", r.Reason, tc.reason)
			}
			// Rules not needing RisPort still conclude.
			if r := got["INV-001"]; r.Outcome != results.OutcomePass {
				t.Errorf("INV-001: %s %s, want pass", r.Outcome, r.Reason)
			}
		})
	}
}

func TestAXLGapMakesAXLRulesInconclusive(t *testing.T) {
	store := newStore(t)
	f := healthy()
	f.setCoverage(snapshot.SourceAXL, "line_appearances", false, "executeSQLQuery: Query request too large")
	id := f.write(t, store)
	got := byRule(evalAll(t, store, id))
	for _, rid := range []string{"INV-002", "INV-003"} {
		want := "axl line_appearances incomplete: executeSQLQuery: Query request too large"
		if r := got[rid]; r.Outcome != results.OutcomeInconclusive || r.Reason != want {
			t.Errorf("%s: %s %q, want inconclusive %q", rid, r.Outcome, r.Reason, want)
		}
	}
	if r := got["DQ-002"]; r.Outcome != results.OutcomeFail {
		t.Errorf("DQ-002: %s, want fail", r.Outcome)
	}
}

// TestRuntimeErrorIsolated: a rule failing while it runs is an error result; the others run.
func TestRuntimeErrorIsolated(t *testing.T) {
	store := newStore(t)
	id := healthy().write(t, store)
	pack := `schema: 1
rules:
  - id: ERR-001
    title: fails at run time
    severity: low
    category: test
    description: d
    remediation: r
    query: SELECT name AS entity FROM devices WHERE abs(CASE WHEN class = 'Gateway' THEN -9223372036854775807 - 1 ELSE 0 END) >= 0
  - id: ERR-002
    title: empty entity
    severity: low
    category: test
    description: d
    remediation: r
    query: SELECT '' AS entity FROM devices
  - id: ERR-003
    title: works
    severity: low
    category: test
    description: d
    remediation: r
    query: SELECT name AS entity FROM devices WHERE class = 'Gateway'
`
	rules, err := ParsePack("t.yaml", []byte(pack))
	must(t, err)
	res, err := Run(context.Background(), store, id, Options{Rules: &RuleSet{Rules: rules}})
	must(t, err)
	got := byRule(res)
	if r := got["ERR-001"]; r.Outcome != results.OutcomeError || !strings.Contains(r.Reason, "integer overflow") {
		t.Errorf("ERR-001 = %s %q, want error with integer overflow", r.Outcome, r.Reason)
	}
	if r := got["ERR-002"]; r.Outcome != results.OutcomeError || r.Reason != "a row has an empty entity (every row must name what it is about)" {
		t.Errorf("ERR-002 = %s %q", r.Outcome, r.Reason)
	}
	if r := got["ERR-003"]; r.Outcome != results.OutcomeFail || len(r.Findings) != 1 {
		t.Errorf("ERR-003 = %s %v", r.Outcome, entities(r))
	}
}

func TestWaivers(t *testing.T) {
	store := newStore(t)
	f := healthy()
	f.deviceOf(t, "SEP000000000001").Owner = ""
	f.deviceOf(t, "SEP000000000002").Owner = ""
	f.phone("SEPLOBBY0000001", "Cisco 7841", "", "1010", "sub1")
	id := f.write(t, store)
	file := filepath.Join(t.TempDir(), "waivers.yaml")
	must(t, os.WriteFile(file, []byte(`schema: 1
waivers:
  - rule: INV-001
    entity: "SEPLOBBY*"
    statement: Lobby phones are shared by design.
    owner: voice-team
    expires: 2027-06-30
  - rule: INV-001
    entity: SEP000000000001
    statement: Owner leaving, phone to be reassigned.
    owner: alice.manager
    expires: 2026-10-31
  - rule: REG-001
    entity: "SEPOLD*"
    statement: Old phones in the store room.
    owner: voice-team
    expires: 2027-01-31
  - rule: REG-003
    entity: "*"
    statement: Gateways migrating.
    owner: voice-team
    expires: 2027-01-31
`), 0o644))
	res, err := Run(context.Background(), store, id, Options{WaiversFile: file, Now: fixtureTime, Only: []string{"INV-001", "REG-001", "REG-003"}})
	must(t, err)
	r := byRule(res)["INV-001"]
	var open, waived []string
	for _, f := range r.Findings {
		if f.Open() {
			open = append(open, f.Entity)
		} else {
			waived = append(waived, f.Entity)
		}
	}
	if diff := cmp.Diff([]string{"SEP000000000001", "SEP000000000002"}, open); diff != "" {
		t.Errorf("open findings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"SEPLOBBY0000001"}, waived); diff != "" {
		t.Errorf("waived findings (-want +got):\n%s", diff)
	}
	for _, f := range r.Findings {
		if f.Entity == "SEP000000000001" && (f.Waiver == nil || !f.Waiver.Expired) {
			t.Errorf("SEP000000000001 should carry its expired waiver, got %+v", f.Waiver)
		}
	}
	if got := res.CountAtLeast(results.SeverityLow); got != 2 {
		t.Errorf("open findings at or above low = %d, want 2 (waived never count)", got)
	}
	var expired, stale []string
	for _, w := range res.Waivers.Expired {
		expired = append(expired, w.Rule+" "+w.Entity)
	}
	for _, w := range res.Waivers.Stale {
		stale = append(stale, w.Rule+" "+w.Entity)
	}
	if diff := cmp.Diff([]string{"INV-001 SEP000000000001"}, expired); diff != "" {
		t.Errorf("expired (-want +got):\n%s", diff)
	}
	// REG-003 passed with nothing to waive: stale too.
	if diff := cmp.Diff([]string{"REG-001 SEPOLD*", "REG-003 *"}, stale); diff != "" {
		t.Errorf("stale (-want +got):\n%s", diff)
	}
	// Stored: waived flag and waiver JSON.
	a, err := results.LatestAnalysis(context.Background(), store, id)
	must(t, err)
	nWaived := 0
	for _, f := range a.Findings {
		if !f.Open() {
			nWaived++
		}
	}
	if nWaived != 1 || len(a.Waivers.Stale) != 2 || len(a.Waivers.Expired) != 1 {
		t.Errorf("stored analysis: %d waived, %d stale, %d expired; want 1, 2, 1", nWaived, len(a.Waivers.Stale), len(a.Waivers.Expired))
	}
}

func TestBadWaiverFiles(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"unknown key", "waivers:\n  - rule: INV-001\n    entity: x\n    statment: s\n", "w.yaml:4: field statment not found"},
		{"missing expires", "waivers:\n  - rule: INV-001\n    entity: x\n    statement: s\n    owner: o\n", "w.yaml:2: waiver 1: missing field expires"},
		{"bad date", "waivers:\n  - rule: INV-001\n    entity: x\n    statement: s\n    owner: o\n    expires: 31/12/2026\n", `w.yaml:6: waiver 1: expires "31/12/2026" is not a date YYYY-MM-DD`},
		{"bad glob", "waivers:\n  - rule: INV-001\n    entity: \"SEP[\"\n    statement: s\n    owner: o\n    expires: 2026-12-31\n", `w.yaml:3: waiver 1: entity pattern "SEP[": syntax error in pattern`},
		{"schema", "schema: 3\nwaivers: []\n", "w.yaml:1: schema 3 is not supported (this cucm-audit reads schema: 1)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseWaivers("w.yaml", []byte(tc.yaml))
			if err == nil || err.Error() != tc.want {
				t.Errorf("error:\n got %v\nwant %s", err, tc.want)
			}
		})
	}
	// A waiver for a rule that does not exist is caught when the rules are known.
	store := newStore(t)
	id := healthy().write(t, store)
	file := filepath.Join(t.TempDir(), "w.yaml")
	must(t, os.WriteFile(file, []byte("waivers:\n  - rule: REG-999\n    entity: x\n    statement: s\n    owner: o\n    expires: 2026-12-31\n"), 0o644))
	_, err := Run(context.Background(), store, id, Options{WaiversFile: file})
	want := file + ":2: waiver for unknown rule REG-999 (see `cucm-audit rules list`)"
	if err == nil || err.Error() != want {
		t.Errorf("error:\n got %v\nwant %s", err, want)
	}
}

// TestWaiverGlobCrossesSlash: entities are names, not paths. A gateway's endpoints are named
// AALN/S0/SU0/<port>@<gateway> and a directory number "<dn> / <partition>", so * and ? match '/'
// too; with path.Match alone "*@vg-old.example" waived nothing and was reported stale.
func TestWaiverGlobCrossesSlash(t *testing.T) {
	rule := &Rule{ID: "REG-003"}
	rrs := []RuleResult{{Rule: rule, Outcome: results.OutcomeFail, Findings: []results.Finding{
		{RuleID: "REG-003", Entity: "AALN/S0/SU0/0@vg-old.example"},
		{RuleID: "REG-003", Entity: "AALN/S0/SU0/11@vg-old.example"},
		{RuleID: "REG-003", Entity: "AALN/S0/SU0/0@vg-new.example"},
		{RuleID: "REG-003", Entity: "7900 / PT_Unassigned"},
	}}}
	waiver := func(entity string) WaiverEntry {
		return WaiverEntry{Waiver: results.Waiver{Rule: "REG-003", Entity: entity, Statement: "s", Owner: "o", Expires: "2099-12-31"}}
	}
	notes := applyWaivers(rrs, []WaiverEntry{waiver("*@vg-old.example"), waiver("79?? / PT_*"), waiver("AALN?S0*new*")}, fixtureTime)
	var waived []string
	for _, f := range rrs[0].Findings {
		if !f.Open() {
			waived = append(waived, f.Entity+" by "+f.Waiver.Entity)
		}
	}
	want := []string{
		"AALN/S0/SU0/0@vg-old.example by *@vg-old.example",
		"AALN/S0/SU0/11@vg-old.example by *@vg-old.example",
		"AALN/S0/SU0/0@vg-new.example by AALN?S0*new*",
		"7900 / PT_Unassigned by 79?? / PT_*",
	}
	if diff := cmp.Diff(want, waived); diff != "" {
		t.Errorf("waived findings (-want +got):\n%s", diff)
	}
	if len(notes.Stale) != 0 {
		t.Errorf("stale waivers: %+v, want none", notes.Stale)
	}
	if _, err := ParseWaivers("w.yaml", []byte("waivers:\n  - {rule: REG-003, entity: \"AALN/[\", statement: s, owner: o, expires: 2099-12-31}\n")); err == nil {
		t.Error("a pattern with an unclosed [ loaded")
	}
}
