package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/examples"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
)

// checkSim starts the tiny scenario over plain http on loopback, with faults applied, and
// returns the collector's environment for it.
func checkSim(t *testing.T, faults func(*cucmsim.Faults)) map[string]string {
	t.Helper()
	data, err := examples.Scenario("tiny")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := cucmsim.ParseScenario("tiny.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if faults != nil {
		faults(&sc.Faults)
	}
	hs, sim := testtool.Sim(t, sc)
	user, pass := sim.Credentials()
	return map[string]string{"AXL_URL": hs.URL + cucmsim.AXLPath, "AXL_USER": user, "AXL_PASS": pass, "AXL_RATE_LIMIT_RETRIES": "1",
		"RISPORT_RATE_LIMIT": "1000", "RISPORT_RATE_WINDOW": "1s"}
}

// TestCheckWhatCollectNeeds: check runs an executeSQLQuery, lists the AXL user's roles, reads
// one RisPort class; a node answering NodeNotResponding makes it exit 4 naming the node, and
// every failure is printed once.
func TestCheckWhatCollectNeeds(t *testing.T) {
	t.Run("ok", func(t *testing.T) {
		setCollectorEnv(t, checkSim(t, nil))
		code, stdout, stderr := runCLI(t, "check")
		if code != exitOK {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
		for _, want := range []string{"executeSQLQuery ok", "roles:     ", "Standard AXL Read Only API Access",
			"RisPort:   one Phone read (nodes: ", "check: ok"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, stdout)
			}
		}
	})
	t.Run("node not responding", func(t *testing.T) {
		setCollectorEnv(t, checkSim(t, func(f *cucmsim.Faults) { f.NodesNotResponding = []string{"cucm-sub1"} }))
		code, stdout, stderr := runCLI(t, "check")
		if code != exitIncomplete {
			t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, exitIncomplete, stdout, stderr)
		}
		want := "PARTIAL:   RisPort node cucm-sub1 answered NodeNotResponding: its devices would be missing from the snapshot\n"
		if strings.Count(stdout, "NodeNotResponding") != 2 || !strings.Contains(stdout, want) { // the node list, and the gap
			t.Errorf("stdout lacks %q once:\n%s", want, stdout)
		}
		if stderr != "cucm-audit: check: a collection now would be partial (1 gap above)\n" {
			t.Errorf("stderr = %q", stderr)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		env := checkSim(t, nil)
		env["AXL_PASS"] = "wrong"
		setCollectorEnv(t, env)
		code, stdout, stderr := runCLI(t, "check")
		if code != exitError {
			t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, exitError, stdout, stderr)
		}
		if !strings.Contains(stdout, "AXL:       FAILED") || !strings.Contains(stdout, "RisPort:   FAILED") {
			t.Errorf("stdout does not say both APIs failed:\n%s", stdout)
		}
		// The cause, once, naming both APIs that met it.
		if !regexp.MustCompile(`^cucm-audit: check: AXL and RisPort: authentication failed at 127\.0\.0\.1:\d+ \(HTTP 401\): check AXL_USER/AXL_PASS\n$`).MatchString(stderr) {
			t.Errorf("stderr = %q", stderr)
		}
	})
}
