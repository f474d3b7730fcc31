package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/deliver"
	"github.com/cucm-audit/cucm-audit/deliver/smtptest"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// TestCommandsDuringCollection runs a slow collection and, while it runs, a second collect of
// the same cluster, analyze, report, a mailed report whose record fails once, and snapshots.
// The second collect is refused at once naming the running process; the others succeed without
// waiting for the collection; the mail is delivered once and recorded once; the collection
// then publishes its snapshot.
func TestCommandsDuringCollection(t *testing.T) {
	sc, err := cucmsim.ParseScenario("crash.yaml", []byte(crashScenario))
	if err != nil {
		t.Fatal(err)
	}
	hs, sim := testtool.Sim(t, sc)
	user, pass := sim.Credentials()
	setCollectorEnv(t, map[string]string{
		"AXL_URL": hs.URL + cucmsim.AXLPath, "AXL_USER": user, "AXL_PASS": pass, "CUCM_CLUSTER": "crash",
		"RISPORT_RATE_LIMIT": "1000", "RISPORT_RATE_WINDOW": "1s", "RISPORT_MAX_DEVICES": "40", "AXL_TIMEOUT": "20s",
	})
	ms := smtptest.NewServer(t, smtptest.Options{})
	smtpEnv := ms.Env(nil)
	for _, k := range []string{"SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASS", "SMTP_FROM", "SMTP_CA_FILE", "SMTP_TIMEOUT"} {
		t.Setenv(k, smtpEnv(k))
	}
	t.Setenv("SMTP_PASS_FILE", "")
	dir := t.TempDir()
	db := filepath.Join(dir, "audit.db")
	out := filepath.Join(dir, "reports")

	if code, _, stderr := runCLI(t, "collect", "--db", db); code != exitOK {
		t.Fatalf("first collect: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "analyze", "--db", db, "--snapshot", "1"); code != exitOK {
		t.Fatalf("first analyze: exit %d\n%s", code, stderr)
	}

	f := sim.Faults()
	f.SlowResponse = 250 * time.Millisecond
	if err := sim.SetFaults(f); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	type result struct {
		code           int
		stdout, stderr string
	}
	done := make(chan result, 1)
	go func() {
		var o, e bytes.Buffer
		code := run(context.Background(), []string{"collect", "--db", db}, &o, &e)
		done <- result{code, o.String(), e.String()}
	}()
	// Wait for the collection's marker.
	ro := func() *snapshot.Store {
		s, err := snapshot.OpenReadOnly(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	var running snapshot.Collection
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		s := ro()
		list, err := s.Collections(context.Background())
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 1 {
			running = list[0]
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the slow collection never started")
		}
	}

	timed := func(name string, ctx context.Context, args ...string) (result, time.Duration) {
		t.Helper()
		var o, e bytes.Buffer
		t0 := time.Now()
		code := run(ctx, args, &o, &e)
		return result{code, o.String(), e.String()}, time.Since(t0)
	}
	var figures []string
	check := func(name string, r result, d time.Duration, wantCode int, wantErr ...string) {
		t.Helper()
		if r.code != wantCode {
			t.Errorf("%s during the collection: exit %d, want %d\n%s", name, r.code, wantCode, r.stderr)
		}
		for _, w := range wantErr {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", name, w, r.stderr)
			}
		}
		// Nothing waits for the collection (the busy timeout is 5 s).
		if d > 3*time.Second {
			t.Errorf("%s took %s during the collection", name, d)
		}
		figures = append(figures, name+"="+d.Round(time.Millisecond).String())
	}

	host, _ := os.Hostname()
	r, d := timed("collect", context.Background(), "collect", "--db", db)
	check("second collect", r, d, exitError, "a collection of cluster crash into "+db+" is already running since",
		"pid "+strconv.Itoa(os.Getpid())+" on host "+host)
	r, d = timed("analyze", context.Background(), "analyze", "--db", db, "--snapshot", "1")
	check("analyze", r, d, exitOK)
	r, d = timed("report", context.Background(), "report", "--db", db, "--snapshot", "1", "--format", "md,json", "--out", out)
	check("report", r, d, exitOK)
	failures := 0
	failOnce := deliver.WithConfirmHook(context.Background(), func(attempt int) error {
		if attempt == 1 {
			failures++
			return errors.New("forced: database is locked")
		}
		return nil
	})
	r, d = timed("mailed report", failOnce, "report", "--db", db, "--snapshot", "1", "--format", "md,json", "--out", out,
		"--mail-to", "noc@example.org", "--mail-attach", "md")
	check("mailed report (record failing once)", r, d, exitOK, "e-mailed md to noc@example.org")
	r, d = timed("snapshots", context.Background(), "snapshots", "--db", db)
	check("snapshots", r, d, exitOK, "collection of cluster crash since", "will be snapshot "+strconv.FormatInt(running.SnapshotID, 10)+"): running")
	if strings.Contains(r.stdout, strconv.FormatInt(running.SnapshotID, 10)+"  crash") {
		t.Errorf("snapshots lists the running collection as a snapshot:\n%s", r.stdout)
	}

	s := ro()
	stillRunning, err := s.Collections(context.Background())
	s.Close()
	if err != nil || len(stillRunning) != 1 {
		t.Fatalf("the collection ended before the other commands did (%v, %v): slow the scenario down", stillRunning, err)
	}
	res := <-done
	collection := time.Since(start)
	if res.code != exitOK || res.stdout != "snapshot "+strconv.FormatInt(running.SnapshotID, 10)+" complete\n" {
		t.Fatalf("the slow collection: exit %d, %q\n%s", res.code, res.stdout, res.stderr)
	}

	if failures != 1 {
		t.Errorf("the record was forced to fail %d times, want 1", failures)
	}
	if n := len(ms.Messages()); n != 1 {
		t.Errorf("the server received %d messages, want 1", n)
	}
	s = ro()
	defer s.Close()
	var rows, sent int
	if err := s.DB().QueryRow(`SELECT count(*), count(*) FILTER (WHERE state = 'sent' AND confirmed_at != '') FROM mail_log`).Scan(&rows, &sent); err != nil {
		t.Fatal(err)
	}
	if rows != 1 || sent != 1 {
		t.Errorf("mail_log holds %d rows, %d confirmed; want 1, 1", rows, sent)
	}
	var analyses int
	if err := s.DB().QueryRow(`SELECT count(*) FROM analysis WHERE snapshot_id = 1`).Scan(&analyses); err != nil || analyses != 2 {
		t.Errorf("analyses of snapshot 1 = %d (%v), want 2", analyses, err)
	}
	if list, _ := s.Collections(context.Background()); len(list) != 0 {
		t.Errorf("markers after the collection: %+v", list)
	}
	assertDBFolder(t, db)
	t.Logf("concurrency: collection=%s %s mails=1 mail_log_rows=1 forced_record_failures=1", collection.Round(time.Millisecond), strings.Join(figures, " "))
}

// assertDBFolder fails when the database's folder holds anything but the database, its -wal and
// -shm, and the reports folder.
func assertDBFolder(t *testing.T, db string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(db))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		switch strings.TrimPrefix(e.Name(), filepath.Base(db)) {
		case "", "-wal", "-shm", "reports":
		default:
			if e.Name() != "reports" {
				t.Errorf("left beside the database: %s", e.Name())
			}
		}
	}
}

