package mcpserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

var allTools = []string{"device", "device_registration_status", "device_registration_summary", "dial", "diff_snapshots",
	"explain_finding", "list_findings", "list_rules", "list_snapshots", "snapshot_summary"}

func TestToolsListed(t *testing.T) {
	cs := connect(t, buildFixture(t), nil)
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
		if tool.Description == "" || tool.Annotations == nil || !tool.Annotations.ReadOnlyHint {
			t.Errorf("%s: want a description and readOnlyHint", tool.Name)
		}
		if tool.OutputSchema == nil {
			t.Errorf("%s: no output schema", tool.Name)
		}
		if out, _ := json.Marshal(tool.OutputSchema); strings.Contains(string(out), `"null"`) {
			t.Errorf("%s: output schema has nullable types: %s", tool.Name, out)
		}
		raw, _ := json.Marshal(tool.InputSchema)
		var schema struct {
			Properties map[string]struct {
				Description string `json:"description"`
			} `json:"properties"`
		}
		if err := json.Unmarshal(raw, &schema); err != nil {
			t.Fatal(err)
		}
		if len(schema.Properties) == 0 {
			t.Errorf("%s: input schema has no properties: %s", tool.Name, raw)
		}
		for p, s := range schema.Properties {
			if s.Description == "" {
				t.Errorf("%s: input %s has no description", tool.Name, p)
			}
		}
	}
	sort.Strings(names)
	if diff := cmp.Diff(allTools, names); diff != "" {
		t.Errorf("tools (-want +got):\n%s", diff)
	}
}

// check inspects a successful structured answer.
type check func(t *testing.T, out map[string]any)

