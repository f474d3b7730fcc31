package main

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
	"os"
	"time"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/examples"
)

// simOptions are the flags of `cucm-audit sim`.
type simOptions struct {
	scenario string
	listen   string
	tls      bool
	certOut  string
}

func runSim(ctx context.Context, args []string, _, stderr io.Writer) error {
	var o simOptions
	fs := newFlagSet("sim", "sim --scenario FILE|NAME [--listen ADDR] [--tls [--cert-out FILE]]", stderr)
	fs.StringVar(&o.scenario, "scenario", "demo", "scenario YAML file, or the name of a shipped one ("+fmt.Sprint(examples.Names())+")")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8443", "address to listen on")
	fs.BoolVar(&o.tls, "tls", false, "serve HTTPS with a self-signed certificate for localhost/127.0.0.1 made at start")
	fs.StringVar(&o.certOut, "cert-out", "", "with --tls, write the certificate (PEM) here so clients can use it as AXL_CA_FILE")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if o.certOut != "" && !o.tls {
		return usageErrorf("sim: --cert-out needs --tls")
	}
	sc, src, err := loadSimScenario(o.scenario)
	if err != nil {
		return err
	}
	sim, err := cucmsim.New(sc)
	if err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	defer sim.Close()

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("sim: listening on %s: %w (pick another --listen address)", o.listen, err)
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	scheme := "http"
	if o.tls {
		cert, pemBytes, err := selfSignedCert()
		if err != nil {
			ln.Close()
			return fmt.Errorf("sim: making the TLS certificate: %w", err)
		}
		if o.certOut != "" {
			if err := os.WriteFile(o.certOut, pemBytes, 0o644); err != nil {
				ln.Close()
				return fmt.Errorf("sim: writing --cert-out: %w", err)
			}
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		ln = tls.NewListener(ln, srv.TLSConfig)
		scheme = "https"
	}
	base := scheme + "://" + ln.Addr().String()
	user, _ := sim.Credentials()
	fmt.Fprintf(stderr, "cucm-audit sim: scenario %s (%s), CUCM %s\n", sc.Cluster.Name, src, sc.Version)
	fmt.Fprintf(stderr, "  AXL:      %s%s\n", base, cucmsim.AXLPath)
	fmt.Fprintf(stderr, "  RisPort:  %s%s\n", base, cucmsim.RisPortPath)
	fmt.Fprintf(stderr, "  user:     %s (password: credentials.password in %s)\n", user, src)
	if o.certOut != "" {
		fmt.Fprintf(stderr, "  CA file:  %s\n", o.certOut)
	}
	fmt.Fprintln(stderr, "Serving until interrupted (Ctrl-C).")

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("sim: serving: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("sim: shutting down: %w", err)
	}
	st := sim.Stats()
	fmt.Fprintf(stderr, "cucm-audit sim: served %d AXL and %d RisPort requests (%d RateControl faults, %d injected 503s)\n",
		st.Requests["axl"], st.Requests["risport"], st.RateControlFaults, st.HTTP503)
	return nil
}

// loadSimScenario reads a scenario file, or a shipped scenario when no such file exists.
func loadSimScenario(arg string) (*cucmsim.Scenario, string, error) {
	if _, err := os.Stat(arg); err == nil {
		sc, err := cucmsim.LoadScenario(arg)
		if err != nil {
			return nil, "", fmt.Errorf("sim: %w", err)
		}
		return sc, arg, nil
	}
	data, err := examples.Scenario(arg)
	if err != nil {
		return nil, "", usageErrorf("sim: --scenario %q is neither a file nor a shipped scenario: %w", arg, err)
	}
	sc, err := cucmsim.ParseScenario(arg+".yaml", data)
	if err != nil {
		return nil, "", fmt.Errorf("sim: %w", err)
	}
	return sc, "shipped scenario " + arg, nil
}

// selfSignedCert makes an in-memory ECDSA certificate for localhost, 127.0.0.1 and ::1.
func selfSignedCert() (tls.Certificate, []byte, error) {
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
