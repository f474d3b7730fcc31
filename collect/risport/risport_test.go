package risport

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/collect/soap"
	"github.com/cucm-audit/cucm-audit/snapshot"
	"github.com/google/go-cmp/cmp"
)

func serveFile(t *testing.T, name string, gotBody *string) *Client {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if gotBody != nil {
			*gotBody = string(body)
		}
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	sc, err := soap.New(soap.Options{User: "u", Password: "p", VerifyTLS: true})
	if err != nil {
		t.Fatal(err)
	}
	return New(sc, srv.URL+"/realtimeservice2/services/RISService70")
}

func TestDecodeShapes(t *testing.T) {
	phone := snapshot.RisDevice{
		Node: "cucm-sub1", Name: "SEP0CD0F894A1B2", DeviceClass: "Phone", Model: 36224, Product: 36224,
		Status: "Registered", Protocol: "SIP", Description: "Lobby", DirNumber: "1001-Registered,1002-Registered",
		NumLines: 2, LinesStatus: "1001=Registered,1002=Registered", IPv4: "10.0.1.100", IPAddresses: "10.0.1.100",
		ActiveLoad: "sip8845_65.14-2-1-0001-14", InactiveLoad: "sip8845_65.14-1-1-0001-125", DownloadStatus: "Successful",
		LoginUser: "jdoe", TimeStamp: 1704067200, Httpd: "Yes", IsCtiControllable: true,
	}
	tests := []struct {
		file  string
		want  *Answer
		state bool
	}{
		{"selectCmDevice-risport70_cucm-api-2.3.xml", &Answer{TotalDevicesFound: 2, Nodes: []Node{
			{Name: "cucm-sub1", ReturnCode: "Ok", Devices: []snapshot.RisDevice{phone}},
			{Name: "cucm-pub", ReturnCode: "NotFound"},
		}}, true},
		{"selectCmDevice-legacy-shape_cucm-api-2.3.xml", &Answer{TotalDevicesFound: 1, Nodes: []Node{
			{Name: "cucm-sub1", ReturnCode: "Ok", Devices: []snapshot.RisDevice{{
				Node: "cucm-sub1", Name: "SEP0CD0F894A1B2", DeviceClass: "Phone", Model: 36224, Product: 36224, Status: "Registered",
				DirNumber: "1001-Registered", IPv4: "10.0.1.100", IPAddresses: "10.0.1.100", TimeStamp: 1704067200,
			}}},
		}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			var req string
			c := serveFile(t, tc.file, &req)
			got, err := c.SelectCmDevice(context.Background(), Criteria{Class: "Phone", Items: []string{"SEP0CD0F894A1B2", "a<b"}, MaxDevices: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if tc.state != (got.StateInfo != "") {
				t.Errorf("StateInfo = %q", got.StateInfo)
			}
			got.StateInfo = ""
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("answer (-want +got):\n%s", d)
			}
			for _, w := range []string{"<soap:selectCmDevice>", "<soap:Item>a&lt;b</soap:Item>", "<soap:MaxReturnedDevices>1000<", "<soap:SelectBy>Name<"} {
				if !strings.Contains(req, w) {
					t.Errorf("request lacks %s:\n%s", w, req)
				}
			}
		})
	}
}

func TestIsRateControl(t *testing.T) {
	for _, f := range []soap.Fault{
		{Code: "ns1:Server.RateControl"},
		{Code: "soapenv:Server", String: "AxisFault: Exceeded allowed rate for Reatime information. Current allowed rate for realtime information is 15 requests per minute."},
	} {
		if !IsRateControl(&f) {
			t.Errorf("%+v not seen as rate control", f)
		}
	}
	if IsRateControl(&soap.Fault{Code: "soapenv:Server", String: "Internal error"}) {
		t.Error("generic fault seen as rate control")
	}
}

func TestStateNodes(t *testing.T) {
	tests := []struct {
		state     string
		want      []StateNode
		truncated bool
	}{
		{`<StateInfo ClusterWide="1"><Node Name="cucm-sub1" SubsystemStartTime="1757300000" StateId="42" TotalItemsFound="2" TotalItemsReturned="2"/><Node Name="cucm-sub2" StateId="7"/></StateInfo>`,
			[]StateNode{{"cucm-sub1", 2, 2}, {"cucm-sub2", -1, -1}}, false},
		{`<StateInfo ClusterWide="1" Cursor="1000"><Node Name="a" TotalItemsFound="1500" TotalItemsReturned="1000"/></StateInfo>`,
			[]StateNode{{"a", 1500, 1000}}, true},
		{`<StateInfo ClusterWide="1"></StateInfo>`, nil, false},
		{``, nil, false},
		{`opaque-token-123`, nil, false},
		{`<StateInfo><Node Name="a"/><Node`, []StateNode{{"a", -1, -1}}, false}, // broken XML: what was read
	}
	for _, tt := range tests {
		a := &Answer{StateInfo: tt.state}
		if diff := cmp.Diff(tt.want, a.StateNodes()); diff != "" {
			t.Errorf("StateNodes(%q) (-want +got):\n%s", tt.state, diff)
		}
		if got := a.Truncated(); got != tt.truncated {
			t.Errorf("Truncated(%q) = %v", tt.state, got)
		}
	}
	if a := (&Answer{TotalDevicesFound: 5}); !a.Truncated() {
		t.Error("TotalDevicesFound 5 with no entries is not truncated")
	}
}
