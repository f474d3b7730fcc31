package analyze

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// fixture is a snapshot to be written: tests start from healthy() (on which no built-in rule
// fires) and change what the case needs.
type fixture struct {
	cluster  string
	at       time.Time
	devices  []snapshot.Device
	lines    []snapshot.Line
	apps     []snapshot.LineAppearance
	patterns []snapshot.PatternDestination
	mgcp     []snapshot.MGCPGateway
	defaults []snapshot.DefaultLoad
	users    []snapshot.User
	pools    []snapshot.DevicePool
	members  []snapshot.CMGroupMember
	nodes    []snapshot.Node
	ris      []snapshot.RisDevice
	answers  []snapshot.NodeAnswer
	coverage []snapshot.Coverage
	status   snapshot.Status
}

var fixtureTime = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// phone adds a configured, owned phone with one line, registered on node (node "" = not seen).
func (f *fixture) phone(name, model, owner, dn, node string) {
	f.devices = append(f.devices, snapshot.Device{Name: name, Class: "Phone", RisClass: "Phone", Model: model,
		Protocol: "SIP", Description: "phone " + name, DevicePool: "DP-A", Owner: owner, IsActive: true})
	if dn != "" {
		f.lines = append(f.lines, snapshot.Line{PKID: "pk-" + dn, DN: dn, Partition: "PT", Usage: "Device"})
		f.apps = append(f.apps, snapshot.LineAppearance{Device: name, Index: 1, LinePKID: "pk-" + dn, DN: dn, Partition: "PT"})
	}
	if node != "" {
		f.ris = append(f.ris, snapshot.RisDevice{Node: node, Name: name, DeviceClass: "Phone", Model: 36224, Status: "Registered",
			Protocol: "SIP", IPv4: "10.0.0.1", ActiveLoad: "sip8845.14-2", LinesStatus: dn + "=Registered", NumLines: 1,
			TimeStamp: f.at.Add(-time.Hour).Unix(), DownloadStatus: "Successful"})
	}
}

// device adds a non-phone device of the given RisPort class, registered on node ("" = not seen).
func (f *fixture) device(name, class, risClass, node string) {
	f.devices = append(f.devices, snapshot.Device{Name: name, Class: class, RisClass: risClass, Model: class + " model",
		Description: class + " " + name, DevicePool: "DP-A", IsActive: true})
	if node != "" {
		f.ris = append(f.ris, snapshot.RisDevice{Node: node, Name: name, DeviceClass: risClass, Status: "Registered",
			IPv4: "10.0.1.1", TimeStamp: f.at.Add(-time.Hour).Unix()})
	}
}

func healthy() *fixture {
	f := &fixture{cluster: "c1", at: fixtureTime, status: snapshot.StatusComplete}
	f.nodes = []snapshot.Node{{Name: "pub", IsPublisher: true, IsActive: true}, {Name: "sub1", IsActive: true}, {Name: "sub2", IsActive: true}}
	f.pools = []snapshot.DevicePool{{Name: "DP-A", CMGroup: "CMG-A"}}
	f.members = []snapshot.CMGroupMember{{CMGroup: "CMG-A", Node: "sub1", Priority: 1}, {CMGroup: "CMG-A", Node: "sub2", Priority: 2}}
	f.users = []snapshot.User{{UserID: "alice"}, {UserID: "bob"}}
	f.phone("SEP000000000001", "Cisco 8845", "alice", "1001", "sub1")
	f.phone("SEP000000000002", "Cisco 8845", "bob", "1002", "sub1")
	f.device("GW-1", "Gateway", "Gateway", "sub1")
	f.device("TRK-1", "Trunk", "SIPTrunk", "sub1")
	f.device("HL-1", "Route List", "HuntList", "sub1")
	// What every real cluster also holds, none of which may fire a rule: a route list with the
	// route patterns pointing at it, a hunt pilot, an IM and Presence node, a Universal Device
	// Template (Phone class, never registers, no owner, no line), a device profile of an
	// end-of-life model, the Device Defaults load the phones run, and a trunk running on all
	// nodes, registered on each.
	f.device("RL-PSTN", "Route List", "", "")
	f.patterns = []snapshot.PatternDestination{
		{PatternPKID: "pk-rp1", Pattern: "9.@", Partition: "PT_PSTN", Usage: "Route", Device: "RL-PSTN"},
		{PatternPKID: "pk-rp2", Pattern: "9.011!", Partition: "PT_PSTN", Usage: "Route", Device: "RL-PSTN"},
		{PatternPKID: "pk-hp1", Pattern: "5000", Partition: "PT", Usage: "Hunt Pilot", Device: "HL-1"},
	}
	f.lines = append(f.lines, snapshot.Line{PKID: "pk-rp1", DN: "9.@", Partition: "PT_PSTN", Usage: "Route"},
		snapshot.Line{PKID: "pk-rp2", DN: "9.011!", Partition: "PT_PSTN", Usage: "Route"},
		snapshot.Line{PKID: "pk-hp1", DN: "5000", Partition: "PT", Usage: "Hunt Pilot"})
	f.nodes = append(f.nodes, snapshot.Node{Name: "imp1", IsActive: true, Role: snapshot.RoleIMAndPresence})
	f.devices = append(f.devices,
		snapshot.Device{Name: "UDT-Default", Class: "Phone", Model: "Universal Device Template", DevicePool: "DP-A", IsActive: true},
		snapshot.Device{Name: "DP-Profile-7945", Class: "Device Profile", Model: "Cisco 7945", Description: "EM profile", DevicePool: "DP-A", IsActive: true})
	f.defaults = []snapshot.DefaultLoad{{Model: "Cisco 8845", Protocol: "SIP", Load: "sip8845.14-2"}}
	f.device("TRK-ALL", "Trunk", "SIPTrunk", "sub1")
	f.deviceOf(nil, "TRK-ALL").RunOnAllNodes = true
	trkAll := *f.risOf(nil, "TRK-ALL")
	trkAll.Node = "sub2"
	f.ris = append(f.ris, trkAll)
	for _, it := range axlItems {
		f.coverage = append(f.coverage, snapshot.Coverage{Source: snapshot.SourceAXL, Item: it, Complete: true})
	}
	for _, cl := range []string{"Phone", "Gateway", "SIPTrunk", "HuntList"} {
		f.coverage = append(f.coverage, snapshot.Coverage{Source: snapshot.SourceRisPort, Item: snapshot.ClassItem(cl), Complete: true})
		for _, n := range f.nodes {
			code := "NotFound"
			if n.Name == "sub1" {
				code = "Ok"
			}
			f.answers = append(f.answers, snapshot.NodeAnswer{DeviceClass: cl, Node: n.Name, ReturnCode: code})
		}
	}
	for _, n := range f.nodes {
		f.coverage = append(f.coverage, snapshot.Coverage{Source: snapshot.SourceRisPort, Item: snapshot.NodeItem(n.Name), Complete: true})
	}
	return f
}

