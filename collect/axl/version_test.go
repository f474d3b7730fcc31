package axl_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cucm-audit/cucm-audit/collect/axl"
	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/collect/soap"
	"github.com/cucm-audit/cucm-audit/examples"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
	"github.com/google/go-cmp/cmp"
)

// simWithVersions starts the shipped tiny scenario (a CUCM 14.0 cluster) accepting the given
// AXL schema versions.
func simWithVersions(t *testing.T, versions string) (*httptest.Server, string, string) {
	t.Helper()
	data, err := examples.Scenario("tiny")
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, []byte("\naxl_versions: ["+versions+"]\n")...)
	sc, err := cucmsim.ParseScenario("tiny.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	ts, sim := testtool.Sim(t, sc)
	u, p := sim.Credentials()
	return ts, u, p
}

func TestVersionNegotiation(t *testing.T) {
	tests := []struct {
		name      string
		supported string // the cluster's axl_versions
		pin       string // Options.Version
		wantVer   string // Version() after the calls; "" when CCMVersion fails
		wantReqs  int64  // HTTP requests for CCMVersion + one Query
		wantErr   []string
	}{
		{name: "15.0 accepted", supported: `"12.5", "14.0", "15.0"`, wantVer: "15.0", wantReqs: 2},
		{name: "CUCM 14 falls back to 14.0", supported: `"11.5", "12.5", "14.0"`, wantVer: "14.0", wantReqs: 3},
		{name: "CUCM 12.5 falls back to 12.5", supported: `"10.5", "11.0", "11.5", "12.0", "12.5"`, wantVer: "12.5", wantReqs: 3},
		{name: "nothing known", supported: `"16.0", "17.0"`, wantReqs: 1,
			wantErr: []string{"127.0.0.1:", "supports AXL schema versions 16.0, 17.0", "HTTP 599 to 15.0", "11.5, 12.0, 12.5, 14.0, 15.0"}},
		{name: "pinned and supported", supported: `"11.5", "12.5", "14.0"`, pin: "12.5", wantVer: "12.5", wantReqs: 2},
		{name: "pinned and refused", supported: `"11.5", "12.5", "14.0"`, pin: "15.0", wantReqs: 1,
			wantErr: []string{"127.0.0.1:", "does not support AXL schema 15.0", "11.5, 12.5, 14.0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts, u, p := simWithVersions(t, tc.supported)
			sc, err := soap.New(soap.Options{User: u, Password: p, Retries: 3})
			if err != nil {
				t.Fatal(err)
			}
			c := axl.New(sc, axl.Options{URL: ts.URL + cucmsim.AXLPath, Version: tc.pin})
			v, err := c.CCMVersion(context.Background())
			if tc.wantErr != nil {
				var ve *axl.VersionError
				if !errors.As(err, &ve) {
					t.Fatalf("err = %v, want a VersionError", err)
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("err = %q, want it to contain %q", err, w)
					}
				}
				if got := sc.Stats().Requests; got != tc.wantReqs {
					t.Errorf("requests = %d, want %d", got, tc.wantReqs)
				}
				return
			}
			if err != nil || v != "14.0.1.11900(132)" {
				t.Fatalf("CCMVersion = %q, %v", v, err)
			}
			n, err := c.Query(context.Background(), "select name from typeclass where enum = 1", func(axl.Row) error { return nil })
			if err != nil || n != 1 {
				t.Fatalf("Query = %d, %v", n, err)
			}
			if got := c.Version(); got != tc.wantVer {
				t.Errorf("Version() = %q, want %q", got, tc.wantVer)
			}
			if got := sc.Stats().Requests; got != tc.wantReqs {
				t.Errorf("requests = %d, want %d (one 599 at most, then the version is kept)", got, tc.wantReqs)
			}
		})
	}
}

// TestVersionNegotiationWire checks the retried request on the wire, against the body a real
// CUCM 14 sends ("14" without ".0", per CUCM-API.md §1.6): SOAPAction and namespace both switch.
func TestVersionNegotiationWire(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		action := r.Header.Get("SOAPAction")
		mu.Lock()
		seen = append(seen, action)
		mu.Unlock()
		if !strings.Contains(action, "ver=14.0 ") || !strings.Contains(string(b), `xmlns:ns="http://www.cisco.com/AXL/API/14.0"`) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(599)
			io.WriteString(w, "Incorrect axl version. Supported axl versions: 11.5,12.5,14")
			return
		}
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		io.WriteString(w, `<?xml version='1.0' encoding='utf-8'?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><ns:getCCMVersionResponse xmlns:ns="http://www.cisco.com/AXL/API/14.0"><return><componentVersion><version>14.0.1.11900(132)</version></componentVersion></return></ns:getCCMVersionResponse></soapenv:Body></soapenv:Envelope>`)
	}))
	defer srv.Close()
	sc, err := soap.New(soap.Options{User: "u", Password: "p", Retries: 3})
	if err != nil {
		t.Fatal(err)
	}
	c := axl.New(sc, axl.Options{URL: srv.URL + "/axl/"})
	for range 2 {
		if v, err := c.CCMVersion(context.Background()); err != nil || v != "14.0.1.11900(132)" {
			t.Fatalf("CCMVersion = %q, %v", v, err)
		}
	}
	want := []string{`"CUCM:DB ver=15.0 getCCMVersion"`, `"CUCM:DB ver=14.0 getCCMVersion"`, `"CUCM:DB ver=14.0 getCCMVersion"`}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("SOAPActions sent (-want +got):\n%s", diff)
	}
}

// TestVersionNegotiationIsPerClient: a second client starts again from DefaultVersion.
func TestVersionNegotiationIsPerClient(t *testing.T) {
	ts, u, p := simWithVersions(t, `"11.5", "12.5", "14.0"`)
	for i := range 2 {
		sc, err := soap.New(soap.Options{User: u, Password: p})
		if err != nil {
			t.Fatal(err)
		}
		c := axl.New(sc, axl.Options{URL: ts.URL + cucmsim.AXLPath})
		if c.Version() != axl.DefaultVersion {
			t.Fatalf("client %d starts with %q", i, c.Version())
		}
		if _, err := c.CCMVersion(context.Background()); err != nil {
			t.Fatal(err)
		}
		if c.Version() != "14.0" || sc.Stats().Requests != 2 {
			t.Fatalf("client %d: version %q after %d requests", i, c.Version(), sc.Stats().Requests)
		}
	}
}

func TestSupportedVersions(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string
	}{
		{"cucm 14", "Incorrect axl version. Supported axl versions: 11.5,12.5,14", []string{"11.5", "12.5", "14.0"}},
		{"simulator", "Incorrect axl version. Supported axl versions: 11.5,12.5,14.0", []string{"11.5", "12.5", "14.0"}},
		{"spaces and trailing dot", "Supported AXL versions: 12.5, 14.0, 15.", []string{"12.5", "14.0", "15.0"}},
		{"in html", "<html><body><p>Incorrect axl version. Supported axl versions: 10.5,11.0</p></body></html>", []string{"10.5", "11.0"}},
		{"no list", "Incorrect axl version", nil},
		{"empty", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, axl.SupportedVersions(tc.body)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
