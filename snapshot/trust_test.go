package snapshot

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestForeignDatabaseRefused: a SQLite file of another application (with or without its own
// application_id, in rollback or WAL mode) is refused by every way of opening, naming the
// file, and its bytes are unchanged.
func TestForeignDatabaseRefused(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		setup []string
		want  string
	}{
		{"no application id", []string{`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)`, `INSERT INTO notes (body) VALUES ('keep me')`}, "it holds notes"},
		{"other application id", []string{`PRAGMA application_id = 1598903374`, `CREATE TABLE t (x)`}, "application_id 0x5f4d544e"},
		{"wal, a table named snapshot", []string{`PRAGMA journal_mode = WAL`, `CREATE TABLE snapshot (id INTEGER)`, `INSERT INTO snapshot VALUES (1)`}, "it holds snapshot"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "other.db")
			raw, err := sql.Open("sqlite3", path)
			must(t, err)
			for _, q := range tc.setup {
				if _, err := raw.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			must(t, raw.Close())
			before, err := os.ReadFile(path)
			must(t, err)
			for name, open := range map[string]func(context.Context, string) (*Store, error){
				"Open": Open, "OpenExisting": OpenExisting, "OpenReadOnly": OpenReadOnly,
			} {
				s, err := open(ctx, path)
				if err == nil {
					s.Close()
					t.Fatalf("%s opened another application's database", name)
				}
				if !errors.Is(err, ErrNotOurs) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s: %v; want ErrNotOurs naming %s and %q", name, err, path, tc.want)
				}
			}
			after, err := os.ReadFile(path)
			must(t, err)
			if !bytes.Equal(before, after) {
				t.Error("the other application's database changed")
			}
		})
	}
	t.Run("not sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "notes.txt")
		must(t, os.WriteFile(path, []byte(strings.Repeat("not a database\n", 20)), 0o644))
		if _, err := Open(ctx, path); !errors.Is(err, ErrNotOurs) || !strings.Contains(err.Error(), "not a SQLite file") {
			t.Errorf("Open of a text file: %v", err)
		}
	})
}

// TestApplicationID: a new database is marked; an older cucm-audit database without the mark
// (schema 4 here) is adopted and marked when a writing command opens it.
func TestApplicationID(t *testing.T) {
	ctx := context.Background()
	appID := func(path string) int64 {
		t.Helper()
		raw, err := sql.Open("sqlite3", path)
		must(t, err)
		defer raw.Close()
		var id int64
		must(t, raw.QueryRow("PRAGMA application_id").Scan(&id))
		return id
	}
	path := filepath.Join(t.TempDir(), "new.db")
	s, err := Open(ctx, path)
	must(t, err)
	s.Close()
	if got := appID(path); got != ApplicationID {
		t.Errorf("application_id of a new database = %#x, want %#x", got, ApplicationID)
	}

	old := filepath.Join(t.TempDir(), "v4.db")
	raw, err := sql.Open("sqlite3", dsn(old, false))
	must(t, err)
	for i := 0; i < 4; i++ {
		if _, err := raw.Exec(migrations[i]); err != nil {
			t.Fatal(err)
		}
	}
	_, err = raw.Exec(`PRAGMA user_version = 4; INSERT INTO snapshot (cluster_id, started_at, status) VALUES ('hq', '2026-01-01T00:00:00Z', 'complete')`)
	must(t, err)
	raw.Close()
	if _, err := OpenReadOnly(ctx, old); err == nil || !strings.Contains(err.Error(), "migrate") {
		t.Errorf("OpenReadOnly of an unmarked schema-4 database: %v; want the migrate hint", err)
	}
	s, err = OpenExisting(ctx, old)
	must(t, err)
	if m, err := s.Get(ctx, 1); err != nil || m.ClusterID != "hq" {
		t.Errorf("snapshot 1 after adopting = %+v, %v", m, err)
	}
	s.Close()
	if got := appID(old); got != ApplicationID {
		t.Errorf("application_id after adopting = %#x, want %#x", got, ApplicationID)
	}
}

// TestNoDatabaseCreated: OpenExisting and OpenReadOnly never create a file; the error names it
// and says to collect first.
func TestNoDatabaseCreated(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "missing.db")
	for name, open := range map[string]func(context.Context, string) (*Store, error){"OpenExisting": OpenExisting, "OpenReadOnly": OpenReadOnly} {
		_, err := open(ctx, path)
		if !errors.Is(err, ErrNoDatabase) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "cucm-audit collect") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files created: %v", entries)
	}
}

