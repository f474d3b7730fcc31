package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/examples"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
)

// TestCollectTimeout: against a cluster too slow for --timeout, collect and run store what they
// read as a partial snapshot (exit 4, not a failure) whose coverage names the deadline; a
// negative --timeout is a usage error.
func TestCollectTimeout(t *testing.T) {
	data, err := examples.Scenario("tiny")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := cucmsim.ParseScenario("tiny.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	sc.Faults.SlowResponse = 100 * time.Millisecond
	hs, sim := testtool.Sim(t, sc)
	user, pass := sim.Credentials()
	setCollectorEnv(t, map[string]string{"AXL_URL": hs.URL + cucmsim.AXLPath, "AXL_USER": user, "AXL_PASS": pass,
		"RISPORT_RATE_LIMIT": "1000", "RISPORT_RATE_WINDOW": "1s", "COLLECT_TIMEOUT": "1h"})
	db := filepath.Join(t.TempDir(), "a.db")

	start := time.Now()
	code, stdout, stderr := runCLI(t, "collect", "--db", db, "--timeout", "600ms")
	if code != exitIncomplete || !strings.Contains(stdout, "snapshot 1 partial") {
		t.Fatalf("collect: exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("collect ended %s after it started, with a 600ms deadline", d)
	}
	for _, want := range []string{`level=WARN msg="collection deadline reached`, "reading stopped at the collection deadline (600ms)"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	code, stdout, stderr = runCLI(t, "show", "--db", db, "--snapshot", "1")
	if code != 0 || !strings.Contains(stdout, "collection deadline (600ms) reached before this was read to the end") {
		t.Errorf("show: exit %d, coverage does not name the deadline:\n%s%s", code, stdout, stderr)
	}

	code, stdout, stderr = runCLI(t, "run", "--db", db, "--timeout", "600ms", "--format", "json", "--out", t.TempDir())
	if code != exitIncomplete {
		t.Errorf("run: exit %d, want %d:\n%s%s", code, exitIncomplete, stdout, stderr)
	}

	if code, _, stderr := runCLI(t, "collect", "--db", db, "--timeout", "-1s"); code != exitUsage || !strings.Contains(stderr, "--timeout -1s: want a positive duration") {
		t.Errorf("negative --timeout: exit %d:\n%s", code, stderr)
	}
}
