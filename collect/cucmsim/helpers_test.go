package cucmsim_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/examples"
)

// fixedNow freezes the simulator clock so rate windows never roll over during a test.
var fixedNow = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

func loadShipped(t testing.TB, name string) *cucmsim.Scenario {
	t.Helper()
	data, err := examples.Scenario(name)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := cucmsim.ParseScenario(name+".yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func startSim(t testing.TB, sc *cucmsim.Scenario) (*cucmsim.Server, *httptest.Server) {
	t.Helper()
	sim, err := cucmsim.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	sim.SetClock(func() time.Time { return fixedNow })
	ts := httptest.NewServer(sim.Handler())
	t.Cleanup(func() { ts.Close(); sim.Close() })
	return sim, ts
}

type reply struct {
	status int
	header http.Header
	body   string
}

func post(t testing.TB, url, soapAction, body string, setAuth func(*http.Request)) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/xml;charset=UTF-8")
	if soapAction != "" {
		req.Header.Set("SOAPAction", soapAction)
	}
	if setAuth != nil {
		setAuth(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, string(b)}
}

func basic(user, pass string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(user, pass) }
}

func axlEnvelope(ver, op, inner string) string {
	return `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns="http://www.cisco.com/AXL/API/` + ver +
		`"><soapenv:Header/><soapenv:Body><ns:` + op + ` sequence="7">` + inner + `</ns:` + op + `></soapenv:Body></soapenv:Envelope>`
}

func sqlEnvelope(ver, q string) string {
	return axlEnvelope(ver, "executeSQLQuery", "<sql><![CDATA["+q+"]]></sql>")
}

// axlSQL runs a query and returns the rows as column→value maps.
func axlSQL(t testing.TB, sim *cucmsim.Server, ts *httptest.Server, q string) []map[string]string {
	t.Helper()
	u, p := sim.Credentials()
	r := post(t, ts.URL+cucmsim.AXLPath, `"CUCM:DB ver=15.0 executeSQLQuery"`, sqlEnvelope("15.0", q), basic(u, p))
	if r.status != 200 {
		t.Fatalf("query %q: HTTP %d: %s", q, r.status, r.body)
	}
	return parseRows(t, r.body)
}

func parseRows(t testing.TB, body string) []map[string]string {
	t.Helper()
	var env struct {
		Rows []struct {
			Cols []struct {
				XMLName xml.Name
				Value   string `xml:",chardata"`
			} `xml:",any"`
		} `xml:"Body>executeSQLQueryResponse>return>row"`
	}
	if err := xml.Unmarshal([]byte(body), &env); err != nil {
		t.Fatalf("parsing %s: %v", body, err)
	}
	var out []map[string]string
	for _, r := range env.Rows {
		m := map[string]string{}
		for _, c := range r.Cols {
			m[c.XMLName.Local] = c.Value
		}
		out = append(out, m)
	}
	return out
}

