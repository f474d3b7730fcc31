package analyze_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/collect"
	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// collectScenario serves sc with the simulator on loopback and collects one snapshot of it.
func collectScenario(t *testing.T, store *snapshot.Store, sc *cucmsim.Scenario) snapshot.Meta {
	t.Helper()
	sc.Faults.RisPortRateLimit = 0
	hs, _ := testtool.Sim(t, sc)
	c, err := collect.New(collect.Config{
		Cluster: "cw-lab", AXLURL: hs.URL + "/axl/", User: sc.Credentials.User, Password: collect.Secret(sc.Credentials.Password),
		VerifyTLS: true, Retries: 2, Timeout: 10 * time.Second, RisRateLimit: 1000, RisRateWindow: time.Second,
		RisMaxDevices: 1000, InitialBackoff: time.Millisecond, ToolVersion: "test",
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Run(context.Background(), store, io.Discard)
	if err != nil {
		t.Fatalf("collecting: %v", err)
	}
	if m.Status != snapshot.StatusComplete {
		t.Fatalf("snapshot %d is %s", m.ID, m.Status)
	}
	return m
}

func device(t *testing.T, sc *cucmsim.Scenario, name string) *cucmsim.Device {
	t.Helper()
	for i := range sc.Devices {
		if sc.Devices[i].Name == name {
			return &sc.Devices[i]
		}
	}
	t.Fatalf("scenario has no device %s", name)
	return nil
}

// TestDiffChangeWindowOnSimulator is the change-window acceptance test: collect, change the
// scenario (phones unregister, a gateway is rejected, one model gets new firmware, a device is
// added and one deleted, while every volatile field churns), collect again: the diff reports
// exactly those changes and nothing else.
func TestDiffChangeWindowOnSimulator(t *testing.T) {
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

	after, err := cucmsim.LoadScenario("testdata/changewindow.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const later = 1763900000
	// Volatile churn: every TimeStamp moves, an unregistered phone cycles its reason and the
	// other node's entry becomes the newer one, an Extension Mobility user logs out.
	for i := range after.Devices {
		for j := range after.Devices[i].RisPort {
			after.Devices[i].RisPort[j].TimeStamp += 300000
		}
	}
	dup := device(t, after, "SEP7841000004")
	dup.RisPort[0].Reason, dup.RisPort[0].TimeStamp = 13, 1763800000
	dup.RisPort[1].Reason, dup.RisPort[1].TimeStamp = 13, later
	device(t, after, "SEP8845000001").RisPort[0].LoginUser = ""
	// The changes.
	for _, name := range []string{"SEP7841000001", "SEP7841000002"} {
		e := &device(t, after, name).RisPort[0]
		e.Status, e.Reason, e.TimeStamp = "UnRegistered", 13, later
	}
	gw := &device(t, after, "GW-HQ-02").RisPort[0]
	gw.Status, gw.Reason, gw.TimeStamp = "Rejected", 14, later
	for _, name := range []string{"SEP8845000001", "SEP8845000002", "SEP8845000003"} {
		e := &device(t, after, name).RisPort[0]
		e.InactiveLoad, e.ActiveLoad = e.ActiveLoad, "sip8845_65.14-3-1-0001-30"
	}
	after.Devices = slices.DeleteFunc(after.Devices, func(d cucmsim.Device) bool { return d.Name == "SEP7841000005" })
	after.Devices = append(after.Devices, cucmsim.Device{
		Name: "SEP8845000004", Model: "Cisco 8845", Description: "New nurse station", DevicePool: "DP_HQ", Owner: "dora",
		Lines: []string{"2004"}, Partition: "PT_HQ",
		RisPort: []cucmsim.RisEntry{{Node: "cucm-sub1", Status: "Registered", TimeStamp: later, IP: "10.1.0.4", ActiveLoad: "sip8845_65.14-3-1-0001-30"}},
	})
	am := collectScenario(t, store, after)

	d, err := results.DiffSnapshots(ctx, store, bm.ID, am.ID, results.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	load := func(name string) results.DeviceChange {
		return results.DeviceChange{DeviceRef: results.DeviceRef{Name: name, Class: "Phone", Model: "Cisco 8845"}, Fields: []results.FieldChange{
			{Field: "active_load", Before: "sip8845_65.14-2-1-0001-14", After: "sip8845_65.14-3-1-0001-30"}}}
	}
	unreg := func(name string) results.DeviceChange {
		return results.DeviceChange{DeviceRef: results.DeviceRef{Name: name, Class: "Phone", Model: "Cisco 7841"}, Fields: []results.FieldChange{
			{Field: "status", Before: "Registered", After: "UnRegistered (KeepAliveTimeout)"}}}
	}
	want := &results.Diff{
		Added:   []results.DeviceRef{{Name: "SEP8845000004", Class: "Phone", Model: "Cisco 8845"}},
		Removed: []results.DeviceRef{{Name: "SEP7841000005", Class: "Phone", Model: "Cisco 7841"}},
		Changed: []results.DeviceChange{
			{DeviceRef: results.DeviceRef{Name: "GW-HQ-02", Class: "Gateway", Model: "Cisco ISR 4321"}, Fields: []results.FieldChange{
				{Field: "status", Before: "Registered", After: "Rejected (ConfigurationMismatch)"}}},
			unreg("SEP7841000001"), unreg("SEP7841000002"),
			load("SEP8845000001"), load("SEP8845000002"), load("SEP8845000003"),
		},
		Registration: []results.ClassDelta{
			{Class: "Gateway", RegisteredBefore: 2, RegisteredAfter: 1, SeenBefore: 2, SeenAfter: 2, ConfiguredBefore: 2, ConfiguredAfter: 2},
			{Class: "HuntList", RegisteredBefore: 1, RegisteredAfter: 1, SeenBefore: 1, SeenAfter: 1, ConfiguredBefore: 1, ConfiguredAfter: 1},
			{Class: "Phone", RegisteredBefore: 7, RegisteredAfter: 5, SeenBefore: 8, SeenAfter: 8, ConfiguredBefore: 8, ConfiguredAfter: 8},
			{Class: "SIPTrunk", RegisteredBefore: 1, RegisteredAfter: 1, SeenBefore: 1, SeenAfter: 1, ConfiguredBefore: 1, ConfiguredAfter: 1},
		},
		Ignored: []string{"download_status", "inactive_load", "login_user", "registration_attempts", "status_reason", "timestamp"},
	}
	opts := cmp.Options{cmpopts.IgnoreFields(results.Diff{}, "Before", "After", "Notes", "BeforeAnalysis", "AfterAnalysis"),
		cmpopts.IgnoreFields(results.DeviceChange{}, "Where")}
	if diff := cmp.Diff(want, d, opts); diff != "" {
		t.Errorf("change-window diff (-want +got):\n%s", diff)
	}
	if len(d.Notes) != 2 {
		t.Errorf("notes = %q; want only the two 'not analyzed' notes", d.Notes)
	}
	checkChangeWindowMarkdown(t, d, []string{
		"### What broke (3)",
		"| GW-HQ-02 | Cisco ISR 4321 | ",
		"| SEP7841000001 | Cisco 7841 | ",
		"| SEP7841000002 | Cisco 7841 | ",
		"### What recovered (0)",
		"### Devices added (1)", "| SEP8845000004 | Phone | Cisco 8845 |",
		"### Devices removed (1)", "| SEP7841000005 | Phone | Cisco 7841 |",
		"### Devices changed, field by field (3)",
		"| SEP8845000001 | Phone | Cisco 8845 | active\\_load | sip8845\\_65.14-2-1-0001-14 | sip8845\\_65.14-3-1-0001-30 |",
		"| Phone | 7 | 5 | -2 | 8 | 8 | 8 | 8 |",
		"| Findings new, resolved, persisting | **not compared** |",
		"**Findings not compared: snapshot #1 (before) and #2 (after) have not been analyzed",
	}, []string{"### New findings", "### Resolved findings"})

	// With the findings of both snapshots: the rejected gateway is a new finding, the deleted
	// phone's findings are resolved, and every rule concluded on both sides.
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	for _, id := range []int64{bm.ID, am.ID} {
		if _, err := analyze.Run(ctx, store, id, analyze.Options{Now: now, ToolVersion: "test"}); err != nil {
			t.Fatalf("analyzing snapshot %d: %v", id, err)
		}
	}
	d, err = results.DiffSnapshots(ctx, store, bm.ID, am.ID, results.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !d.FindingsCompared || len(d.Unconfirmed) != 0 {
		t.Errorf("findings compared = %v, unconfirmed = %v", d.FindingsCompared, d.Unconfirmed)
	}
	entities := func(fs []results.Finding) map[string]bool {
		m := map[string]bool{}
		for _, f := range fs {
			m[f.Entity] = true
		}
		return m
	}
	if !entities(d.NewFindings)["GW-HQ-02"] {
		t.Errorf("no new finding for the rejected gateway; new = %v", d.NewFindings)
	}
	for _, f := range d.NewFindings {
		switch f.Entity {
		case "GW-HQ-02", "SEP7841000001", "SEP7841000002", "SEP8845000004", "Cisco 8845", "Gateway", "Phone", "dora",
			"SEP8845000004/1": // EMG-001: the scenario has no emergency route; a line is DEVICE/LINE
		default:
			t.Errorf("new finding on an entity the change window did not touch: %s %s", f.RuleID, f.Entity)
		}
	}
	for _, f := range d.Resolved {
		switch f.Entity {
		case "SEP7841000005", "Cisco 8845", "Gateway", "Phone", "SEP7841000005/1":
		default:
			t.Errorf("resolved finding on an entity the change window did not touch: %s %s", f.RuleID, f.Entity)
		}
	}
	if diff := cmp.Diff(want.Changed, d.Changed, cmpopts.IgnoreFields(results.DeviceChange{}, "Where")); diff != "" {
		t.Errorf("device changes with analysis (-want +got):\n%s", diff)
	}
	checkChangeWindowMarkdown(t, d, []string{
		"### What broke (3)", "### Devices added (1)", "### Devices removed (1)", "### Devices changed, field by field (3)",
		fmt.Sprintf("### New findings (%d)", len(d.NewFindings)), fmt.Sprintf("### Resolved findings (%d)", len(d.Resolved)),
		fmt.Sprintf("| Persisting findings | %d |", d.Persisting),
	}, []string{"not compared"})
}

// checkChangeWindowMarkdown renders d as the change-window report `cucm-audit diff --out` writes
// and checks what its Markdown holds and does not hold.
func checkChangeWindowMarkdown(t *testing.T, d *results.Diff, want, absent []string) {
	t.Helper()
	rep := &results.Report{SchemaVersion: results.ReportSchemaVersion, Kind: "change-window", Snapshot: d.After, Diff: d}
	m, err := render.WriteAll(context.Background(), rep, render.Formats{render.FormatMarkdown}, t.TempDir(), render.Options{MarkdownMaxEntities: -1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(m.Files[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	for _, w := range want {
		if !strings.Contains(md, w) {
			t.Errorf("change-window markdown lacks %q", w)
		}
	}
	for _, a := range absent {
		if strings.Contains(md, a) {
			t.Errorf("change-window markdown has %q", a)
		}
	}
	if t.Failed() {
		t.Logf("markdown:\n%s", md)
	}
}

// TestDiffFortyPhonesBreak: a change window in which 40 phones of one ward stop registering.
// Page 1 of the PDF gives the verdict, the Broke table locates every phone (device pool, node,
// IP, description, model), and each broken phone appears once in every report (not again among
// the devices changed).
func TestDiffFortyPhonesBreak(t *testing.T) {
	pdftotext := testtool.Need(t, "pdftotext")
	ctx := context.Background()
	store, err := snapshot.Open(ctx, filepath.Join(t.TempDir(), "forty.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	const n = 40
	ward := func(status string, reason int) *cucmsim.Scenario {
		sc, err := cucmsim.LoadScenario("testdata/changewindow.yaml")
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			sc.Devices = append(sc.Devices, cucmsim.Device{
				Name: fmt.Sprintf("SEP7821%06d", i), Model: "Cisco 7821", Description: fmt.Sprintf("Ward 4 bed %d", i),
				DevicePool: "DP_HQ", Lines: []string{fmt.Sprintf("4%03d", i)}, Partition: "PT_HQ",
				RisPort: []cucmsim.RisEntry{{Node: "cucm-sub1", Status: status, Reason: reason, TimeStamp: 1763900000,
					IP: fmt.Sprintf("10.4.0.%d", i+10), ActiveLoad: "sip78xx.14-2-1-0001-14"}},
			})
		}
		return sc
	}
	bm := collectScenario(t, store, ward("Registered", 0))
	am := collectScenario(t, store, ward("UnRegistered", 13))
	d, err := results.DiffSnapshots(ctx, store, bm.ID, am.ID, results.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep := &results.Report{SchemaVersion: results.ReportSchemaVersion, Kind: "change-window", Snapshot: d.After, Diff: d}
	m, err := render.WriteAll(ctx, rep, render.AllFormats(), t.TempDir(), render.Options{MarkdownMaxEntities: -1})
	if err != nil {
		t.Fatal(err)
	}
	files := map[render.Format]string{}
	for _, f := range m.Files {
		files[f.Format] = f.Path
	}
	out, err := exec.Command(pdftotext, "-f", "1", "-l", "1", files[render.FormatPDF], "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	page1 := strings.Join(strings.Fields(string(out)), " ")
	for _, want := range []string{"Verdict: 40 devices broke, 0 recovered.", "Phone 47 → 7 (-40)"} {
		if !strings.Contains(page1, want) {
			t.Errorf("page 1 of the PDF lacks %q:\n%s", want, page1)
		}
	}
	for _, f := range []render.Format{render.FormatMarkdown, render.FormatHTML, render.FormatPDF} {
		var text string
		if f == render.FormatPDF {
			b, err := exec.Command(pdftotext, "-layout", files[f], "-").Output()
			if err != nil {
				t.Fatal(err)
			}
			text = string(b)
		} else {
			b, err := os.ReadFile(files[f])
			if err != nil {
				t.Fatal(err)
			}
			text = string(b)
		}
		if !strings.Contains(strings.ReplaceAll(text, "</strong>", ""), "Verdict: 40 devices broke") {
			t.Errorf("%s has no verdict", f)
		}
		for i := 0; i < n; i++ {
			name := fmt.Sprintf("SEP7821%06d", i)
			if c := strings.Count(text, name); c != 1 {
				t.Errorf("%s lists %s %d times, want once", f, name, c)
			}
		}
	}
	md, err := os.ReadFile(files[render.FormatMarkdown])
	if err != nil {
		t.Fatal(err)
	}
	row := "| SEP7821000007 | Cisco 7821 | DP\\_HQ | cucm-sub1 | 10.4.0.17 | Ward 4 bed 7 | UnRegistered (KeepAliveTimeout) |"
	if !strings.Contains(string(md), row) {
		t.Errorf("markdown Broke table lacks %q:\n%s", row, md)
	}
}
