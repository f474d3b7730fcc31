package collect_test

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/collect"
	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/examples"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// TestRealClusterShapes is the feared-bug test of the fidelity issue: clusters holding what real
// clusters hold (route patterns sharing a route list through devicenumplanmap, hunt pilots, an
// IM and Presence node, Universal Device Templates, device profiles, a hunt list without a line
// group, MGCP endpoints of a gateway with its own CallManager group, software media resources,
// trunks running on all nodes, firmware overrides, an inactive LDAP owner, and a row changed
// between two pages) collect complete and exact, and every built-in rule reports exactly what
// the scenario's ground truth says, computed from the simulator's generated cluster and never
// from the collector.
func TestRealClusterShapes(t *testing.T) {
	cases := []struct {
		name     string
		scenario func(t *testing.T) *cucmsim.Scenario
		midRead  bool // change a device between two pages of the device read
	}{
		{"fidelity", fidelityScenario, false},
		{"fidelity, a device changed between two pages", fidelityScenario, true},
		{"demo", shippedScenario("demo"), false},
		{"tiny", shippedScenario("tiny"), false},
	}
	set, err := analyze.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	eol, err := analyze.LoadEOL("")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc := tc.scenario(t)
			hs, sim := testtool.Sim(t, sc)
			truth := sim.Truth()
			cfg := shapeConfig(hs.URL, sc)
			var changed atomic.Value
			if tc.midRead {
				cfg.AXLPageSize = 40
				pages := 0
				sim.SetQueryHook(func(sql string, _ int) {
					if !strings.Contains(sql, "FROM device d LEFT JOIN typeclass") {
						return
					}
					pages++
					if pages != 2 {
						return
					}
					// The second page of the device read starts after the key of the first page's
					// last row: change a device that page has not read yet.
					last := regexp.MustCompile(`d\.pkid > '([^']+)'`).FindStringSubmatch(sql)
					if last == nil {
						t.Errorf("second device page is not keyed: %s", sql)
						return
					}
					if err := sim.Mutate(context.Background(), fmt.Sprintf(`UPDATE device SET description = 'changed mid-read'
						WHERE pkid = (SELECT MIN(pkid) FROM device WHERE pkid > '%s' AND tkclass = 1 AND tkmodel <> 645)`, last[1])); err != nil {
						t.Errorf("mutating between pages: %v", err)
					}
					changed.Store(true)
				})
			}
			r := runShape(t, cfg)
			if tc.midRead && changed.Load() == nil {
				t.Fatal("the device read had no second page: the change between pages was not exercised")
			}
			if r.meta.Status != snapshot.StatusComplete {
				t.Fatalf("status %s: %s", r.meta.Status, r.meta.Note)
			}
			store := openStore(t, r.db)
			defer store.Close()
			checkShapes(t, store, r.meta.ID, truth)
			checkCounts(t, store, r.meta.ID, truth)
			if tc.midRead {
				var n int
				if err := store.DB().QueryRow(`SELECT COUNT(*) FROM axl_device WHERE snapshot_id = ? AND description = 'changed mid-read'`,
					r.meta.ID).Scan(&n); err != nil || n != 1 {
					t.Errorf("devices carrying the change made between pages = %d (%v), want 1", n, err)
				}
			}
			res, err := analyze.Run(context.Background(), store, r.meta.ID, analyze.Options{Rules: set})
			if err != nil {
				t.Fatal(err)
			}
			want := expectedFindings(sc, truth, eol, r.meta.StartedAt)
			for _, id := range slices.Sorted(maps.Keys(want)) {
				t.Logf("%s: %d findings expected", id, len(want[id]))
			}
			tested := 0
			for _, rr := range res.Rules {
				if noReleaseData(rr) {
					tested++ // no shipped release dates: inconclusive by design, whatever the snapshot
					continue
				}
				if rr.Outcome == results.OutcomeInconclusive || rr.Outcome == results.OutcomeError {
					t.Errorf("%s %s on a complete snapshot: %s", rr.Rule.ID, rr.Outcome, rr.Reason)
					continue
				}
				if compliancePack(rr.Rule.Category) {
					tested++ // exact findings: analyze's TestCompliance*; here: no error, and checkNeverJudged
					continue
				}
				var got []string
				for _, f := range rr.Findings {
					got = append(got, f.Entity)
				}
				sort.Strings(got)
				w, ok := want[rr.Rule.ID]
				if !ok {
					t.Errorf("no ground truth computed for built-in rule %s", rr.Rule.ID)
					continue
				}
				tested++
				sort.Strings(w)
				if diff := cmp.Diff(w, got); diff != "" {
					t.Errorf("%s findings against the ground truth (-want +got):\n%s", rr.Rule.ID, diff)
				}
			}
			if tested != len(set.Rules) {
				t.Errorf("compared %d rules of %d", tested, len(set.Rules))
			}
			checkNeverJudged(t, res, truth)
			if tc.name == "fidelity" {
				checkFidelityByHand(t, res)
			}
		})
	}
}

