package analyze

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
)

// compliancePacks are the categories of the compliance packs (issue 14).
var compliancePacks = []string{"emergency", "tollfraud", "access", "dialplan"}

// demoComplianceNatural are the findings of the compliance packs on the demo that no plant
// causes: true on the scenario as generated (the installation's administrator, a hunt list the
// scenario leaves empty, a CSS only the TF-004 plant uses).
var demoComplianceNatural = map[string][]string{
	"ACC-002": {"CCMAdministrator"},
	"ACC-004": {"CCMAdministrator", "axladmin"}, // no owner recorded (the owners param is empty)
	"DP-003":  {"HL_Department_19"},
}

// demoCompliancePlants are the findings of the compliance packs on the demo as collected.
var demoCompliancePlants = map[string][]string{
	"EMG-001": {"SEP00EBD59EC4AD/1", "SEP2C3124A3033F/1"}, // lab lines 5100, 5101: CSS without the emergency partition
	"EMG-003": {"SEP00EBD5EAA8CA/1", "SEPA45630A055A8/1"}, // US legacy lines 6120, 6121: 9911 only
	"TF-003":  {"8888 in <None>"},
	"TF-004":  {"SEP00EBD5D13AD9/1"}, // unowned corridor phone 2025 with the international CSS
	"ACC-002": {"CCMAdministrator", "axladmin", "svc_provisioning"},
	"ACC-003": {"axladmin"}, // the audit's own account, given AXL API Access (read and write)
	"ACC-004": {"CCMAdministrator", "axladmin", "svc_provisioning"},
	"DP-003":  {"HL_Department_19"},
}

// removePlants takes the compliance plants out of the demo scenario (examples/demo.yaml).
func removePlants(sc *cucmsim.Scenario) {
	dp := &sc.DialPlan
	dp.LineCSSRanges = slices.DeleteFunc(dp.LineCSSRanges, func(r cucmsim.LineCSSRange) bool {
		return r.CSS == "CSS_Line_Lab" || r.CSS == "CSS_Line_US_Legacy" || r.CSS == "CSS_Line_International"
	})
	dp.RoutePatterns = slices.DeleteFunc(dp.RoutePatterns, func(p cucmsim.RoutePattern) bool { return p.Partition == "PT_US_Legacy" })
	dp.TranslationPatterns = slices.DeleteFunc(dp.TranslationPatterns, func(p cucmsim.TranslationPattern) bool { return p.Partition == "" })
	sc.CallingSearchSpaces = slices.DeleteFunc(sc.CallingSearchSpaces, func(c cucmsim.CallingSearchSpace) bool {
		return c.Name == "CSS_Line_Lab" || c.Name == "CSS_Line_US_Legacy"
	})
	sc.Credentials.Roles = nil // the read-only default
	sc.ApplicationUsers = slices.DeleteFunc(sc.ApplicationUsers, func(a cucmsim.ApplicationUser) bool { return a.Name == "svc_provisioning" })
}

// packFindings runs the compliance packs on snapshot id and returns rule -> entities of the
// rules that found something.
func packFindings(t *testing.T, res *Result) map[string][]string {
	t.Helper()
	got := map[string][]string{}
	for _, r := range res.Rules {
		if !slices.Contains(compliancePacks, r.Rule.Category) {
			continue
		}
		if r.Outcome != results.OutcomePass && r.Outcome != results.OutcomeFail {
			t.Errorf("%s: %s (%s)", r.Rule.ID, r.Outcome, r.Reason)
		}
		if len(r.Findings) > 0 {
			got[r.Rule.ID] = entities(r)
		}
	}
	return got
}

