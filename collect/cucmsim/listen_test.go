package cucmsim_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
)

func TestSelfSignedCert(t *testing.T) {
	_, pemBytes, err := cucmsim.SelfSignedCert()
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(pemBytes)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"localhost", "127.0.0.1"} {
		if err := cert.VerifyHostname(host); err != nil {
			t.Errorf("%s: %v", host, err)
		}
	}
}

// TestListenTLS: a client trusting only CertPEM reaches the simulator over HTTPS, and Serve
// returns once its context ends.
func TestListenTLS(t *testing.T) {
	sim, err := cucmsim.New(loadShipped(t, "tiny"))
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	ln, err := sim.Listen("127.0.0.1:0", true)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- ln.Serve(ctx) }()
	if !strings.HasPrefix(ln.URL, "https://127.0.0.1:") {
		t.Errorf("URL = %q", ln.URL)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ln.CertPEM) {
		t.Fatal("CertPEM holds no certificate")
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get(ln.URL + cucmsim.AXLPath)
	if err != nil {
		t.Fatalf("HTTPS with the simulator's certificate as CA: %v", err)
	}
	resp.Body.Close()
	cancel()
	if err := <-served; err != nil {
		t.Errorf("Serve after cancel: %v", err)
	}
}