// TestReadCommandsLowPrivilege copies an analysed database into a folder its user cannot write
// (owned by root, mode 0755, no -wal or -shm) and runs the built binary as another user (uid
// 65534 when the tests run as root, as in CI; otherwise the folder is made read-only): snapshots,
// show, report and mcp work, nothing is created beside the database and its bytes do not change;
// analyze (which writes) fails naming the file.
func TestReadCommandsLowPrivilege(t *testing.T) {
	bin := buildCLI(t)
	src := analyzeDB(t)
	if code, _, stderr := runCLI(t, "analyze", "--db", src); code != exitOK {
		t.Fatalf("analyze: exit %d\n%s", code, stderr)
	}
	dir, err := os.MkdirTemp("", "cucm-audit-ro-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755); os.RemoveAll(dir) })
	data, err := os.ReadFile(src) // analyze closed the database: the WAL is checkpointed into it
	if err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if st, err := os.Stat(src + suffix); err == nil && st.Size() > 0 && suffix == "-wal" {
			t.Fatalf("the source database still has a write-ahead log")
		}
	}
	db := filepath.Join(dir, "audit.db")
	if err := os.WriteFile(db, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := os.MkdirTemp("", "cucm-audit-ro-out-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(out) })
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		cred = &syscall.Credential{Uid: 65534, Gid: 65534}
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(out, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	} else if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	// The binary must be reachable by the other user.
	binDir, err := os.MkdirTemp("", "cucm-audit-bin-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(binDir) })
	os.Chmod(binDir, 0o755)
	exe := filepath.Join(binDir, "cucm-audit")
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	env := childEnv(map[string]string{"HOME": out})
	command := func(args ...string) *exec.Cmd {
		cmd := exec.Command(exe, args...)
		cmd.Env = env
		cmd.Dir = out
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		return cmd
	}
	runAs := func(args ...string) (string, string, error) {
		cmd := command(args...)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		return o.String(), e.String(), err
	}

	for _, args := range [][]string{
		{"snapshots", "--db", db},
		{"snapshots", "--db", db, "--format", "json"},
		{"show", "--db", db},
		{"report", "--db", db, "--format", "md,json,xlsx,pdf", "--out", filepath.Join(out, "reports")},
	} {
		stdout, stderr, err := runAs(args...)
		if err != nil {
			t.Errorf("%s as another user: %v\n%s", strings.Join(args, " "), err, stderr)
			continue
		}
		if !strings.Contains(stdout, "c1") && !strings.Contains(stdout, ".manifest.json") {
			t.Errorf("%s printed:\n%s", args[0], stdout)
		}
	}

	// mcp over stdio with a real client.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := command("mcp", "--db", db)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "ro-test", Version: "1"}, nil).Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatalf("mcp as another user: %v\n%s", err, stderr.String())
	}
	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	answered := 0
	for _, tool := range tools.Tools {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool.Name, Arguments: map[string]any{}})
		if err != nil {
			t.Errorf("mcp %s: %v", tool.Name, err)
			continue
		}
		b, _ := json.Marshal(res.Content)
		if res.IsError && strings.Contains(string(b), "readonly") {
			t.Errorf("mcp %s as another user: %s", tool.Name, b)
		}
		if !res.IsError {
			answered++
		}
	}
	cs.Close()
	if answered == 0 {
		t.Errorf("no MCP tool answered as another user\n%s", stderr.String())
	}

	// analyze writes: refused by the file system, with the file named, and nothing created.
	if _, stderr, err := runAs("analyze", "--db", db); err == nil || !strings.Contains(stderr, db) {
		t.Errorf("analyze as another user: %v\n%s", err, stderr)
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the read-only folder holds %v, want only audit.db", names)
	}
	after, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, after) {
		t.Error("the database changed")
	}
	t.Logf("low-privilege: uid=%v commands=snapshots,show,report,mcp(%d tools answered) files_created=0", map[bool]string{true: "65534", false: "self, folder 0555"}[cred != nil], answered)
}

