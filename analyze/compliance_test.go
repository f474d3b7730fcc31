package analyze

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

func TestControlLabel(t *testing.T) {
	for tag, want := range map[string]string{
		"47CFR9.16":       "47 CFR 9.16",
		"ISO27001:A.5.29": "ISO 27001 A.5.29",
		"ISO27001":        "ISO 27001",
		"CIS:1.1":         "CIS 1.1",
		"TEL-12":          "TEL-12",
		":odd":            ":odd",
	} {
		if got := ControlLabel(tag); got != want {
			t.Errorf("ControlLabel(%q) = %q, want %q", tag, got, want)
		}
	}
}

// TestBuiltinPacks: every built-in file declares its pack, and the compliance packs are those
// rules/README.md names.
func TestBuiltinPacks(t *testing.T) {
	set, err := LoadRules()
	must(t, err)
	var compliance []string
	for _, p := range set.Packs {
		if p.Line == 0 {
			t.Errorf("%s: no pack: block (every built-in pack declares its name, title and compliance)", p.File)
		}
		if p.Title == p.Name {
			t.Errorf("pack %s: no title", p.Name)
		}
		if p.Compliance {
			compliance = append(compliance, p.Name)
		}
		if len(set.PackRules(p.Name)) == 0 {
			t.Errorf("pack %s has no rules", p.Name)
		}
	}
	want := []string{"access", "dialplan", "emergency", "licensing", "lifecycle", "tollfraud"}
	if !slices.Equal(compliance, want) {
		t.Errorf("compliance packs %v, want %v", compliance, want)
	}
	for _, r := range set.Rules {
		if set.Pack(r.Pack) == nil {
			t.Errorf("%s: pack %q not declared", r.ID, r.Pack)
		}
	}
	if err := set.CheckPacks([]string{"emergency", "TollFraud"}); err != nil {
		t.Error(err)
	}
	err = set.CheckPacks([]string{"emergency", "licence"})
	if want := `unknown pack "licence": want one of access, dataquality, dialplan, emergency, inventory, licensing, lifecycle, redundancy, registration, tollfraud`; err == nil || err.Error() != want {
		t.Errorf("CheckPacks: %v, want %s", err, want)
	}
}

