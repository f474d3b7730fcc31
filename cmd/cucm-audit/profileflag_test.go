package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/examples"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
)

// TestProfileFlag: collect and run --profile FILE write a CPU profile (gzip, as pprof writes
// it); a path that cannot be created fails before the cluster is contacted.
func TestProfileFlag(t *testing.T) {
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
	setCollectorEnv(t, map[string]string{"AXL_URL": hs.URL + cucmsim.AXLPath, "AXL_USER": user, "AXL_PASS": pass,
		"RISPORT_RATE_LIMIT": "1000", "RISPORT_RATE_WINDOW": "1s"})
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	for _, args := range [][]string{
		{"collect", "--db", db, "--profile", filepath.Join(dir, "collect.pprof")},
		{"run", "--db", db, "--format", "json", "--out", dir, "--profile", filepath.Join(dir, "run.pprof")},
	} {
		code, stdout, stderr := runCLI(t, args...)
		if code != exitOK && code != exitFindings {
			t.Fatalf("%s: exit %d:\n%s%s", args[0], code, stdout, stderr)
		}
		b, err := os.ReadFile(args[len(args)-1])
		if err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
			t.Errorf("%s --profile wrote no gzip profile (%d bytes, %v)", args[0], len(b), err)
		}
	}
	code, _, stderr := runCLI(t, "collect", "--db", db, "--profile", filepath.Join(dir, "missing", "p.pprof"))
	if code != exitError || !strings.Contains(stderr, "--profile: open ") {
		t.Errorf("unwritable --profile: exit %d:\n%s", code, stderr)
	}
}