// TestOtherApplicationsDatabase: every command refuses a SQLite file of another application
// with a message naming it, and leaves its bytes unchanged.
func TestOtherApplicationsDatabase(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "inventory.db")
	raw, err := snapshotRawDB(db, `CREATE TABLE asset (id INTEGER PRIMARY KEY, tag TEXT); INSERT INTO asset (tag) VALUES ('A-1')`)
	if err != nil {
		t.Fatal(err)
	}
	setCollectorEnv(t, map[string]string{"AXL_URL": "https://127.0.0.1:1/axl/", "AXL_USER": "u", "AXL_PASS": "p"})
	for _, args := range [][]string{
		{"collect", "--db", db}, {"analyze", "--db", db}, {"snapshots", "--db", db}, {"show", "--db", db},
		{"report", "--db", db, "--out", filepath.Join(dir, "r")}, {"diff", "--db", db}, {"demo", "--db", db, "--out", filepath.Join(dir, "d")},
	} {
		code, _, stderr := runCLI(t, args...)
		if code == exitOK || !strings.Contains(stderr, db) || !strings.Contains(stderr, "another application") {
			t.Errorf("%s: exit %d\n%s", args[0], code, stderr)
		}
	}
	after, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, after) {
		t.Error("the other application's database changed")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files beside the other application's database: %v", entries)
	}
}

// snapshotRawDB creates a SQLite file with the given statements and returns its bytes.
func snapshotRawDB(path, stmts string) ([]byte, error) {
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		return nil, err
	}
	if _, err := raw.Exec(stmts); err != nil {
		raw.Close()
		return nil, err
	}
	if err := raw.Close(); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

// TestMissingDatabase: analyze, report and the read commands given a database that does not
// exist say so in one line naming it and create nothing.
func TestMissingDatabase(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "missing.db")
	for _, args := range [][]string{{"analyze", "--db", db}, {"snapshots", "--db", db}, {"show", "--db", db},
		{"report", "--db", db, "--out", filepath.Join(dir, "r")}, {"mcp", "--db", db}} {
		code, _, stderr := runCLI(t, args...)
		if code != exitError || !strings.Contains(stderr, "database "+db+" does not exist") || !strings.Contains(stderr, "cucm-audit collect") ||
			strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%s: exit %d\n%s", args[0], code, stderr)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files created: %v", entries)
	}
}

// TestDemoRefusesRealDatabase: demo --db on a database holding a real cluster's snapshots
// refuses and leaves it as it was, also when they were collected through a loopback address
// (an SSH tunnel to the publisher); on its own database it runs again.
func TestDemoRefusesRealDatabase(t *testing.T) {
	ctx := context.Background()
	for _, host := range []string{"cucm-pub.example.org:8443", "127.0.0.1:8443", "localhost:18443"} {
		db := analyzeDB(t) // snapshot of cluster c1, not made by the demo: a real one
		s, err := snapshot.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().Exec(`UPDATE snapshot SET axl_host = ?`, host); err != nil {
			t.Fatal(err)
		}
		s.Close()
		before, err := os.ReadFile(db)
		if err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runCLI(t, "demo", "--db", db, "--out", t.TempDir())
		if code != exitError || !strings.Contains(stderr, "database "+db+" holds snapshots the demo did not make (snapshot 1 of cluster c1 from "+host+")") ||
			!strings.Contains(stderr, "pass another --db") {
			t.Fatalf("demo on a real database from %s: exit %d\n%s", host, code, stderr)
		}
		after, err := os.ReadFile(db)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(before, after) {
			t.Errorf("demo changed the real database from %s", host)
		}
	}
	if testing.Short() {
		return
	}
	own := filepath.Join(t.TempDir(), "demo.db")
	for i := range 2 {
		if code, _, stderr := runCLI(t, "demo", "--db", own, "--out", filepath.Dir(own)); code != exitOK {
			t.Fatalf("demo run %d on its own database: exit %d\n%s", i+1, code, stderr)
		}
	}
}