func TestTools(t *testing.T) {
	path := buildFixture(t)
	diffCalls := 0
	cs := connect(t, path, func(o *Options) {
		o.Diff = func(ctx context.Context, before, after snapshot.Meta) (*results.Diff, error) {
			diffCalls++
			return &results.Diff{Before: before, After: after,
				Added:       []results.DeviceRef{{Name: "SEP000000000003", Class: "Phone"}, {Name: "TRUNK-SP", Class: "SIPTrunk"}},
				NewFindings: []results.Finding{{RuleID: "REG-002", Severity: results.SeverityMedium, Entity: "SEP000000000003", Fingerprint: "fp-reg002-sep3"}},
				Persisting:  2}, nil
		}
	})
	tests := []struct {
		name    string
		tool    string
		args    map[string]any
		wantErr string // substring of the tool error; "" = success
		check   check
	}{
		{name: "summary latest", tool: "snapshot_summary", check: func(t *testing.T, m map[string]any) {
			out := decode[SummaryOut](t, m)
			if out.Snapshot.ID != 2 || out.Snapshot.Status != snapshot.StatusPartial || out.DataComplete {
				t.Errorf("snapshot %+v complete=%v", out.Snapshot, out.DataComplete)
			}
			if len(out.CoverageGaps) != 1 || out.CoverageGaps[0].Item != "node:cucm-sub2" {
				t.Errorf("gaps %+v", out.CoverageGaps)
			}
			if len(out.InconclusiveRules) != 1 || out.InconclusiveRules[0].RuleID != "INV-001" {
				t.Errorf("inconclusive %+v", out.InconclusiveRules)
			}
			want := []SeverityCount{{"critical", 0}, {"high", 1}, {"medium", 1}, {"low", 0}, {"info", 0}}
			if diff := cmp.Diff(want, out.FindingsBySeverity); diff != "" {
				t.Errorf("by severity (-want +got):\n%s", diff)
			}
			if out.WaivedFindings != 1 || out.Totals.Devices != 6 || out.Totals.RisPortDevices != 5 {
				t.Errorf("waived %d totals %+v", out.WaivedFindings, out.Totals)
			}
			notes := strings.Join(out.Notes, "\n")
			for _, w := range []string{"partial", "node:cucm-sub2", "inconclusive"} {
				if !strings.Contains(notes, w) {
					t.Errorf("notes lack %q:\n%s", w, notes)
				}
			}
		}},
		{name: "summary by id", tool: "snapshot_summary", args: map[string]any{"snapshot": "1"}, check: func(t *testing.T, m map[string]any) {
			out := decode[SummaryOut](t, m)
			if out.Snapshot.ID != 1 || !out.DataComplete || len(out.CoverageGaps) != 0 {
				t.Errorf("got %+v", out)
			}
		}},
		{name: "summary latest~1", tool: "snapshot_summary", args: map[string]any{"snapshot": "latest~1"}, check: func(t *testing.T, m map[string]any) {
			if out := decode[SummaryOut](t, m); out.Snapshot.ID != 1 {
				t.Errorf("got snapshot %d", out.Snapshot.ID)
			}
		}},
		{name: "summary unknown snapshot", tool: "snapshot_summary", args: map[string]any{"snapshot": "99"}, wantErr: "snapshot 99: snapshot not found"},
		{name: "summary bad reference", tool: "snapshot_summary", args: map[string]any{"snapshot": "yesterday"}, wantErr: `want a number, latest or latest~N`},
		{name: "summary too far back", tool: "snapshot_summary", args: map[string]any{"snapshot": "latest~5"}, wantErr: "list_snapshots"},
		{name: "summary failed snapshot", tool: "snapshot_summary", args: map[string]any{"snapshot": "3"}, wantErr: "snapshot 3 failed and holds no data"},
		{name: "summary unknown argument", tool: "snapshot_summary", args: map[string]any{"snapshto": "1"}, wantErr: "snapshto"},

		{name: "snapshots", tool: "list_snapshots", check: func(t *testing.T, m map[string]any) {
			out := decode[ListSnapshotsOut](t, m)
			var ids []int64
			for _, s := range out.Snapshots {
				ids = append(ids, s.ID)
			}
			if diff := cmp.Diff([]int64{3, 2, 1}, ids); diff != "" || out.Truncated || !out.Snapshots[1].Analysed || out.Snapshots[1].CoverageGaps != 1 {
				t.Errorf("ids (-want +got):\n%s\n%+v", diff, out)
			}
		}},
		{name: "snapshots paged", tool: "list_snapshots", args: map[string]any{"page_size": 2}, check: func(t *testing.T, m map[string]any) {
			out := decode[ListSnapshotsOut](t, m)
			if len(out.Snapshots) != 2 || !out.Truncated || out.NextOffset != 2 || out.Total != 3 {
				t.Errorf("got %+v", out.Page)
			}
		}},
		{name: "snapshots second page", tool: "list_snapshots", args: map[string]any{"page_size": 2, "offset": 2}, check: func(t *testing.T, m map[string]any) {
			out := decode[ListSnapshotsOut](t, m)
			if len(out.Snapshots) != 1 || out.Truncated || out.Snapshots[0].ID != 1 {
				t.Errorf("got %+v", out)
			}
		}},
		{name: "snapshots page_size too big", tool: "list_snapshots", args: map[string]any{"page_size": 501}, wantErr: "page_size 501 is out of range: want 1 to 500"},
		{name: "snapshots page_size negative", tool: "list_snapshots", args: map[string]any{"page_size": -1}, wantErr: "page_size -1 is out of range"},
		{name: "snapshots negative offset", tool: "list_snapshots", args: map[string]any{"offset": -3}, wantErr: "offset -3 is negative"},
		{name: "snapshots page_size wrong type", tool: "list_snapshots", args: map[string]any{"page_size": "ten"}, wantErr: "page_size"},

		{name: "findings", tool: "list_findings", check: func(t *testing.T, m map[string]any) {
			out := decode[ListFindingsOut](t, m)
			if got := entities(out.Findings); !cmp.Equal(got, []string{"REG-001/GW-A", "REG-002/SEP000000000003"}) {
				t.Errorf("findings %v", got)
			}
			if len(out.InconclusiveRules) != 1 || !strings.Contains(strings.Join(out.Notes, " "), "waived") {
				t.Errorf("inconclusive %+v notes %v", out.InconclusiveRules, out.Notes)
			}
			if out.Findings[0].Evidence != nil {
				t.Errorf("evidence without with_evidence")
			}
		}},
		{name: "findings include waived with evidence", tool: "list_findings", args: map[string]any{"include_waived": true, "with_evidence": true}, check: func(t *testing.T, m map[string]any) {
			out := decode[ListFindingsOut](t, m)
			if len(out.Findings) != 3 || !out.Findings[2].Waived {
				t.Fatalf("findings %+v", out.Findings)
			}
			want := []Field{{"name", "GW-A"}, {"status", "Rejected"}, {"status_reason", "14"}, {"node", "cucm-sub1"}}
			if diff := cmp.Diff(want, out.Findings[0].Evidence); diff != "" {
				t.Errorf("evidence (-want +got):\n%s", diff)
			}
		}},
		{name: "findings min severity", tool: "list_findings", args: map[string]any{"severity": "HIGH"}, check: func(t *testing.T, m map[string]any) {
			if got := entities(decode[ListFindingsOut](t, m).Findings); !cmp.Equal(got, []string{"REG-001/GW-A"}) {
				t.Errorf("findings %v", got)
			}
		}},
		{name: "findings by rule glob", tool: "list_findings", args: map[string]any{"rule": "reg-00?", "entity": "SEP*"}, check: func(t *testing.T, m map[string]any) {
			if got := entities(decode[ListFindingsOut](t, m).Findings); !cmp.Equal(got, []string{"REG-002/SEP000000000003"}) {
				t.Errorf("findings %v", got)
			}
		}},
		{name: "findings by category", tool: "list_findings", args: map[string]any{"category": "Inventory"}, check: func(t *testing.T, m map[string]any) {
			out := decode[ListFindingsOut](t, m)
			if len(out.Findings) != 0 || len(out.InconclusiveRules) != 1 {
				t.Errorf("got %+v", out)
			}
		}},
		{name: "findings older snapshot", tool: "list_findings", args: map[string]any{"snapshot": "1"}, check: func(t *testing.T, m map[string]any) {
			out := decode[ListFindingsOut](t, m)
			if got := entities(out.Findings); !cmp.Equal(got, []string{"REG-001/GW-A"}) || len(out.InconclusiveRules) != 0 {
				t.Errorf("findings %v %+v", got, out.InconclusiveRules)
			}
		}},
		{name: "findings bad severity", tool: "list_findings", args: map[string]any{"severity": "urgent"}, wantErr: `unknown severity "urgent": want info, low, medium, high or critical`},
		{name: "findings bad glob", tool: "list_findings", args: map[string]any{"entity": "SEP[00"}, wantErr: `bad entity pattern "SEP[00": '[' at position 4 is never closed`},
		{name: "findings unknown rule", tool: "list_findings", args: map[string]any{"rule": "REG-999"}, wantErr: `unknown rule "REG-999": list_rules shows the rule ids`},
		{name: "findings unknown category", tool: "list_findings", args: map[string]any{"category": "voodoo"}, wantErr: `unknown category "voodoo": want one of configuration, inventory, registration, security`},
		{name: "findings page_size zero means default", tool: "list_findings", args: map[string]any{"page_size": 0}, check: func(t *testing.T, m map[string]any) {
			if out := decode[ListFindingsOut](t, m); len(out.Findings) != 2 {
				t.Errorf("got %d", len(out.Findings))
			}
		}},

		{name: "explain by fingerprint", tool: "explain_finding", args: map[string]any{"fingerprint": "fp-reg001-gwa"}, check: func(t *testing.T, m map[string]any) {
			out := decode[ExplainOut](t, m)
			if out.Rule.Remediation == "" || out.Rule.Rationale == "" || len(out.Rule.Controls) != 1 || out.Outcome != "fail" || len(out.Finding.Evidence) != 4 {
				t.Errorf("got %+v", out)
			}
			if diff := cmp.Diff([]Field{{"min_age", "1d"}}, out.Rule.Params); diff != "" {
				t.Errorf("params (-want +got):\n%s", diff)
			}
		}},
		{name: "explain by rule and entity", tool: "explain_finding", args: map[string]any{"rule": "sec-001", "entity": "sep000000000002"}, check: func(t *testing.T, m map[string]any) {
			out := decode[ExplainOut](t, m)
			if !out.Finding.Waived || len(out.Waiver) == 0 || out.Waiver[3] != (Field{"owner", "voice team"}) {
				t.Errorf("got %+v", out)
			}
		}},
		{name: "explain inconclusive rule", tool: "explain_finding", args: map[string]any{"rule": "INV-001", "entity": "SEP000000000002"}, wantErr: "the rule's outcome is inconclusive: needs complete RisPort node coverage"},
		{name: "explain unknown fingerprint", tool: "explain_finding", args: map[string]any{"fingerprint": "nope"}, wantErr: "no finding for fingerprint nope in snapshot 2"},
		{name: "explain missing arguments", tool: "explain_finding", args: map[string]any{"rule": "REG-001"}, wantErr: "give a fingerprint, or both rule and entity"},

		{name: "device phone", tool: "device", args: map[string]any{"name": "sep000000000001"}, check: func(t *testing.T, m map[string]any) {
			out := decode[DeviceOut](t, m)
			if out.Name != "SEP000000000001" || !out.InAXL || out.Config.Owner != "jdoe" || out.Status != "Registered" {
				t.Errorf("got %+v", out)
			}
			if len(out.RisPort) != 2 || out.RisPort[0].Node != "cucm-sub1" || out.RisPort[1].ReasonText == "" {
				t.Errorf("risport %+v", out.RisPort)
			}
			if len(out.Lines) != 1 || out.Lines[0].Description != "Nurse station" {
				t.Errorf("lines %+v", out.Lines)
			}
			if out.DevicePool == nil || !cmp.Equal(out.DevicePool.Nodes, []string{"cucm-sub1", "cucm-pub"}) {
				t.Errorf("pool %+v", out.DevicePool)
			}
			if !strings.Contains(strings.Join(out.Notes, " "), "cucm-sub2") {
				t.Errorf("notes %v", out.Notes)
			}
		}},
		{name: "device gateway with finding", tool: "device", args: map[string]any{"name": "GW-A"}, check: func(t *testing.T, m map[string]any) {
			out := decode[DeviceOut](t, m)
			if out.Status != "Rejected" || len(out.Findings) != 1 || out.Findings[0].RuleID != "REG-001" || !strings.HasPrefix(out.RisPort[0].ReasonText, "ConfigurationMismatch") {
				t.Errorf("got %+v", out)
			}
		}},
		{name: "device never seen", tool: "device", args: map[string]any{"name": "SEP000000000002"}, check: func(t *testing.T, m map[string]any) {
			out := decode[DeviceOut](t, m)
			if out.Status != statusNeverSeen || len(out.RisPort) != 0 {
				t.Errorf("got %+v", out)
			}
		}},
		{name: "device only in risport", tool: "device", args: map[string]any{"name": "SEPFFFFFFFFFFFF"}, check: func(t *testing.T, m map[string]any) {
			out := decode[DeviceOut](t, m)
			if out.InAXL || out.Status != "Rejected" || !strings.Contains(strings.Join(out.Notes, " "), "AXL has no such device") {
				t.Errorf("got %+v", out)
			}
		}},
		{name: "device not tracked by risport", tool: "device", args: map[string]any{"name": "RL-Main"}, check: func(t *testing.T, m map[string]any) {
			out := decode[DeviceOut](t, m)
			if out.Status != "" || !strings.Contains(strings.Join(out.Notes, " "), "does not track") {
				t.Errorf("got %+v", out)
			}
		}},
		{name: "device unknown with suggestions", tool: "device", args: map[string]any{"name": "SEP00000000000"}, wantErr: "similar names: SEP000000000001, SEP000000000002, SEP000000000003"},
		{name: "device unknown", tool: "device", args: map[string]any{"name": "nothing-like-it"}, wantErr: `no device named "nothing-like-it" in snapshot 2`},
		{name: "device missing name", tool: "device", args: map[string]any{}, wantErr: "name"},

		{name: "registration rejected gateways", tool: "device_registration_status", args: map[string]any{"device_class": "gateway", "status": "rejected"}, check: func(t *testing.T, m map[string]any) {
			out := decode[RegistrationOut](t, m)
			if len(out.Devices) != 1 || out.Devices[0].Name != "GW-A" || out.Devices[0].Since != "2025-08-31T08:00:00Z" || out.Devices[0].StatusReason != 14 {
				t.Errorf("got %+v", out.Devices)
			}
			if out.StatusMeanings["Rejected"] == "" || out.ReasonMeanings["14"] == "" {
				t.Errorf("meanings %v %v", out.StatusMeanings, out.ReasonMeanings)
			}
			if !strings.Contains(strings.Join(out.Notes, " "), "cucm-sub2") {
				t.Errorf("notes %v", out.Notes)
			}
		}},
		{name: "registration phones by name", tool: "device_registration_status", args: map[string]any{"device_class": "Phone", "name_filter": "sep00*"}, check: func(t *testing.T, m map[string]any) {
			out := decode[RegistrationOut](t, m)
			want := map[string]int{"Registered": 1, "NeverSeen": 1, "UnRegistered": 1}
			if diff := cmp.Diff(want, out.ByStatus); diff != "" || out.Total != 3 {
				t.Errorf("by status (-want +got):\n%s", diff)
			}
		}},
		{name: "registration never seen", tool: "device_registration_status", args: map[string]any{"status": "NeverSeen"}, check: func(t *testing.T, m map[string]any) {
			out := decode[RegistrationOut](t, m)
			if len(out.Devices) != 1 || out.Devices[0].Name != "SEP000000000002" {
				t.Errorf("got %+v", out.Devices)
			}
		}},
		{name: "registration paged", tool: "device_registration_status", args: map[string]any{"page_size": 2}, check: func(t *testing.T, m map[string]any) {
			out := decode[RegistrationOut](t, m)
			if len(out.Devices) != 2 || !out.Truncated || out.Total != 6 || out.NextOffset != 2 {
				t.Errorf("got %+v", out.Page)
			}
		}},
		{name: "registration bad class", tool: "device_registration_status", args: map[string]any{"device_class": "Phones"}, wantErr: `unknown device_class "Phones": want one of Phone, Gateway, H323, Cti, VoiceMail, MediaResources, SIPTrunk, HuntList, Unknown`},
		{name: "registration bad status", tool: "device_registration_status", args: map[string]any{"status": "down"}, wantErr: `unknown status "down"`},
		{name: "registration bad glob", tool: "device_registration_status", args: map[string]any{"name_filter": "[]"}, wantErr: `bad name_filter pattern "[]"`},
		{name: "registration page too big", tool: "device_registration_status", args: map[string]any{"page_size": 100000}, wantErr: "page_size 100000 is out of range"},

		{name: "registration summary", tool: "device_registration_summary", check: func(t *testing.T, m map[string]any) {
			out := decode[RegistrationSummaryOut](t, m)
			want := []ClassRegistration{
				{DeviceClass: "Gateway", Configured: 1, Seen: 1, Rejected: 1, Gap: "RisPort nodes did not answer completely: cucm-sub2 (NodeNotResponding)"},
				{DeviceClass: "Phone", Configured: 3, Seen: 3, Registered: 1, UnRegistered: 1, Rejected: 1, NeverSeen: 1, NotInAXL: 1, RegistrationRate: 1.0 / 3, Gap: "RisPort nodes did not answer completely: cucm-sub2 (NodeNotResponding)"},
				{DeviceClass: "SIPTrunk", Configured: 1, Seen: 1, Registered: 1, RegistrationRate: 1, Gap: "RisPort nodes did not answer completely: cucm-sub2 (NodeNotResponding)"},
			}
			if diff := cmp.Diff(want, out.Classes); diff != "" {
				t.Errorf("classes (-want +got):\n%s", diff)
			}
		}},
		{name: "registration summary complete snapshot", tool: "device_registration_summary", args: map[string]any{"snapshot": "1"}, check: func(t *testing.T, m map[string]any) {
			out := decode[RegistrationSummaryOut](t, m)
			for _, c := range out.Classes {
				if !c.Complete {
					t.Errorf("%s incomplete: %s", c.DeviceClass, c.Gap)
				}
			}
			if len(out.Notes) != 0 {
				t.Errorf("notes %v", out.Notes)
			}
		}},

		{name: "diff defaults", tool: "diff_snapshots", check: func(t *testing.T, m map[string]any) {
			out := decode[DiffOut](t, m)
			if out.Before.ID != 1 || out.After.ID != 2 || out.Counts.DevicesAdded != 2 || out.Counts.FindingsPersisting != 2 || out.Truncated {
				t.Errorf("got %+v", out)
			}
			if !strings.Contains(strings.Join(out.Notes, " "), "snapshot 2 is partial") {
				t.Errorf("notes %v", out.Notes)
			}
		}},
		{name: "diff cut", tool: "diff_snapshots", args: map[string]any{"before": "1", "after": "latest", "page_size": 1}, check: func(t *testing.T, m map[string]any) {
			out := decode[DiffOut](t, m)
			if len(out.Added) != 1 || !out.Truncated || out.Counts.DevicesAdded != 2 {
				t.Errorf("got %+v", out)
			}
		}},
		{name: "diff same snapshot", tool: "diff_snapshots", args: map[string]any{"before": "2", "after": "latest"}, wantErr: "same snapshot (2)"},
		{name: "diff unknown before", tool: "diff_snapshots", args: map[string]any{"before": "latest~7"}, wantErr: "before: snapshot latest~7"},

		{name: "rules", tool: "list_rules", check: func(t *testing.T, m map[string]any) {
			out := decode[ListRulesOut](t, m)
			var got []string
			for _, r := range out.Rules {
				got = append(got, r.ID+":"+r.Outcome)
				if r.Remediation != "" {
					t.Errorf("%s: text without with_text", r.ID)
				}
			}
			want := []string{"CFG-009:not evaluated", "INV-001:inconclusive", "REG-001:fail", "REG-002:fail", "SEC-001:fail"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
		}},
		{name: "rules with text by category", tool: "list_rules", args: map[string]any{"category": "registration", "severity": "high", "with_text": true}, check: func(t *testing.T, m map[string]any) {
			out := decode[ListRulesOut](t, m)
			if len(out.Rules) != 1 || out.Rules[0].Remediation == "" || out.Rules[0].Findings != 1 {
				t.Errorf("got %+v", out.Rules)
			}
		}},
		{name: "rules bad severity", tool: "list_rules", args: map[string]any{"severity": "3"}, wantErr: "unknown severity"},
		{name: "rules bad category", tool: "list_rules", args: map[string]any{"category": "x"}, wantErr: `unknown category "x"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text, isErr, out := call(t, cs, tc.tool, tc.args)
			if strings.Contains(text, testPassword) {
				t.Errorf("answer contains the password: %s", text)
			}
			if tc.wantErr != "" {
				if !isErr || !strings.Contains(text, tc.wantErr) {
					t.Errorf("want tool error containing %q, got isError=%v %s", tc.wantErr, isErr, text)
				}
				return
			}
			if isErr {
				t.Fatalf("unexpected tool error: %s", text)
			}
			if tc.check != nil {
				tc.check(t, out)
			}
		})
	}
	if diffCalls == 0 {
		t.Error("diff hook never called")
	}
}

func entities(fs []FindingRow) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.RuleID+"/"+f.Entity)
	}
	return out
}

// TestDiffReal runs the default diff (analyze.DiffSnapshots) on the fixture.
func TestDiffReal(t *testing.T) {
	cs := connect(t, buildFixture(t), nil)
	text, isErr, m := call(t, cs, "diff_snapshots", nil)
	if isErr {
		t.Fatal(text)
	}
	out := decode[DiffOut](t, m)
	var added []string
	for _, d := range out.Added {
		added = append(added, d.Name)
	}
	if diff := cmp.Diff([]string{"SEP000000000003", "SEPFFFFFFFFFFFF", "TRUNK-SP"}, added); diff != "" {
		t.Errorf("added (-want +got):\n%s", diff)
	}
	if !out.Compared || len(out.NewFindings) != 1 || out.NewFindings[0].Fingerprint == "" {
		t.Errorf("findings: %+v", out)
	}
}

func TestNoAnalysis(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a.db")
	st, err := snapshot.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	w := mustBegin(t, st, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if _, err := w.Commit(ctx, snapshot.StatusComplete, "15", ""); err != nil {
		t.Fatal(err)
	}
	st.Close()
	cs := connect(t, path, func(o *Options) { o.Rules = nil })
	_, isErr, out := call(t, cs, "snapshot_summary", nil)
	if isErr || !strings.Contains(strings.Join(decode[SummaryOut](t, out).Notes, " "), "has not been analysed") {
		t.Errorf("summary: %v", out)
	}
	if text, isErr, _ := call(t, cs, "list_findings", nil); !isErr || !strings.Contains(text, "run `cucm-audit analyze --snapshot 1`") {
		t.Errorf("list_findings: %s", text)
	}
	if _, isErr, out := call(t, cs, "list_rules", nil); isErr || !strings.Contains(strings.Join(decode[ListRulesOut](t, out).Notes, " "), "no rule pack") {
		t.Errorf("list_rules: %v", out)
	}
}

func TestEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "empty.db")
	st, err := snapshot.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	cs := connect(t, path, nil)
	for _, tool := range allTools {
		text, isErr, _ := call(t, cs, tool, map[string]any{})
		if tool == "list_snapshots" || tool == "list_rules" {
			if isErr {
				t.Errorf("%s: %s", tool, text)
			}
			continue
		}
		if !isErr || text == "" {
			t.Errorf("%s on an empty database: want a tool error, got %s", tool, text)
		}
	}
}

// TestReadOnly: the store the server works on refuses every kind of write, and a session that
// calls every tool, reads the resource and the prompt leaves the database file byte for byte as
// it was.
func TestReadOnly(t *testing.T) {
	ctx := context.Background()
	path := buildFixture(t)
	st, err := snapshot.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, stmt := range []string{
		`DELETE FROM finding`,
		`INSERT INTO snapshot (cluster_id) VALUES ('x')`,
		`UPDATE axl_device SET name = 'x'`,
		`CREATE TABLE t (x)`,
		`DROP VIEW device_view`,
		`PRAGMA user_version = 99`,
	} {
		if _, err := st.DB().ExecContext(ctx, stmt); err == nil {
			t.Errorf("the read-only store accepted %s", stmt)
		}
	}
	sum := func() [32]byte {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return sha256.Sum256(b)
	}
	before := sum()
	cs := connect(t, path, nil)
	for _, tool := range allTools {
		call(t, cs, tool, nil)
	}
	for _, c := range everyCall {
		call(t, cs, c.tool, c.args)
	}
	if _, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: LatestReportURI}); err != nil {
		t.Logf("latest report: %v", err)
	}
	if _, err := cs.GetPrompt(ctx, &mcp.GetPromptParams{Name: "quarterly_audit_summary"}); err != nil {
		t.Fatal(err)
	}
	if sum() != before {
		t.Error("a session of reads changed the database file")
	}
}

func TestLatestReportResource(t *testing.T) {
	path := buildFixture(t)
	read := func(t *testing.T, cs *mcp.ClientSession) (string, error) {
		res, err := cs.ReadResource(context.Background(), &mcp.ReadResourceParams{URI: LatestReportURI})
		if err != nil {
			return "", err
		}
		return res.Contents[0].Text, nil
	}
	t.Run("newest listed report in reports dir", func(t *testing.T) {
		dir := t.TempDir()
		writeReportSet(t, filepath.Join(dir, "2026-09-01"), "audit", "# report 2026-09-01", time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC))
		writeReportSet(t, filepath.Join(dir, "2026-09-02"), "audit", "# report 2026-09-02", time.Date(2026, 9, 2, 0, 0, 0, 0, time.UTC))
		must(t, os.WriteFile(filepath.Join(dir, "audit.json"), []byte("{}"), 0o644))
		cs := connect(t, path, func(o *Options) { o.ReportsDir = dir })
		got, err := read(t, cs)
		if err != nil || got != "# report 2026-09-02" {
			t.Errorf("got %q, %v", got, err)
		}
	})
	t.Run("only what the tool wrote", func(t *testing.T) {
		// The genuine report is the oldest; every newer candidate is hostile and refused.
		dir := t.TempDir()
		day := func(d int) time.Time { return time.Date(2026, 10, d, 0, 0, 0, 0, time.UTC) }
		writeReportSet(t, dir, "genuine", "# genuine report", day(1))
		outside := filepath.Join(t.TempDir(), "passwd")
		must(t, os.WriteFile(outside, []byte("root:x:0:0:root:/root:/bin/bash\n"), 0o644))
		// A link to a file outside the folder, listed in a manifest with the target's size and hash.
		linked := writeReportSet(t, dir, "linked", "root:x:0:0:root:/root:/bin/bash\n", day(2))
		must(t, os.Remove(linked))
		must(t, os.Symlink(outside, linked))
		// A listed file modified after its manifest was written.
		changed := writeReportSet(t, dir, "changed", "# what was audited", day(3))
		must(t, os.WriteFile(changed, []byte("# what was NOT audited"), 0o644))
		// The same size, other bytes.
		same := writeReportSet(t, dir, "samesize", "# aaaa", day(4))
		must(t, os.WriteFile(same, []byte("# bbbb"), 0o644))
		// A manifest listing a file outside its folder.
		escape := writeReportSet(t, filepath.Join(dir, "sub"), "escape", "root:x:0:0:root:/root:/bin/bash\n", day(5))
		rewriteManifest(t, escape, func(m *render.Manifest) {
			m.Files[0].Name = "../../" + filepath.Base(filepath.Dir(outside)) + "/passwd"
		})
		// A link to a manifest, and a folder link.
		must(t, os.Symlink(escape+".manifest.json", filepath.Join(dir, "link.manifest.json")))
		must(t, os.Symlink(filepath.Dir(outside), filepath.Join(dir, "linkdir")))
		// A newer Markdown file that no manifest lists.
		must(t, os.WriteFile(filepath.Join(dir, "newest.md"), []byte("# unlisted"), 0o644))
		now := time.Now().Add(time.Hour)
		must(t, os.Chtimes(filepath.Join(dir, "newest.md"), now, now))
		// A foreign manifest.
		must(t, os.WriteFile(filepath.Join(dir, "other.manifest.json"), []byte(`{"tool":"other","schema_version":1,"files":[{"name":"newest.md","format":"md"}]}`), 0o644))

		var logs bytes.Buffer
		cs := connect(t, path, func(o *Options) {
			o.ReportsDir = dir
			o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		})
		got, err := read(t, cs)
		if err != nil || got != "# genuine report" {
			t.Errorf("got %q, %v", got, err)
		}
		for _, want := range []string{"changed.md is 22 bytes, its manifest", "samesize.md does not match the SHA-256", "linked.md (listed in", "is a symbolic link",
			"lists a file outside its folder", "not a cucm-audit manifest"} {
			if !strings.Contains(logs.String(), want) {
				t.Errorf("log lacks %q:\n%s", want, logs.String())
			}
		}
		// Nothing genuine: the report is rendered in memory instead of serving a refused file.
		must(t, os.Remove(filepath.Join(dir, "genuine.md")))
		cs = connect(t, path, func(o *Options) {
			o.ReportsDir = dir
			o.Markdown = func(context.Context) ([]byte, error) { return []byte("# rendered"), nil }
		})
		if got, err := read(t, cs); err != nil || got != "# rendered" {
			t.Errorf("got %q, %v", got, err)
		}
	})
	t.Run("reports dir is a link", func(t *testing.T) {
		// The operator's --reports may be a link (reports/current -> reports/2026-10): it is
		// followed; links inside it still are not.
		real := t.TempDir()
		writeReportSet(t, real, "audit", "# through the link", time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
		link := filepath.Join(t.TempDir(), "current")
		must(t, os.Symlink(real, link))
		cs := connect(t, path, func(o *Options) { o.ReportsDir = link })
		if got, err := read(t, cs); err != nil || got != "# through the link" {
			t.Errorf("got %q, %v", got, err)
		}
	})
	t.Run("rendered in memory", func(t *testing.T) {
		var logs bytes.Buffer
		dir := t.TempDir()
		cs := connect(t, path, func(o *Options) {
			o.ReportsDir = dir
			o.Markdown = func(context.Context) ([]byte, error) { return []byte("# rendered"), nil }
			o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		})
		if got, err := read(t, cs); err != nil || got != "# rendered" {
			t.Errorf("got %q, %v", got, err)
		}
		if want := "no report under the reports folder qualifies: rendering the latest in memory"; !strings.Contains(logs.String(), want) || !strings.Contains(logs.String(), dir) {
			t.Errorf("log lacks %q and the folder:\n%s", want, logs.String())
		}
	})
	t.Run("none", func(t *testing.T) {
		cs := connect(t, path, func(o *Options) {
			o.ReportsDir = t.TempDir()
			o.Markdown = func(context.Context) ([]byte, error) { return nil, errors.New("snapshot 2 has no analysis") }
		})
		if _, err := read(t, cs); err == nil || !strings.Contains(err.Error(), "no Markdown report under") || !strings.Contains(err.Error(), "snapshot 2 has no analysis") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("listed", func(t *testing.T) {
		cs := connect(t, path, nil)
		res, err := cs.ListResources(context.Background(), nil)
		if err != nil || len(res.Resources) != 1 || res.Resources[0].URI != LatestReportURI {
			t.Errorf("got %+v, %v", res, err)
		}
	})
}

// writeReportSet writes base.md holding text and the manifest that lists it, as render.WriteAll
// would, and returns the report's path.
func writeReportSet(t *testing.T, dir, base, text string, generated time.Time) string {
	t.Helper()
	must(t, os.MkdirAll(dir, 0o755))
	p := filepath.Join(dir, base+".md")
	must(t, os.WriteFile(p, []byte(text), 0o644))
	sum := sha256.Sum256([]byte(text))
	m := render.Manifest{SchemaVersion: render.ManifestSchemaVersion, Tool: "cucm-audit", ReportGeneratedAt: generated,
		Files: []render.ManifestFile{{Name: base + ".md", Format: render.FormatMarkdown, Size: int64(len(text)), SHA256: hex.EncodeToString(sum[:])}}}
	b, err := json.Marshal(&m)
	must(t, err)
	must(t, os.WriteFile(filepath.Join(dir, base+".manifest.json"), b, 0o644))
	return p
}

// rewriteManifest changes the manifest of the report at reportPath.
func rewriteManifest(t *testing.T, reportPath string, change func(*render.Manifest)) {
	t.Helper()
	mp := strings.TrimSuffix(reportPath, ".md") + ".manifest.json"
	b, err := os.ReadFile(mp)
	must(t, err)
	var m render.Manifest
	must(t, json.Unmarshal(b, &m))
	change(&m)
	b, err = json.Marshal(&m)
	must(t, err)
	must(t, os.WriteFile(mp, b, 0o644))
}

func TestQuarterlyPrompt(t *testing.T) {
	cs := connect(t, buildFixture(t), nil)
	res, err := cs.GetPrompt(context.Background(), &mcp.GetPromptParams{Name: "quarterly_audit_summary", Arguments: map[string]string{"snapshot": "latest~1"}})
	if err != nil {
		t.Fatal(err)
	}
	text := res.Messages[0].Content.(*mcp.TextContent).Text
	for _, want := range []string{`snapshot "latest~1"`, "snapshot_summary", "list_findings", "inconclusive", "NOT a pass", "diff_snapshots"} {
		if !strings.Contains(text, want) {
			t.Errorf("prompt lacks %q", want)
		}
	}
}

func TestHTTPAuth(t *testing.T) {
	const token = "tok-4c7f9e-secret"
	ctx := context.Background()
	st, err := snapshot.OpenReadOnly(ctx, buildFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv, err := New(Options{Store: st, Rules: testRules})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler(token))
	defer hs.Close()
	for _, tc := range []struct {
		name, auth string
		want       int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"wrong token", "Bearer nope", http.StatusUnauthorized},
		{"token prefix", "Bearer " + token[:5], http.StatusUnauthorized},
		{"token and more", "Bearer " + token + "x", http.StatusUnauthorized},
		{"empty bearer", "Bearer ", http.StatusUnauthorized},
		{"bare token", token, http.StatusUnauthorized},
		{"basic scheme", "Basic " + token, http.StatusUnauthorized},
		{"right token", "Bearer " + token, http.StatusOK},
		{"scheme in lower case", "bearer " + token, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := postAuth(t, hs.URL, tc.auth)
			if resp.StatusCode != tc.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.want)
			}
			if tc.want == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
	t.Run("no token configured refuses everything", func(t *testing.T) {
		open := httptest.NewServer(srv.Handler(""))
		defer open.Close()
		for _, auth := range []string{"", "Bearer ", "Bearer x"} {
			if resp, _ := postAuth(t, open.URL, auth); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("Authorization %q: status %d, want 401", auth, resp.StatusCode)
			}
		}
	})
	t.Run("go client with token", func(t *testing.T) {
		hc := &http.Client{Transport: bearer{token, http.DefaultTransport}}
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "1"}, nil).
			Connect(ctx, &mcp.StreamableClientTransport{Endpoint: hs.URL, HTTPClient: hc}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer cs.Close()
		text, isErr, out := call(t, cs, "device_registration_status", map[string]any{"device_class": "Gateway", "status": "Rejected"})
		if isErr || decode[RegistrationOut](t, out).Total != 1 {
			t.Errorf("got %s", text)
		}
		if strings.Contains(text, token) {
			t.Error("answer contains the token")
		}
	})
}

// postAuth posts an initialize request with the Authorization header auth ("" none) and
// returns the response (body closed) and its body.
func postAuth(t *testing.T, url, auth string) (*http.Response, string) {
	t.Helper()
	const init = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`
	req, err := http.NewRequest("POST", url, strings.NewReader(init))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

func TestCheckHTTPAccess(t *testing.T) {
	const refused = "refusing to serve MCP over HTTP on %s without a bearer token: set MCP_TOKEN to a secret string, " +
		"or MCP_TOKEN_FILE to a file holding one (clients send it as \"Authorization: Bearer <token>\")"
	for _, tc := range []struct {
		name, addr, token, wantErr string
	}{
		{"loopback without token", "127.0.0.1:8765", "", fmt.Sprintf(refused, "127.0.0.1:8765")},
		{"ipv6 loopback without token", "[::1]:8765", "", fmt.Sprintf(refused, "[::1]:8765")},
		{"localhost without token", "localhost:8765", "", fmt.Sprintf(refused, "localhost:8765")},
		{"any address without token", "0.0.0.0:8765", "", fmt.Sprintf(refused, "0.0.0.0:8765")},
		{"lan address without token", "10.1.2.3:8765", "", fmt.Sprintf(refused, "10.1.2.3:8765")},
		{"empty host without token", ":8765", "", fmt.Sprintf(refused, ":8765")},
		{"loopback with token", "127.0.0.1:8765", "t", ""},
		{"any address with token", "0.0.0.0:8765", "t", ""},
		{"no port", "8765", "t", `http address "8765": address 8765: missing port in address (want HOST:PORT, e.g. 127.0.0.1:8765)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckHTTPAccess(tc.addr, tc.token)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.wantErr {
				t.Errorf("CheckHTTPAccess(%q, %q) = %q, want %q", tc.addr, tc.token, got, tc.wantErr)
			}
		})
	}
}

func TestTokenFromEnv(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	must(t, os.WriteFile(file, []byte("  from-file\n"), 0o600))
	empty := filepath.Join(dir, "empty")
	must(t, os.WriteFile(empty, []byte("\n"), 0o600))
	twoLines := filepath.Join(dir, "two-lines")
	must(t, os.WriteFile(twoLines, []byte("secret-one\nsecret-two\n"), 0o600))
	for _, tc := range []struct {
		name      string
		env       map[string]string
		want, err string
	}{
		{"none", nil, "", ""},
		{"env", map[string]string{"MCP_TOKEN": " abc "}, "abc", ""},
		{"file", map[string]string{"MCP_TOKEN_FILE": file}, "from-file", ""},
		{"both", map[string]string{"MCP_TOKEN": "a", "MCP_TOKEN_FILE": file}, "", "both MCP_TOKEN and MCP_TOKEN_FILE are set: keep one"},
		{"missing file", map[string]string{"MCP_TOKEN_FILE": file + "-nope"}, "",
			"reading MCP_TOKEN_FILE " + file + "-nope: no such file or directory (point it at a readable file holding the bearer token)"},
		{"directory", map[string]string{"MCP_TOKEN_FILE": dir}, "",
			"reading MCP_TOKEN_FILE " + dir + ": is a directory (point it at a readable file holding the bearer token)"},
		{"empty file", map[string]string{"MCP_TOKEN_FILE": empty}, "", "MCP_TOKEN_FILE " + empty + " is empty: put the bearer token in it"},
		{"blank env", map[string]string{"MCP_TOKEN": " \t"}, "", "MCP_TOKEN is empty: put the bearer token in it"},
		{"two lines", map[string]string{"MCP_TOKEN_FILE": twoLines}, "", "the token in MCP_TOKEN_FILE " + twoLines +
			" contains white space or control characters: use one line of printable characters (e.g. the output of `openssl rand -hex 32`)"},
		{"inner space", map[string]string{"MCP_TOKEN": "secret one"}, "", "the token in MCP_TOKEN contains white space"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := TokenFromEnv(func(k string) string { return tc.env[k] })
			if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.HasPrefix(err.Error(), tc.err)) {
				t.Errorf("got %q, %v; want %q, %q", got, err, tc.want, tc.err)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("the error quotes the token: %v", err)
			}
		})
	}
}

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, value string
		match          bool
	}{
		{"SEP*", "sep0011", true},
		{"SEP?", "SEP12", false},
		{"GW-[AB]", "gw-b", true},
		{"GW-[!AB]", "GW-B", false},
		{"a.b", "axb", false},
		{"*", "", true},
		{"x+y", "x+y", true},
	} {
		re, err := glob("p", tc.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if got := re.MatchString(tc.value); got != tc.match {
			t.Errorf("glob(%q).Match(%q) = %v", tc.pattern, tc.value, got)
		}
	}
}

// TestRealPipeline analyses the fixture's latest snapshot with the built-in rule packs
// (analyze.Run) and checks that every tool tells the same story as the analysis result.
func TestRealPipeline(t *testing.T) {
	ctx := context.Background()
	path := buildFixture(t)
	set, err := analyze.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	st, err := snapshot.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := analyze.Run(ctx, st, 2, analyze.Options{Rules: set, ToolVersion: "test"})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	var infos []results.RuleInfo
	for _, r := range set.Rules {
		infos = append(infos, r.Info(nil))
	}
	cs := connect(t, path, func(o *Options) { o.Rules = infos })

	open, inconclusive := 0, 0
	outcomes := map[string]string{}
	for _, r := range res.Rules {
		open += r.OpenFindings()
		outcomes[r.Rule.ID] = string(r.Outcome)
		if r.Outcome == results.OutcomeInconclusive || r.Outcome == results.OutcomeError {
			inconclusive++
		}
	}

	_, isErr, m := call(t, cs, "list_findings", map[string]any{"page_size": 500})
	findings := decode[ListFindingsOut](t, m)
	if isErr || findings.AnalysisID != res.AnalysisID || findings.Total != open || len(findings.InconclusiveRules) != inconclusive {
		t.Errorf("list_findings: analysis %d total %d inconclusive %d; want %d, %d, %d", findings.AnalysisID, findings.Total,
			len(findings.InconclusiveRules), res.AnalysisID, open, inconclusive)
	}
	_, _, m = call(t, cs, "snapshot_summary", nil)
	summary := decode[SummaryOut](t, m)
	if summary.OpenFindings != open || len(summary.InconclusiveRules)+len(summary.ErrorRules) != inconclusive {
		t.Errorf("summary: open %d inconclusive %d; want %d, %d", summary.OpenFindings, len(summary.InconclusiveRules), open, inconclusive)
	}
	_, _, m = call(t, cs, "list_rules", map[string]any{"page_size": 500})
	rules := decode[ListRulesOut](t, m)
	got := map[string]string{}
	for _, r := range rules.Rules {
		got[r.ID] = r.Outcome
	}
	if diff := cmp.Diff(outcomes, got); diff != "" {
		t.Errorf("rule outcomes (-analysis +list_rules):\n%s", diff)
	}
	if len(findings.Findings) > 0 {
		f := findings.Findings[0]
		_, isErr, m := call(t, cs, "explain_finding", map[string]any{"fingerprint": f.Fingerprint})
		ex := decode[ExplainOut](t, m)
		want := set.Get(f.RuleID)
		if isErr || ex.Rule.Remediation != want.Remediation || ex.Finding.Entity != f.Entity || len(ex.Finding.Evidence) == 0 {
			t.Errorf("explain_finding %s: %+v", f.Fingerprint, ex)
		}
	} else {
		t.Error("the built-in rules found nothing on the fixture: the consistency check is empty")
	}
}

// TestSeveralClusters: with two clusters in one database, answers say which cluster they are
// about, cluster picks one, and a diff never mixes clusters.
func TestSeveralClusters(t *testing.T) {
	ctx := context.Background()
	path := buildFixture(t)
	st, err := snapshot.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := st.Begin(ctx, snapshot.Meta{ClusterID: "clinic", StartedAt: time.Date(2026, 9, 5, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(ctx, snapshot.StatusComplete, "14", ""); err != nil {
		t.Fatal(err)
	}
	st.Close()
	cs := connect(t, path, nil)

	_, _, m := call(t, cs, "snapshot_summary", nil)
	out := decode[SummaryOut](t, m)
	if out.Snapshot.ID != 4 || !strings.Contains(strings.Join(out.Notes, " "), `the database holds 2 clusters: this answer is about cluster "clinic"`) {
		t.Errorf("latest of any cluster: %d %v", out.Snapshot.ID, out.Notes)
	}
	_, _, m = call(t, cs, "snapshot_summary", map[string]any{"cluster": "hospital"})
	if out := decode[SummaryOut](t, m); out.Snapshot.ID != 2 || strings.Contains(strings.Join(out.Notes, " "), "clusters") {
		t.Errorf("latest of hospital: %d %v", out.Snapshot.ID, out.Notes)
	}
	_, _, m = call(t, cs, "device_registration_status", map[string]any{"cluster": "hospital", "status": "Rejected"})
	if out := decode[RegistrationOut](t, m); out.Total != 2 {
		t.Errorf("hospital rejected: %d", out.Total)
	}
	_, _, m = call(t, cs, "diff_snapshots", map[string]any{"cluster": "hospital"})
	if out := decode[DiffOut](t, m); out.Before.ID != 1 || out.After.ID != 2 {
		t.Errorf("hospital diff: %d -> %d", out.Before.ID, out.After.ID)
	}
	for _, tc := range []struct {
		tool    string
		args    map[string]any
		wantErr string
	}{
		{"snapshot_summary", map[string]any{"snapshot": "1", "cluster": "clinic"}, `snapshot 1 belongs to cluster "hospital", not "clinic"`},
		{"list_findings", map[string]any{"cluster": "lab"}, `no snapshot of cluster "lab": the database holds clusters "clinic", "hospital"; list_snapshots shows them`},
		{"list_rules", map[string]any{"cluster": "lab"}, `no snapshot of cluster "lab"`},
		{"diff_snapshots", nil, "before: snapshot latest~1: snapshot not found"},
	} {
		if text, isErr, _ := call(t, cs, tc.tool, tc.args); !isErr || !strings.Contains(text, tc.wantErr) {
			t.Errorf("%s %v: got isError=%v %s; want %q", tc.tool, tc.args, isErr, text, tc.wantErr)
		}
	}
}
