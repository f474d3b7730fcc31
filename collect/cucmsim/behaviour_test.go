package cucmsim_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
)

func TestSQL(t *testing.T) {
	sim, ts := startSim(t, loadShipped(t, "demo"))
	u, p := sim.Credentials()
	tests := []struct {
		name, sql  string
		wantStatus int
		want       string // substring of the body
		wantRows   int    // -1: don't check
	}{
		{"phones", "select d.name from device d join typeclass tc on tc.enum = d.tkclass where tc.name = 'Phone' and d.tkmodel <> 645", 200, "<row><name>SEP", 1377},
		{"first", "select first 3 name from device order by name", 200, "", 3},
		{"skip first", "SELECT SKIP 1370 FIRST 500 d.name FROM device d WHERE d.tkclass = 1 AND d.tkmodel != 645 ORDER BY d.name", 200, "", 7},
		{"count", "select count(*) from processnode where systemnode='f' and tknodeusage = 1 and tkprocessnoderole = 1", 200, "<row><count>4</count></row>", 1},
		{"null and booleans", "select name, isactive, fkprocessnode from device where name = 'ST_CUBE_DC_A_01'", 200, "<row><name>ST_CUBE_DC_A_01</name><isactive>t</isactive><fkprocessnode/></row>", 1},
		{"no rows", "select name from device where name = 'nope'", 200, "<return/>", 0},
		{"informix unique", "select unique tkclass from device order by tkclass", 200, "", 10},
		{"nvl", "select nvl(fkenduser, 'none') as owner from device where name = 'HL_Pharmacy'", 200, "<owner>none</owner>", 1},
		{"syntax", "select name frm device", 500, "<axlcode>-201</axlcode><axlmessage>A syntax error has occurred.</axlmessage>", -1},
		{"no table", "select * from nosuchtable", 500, "<axlcode>-206</axlcode><axlmessage>The specified table (nosuchtable) is not in the database.</axlmessage>", -1},
		{"no column", "select nosuchcol from device", 500, "<axlcode>-217</axlcode>", -1},
		{"write refused", "delete from device", 500, "Only SELECT statements are allowed", -1},
		{"two statements", "select name from device; drop table device", 500, "<axlcode>-201</axlcode>", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, ts.URL+cucmsim.AXLPath, `"CUCM:DB ver=15.0 executeSQLQuery"`, sqlEnvelope("15.0", tt.sql), basic(u, p))
			if r.status != tt.wantStatus || !strings.Contains(r.body, tt.want) {
				t.Fatalf("HTTP %d, body %.600s; want %d containing %q", r.status, r.body, tt.wantStatus, tt.want)
			}
			if tt.wantRows >= 0 {
				if got := strings.Count(r.body, "<row>"); got != tt.wantRows {
					t.Errorf("%d rows, want %d", got, tt.wantRows)
				}
			}
		})
	}
	// The tables of CUCM-API.md §1.8 that audit queries join.
	for _, q := range []string{
		"select cmg.name as cmgname, pn.name as servername, cmgm.priority from callmanagergroup cmg join callmanagergroupmember cmgm on cmgm.fkcallmanagergroup = cmg.pkid join callmanager cm on cmgm.fkcallmanager = cm.pkid join processnode pn on cm.fkprocessnode = pn.pkid order by cmg.name, cmgm.priority",
		"select d.name, d.description, n.dnorpattern as dn, rp.name as partition from device as d, numplan as n, devicenumplanmap as dnpm, routepartition as rp where dnpm.fkdevice = d.pkid and dnpm.fknumplan = n.pkid and rp.pkid = n.fkroutepartition and d.tkclass = 1",
		"select n.dnorpattern from numplan n inner join typepatternusage tpu on n.tkpatternusage = tpu.enum left outer join devicenumplanmap dnmp on dnmp.fknumplan = n.pkid where tpu.name = 'Device' and dnmp.pkid is null",
		"select n.dnorpattern as huntpilot, d.name as huntlist, rl.selectionorder, lg.name as linegroup from device as d inner join routelist as rl on rl.fkdevice = d.pkid inner join devicenumplanmap as dmap on dmap.fkdevice = d.pkid inner join numplan as n on n.pkid = dmap.fknumplan inner join linegroup lg on rl.fklinegroup = lg.pkid order by n.dnorpattern",
		"select d.name, dest.sortorder, dest.address, dest.port from siptrunkdestination dest inner join sipdevice sd on sd.pkid = dest.fksipdevice inner join device d on d.pkid = sd.fkdevice order by d.name, dest.sortorder",
		"select d.name, eu.userid from device d join enduserdevicemap eudm on eudm.fkdevice = d.pkid join enduser eu on eu.pkid = eudm.fkenduser",
		"select dp.name, cmg.name as cmg, l.name as location from devicepool dp left join callmanagergroup cmg on dp.fkcallmanagergroup = cmg.pkid left join location l on l.pkid = dp.fklocation",
		"select d.name, tm.name as model, tp.name as product, tdp.name as protocol from device d join typemodel tm on tm.enum = d.tkmodel join typeproduct tp on tp.enum = d.tkproduct join typedeviceprotocol tdp on tdp.enum = d.tkdeviceprotocol",
	} {
		if rows := axlSQL(t, sim, ts, q); len(rows) == 0 {
			t.Errorf("no rows for %s", q)
		}
	}
	unassigned := axlSQL(t, sim, ts, "select n.dnorpattern from numplan n inner join typepatternusage tpu on n.tkpatternusage = tpu.enum left outer join devicenumplanmap dnmp on dnmp.fknumplan = n.pkid where tpu.name = 'Device' and dnmp.pkid is null")
	if len(unassigned) != 17 {
		t.Errorf("%d unassigned DNs, want 17", len(unassigned))
	}
}

