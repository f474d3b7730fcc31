package mcpserver

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// testPassword stands for the AXL password a collection used: no answer may ever contain it.
const testPassword = "Xyzzy-S3cret-Pa55w0rd"

// buildFixture writes a small database with two snapshots of one cluster: #1 complete and
// analysed, #2 partial (node cucm-sub2 did not answer) and analysed with an inconclusive rule,
// plus a failed #3. It returns the database path.
func buildFixture(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "audit.db")
	st, err := snapshot.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	base := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)

	// Snapshot 1: complete.
	w := mustBegin(t, st, base)
	must(t, w.AddNode(ctx, snapshot.Node{Name: "cucm-pub", IsPublisher: true, IsActive: true}))
	must(t, w.AddNode(ctx, snapshot.Node{Name: "cucm-sub1", IsActive: true}))
	addDevices(t, w, false)
	for _, c := range []string{"Phone", "Gateway", "SIPTrunk"} {
		must(t, w.SetCoverage(ctx, snapshot.Coverage{Source: snapshot.SourceRisPort, Item: snapshot.ClassItem(c), Complete: true}))
	}
	for _, n := range []string{"cucm-pub", "cucm-sub1"} {
		must(t, w.SetCoverage(ctx, snapshot.Coverage{Source: snapshot.SourceRisPort, Item: snapshot.NodeItem(n), Complete: true}))
	}
	must(t, w.SetCoverage(ctx, snapshot.Coverage{Source: snapshot.SourceAXL, Item: "devices", Complete: true, Records: 4}))
	if _, err := w.Commit(ctx, snapshot.StatusComplete, "15.0.1.12900-1", ""); err != nil {
		t.Fatal(err)
	}

	// Snapshot 2: partial, one node not responding.
	w = mustBegin(t, st, base.Add(24*time.Hour))
	must(t, w.AddNode(ctx, snapshot.Node{Name: "cucm-pub", IsPublisher: true, IsActive: true}))
	must(t, w.AddNode(ctx, snapshot.Node{Name: "cucm-sub1", IsActive: true}))
	must(t, w.AddNode(ctx, snapshot.Node{Name: "cucm-sub2", IsActive: true}))
	addDevices(t, w, true)
	for _, c := range []string{"Phone", "Gateway", "SIPTrunk"} {
		must(t, w.SetCoverage(ctx, snapshot.Coverage{Source: snapshot.SourceRisPort, Item: snapshot.ClassItem(c), Complete: true}))
	}
	must(t, w.SetCoverage(ctx, snapshot.Coverage{Source: snapshot.SourceRisPort, Item: snapshot.NodeItem("cucm-pub"), Complete: true}))
	must(t, w.SetCoverage(ctx, snapshot.Coverage{Source: snapshot.SourceRisPort, Item: snapshot.NodeItem("cucm-sub1"), Complete: true}))
	must(t, w.SetCoverage(ctx, snapshot.Coverage{Source: snapshot.SourceRisPort, Item: snapshot.NodeItem("cucm-sub2"), Complete: false, Reason: "NodeNotResponding"}))
	must(t, w.SetCoverage(ctx, snapshot.Coverage{Source: snapshot.SourceAXL, Item: "devices", Complete: true, Records: 6}))
	if _, err := w.Commit(ctx, snapshot.StatusPartial, "15.0.1.12900-1", "risport node cucm-sub2 did not respond"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordFailed(ctx, snapshot.Meta{ClusterID: "hospital", AXLHost: "cucm-pub.example.test", StartedAt: base.Add(48 * time.Hour)}, "axl: 401 unauthorized (check AXL_USER/AXL_PASS)"); err != nil {
		t.Fatal(err)
	}

	db := st.DB()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for snap := int64(1); snap <= 2; snap++ {
		exec(`INSERT INTO analysis (snapshot_id, started_at, tool_version) VALUES (?, ?, 'test')`, snap, base.Add(time.Duration(snap)*24*time.Hour+time.Hour).Format(time.RFC3339))
		aid := snap
		inconclusive := "pass"
		reason := ""
		if snap == 2 {
			inconclusive, reason = "inconclusive", "needs complete RisPort node coverage: node cucm-sub2 NodeNotResponding"
		}
		exec(`INSERT INTO rule_result (analysis_id, rule_id, title, severity, category, status, reason, finding_count, params) VALUES
			(?, 'REG-001', 'Gateways rejected', 'high', 'registration', 'fail', '', 1, '{"min_age":"1d"}'),
			(?, 'REG-002', 'Phones unregistered', 'medium', 'registration', 'fail', '', 1, '{}'),
			(?, 'INV-001', 'Configured but never registered', 'low', 'inventory', ?, ?, 0, '{}'),
			(?, 'SEC-001', 'Phones without owner', 'info', 'security', 'fail', '', 1, '{}')`,
			aid, aid, aid, inconclusive, reason, aid)
		exec(`INSERT INTO finding (analysis_id, rule_id, severity, entity, fingerprint, message, evidence, waived, waiver) VALUES
			(?, 'REG-001', 'high', 'GW-A', 'fp-reg001-gwa', 'gateway GW-A is Rejected', '{"name":"GW-A","status":"Rejected","status_reason":14,"node":"cucm-sub1"}', 0, ''),
			(?, 'SEC-001', 'info', 'SEP000000000002', 'fp-sec001-sep2', 'phone has no owner', '{"name":"SEP000000000002","owner":null}', 1,
			 '{"rule":"SEC-001","entity":"SEP0*","statement":"lobby phones","owner":"voice team","expires":"2027-01-31"}')`, aid, aid)
		if snap == 2 {
			exec(`INSERT INTO finding (analysis_id, rule_id, severity, entity, fingerprint, message, evidence) VALUES
				(?, 'REG-002', 'medium', 'SEP000000000003', 'fp-reg002-sep3', 'phone is UnRegistered', '{"name":"SEP000000000003","status":"UnRegistered"}')`, aid)
		}
	}
	return path
}

