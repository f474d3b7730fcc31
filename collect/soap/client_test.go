package soap

import (
	"bytes"
	"context"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const secret = "Zq9-UNIQUE-p4ssw0rd-xyz"

const okBody = `<?xml version='1.0' encoding='utf-8'?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><ns:getCCMVersionResponse xmlns:ns="http://www.cisco.com/AXL/API/15.0"><return><componentVersion><version>15.0.1.12900(234)</version></componentVersion></return></ns:getCCMVersionResponse></soapenv:Body></soapenv:Envelope>`

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// newClient returns a client with fast backoff and a log buffer.
func newClient(t *testing.T, retries int, mod func(*Options)) (*Client, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	o := Options{User: "axladmin", Password: secret, VerifyTLS: true, Retries: retries, InitialBackoff: time.Millisecond,
		MaxBackoff: 5 * time.Millisecond, Timeout: 5 * time.Second,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if mod != nil {
		mod(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c, &logs
}

func versionDecoder(got *string) DecodeFunc {
	return func(d *xml.Decoder, start xml.StartElement) error {
		for {
			tok, err := d.Token()
			if err != nil {
				return err
			}
			if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "version" {
				s, err := Text(d)
				*got = s
				return err
			}
		}
	}
}

type step struct {
	status  int
	ctype   string
	body    string
	headers map[string]string
	cut     bool // close the connection mid-body
}

// script serves the steps in order, then repeats the last one.
func script(t *testing.T, steps ...step) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i >= len(steps) {
			i = len(steps) - 1
		}
		s := steps[i]
		for k, v := range s.headers {
			w.Header().Set(k, v)
		}
		ct := s.ctype
		if ct == "" {
			ct = "text/xml;charset=UTF-8"
		}
		w.Header().Set("Content-Type", ct)
		if s.cut {
			w.Header().Set("Content-Length", "100000")
			w.WriteHeader(s.status)
			w.Write([]byte(s.body))
			return
		}
		w.WriteHeader(s.status)
		w.Write([]byte(s.body))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestCall(t *testing.T) {
	tooLarge := fixture(t, "fault-query-request-too-large_axl-devguide.xml")
	memory := fixture(t, "fault-max-axl-memory-allocation_axl-devguide.xml")
	queue := fixture(t, "fault-listChange-queueId-5007_axl-devguide.xml")
	rate := fixture(t, "ratecontrol-fault_cucm-api-2.4.xml")
	html := "<!DOCTYPE html><html><head><title>Apache Tomcat - Error report</title></head><body>HTTP Status 401</body></html>"
	tests := []struct {
		name     string
		steps    []step
		retries  int
		mod      func(*Options)
		wantErr  string // substring; "" for success
		wantReqs int64
		check    func(t *testing.T, err error)
	}{
		{name: "ok", steps: []step{{status: 200, body: okBody}}, wantReqs: 1},
		{name: "401 is permanent", steps: []step{{status: 401, ctype: "text/html", body: html}}, retries: 3,
			wantErr: "authentication failed at 127.0.0.1", wantReqs: 1},
		{name: "403", steps: []step{{status: 403, ctype: "text/html", body: html}}, retries: 3, wantErr: "HTTP 403", wantReqs: 1},
		{name: "599 names versions", steps: []step{{status: 599, ctype: "text/plain", body: "Incorrect axl version. Supported axl versions: 11.5,12.5,14"}},
			retries: 3, wantErr: "Supported axl versions: 11.5,12.5,14", wantReqs: 1},
		{name: "599 in a long html page", steps: []step{{status: 599, ctype: "text/html", body: "<html><head><title>Error</title><style>" +
			strings.Repeat("p { margin: 0 } ", 60) + "</style></head><body><p>Incorrect axl version. Supported axl versions: 11.5,12.5,14</p></body></html>"}},
			retries: 3, wantErr: "(HTTP 599): Incorrect axl version. Supported axl versions: 11.5,12.5,14", wantReqs: 1},
		{name: "503 then ok", steps: []step{{status: 503, body: ""}, {status: 503, body: ""}, {status: 200, body: okBody}}, retries: 3, wantReqs: 3},
		{name: "502 504 then ok", steps: []step{{status: 502, body: ""}, {status: 504, body: ""}, {status: 200, body: okBody}}, retries: 3, wantReqs: 3},
		{name: "503 retries exhausted", steps: []step{{status: 503, body: ""}}, retries: 2, wantErr: "HTTP 503", wantReqs: 3},
		{name: "retries disabled", steps: []step{{status: 503, body: ""}, {status: 200, body: okBody}}, retries: 0, wantErr: "HTTP 503", wantReqs: 1},
		{name: "retry-after honoured", steps: []step{{status: 503, headers: map[string]string{"Retry-After": "0"}}, {status: 200, body: okBody}}, retries: 1, wantReqs: 2},
		{name: "html with 200", steps: []step{{status: 200, ctype: "text/html", body: "<html><body>login</body></html>"}}, retries: 3,
			wantErr: "answered an HTML page, not SOAP (status 200)", wantReqs: 4},
		{name: "html without content type", steps: []step{{status: 200, ctype: "text/xml", body: "<!DOCTYPE html><html></html>"}, {status: 200, body: okBody}}, retries: 3,
			wantReqs: 2},
		{name: "truncated then ok", steps: []step{{status: 200, body: okBody[:150]}, {status: 200, body: okBody}}, retries: 3, wantReqs: 2},
		{name: "truncated always", steps: []step{{status: 200, body: okBody[:150]}}, retries: 1, wantErr: "ended early", wantReqs: 2},
		{name: "connection cut mid-body", steps: []step{{status: 200, body: okBody[:200], cut: true}, {status: 200, body: okBody}}, retries: 3, wantReqs: 2},
		{name: "too large fault is permanent", steps: []step{{status: 500, body: tooLarge}}, retries: 3, wantReqs: 1,
			check: func(t *testing.T, err error) {
				var f *Fault
				if !errors.As(err, &f) || f.AXLCode != -1 || !strings.Contains(f.String, "Suggestive Row Fetch: less than 844 rows") {
					t.Fatalf("fault = %#v", f)
				}
			}},
		{name: "memory fault retried as throttle", steps: []step{{status: 500, body: memory}, {status: 200, body: okBody}}, retries: 3, wantReqs: 2,
			mod: func(o *Options) {
				o.RetryFault = func(f *Fault) bool { return strings.Contains(f.String, "Maximum AXL Memory") }
			}},
		{name: "namespaced axlError", steps: []step{{status: 500, body: queue}}, retries: 3, wantReqs: 1,
			check: func(t *testing.T, err error) {
				var f *Fault
				if !errors.As(err, &f) || f.AXLCode != 5007 || f.Request != "listChange" {
					t.Fatalf("fault = %#v", f)
				}
			}},
		{name: "rate control waits, not counted", steps: []step{{status: 500, body: rate}, {status: 500, body: rate}, {status: 200, body: okBody}}, retries: 0, wantReqs: 3,
			mod: func(o *Options) {
				o.WaitFault = func(f *Fault) (time.Duration, bool) {
					return time.Millisecond, strings.Contains(f.Code, "RateControl")
				}
			}},
		{name: "rate control over 503", steps: []step{{status: 503, body: rate}, {status: 200, body: okBody}}, retries: 0, wantReqs: 2,
			mod: func(o *Options) {
				o.WaitFault = func(f *Fault) (time.Duration, bool) { return time.Millisecond, true }
			}},
		{name: "rate control gives up", steps: []step{{status: 500, body: rate}}, retries: 0, wantErr: "still rate-limited", wantReqs: 3,
			mod: func(o *Options) {
				o.MaxWaits = 2
				o.WaitFault = func(f *Fault) (time.Duration, bool) { return time.Millisecond, true }
			}},
		{name: "body bound", steps: []step{{status: 200, body: okBody}}, retries: 3, wantErr: "exceeds 100 bytes", wantReqs: 1,
			mod: func(o *Options) { o.MaxBody = 100 }},
		{name: "500 not soap", steps: []step{{status: 500, ctype: "text/plain", body: "boom"}}, retries: 3, wantErr: "HTTP 500", wantReqs: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, n := script(t, tc.steps...)
			c, logs := newClient(t, tc.retries, tc.mod)
			var got string
			err := c.Call(context.Background(), Request{URL: srv.URL + "/axl/", SOAPAction: "CUCM:DB ver=15.0 getCCMVersion", Body: []byte("<x/>")}, versionDecoder(&got))
			if tc.wantErr == "" && tc.check == nil {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if got != "15.0.1.12900(234)" {
					t.Fatalf("version = %q", got)
				}
			} else if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if tc.check != nil {
				tc.check(t, err)
			}
			if n.Load() != tc.wantReqs {
				t.Errorf("requests = %d, want %d", n.Load(), tc.wantReqs)
			}
			if err != nil && strings.Contains(err.Error(), secret) || strings.Contains(logs.String(), secret) {
				t.Fatal("password leaked")
			}
		})
	}
}

func TestCookieReuseAndExpiry(t *testing.T) {
	var basic, cookie, expired atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ck, err := r.Cookie("JSESSIONIDSSO"); err == nil {
			if ck.Value == "old" {
				expired.Add(1)
				w.WriteHeader(404)
				return
			}
			cookie.Add(1)
		} else if u, p, ok := r.BasicAuth(); ok && u == "axladmin" && p == secret {
			basic.Add(1)
			v := "old"
			if basic.Load() > 1 {
				v = "new"
			}
			http.SetCookie(w, &http.Cookie{Name: "JSESSIONIDSSO", Value: v, Path: "/", Secure: true, HttpOnly: true})
		} else {
			w.WriteHeader(401)
			return
		}
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		w.Write([]byte(okBody))
	}))
	defer srv.Close()
	c, _ := newClient(t, 0, nil)
	for i := 0; i < 3; i++ {
		var got string
		if err := c.Call(context.Background(), Request{URL: srv.URL + "/axl/", Body: []byte("<x/>")}, versionDecoder(&got)); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	// 1: Basic (gets "old"); 2: cookie "old" → 404 → Basic (gets "new"); 3: cookie "new".
	if basic.Load() != 2 || expired.Load() != 1 || cookie.Load() != 1 {
		t.Fatalf("basic=%d expired=%d cookie=%d", basic.Load(), expired.Load(), cookie.Load())
	}
}

func TestTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.Write([]byte(okBody))
	}))
	defer srv.Close()
	var got string
	req := Request{URL: srv.URL + "/axl/", Body: []byte("<x/>")}

	c, _ := newClient(t, 2, nil)
	err := c.Call(context.Background(), req, versionDecoder(&got))
	var te *TLSError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "AXL_CA_FILE") {
		t.Fatalf("verified call: err = %v, want a TLSError", err)
	}

	ca := t.TempDir() + "/ca.pem"
	writePEM(t, ca, srv.Certificate().Raw)
	c, _ = newClient(t, 0, func(o *Options) { o.CAFile = ca })
	if err := c.Call(context.Background(), req, versionDecoder(&got)); err != nil {
		t.Fatalf("with CA file: %v", err)
	}

	c, logs := newClient(t, 0, func(o *Options) { o.VerifyTLS = false })
	if err := c.Call(context.Background(), req, versionDecoder(&got)); err != nil {
		t.Fatalf("verification off: %v", err)
	}
	if !strings.Contains(logs.String(), "verification is OFF") {
		t.Fatalf("no warning logged: %s", logs)
	}
}