// TestCollectionDoesNotLock: while a collection is being written, another connection commits
// an analysis-sized write and reads, a second collection of the cluster is refused with who
// runs it, a collection of another cluster runs; nothing of the running collection is visible
// until Commit, which keeps the reserved id.
func TestCollectionDoesNotLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	s, err := Open(ctx, path)
	must(t, err)
	defer s.Close()
	w, err := s.Begin(ctx, Meta{ClusterID: "hq"})
	must(t, err)
	for i := range 2000 {
		must(t, w.AddDevice(ctx, Device{Name: "SEP" + string(rune('A'+i%26)) + time.Duration(i).String(), Class: "Phone"}))
	}
	must(t, w.SetCoverage(ctx, Coverage{Source: SourceAXL, Item: "devices", Complete: true, Records: 2000}))

	other, err := OpenExisting(ctx, path)
	must(t, err)
	defer other.Close()
	start := time.Now()
	if _, err := other.DB().Exec(`INSERT INTO mail_log (cluster_id, snapshot_id, sent_at, recipients) VALUES ('hq', 0, 'x', 'a@example.org')`); err != nil {
		t.Fatalf("a write during a collection: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("a write during a collection waited %s", d)
	}
	if list, err := other.List(ctx, ""); err != nil || len(list) != 0 {
		t.Errorf("snapshots visible during the collection: %v %v", list, err)
	}
	_, err = other.Begin(ctx, Meta{ClusterID: "hq"})
	var re *RunningError
	if !errors.As(err, &re) || !errors.Is(err, ErrCollectionRunning) || re.Running.PID != os.Getpid() || !strings.Contains(err.Error(), "pid") {
		t.Fatalf("second collection of hq: %v; want a RunningError naming this process", err)
	}
	w2, err := other.Begin(ctx, Meta{ClusterID: "branch"})
	must(t, err)
	m2, err := w2.Commit(ctx, StatusComplete, "15", "")
	must(t, err)
	m, err := w.Commit(ctx, StatusComplete, "15", "")
	must(t, err)
	if m.ID != w.ID() || m2.ID == m.ID {
		t.Errorf("ids: hq %d (reserved %d), branch %d", m.ID, w.ID(), m2.ID)
	}
	var n int
	must(t, s.DB().QueryRow(`SELECT count(*) FROM axl_device WHERE snapshot_id = ?`, m.ID).Scan(&n))
	if n != 2000 {
		t.Errorf("devices published = %d, want 2000", n)
	}
	if c, err := s.Collections(ctx); err != nil || len(c) != 0 {
		t.Errorf("markers after commit: %v %v", c, err)
	}
	assertOnlyDatabase(t, path)
}

// TestStaleCollectionTakenOver: the marker and staging file of a collection whose process is
// gone are taken over by the next collection and recorded as a failed snapshot; nothing of the
// dead collection is counted as data.
func TestStaleCollectionTakenOver(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	s, err := Open(ctx, path)
	must(t, err)
	defer s.Close()
	w, err := s.Begin(ctx, Meta{ClusterID: "hq"})
	must(t, err)
	must(t, w.AddDevice(ctx, Device{Name: "SEP1", Class: "Phone"}))
	dead := w.ID()
	// Pretend the process died: stop this writer without releasing its marker, and give the
	// marker a pid that does not run.
	w.closeStmts()
	w.staging.rollback()
	w.staging.close()
	close(w.stop)
	w.done = true
	_, err = s.DB().Exec(`UPDATE running_collection SET pid = 2147483646`)
	must(t, err)
	staging := w.file
	if _, err := os.Stat(staging); err != nil {
		t.Fatalf("staging file of the dead collection: %v", err)
	}
	if _, err := s.Resolve(ctx, "latest", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("latest with only a dead collection: %v", err)
	}

	w2, err := s.Begin(ctx, Meta{ClusterID: "hq"})
	must(t, err)
	if _, err := os.Stat(staging); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the dead collection's staging file is still there: %v", err)
	}
	m, err := w2.Commit(ctx, StatusComplete, "15", "")
	must(t, err)
	got, err := s.Get(ctx, dead)
	if err != nil || got.Status != StatusFailed || !strings.Contains(got.Note, "interrupted") {
		t.Errorf("the dead collection's snapshot = %+v, %v; want failed, interrupted", got, err)
	}
	if l, err := s.Resolve(ctx, "latest", "hq"); err != nil || l.ID != m.ID {
		t.Errorf("latest = %+v, %v; want %d", l, err, m.ID)
	}
	assertOnlyDatabase(t, path)
}

