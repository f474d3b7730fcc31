package soap_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/collect/soap"
)

// fuzzTransport answers every request with one status, content type and body.
type fuzzTransport struct {
	status int
	ctype  string
	body   []byte
}

func (f fuzzTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: f.status, Header: http.Header{"Content-Type": {f.ctype}, "Retry-After": {"1"}},
		Body: io.NopCloser(bytes.NewReader(f.body)), Request: r,
	}, nil
}

// FuzzCall feeds an arbitrary answer (status, content type, body) to the transport's read path:
// envelope walk, fault parsing, HTML and truncation detection. It must never panic or hang,
// must classify every failure as one of the documented error types, must never let the
// password through into an error, and must give the same outcome twice.
// Seeds: testdata/fuzz/FuzzCall (the devguide faults, a RateControl fault, HTML pages, broken XML).
func FuzzCall(f *testing.F) {
	f.Add(200, "text/xml", []byte(`<Envelope><Body><r><x>1</x></r></Body></Envelope>`))
	f.Add(500, "text/xml;charset=UTF-8", []byte(`<Envelope><Body><Fault><faultcode>ns1:Server.RateControl</faultcode><faultstring>Exceeded allowed rate for Reatime information</faultstring></Fault></Body></Envelope>`))
	f.Add(200, "text/html", []byte(`<!doctype html><html><body>starting</body></html>`))
	f.Add(503, "", []byte(``))
	f.Fuzz(func(t *testing.T, status int, ctype string, body []byte) {
		if status < 100 || status > 999 {
			status = 200 + (status%800+800)%800
		}
		const pass = "S3cr3t-Fuzz-Pass"
		call := func() (string, error) {
			c, err := soap.New(soap.Options{User: "u", Password: pass, VerifyTLS: true, Transport: fuzzTransport{status, ctype, body}})
			if err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			err = c.Call(context.Background(), soap.Request{URL: "https://cucm.invalid:8443/axl/", Body: []byte("<x/>")},
				func(d *xml.Decoder, start xml.StartElement) error {
					got.Reset()
					got.WriteString(start.Name.Local)
					for {
						tok, err := d.Token()
						if err != nil {
							return err
						}
						switch tok.(type) {
						case xml.StartElement:
							s, err := soap.Text(d)
							if err != nil {
								return err
							}
							got.WriteString("|" + s)
						case xml.EndElement:
							return nil
						}
					}
				})
			return got.String(), err
		}
		g1, err1 := call()
		g2, err2 := call()
		if g1 != g2 || errText(err1) != errText(err2) {
			t.Fatalf("unstable: %q %v, then %q %v", g1, err1, g2, err2)
		}
		if err1 == nil {
			if status != 200 {
				t.Fatalf("status %d accepted as an answer", status)
			}
			return
		}
		if strings.Contains(err1.Error(), pass) {
			t.Fatalf("password in the error: %v", err1)
		}
		var (
			he *soap.HTTPError
			fa *soap.Fault
			hm *soap.HTMLError
			tr *soap.TruncatedError
			pe *soap.PayloadError
		)
		if !errors.As(err1, &he) && !errors.As(err1, &fa) && !errors.As(err1, &hm) && !errors.As(err1, &tr) && !errors.As(err1, &pe) {
			t.Fatalf("unclassified error %T: %v", err1, err1)
		}
	})
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
