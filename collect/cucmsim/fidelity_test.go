package cucmsim_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
)

func TestFidelityScenario(t *testing.T) {
	data, err := os.ReadFile("../../testdata/scenarios/fidelity.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := cucmsim.ParseScenario("fidelity.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	sim, ts := startSim(t, sc)
	one := func(q string) string {
		rows := axlSQL(t, sim, ts, q)
		if len(rows) != 1 {
			t.Fatalf("%s: %d rows", q, len(rows))
		}
		for _, v := range rows[0] {
			return v
		}
		return ""
	}
	checks := []struct{ q, want string }{
		{"select count(*) from numplan where tkpatternusage = 5", "40"},
		{"select count(unique d.pkid) from numplan n join devicenumplanmap m on m.fknumplan = n.pkid join device d on d.pkid = m.fkdevice join typeproduct tp on tp.enum = d.tkproduct where n.tkpatternusage = 5 and tp.name = 'Route List'", "6"},
		{"select count(*) from numplan n join devicenumplanmap m on m.fknumplan = n.pkid where n.tkpatternusage = 7", "20"},
		{"select count(*) from device d join typemodel tm on tm.enum = d.tkmodel where tm.name = 'Universal Device Template'", "5"},
		{"select count(*) from processnode where tkprocessnoderole = 2", "1"},
		{"select count(*) from processnode pn join callmanager cm on cm.fkprocessnode = pn.pkid where pn.tkprocessnoderole = 2", "0"},
		{"select tkprocessnoderole from processnode where name = 'EnterpriseWideData'", "1"},
		{"select count(*) from device d join typeproduct tp on tp.enum = d.tkproduct where tp.name = 'Hunt List' and not exists (select 1 from routelist rl where rl.fkdevice = d.pkid and rl.fklinegroup is not null)", "1"},
		{"select count(*) from device where runonallnodes = 't'", "3"},
		{"select count(*) from mgcpdevicemember", "6"},
		{"select count(*) from enduser where status = 2 and islocaluser = 'f'", "1"},
		{"select count(*) from device where specialloadinformation <> ''", "7"},
		{"select count(*) from device where fkprocessnode is not null", "12"},
		{"select count(*) from applicationuser where name = 'axlaudit'", "1"},
	}
	for _, c := range checks {
		if got := one(c.q); got != c.want {
			t.Errorf("%s = %s, want %s", c.q, got, c.want)
		}
	}
	// Several route patterns share one route list and numplanindex.
	if got := one("select max(n) from (select count(*) as n from devicenumplanmap m join numplan np on np.pkid = m.fknumplan where np.tkpatternusage = 5 group by m.fkdevice, m.numplanindex)"); got == "1" {
		t.Error("no route list holds several route patterns")
	}

	tr := sim.Truth()
	if len(tr.RoutePatterns) != 40 || len(tr.HuntPilots) != 20 || len(tr.TranslationPatterns) != 5 || len(tr.RouteLists) != 6 {
		t.Errorf("truth: %d route patterns, %d hunt pilots, %d translations, %d route lists", len(tr.RoutePatterns), len(tr.HuntPilots), len(tr.TranslationPatterns), len(tr.RouteLists))
	}
	risNodes := map[string]bool{}
	unknown := 0
	for _, d := range tr.Devices {
		for _, r := range d.RisPort {
			risNodes[r.Node] = true
		}
		if d.RunOnAllNodes && d.Class == "Trunk" && len(d.RisPort) != 3 {
			t.Errorf("%s runs on all nodes: RisPort entries %v, want one per Unified CM node", d.Name, d.RisPort)
		}
		if d.Class == "Trunk" && len(d.RisPort) > 0 && d.RisPort[0].Status == "Unknown" {
			unknown++
		}
		if strings.HasPrefix(d.Name, "CFB_") && (d.ProcessNode == "" || d.RisPort[0].Node != d.ProcessNode) {
			t.Errorf("%s: process node %q, RisPort %v", d.Name, d.ProcessNode, d.RisPort)
		}
	}
	if unknown != 1 {
		t.Errorf("%d trunks with RisPort status Unknown, want 1", unknown)
	}
	if risNodes["imp-pub"] {
		t.Error("the IM and Presence node is in RisPort")
	}
	for _, e := range risAll(t, sim, ts, "selectCmDevice", "Any") {
		if e.node == "imp-pub" {
			t.Fatal("RisPort lists the IM and Presence node")
		}
	}
	r := post(t, ts.URL+cucmsim.AXLPath, `"CUCM:DB ver=15.0 listProcessNode"`, axlEnvelope("15.0", "listProcessNode",
		"<searchCriteria><name>%</name></searchCriteria><returnedTags><name/><processNodeRole/></returnedTags>"), basic(sc.Credentials.User, sc.Credentials.Password))
	if !strings.Contains(r.body, "<name>imp-pub</name><processNodeRole>CUCM IM and Presence</processNodeRole>") {
		t.Errorf("listProcessNode: %.800s", r.body)
	}
}

// TestMutateBetweenPages changes the database between two keyset pages, from the query hook,
// while other requests run concurrently.
func TestMutateBetweenPages(t *testing.T) {
	for _, file := range []bool{false, true} {
		sc := loadShipped(t, "tiny")
		var opt cucmsim.Options
		if file {
			opt.DBFile = t.TempDir() + "/sim.db"
		}
		sim, err := cucmsim.NewWithOptions(sc, opt)
		if err != nil {
			t.Fatal(err)
		}
		ts := startHTTP(t, sim)
		var calls []int
		sim.SetQueryHook(func(q string, n int) {
			calls = append(calls, n)
			if n == 2 {
				if err := sim.Mutate(context.Background(),
					"INSERT INTO device (pkid, name, tkclass) VALUES ('ffffffff-0000-0000-0000-000000000000', 'SEPNEW', 1)",
					"DELETE FROM device WHERE name = 'SEP001E7A000001'",
					"UPDATE device SET description = 'changed' WHERE name = 'ST_CUBE_01'"); err != nil {
					t.Error(err)
				}
			}
		})
		before := axlSQL(t, sim, ts, "select name from device order by pkid")
		after := axlSQL(t, sim, ts, "select name, description from device order by pkid")
		if len(after) != len(before) || !strings.Contains(after[len(after)-1]["name"], "SEPNEW") {
			t.Errorf("after mutation: %v", after)
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() { defer wg.Done(); axlSQL(t, sim, ts, "select count(*) from device") }()
		}
		wg.Wait()
		if len(calls) != 6 || calls[0] != 1 {
			t.Errorf("hook calls %v", calls)
		}
		// Still read-only for AXL.
		u, p := sim.Credentials()
		if r := post(t, ts.URL+cucmsim.AXLPath, `"CUCM:DB ver=14.0 executeSQLQuery"`, sqlEnvelope("14.0", "delete from device"), basic(u, p)); r.status != 500 {
			t.Errorf("delete: HTTP %d", r.status)
		}
	}
}
