package soap

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// missingHost is under the reserved .invalid TLD (RFC 6761): it never resolves.
const missingHost = "cucm-pub.no-such-host.invalid"

// TestPermanentTransportErrors: a failure no retry can cure is reported after one attempt,
// typed, with what to change; a transient one is still retried.
func TestPermanentTransportErrors(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, okBody)
	}))
	defer plain.Close()
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, okBody)
	}))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	ca := t.TempDir() + "/ca.pem"
	writePEM(t, ca, tlsSrv.Certificate().Raw)
	ssh := rawServer(t, "SSH-2.0-OpenSSH_9.6\r\n")

	// dnsAnswer makes every dial fail as the resolver would, without a network.
	dnsAnswer := func(e *net.DNSError) func(*Options) {
		return func(o *Options) {
			o.Transport = &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				return nil, &net.OpError{Op: "dial", Net: network, Err: e}
			}}
		}
	}
	tlsAddr := strings.TrimPrefix(tlsSrv.URL, "https://")
	_, port, _ := net.SplitHostPort(tlsAddr)

	tests := []struct {
		name     string
		url      string
		mod      func(*Options)
		wantReqs int64
		wantType func(error) bool
		wantErr  []string
	}{
		{name: "https to a plain HTTP server", url: "https://" + strings.TrimPrefix(plain.URL, "http://") + "/axl/", wantReqs: 1,
			wantType: isEndpoint(EndpointNotTLS),
			wantErr:  []string{"does not speak TLS", "server gave HTTP response to HTTPS client", "check the scheme of AXL_URL"}},
		{name: "https to a service that is neither TLS nor HTTP", url: "https://" + ssh + "/axl/", wantReqs: 1,
			wantType: isEndpoint(EndpointNotTLS),
			wantErr:  []string{"does not speak TLS", "first record does not look like a TLS handshake", "check the scheme of AXL_URL"}},
		{name: "host not found (resolver answer)", url: "https://" + missingHost + ":8443/axl/", wantReqs: 1,
			mod:      dnsAnswer(&net.DNSError{Err: "no such host", Name: missingHost, IsNotFound: true}),
			wantType: isEndpoint(EndpointHostNotFound),
			wantErr:  []string{"host not found", missingHost + ":8443", "check the host name in AXL_URL"}},
		{name: "temporary DNS failure is retried", url: "https://" + missingHost + ":8443/axl/", wantReqs: 4,
			mod:      dnsAnswer(&net.DNSError{Err: "server misbehaving", Name: missingHost, IsTemporary: true}),
			wantType: func(err error) bool { var ne *netError; return errors.As(err, &ne) },
			wantErr:  []string{"server misbehaving"}},
		{name: "certificate of an unknown authority", url: tlsSrv.URL + "/axl/", wantReqs: 1,
			wantType: isTLS, wantErr: []string{"not trusted", "unknown authority", "AXL_CA_FILE"}},
		{name: "certificate for another name", url: "https://localhost:" + port + "/axl/", wantReqs: 1,
			mod:      func(o *Options) { o.CAFile = ca },
			wantType: isTLS, wantErr: []string{"not valid for that name", "not localhost", "use a host name the certificate holds in AXL_URL"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, logs := newClient(t, 3, tc.mod)
			var got string
			err := c.Call(context.Background(), Request{URL: tc.url, SOAPAction: "CUCM:DB ver=15.0 getCCMVersion", Body: []byte("<x/>")}, versionDecoder(&got))
			if err == nil || !tc.wantType(err) {
				t.Fatalf("err = %#v (%v), not of the expected type", err, err)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %q, want it to contain %q", err, w)
				}
			}
			if n := c.Stats().Requests; n != tc.wantReqs {
				t.Errorf("attempts = %d, want %d", n, tc.wantReqs)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(logs.String(), secret) {
				t.Fatal("password leaked")
			}
		})
	}
}

// TestHostNotFoundRealResolver resolves a name under .invalid with the system resolver. It
// skips where the resolver cannot answer at all (no DNS in the sandbox).
func TestHostNotFoundRealResolver(t *testing.T) {
	_, err := net.DefaultResolver.LookupHost(context.Background(), missingHost)
	var dns *net.DNSError
	if !errors.As(err, &dns) || !dns.IsNotFound {
		t.Skipf("the resolver here does not answer NXDOMAIN for %s: %v", missingHost, err)
	}
	c, _ := newClient(t, 3, nil)
	var got string
	err = c.Call(context.Background(), Request{URL: "https://" + missingHost + ":8443/axl/", Body: []byte("<x/>")}, versionDecoder(&got))
	var ee *EndpointError
	if !errors.As(err, &ee) || ee.Problem != EndpointHostNotFound || !errors.As(err, &dns) {
		t.Fatalf("err = %v, want an EndpointError wrapping the DNSError", err)
	}
	if !strings.Contains(err.Error(), "check the host name in AXL_URL") {
		t.Errorf("err = %q", err)
	}
	if n := c.Stats().Requests; n != 1 {
		t.Errorf("attempts = %d, want 1", n)
	}
}

func isEndpoint(p EndpointProblem) func(error) bool {
	return func(err error) bool {
		var ee *EndpointError
		return errors.As(err, &ee) && ee.Problem == p
	}
}

func isTLS(err error) bool {
	var te *TLSError
	return errors.As(err, &te)
}

// rawServer accepts TCP connections on loopback, writes greeting and closes each: a service
// that speaks neither TLS nor HTTP.
func rawServer(t *testing.T, greeting string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			io.WriteString(conn, greeting)
			conn.Close()
		}
	}()
	return ln.Addr().String()
}
