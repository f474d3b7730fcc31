package cucmsim

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"time"
)

// Listener is the simulator served over HTTP or HTTPS on a network address, as `cucm-audit sim`
// and the demo run it.
type Listener struct {
	// URL is the base URL, e.g. https://127.0.0.1:8443; AXLPath and RisPortPath follow it.
	URL string
	// CertPEM is the self-signed certificate of HTTPS (nil over HTTP): a client's CA file.
	CertPEM []byte
	srv     *http.Server
	done    chan error
}

// Listen serves the simulator on addr ("127.0.0.1:0" picks a free port) until Shutdown. With
// useTLS it serves HTTPS with a certificate for localhost, 127.0.0.1 and ::1 made now, so a
// client verifies TLS against CertPEM as it would against a real cluster.
func (s *Server) Listen(addr string, useTLS bool) (*Listener, error) {
	l := &Listener{srv: &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}, done: make(chan error, 1)}
	var cert tls.Certificate
	if useTLS {
		var err error
		if cert, l.CertPEM, err = SelfSignedCert(); err != nil {
			return nil, fmt.Errorf("making the TLS certificate: %w", err)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", addr, err)
	}
	scheme := "http"
	if useTLS {
		l.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		ln = tls.NewListener(ln, l.srv.TLSConfig)
		scheme = "https"
	}
	l.URL = scheme + "://" + ln.Addr().String()
	go func() { l.done <- l.srv.Serve(ln) }()
	return l, nil
}

// Serve blocks until ctx ends, then shuts the server down (waiting up to 5 seconds for
// requests in flight), or until serving fails.
func (l *Listener) Serve(ctx context.Context) error {
	select {
	case err := <-l.done:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return l.Shutdown(shutCtx)
}

// Shutdown stops the server, waiting for requests in flight until ctx ends.
func (l *Listener) Shutdown(ctx context.Context) error {
	if err := l.srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutting down: %w", err)
	}
	return nil
}

// SelfSignedCert makes an in-memory ECDSA certificate for localhost, 127.0.0.1 and ::1.
func SelfSignedCert() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "localhost", Organization: []string{"cucm-audit simulator"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(30 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pemBytes, nil
}

// WriteBanner tells the user of `cucm-audit sim` where the simulator listens and how to log in:
// src names the scenario's file, caFile where the certificate was written ("" for none).
func (s *Server) WriteBanner(w io.Writer, l *Listener, src, caFile string) {
	fmt.Fprintf(w, "cucm-audit sim: scenario %s (%s), CUCM %s\n", s.sc.Cluster.Name, src, s.sc.Version)
	fmt.Fprintf(w, "  AXL:      %s%s\n", l.URL, AXLPath)
	fmt.Fprintf(w, "  RisPort:  %s%s\n", l.URL, RisPortPath)
	fmt.Fprintf(w, "  user:     %s (password: credentials.password in %s)\n", s.sc.Credentials.User, src)
	if caFile != "" {
		fmt.Fprintf(w, "  CA file:  %s\n", caFile)
	}
	fmt.Fprintln(w, "Serving until interrupted (Ctrl-C).")
}

// WriteStats prints the one-line summary of what the simulator served and injected.
func (s *Server) WriteStats(w io.Writer) {
	st := s.Stats()
	fmt.Fprintf(w, "cucm-audit sim: served %d AXL and %d RisPort requests (%d RateControl faults, %d injected 503s)\n",
		st.Requests["axl"], st.Requests["risport"], st.RateControlFaults, st.HTTP503)
}