// addDevices stores the inventory; later adds a phone, a SIP trunk and a device AXL does not know.
func addDevices(t *testing.T, w *snapshot.Writer, later bool) {
	ctx := context.Background()
	ts := int64(1756713600) // 2025-09-01T08:00:00Z
	must(t, w.AddDevicePool(ctx, snapshot.DevicePool{Name: "DP-Main", CMGroup: "CMG-1", Region: "R-Main"}))
	must(t, w.AddCMGroupMember(ctx, snapshot.CMGroupMember{CMGroup: "CMG-1", Node: "cucm-sub1", Priority: 1}))
	must(t, w.AddCMGroupMember(ctx, snapshot.CMGroupMember{CMGroup: "CMG-1", Node: "cucm-pub", Priority: 2}))
	must(t, w.AddDevice(ctx, snapshot.Device{Name: "SEP000000000001", Class: "Phone", RisClass: "Phone", Model: "Cisco 8845", Protocol: "SIP", Description: "Ward 1 nurse", DevicePool: "DP-Main", Owner: "jdoe", IsActive: true}))
	must(t, w.AddDevice(ctx, snapshot.Device{Name: "SEP000000000002", Class: "Phone", RisClass: "Phone", Model: "Cisco 7841", Protocol: "SCCP", Description: "Lobby", DevicePool: "DP-Main", IsActive: true}))
	must(t, w.AddDevice(ctx, snapshot.Device{Name: "GW-A", Class: "Gateway", RisClass: "Gateway", Model: "Cisco ISR 4321", Protocol: "MGCP", IsActive: true}))
	must(t, w.AddDevice(ctx, snapshot.Device{Name: "RL-Main", Class: "Route List", IsActive: true}))
	must(t, w.AddLine(ctx, snapshot.Line{PKID: "l1", DN: "1001", Partition: "PT-Internal", Description: "Nurse station", Usage: "Device"}))
	must(t, w.AddLineAppearance(ctx, snapshot.LineAppearance{Device: "SEP000000000001", Index: 1, LinePKID: "l1", DN: "1001", Partition: "PT-Internal", Label: "Nurse"}))
	must(t, w.AddRisDevice(ctx, snapshot.RisDevice{Node: "cucm-sub1", Name: "SEP000000000001", DeviceClass: "Phone", Status: "Registered", Protocol: "SIP", IPv4: "10.0.1.10", ActiveLoad: "sip88xx.14-2", TimeStamp: ts}))
	must(t, w.AddRisDevice(ctx, snapshot.RisDevice{Node: "cucm-pub", Name: "SEP000000000001", DeviceClass: "Phone", Status: "UnRegistered", StatusReason: 10, TimeStamp: ts - 3600}))
	must(t, w.AddRisDevice(ctx, snapshot.RisDevice{Node: "cucm-sub1", Name: "GW-A", DeviceClass: "Gateway", Status: "Rejected", StatusReason: 14, TimeStamp: ts - 86400}))
	if !later {
		return
	}
	must(t, w.AddDevice(ctx, snapshot.Device{Name: "SEP000000000003", Class: "Phone", RisClass: "Phone", Model: "Cisco 8845", IsActive: true}))
	must(t, w.AddDevice(ctx, snapshot.Device{Name: "TRUNK-SP", Class: "Trunk", RisClass: "SIPTrunk", Model: "SIP Trunk", IsActive: true}))
	must(t, w.AddRisDevice(ctx, snapshot.RisDevice{Node: "cucm-sub1", Name: "SEP000000000003", DeviceClass: "Phone", Status: "UnRegistered", StatusReason: 13, TimeStamp: ts}))
	must(t, w.AddRisDevice(ctx, snapshot.RisDevice{Node: "cucm-pub", Name: "TRUNK-SP", DeviceClass: "SIPTrunk", Status: "Registered", TimeStamp: ts}))
	must(t, w.AddRisDevice(ctx, snapshot.RisDevice{Node: "cucm-sub1", Name: "SEPFFFFFFFFFFFF", DeviceClass: "Phone", Status: "Rejected", StatusReason: 16, TimeStamp: ts}))
}

