package soap

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestHostileEnvelopes: an answer that is not a SOAP envelope holding an answer, or that goes
// beyond the XML bounds, fails with a *PayloadError naming the host, at once and without
// retries (the same answer would come back).
func TestHostileEnvelopes(t *testing.T) {
	const env = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">`
	const op = `<ns1:selectCmDeviceResponse xmlns:ns1="http://schemas.cisco.com/ast/soap">`
	tests := []struct {
		name, body, want string
		mod              func(*Options)
	}{
		{name: "not an envelope", body: `<x/>`, want: "not a SOAP envelope: the root element is <x>"},
		{name: "envelope without namespace", body: `<Envelope><Body><r/></Body></Envelope>`, want: `not a SOAP envelope: <Envelope> is in namespace "", not http://schemas.xmlsoap.org/soap/envelope/`},
		{name: "envelope of another namespace", body: `<e:Envelope xmlns:e="urn:other"><e:Body><r/></e:Body></e:Envelope>`, want: `<Envelope> is in namespace "urn:other"`},
		{name: "Body of another namespace", body: env + `<x:Body xmlns:x="urn:other"><r/></x:Body></soapenv:Envelope>`, want: "has no Body"},
		{name: "empty Body", body: env + `<soapenv:Body/></soapenv:Envelope>`, want: "the SOAP Body is empty"},
		{name: "empty Body with a Header", body: env + `<soapenv:Header><Body><r/></Body></soapenv:Header><soapenv:Body></soapenv:Body></soapenv:Envelope>`,
			want: "the SOAP Body is empty"},
		{name: "no Body", body: env + `<soapenv:Header/></soapenv:Envelope>`, want: "has no Body"},
		{name: "nested too deep", body: env + `<soapenv:Body>` + op + strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100) + `</ns1:selectCmDeviceResponse></soapenv:Body></soapenv:Envelope>`,
			want: "nested deeper than 64 levels"},
		{name: "too many tokens", body: env + `<soapenv:Body>` + op + strings.Repeat("<a/>", 100) + `</ns1:selectCmDeviceResponse></soapenv:Body></soapenv:Envelope>`,
			want: "more than 50 XML tokens", mod: func(o *Options) { o.MaxTokens = 50 }},
		{name: "token too long", body: env + `<soapenv:Body><r` + strings.Repeat(` a="1"`, 100) + `/></soapenv:Body></soapenv:Envelope>`,
			want: "longer than 200 bytes", mod: func(o *Options) { o.MaxTokenBytes = 200 }},
		{name: "decoder refuses the payload", body: okBody, want: "the SOAP Body holds <getCCMVersionResponse>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, n := script(t, step{status: 200, body: tc.body})
			c, _ := newClient(t, 3, tc.mod)
			err := c.Call(context.Background(), Request{URL: srv.URL + "/axl/", Body: []byte("<x/>")}, func(d *xml.Decoder, start xml.StartElement) error {
				if err := Expect(start, "selectCmDeviceResponse", "http://schemas.cisco.com/ast/soap"); err != nil {
					return err
				}
				return d.Skip()
			})
			var pe *PayloadError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "unexpected answer from 127.0.0.1:") {
				t.Fatalf("err = %v, want a PayloadError from the host containing %q", err, tc.want)
			}
			if n.Load() != 1 {
				t.Errorf("requests = %d, want 1 (not retried)", n.Load())
			}
		})
	}
}