func TestSQLCaps(t *testing.T) {
	sim, ts := startSim(t, loadShipped(t, "demo"))
	u, p := sim.Credentials()
	q := sqlEnvelope("15.0", "select name, description from device where tkclass = 1 and tkmodel <> 645")
	f := sim.Faults()
	f.AXLMaxRows = 1000
	if err := sim.SetFaults(f); err != nil {
		t.Fatal(err)
	}
	r := post(t, ts.URL+cucmsim.AXLPath, "CUCM:DB ver=15.0 executeSQLQuery", q, basic(u, p))
	want := "<faultstring>Query request too large. Total rows matched: 1377 rows. Suggestive Row Fetch: less than 1000 rows</faultstring><detail><axlError><axlcode>-1</axlcode>"
	if r.status != 500 || !strings.Contains(r.body, want) {
		t.Errorf("row cap: HTTP %d %.400s", r.status, r.body)
	}
	// SKIP/FIRST below the cap passes.
	r = post(t, ts.URL+cucmsim.AXLPath, "CUCM:DB ver=15.0 executeSQLQuery", sqlEnvelope("15.0", "select skip 1000 first 999 name from device where tkclass = 1 and tkmodel <> 645 order by name"), basic(u, p))
	if r.status != 200 || strings.Count(r.body, "<row>") != 377 {
		t.Errorf("paged: HTTP %d, %d rows", r.status, strings.Count(r.body, "<row>"))
	}
	f.AXLMaxRows, f.AXLMaxBytes = 100000, 20000
	_ = sim.SetFaults(f)
	r = post(t, ts.URL+cucmsim.AXLPath, "CUCM:DB ver=15.0 executeSQLQuery", q, basic(u, p))
	if r.status != 500 || !strings.Contains(r.body, "Query request too large. Total rows matched: 1377 rows. Suggestive Row Fetch: less than ") {
		t.Errorf("byte cap: HTTP %d %.400s", r.status, r.body)
	}
	f.AXLMaxBytes, f.AXLMemoryFaultRate = 0, 1
	_ = sim.SetFaults(f)
	r = post(t, ts.URL+cucmsim.AXLPath, "CUCM:DB ver=15.0 executeSQLQuery", q, basic(u, p))
	if r.status != 500 || !strings.Contains(r.body, "<faultstring>Maximum AXL Memory Allocation Consumed. Please retry once requests in progress have completed</faultstring>") {
		t.Errorf("memory fault: HTTP %d %.400s", r.status, r.body)
	}
}

