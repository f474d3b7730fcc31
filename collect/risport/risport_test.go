package risport

import (
	"context"
	"errors"
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
	b, err := os.ReadFile("../../testdata/vendor/" + name)
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

// TestDecodeRefusesOtherAnswers: a status-200 answer that is not a selectCmDevice result must
// fail the read, never decode as "no devices" (which would report every configured phone as
// never registered). A zero-device answer (<CmNodes xsi:nil="1"/>) stays valid.
func TestDecodeRefusesOtherAnswers(t *testing.T) {
	const (
		env  = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>`
		end  = `</soapenv:Body></soapenv:Envelope>`
		resp = `<ns1:selectCmDeviceResponse xmlns:ns1="http://schemas.cisco.com/ast/soap">`
		node = `<ns1:item><ns1:ReturnCode>Ok</ns1:ReturnCode><ns1:Name>cucm-sub1</ns1:Name><ns1:CmDevices/></ns1:item>`
	)
	tests := []struct{ name, body, want string }{
		{"empty selectCmDeviceReturn", resp + `<ns1:selectCmDeviceReturn/></ns1:selectCmDeviceResponse>`, "no SelectCmDeviceResult with CmNodes"},
		{"empty response", resp + `</ns1:selectCmDeviceResponse>`, "no SelectCmDeviceResult with CmNodes"},
		{"x in the Body", `<x/>`, "the SOAP Body holds <x> in no namespace"},
		{"another operation", `<ns:getCCMVersionResponse xmlns:ns="http://www.cisco.com/AXL/API/15.0"><return><componentVersion><version>15.0</version></componentVersion></return></ns:getCCMVersionResponse>`,
			"holds <getCCMVersionResponse>"},
		{"wrong namespace", `<ns1:selectCmDeviceResponse xmlns:ns1="http://example.com/soap"><ns1:selectCmDeviceReturn><ns1:SelectCmDeviceResult><ns1:CmNodes>` + node + `</ns1:CmNodes></ns1:SelectCmDeviceResult></ns1:selectCmDeviceReturn></ns1:selectCmDeviceResponse>`,
			"in namespace http://example.com/soap"},
		{"wrong operation with CmNodes", `<ns1:selectCtiItemResponse xmlns:ns1="http://schemas.cisco.com/ast/soap"><ns1:selectCmDeviceReturn><ns1:SelectCmDeviceResult><ns1:CmNodes>` + node + `</ns1:CmNodes></ns1:SelectCmDeviceResult></ns1:selectCmDeviceReturn></ns1:selectCtiItemResponse>`,
			"holds <selectCtiItemResponse>"},
		{"result without CmNodes", resp + `<ns1:selectCmDeviceReturn><ns1:SelectCmDeviceResult><ns1:TotalDevicesFound>0</ns1:TotalDevicesFound></ns1:SelectCmDeviceResult></ns1:selectCmDeviceReturn></ns1:selectCmDeviceResponse>`,
			"no CmNodes in its SelectCmDeviceResult"},
		{"CmNodes outside the result", resp + `<ns1:selectCmDeviceReturn><ns1:CmNodes>` + node + `</ns1:CmNodes></ns1:selectCmDeviceReturn></ns1:selectCmDeviceResponse>`,
			"no SelectCmDeviceResult"},
		{"node without a name", resp + `<ns1:selectCmDeviceReturn><ns1:SelectCmDeviceResult><ns1:CmNodes><ns1:item><ns1:ReturnCode>Ok</ns1:ReturnCode></ns1:item></ns1:CmNodes></ns1:SelectCmDeviceResult></ns1:selectCmDeviceReturn></ns1:selectCmDeviceResponse>`,
			"no Name in one of its CmNode items"},
		{"device without a name", resp + `<ns1:selectCmDeviceReturn><ns1:SelectCmDeviceResult><ns1:CmNodes><ns1:item><ns1:Name>a</ns1:Name><ns1:CmDevices><ns1:item><ns1:Status>Registered</ns1:Status></ns1:item></ns1:CmDevices></ns1:item></ns1:CmNodes></ns1:SelectCmDeviceResult></ns1:selectCmDeviceReturn></ns1:selectCmDeviceResponse>`,
			"no Name in one of its CmDevice items"},
	}
	serve := func(t *testing.T, body string) (*Answer, int, error) {
		t.Helper()
		n := 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n++
			w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
			io.WriteString(w, env+body+end)
		}))
		t.Cleanup(srv.Close)
		sc, err := soap.New(soap.Options{VerifyTLS: true, Retries: 3})
		if err != nil {
			t.Fatal(err)
		}
		a, err := New(sc, srv.URL).SelectCmDevice(context.Background(), Criteria{Class: "Phone", Items: []string{"*"}, MaxDevices: 1000})
		return a, n, err
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, n, err := serve(t, tc.body)
			var pe *soap.PayloadError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "127.0.0.1:") {
				t.Fatalf("answer %+v, err = %v; want a PayloadError naming the host and %q", a, err, tc.want)
			}
			if n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
	a, _, err := serve(t, resp+`<ns1:selectCmDeviceReturn><ns1:SelectCmDeviceResult><ns1:TotalDevicesFound>0</ns1:TotalDevicesFound><ns1:CmNodes xsi:nil="1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/></ns1:SelectCmDeviceResult><ns1:StateInfo/></ns1:selectCmDeviceReturn></ns1:selectCmDeviceResponse>`)
	if err != nil || a.Entries() != 0 || len(a.Nodes) != 0 {
		t.Fatalf("zero-device answer: %+v, %v", a, err)
	}
}