func mustBegin(t *testing.T, st *snapshot.Store, at time.Time) *snapshot.Writer {
	t.Helper()
	w, err := st.Begin(context.Background(), snapshot.Meta{ClusterID: "hospital", AXLHost: "cucm-pub.example.test", ToolVersion: "test", StartedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// testRules is the rule catalogue the fixture's rules come from.
var testRules = []results.RuleInfo{
	{ID: "REG-001", Title: "Gateways rejected", Severity: results.SeverityHigh, Category: "registration",
		Description: "A gateway CUCM refuses carries no calls.", Rationale: "Rejected gateways cut PSTN access.",
		Remediation: "Check the gateway's MGCP/H.323 configuration and its device pool.", Controls: []string{"ISO27001:A.8.16"},
		Params: map[string]string{"min_age": "1d"}},
	{ID: "REG-002", Title: "Phones unregistered", Severity: results.SeverityMedium, Category: "registration",
		Description: "Phones configured but not registered.", Remediation: "Find or remove the phone."},
	{ID: "INV-001", Title: "Configured but never registered", Severity: results.SeverityLow, Category: "inventory",
		Description: "Devices no node reported.", Remediation: "Remove stale devices."},
	{ID: "SEC-001", Title: "Phones without owner", Severity: results.SeverityInfo, Category: "security",
		Description: "Phones with no owner user.", Remediation: "Set the owner."},
	{ID: "CFG-009", Title: "Not evaluated rule", Severity: results.SeverityCritical, Category: "configuration",
		Description: "A rule added after the analysis.", Remediation: "Re-run analyze."},
}

// connect opens the fixture read-only, starts a server and returns a connected client session.
func connect(t *testing.T, path string, mod func(*Options)) *mcp.ClientSession {
	t.Helper()
	ctx := context.Background()
	st, err := snapshot.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	opts := Options{Store: st, Rules: testRules, Version: "test"}
	if mod != nil {
		mod(&opts)
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	st1, ct := mcp.NewInMemoryTransports()
	ss, err := srv.MCP().Connect(ctx, st1, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "test"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// call runs a tool and returns its result text, whether it is an error, and its structured output.
func call(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any) (text string, isErr bool, structured map[string]any) {
	t.Helper()
	if args == nil {
		args = map[string]any{}
	}
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s(%v): protocol error %v", tool, args, err)
	}
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	if res.StructuredContent != nil {
		raw, _ := json.Marshal(res.StructuredContent)
		json.Unmarshal(raw, &structured)
	}
	return b.String(), res.IsError, structured
}

// decode re-reads a structured answer into the tool's output type.
func decode[T any](t *testing.T, m map[string]any) T {
	t.Helper()
	var v T
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	return v
}