// TestCompliancePacksOnDemo is the acceptance of issue 14 on the demo: each pack reports its
// plants and nothing else; every EMG and TF finding replays with `dial` to the same path; the
// demo without the plants reports only the natural findings; with the dial-plan tables
// incomplete every rule needing them is inconclusive and the registration rules still run.
func TestCompliancePacksOnDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("collects the demo cluster from the simulator")
	}
	ctx := context.Background()
	store, id := demoCopy(t) // the demo collected once per test binary, in a private copy
	m, err := store.Get(ctx, id)
	must(t, err)
	res, err := Run(ctx, store, m.ID, Options{Now: fixtureTime, Only: compliancePacks})
	must(t, err)
	if diff := cmp.Diff(demoCompliancePlants, packFindings(t, res)); diff != "" {
		t.Errorf("compliance findings on the demo (-want +got):\n%s", diff)
	}

	// Replay: the path in the evidence is the path `cucm-audit dial` prints for the command in
	// the evidence.
	plan, err := LoadDialPlan(ctx, store.Path(), m)
	must(t, err)
	replayed := 0
	for _, r := range res.Rules {
		if !strings.HasPrefix(r.Rule.ID, "EMG-") && !strings.HasPrefix(r.Rule.ID, "TF-") {
			continue
		}
		for _, f := range r.Findings {
			ev := map[string]string{}
			for _, e := range f.Evidence {
				ev[e.Name] = e.Value
			}
			if r.Rule.ID == "TF-003" {
				continue // a pattern, not a call
			}
			req := replayRequest(t, ev["replay"])
			a, err := plan.Dial(req)
			if err != nil {
				t.Errorf("%s %s: replaying %q: %v", r.Rule.ID, f.Entity, ev["replay"], err)
				continue
			}
			if a.Path != ev["path"] || !strings.Contains(a.Text(), "Path: "+ev["path"]+"\n") {
				t.Errorf("%s %s: replay path\n  %s\nwant (evidence)\n  %s", r.Rule.ID, f.Entity, a.Path, ev["path"])
			}
			replayed++
		}
	}
	if replayed < 5 {
		t.Errorf("replayed %d EMG/TF findings, want every one of the 5 call findings", replayed)
	}

	// Dial-plan tables incomplete: the packs' rules that need them are inconclusive with the
	// reason; the registration rules still run.
	_, err = store.DB().Exec(`UPDATE coverage SET complete = 0, reason = 'No SELECT permission' WHERE snapshot_id = ? AND item = 'table:numplan'`, m.ID)
	must(t, err)
	res, err = Run(ctx, store, m.ID, Options{Now: fixtureTime})
	must(t, err)
	for _, r := range res.Rules {
		needs := slices.Contains(r.Rule.Requires, "axl:table:numplan")
		switch {
		case needs && (r.Outcome != results.OutcomeInconclusive || !strings.Contains(r.Reason, "numplan")):
			t.Errorf("%s with numplan incomplete: %s %q, want inconclusive naming table:numplan", r.Rule.ID, r.Outcome, r.Reason)
		case slices.Contains(registrationRules, r.Rule.ID) && r.Outcome == results.OutcomeInconclusive:
			t.Errorf("%s inconclusive with only numplan incomplete: %s", r.Rule.ID, r.Reason)
		}
	}
	for _, id := range []string{"EMG-001", "EMG-002", "EMG-003", "EMG-004", "TF-001", "TF-002", "TF-003", "TF-004", "DP-001", "DP-002", "DP-005", "DP-006"} {
		if r := byRule(res)[id]; !slices.Contains(r.Rule.Requires, "axl:table:numplan") {
			t.Errorf("%s does not require axl:table:numplan", id)
		}
	}
	// A snapshot that does not record its AXL user (collected before schema 7) leaves the rule
	// judging that account inconclusive.
	_, err = store.DB().Exec(`DELETE FROM coverage WHERE snapshot_id = ? AND item = 'account'`, m.ID)
	must(t, err)
	res, err = Run(ctx, store, m.ID, Options{Now: fixtureTime, Only: []string{"ACC-003"}})
	must(t, err)
	if r := res.Rules[0]; r.Outcome != results.OutcomeInconclusive || !strings.Contains(r.Reason, "axl account was not read") {
		t.Errorf("ACC-003 without the account coverage: %s %q, want inconclusive naming axl account", r.Outcome, r.Reason)
	}
}

