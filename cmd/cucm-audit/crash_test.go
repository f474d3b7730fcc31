package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
	"github.com/cucm-audit/cucm-audit/snapshot"
	"github.com/google/go-cmp/cmp"
)

// buildCLI builds the cucm-audit binary into a temporary folder (the build cache makes the
// second build a link).
func buildCLI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "cucm-audit")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// childEnv is the process environment without any collector variable, plus env.
func childEnv(env map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, c := range collectorEnv {
			if k == c {
				keep = false
			}
		}
		if keep {
			out = append(out, kv)
		}
	}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// countRows runs a count query on a database file.
func countRows(t *testing.T, db, q string, args ...any) int {
	t.Helper()
	store, err := snapshot.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var n int
	if err := store.DB().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// crashScenario has many AXL pages and RisPort batches, so kills find many places to land, and
// is slow (a few ms per answer) so that TestCommandsDuringCollection runs commands during a
// collection; TestCrashSafety, which counts requests, drops the slowness. Written for these tests.
const crashScenario = `
seed: 5
cluster: {name: crash, id: crash}
credentials: {user: axlaudit, password: Crash-Zebra-4471!}
nodes:
  - {name: cucm-pub, role: publisher}
  - {name: cucm-sub1, role: subscriber}
cm_groups: [{name: CMG, nodes: [cucm-sub1, cucm-pub]}]
device_pools: [{name: DP, cm_group: CMG}]
device_groups:
  - {name: phones, class: Phone, count: 400, models: [{model: Cisco 8845, weight: 1}], device_pools: [DP], lines: 1, dn_start: 4000, owner_fraction: 0.5,
     risport: {seen: 300, registered: 280, unregistered: 20}}
  - {name: gw, class: Gateway, count: 5, name_pattern: "GW{n}", models: [{model: Cisco VG320, weight: 1}], device_pools: [DP], risport: {seen: 5, registered: 5}}
faults:
  risport_rate_limit: 0
  risport_max_devices: 40
  risport_stateinfo_paging: true
  slow_response: 8ms
`

// snapRow is one row of the snapshot table.
type snapRow struct {
	id     int64
	status string
}

func listSnapshots(t *testing.T, db *sql.DB) []snapRow {
	t.Helper()
	rows, err := db.Query("SELECT id, status FROM snapshot ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []snapRow
	for rows.Next() {
		var r snapRow
		if err := rows.Scan(&r.id, &r.status); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// killSwitch stands between the simulated cluster and the collector and counts the requests it
// serves. Armed with n, it tells the test when the n-th request has been answered and holds every
// later one until the test has killed the collector: the kill lands after exactly n requests
// served, whatever the machine's speed.
type killSwitch struct {
	h http.Handler

	mu     sync.Mutex
	n      int           // requests arrived in this run
	at     int           // the request after which to kill; 0 serves everything
	served chan struct{} // closed once request at has been answered
	dead   chan struct{} // closed once the collector is dead; held requests then fail
	kinds  []string      // "axl" or "risport" per request, in arrival order
}

func (k *killSwitch) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	k.mu.Lock()
	k.n++
	n, at, served, dead := k.n, k.at, k.served, k.dead
	kind := "risport"
	if r.URL.Path == cucmsim.AXLPath {
		kind = "axl"
	}
	k.kinds = append(k.kinds, kind)
	k.mu.Unlock()
	if at > 0 && n > at {
		<-dead
		http.Error(w, "collector killed", http.StatusServiceUnavailable)
		return
	}
	k.h.ServeHTTP(w, r)
	if n == at {
		close(served)
	}
}

// arm makes the next run stop after request at (0: serve everything) and forgets the last run.
func (k *killSwitch) arm(at int) (served, dead chan struct{}) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.n, k.at, k.kinds = 0, at, nil
	k.served, k.dead = make(chan struct{}), make(chan struct{})
	return k.served, k.dead
}

func (k *killSwitch) requests() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.kinds)
}

