package soap

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/internal/scrub"
)

// TestHostileServerEchoesCredentials: a server that echoes the Authorization header (and the
// password in other spellings) in a SOAP fault, an HTML error page, a plain error body or a 599
// body never gets a credential into the error text, the typed error's fields or the log.
func TestHostileServerEchoesCredentials(t *testing.T) {
	const user = "axladmin"
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + secret))
	cases := []struct {
		name   string
		status int
		ctype  string
		body   func(auth string) string
	}{
		{"SOAP fault echoing the header", 500, "text/xml", func(auth string) string {
			return `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault>` +
				`<faultcode>soapenv:Server</faultcode><faultstring>denied for header ` + auth + ` and password ` + secret + `</faultstring>` +
				`<detail><axlError><axlcode>5000</axlcode><axlmessage>` + base64.StdEncoding.EncodeToString([]byte(secret)) + `</axlmessage><request>` + auth + `</request></axlError></detail>` +
				`</soapenv:Fault></soapenv:Body></soapenv:Envelope>`
		}},
		{"HTML error page echoing the header", 502, "text/html", func(auth string) string {
			return `<html><body><h1>Bad gateway</h1><pre>Authorization: ` + html.EscapeString(auth) + `</pre></body></html>`
		}},
		{"plain error body echoing the header", 500, "text/plain", func(auth string) string {
			return "upstream said no to Authorization: " + auth + " (" + strings.ReplaceAll(secret, "-", "%2D") + ")"
		}},
		{"plain error body cut in the middle of the blob", 500, "text/plain", func(auth string) string {
			return strings.Repeat("x", 500) + " " + auth
		}},
		{"599 body echoing the header", 599, "text/plain", func(auth string) string {
			return "Incorrect axl version 15.0, supported: 14.0 12.5 (request had " + auth + ")"
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Authorization") != "Basic "+basic {
					t.Errorf("unexpected Authorization header %q", r.Header.Get("Authorization"))
				}
				w.Header().Set("Content-Type", tc.ctype)
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body(r.Header.Get("Authorization")))
			}))
			defer srv.Close()
			c, logs := newClient(t, 1, nil)
			var got string
			err := c.Call(context.Background(), Request{URL: srv.URL + "/axl/", SOAPAction: "x", Body: []byte("<a/>")}, versionDecoder(&got))
			if err == nil {
				t.Fatal("no error")
			}
			texts := map[string]string{"error": err.Error(), "log": logs.String()}
			var f *Fault
			if errors.As(err, &f) {
				texts["fault fields"] = f.Code + f.String + f.AXLMessage + f.Request
				if !strings.Contains(f.String, scrub.Mark) {
					t.Errorf("fault string %q: the echoed header was not marked", f.String)
				}
			}
			var he *HTTPError
			if errors.As(err, &he) {
				texts["detail"] = he.Detail
			}
			for what, text := range texts {
				// basic[:16] encodes "axladmin:Zq9": what a blob cut short would still show.
				for _, form := range append(scrub.Forms(user, secret), basic[:16]) {
					if strings.Contains(text, form) {
						t.Errorf("%s holds %q: %s", what, form, text)
					}
				}
			}
		})
	}
}
