package mcpserver

import "testing"

// TestBadArguments: every bad argument is a tool error (isError, never a protocol error or a
// crash) whose text says what was wrong and what to give instead.
func TestBadArguments(t *testing.T) {
	cs := connect(t, buildFixture(t), nil)
	for _, tc := range []struct {
		name string
		tool string
		args map[string]any
		want string
	}{
		{"unknown severity", "list_findings", map[string]any{"severity": "urgent"},
			`unknown severity "urgent": want info, low, medium, high or critical`},
		{"unknown severity in list_rules", "list_rules", map[string]any{"severity": "x"},
			`unknown severity "x": want info, low, medium, high or critical`},
		{"unknown category", "list_findings", map[string]any{"category": "nope"},
			`unknown category "nope": want one of configuration, inventory, registration, security`},
		{"unknown rule", "list_findings", map[string]any{"rule": "NOPE-1"},
			`unknown rule "NOPE-1": list_rules shows the rule ids`},
		{"negative page_size", "list_findings", map[string]any{"page_size": -5},
			"page_size -5 is out of range: want 1 to 500 (default 50)"},
		{"page_size too big", "device_registration_status", map[string]any{"page_size": 501},
			"page_size 501 is out of range: want 1 to 500 (default 50)"},
		{"negative offset", "list_snapshots", map[string]any{"offset": -1},
			"offset -1 is negative: want 0 or the next_offset of the previous page"},
		{"fractional page_size", "list_findings", map[string]any{"page_size": 1.5},
			`validating "arguments": validating root: validating /properties/page_size: type: 1.5 has type "number", want "integer"`},
		{"page_size as text", "list_findings", map[string]any{"page_size": "ten"},
			`validating "arguments": validating root: validating /properties/page_size: type: ten has type "string", want "integer"`},
		{"unknown argument", "list_findings", map[string]any{"bogus": 1},
			`validating "arguments": validating root: unexpected additional properties ["bogus"]`},
		{"snapshot id not stored", "snapshot_summary", map[string]any{"snapshot": "42"},
			"snapshot 42: snapshot not found (list them with `cucm-audit snapshots`); list_snapshots shows the stored snapshots"},
		{"snapshot id not a number", "snapshot_summary", map[string]any{"snapshot": "abc"},
			`snapshot reference "abc": want a number, latest or latest~N`},
		{"snapshot latest~x", "device_registration_summary", map[string]any{"snapshot": "latest~x"},
			`snapshot reference "latest~x": want a number, latest or latest~N`},
		{"snapshot too far back", "snapshot_summary", map[string]any{"snapshot": "latest~99"},
			"snapshot latest~99: snapshot not found (run `cucm-audit collect` first); list_snapshots shows the stored snapshots"},
		{"snapshot as a number", "snapshot_summary", map[string]any{"snapshot": 3},
			`validating "arguments": validating root: validating /properties/snapshot: type: 3 has type "integer", want "string"`},
		{"unknown cluster", "snapshot_summary", map[string]any{"cluster": "nope"},
			`no snapshot of cluster "nope": the database holds cluster "hospital"; list_snapshots shows them`},
		{"failed snapshot", "snapshot_summary", map[string]any{"snapshot": "3"},
			"snapshot 3 failed and holds no data (axl: 401 unauthorized (check AXL_USER/AXL_PASS)); pick another with list_snapshots"},
		{"unclosed glob class", "device_registration_status", map[string]any{"name_filter": "SEP[0"},
			`bad name_filter pattern "SEP[0": '[' at position 4 is never closed (use * and ? as wildcards, [abc] for a class)`},
		{"empty glob class", "device_registration_status", map[string]any{"name_filter": "[!]"},
			`bad name_filter pattern "[!]": empty character class at position 1`},
		{"reversed glob range", "device_registration_status", map[string]any{"name_filter": "[z-a]"},
			"bad name_filter pattern \"[z-a]\": error parsing regexp: invalid character class range: `z-a`"},
		{"bad entity glob", "list_findings", map[string]any{"entity": "GW[0"},
			`bad entity pattern "GW[0": '[' at position 3 is never closed (use * and ? as wildcards, [abc] for a class)`},
		{"unknown status", "device_registration_status", map[string]any{"status": "Bogus"},
			`unknown status "Bogus": want one of Registered, UnRegistered, Rejected, PartiallyRegistered, Unknown, NeverSeen`},
		{"unknown device class", "device_registration_status", map[string]any{"device_class": "Toaster"},
			`unknown device_class "Toaster": want one of Phone, Gateway, H323, Cti, VoiceMail, MediaResources, SIPTrunk, HuntList, Unknown`},
		{"device without name", "device", map[string]any{},
			`validating "arguments": validating root: required: missing properties: ["name"]`},
		{"device with empty name", "device", map[string]any{"name": ""},
			"name is empty: give a device name (device_registration_status lists them)"},
		{"diff of one snapshot", "diff_snapshots", map[string]any{"before": "latest", "after": "latest"},
			"before and after are the same snapshot (2): pick two different ones"},
		{"diff with a bad reference", "diff_snapshots", map[string]any{"before": "x"},
			`before: snapshot reference "x": want a number, latest or latest~N`},
		{"explain without a key", "explain_finding", map[string]any{"rule": "REG-001"},
			"give a fingerprint, or both rule and entity (list_findings shows them)"},
		{"explain unknown fingerprint", "explain_finding", map[string]any{"fingerprint": "zz"},
			"no finding for fingerprint zz in snapshot 2; list_findings shows the findings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text, isErr, _ := call(t, cs, tc.tool, tc.args)
			if !isErr || text != tc.want {
				t.Errorf("%s(%v):\n got isError=%v %q\nwant isError=true %q", tc.tool, tc.args, isErr, text, tc.want)
			}
		})
	}
}