// TestCompliancePlantsRemoved: the demo without the plants reports only the natural findings.
func TestCompliancePlantsRemoved(t *testing.T) {
	if testing.Short() {
		t.Skip("collects the demo cluster from the simulator")
	}
	store := newStore(t)
	m := collectDemoWith(t, store, removePlants)
	res, err := Run(context.Background(), store, m.ID, Options{Now: fixtureTime, Only: compliancePacks})
	must(t, err)
	want := map[string][]string{"DP-002": {"CSS_Line_International"}}
	for k, v := range demoComplianceNatural {
		want[k] = v
	}
	if diff := cmp.Diff(want, packFindings(t, res)); diff != "" {
		t.Errorf("compliance findings on the demo without plants (-want +got):\n%s", diff)
	}
	// With the owners recorded, ACC-004 is silent too.
	res, err = Run(context.Background(), store, m.ID, Options{Now: fixtureTime, Only: []string{"ACC-004"},
		Params: map[string]string{"ACC-004.owners": "CCMAdministrator=platform team; axl*=voice team"}})
	must(t, err)
	if r := res.Rules[0]; r.Outcome != results.OutcomePass {
		t.Errorf("ACC-004 with every owner recorded: %s %v, want pass", r.Outcome, entities(r))
	}
}

// replayRequest parses the replay command of a finding's evidence.
func replayRequest(t *testing.T, cmdline string) DialRequest {
	t.Helper()
	f := shellWords(t, cmdline)
	var req DialRequest
	for i := 0; i < len(f); i++ {
		switch f[i] {
		case "--from":
			i++
			req.From = f[i]
		case "--css":
			i++
			req.CSS = f[i]
		case "--en-bloc":
			req.EnBloc = true
		case "--no-css":
			req.NoCSS = true
		case "--snapshot":
			i++
		default:
			if i == len(f)-1 {
				req.Digits = f[i]
			}
		}
	}
	if req.Digits == "" {
		t.Fatalf("replay %q has no digits", cmdline)
	}
	return req
}

// shellWords splits a command line the way a POSIX shell does for the quoting ShellArg writes:
// bare words and single-quoted words, with '\” for a quote.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	var out []string
	var cur strings.Builder
	inWord, quoted := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quoted && c == '\'':
			quoted = false
		case quoted:
			cur.WriteByte(c)
		case c == '\'':
			quoted, inWord = true, true
		case c == '\\' && i+1 < len(line):
			i++
			cur.WriteByte(line[i])
			inWord = true
		case c == ' ':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("replay %q has an unterminated quote", line)
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}

func TestShellArg(t *testing.T) {
	for _, s := range []string{"CSS_Internal", "CSS Lobby Phones", "it's", "*67", "", "SEP001/1"} {
		got := shellWords(t, "x "+ShellArg(s)+" y")
		if len(got) != 3 || got[1] != s {
			t.Errorf("ShellArg(%q) = %q reads back as %q", s, ShellArg(s), got)
		}
	}
}

// TestACC003AccountNotRead: when the collecting account is none of the users read (or the
// snapshot records none), ACC-003 is inconclusive naming it, not a pass; the demo's own account
// still fails.
func TestACC003AccountNotRead(t *testing.T) {
	store, id := demoCopy(t)
	ctx := context.Background()
	for _, tc := range []struct{ user, want string }{
		{"nobody_here", "the collecting account nobody_here is not among the users read"},
		{"", "the collecting account (not recorded) is not among the users read"},
	} {
		_, err := store.DB().Exec(`UPDATE snapshot SET axl_user = ? WHERE id = ?`, tc.user, id)
		must(t, err)
		res, err := Run(ctx, store, id, Options{Now: fixtureTime, Only: []string{"ACC-003"}})
		must(t, err)
		if r := res.Rules[0]; r.Outcome != results.OutcomeInconclusive || r.Reason != tc.want || len(r.Findings) != 0 {
			t.Errorf("axl_user %q: %s %q %v, want inconclusive %q", tc.user, r.Outcome, r.Reason, entities(r), tc.want)
		}
	}
	_, err := store.DB().Exec(`UPDATE snapshot SET axl_user = 'AXLADMIN' WHERE id = ?`, id)
	must(t, err)
	res, err := Run(ctx, store, id, Options{Now: fixtureTime, Only: []string{"ACC-003"}})
	must(t, err)
	r := res.Rules[0]
	if r.Outcome != results.OutcomeFail || !slices.Equal(entities(r), []string{"axladmin"}) {
		t.Errorf("ACC-003 on the demo account: %s %q %v, want fail axladmin", r.Outcome, r.Reason, entities(r))
	}
	for _, e := range r.Findings[0].Evidence {
		if e.Name == InconclusiveColumn {
			t.Errorf("evidence holds the inconclusive column: %v", r.Findings[0].Evidence)
		}
	}
}