// risOf returns the RisPort row of a device for a test to change.
func (f *fixture) risOf(t testing.TB, name string) *snapshot.RisDevice {
	for i := range f.ris {
		if f.ris[i].Name == name {
			return &f.ris[i]
		}
	}
	t.Fatalf("fixture has no RisPort row for %s", name)
	return nil
}

func (f *fixture) deviceOf(t testing.TB, name string) *snapshot.Device {
	for i := range f.devices {
		if f.devices[i].Name == name {
			return &f.devices[i]
		}
	}
	t.Fatalf("fixture has no device %s", name)
	return nil
}

func (f *fixture) setCoverage(source, item string, complete bool, reason string) {
	for i := range f.coverage {
		if f.coverage[i].Source == source && f.coverage[i].Item == item {
			f.coverage[i].Complete, f.coverage[i].Reason = complete, reason
			return
		}
	}
	f.coverage = append(f.coverage, snapshot.Coverage{Source: source, Item: item, Complete: complete, Reason: reason})
}

func (f *fixture) dropCoverage(source, item string) {
	out := f.coverage[:0]
	for _, c := range f.coverage {
		if c.Source != source || c.Item != item {
			out = append(out, c)
		}
	}
	f.coverage = out
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// write stores the fixture as one snapshot and returns its id.
func (f *fixture) write(t testing.TB, store *snapshot.Store) int64 {
	t.Helper()
	ctx := context.Background()
	w, err := store.Begin(ctx, snapshot.Meta{ClusterID: f.cluster, AXLHost: "cucm-pub", StartedAt: f.at})
	must(t, err)
	for _, d := range f.devices {
		must(t, w.AddDevice(ctx, d))
	}
	for _, l := range f.lines {
		must(t, w.AddLine(ctx, l))
	}
	for _, a := range f.apps {
		must(t, w.AddLineAppearance(ctx, a))
	}
	for _, p := range f.patterns {
		must(t, w.AddPatternDestination(ctx, p))
	}
	for _, g := range f.mgcp {
		must(t, w.AddMGCPGateway(ctx, g))
	}
	for _, d := range f.defaults {
		must(t, w.AddDefaultLoad(ctx, d))
	}
	for _, u := range f.users {
		must(t, w.AddUser(ctx, u))
	}
	for _, p := range f.pools {
		must(t, w.AddDevicePool(ctx, p))
	}
	for _, m := range f.members {
		must(t, w.AddCMGroupMember(ctx, m))
	}
	for _, n := range f.nodes {
		must(t, w.AddNode(ctx, n))
	}
	for _, r := range f.ris {
		must(t, w.AddRisDevice(ctx, r))
	}
	for _, a := range f.answers {
		must(t, w.AddNodeAnswer(ctx, a))
	}
	for _, c := range f.coverage {
		must(t, w.SetCoverage(ctx, c))
	}
	m, err := w.Commit(ctx, f.status, "15.0.1.12900-234", "")
	must(t, err)
	return m.ID
}

// newStore opens a fresh database in a temporary folder.
func newStore(t testing.TB) *snapshot.Store {
	t.Helper()
	s, err := snapshot.Open(context.Background(), filepath.Join(t.TempDir(), "audit.db"))
	must(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// evalAll runs every built-in rule on one snapshot, checks none ends in error and returns the
// result. The demo-snapshot test of the lead calls it once the collector lands.
func evalAll(t testing.TB, store *snapshot.Store, id int64) *Result {
	t.Helper()
	res, err := Run(context.Background(), store, id, Options{Now: fixtureTime})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	for _, r := range res.Rules {
		if r.Outcome == results.OutcomeError {
			t.Errorf("rule %s ended in error: %s", r.Rule.ID, r.Reason)
		}
	}
	return res
}

// byRule indexes a result by rule id.
func byRule(res *Result) map[string]RuleResult {
	m := map[string]RuleResult{}
	for _, r := range res.Rules {
		m[r.Rule.ID] = r
	}
	return m
}

func entities(r RuleResult) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Entity)
	}
	return out
}