// assertOnlyDatabase fails when the database's folder holds anything but the database and its
// -wal and -shm files (a staging file left behind).
func assertOnlyDatabase(t *testing.T, path string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(path))
	must(t, err)
	for _, e := range entries {
		switch strings.TrimPrefix(e.Name(), filepath.Base(path)) {
		case "", "-wal", "-shm":
		default:
			t.Errorf("left in the database folder: %s", e.Name())
		}
	}
}

// TestNewTablesStaged: a table a later migration adds with a snapshot_id column is staged and
// published like the others, without any change to the writer's staging code.
func TestNewTablesStaged(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	must(t, err)
	defer s.Close()
	_, err = s.DB().Exec(`CREATE TABLE axl_extra (snapshot_id INTEGER NOT NULL REFERENCES snapshot (id) ON DELETE CASCADE,
		name TEXT NOT NULL, PRIMARY KEY (snapshot_id, name)) WITHOUT ROWID; ALTER TABLE axl_device ADD COLUMN role TEXT NOT NULL DEFAULT ''`)
	must(t, err)
	w, err := s.Begin(ctx, Meta{ClusterID: "hq"})
	must(t, err)
	must(t, w.staging.exec(`INSERT INTO axl_extra (snapshot_id, name) VALUES (?, 'x')`, w.ID()))
	must(t, w.staging.exec(`INSERT INTO axl_device (snapshot_id, name, class, role) VALUES (?, 'SEP1', 'Phone', 'lobby')`, w.ID()))
	m, err := w.Commit(ctx, StatusComplete, "15", "")
	must(t, err)
	var name, role string
	must(t, s.DB().QueryRow(`SELECT e.name, d.role FROM axl_extra e JOIN axl_device d USING (snapshot_id) WHERE snapshot_id = ?`, m.ID).Scan(&name, &role))
	if name != "x" || role != "lobby" {
		t.Errorf("published %q %q", name, role)
	}
}

// TestBeginFolderNotWritable: a database the user may write, in a folder the user may not
// write (the -wal and -shm exist because another process has the database open), is refused
// before any snapshot id is reserved, saying which folder and why. As root the check runs in a
// copy of this test binary as uid 65534 (root may write anywhere); otherwise in a 0555 folder.
func TestBeginFolderNotWritable(t *testing.T) {
	ctx := context.Background()
	if path := os.Getenv("SNAPSHOT_TEST_RO_FOLDER_DB"); path != "" {
		// The child: the same checks, as the unprivileged user.
		beginInReadOnlyFolder(t, path)
		return
	}
	dir, err := os.MkdirTemp("", "cucm-audit-rofolder-")
	must(t, err)
	t.Cleanup(func() { os.Chmod(dir, 0o755); os.RemoveAll(dir) })
	must(t, os.Chmod(dir, 0o755))
	path := filepath.Join(dir, "audit.db")
	owner, err := Open(ctx, path) // kept open: the -wal and -shm stay
	must(t, err)
	defer owner.Close()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		must(t, os.Chmod(path+suffix, 0o666))
	}
	if os.Geteuid() != 0 {
		must(t, os.Chmod(dir, 0o555))
		beginInReadOnlyFolder(t, path)
	} else {
		asNobody(t, "TestBeginFolderNotWritable", "SNAPSHOT_TEST_RO_FOLDER_DB="+path)
	}
	// No id was burnt: the next snapshot, in a writable folder, is number 1.
	must(t, os.Chmod(dir, 0o755))
	w, err := owner.Begin(ctx, Meta{ClusterID: "c1"})
	must(t, err)
	defer w.Abort()
	if w.ID() != 1 {
		t.Errorf("the first snapshot after the refused one has id %d, want 1", w.ID())
	}
}

func beginInReadOnlyFolder(t *testing.T, path string) {
	ctx := context.Background()
	s, err := Open(ctx, path)
	must(t, err)
	defer s.Close()
	_, err = s.Begin(ctx, Meta{ClusterID: "c1"})
	want := "starting snapshot: folder " + filepath.Dir(path) + " is not writable: collect needs to create its staging file there"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("Begin in a folder that is not writable: %v\nwant %s …", err, want)
	}
	t.Log(err)
	if cs, err := s.Collections(ctx); err != nil || len(cs) != 0 {
		t.Errorf("collections after the refusal: %v, %v; want none", cs, err)
	}
}

