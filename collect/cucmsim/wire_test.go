package cucmsim_test

import (
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
)

var update = flag.Bool("update", false, "rewrite the golden files in ../../testdata/wire/")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "wire", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}

// TestGoldenEnvelopes pins the exact bytes of each answer shape on the tiny scenario.
func TestGoldenEnvelopes(t *testing.T) {
	const sql = `select d.name, d.description, tm.name as model, d.isactive, d.fkenduser, count(*) from device d join typemodel tm on d.tkmodel = tm.enum where d.tkclass = 1 group by d.name, d.description, tm.name, d.isactive, d.fkenduser order by d.name`
	tests := []struct {
		name, api, action, body string
		faults                  func(*cucmsim.Faults)
		wantStatus              int
	}{
		{"axl_getccmversion.xml", "axl", `"CUCM:DB ver=14.0 getCCMVersion"`, axlEnvelope("14.0", "getCCMVersion", "<processNodeName/>"), nil, 200},
		{"axl_sql.xml", "axl", `"CUCM:DB ver=15.0 executeSQLQuery"`, sqlEnvelope("15.0", sql), nil, 200},
		{"axl_sql_norows.xml", "axl", `CUCM:DB ver=15.0 executeSQLQuery`, sqlEnvelope("15.0", "select name from device where name = 'nope'"), nil, 200},
		{"axl_sql_syntax_fault.xml", "axl", `"CUCM:DB ver=15.0 executeSQLQuery"`, sqlEnvelope("15.0", "select from where"), nil, 500},
		{"axl_sql_too_large_fault.xml", "axl", `"CUCM:DB ver=15.0 executeSQLQuery"`, sqlEnvelope("15.0", "select name from device"), func(f *cucmsim.Faults) { f.AXLMaxRows = 2 }, 500},
		{"axl_unknown_op_fault.xml", "axl", `"CUCM:DB ver=15.0 getFoo"`, axlEnvelope("15.0", "getFoo", ""), nil, 500},
		{"axl_listprocessnode.xml", "axl", `"CUCM:DB ver=15.0 listProcessNode"`, axlEnvelope("15.0", "listProcessNode", "<searchCriteria><name>%</name></searchCriteria><returnedTags><name/><nodeUsage/></returnedTags>"), nil, 200},
		{"axl_listphone.xml", "axl", `"CUCM:DB ver=15.0 listPhone"`, axlEnvelope("15.0", "listPhone", "<searchCriteria><name>SEP%</name></searchCriteria><returnedTags><name/><model/><devicePoolName/><ownerUserName/></returnedTags><skip>0</skip><first>2</first>"), nil, 200},
		{"ris_selectcmdevice.xml", "risport", "", risEnvelope("selectCmDevice", "Any", 1000, "", "*"), nil, 200},
		{"ris_selectcmdevice_legacy.xml", "risport", "", risEnvelope("selectCmDevice", "Phone", 1000, "", "SEP0CD0F894A1B2"), func(f *cucmsim.Faults) { f.RisPortLegacyShape = true }, 200},
		{"ris_selectcmdeviceext.xml", "risport", `"selectCmDeviceExt"`, risEnvelope("selectCmDeviceExt", "Phone", 1000, "", "SEP0CD0F894A1B2", "SEP00EBD5C0FFEE"), nil, 200},
		{"ris_empty_nil.xml", "risport", "", risEnvelope("selectCmDevice", "Gateway", 1000, "", "*"), func(f *cucmsim.Faults) { f.RisPortEmptyNodes = "nil" }, 200},
		{"ris_empty_notfound.xml", "risport", "", risEnvelope("selectCmDevice", "Gateway", 1000, "", "*"), nil, 200},
		{"ris_node_states.xml", "risport", "", risEnvelope("selectCmDevice", "Phone", 1000, "", "*"), func(f *cucmsim.Faults) { f.NodesNotResponding = []string{"cucm-sub1"} }, 200},
		{"ris_ratecontrol_fault.xml", "risport", "", risEnvelope("selectCmDevice", "Phone", 1000, "", "*"), func(f *cucmsim.Faults) { f.RisPortRateLimit = 1; f.HTTP503Burst = 0 }, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, ts := startSim(t, loadShipped(t, "tiny"))
			f := sim.Faults()
			if tt.faults != nil {
				tt.faults(&f)
			}
			if err := sim.SetFaults(f); err != nil {
				t.Fatal(err)
			}
			u, p := sim.Credentials()
			path := cucmsim.AXLPath
			if tt.api == "risport" {
				path = cucmsim.RisPortPath
			}
			r := post(t, ts.URL+path, tt.action, tt.body, basic(u, p))
			if tt.name == "ris_ratecontrol_fault.xml" {
				r = post(t, ts.URL+path, tt.action, tt.body, basic(u, p))
			}
			if r.status != tt.wantStatus {
				t.Fatalf("HTTP %d, want %d: %s", r.status, tt.wantStatus, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "text/xml;charset=UTF-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			golden(t, tt.name, r.body)
		})
	}
}

func TestAuth(t *testing.T) {
	sim, ts := startSim(t, loadShipped(t, "tiny"))
	u, p := sim.Credentials()
	body := axlEnvelope("15.0", "getCCMVersion", "")
	action := `"CUCM:DB ver=15.0 getCCMVersion"`

	r := post(t, ts.URL+cucmsim.AXLPath, action, body, basic(u, "wrong"))
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "HTTP Status 401") {
		t.Errorf("wrong password: HTTP %d %q, want 401 with a Tomcat page", r.status, r.body)
	}
	r = post(t, ts.URL+cucmsim.AXLPath, action, body, nil)
	if r.status != http.StatusUnauthorized {
		t.Errorf("no credentials: HTTP %d, want 401", r.status)
	}
	r = post(t, ts.URL+cucmsim.AXLPath, action, body, basic(u, p))
	if r.status != 200 {
		t.Fatalf("good credentials: HTTP %d", r.status)
	}
	cookie := r.header.Get("Set-Cookie")
	if !strings.HasPrefix(cookie, "JSESSIONIDSSO=") || !strings.Contains(cookie, "HttpOnly") {
		t.Fatalf("Set-Cookie = %q", cookie)
	}
	session := strings.SplitN(cookie, ";", 2)[0]
	withCookie := func(c string) func(*http.Request) { return func(r *http.Request) { r.Header.Set("Cookie", c) } }
	if r := post(t, ts.URL+cucmsim.AXLPath, action, body, withCookie(session)); r.status != 200 {
		t.Errorf("cookie instead of Basic: HTTP %d, want 200", r.status)
	}
	if r := post(t, ts.URL+cucmsim.RisPortPath, "", risEnvelope("selectCmDevice", "Phone", 10, "", "*"), withCookie(session)); r.status != 200 {
		t.Errorf("cookie on RisPort: HTTP %d, want 200", r.status)
	}
	if r := post(t, ts.URL+cucmsim.AXLPath, action, body, withCookie("JSESSIONIDSSO=BOGUS")); r.status != http.StatusNotFound {
		t.Errorf("unknown cookie: HTTP %d, want 404", r.status)
	}
	f := sim.Faults()
	f.AXLSessionExpired = true
	if err := sim.SetFaults(f); err != nil {
		t.Fatal(err)
	}
	if r := post(t, ts.URL+cucmsim.AXLPath, action, body, withCookie(session)); r.status != http.StatusNotFound {
		t.Errorf("expired cookie: HTTP %d, want 404", r.status)
	}
	if r := post(t, ts.URL+cucmsim.AXLPath, action, body, basic(u, p)); r.status != 200 {
		t.Errorf("Basic after expiry: HTTP %d, want 200", r.status)
	}
	f.WrongCredentials = true
	if err := sim.SetFaults(f); err != nil {
		t.Fatal(err)
	}
	if r := post(t, ts.URL+cucmsim.RisPortPath, "", risEnvelope("selectCmDevice", "Phone", 10, "", "*"), basic(u, p)); r.status != http.StatusUnauthorized {
		t.Errorf("wrong_credentials: HTTP %d, want 401", r.status)
	}
	// A write from the read-only application user.
	f.WrongCredentials = false
	_ = sim.SetFaults(f)
	if r := post(t, ts.URL+cucmsim.AXLPath, `"CUCM:DB ver=15.0 executeSQLUpdate"`, axlEnvelope("15.0", "executeSQLUpdate", "<sql>delete from device</sql>"), basic(u, p)); r.status != http.StatusUnauthorized {
		t.Errorf("write op: HTTP %d, want 401", r.status)
	}
	st := sim.Stats()
	if st.Unauthorized != 4 || st.SessionExpired != 2 {
		t.Errorf("stats: %d unauthorized, %d expired; want 4 and 2", st.Unauthorized, st.SessionExpired)
	}
}