// TestNestedBombBounded: 5,000,000 nested elements, streamed, fail at the depth bound after a
// few bytes instead of growing the decoder's stack (about 1.2 GB allocated before the bound).
func TestNestedBombBounded(t *testing.T) {
	const levels = 5_000_000
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>`)
		chunk := strings.Repeat("<a>", 10000)
		for range levels / 10000 {
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
		chunk = strings.Repeat("</a>", 10000)
		for range levels / 10000 {
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
		io.WriteString(w, `</soapenv:Body></soapenv:Envelope>`)
	}))
	defer srv.Close()
	c, _ := newClient(t, 3, nil)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	err := c.Call(context.Background(), Request{URL: srv.URL, Body: []byte("<x/>")}, func(d *xml.Decoder, _ xml.StartElement) error {
		return d.Skip()
	})
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("nested bomb: %v after %s, %d kB allocated", err, elapsed.Round(time.Millisecond), alloc>>10)
	var pe *PayloadError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "nested deeper than 64") {
		t.Fatalf("err = %v, want the depth bound", err)
	}
	if alloc > 32<<20 {
		t.Errorf("%d MB allocated for a refused answer, want a few", alloc>>20)
	}
}

// TestWaitCap: a server asking to wait longer than MaxWait (Retry-After on a 503, a rate-control
// fault with Retry-After) fails the call at once, says why, and logs a WARN line; a wait within
// the cap is obeyed.
func TestWaitCap(t *testing.T) {
	rate := fixture(t, "ratecontrol-fault_cucm-api-2.4.xml")
	day := map[string]string{"Retry-After": "86400"}
	tests := []struct {
		name    string
		steps   []step
		mod     func(*Options)
		reqs    int64
		forever bool // the wait is beyond what a Duration holds
	}{
		{name: "Retry-After 86400 on a 503", steps: []step{{status: 503, headers: day}}, reqs: 1},
		{name: "rate-control fault asking a day", steps: []step{{status: 500, body: rate, headers: day}}, reqs: 1,
			mod: func(o *Options) {
				o.WaitFault = func(*Fault) (time.Duration, bool) { return time.Millisecond, true }
			}},
		{name: "rate-control window longer than the cap", steps: []step{{status: 500, body: rate}}, reqs: 1,
			mod: func(o *Options) {
				o.WaitFault = func(*Fault) (time.Duration, bool) { return time.Hour, true }
			}},
		// Seconds that overflow time.Duration must not wrap to a short (or negative) wait.
		{name: "Retry-After wrapping to 290ms", steps: []step{{status: 503, headers: map[string]string{"Retry-After": "18446744074"}}}, reqs: 1, forever: true},
		{name: "Retry-After wrapping negative", steps: []step{{status: 503, headers: map[string]string{"Retry-After": "9223372037"}}}, reqs: 1, forever: true},
		{name: "Retry-After beyond int64", steps: []step{{status: 503, headers: map[string]string{"Retry-After": "99999999999999999999999"}}}, reqs: 1, forever: true},
		{name: "Retry-After as a date a day ahead", steps: []step{{status: 503, headers: map[string]string{"Retry-After": time.Now().Add(24 * time.Hour).UTC().Format(http.TimeFormat)}}}, reqs: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, n := script(t, tc.steps...)
			c, logs := newClient(t, 3, func(o *Options) {
				o.MaxWait = 2 * time.Minute
				if tc.mod != nil {
					tc.mod(o)
				}
			})
			start := time.Now()
			var got string
			err := c.Call(context.Background(), Request{URL: srv.URL, Body: []byte("<x/>")}, versionDecoder(&got))
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s: the client slept", d)
			}
			var we *WaitError
			if !errors.As(err, &we) || !strings.Contains(err.Error(), "longer than the 2m0s cucm-audit waits (AXL_MAX_WAIT)") {
				t.Fatalf("err = %v, want a WaitError", err)
			}
			if n.Load() != tc.reqs {
				t.Errorf("requests = %d, want %d", n.Load(), tc.reqs)
			}
			// The wait in whole seconds, the host named once.
			host := strings.TrimPrefix(srv.URL, "http://")
			if !regexp.MustCompile(`asked to wait (\d+h\d+m\d+s|for ever) before`).MatchString(err.Error()) || strings.Count(err.Error(), host) != 1 {
				t.Errorf("err = %v, want the wait in whole seconds and %s named once", err, host)
			}
			if tc.forever != strings.Contains(err.Error(), "wait for ever") {
				t.Errorf("err = %v, want for ever: %v", err, tc.forever)
			}
			if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "max_wait=2m0s") {
				t.Errorf("no WARN line for the refused wait:\n%s", logs)
			}
		})
	}
	srv, n := script(t, step{status: 503, headers: map[string]string{"Retry-After": "1"}}, step{status: 200, body: okBody})
	c, _ := newClient(t, 3, func(o *Options) { o.MaxWait = 2 * time.Second })
	var got string
	if err := c.Call(context.Background(), Request{URL: srv.URL, Body: []byte("<x/>")}, versionDecoder(&got)); err != nil || n.Load() != 2 {
		t.Fatalf("a wait within the cap: err = %v after %d requests", err, n.Load())
	}
}

// TestReadDeadline: a call under WithReadDeadline stops at the deadline with a *DeadlineError
// that is not the context's error (the collection goes on storing), and a call after the
// deadline is not sent.
func TestReadDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c, _ := newClient(t, 3, nil)
	ctx := WithReadDeadline(context.Background(), time.Now().Add(100*time.Millisecond), 100*time.Millisecond)
	var got string
	start := time.Now()
	err := c.Call(ctx, Request{URL: srv.URL, Body: []byte("<x/>")}, versionDecoder(&got))
	var de *DeadlineError
	if !errors.As(err, &de) || errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		t.Fatalf("err = %v (ctx %v), want a DeadlineError only", err, ctx.Err())
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("stopped after %s", d)
	}
	if want := "collection deadline (100ms) reached before 127.0.0.1:"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("err = %q, want it to start with %q", err, want)
	}
	before := c.Stats().Requests
	if err := c.Call(ctx, Request{URL: srv.URL, Body: []byte("<x/>")}, versionDecoder(&got)); !errors.As(err, &de) {
		t.Fatalf("after the deadline: err = %v", err)
	}
	if c.Stats().Requests != before {
		t.Error("a request was sent after the deadline")
	}
}

// TestExpectClipsNames: names taken from a hostile answer reach errors (and so coverage and
// logs) short and on one line.
func TestExpectClipsNames(t *testing.T) {
	start := xml.StartElement{Name: xml.Name{Local: strings.Repeat("a", 500), Space: "urn:x\nINJECTED\r" + strings.Repeat("b", 500)}}
	err := Expect(start, "selectCmDeviceResponse", "http://schemas.cisco.com/ast/soap")
	if err == nil || strings.ContainsAny(err.Error(), "\r\n") || len(err.Error()) > 600 {
		t.Fatalf("err = %q", err)
	}
}