func fidelityScenario(t *testing.T) *cucmsim.Scenario {
	sc, err := cucmsim.LoadScenario(filepath.Join("..", "testdata", "scenarios", "fidelity.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func shippedScenario(name string) func(t *testing.T) *cucmsim.Scenario {
	return func(t *testing.T) *cucmsim.Scenario {
		data, err := examples.Scenario(name)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := cucmsim.ParseScenario(name, data)
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
}

func shapeConfig(url string, sc *cucmsim.Scenario) collect.Config {
	return collect.Config{
		Cluster: sc.Cluster.ID, AXLURL: url + "/axl/", User: sc.Credentials.User, Password: collect.Secret(sc.Credentials.Password),
		VerifyTLS: true, Retries: 4, Timeout: 10 * time.Second, RisRateLimit: 1000, RisRateWindow: time.Second,
		RisMaxDevices: 1000, InitialBackoff: time.Millisecond, ToolVersion: "test",
	}
}

type shapeResult struct {
	meta snapshot.Meta
	db   string
}

func runShape(t *testing.T, cfg collect.Config) shapeResult {
	t.Helper()
	c, err := collect.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "shape.db")
	store, err := snapshot.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	m, err := c.Run(context.Background(), store, nil)
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	return shapeResult{meta: m, db: db}
}

func openStore(t *testing.T, path string) *snapshot.Store {
	t.Helper()
	s, err := snapshot.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rows reads a query's rows as sorted "a|b|c" strings.
func rows(t *testing.T, store *snapshot.Store, q string, args ...any) []string {
	t.Helper()
	return testtool.Rows(t, store.DB(), q, args...)
}

// checkShapes checks that each real-cluster shape is stored as what it is.
func checkShapes(t *testing.T, store *snapshot.Store, id int64, truth cucmsim.Truth) {
	t.Helper()
	// Every route pattern and hunt pilot is a pattern destination, never a line.
	var wantDest []string
	for _, p := range append(slices.Clone(truth.RoutePatterns), truth.HuntPilots...) {
		if p.Destination != "" {
			wantDest = append(wantDest, p.Pattern+"|"+p.Partition+"|"+p.Destination)
		}
	}
	sort.Strings(wantDest)
	wantDest = slices.Compact(wantDest)
	gotDest := rows(t, store, `SELECT pattern, partition, device FROM axl_pattern_destination WHERE snapshot_id = ? AND usage IN ('Route', 'Hunt Pilot')`, id)
	if diff := cmp.Diff(wantDest, gotDest); diff != "" {
		t.Errorf("route patterns and hunt pilots (-want +got):\n%s", diff)
	}
	if len(truth.RoutePatterns) == 0 || len(truth.HuntPilots) == 0 {
		t.Errorf("scenario holds %d route patterns and %d hunt pilots: the shape is not exercised", len(truth.RoutePatterns), len(truth.HuntPilots))
	}
	// Each phone's line appearances are exactly its directory numbers.
	var wantLines []string
	for _, d := range truth.Devices {
		if d.InAXL && d.RisClass == "Phone" {
			for _, l := range d.Lines {
				wantLines = append(wantLines, fmt.Sprintf("%s|%d|%s|%s", d.Name, l.Index, l.DN, l.Partition))
			}
		}
	}
	sort.Strings(wantLines)
	gotLines := rows(t, store, `SELECT a.device, a.line_index, a.dn, a.partition FROM axl_line_appearance a
		JOIN axl_device d ON d.snapshot_id = a.snapshot_id AND d.name = a.device WHERE a.snapshot_id = ? AND d.ris_class = 'Phone'`, id)
	if diff := cmp.Diff(wantLines, gotLines); diff != "" {
		t.Errorf("phone line appearances (-want +got):\n%s", diff)
	}
	// Nodes with their roles; the IM and Presence node is never a RisPort coverage item.
	var wantNodes []string
	for _, n := range truth.Nodes {
		wantNodes = append(wantNodes, n.Name+"|"+n.Role)
	}
	sort.Strings(wantNodes)
	if diff := cmp.Diff(wantNodes, rows(t, store, `SELECT name, role FROM axl_node WHERE snapshot_id = ?`, id)); diff != "" {
		t.Errorf("nodes (-want +got):\n%s", diff)
	}
	for _, n := range truth.Nodes {
		if n.Role == snapshot.RoleIMAndPresence {
			if got := rows(t, store, `SELECT item FROM coverage WHERE snapshot_id = ? AND source = 'risport' AND item = ?`, id, snapshot.NodeItem(n.Name)); len(got) > 0 {
				t.Errorf("IM and Presence node %s has a RisPort coverage item", n.Name)
			}
		}
	}
	// Every device stored with the class, model and RisPort class CUCM gives it: hunt lists
	// without a line group included, templates and profiles not tracked.
	var wantDev []string
	for _, d := range truth.Devices {
		if d.InAXL {
			wantDev = append(wantDev, strings.Join([]string{d.Name, d.Class, d.Model, d.Product, d.RisClass, d.MGCPDomain, d.ProcessNode,
				fmt.Sprint(d.RunOnAllNodes), d.LoadOverride}, "|"))
		}
	}
	sort.Strings(wantDev)
	gotDev := rows(t, store, `SELECT name, class, model, product, ris_class, mgcp_gateway, process_node,
		CASE run_on_all_nodes WHEN 1 THEN 'true' ELSE 'false' END, load_override FROM axl_device WHERE snapshot_id = ?`, id)
	if diff := cmp.Diff(wantDev, gotDev); diff != "" {
		t.Errorf("devices (-want +got):\n%s", diff)
	}
}

// resolved is a device's RisPort state as the snapshot resolves it: the newest TimeStamp wins,
// Registered wins a tie, then the node name.
func resolved(d cucmsim.TruthDevice) (cucmsim.TruthRis, bool) {
	if len(d.RisPort) == 0 {
		return cucmsim.TruthRis{}, false
	}
	rs := slices.Clone(d.RisPort)
	slices.SortFunc(rs, func(a, b cucmsim.TruthRis) int {
		if a.TimeStamp != b.TimeStamp {
			return int(b.TimeStamp - a.TimeStamp)
		}
		if (a.Status == "Registered") != (b.Status == "Registered") {
			if a.Status == "Registered" {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Node, b.Node)
	})
	return rs[0], true
}

// checkCounts compares what `show` prints with the ground truth.
func checkCounts(t *testing.T, store *snapshot.Store, id int64, truth cucmsim.Truth) {
	t.Helper()
	axl, ris := map[string]int{}, map[string]int{}
	for _, d := range truth.Devices {
		if d.InAXL {
			label := d.RisClass
			if label == "" {
				label = d.Class
				if d.Class == "Phone" {
					label = d.Model
				}
			}
			axl[label]++
		}
		if r, ok := resolved(d); ok {
			ris[d.RisClass+"/"+r.Status]++
		}
	}
	ctx := context.Background()
	ac, err := store.AXLCounts(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, c := range ac {
		got[c.Class] = c.Count
	}
	if diff := cmp.Diff(axl, got); diff != "" {
		t.Errorf("AXL counts by class (-want +got):\n%s", diff)
	}
	rc, err := store.RisCounts(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	got = map[string]int{}
	for _, c := range rc {
		got[c.Class+"/"+c.Status] = c.Count
	}
	if diff := cmp.Diff(ris, got); diff != "" {
		t.Errorf("RisPort counts by class and status (-want +got):\n%s", diff)
	}
}

// expectedFindings computes every built-in rule's entities from the ground truth, the way each
// rule's description says, without reading anything the collector stored.
func expectedFindings(sc *cucmsim.Scenario, truth cucmsim.Truth, eol []analyze.EOLModel, taken time.Time) map[string][]string {
	want := map[string][]string{}
	add := func(rule string, entity string) { want[rule] = append(want[rule], entity) }
	for _, id := range []string{"REG-001", "REG-002", "REG-003", "REG-004", "REG-005", "REG-006", "REG-007", "REG-008",
		"REG-009", "REG-010", "REG-011", "REG-012", "RED-001", "RED-002", "RED-003", "INV-001", "INV-002", "INV-003",
		"INV-004", "INV-005", "INV-006", "DQ-001", "DQ-002", "DQ-003", "FW-001", "FW-002", "FW-003", "EOL-001", "EOL-002",
		"EOL-003", "LIC-001", "LIC-002", "LIC-003"} {
		want[id] = nil // EOL-003: the built-in releases: list is empty
	}
	// Licensing: phones per owner, and the licence holders (owner, else the phone) of phones not
	// registered now and last known registered more than 90 days before (the simulator's
	// registrationdynamic holds the newest RisPort entry's time, as the resolved entry does).
	owned := map[string]int{}
	staleHolders := map[string]bool{}
	for _, d := range truth.Devices {
		if !d.InAXL || d.RisClass != "Phone" {
			continue
		}
		if d.OwnerUserID == "" {
			add("LIC-002", d.Name)
		} else {
			owned[d.OwnerUserID]++
		}
		if r, seen := resolved(d); seen && r.Status != "Registered" && r.TimeStamp > 0 && taken.Unix()-r.TimeStamp > 90*86400 {
			holder := d.OwnerUserID
			if holder == "" {
				holder = d.Name
			}
			staleHolders[holder] = true
		}
	}
	for o, n := range owned {
		if n > 1 {
			add("LIC-001", o)
		}
	}
	for h := range staleHolders {
		add("LIC-003", h)
	}
	groups := map[string][]string{}
	for _, g := range sc.CMGroups {
		groups[g.Name] = g.Nodes
	}
	day := taken.UTC().Format("2006-01-02")
	horizon := taken.UTC().AddDate(0, 24, 0).Format("2006-01-02")
	eolOf := map[string]analyze.EOLModel{}
	for _, e := range eol {
		eolOf[e.Model] = e
	}
	axlByClass, risByClass := map[string]int{}, map[string]int{}
	type fwKey struct{ model, protocol string }
	loads := map[fwKey]map[string]bool{}
	type fw3Key struct{ model, protocol, active, intended string }
	fw3 := map[fw3Key]bool{}
	eol2 := map[string]bool{}
	for _, d := range truth.Devices {
		r, seen := resolved(d)
		if d.InAXL && d.RisClass != "" {
			axlByClass[d.RisClass]++
		}
		if seen {
			risByClass[d.RisClass]++
		}
		tracked := d.InAXL && d.RisClass != ""
		phone := d.InAXL && d.RisClass == "Phone"
		if phone && !seen {
			add("REG-001", d.Name)
		}
		if seen && r.Status == "UnRegistered" && r.TimeStamp > 0 && taken.Unix()-r.TimeStamp > 30*86400 {
			add("REG-002", d.Name)
		}
		if seen && r.Status == "Rejected" {
			switch {
			case d.RisClass == "Gateway":
				add("REG-003", d.Name)
			case d.InAXL && (d.RisClass == "SIPTrunk" || d.RisClass == "HuntList"):
			default:
				add("REG-004", d.Name)
			}
		}
		if seen && d.RisClass == "Phone" && r.Status == "PartiallyRegistered" {
			add("REG-005", d.Name)
		}
		if seen && !d.InAXL {
			add("REG-006", d.Name)
		}
		registeredOn := 0
		for _, x := range d.RisPort {
			if x.Status == "Registered" {
				registeredOn++
			}
		}
		if registeredOn > 1 && d.RisClass != "SIPTrunk" && d.RisClass != "H323" {
			add("REG-007", d.Name) // trunks are active on several nodes by design
		}
		if tracked && d.RisClass == "HuntList" && r.Status != "Registered" {
			add("REG-009", d.Name)
		}
		if tracked && d.RisClass == "SIPTrunk" && r.Status != "Registered" && r.Status != "Unknown" {
			add("REG-010", d.Name)
		}
		if tracked && d.RisClass == "SIPTrunk" && r.Status == "Unknown" {
			add("REG-012", d.Name)
		}
		software := d.ProcessNode != "" || slices.Contains([]string{"Cisco Conference Bridge Software",
			"Cisco Media Termination Point Software", "Annunciator", "Music On Hold", "Interactive Voice Response"}, d.Product)
		governed := d.RisClass == "Phone" || d.RisClass == "Cti" || d.RisClass == "Gateway" ||
			d.RisClass == "MediaResources" && !software
		if d.InAXL && seen && r.Status == "Registered" && governed {
			group := d.CMGroup
			if d.MGCPDomain != "" {
				group = d.MGCPCMGroup
			}
			if members := groups[group]; group != "" && len(members) > 0 {
				switch i := slices.Index(members, r.Node); {
				case i < 0:
					add("RED-001", d.Name)
				case i > 0:
					add("RED-002", d.Name)
				}
			}
		}
		if phone && d.OwnerUserID == "" {
			add("INV-001", d.Name)
		}
		if phone && len(d.Lines) == 0 {
			add("INV-002", d.Name)
		}
		if d.InAXL && strings.TrimSpace(d.Description) == "" && slices.Contains([]string{"Phone", "Gateway", "SIPTrunk", "H323"}, d.RisClass) {
			add("INV-004", d.Name)
		}
		if phone && d.OwnerStatus == 2 {
			add("INV-006", d.Name)
		}
		if phone && seen && r.Status == "Registered" && r.ActiveLoad != "" {
			if !(d.LoadOverride != "" && strings.EqualFold(d.LoadOverride, r.ActiveLoad)) {
				k := fwKey{d.Model, d.Protocol}
				if loads[k] == nil {
					loads[k] = map[string]bool{}
				}
				loads[k][r.ActiveLoad] = true
			}
			intended := d.LoadOverride
			if intended == "" {
				intended = d.DefaultLoad
			}
			if intended != "" && !strings.EqualFold(intended, r.ActiveLoad) {
				fw3[fw3Key{d.Model, d.Protocol, r.ActiveLoad, intended}] = true
			}
		}
		if d.InAXL && slices.Contains([]string{"Phone", "Gateway", "H323"}, d.RisClass) {
			if e, ok := eolOf[d.Model]; ok && e.EndOfSupport != "" {
				switch {
				case e.EndOfSupport <= day:
					add("EOL-001", d.Name)
				case e.EndOfSupport <= horizon:
					eol2[d.Model] = true
				}
			}
		}
	}
	chassis := map[string]string{}
	for _, d := range truth.Devices {
		if d.InAXL && d.MGCPDomain != "" {
			chassis[d.MGCPDomain] = d.MGCPProduct
		}
	}
	for domain, product := range chassis {
		if e, ok := eolOf[product]; ok && e.EndOfSupport != "" {
			switch {
			case e.EndOfSupport <= day:
				add("EOL-001", domain)
			case e.EndOfSupport <= horizon:
				eol2[product] = true
			}
		}
	}
	for cl := range axlByClass {
		if _, ok := risByClass[cl]; !ok {
			risByClass[cl] = 0
		}
	}
	for cl, r := range risByClass {
		a := axlByClass[cl]
		if d := a - r; 100*float64(max(d, -d))/float64(max(a, 1)) > 5 {
			add("REG-008", cl)
		}
	}
	for _, p := range sc.DevicePools {
		if len(groups[p.CMGroup]) < 2 {
			add("RED-003", p.Name)
		}
	}
	if u := sc.UnassignedDNs; u.Count > 0 {
		for k := range u.Count {
			part := u.Partition
			if part == "" {
				part = "<None>"
			}
			add("INV-003", fmt.Sprintf("%d / %s", u.Start+k, part))
		}
	}
	for k, ls := range loads {
		if len(ls) > 1 {
			add("FW-001", strings.TrimSpace(k.model+" "+k.protocol))
		}
	}
	for k := range fw3 {
		add("FW-003", k.model+" "+k.protocol+": "+k.active+" instead of "+k.intended)
	}
	for m := range eol2 {
		add("EOL-002", m)
	}
	return want
}

// checkNeverJudged fails when a finding names what a real cluster holds and no rule may judge as
// a phone, a gateway or a node: templates, device profiles, route lists (devices RisPort does
// not track) and IM and Presence nodes in any rule; trunks in REG-007; software media resources
// and MGCP endpoints registered in their gateway's group in RED-001/002. These checks do not
// share the rules' predicates, so an assumption the rules and the ground truth share cannot hide
// a false finding here.
func checkNeverJudged(t *testing.T, res *analyze.Result, truth cucmsim.Truth) {
	t.Helper()
	never := map[string]string{}
	for _, d := range truth.Devices {
		if d.InAXL && d.RisClass == "" {
			never[d.Name] = d.Class + " " + d.Model
		}
	}
	for _, n := range truth.Nodes {
		if n.Role == snapshot.RoleIMAndPresence {
			never[n.Name] = "IM and Presence node"
		}
	}
	byName := map[string]cucmsim.TruthDevice{}
	for _, d := range truth.Devices {
		byName[d.Name] = d
	}
	for _, rr := range res.Rules {
		for _, f := range rr.Findings {
			if what, ok := never[f.Entity]; ok && !strings.HasPrefix(rr.Rule.ID, "INV-005") {
				t.Errorf("%s names %s (%s), which RisPort never lists", rr.Rule.ID, f.Entity, what)
			}
			d, ok := byName[f.Entity]
			if !ok {
				continue
			}
			switch rr.Rule.ID {
			case "REG-007":
				if d.RisClass == "SIPTrunk" || d.RisClass == "H323" {
					t.Errorf("REG-007 names trunk %s, active on several nodes by design", d.Name)
				}
			case "RED-001", "RED-002":
				if d.RisClass == "MediaResources" && strings.Contains(d.Product+d.Model, "Software") || d.ProcessNode != "" {
					t.Errorf("%s names software media resource %s, tied to its node", rr.Rule.ID, d.Name)
				}
				if d.MGCPDomain != "" {
					if r, seen := resolved(d); seen && r.Node == firstNodeOf(truth, d.MGCPCMGroup) {
						t.Errorf("%s names MGCP endpoint %s registered to its gateway's primary %s", rr.Rule.ID, d.Name, r.Node)
					}
				}
			}
		}
	}
}

// firstNodeOf is the first node truth lists as a member of a CallManager group (the scenario
// lists the primary first).
func firstNodeOf(truth cucmsim.Truth, group string) string {
	for _, n := range truth.Nodes {
		if slices.Contains(n.CMGroups, group) {
			return n.Name
		}
	}
	return ""
}

// checkFidelityByHand holds findings of testdata/scenarios/fidelity.yaml written by hand from the
// scenario file, not computed: what its comments promise.
func checkFidelityByHand(t *testing.T, res *analyze.Result) {
	t.Helper()
	want := map[string][]string{
		"REG-012": {"ST_No_Options_Ping"}, // the trunk without OPTIONS ping
		"REG-007": nil,                    // two trunks run on all nodes, listed on every node
		"RED-001": nil,                    // MGCP endpoints in their gateway's group, media on their node
		"DQ-003":  nil,                    // the IM and Presence node answers no RisPort query
		"REG-009": nil,                    // the hunt list without a line group is registered
	}
	for _, rr := range res.Rules {
		w, ok := want[rr.Rule.ID]
		if !ok {
			continue
		}
		var got []string
		for _, f := range rr.Findings {
			got = append(got, f.Entity)
		}
		if diff := cmp.Diff(w, got); diff != "" {
			t.Errorf("%s on fidelity.yaml (-want +got):\n%s", rr.Rule.ID, diff)
		}
	}
}

// compliancePack reports whether a rule category is one of the dial-plan compliance packs, whose
// expected findings come from digit analysis: analyze's TestCompliance tests compute and replay
// them; the shapes test holds them to concluding and to naming nothing RisPort never lists.
func compliancePack(category string) bool {
	switch category {
	case "emergency", "tollfraud", "access", "dialplan":
		return true
	}
	return false
}

// noReleaseData is EOL-003 without release dates for the cluster's release: the shipped
// end-of-life data holds none (rules/README.md), so the rule is inconclusive on every complete
// snapshot by design, not because a source was missing.
func noReleaseData(rr analyze.RuleResult) bool {
	return rr.Rule.ID == "EOL-003" && rr.Outcome == results.OutcomeInconclusive &&
		strings.HasPrefix(rr.Reason, "no end-of-life data for release ")
}