// risPage posts one RisPort request and parses the answer.
func risPage(t *testing.T, sim *cucmsim.Server, url, op, class string, max int, si string, items ...string) (int, risAnswer, string) {
	t.Helper()
	u, p := sim.Credentials()
	r := post(t, url+cucmsim.RisPortPath, "", risEnvelope(op, class, max, si, items...), basic(u, p))
	if r.status != 200 {
		return r.status, risAnswer{}, r.body
	}
	return r.status, parseRis(t, r.body), r.body
}

func entries(a risAnswer) int {
	n := 0
	for _, node := range a.Nodes {
		n += len(node.Devices)
	}
	return n
}

func TestRisPortCapAndStateInfo(t *testing.T) {
	sc := loadShipped(t, "demo")
	sc.Faults.RisPortRateLimit = 0
	sim, ts := startSim(t, sc)
	// Phones: 803 devices, 827 entries across nodes (24 listed twice).
	for _, tt := range []struct {
		name    string
		paging  bool
		max     int
		cap     int
		pages   []int
		lastSI  bool // the last page carries a StateInfo
		entries int
	}{
		{"paging on, 300 per answer", true, 300, 1000, []int{300, 300, 227}, false, 827},
		{"paging on, cap 200 below MaxReturnedDevices", true, 1000, 200, []int{200, 200, 200, 200, 27}, false, 827},
		{"paging off: same first page", false, 300, 1000, []int{300, 300}, true, 300},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := sim.Faults()
			f.RisPortStateInfoPaging, f.RisPortMaxDevices = tt.paging, tt.cap
			if err := sim.SetFaults(f); err != nil {
				t.Fatal(err)
			}
			si := ""
			var got []int
			seen := map[string]bool{}
			var first []string
			for i := range tt.pages {
				_, a, body := risPage(t, sim, ts.URL, "selectCmDevice", "Phone", tt.max, si, "*")
				if a.Total != entries(a) {
					t.Errorf("TotalDevicesFound %d, entries %d", a.Total, entries(a))
				}
				got = append(got, entries(a))
				var names []string
				for _, n := range a.Nodes {
					for _, d := range n.Devices {
						seen[n.Name+"/"+d.Name] = true
						names = append(names, d.Name)
					}
				}
				if i == 0 {
					first = names
				} else if !tt.paging && !cmp.Equal(first, names) {
					t.Errorf("paging off: page %d differs from the first", i)
				}
				if i == len(tt.pages)-1 && (a.StateInfo != "") != tt.lastSI {
					t.Errorf("last StateInfo = %q", a.StateInfo)
				}
				if tt.paging && i < len(tt.pages)-1 && a.StateInfo == "" {
					t.Fatalf("page %d: no StateInfo while more remain: %.300s", i, body)
				}
				si = a.StateInfo
			}
			if diff := cmp.Diff(tt.pages, got); diff != "" {
				t.Errorf("page sizes (-want +got):\n%s", diff)
			}
			if len(seen) != tt.entries {
				t.Errorf("%d distinct entries, want %d", len(seen), tt.entries)
			}
		})
	}
}

