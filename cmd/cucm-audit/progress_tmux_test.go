package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
)

// pacedScenario has more phones than one RisPort answer holds (RISPORT_MAX_DEVICES=40 below),
// so the Phone class is read by prefixes, and eight classes in all: with three requests per
// two-second window the collector waits for the window several times.
const pacedScenario = `
seed: 7
cluster: {name: paced, id: paced}
credentials: {user: axlaudit, password: Paced-Otter-5190!}
nodes:
  - {name: cucm-pub, role: publisher}
  - {name: cucm-sub1, role: subscriber}
cm_groups: [{name: CMG, nodes: [cucm-sub1, cucm-pub]}]
device_pools: [{name: DP, cm_group: CMG}]
device_groups:
  - {name: phones, class: Phone, count: 150, models: [{model: Cisco 8845, weight: 1}], device_pools: [DP], lines: 1, dn_start: 4000,
     risport: {seen: 140, registered: 130, unregistered: 10}}
  - {name: gw, class: Gateway, count: 3, name_pattern: "GW{n}", models: [{model: Cisco VG320, weight: 1}], device_pools: [DP], risport: {seen: 3, registered: 3}}
faults:
  risport_rate_limit: 0
`

var requestCounter = regexp.MustCompile(`(\d+)/(\d+) requests`)

// TestProgressInTerminal runs the built binary's collect in a tmux pane (a real terminal, 200
// columns) against a simulator it must pace itself for, captures the pane while it runs, and
// checks what a person watching would see: the line says when it waits for the RisPort window,
// and no request counter is above its total.
func TestProgressInTerminal(t *testing.T) {
	tmux := testtool.Need(t, "tmux")
	bin := buildCLI(t)
	sc, err := cucmsim.ParseScenario("paced.yaml", []byte(pacedScenario))
	if err != nil {
		t.Fatal(err)
	}
	hs, sim := testtool.Sim(t, sc)
	user, pass := sim.Credentials()

	dir := t.TempDir()
	passFile := filepath.Join(dir, "axl.pass")
	done := filepath.Join(dir, "exit")
	if err := os.WriteFile(passFile, []byte(pass), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"AXL_URL": hs.URL + cucmsim.AXLPath, "AXL_USER": user, "AXL_PASS_FILE": passFile,
		"RISPORT_RATE_LIMIT": "3", "RISPORT_RATE_WINDOW": "2s", "RISPORT_MAX_DEVICES": "40",
		"CUCM_AUDIT_DB": filepath.Join(dir, "audit.db"),
	}
	var script strings.Builder
	for _, k := range collectorEnv {
		fmt.Fprintf(&script, "unset %s\n", k)
	}
	for k, v := range env {
		fmt.Fprintf(&script, "export %s='%s'\n", k, v)
	}
	// The pane stays open after the run so that its last state can be captured too.
	fmt.Fprintf(&script, "'%s' collect\necho $? > '%s'\nsleep 600\n", bin, done)
	scriptFile := filepath.Join(dir, "run.sh")
	if err := os.WriteFile(scriptFile, []byte(script.String()), 0o700); err != nil {
		t.Fatal(err)
	}

	// A server of its own (-S), so the developer's tmux sessions are never touched.
	sock := filepath.Join(dir, "tmux.sock")
	tm := func(args ...string) ([]byte, error) {
		return exec.Command(tmux, append([]string{"-S", sock}, args...)...).CombinedOutput()
	}
	if out, err := tm("new-session", "-d", "-x", "200", "-y", "20", "-s", "progress", "sh "+scriptFile); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() { _, _ = tm("kill-server") })

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var captures []string
	for {
		out, err := tm("capture-pane", "-p", "-t", "progress")
		if err != nil {
			t.Fatalf("tmux capture-pane: %v\n%s", err, out)
		}
		captures = append(captures, string(out))
		if code, err := os.ReadFile(done); err == nil && len(code) > 0 {
			if strings.TrimSpace(string(code)) != "0" {
				t.Fatalf("collect exited %s; the pane:\n%s", code, out)
			}
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("collect did not finish in time; the pane:\n%s", out)
		}
		time.Sleep(150 * time.Millisecond)
	}

	var waits, counters int
	for _, c := range captures {
		for _, line := range strings.Split(c, "\n") {
			if strings.Contains(line, "waiting for the RisPort window (") {
				waits++
			}
			for _, m := range requestCounter.FindAllStringSubmatch(line, -1) {
				counters++
				n, _ := strconv.Atoi(m[1])
				total, _ := strconv.Atoi(m[2])
				if n > total {
					t.Errorf("a request counter above its total: %q", line)
				}
			}
		}
	}
	last := captures[len(captures)-1]
	if waits == 0 || counters == 0 {
		t.Errorf("%d captures of %d show a RisPort wait and %d a request counter, want both; the last:\n%s", waits, len(captures), counters, last)
	}
	if !strings.Contains(last, "snapshot 1 complete") {
		t.Errorf("the summary line is missing after the run:\n%s", last)
	}
	if strings.Contains(last, "requests,") {
		t.Errorf("the progress line was left on the screen:\n%s", last)
	}
}
