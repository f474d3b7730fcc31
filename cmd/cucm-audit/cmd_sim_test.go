package main

import (
	"crypto/x509"
	"encoding/pem"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestLoadSimScenario(t *testing.T) {
	sc, src, err := loadSimScenario("tiny")
	if err != nil || sc.Cluster.ID != "tiny-lab" || src != "shipped scenario tiny" {
		t.Fatalf("shipped: %v %q %v", sc, src, err)
	}
	path := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(path, []byte("seed: 1\nqurey: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = loadSimScenario(path)
	if want := "sim: bad.yaml:2: field qurey not found"; err == nil || err.Error() != want {
		t.Errorf("broken file: %v, want %q", err, want)
	}
	if _, _, err := loadSimScenario("no-such-scenario"); exitCode(err, io.Discard) != exitUsage {
		t.Errorf("unknown scenario: %v, want a usage error", err)
	}
}

func TestSelfSignedCert(t *testing.T) {
	_, pemBytes, err := selfSignedCert()
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
