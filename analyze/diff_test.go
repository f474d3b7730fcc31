package analyze

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// snap is a hand-built snapshot for diff and trend tests.
type snap struct {
	cluster     string
	devices     []snapshot.Device
	appearances []snapshot.LineAppearance
	ris         []snapshot.RisDevice
	coverage    []snapshot.Coverage
	status      snapshot.Status
}

func openTestStore(t *testing.T) *snapshot.Store {
	t.Helper()
	s, err := snapshot.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func writeSnap(t *testing.T, s *snapshot.Store, sn snap) int64 {
	t.Helper()
	ctx := context.Background()
	if sn.cluster == "" {
		sn.cluster = "cl1"
	}
	if sn.status == "" {
		sn.status = snapshot.StatusComplete
	}
	w, err := s.Begin(ctx, snapshot.Meta{ClusterID: sn.cluster, AXLHost: "cucm-pub"})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range sn.devices {
		check(t, w.AddDevice(ctx, d))
	}
	for _, a := range sn.appearances {
		check(t, w.AddLineAppearance(ctx, a))
	}
	for _, r := range sn.ris {
		check(t, w.AddRisDevice(ctx, r))
	}
	for _, c := range sn.coverage {
		check(t, w.SetCoverage(ctx, c))
	}
	m, err := w.Commit(ctx, sn.status, "15.0.1.11900-23", "")
	if err != nil {
		t.Fatal(err)
	}
	return m.ID
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// testFinding is one stored finding of a hand-made analysis.
type testFinding struct {
	rule, severity, entity, evidence string
}

// writeAnalysis stores an analysis run the way analyze.Run does: outcomes per rule, findings.
func writeAnalysis(t *testing.T, s *snapshot.Store, snapshotID int64, outcomes map[string]results.Outcome, findings []testFinding) int64 {
	t.Helper()
	db := s.DB()
	res, err := db.Exec(`INSERT INTO analysis (snapshot_id, started_at) VALUES (?, ?)`, snapshotID, time.Now().UTC().Format(time.RFC3339))
	check(t, err)
	id, err := res.LastInsertId()
	check(t, err)
	counts := map[string]int{}
	for _, f := range findings {
		counts[f.rule]++
		ev := f.evidence
		if ev == "" {
			ev = `{}`
		}
		_, err := db.Exec(`INSERT INTO finding (analysis_id, rule_id, severity, entity, fingerprint, evidence) VALUES (?,?,?,?,?,?)`,
			id, f.rule, f.severity, f.entity, f.rule+"|"+f.entity, ev)
		check(t, err)
	}
	for rule, o := range outcomes {
		_, err := db.Exec(`INSERT INTO rule_result (analysis_id, rule_id, title, severity, status, finding_count) VALUES (?,?,?,?,?,?)`,
			id, rule, rule+" title", "high", string(o), counts[rule])
		check(t, err)
	}
	return id
}

func phone(name, model, pool, owner string) snapshot.Device {
	return snapshot.Device{Name: name, Class: "Phone", RisClass: "Phone", Model: model, Protocol: "SIP",
		Description: "desk " + name, DevicePool: pool, Owner: owner, IsActive: true}
}

func ris(node, name, class, status string, reason int, ip, load string, ts int64) snapshot.RisDevice {
	return snapshot.RisDevice{Node: node, Name: name, DeviceClass: class, Status: status, StatusReason: reason,
		IPv4: ip, ActiveLoad: load, TimeStamp: ts, RegistrationAttempts: int(ts % 7)}
}

// changeWindow builds the before and after snapshots of a typical change window: two phones
// unregister, a gateway becomes rejected, the 8845 gets new firmware, one phone is added and one
// deleted; around it, every volatile field churns.
func changeWindow() (before, after snap) {
	devices := []snapshot.Device{
		phone("SEP000000000001", "Cisco 8845", "DP_HQ", "alice"),
		phone("SEP000000000002", "Cisco 8845", "DP_HQ", "bob"),
		phone("SEP000000000003", "Cisco 7841", "DP_HQ", "carol"),
		phone("SEP000000000004", "Cisco 7841", "DP_Branch", ""),
		phone("SEP000000000005", "Cisco 7841", "DP_Branch", "dave"),
		phone("SEP000000000009", "Cisco 7841", "DP_Branch", ""),
		{Name: "GW-ZURICH-01", Class: "Gateway", RisClass: "Gateway", Model: "Cisco ISR 4321", Protocol: "MGCP", DevicePool: "DP_HQ"},
		{Name: "RL-INTERNATIONAL", Class: "Route List", Model: "Route List"},
	}
	apps := []snapshot.LineAppearance{
		{Device: "SEP000000000001", Index: 1, DN: "1001", Partition: "PT_Internal"},
		{Device: "SEP000000000002", Index: 1, DN: "1002", Partition: "PT_Internal"},
		{Device: "SEP000000000003", Index: 1, DN: "1003", Partition: "PT_Internal"},
		{Device: "SEP000000000003", Index: 2, DN: "1099", Partition: "PT_Internal"},
	}
	cov := []snapshot.Coverage{
		{Source: snapshot.SourceRisPort, Item: "class:Phone", Complete: true},
		{Source: snapshot.SourceRisPort, Item: "class:Gateway", Complete: true},
		{Source: snapshot.SourceRisPort, Item: "node:sub1", Complete: true},
		{Source: snapshot.SourceRisPort, Item: "node:sub2", Complete: true},
	}
	before = snap{devices: devices, appearances: apps, coverage: cov, ris: []snapshot.RisDevice{
		ris("sub1", "SEP000000000001", "Phone", "Registered", 0, "10.1.1.1", "sip88xx.14-1-1", 100),
		ris("sub1", "SEP000000000002", "Phone", "Registered", 0, "10.1.1.2", "sip88xx.14-1-1", 100),
		ris("sub1", "SEP000000000003", "Phone", "Registered", 0, "10.1.1.3", "sip78xx.14-2-1", 100),
		// Listed by two nodes: the order of duplicates must not count.
		ris("sub2", "SEP000000000004", "Phone", "UnRegistered", 8, "10.1.1.4", "sip78xx.14-2-1", 90),
		ris("sub1", "SEP000000000004", "Phone", "UnRegistered", 8, "10.1.1.4", "sip78xx.14-2-1", 80),
		ris("sub2", "SEP000000000005", "Phone", "Registered", 0, "10.1.1.5", "sip78xx.14-2-1", 100),
		ris("sub1", "GW-ZURICH-01", "Gateway", "Registered", 0, "10.9.9.1", "", 100),
	}}
	afterDevices := append([]snapshot.Device{}, devices...)
	afterDevices[5] = phone("SEP00000000000A", "Cisco 7841", "DP_Branch", "erin") // 09 deleted, 0A added
	after = snap{devices: afterDevices, appearances: apps, coverage: cov, ris: []snapshot.RisDevice{
		ris("sub1", "SEP000000000001", "Phone", "Registered", 0, "10.1.1.1", "sip88xx.14-3-1", 200),
		ris("sub1", "SEP000000000002", "Phone", "UnRegistered", 13, "10.1.1.2", "sip88xx.14-3-1", 201),
		ris("sub1", "SEP000000000003", "Phone", "UnRegistered", 9, "", "", 202),
		ris("sub1", "SEP000000000004", "Phone", "UnRegistered", 13, "10.1.1.4", "sip78xx.14-2-1", 290),
		ris("sub2", "SEP000000000004", "Phone", "UnRegistered", 13, "10.1.1.4", "sip78xx.14-2-1", 280),
		ris("sub2", "SEP000000000005", "Phone", "Registered", 0, "10.1.1.5", "sip78xx.14-2-1", 300),
		ris("sub1", "SEP00000000000A", "Phone", "Registered", 0, "10.1.1.10", "sip78xx.14-2-1", 300),
		ris("sub1", "GW-ZURICH-01", "Gateway", "Rejected", 14, "10.9.9.1", "", 300),
	}}
	return before, after
}

func TestDiffChangeWindow(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	b, a := changeWindow()
	bid, aid := writeSnap(t, s, b), writeSnap(t, s, a)
	got, err := results.DiffSnapshots(ctx, s, bid, aid, results.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := &results.Diff{
		Added:   []results.DeviceRef{{Name: "SEP00000000000A", Class: "Phone", Model: "Cisco 7841"}},
		Removed: []results.DeviceRef{{Name: "SEP000000000009", Class: "Phone", Model: "Cisco 7841"}},
		Changed: []results.DeviceChange{
			{DeviceRef: results.DeviceRef{Name: "GW-ZURICH-01", Class: "Gateway", Model: "Cisco ISR 4321"}, Fields: []results.FieldChange{
				{Field: "status", Before: "Registered", After: "Rejected (ConfigurationMismatch)"}}},
			{DeviceRef: results.DeviceRef{Name: "SEP000000000001", Class: "Phone", Model: "Cisco 8845"}, Fields: []results.FieldChange{
				{Field: "active_load", Before: "sip88xx.14-1-1", After: "sip88xx.14-3-1"}}},
			{DeviceRef: results.DeviceRef{Name: "SEP000000000002", Class: "Phone", Model: "Cisco 8845"}, Fields: []results.FieldChange{
				{Field: "status", Before: "Registered", After: "UnRegistered (KeepAliveTimeout)"},
				{Field: "active_load", Before: "sip88xx.14-1-1", After: "sip88xx.14-3-1"}}},
			{DeviceRef: results.DeviceRef{Name: "SEP000000000003", Class: "Phone", Model: "Cisco 7841"}, Fields: []results.FieldChange{
				{Field: "status", Before: "Registered", After: "UnRegistered (CallManagerReset)"}}},
		},
		Registration: []results.ClassDelta{
			{Class: "Gateway", RegisteredBefore: 1, RegisteredAfter: 0, SeenBefore: 1, SeenAfter: 1, ConfiguredBefore: 1, ConfiguredAfter: 1},
			{Class: "Phone", RegisteredBefore: 4, RegisteredAfter: 3, SeenBefore: 5, SeenAfter: 6, ConfiguredBefore: 6, ConfiguredAfter: 6},
		},
		Ignored: []string{"download_status", "inactive_load", "login_user", "registration_attempts", "status_reason", "timestamp"},
		Notes: []string{
			"snapshot 1 has not been analyzed: findings not compared (run `cucm-audit analyze --snapshot 1`)",
			"snapshot 2 has not been analyzed: findings not compared (run `cucm-audit analyze --snapshot 2`)",
		},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(results.Diff{}, "Before", "After"), ignoreWhere); diff != "" {
		t.Errorf("DiffSnapshots (-want +got):\n%s", diff)
	}
	if w := got.Changed[0].Where; w == nil || w.Model != "Cisco ISR 4321" {
		t.Errorf("the broken gateway is not located: %+v", w)
	}
	broke, recovered := got.StatusChanges()
	if len(broke) != 3 || len(recovered) != 0 {
		t.Errorf("StatusChanges = %d broke, %d recovered; want 3, 0", len(broke), len(recovered))
	}

	// The same snapshots compared with nothing ignored show the churn the defaults hide.
	all, err := results.DiffSnapshots(ctx, s, bid, aid, results.DiffOptions{Ignore: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, c := range all.Changed {
		if c.Name == "SEP000000000004" {
			for _, f := range c.Fields {
				fields = append(fields, f.Field)
			}
		}
	}
	if diff := cmp.Diff([]string{"status_reason", "registration_attempts", "timestamp"}, fields); diff != "" {
		t.Errorf("SEP000000000004 with nothing ignored (-want +got):\n%s", diff)
	}

	// Ignoring the status hides the phones that unregistered and the gateway.
	noStatus, err := results.DiffSnapshots(ctx, s, bid, aid, results.DiffOptions{Ignore: append([]string{"status", "active_load"}, results.DefaultIgnoredFields()...)})
	if err != nil {
		t.Fatal(err)
	}
	if len(noStatus.Changed) != 0 {
		t.Errorf("with status and active_load ignored, changed = %+v; want none", noStatus.Changed)
	}
}

func TestDiffAXLFields(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	p := phone("SEP1", "Cisco 8845", "DP_HQ", "alice")
	b := snap{devices: []snapshot.Device{p}, appearances: []snapshot.LineAppearance{{Device: "SEP1", Index: 1, DN: "1001", Partition: "PT"}}}
	p2 := p
	p2.Owner, p2.DevicePool, p2.Description = "", "DP_Zürich", "Empfang Zürich"
	a := snap{devices: []snapshot.Device{p2}, appearances: []snapshot.LineAppearance{
		{Device: "SEP1", Index: 1, DN: "1001", Partition: "PT"}, {Device: "SEP1", Index: 2, DN: "2002"}}}
	bid, aid := writeSnap(t, s, b), writeSnap(t, s, a)
	got, err := results.DiffSnapshots(ctx, s, bid, aid, results.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []results.DeviceChange{{DeviceRef: results.DeviceRef{Name: "SEP1", Class: "Phone", Model: "Cisco 8845"}, Fields: []results.FieldChange{
		{Field: "description", Before: "desk SEP1", After: "Empfang Zürich"},
		{Field: "device_pool", Before: "DP_HQ", After: "DP_Zürich"},
		{Field: "owner", Before: "alice", After: ""},
		{Field: "lines", Before: "1:1001/PT", After: "1:1001/PT, 2:2002"},
	}}}
	if diff := cmp.Diff(want, got.Changed, ignoreWhere); diff != "" {
		t.Errorf("changed (-want +got):\n%s", diff)
	}
}

func TestDiffNodeOnlyWhenRegistered(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	devs := []snapshot.Device{phone("SEP1", "m", "p", "o"), phone("SEP2", "m", "p", "o")}
	b := snap{devices: devs, ris: []snapshot.RisDevice{
		ris("sub1", "SEP1", "Phone", "Registered", 0, "10.0.0.1", "L", 1),
		ris("sub1", "SEP2", "Phone", "UnRegistered", 0, "10.0.0.2", "L", 1),
	}}
	a := snap{devices: devs, ris: []snapshot.RisDevice{
		ris("sub2", "SEP1", "Phone", "Registered", 0, "10.0.0.1", "L", 1),
		ris("sub2", "SEP2", "Phone", "UnRegistered", 0, "10.0.0.2", "L", 1),
	}}
	got, err := results.DiffSnapshots(ctx, s, writeSnap(t, s, b), writeSnap(t, s, a), results.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []results.DeviceChange{{DeviceRef: results.DeviceRef{Name: "SEP1", Class: "Phone", Model: "m"}, Fields: []results.FieldChange{
		{Field: "node", Before: "sub1", After: "sub2"}}}}
	if diff := cmp.Diff(want, got.Changed, ignoreWhere); diff != "" {
		t.Errorf("changed (-want +got):\n%s", diff)
	}
}

func TestDiffIncompleteCoverage(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	devs := []snapshot.Device{phone("SEP1", "m", "p", "o"), phone("SEP2", "m", "p", "o"), phone("SEP3", "m", "p", "o")}
	b := snap{devices: devs, ris: []snapshot.RisDevice{
		ris("sub1", "SEP1", "Phone", "Registered", 0, "10.0.0.1", "load-1", 1),
		ris("sub2", "SEP2", "Phone", "Registered", 0, "", "", 1),
		ris("sub1", "SEP3", "Phone", "Registered", 0, "10.0.0.3", "load-1", 1),
	}}
	// sub2 did not answer. SEP2 is not seen, which must not read as "it unregistered"; SEP1 is
	// UnRegistered on sub1, the node that answered, and may well have failed over to sub2: not
	// "broke" either, and its stale sub1 entry's fields are not compared. SEP3 is seen Registered:
	// its state is known and its changes count.
	a := snap{devices: devs, status: snapshot.StatusPartial, ris: []snapshot.RisDevice{
		ris("sub1", "SEP1", "Phone", "UnRegistered", 13, "10.0.0.9", "load-0", 2),
		ris("sub1", "SEP3", "Phone", "Registered", 0, "10.0.0.3", "load-2", 2),
	}, coverage: []snapshot.Coverage{
		{Source: snapshot.SourceRisPort, Item: "node:sub1", Complete: true},
		{Source: snapshot.SourceRisPort, Item: "node:sub2", Complete: false, Reason: "NodeNotResponding"},
	}}
	got, err := results.DiffSnapshots(ctx, s, writeSnap(t, s, b), writeSnap(t, s, a), results.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []results.DeviceChange{{DeviceRef: results.DeviceRef{Name: "SEP3", Class: "Phone", Model: "m"}, Fields: []results.FieldChange{
		{Field: "active_load", Before: "load-1", After: "load-2"}}}}
	if diff := cmp.Diff(want, got.Changed, ignoreWhere); diff != "" {
		t.Errorf("changed (-want +got):\n%s", diff)
	}
	if broke, recovered := got.StatusChanges(); len(broke)+len(recovered) != 0 {
		t.Errorf("broke %v, recovered %v on a side missing a node, want none", broke, recovered)
	}
	wantNotes := []string{
		"snapshot 2 has incomplete RisPort coverage (node:sub2): devices it did not see are not reported as changed",
		"registration of 2 devices not compared: RisPort could not see them completely on one side",
	}
	if diff := cmp.Diff(wantNotes, got.Notes[:2]); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}

	// The other way round: before is missing sub2, so SEP2 now Registered may have been
	// registered all along (not "recovered"), and SEP1 Registered on both sides still compares.
	b2 := snap{devices: devs, status: snapshot.StatusPartial, ris: []snapshot.RisDevice{
		ris("sub1", "SEP1", "Phone", "Registered", 0, "10.0.0.1", "load-1", 1),
		ris("sub1", "SEP2", "Phone", "UnRegistered", 13, "", "", 1),
	}, coverage: []snapshot.Coverage{
		{Source: snapshot.SourceRisPort, Item: "node:sub1", Complete: true},
		{Source: snapshot.SourceRisPort, Item: "node:sub2", Complete: false, Reason: "NodeNotResponding"},
	}}
	a2 := snap{devices: devs, ris: []snapshot.RisDevice{
		ris("sub2", "SEP1", "Phone", "Registered", 0, "10.0.0.1", "load-1", 2),
		ris("sub2", "SEP2", "Phone", "Registered", 0, "", "", 2),
		ris("sub1", "SEP3", "Phone", "Registered", 0, "10.0.0.3", "load-1", 2),
	}}
	got, err = results.DiffSnapshots(ctx, s, writeSnap(t, s, b2), writeSnap(t, s, a2), results.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want = []results.DeviceChange{{DeviceRef: results.DeviceRef{Name: "SEP1", Class: "Phone", Model: "m"}, Fields: []results.FieldChange{
		{Field: "node", Before: "sub1", After: "sub2"}}}}
	if diff := cmp.Diff(want, got.Changed, ignoreWhere); diff != "" {
		t.Errorf("before incomplete: changed (-want +got):\n%s", diff)
	}
}

// TestDiffRegistrationIncomplete: the registration counts by class of a side whose RisPort view
// of the class had a gap (its class query, or any node) are flagged incomplete, so no reader
// takes them as exact; a class read completely on both sides is not flagged.
func TestDiffRegistrationIncomplete(t *testing.T) {
	gw := snapshot.Device{Name: "GW-1", Class: "Gateway", RisClass: "Gateway"}
	devs := []snapshot.Device{phone("SEP1", "m", "p", "o"), phone("SEP2", "m", "p", "o"), gw}
	seen := []snapshot.RisDevice{
		ris("sub1", "SEP1", "Phone", "Registered", 0, "", "", 1),
		ris("sub1", "SEP2", "Phone", "Registered", 0, "", "", 1),
		ris("sub1", "GW-1", "Gateway", "Registered", 0, "", "", 1),
	}
	cov := func(gaps ...string) []snapshot.Coverage {
		var out []snapshot.Coverage
		for _, item := range []string{"class:Phone", "class:Gateway", "node:sub1", "node:sub2"} {
			out = append(out, snapshot.Coverage{Source: snapshot.SourceRisPort, Item: item, Complete: !slices.Contains(gaps, item)})
		}
		return out
	}
	tests := []struct {
		name          string
		before, after []string // incomplete coverage items
		want          []results.ClassDelta
	}{
		{"complete", nil, nil, []results.ClassDelta{
			{Class: "Gateway", RegisteredBefore: 1, RegisteredAfter: 1, SeenBefore: 1, SeenAfter: 1, ConfiguredBefore: 1, ConfiguredAfter: 1},
			{Class: "Phone", RegisteredBefore: 2, RegisteredAfter: 1, SeenBefore: 2, SeenAfter: 1, ConfiguredBefore: 2, ConfiguredAfter: 2},
		}},
		{"gateway class failed after", nil, []string{"class:Gateway"}, []results.ClassDelta{
			{Class: "Gateway", RegisteredBefore: 1, RegisteredAfter: 1, SeenBefore: 1, SeenAfter: 1, ConfiguredBefore: 1, ConfiguredAfter: 1, IncompleteAfter: true},
			{Class: "Phone", RegisteredBefore: 2, RegisteredAfter: 1, SeenBefore: 2, SeenAfter: 1, ConfiguredBefore: 2, ConfiguredAfter: 2},
		}},
		{"node missing before", []string{"node:sub2"}, nil, []results.ClassDelta{
			{Class: "Gateway", RegisteredBefore: 1, RegisteredAfter: 1, SeenBefore: 1, SeenAfter: 1, ConfiguredBefore: 1, ConfiguredAfter: 1, IncompleteBefore: true},
			{Class: "Phone", RegisteredBefore: 2, RegisteredAfter: 1, SeenBefore: 2, SeenAfter: 1, ConfiguredBefore: 2, ConfiguredAfter: 2, IncompleteBefore: true},
		}},
		{"both sides", []string{"class:Phone"}, []string{"node:sub2"}, []results.ClassDelta{
			{Class: "Gateway", RegisteredBefore: 1, RegisteredAfter: 1, SeenBefore: 1, SeenAfter: 1, ConfiguredBefore: 1, ConfiguredAfter: 1, IncompleteAfter: true},
			{Class: "Phone", RegisteredBefore: 2, RegisteredAfter: 1, SeenBefore: 2, SeenAfter: 1, ConfiguredBefore: 2, ConfiguredAfter: 2, IncompleteBefore: true, IncompleteAfter: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTestStore(t)
			b := writeSnap(t, s, snap{devices: devs, ris: seen, coverage: cov(tt.before...)})
			a := writeSnap(t, s, snap{devices: devs, ris: []snapshot.RisDevice{seen[0], seen[2]}, coverage: cov(tt.after...)})
			d, err := results.DiffSnapshots(context.Background(), s, b, a, results.DiffOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, d.Registration); diff != "" {
				t.Errorf("registration by class (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDiffClusters(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	bid := writeSnap(t, s, snap{cluster: "hq", devices: []snapshot.Device{phone("SEP1", "m", "p", "o")}})
	aid := writeSnap(t, s, snap{cluster: "branch", devices: []snapshot.Device{phone("SEP2", "m", "p", "o")}})
	_, err := results.DiffSnapshots(ctx, s, bid, aid, results.DiffOptions{})
	if !errors.Is(err, results.ErrDifferentClusters) {
		t.Fatalf("diff of two clusters: err = %v, want ErrDifferentClusters", err)
	}
	if want := `snapshot 1 is of cluster "hq" and snapshot 2 of cluster "branch": refusing to compare snapshots of different clusters`; err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}
	d, err := results.DiffSnapshots(ctx, s, bid, aid, results.DiffOptions{Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Added) != 1 || len(d.Removed) != 1 || !strings.Contains(d.Notes[0], "forced comparison") {
		t.Errorf("forced diff = %+v", d)
	}

	failed, err := s.RecordFailed(ctx, snapshot.Meta{ClusterID: "hq"}, "AXL unreachable")
	check(t, err)
	if _, err := results.DiffSnapshots(ctx, s, bid, failed.ID, results.DiffOptions{}); err == nil || !strings.Contains(err.Error(), "failed and holds no data") {
		t.Errorf("diff with a failed snapshot: err = %v", err)
	}
	if _, err := results.DiffSnapshots(ctx, s, bid, 99, results.DiffOptions{}); !errors.Is(err, snapshot.ErrNotFound) {
		t.Errorf("diff with a missing snapshot: err = %v, want ErrNotFound", err)
	}
}

func TestDiffFindings(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	bid := writeSnap(t, s, snap{})
	aid := writeSnap(t, s, snap{})
	writeAnalysis(t, s, bid, map[string]results.Outcome{"REG-001": results.OutcomeFail, "REG-003": results.OutcomeFail, "FW-001": results.OutcomeFail, "LIC-001": results.OutcomeInconclusive},
		[]testFinding{
			{"REG-001", "high", "SEP1", ""},
			{"REG-001", "high", "SEP2", ""},
			{"REG-003", "critical", "GW1", `{"status":"Rejected","reason":14,"seen":true,"none":null}`},
			{"FW-001", "medium", "Cisco 8845", ""},
		})
	// An older analysis of the after snapshot must be ignored: the newest run counts.
	writeAnalysis(t, s, aid, map[string]results.Outcome{"REG-001": results.OutcomeFail}, []testFinding{{"REG-001", "high", "SEP9", ""}})
	writeAnalysis(t, s, aid, map[string]results.Outcome{"REG-001": results.OutcomeFail, "REG-003": results.OutcomePass, "FW-001": results.OutcomeInconclusive, "LIC-001": results.OutcomeFail},
		[]testFinding{
			{"REG-001", "high", "SEP2", ""},
			{"REG-001", "high", "SEP3", ""},
			{"LIC-001", "low", "cluster", ""},
		})
	d, err := results.DiffSnapshots(ctx, s, bid, aid, results.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	type out struct {
		New, Resolved, Unconfirmed []string
		Persisting                 int
		Compared                   bool
		Notes                      []string
	}
	fps := func(fs []results.Finding) []string {
		var o []string
		for _, f := range fs {
			o = append(o, f.Fingerprint)
		}
		return o
	}
	got := out{fps(d.NewFindings), fps(d.Resolved), fps(d.Unconfirmed), d.Persisting, d.FindingsCompared, d.Notes}
	want := out{
		New: []string{"REG-001|SEP3", "LIC-001|cluster"}, Resolved: []string{"REG-003|GW1", "REG-001|SEP1"},
		Unconfirmed: []string{"FW-001|Cisco 8845"}, Persisting: 1, Compared: true,
		Notes: []string{
			"rule LIC-001 did not conclude on snapshot 1 (inconclusive): its 1 new findings may have existed before",
			"1 earlier findings are not confirmed resolved: their rules did not conclude on snapshot 2",
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings diff (-want +got):\n%s", diff)
	}
	wantEv := []results.Field{{Name: "status", Value: "Rejected"}, {Name: "reason", Value: "14"}, {Name: "seen", Value: "true"}, {Name: "none", Value: ""}}
	if diff := cmp.Diff(wantEv, d.Resolved[0].Evidence); diff != "" {
		t.Errorf("evidence (-want +got):\n%s", diff)
	}
	if d.Resolved[0].Severity != results.SeverityCritical {
		t.Errorf("severity = %v", d.Resolved[0].Severity)
	}
}

func TestPreviousSnapshotAndSummarize(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	b, a := changeWindow()
	bid := writeSnap(t, s, b)
	writeSnap(t, s, snap{cluster: "other"})
	if _, err := s.RecordFailed(ctx, snapshot.Meta{ClusterID: "cl1"}, "AXL unreachable"); err != nil {
		t.Fatal(err)
	}
	aid := writeSnap(t, s, a)
	prev, ok, err := results.PreviousSnapshot(ctx, s, aid)
	if err != nil || !ok || prev.ID != bid {
		t.Fatalf("PreviousSnapshot(%d) = %v, %v, %v; want snapshot %d", aid, prev.ID, ok, err, bid)
	}
	if _, ok, err := results.PreviousSnapshot(ctx, s, bid); ok || err != nil {
		t.Errorf("PreviousSnapshot of the first = ok %v, err %v", ok, err)
	}
	d, err := results.DiffSnapshots(ctx, s, bid, aid, results.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := &results.ChangeSummary{PreviousID: bid, RegisteredDelta: -2, DevicesAdded: 1, DevicesRemoved: 1, FindingsNotCompared: true}
	if diff := cmp.Diff(want, d.Summarize()); diff != "" {
		t.Errorf("Summarize (-want +got):\n%s", diff)
	}
}

// TestDiffFindingsOneSideAnalyzed: when only one snapshot has an analysis, findings are not
// compared, nothing is listed new or resolved, and the analysed side's id is kept so a report
// can name the snapshot that was not analysed.
func TestDiffFindingsOneSideAnalyzed(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name         string
		analyzeAfter bool
	}{{"before analyzed", false}, {"after analyzed", true}} {
		t.Run(tt.name, func(t *testing.T) {
			s := openTestStore(t)
			bid := writeSnap(t, s, snap{})
			aid := writeSnap(t, s, snap{})
			on, off := bid, aid
			if tt.analyzeAfter {
				on, off = aid, bid
			}
			run := writeAnalysis(t, s, on, map[string]results.Outcome{"REG-001": results.OutcomeFail}, []testFinding{{"REG-001", "high", "SEP1", ""}})
			d, err := results.DiffSnapshots(ctx, s, bid, aid, results.DiffOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if d.FindingsCompared || d.NewFindings != nil || d.Resolved != nil || d.Persisting != 0 {
				t.Errorf("compared %v, new %v, resolved %v, persisting %d; want nothing compared", d.FindingsCompared, d.NewFindings, d.Resolved, d.Persisting)
			}
			wantBefore, wantAfter := run, int64(0)
			if tt.analyzeAfter {
				wantBefore, wantAfter = 0, run
			}
			if d.BeforeAnalysis != wantBefore || d.AfterAnalysis != wantAfter {
				t.Errorf("analysis ids %d, %d; want %d, %d", d.BeforeAnalysis, d.AfterAnalysis, wantBefore, wantAfter)
			}
			want := fmt.Sprintf("snapshot %d has not been analyzed: findings not compared (run `cucm-audit analyze --snapshot %d`)", off, off)
			if len(d.Notes) != 1 || d.Notes[0] != want {
				t.Errorf("notes %q, want [%q]", d.Notes, want)
			}
		})
	}
}

// ignoreWhere leaves the location of changed devices out of comparisons of what changed.
var ignoreWhere = cmpopts.IgnoreFields(results.DeviceChange{}, "Where")
