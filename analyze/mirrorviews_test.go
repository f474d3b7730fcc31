package analyze

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
)

// mirrorPack has one rule per area over the mirrored views; the rights rule needs the
// application user tables.
const mirrorPack = `schema: 1
rules:
  - id: MIR-001
    title: emergency route patterns
    severity: info
    category: dialplan
    description: d
    remediation: r
    requires: ["axl:table:numplan", "axl:table:devicenumplanmap"]
    query: SELECT pattern AS entity, destination FROM patterns WHERE usage = 'Route' AND is_emergency = 1
  - id: MIR-002
    title: application users with AXL write access
    severity: high
    category: rights
    description: d
    remediation: r
    requires: ["axl:table:applicationuser", "axl:table:applicationuserdirgroupmap", "axl:table:functionroledirgroupmap"]
    query: SELECT user AS entity, access_group FROM user_roles WHERE user_type = 'application' AND role = 'Standard AXL API Access'
  - id: MIR-003
    title: lines forwarding all calls
    severity: low
    category: forwarding
    description: d
    remediation: r
    requires: ["axl:table:callforwarddynamic"]
    query: SELECT dn || '/' || partition AS entity, cfa_destination, cfa_css FROM line_forwards WHERE cfa_destination <> ''
`

// TestMirrorViewsOnDemo evaluates rules over the mirrored views of the demo, then of the demo
// with applicationuser refused to the AXL user: only the rule that needs it is inconclusive.
func TestMirrorViewsOnDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("collects the demo cluster")
	}
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "mirror.yaml"), []byte(mirrorPack), 0o644))
	set, err := LoadRules(dir)
	must(t, err)
	var pack []*Rule
	for _, r := range set.Rules {
		if strings.HasPrefix(r.ID, "MIR-") {
			pack = append(pack, r)
		}
	}
	set.Rules = pack
	for _, tc := range []struct {
		name   string
		denied []string
		want   map[string]results.Outcome
	}{
		{"clean", nil, map[string]results.Outcome{"MIR-001": results.OutcomeFail, "MIR-002": results.OutcomeFail, "MIR-003": results.OutcomeFail}},
		{"applicationuser refused", []string{"applicationuser"}, map[string]results.Outcome{"MIR-001": results.OutcomeFail, "MIR-002": results.OutcomeInconclusive, "MIR-003": results.OutcomeFail}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := newStore(t)
			m := collectDemo(t, store, func(f *cucmsim.Faults) { f.AXLTablesDenied = tc.denied })
			res, err := Run(context.Background(), store, m.ID, Options{Rules: set, Now: fixtureTime})
			must(t, err)
			got := byRule(res)
			for id, want := range tc.want {
				if got[id].Outcome != want {
					t.Errorf("%s: %s (%s), want %s", id, got[id].Outcome, got[id].Reason, want)
				}
			}
			if tc.denied != nil && !strings.Contains(got["MIR-002"].Reason, "may not read table applicationuser") {
				t.Errorf("MIR-002 reason %q does not name the refused table", got["MIR-002"].Reason)
			}
			if tc.denied == nil && !strings.Contains(strings.Join(entities(got["MIR-002"]), ","), "svc_provisioning") {
				t.Errorf("MIR-002 entities %v lack svc_provisioning", entities(got["MIR-002"]))
			}
		})
	}
}

// TestMirrorViewsExistAndAreDocumented: every mirrored and joined view exists on a snapshot
// without mirrored tables (empty) and is documented in rules/README.md.
func TestMirrorViewsExistAndAreDocumented(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	id := healthy().write(t, store)
	meta, err := store.Get(ctx, id)
	must(t, err)
	e, err := openEvaluator(ctx, store.Path(), meta, nil, nil, nil)
	must(t, err)
	defer e.Close()
	readme, err := os.ReadFile("../rules/README.md")
	must(t, err)
	for _, v := range append(mirrorTableNames(), mirrorViewNames...) {
		var n int
		if err := e.conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+v).Scan(&n); err != nil || n != 0 {
			t.Errorf("view %s: %d rows, %v", v, n, err)
		}
		if !strings.Contains(string(readme), "`"+v+"`") {
			t.Errorf("view %s is not documented in rules/README.md", v)
		}
	}
}