// TestComplianceOnDemo checks the Compliance section on the demo against the plants of
// TestCompliancePacksOnDemo, then report --pack and analyze --pack.
func TestComplianceOnDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("collects the demo cluster from the simulator")
	}
	ctx := context.Background()
	store, id := demoCopy(t)
	full, err := Run(ctx, store, id, Options{Now: fixtureTime})
	must(t, err)
	rep, err := BuildReport(ctx, store, id, ReportOptions{Now: fixtureTime})
	must(t, err)

	type row struct {
		Pack                                           string
		Outcome                                        results.Outcome
		Rules, Pass, Fail, Inconclusive, Err, Findings int
		Worst                                          []string
	}
	var got []row
	for _, p := range rep.Compliance {
		r := row{p.Pack, p.Outcome, p.Rules, p.Pass, p.Fail, p.Inconclusive, p.Error, p.Findings, nil}
		for _, w := range p.Worst {
			r.Worst = append(r.Worst, w.RuleID)
		}
		got = append(got, r)
		if p.Pass+p.Fail+p.Inconclusive+p.Error != p.Rules || p.NotEvaluated != 0 {
			t.Errorf("%s: %d pass + %d fail + %d inconclusive + %d error != %d rules (%d not evaluated)", p.Pack, p.Pass, p.Fail, p.Inconclusive, p.Error, p.Rules, p.NotEvaluated)
		}
	}
	want := []row{
		{"access", results.OutcomeFail, 4, 1, 3, 0, 0, 7, []string{"ACC-003", "ACC-002", "ACC-004"}},
		{"dialplan", results.OutcomeFail, 6, 5, 1, 0, 0, 1, []string{"DP-003"}},
		{"emergency", results.OutcomeFail, 4, 2, 2, 0, 0, 4, []string{"EMG-001", "EMG-003"}},
		{"licensing", results.OutcomeFail, 3, 1, 2, 0, 0, 291, []string{"LIC-002", "LIC-003"}},
		{"lifecycle", results.OutcomeFail, 6, 2, 3, 1, 0, 230, []string{"EOL-001", "FW-003", "FW-001"}},
		{"tollfraud", results.OutcomeFail, 4, 2, 2, 0, 0, 2, []string{"TF-003", "TF-004"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("compliance section of the demo (-want +got):\n%s", diff)
	}
	var emg results.PackCompliance
	for _, p := range rep.Compliance {
		if p.Pack == "emergency" {
			emg = p
		}
	}
	if len(emg.Controls) == 0 || emg.Controls[0].Label != "47 CFR 9.16" || emg.Controls[0].Outcome != results.OutcomeFail ||
		!slices.Equal(emg.Controls[0].Rules, []string{"EMG-001", "EMG-002", "EMG-003", "EMG-004"}) {
		t.Errorf("emergency controls %+v, want 47 CFR 9.16 failed by EMG-001..004", emg.Controls)
	}
	if w := emg.Worst[0]; w.Severity != results.SeverityCritical || w.Example == "" || !slices.Contains(w.Controls, "47 CFR 9.16") {
		t.Errorf("worst emergency rule %+v, want EMG-001, critical, with an example and 47 CFR 9.16", w)
	}

	// report --pack: the report covers those packs' rules only, and says so.
	rep, err = BuildReport(ctx, store, id, ReportOptions{Now: fixtureTime, Packs: []string{"emergency"}})
	must(t, err)
	if rep.Analysis.ID != full.AnalysisID || rep.DataQuality.Selection == nil || !slices.Equal(rep.DataQuality.Selection.Packs, []string{"emergency"}) {
		t.Fatalf("report --pack emergency: analysis %d, selection %+v", rep.Analysis.ID, rep.DataQuality.Selection)
	}
	for _, s := range rep.Rules {
		if s.Rule.Pack != "emergency" {
			t.Errorf("report --pack emergency shows %s of pack %s", s.Rule.ID, s.Rule.Pack)
		}
	}
	if len(rep.Compliance) != 1 || rep.Compliance[0].Pack != "emergency" || len(rep.Appendix.Rules) != 4 {
		t.Errorf("report --pack emergency: compliance %d packs, appendix %d rules", len(rep.Compliance), len(rep.Appendix.Rules))
	}
	// Every rule was evaluated: the summary says the report shows 4 of them, not that only 4 ran.
	if sel := rep.DataQuality.Selection; sel.Evaluated != 4 || sel.Analysed != 51 {
		t.Errorf("report --pack emergency: selection %+v, want 4 shown of 51 analysed", sel)
	}
	if s := strings.Join(rep.Summary.Narrative, "\n"); !strings.Contains(s, "; this report shows 4 of 51 rules.") || strings.Contains(s, "were evaluated") {
		t.Errorf("report --pack emergency narrative:\n%s", s)
	}
	if _, err := BuildReport(ctx, store, id, ReportOptions{Packs: []string{"nope"}}); err == nil {
		t.Error("report --pack nope: no error")
	}

	// analyze --pack: only those rules run, the analysis records the packs, and the next
	// report still shows the full analysis by default.
	res, err := Run(ctx, store, id, Options{Now: fixtureTime, Packs: []string{"tollfraud", "access"}, Skip: []string{"TF-001"}})
	must(t, err)
	var ids []string
	for _, r := range res.Rules {
		ids = append(ids, r.Rule.ID)
	}
	if want := []string{"ACC-001", "ACC-002", "ACC-003", "ACC-004", "TF-002", "TF-003", "TF-004"}; !slices.Equal(ids, want) {
		t.Errorf("analyze --pack tollfraud,access --skip TF-001 ran %v, want %v", ids, want)
	}
	rep, err = BuildReport(ctx, store, id, ReportOptions{Now: fixtureTime})
	must(t, err)
	if rep.Analysis.ID != full.AnalysisID {
		t.Errorf("default report uses analysis %d, want the full one %d", rep.Analysis.ID, full.AnalysisID)
	}
	rep, err = BuildReport(ctx, store, id, ReportOptions{Now: fixtureTime, AnalysisID: res.AnalysisID})
	must(t, err)
	if sel := rep.DataQuality.Selection; sel == nil || !slices.Equal(sel.Packs, []string{"tollfraud", "access"}) || sel.Evaluated != 7 {
		t.Errorf("report of the pack analysis: selection %+v", sel)
	}
	if len(rep.Compliance) != 2 || rep.Compliance[1].Pack != "tollfraud" || rep.Compliance[1].NotEvaluated != 1 {
		t.Errorf("report of the pack analysis: compliance %+v", rep.Compliance)
	}
}