func TestAXLVersions(t *testing.T) {
	sim, ts := startSim(t, loadShipped(t, "tiny"))
	u, p := sim.Credentials()
	tests := []struct {
		name, action, nsVer string
		wantStatus          int
		wantBody            string
	}{
		{"quoted", `"CUCM:DB ver=15.0 getCCMVersion"`, "15.0", 200, `xmlns:ns="http://www.cisco.com/AXL/API/15.0"`},
		{"unquoted", `CUCM:DB ver=12.5 getCCMVersion`, "12.5", 200, `xmlns:ns="http://www.cisco.com/AXL/API/12.5"`},
		{"unsupported", `"CUCM:DB ver=11.5 getCCMVersion"`, "11.5", 599, "Incorrect axl version. Supported axl versions: 12.5,14.0,15.0"},
		{"mismatch", `"CUCM:DB ver=15.0 getCCMVersion"`, "14.0", 500, "does not match the request namespace"},
		{"no soapaction, 1.0", "", "1.0", 200, `xmlns:ns="http://www.cisco.com/AXL/API/1.0"`},
		{"no soapaction, 9.1", "", "9.1", 599, "Incorrect axl version"},
		{"garbage soapaction", `"getCCMVersion"`, "15.0", 599, "Incorrect axl version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, ts.URL+cucmsim.AXLPath, tt.action, axlEnvelope(tt.nsVer, "getCCMVersion", ""), basic(u, p))
			if r.status != tt.wantStatus || !strings.Contains(r.body, tt.wantBody) {
				t.Errorf("HTTP %d %s; want %d containing %q", r.status, r.body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}