// TestCrashSafety SIGKILLs `cucm-audit collect` after N requests served, many times, over one
// database; N is drawn (seeded) in turn among the AXL requests, among the RisPort requests, and
// as the last request, so the kill lands while AXL is paged, while RisPort is read, or while the
// collection is published. Afterwards the database passes PRAGMA integrity_check, every snapshot
// that was complete before is unchanged, and every snapshot row is either complete with the full
// data of an uninterrupted run or partial/failed: no interrupted collection reads as complete.
func TestCrashSafety(t *testing.T) {
	kills := 25
	if testing.Short() {
		kills = 6
	}
	bin := buildCLI(t)
	sc, err := cucmsim.ParseScenario("crash.yaml", []byte(crashScenario))
	if err != nil {
		t.Fatal(err)
	}
	sc.Faults.SlowResponse = 0 // kills count requests, not time
	sim, err := cucmsim.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	ks := &killSwitch{h: sim.Handler()}
	hs := httptest.NewServer(ks)
	t.Cleanup(func() { hs.Close(); sim.Close() })
	user, pass := sim.Credentials()
	db := filepath.Join(t.TempDir(), "crash.db")
	env := childEnv(map[string]string{
		"AXL_URL": hs.URL + cucmsim.AXLPath, "AXL_USER": user, "AXL_PASS": pass, "CUCM_CLUSTER": "crash",
		"RISPORT_RATE_LIMIT": "1000", "RISPORT_RATE_WINDOW": "1s", "RISPORT_MAX_DEVICES": "40", "AXL_TIMEOUT": "20s",
	})
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "collect", "--db", db)
		cmd.Env = env
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	open := func() *snapshot.Store {
		s, err := snapshot.Open(context.Background(), db)
		if err != nil {
			t.Fatalf("opening the database after a kill: %v", err)
		}
		return s
	}

	// An uninterrupted run: the reference data and the requests kills are placed among.
	ks.arm(0)
	if err := waitBounded(start(), time.Minute); err != nil {
		t.Fatalf("reference collect: %v", err)
	}
	kinds := ks.requests()
	fullRequests := len(kinds)
	if fullRequests < 3 {
		t.Fatalf("reference run made %d requests: too few to kill in between", fullRequests)
	}
	phases := map[string][]int{} // request numbers (1-based) after which a kill lands in the phase
	for i, kind := range kinds[:fullRequests-1] {
		phases[kind] = append(phases[kind], i+1)
	}
	phases["commit"] = []int{fullRequests}
	if len(phases["axl"]) == 0 || len(phases["risport"]) == 0 {
		t.Fatalf("reference run: requests %v lack AXL or RisPort", kinds)
	}
	s := open()
	snaps := listSnapshots(t, s.DB())
	if len(snaps) != 1 || snaps[0].status != "complete" {
		t.Fatalf("reference run: %+v", snaps)
	}
	ref := testtool.DumpSnapshot(t, s.DB(), snaps[0].id)
	s.Close()
	intact := map[int64]map[string][]string{snaps[0].id: ref}

	rng := rand.New(rand.NewPCG(20261120, 7))
	killed, finished, midway := 0, 0, 0
	landed := map[string]int{}
	// Runs until `kills` collections were killed (a kill after the last request may come after
	// the end: that only adds a complete snapshot), with a bound on the attempts.
	for i := 0; killed < kills && i < 3*kills; i++ {
		if i%5 == 4 {
			// Now and then an uninterrupted run adds a complete snapshot the later kills must not touch.
			ks.arm(0)
			if err := waitBounded(start(), time.Minute); err != nil {
				t.Fatalf("uninterrupted run: %v", err)
			}
		}
		phase := []string{"axl", "risport", "commit"}[i%3]
		at := phases[phase][rng.IntN(len(phases[phase]))]
		served, dead := ks.arm(at)
		cmd := start()
		done := make(chan error, 1)
		go func() { done <- waitBounded(cmd, time.Minute) }()
		var err error
		select {
		case <-served:
			_ = cmd.Process.Signal(syscall.SIGKILL) // fails only when the run already ended
			err = <-done
		case err = <-done: // fewer requests than the reference run: it ended before request at
		}
		close(dead)
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			killed++
			landed[phase]++
			if at < fullRequests {
				midway++ // the kill landed while the cluster was being read
			}
		} else if err == nil {
			finished++ // the kill came after the end
		} else {
			t.Fatalf("run %d (kill after request %d of %d): %v", i+1, at, fullRequests, err)
		}
		// Every complete snapshot seen so far stays intact; new complete ones hold the full data.
		s := open()
		for _, r := range listSnapshots(t, s.DB()) {
			if r.status != "complete" {
				continue
			}
			d := testtool.DumpSnapshot(t, s.DB(), r.id)
			if want, ok := intact[r.id]; ok {
				if diff := cmp.Diff(want, d); diff != "" {
					t.Fatalf("after kill %d (request %d, %s), complete snapshot %d changed:\n%s", i+1, at, phase, r.id, diff)
				}
				continue
			}
			if diff := cmp.Diff(ref, d); diff != "" {
				t.Fatalf("after kill %d (request %d, %s), snapshot %d reads complete but lacks data of an uninterrupted run:\n%s", i+1, at, phase, r.id, diff)
			}
			intact[r.id] = d
		}
		checkLeftovers(t, s, db)
		s.Close()
	}

	s = open()
	defer s.Close()
	var res string
	if err := s.DB().QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check: %q %v", res, err)
	}
	var fk int
	if err := s.DB().QueryRow("SELECT count(*) FROM pragma_foreign_key_check").Scan(&fk); err != nil || fk != 0 {
		t.Fatalf("foreign_key_check: %d violations %v", fk, err)
	}
	complete := 0
	for _, r := range listSnapshots(t, s.DB()) {
		switch r.status {
		case "complete":
			complete++
			if diff := cmp.Diff(intact[r.id], testtool.DumpSnapshot(t, s.DB(), r.id)); diff != "" {
				t.Errorf("complete snapshot %d changed:\n%s", r.id, diff)
			}
		case "partial", "failed":
		default:
			t.Errorf("snapshot %d has status %q", r.id, r.status)
		}
	}
	// Rows of interrupted collections must not linger under any snapshot id.
	for _, tbl := range testtool.SnapshotTables() {
		var orphans int
		if err := s.DB().QueryRow("SELECT count(*) FROM " + tbl + " WHERE snapshot_id NOT IN (SELECT id FROM snapshot)").Scan(&orphans); err != nil || orphans != 0 {
			t.Errorf("%s: %d rows of no snapshot (%v)", tbl, orphans, err)
		}
	}
	checkLeftovers(t, s, db)
	if landed["axl"] == 0 || landed["risport"] == 0 || midway < killed/2 {
		t.Errorf("kills landed %v (%d of %d while the cluster was being read): want kills in every reading phase", landed, midway, killed)
	}
	t.Logf("crash: kills=%d integrity=%s complete_snapshots_intact=%d mid_collection=%d by_phase=%v finished_before_kill=%d requests_per_run=%d",
		killed, res, complete, midway, landed, finished, fullRequests)
}