func risEnvelope(op, class string, max int, stateInfo string, items ...string) string {
	var b strings.Builder
	b.WriteString(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soap="http://schemas.cisco.com/ast/soap"><soapenv:Header/><soapenv:Body><soap:` + op + `>`)
	b.WriteString(`<soap:StateInfo>`)
	xml.EscapeText(&b, []byte(stateInfo))
	b.WriteString(`</soap:StateInfo><soap:CmSelectionCriteria>`)
	b.WriteString(`<soap:MaxReturnedDevices>` + strconv.Itoa(max) + `</soap:MaxReturnedDevices><soap:DeviceClass>` + class + `</soap:DeviceClass>`)
	b.WriteString(`<soap:Model>255</soap:Model><soap:Status>Any</soap:Status><soap:NodeName></soap:NodeName><soap:SelectBy>Name</soap:SelectBy><soap:SelectItems>`)
	for _, it := range items {
		b.WriteString(`<soap:item><soap:Item>` + it + `</soap:Item></soap:item>`)
	}
	b.WriteString(`</soap:SelectItems><soap:Protocol>Any</soap:Protocol><soap:DownloadStatus>Any</soap:DownloadStatus></soap:CmSelectionCriteria></soap:` + op + `></soapenv:Body></soapenv:Envelope>`)
	return b.String()
}

// risAnswer is a parsed RisPort answer (either shape), found by local names.
type risAnswer struct {
	Total     int
	StateInfo string
	Nodes     []risNode
}

type risNode struct {
	ReturnCode string
	Name       string
	Devices    []risDevice
}

type risDevice struct {
	Name, DirNumber, DeviceClass, Status, Description, Protocol, ActiveLoadID, IP, LoginUserID string
	StatusReason, TimeStamp                                                                    int64
}

func parseRis(t testing.TB, body string) risAnswer {
	t.Helper()
	type dev struct {
		Name         string `xml:"Name"`
		DirNumber    string `xml:"DirNumber"`
		DeviceClass  string `xml:"DeviceClass"`
		Status       string `xml:"Status"`
		StatusReason int64  `xml:"StatusReason"`
		Description  string `xml:"Description"`
		TimeStamp    int64  `xml:"TimeStamp"`
		Protocol     string `xml:"Protocol"`
		ActiveLoadID string `xml:"ActiveLoadID"`
		LoginUserID  string `xml:"LoginUserId"`
		IP           string `xml:"IPAddress>item>IP"`
	}
	type node struct {
		ReturnCode string `xml:"ReturnCode"`
		Name       string `xml:"Name"`
		Devices    []dev  `xml:"CmDevices>item"`
	}
	type result struct {
		Total int    `xml:"TotalDevicesFound"`
		Nodes []node `xml:"CmNodes>item"`
	}
	var env struct {
		Body struct {
			Resp struct {
				XMLName xml.Name
				Return  struct {
					Result    result `xml:"SelectCmDeviceResult"`
					StateInfo string `xml:"StateInfo"`
				} `xml:"selectCmDeviceReturn"`
				Result    *result `xml:"SelectCmDeviceResult"`
				StateInfo string  `xml:"StateInfo"`
			} `xml:",any"`
		} `xml:"Body"`
	}
	if err := xml.Unmarshal([]byte(body), &env); err != nil {
		t.Fatalf("parsing risport answer: %v\n%s", err, body)
	}
	res, si := env.Body.Resp.Return.Result, env.Body.Resp.Return.StateInfo
	if env.Body.Resp.Result != nil {
		res, si = *env.Body.Resp.Result, env.Body.Resp.StateInfo
	}
	out := risAnswer{Total: res.Total, StateInfo: si}
	for _, n := range res.Nodes {
		rn := risNode{ReturnCode: n.ReturnCode, Name: n.Name}
		for _, d := range n.Devices {
			rn.Devices = append(rn.Devices, risDevice{Name: d.Name, DirNumber: d.DirNumber, DeviceClass: d.DeviceClass, Status: d.Status,
				Description: d.Description, Protocol: d.Protocol, ActiveLoadID: d.ActiveLoadID, IP: d.IP, LoginUserID: d.LoginUserID,
				StatusReason: d.StatusReason, TimeStamp: d.TimeStamp})
		}
		out.Nodes = append(out.Nodes, rn)
	}
	return out
}

// risAll reads every device entry of a class with selectCmDevice, paging with StateInfo.
func risAll(t testing.TB, sim *cucmsim.Server, ts *httptest.Server, op, class string) []struct {
	node string
	dev  risDevice
} {
	t.Helper()
	u, p := sim.Credentials()
	var out []struct {
		node string
		dev  risDevice
	}
	si := ""
	for range 1000 {
		var items []string
		if op == "selectCmDevice" {
			items = []string{"*"} // selectCmDeviceExt takes no wildcard; no items means every device
		}
		r := post(t, ts.URL+cucmsim.RisPortPath, op, risEnvelope(op, class, 1000, si, items...), basic(u, p))
		if r.status != 200 {
			t.Fatalf("%s %s: HTTP %d: %s", op, class, r.status, r.body)
		}
		a := parseRis(t, r.body)
		for _, n := range a.Nodes {
			for _, d := range n.Devices {
				out = append(out, struct {
					node string
					dev  risDevice
				}{n.Name, d})
			}
		}
		if !sim.Faults().RisPortStateInfoPaging || a.StateInfo == "" {
			return out
		}
		si = a.StateInfo
	}
	t.Fatal("paging never ended")
	return nil
}

func startHTTP(t testing.TB, sim *cucmsim.Server) *httptest.Server {
	t.Helper()
	sim.SetClock(func() time.Time { return fixedNow })
	ts := httptest.NewServer(sim.Handler())
	t.Cleanup(func() { ts.Close(); sim.Close() })
	return ts
}