func TestRisPortSelection(t *testing.T) {
	sim, ts := startSim(t, loadShipped(t, "tiny"))
	tests := []struct {
		name, op, class string
		items           []string
		want            []string // node/name/status
	}{
		{"wildcard prefix", "selectCmDevice", "Any", []string{"SEP*"}, []string{"cucm-pub/SEP0CD0F894A1B2/UnRegistered", "cucm-sub1/SEP00EBD5C0FFEE/UnRegistered", "cucm-sub1/SEP0CD0F894A1B2/Registered"}},
		{"wildcard suffix", "selectCmDevice", "Phone", []string{"*FFEE"}, []string{"cucm-sub1/SEP00EBD5C0FFEE/UnRegistered"}},
		{"explicit names, every node", "selectCmDevice", "Phone", []string{"sep0cd0f894a1b2", "SEP001E7A000001"}, []string{"cucm-pub/SEP0CD0F894A1B2/UnRegistered", "cucm-sub1/SEP0CD0F894A1B2/Registered"}},
		{"names and a wildcard", "selectCmDevice", "Any", []string{"ST_CUBE_01", "HL*"}, []string{"cucm-sub1/HL_Helpdesk/Registered", "cucm-sub1/ST_CUBE_01/Registered"}},
		{"class filter", "selectCmDevice", "SIPTrunk", []string{"*"}, []string{"cucm-sub1/ST_CUBE_01/Registered"}},
		{"ext: newest only", "selectCmDeviceExt", "Phone", []string{"SEP0CD0F894A1B2", "SEP001E7A000001"}, []string{"cucm-sub1/SEP0CD0F894A1B2/Registered"}},
		{"ext: * is literal", "selectCmDeviceExt", "Phone", []string{"SEP*"}, nil},
		{"ext: names are case-insensitive", "selectCmDeviceExt", "Any", []string{"st_cube_01"}, []string{"cucm-sub1/ST_CUBE_01/Registered"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, a, body := risPage(t, sim, ts.URL, tt.op, tt.class, 1000, "", tt.items...)
			if status != 200 {
				t.Fatalf("HTTP %d %s", status, body)
			}
			var got []string
			for _, n := range a.Nodes {
				for _, d := range n.Devices {
					got = append(got, n.Name+"/"+d.Name+"/"+d.Status)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// Line status, IPs and loads of the registered phone.
	_, a, _ := risPage(t, sim, ts.URL, "selectCmDeviceExt", "Phone", 1000, "", "SEP0CD0F894A1B2")
	var d risDevice
	for _, n := range a.Nodes {
		if n.ReturnCode == "Ok" {
			d = n.Devices[0]
		}
	}
	want := risDevice{Name: "SEP0CD0F894A1B2", DirNumber: "1001-Registered,1002-Registered", DeviceClass: "Phone", Status: "Registered",
		Description: "Lobby | Zürich", Protocol: "SIP", ActiveLoadID: "sip8845_65.14-2-1-0001-14", IP: "10.0.1.100", LoginUserID: "jdoe", TimeStamp: 1767225000}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("device (-want +got):\n%s", diff)
	}
}

func TestRisPortFaults(t *testing.T) {
	sim, ts := startSim(t, loadShipped(t, "tiny"))
	u, p := sim.Credentials()
	set := func(mut func(*cucmsim.Faults)) {
		t.Helper()
		f := sim.Faults()
		mut(&f)
		if err := sim.SetFaults(f); err != nil {
			t.Fatal(err)
		}
	}
	req := risEnvelope("selectCmDevice", "Phone", 1000, "", "*")

	// Node states.
	set(func(f *cucmsim.Faults) { f.NodesNotFound = []string{"cucm-pub"}; f.RisPortRateLimit = 0 })
	_, a, _ := risPage(t, sim, ts.URL, "selectCmDevice", "Phone", 1000, "", "*")
	codes := map[string]string{}
	for _, n := range a.Nodes {
		codes[n.Name] = n.ReturnCode
	}
	if diff := cmp.Diff(map[string]string{"cucm-pub": "NotFound", "cucm-sub1": "Ok"}, codes); diff != "" {
		t.Errorf("node codes (-want +got):\n%s", diff)
	}
	// A failing class.
	set(func(f *cucmsim.Faults) { f.NodesNotFound = nil; f.ClassesFailing = []string{"Phone"} })
	if r := post(t, ts.URL+cucmsim.RisPortPath, "", req, basic(u, p)); r.status != 500 || !strings.Contains(r.body, "<faultcode>soapenv:Server</faultcode>") {
		t.Errorf("failing class: HTTP %d %s", r.status, r.body)
	}
	if r := post(t, ts.URL+cucmsim.RisPortPath, "", risEnvelope("selectCmDevice", "SIPTrunk", 10, "", "*"), basic(u, p)); r.status != 200 {
		t.Errorf("other class: HTTP %d", r.status)
	}

	// Rate limit: a fixed window on the simulator's clock.
	now := fixedNow
	sim.SetClock(func() time.Time { return now })
	set(func(f *cucmsim.Faults) {
		f.ClassesFailing = nil
		f.RisPortRateLimit, f.RisPortRateWindow = 3, time.Minute
	})
	sim.ResetStats()
	var statuses []int
	for i := range 5 {
		if i == 4 {
			now = now.Add(time.Minute) // the next window
		}
		r := post(t, ts.URL+cucmsim.RisPortPath, "", req, basic(u, p))
		statuses = append(statuses, r.status)
		if i == 3 && !strings.Contains(r.body, "<faultcode xmlns:ns1=\"http://schemas.cisco.com/ast/soap\">ns1:Server.RateControl</faultcode><faultstring>Exceeded allowed rate for Reatime information. Current allowed rate for realtime information is 3 requests per minute.</faultstring>") {
			t.Errorf("rate fault body: %s", r.body)
		}
	}
	if diff := cmp.Diff([]int{200, 200, 200, 500, 200}, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	st := sim.Stats()
	if st.RateControlFaults != 1 || st.MaxRisPortPerWindow() != 4 || len(st.RisPortWindows) != 2 {
		t.Errorf("stats: %d RateControl faults, max %d per window, %d windows", st.RateControlFaults, st.MaxRisPortPerWindow(), len(st.RisPortWindows))
	}
	if st.Ops["risport.selectCmDevice"] != 4 || st.Requests["risport"] != 5 { // the refused request is never parsed
		t.Errorf("ops %v requests %v", st.Ops, st.Requests)
	}
}

func TestTransportFaults(t *testing.T) {
	sim, ts := startSim(t, loadShipped(t, "tiny"))
	u, p := sim.Credentials()
	body := axlEnvelope("15.0", "getCCMVersion", "")
	action := "CUCM:DB ver=15.0 getCCMVersion"
	set := func(mut func(*cucmsim.Faults)) {
		t.Helper()
		f := sim.Faults()
		mut(&f)
		if err := sim.SetFaults(f); err != nil {
			t.Fatal(err)
		}
	}
	set(func(f *cucmsim.Faults) { f.HTTP503Burst = 2 })
	var got []int
	for range 3 {
		got = append(got, post(t, ts.URL+cucmsim.AXLPath, action, body, basic(u, p)).status)
	}
	if diff := cmp.Diff([]int{503, 503, 200}, got); diff != "" {
		t.Errorf("burst (-want +got):\n%s", diff)
	}
	// A deterministic rate: two servers from the same scenario fail the same requests.
	pattern := func(sim *cucmsim.Server, url string) string {
		f := sim.Faults()
		f.HTTP503Burst, f.HTTP503Rate = 0, 0.2
		if err := sim.SetFaults(f); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for range 100 {
			if post(t, url+cucmsim.AXLPath, action, body, basic(u, p)).status == 503 {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	sim2, ts2 := startSim(t, loadShipped(t, "tiny"))
	sim3, ts3 := startSim(t, loadShipped(t, "tiny"))
	p2, p3 := pattern(sim2, ts2.URL), pattern(sim3, ts3.URL)
	if n := strings.Count(p2, "x"); p2 != p3 || n < 8 || n > 35 {
		t.Errorf("503 patterns differ or are off rate:\n%s\n%s", p2, p3)
	}
	if sim2.Stats().HTTP503 != strings.Count(p2, "x") {
		t.Errorf("Stats.HTTP503 = %d", sim2.Stats().HTTP503)
	}
	set(func(f *cucmsim.Faults) { f.HTTP503Burst = 0; f.HTMLErrorRate = 1 })
	if r := post(t, ts.URL+cucmsim.AXLPath, action, body, basic(u, p)); r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Errorf("html error: HTTP %d %s", r.status, r.header.Get("Content-Type"))
	}
	set(func(f *cucmsim.Faults) { f.HTMLErrorRate = 0; f.TruncateBodyRate = 1 })
	req, _ := http.NewRequest(http.MethodPost, ts.URL+cucmsim.AXLPath, strings.NewReader(body))
	req.SetBasicAuth(u, p)
	req.Header.Set("SOAPAction", action)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		_, err = fmt.Fscan(resp.Body, new(string))
		buf := make([]byte, 4096)
		for err == nil {
			_, err = resp.Body.Read(buf)
		}
		resp.Body.Close()
		if err.Error() != "unexpected EOF" {
			t.Errorf("truncated body: read error %v, want unexpected EOF", err)
		}
	}
	if err := sim.SetFaults(cucmsim.Faults{NodesNotFound: []string{"nope"}}); err == nil || err.Error() != `setting faults: faults.nodes_not_found[0]: unknown node "nope"` {
		t.Errorf("SetFaults with an unknown node: %v", err)
	}
}

// TestDeterminism: the same seed gives the same bytes, another seed different ones.
func TestDeterminism(t *testing.T) {
	dump := func(seed uint64) string {
		sc := loadShipped(t, "demo")
		sc.Seed = seed
		sc.Faults.RisPortRateLimit = 0
		sim, ts := startSim(t, sc)
		u, p := sim.Credentials()
		var b strings.Builder
		for _, q := range []string{
			"select d.pkid, d.name, d.description, d.tkmodel, d.fkenduser from device d order by d.name",
			"select pkid, userid, firstname, lastname from enduser order by userid",
			"select n.pkid, n.dnorpattern, m.fkdevice from numplan n left join devicenumplanmap m on m.fknumplan = n.pkid order by n.dnorpattern, m.fkdevice",
		} {
			b.WriteString(post(t, ts.URL+cucmsim.AXLPath, "CUCM:DB ver=15.0 executeSQLQuery", sqlEnvelope("15.0", q), basic(u, p)).body)
		}
		for _, class := range []string{"Phone", "Gateway", "SIPTrunk", "HuntList"} {
			b.WriteString(post(t, ts.URL+cucmsim.RisPortPath, "", risEnvelope("selectCmDevice", class, 1000, "", "*"), basic(u, p)).body)
		}
		return b.String()
	}
	a, b, c := dump(20261120), dump(20261120), dump(7)
	if a != b {
		t.Error("same seed, different bytes")
	}
	if a == c {
		t.Error("different seeds, same bytes")
	}
}

// TestBothShapes: the legacy answer carries the same devices as the RisPort70 one.
func TestBothShapes(t *testing.T) {
	sim, ts := startSim(t, loadShipped(t, "demo"))
	read := func(legacy bool) risAnswer {
		f := sim.Faults()
		f.RisPortLegacyShape = legacy
		if err := sim.SetFaults(f); err != nil {
			t.Fatal(err)
		}
		_, a, body := risPage(t, sim, ts.URL, "selectCmDevice", "Gateway", 1000, "", "*")
		if legacy != strings.Contains(body, "<ns1:SelectCmDeviceResponse ") || legacy == strings.Contains(body, "selectCmDeviceReturn") {
			t.Errorf("legacy=%v: wrong shape %.300s", legacy, body)
		}
		return a
	}
	modern, legacy := read(false), read(true)
	if entries(modern) != 85 {
		t.Errorf("%d gateway entries, want 85", entries(modern))
	}
	if diff := cmp.Diff(modern.Nodes, legacy.Nodes); diff != "" {
		t.Errorf("shapes differ (-modern +legacy):\n%s", diff)
	}
}

// TestConcurrentFaults changes the knobs while requests are in flight (run with -race).
func TestConcurrentFaults(t *testing.T) {
	sc := loadShipped(t, "tiny")
	sc.Faults.RisPortRateLimit = 0
	sim, ts := startSim(t, sc)
	u, p := sim.Credentials()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 50 {
			f := sim.Faults()
			f.RisPortLegacyShape = i%2 == 0
			f.RisPortStateInfoPaging = i%3 == 0
			if err := sim.SetFaults(f); err != nil {
				t.Error(err)
				return
			}
			_ = sim.Stats()
		}
	}()
	errs := make(chan string, 40)
	for i := range 40 {
		go func() {
			var r reply
			if i%2 == 0 {
				r = post(t, ts.URL+cucmsim.RisPortPath, "", risEnvelope("selectCmDevice", "Phone", 10, "", "*"), basic(u, p))
			} else {
				r = post(t, ts.URL+cucmsim.AXLPath, "CUCM:DB ver=15.0 executeSQLQuery", sqlEnvelope("15.0", "select name from device"), basic(u, p))
			}
			if r.status != 200 {
				errs <- r.body
				return
			}
			errs <- ""
		}()
	}
	for range 40 {
		if e := <-errs; e != "" {
			t.Errorf("request failed: %.300s", e)
		}
	}
	<-done
	if st := sim.Stats(); st.Requests["axl"]+st.Requests["risport"] != 40 {
		t.Errorf("requests %v", st.Requests)
	}
}

// BenchmarkRisPortByName measures one selectCmDevice answer for 800 explicit names.
func BenchmarkRisPortByName(b *testing.B) {
	sc := loadShipped(b, "demo")
	sc.Faults.RisPortRateLimit = 0
	sim, ts := startSim(b, sc)
	u, p := sim.Credentials()
	rows := axlSQL(b, sim, ts, "select first 800 name from device where tkclass = 1 order by name")
	names := make([]string, len(rows))
	for i, r := range rows {
		names[i] = r["name"]
	}
	body := risEnvelope("selectCmDevice", "Phone", 1000, "", names...)
	for b.Loop() {
		if r := post(b, ts.URL+cucmsim.RisPortPath, "", body, basic(u, p)); r.status != 200 {
			b.Fatal(r.status)
		}
	}
}

// TestRisPortPrefixIndex: prefix wildcards are answered from the name index; the answer must be
// the one a scan of every row gives (a glob that matches nothing forces the scan).
func TestRisPortPrefixIndex(t *testing.T) {
	sc := loadShipped(t, "demo")
	sc.Faults.RisPortRateLimit = 1000
	sim, ts := startSim(t, sc)
	rows := func(class string, items ...string) []string {
		status, a, body := risPage(t, sim, ts.URL, "selectCmDevice", class, 1000, "", items...)
		if status != 200 {
			t.Fatalf("HTTP %d %s", status, body)
		}
		var got []string
		for _, n := range a.Nodes {
			for _, d := range n.Devices {
				got = append(got, n.Name+"/"+d.Name+"/"+d.Status+"/"+fmt.Sprint(d.TimeStamp))
			}
		}
		return got
	}
	for _, items := range [][]string{
		{"SEP0*", "SEP1*", "sep2*"},
		{"SEPA*", "SEPB*", "SEPC*", "SEPD*", "SEPE*", "SEPF*"},
		{"SEP00*", "ZZZ*", "SEP001*"}, // overlapping prefixes list a device once
		{"AALN/S0/SU0/1*", "SEP0*"},
	} {
		for _, class := range []string{"Any", "Phone", "Gateway"} {
			indexed := rows(class, items...)
			scanned := rows(class, append(items, "*NO*SUCH*DEVICE")...)
			if len(indexed) == 0 && class != "Gateway" {
				t.Errorf("%s %v: no rows; the test proves nothing", class, items)
			}
			if diff := cmp.Diff(scanned, indexed); diff != "" {
				t.Errorf("%s %v: index answer differs from a scan (-scan +index):\n%s", class, items, diff)
			}
		}
	}
}