// checkLeftovers: what a killed collection leaves is clearly marked and never counted: at most
// one collection marker, of a process that is gone, whose reserved id is no snapshot (yet), and
// besides the database and its -wal/-shm at most that marker's staging file.
func checkLeftovers(t *testing.T, s *snapshot.Store, db string) {
	t.Helper()
	ctx := context.Background()
	running, err := s.Collections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(running) > 1 {
		t.Fatalf("%d collection markers left: %+v", len(running), running)
	}
	allowed := map[string]bool{filepath.Base(db): true, filepath.Base(db) + "-wal": true, filepath.Base(db) + "-shm": true}
	for _, r := range running {
		if s.Alive(r) {
			t.Errorf("the marker of killed pid %d reads as alive", r.PID)
		}
		if _, err := s.Get(ctx, r.SnapshotID); err == nil {
			t.Errorf("the reserved id %d of an interrupted collection is a snapshot", r.SnapshotID)
		}
		allowed[r.Staging] = true
		allowed[r.Staging+"-journal"] = true
	}
	entries, err := os.ReadDir(filepath.Dir(db))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !allowed[e.Name()] {
			t.Errorf("left in the database folder: %s", e.Name())
		}
	}
}

// waitBounded waits for a process, killing it if it outlives limit.
func waitBounded(cmd *exec.Cmd, limit time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(limit):
		cmd.Process.Kill()
		<-done
		return fmt.Errorf("still running after %s: killed", limit)
	}
}