func TestTimeoutAndCancel(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	var got string
	c, _ := newClient(t, 1, func(o *Options) { o.Timeout = 20 * time.Millisecond })
	err := c.Call(context.Background(), Request{URL: srv.URL, Body: []byte("<x/>")}, versionDecoder(&got))
	var to *TimeoutError
	if !errors.As(err, &to) {
		t.Fatalf("err = %v, want TimeoutError", err)
	}
	if c.Stats().Requests != 2 {
		t.Fatalf("requests = %d, want 2 (a timeout is retried)", c.Stats().Requests)
	}

	ctx, cancel := context.WithCancel(context.Background())
	c, _ = newClient(t, 3, nil)
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	err = c.Call(ctx, Request{URL: srv.URL, Body: []byte("<x/>")}, versionDecoder(&got))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func writePEM(t *testing.T, path string, der []byte) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := pem.Encode(f, &pem.Block{Type: "CERTIFICATE", Bytes: der}); err != nil {
		t.Fatal(err)
	}
}

// TestHostOfHidesUserinfo: the host named in errors and logs never carries a password, even
// when the URL does not parse.
func TestHostOfHidesUserinfo(t *testing.T) {
	for raw, want := range map[string]string{
		"https://cucm:8443/axl/":             "cucm:8443",
		"https://u:Pa55-x@cucm:8443/axl/":    "cucm:8443",
		"https://u:Pa55-x%zz@cucm:8443/axl/": "cucm:8443/axl/",
		"u:Pa55-x@cucm:8443":                 "cucm:8443",
	} {
		if got := hostOf(raw); got != want {
			t.Errorf("hostOf(%q) = %q, want %q", raw, got, want)
		}
	}
}
