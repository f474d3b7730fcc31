package analyze_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/examples"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

var updateNarrative = flag.Bool("update", false, "rewrite the golden files in testdata")

var clockPattern = regexp.MustCompile(`\d{4}-\d{2}-\d{2} \d{2}:\d{2}`)

// checkNarrative compares a report's summary in words and scores with testdata/name (the
// collection time scrubbed).
func checkNarrative(t *testing.T, rep *results.Report, name string) {
	t.Helper()
	var b strings.Builder
	for _, s := range rep.Summary.Narrative {
		b.WriteString(clockPattern.ReplaceAllString(s, "TIME") + "\n")
	}
	for _, s := range rep.Summary.Scores {
		b.WriteString("score " + s.Area + " " + itoa(s.Score) + "\n")
	}
	path := filepath.Join("testdata", name)
	if *updateNarrative {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if d := cmp.Diff(string(want), b.String()); d != "" {
		t.Errorf("%s differs (-want +got; go test -update refreshes it):\n%s", path, d)
	}
	if n := len(rep.Summary.Narrative); n < 3 || n > 5 {
		t.Errorf("%d sentences, want 3 to 5", n)
	}
}

func itoa(n int) string { return fmtInt(n) }

func fmtInt(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	if neg {
		s = "-" + s
	}
	return s
}

func analyzeAndReport(t *testing.T, store *snapshot.Store, id int64) *results.Report {
	t.Helper()
	ctx := context.Background()
	if _, err := analyze.Run(ctx, store, id, analyze.Options{}); err != nil {
		t.Fatal(err)
	}
	rep, err := analyze.BuildReport(ctx, store, id, analyze.ReportOptions{Now: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestNarrativeDemo: the demo cluster's summary in words.
func TestNarrativeDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("collects the demo cluster")
	}
	store, err := snapshot.Open(context.Background(), filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	data, err := examples.Scenario("demo")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := cucmsim.ParseScenario("demo.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	m := collectScenario(t, store, sc)
	rep := analyzeAndReport(t, store, m.ID)
	checkNarrative(t, rep, "narrative-demo.txt")
	// The grouping the issue names: the rejected endpoints of one gateway are one line.
	for _, s := range rep.Rules {
		if s.Rule.ID == "REG-003" {
			if len(s.Groups) == 0 || s.Groups[0].Of == 0 || !strings.HasPrefix(s.Groups[0].Key, "vg320-old") {
				t.Errorf("REG-003 groups %+v, want the vg320-old gateway first with its endpoint count", s.Groups)
			}
		}
	}
}

// TestNarrativeChangeWindow: the summary in words of the later snapshot of a change-window pair
// (two phones unregistered, a gateway rejected, a phone removed, one added).
func TestNarrativeChangeWindow(t *testing.T) {
	ctx := context.Background()
	store, err := snapshot.Open(ctx, filepath.Join(t.TempDir(), "cw.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	before, err := cucmsim.LoadScenario("testdata/changewindow.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bm := collectScenario(t, store, before)
	analyzeAndReport(t, store, bm.ID)
	after, err := cucmsim.LoadScenario("testdata/changewindow.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"SEP7841000001", "SEP7841000002"} {
		e := &device(t, after, name).RisPort[0]
		e.Status, e.Reason, e.TimeStamp = "UnRegistered", 13, 1763900000
	}
	gw := &device(t, after, "GW-HQ-02").RisPort[0]
	gw.Status, gw.Reason, gw.TimeStamp = "Rejected", 14, 1763900000
	am := collectScenario(t, store, after)
	rep := analyzeAndReport(t, store, am.ID)
	checkNarrative(t, rep, "narrative-changewindow.txt")
	if !strings.Contains(strings.Join(rep.Summary.Narrative, " "), "Since the previous snapshot (#") {
		t.Error("no sentence on the change since the previous snapshot")
	}
}