// asNobody runs test in a copy of this test binary as uid 65534, with env added, and fails when
// it fails: root may write anywhere, so a folder it may not write needs another user.
func asNobody(t *testing.T, test string, env ...string) {
	t.Helper()
	binDir, err := os.MkdirTemp("", "cucm-audit-testbin-")
	must(t, err)
	t.Cleanup(func() { os.RemoveAll(binDir) })
	must(t, os.Chmod(binDir, 0o755))
	self, err := os.Executable()
	must(t, err)
	b, err := os.ReadFile(self)
	must(t, err)
	exe := filepath.Join(binDir, "snapshot.test")
	must(t, os.WriteFile(exe, b, 0o755))
	cmd := exec.Command(exe, "-test.run=^"+test+"$", "-test.v")
	cmd.Env = append(append(os.Environ(), env...), "HOME="+binDir)
	cmd.Dir = binDir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("as uid 65534: %v\n%s", err, out)
	}
	t.Logf("as uid 65534:\n%s", out)
}

// TestRefreshImmutable: a store opened immutable (another user's database, no -shm) is
// reopened by Refresh once the file changed (here rewritten whole, as a checkpoint of its
// owner's collection would change it), and only then: an immutable reader assumes a file that
// never changes.
func TestRefreshImmutable(t *testing.T) {
	if path := os.Getenv("SNAPSHOT_TEST_IMMUTABLE_DB"); path != "" {
		refreshImmutable(t, path, os.Getenv("SNAPSHOT_TEST_IMMUTABLE_NEXT"))
		return
	}
	ctx := context.Background()
	build := func(snapshots int) []byte {
		p := filepath.Join(t.TempDir(), "v.db")
		s, err := Open(ctx, p)
		must(t, err)
		for range snapshots {
			w, err := s.Begin(ctx, Meta{ClusterID: "c1", AXLHost: "cucm-pub:8443"})
			must(t, err)
			_, err = w.Commit(ctx, StatusComplete, "15.0", "")
			must(t, err)
		}
		must(t, s.Close())
		b, err := os.ReadFile(p)
		must(t, err)
		return b
	}
	dir, err := os.MkdirTemp("", "cucm-audit-immutable-")
	must(t, err)
	t.Cleanup(func() { os.Chmod(dir, 0o755); os.RemoveAll(dir) })
	must(t, os.Chmod(dir, 0o755))
	path, next := filepath.Join(dir, "audit.db"), filepath.Join(dir, "next.db")
	must(t, os.WriteFile(path, build(1), 0o666))
	must(t, os.Chmod(path, 0o666))
	must(t, os.WriteFile(next, build(2), 0o644))
	if os.Geteuid() != 0 {
		must(t, os.Chmod(dir, 0o555))
		refreshImmutable(t, path, next)
		return
	}
	asNobody(t, "TestRefreshImmutable", "SNAPSHOT_TEST_IMMUTABLE_DB="+path, "SNAPSHOT_TEST_IMMUTABLE_NEXT="+next)
}

func refreshImmutable(t *testing.T, path, next string) {
	ctx := context.Background()
	s, err := OpenReadOnly(ctx, path)
	must(t, err)
	defer s.Close()
	count := func() int {
		t.Helper()
		l, err := s.List(ctx, "")
		must(t, err)
		return len(l)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d snapshots, want 1", n)
	}
	if changed, err := s.Refresh(ctx); changed || err != nil {
		t.Fatalf("Refresh of an unchanged file = %v, %v; want false", changed, err)
	}
	b, err := os.ReadFile(next)
	must(t, err)
	must(t, os.WriteFile(path, b, 0o666)) // the file may be written, its folder not
	if changed, err := s.Refresh(ctx); !changed || err != nil {
		t.Fatalf("Refresh after the file changed = %v, %v; want true", changed, err)
	}
	if n := count(); n != 2 {
		t.Errorf("%d snapshots after Refresh, want 2", n)
	}
	if changed, err := s.Refresh(ctx); changed || err != nil {
		t.Errorf("second Refresh = %v, %v; want false", changed, err)
	}
}
