package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/examples"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
)

// collectorEnv lists every variable the collector reads; tests set each one so the
// developer's own environment never leaks in.
var collectorEnv = []string{"AXL_URL", "RISPORT_URL", "AXL_USER", "AXL_PASS", "AXL_PASS_FILE", "AXL_VERIFY_TLS",
	"AXL_CA_FILE", "CUCM_CLUSTER", "AXL_RATE_LIMIT_RETRIES", "AXL_TIMEOUT", "RISPORT_RATE_LIMIT",
	"RISPORT_RATE_WINDOW", "RISPORT_MAX_DEVICES", "CUCM_AUDIT_DB", "MCP_TOKEN", "MCP_TOKEN_FILE", "AXL_MAX_WAIT", "COLLECT_TIMEOUT"}

// setCollectorEnv sets the collector's variables for an in-process run: env, everything else empty.
func setCollectorEnv(t *testing.T, env map[string]string) {
	t.Helper()
	for _, k := range collectorEnv {
		t.Setenv(k, env[k])
	}
}

// runCLI runs the command in process, bounded in time, and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	code = run(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

// tinySim starts the shipped tiny scenario over TLS with httptest's certificate (valid for
// 127.0.0.1) and returns the AXL URL, the host and a CA file holding that certificate.
func tinySim(t *testing.T) (axlURL, host, caFile string, sim *cucmsim.Server) {
	t.Helper()
	data, err := examples.Scenario("tiny")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := cucmsim.ParseScenario("tiny.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	sim, err = cucmsim.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(sim.Handler())
	hs.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point of some tests
	hs.StartTLS()
	t.Cleanup(func() { hs.Close(); sim.Close() })
	caFile = filepath.Join(t.TempDir(), "sim-ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: hs.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return hs.URL + cucmsim.AXLPath, strings.TrimPrefix(hs.URL, "https://"), caFile, sim
}

// TestTLSVerification: verification is on by default. Against the simulator's self-signed
// certificate check and collect refuse with a message naming the host and both ways out; with
// AXL_CA_FILE they succeed; with AXL_VERIFY_TLS=false they succeed and warn on stderr.
func TestTLSVerification(t *testing.T) {
	axlURL, host, caFile, sim := tinySim(t)
	user, pass := sim.Credentials()
	base := map[string]string{"AXL_URL": axlURL, "AXL_USER": user, "AXL_PASS": pass, "AXL_RATE_LIMIT_RETRIES": "1",
		"RISPORT_RATE_LIMIT": "1000", "RISPORT_RATE_WINDOW": "1s"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	const warning = "TLS certificate verification is OFF (AXL_VERIFY_TLS=false)"
	tests := []struct {
		name    string
		env     map[string]string
		cmd     string
		code    int
		stderr  []string // must appear on stderr
		absent  []string // must not appear on stderr
		stdout  string
		noStore bool // no snapshot may be written
	}{
		{name: "check refuses a self-signed certificate", env: with(), cmd: "check", code: exitError,
			stderr: []string{"TLS certificate of " + host + " not trusted", "AXL_CA_FILE", "AXL_VERIFY_TLS=false"}, absent: []string{warning}},
		{name: "collect refuses a self-signed certificate", env: with(), cmd: "collect", code: exitError, noStore: true,
			stderr: []string{"TLS certificate of " + host + " not trusted", "AXL_CA_FILE", "AXL_VERIFY_TLS=false"}, absent: []string{warning}},
		{name: "check accepts with AXL_CA_FILE", env: with("AXL_CA_FILE", caFile), cmd: "check", code: exitOK,
			stdout: "check: ok", absent: []string{warning, "not trusted"}},
		{name: "collect accepts with AXL_CA_FILE", env: with("AXL_CA_FILE", caFile), cmd: "collect", code: exitOK,
			stdout: "complete", absent: []string{warning, "not trusted"}},
		{name: "check accepts with AXL_VERIFY_TLS=false and warns", env: with("AXL_VERIFY_TLS", "false"), cmd: "check", code: exitOK,
			stdout: "verification OFF", stderr: []string{warning}},
		{name: "collect accepts with AXL_VERIFY_TLS=false and warns", env: with("AXL_VERIFY_TLS", "false"), cmd: "collect", code: exitOK,
			stdout: "complete", stderr: []string{warning}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			setCollectorEnv(t, tc.env)
			db := filepath.Join(t.TempDir(), "tls.db")
			args := []string{tc.cmd}
			if tc.cmd == "collect" {
				args = append(args, "--db", db)
			}
			code, stdout, stderr := runCLI(t, args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout, stderr)
			}
			for _, s := range tc.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			for _, s := range tc.absent {
				if strings.Contains(stderr, s) {
					t.Errorf("stderr has %q:\n%s", s, stderr)
				}
			}
			if !strings.Contains(stdout, tc.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tc.stdout, stdout)
			}
			if strings.Contains(stdout+stderr, pass) {
				t.Error("the password appears in the output")
			}
			if tc.noStore {
				if st, err := os.Stat(db); err == nil && st.Size() > 0 {
					if n := countRows(t, db, "SELECT count(*) FROM snapshot WHERE status <> 'failed'"); n != 0 {
						t.Errorf("%d usable snapshots written after a refused certificate", n)
					}
				}
			}
		})
	}
}

// TestCheckPlainHTTP: check against the simulator over plain http on loopback says there is no
// TLS rather than claiming a verified certificate; plain http to any other host is refused
// before any request, naming the variable and saying to use https://.
func TestCheckPlainHTTP(t *testing.T) {
	data, err := examples.Scenario("tiny")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := cucmsim.ParseScenario("tiny.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	hs, sim := testtool.Sim(t, sc)
	user, pass := sim.Credentials()
	env := map[string]string{"AXL_URL": hs.URL + cucmsim.AXLPath, "AXL_USER": user, "AXL_PASS": pass, "AXL_RATE_LIMIT_RETRIES": "1",
		"RISPORT_RATE_LIMIT": "1000", "RISPORT_RATE_WINDOW": "1s"}

	setCollectorEnv(t, env)
	code, stdout, stderr := runCLI(t, "check")
	if code != exitOK {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, exitOK, stdout, stderr)
	}
	if want := "TLS:       plain HTTP (loopback simulator), no TLS\n"; !strings.Contains(stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, stdout)
	}
	if strings.Contains(stdout, "verified") {
		t.Errorf("stdout claims verified TLS over plain http:\n%s", stdout)
	}

	env["AXL_URL"] = "http://cucm-pub.example.com:8080/axl/"
	setCollectorEnv(t, env)
	code, stdout, stderr = runCLI(t, "check")
	if code != exitError {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, exitError, stdout, stderr)
	}
	if want := `AXL_URL "http://cucm-pub.example.com:8080/axl/" uses plain http:// to cucm-pub.example.com: use https://`; !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
}
