package snapshot

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestWriteAndResolve(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w, err := s.Begin(ctx, Meta{ClusterID: "c1", AXLHost: "h"})
	if err != nil {
		t.Fatal(err)
	}
	must(t, w.AddDevice(ctx, Device{Name: "SEP1", Class: "Phone", RisClass: "Phone"}))
	must(t, w.AddDevice(ctx, Device{Name: "SEP2", Class: "Phone", RisClass: "Phone"}))
	must(t, w.AddRisDevice(ctx, RisDevice{Node: "n1", Name: "SEP1", DeviceClass: "Phone", Status: "UnRegistered", TimeStamp: 10}))
	must(t, w.AddRisDevice(ctx, RisDevice{Node: "n2", Name: "SEP1", DeviceClass: "Phone", Status: "Registered", TimeStamp: 20}))
	must(t, w.AddRisDevice(ctx, RisDevice{Node: "n1", Name: "SEPX", DeviceClass: "Phone", Status: "Registered", TimeStamp: 5}))
	must(t, w.SetCoverage(ctx, Coverage{Source: SourceRisPort, Item: ClassItem("Phone"), Complete: true}))
	m, err := w.Commit(ctx, StatusComplete, "15.0.1", "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Resolve(ctx, "latest", "")
	if err != nil || got.ID != m.ID || got.Status != StatusComplete {
		t.Fatalf("Resolve latest = %v, %v", got, err)
	}
	ris, err := s.RisCounts(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]ClassCount{{Class: "Phone", Status: "Registered", Count: 2}}, ris); diff != "" {
		t.Errorf("RisCounts (-want +got):\n%s", diff)
	}
	var n int
	must(t, s.DB().QueryRow(`SELECT COUNT(*) FROM device_view WHERE snapshot_id = ? AND in_axl = 1 AND in_ris = 0`, m.ID).Scan(&n))
	if n != 1 {
		t.Errorf("devices in AXL only = %d, want 1", n)
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w, err := s.Begin(ctx, Meta{ClusterID: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	must(t, w.AddDevice(ctx, Device{Name: "SEP1", Class: "Phone"}))
	w.Abort()
	list, err := s.List(ctx, "")
	if err != nil || len(list) != 0 {
		t.Fatalf("List after abort = %v, %v; want none", list, err)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(ctx, path); err == nil {
		t.Fatal("Open of a newer schema succeeded")
	}
	if _, err := OpenReadOnly(ctx, path); err == nil {
		t.Fatal("OpenReadOnly of a newer schema succeeded")
	}
}

// TestSchemaVersion: SchemaVersion is a constant (no importer can change which schema this build
// claims to read) equal to the number of migrations, and a new database is created at it.
func TestSchemaVersion(t *testing.T) {
	const v = SchemaVersion // does not compile when SchemaVersion is a variable
	if v != len(migrations) {
		t.Fatalf("SchemaVersion = %d, want %d migrations", v, len(migrations))
	}
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got int
	if err := s.DB().QueryRow("PRAGMA user_version").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != v {
		t.Errorf("user_version of a new database = %d, want %d", got, v)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestMigrate3To4 opens a schema-3 database holding a snapshot and mailed reports: the migration
// keeps every row and gives each mail_log entry an empty manifest ('{}'), and a new entry can
// record one.
func TestMigrate3To4(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v3.db")
	raw, err := sql.Open("sqlite3", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := raw.Exec(migrations[i]); err != nil {
			t.Fatalf("migration %d: %v", i+1, err)
		}
	}
	for _, q := range []string{
		`PRAGMA user_version = 3`,
		`INSERT INTO snapshot (cluster_id, started_at, status) VALUES ('hq', '2026-11-24T08:00:00Z', 'complete')`,
		`INSERT INTO axl_device (snapshot_id, name, class) VALUES (1, 'SEP1', 'Phone')`,
		`INSERT INTO mail_log (cluster_id, snapshot_id, sent_at, recipients, digest) VALUES ('hq', 1, '2026-11-24T08:05:00Z', 'noc@example.org', '{"v":1}')`,
		`INSERT INTO mail_log (cluster_id, snapshot_id, sent_at, recipients, digest) VALUES ('hq', 1, '2026-11-25T08:05:00Z', 'a@example.org,b@example.org', '')`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()
	if _, err := OpenReadOnly(ctx, path); err == nil {
		t.Fatal("OpenReadOnly read a schema-3 database without migrating it")
	}

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var v int
	must(t, s.DB().QueryRow("PRAGMA user_version").Scan(&v))
	if v != SchemaVersion {
		t.Errorf("user_version after migrating = %d, want %d", v, SchemaVersion)
	}
	type row struct {
		ID, Snapshot                 int64
		Recipients, Digest, Manifest string
	}
	read := func() []row {
		rows, err := s.DB().Query(`SELECT id, snapshot_id, recipients, digest, manifest FROM mail_log ORDER BY id`)
		must(t, err)
		defer rows.Close()
		var out []row
		for rows.Next() {
			var r row
			must(t, rows.Scan(&r.ID, &r.Snapshot, &r.Recipients, &r.Digest, &r.Manifest))
			out = append(out, r)
		}
		must(t, rows.Err())
		return out
	}
	want := []row{
		{1, 1, "noc@example.org", `{"v":1}`, "{}"},
		{2, 1, "a@example.org,b@example.org", "", "{}"},
	}
	if diff := cmp.Diff(want, read()); diff != "" {
		t.Errorf("mail_log after migrating (-want +got):\n%s", diff)
	}
	if _, err := s.DB().Exec(`INSERT INTO mail_log (cluster_id, snapshot_id, sent_at, recipients, manifest) VALUES ('hq', 1, 'x', 'c@example.org', '{"files":[]}')`); err != nil {
		t.Fatal(err)
	}
	if got := read(); len(got) != 3 || got[2].Manifest != `{"files":[]}` {
		t.Errorf("new mail_log entry = %+v", got)
	}
	if m, err := s.Get(ctx, 1); err != nil || m.ClusterID != "hq" {
		t.Errorf("snapshot 1 after migrating = %+v, %v", m, err)
	}
	var n int
	must(t, s.DB().QueryRow(`SELECT COUNT(*) FROM device_view WHERE snapshot_id = 1`).Scan(&n))
	if n != 1 {
		t.Errorf("device_view rows of snapshot 1 = %d, want 1", n)
	}
}

// TestMirrorTablesPublished: a mirrored table a collection creates or widens in its staging file
// reaches the database with every row and column, for the first snapshot and for a later one
// whose manifest adds a column.
func TestMirrorTablesPublished(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	must(t, err)
	defer s.Close()
	write := func(cols []MirrorColumn, vals ...any) int64 {
		w, err := s.Begin(ctx, Meta{ClusterID: "c1"})
		must(t, err)
		mt, err := w.MirrorTable(ctx, "numplan", cols)
		must(t, err)
		must(t, mt.Add(ctx, vals...))
		m, err := w.Commit(ctx, StatusComplete, "15", "")
		must(t, err)
		return m.ID
	}
	id1 := write([]MirrorColumn{{Name: "pkid"}, {Name: "dnorpattern", Index: true}}, "pk1", "1000")
	id2 := write([]MirrorColumn{{Name: "pkid"}, {Name: "dnorpattern"}, {Name: "blockenable", Type: MirrorBool}}, "pk2", "9.@", true)
	var got []string
	rows, err := s.DB().Query(`SELECT snapshot_id, pkid, dnorpattern, COALESCE(blockenable, -1) FROM cucm_numplan ORDER BY snapshot_id`)
	must(t, err)
	for rows.Next() {
		var id, b int64
		var pk, dn string
		must(t, rows.Scan(&id, &pk, &dn, &b))
		got = append(got, fmt.Sprintf("%d|%s|%s|%d", id, pk, dn, b))
	}
	rows.Close()
	want := []string{fmt.Sprintf("%d|pk1|1000|-1", id1), fmt.Sprintf("%d|pk2|9.@|1", id2)}
	if !slices.Equal(got, want) {
		t.Errorf("cucm_numplan = %v, want %v", got, want)
	}
}

// TestAXLUser: a snapshot keeps the AXL user it was collected with (schema 7); a snapshot of a
// schema-6 database reads back with none.
func TestAXLUser(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v6.db")
	raw, err := sql.Open("sqlite3", dsn(path, false))
	must(t, err)
	for _, q := range append(migrations[:6:6], `PRAGMA user_version = 6`,
		`INSERT INTO snapshot (cluster_id, started_at, status) VALUES ('hq', '2026-11-24T08:00:00Z', 'complete')`) {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	raw.Close()
	s, err := Open(ctx, path)
	must(t, err)
	defer s.Close()
	old, err := s.Get(ctx, 1)
	must(t, err)
	if old.AXLUser != "" {
		t.Errorf("snapshot of schema 6: AXLUser %q, want none", old.AXLUser)
	}
	w, err := s.Begin(ctx, Meta{ClusterID: "hq", AXLHost: "cucm-pub:8443", AXLUser: "svc_audit", StartedAt: time.Now()})
	must(t, err)
	m, err := w.Commit(ctx, StatusComplete, "15.0", "")
	must(t, err)
	got, err := s.Get(ctx, m.ID)
	must(t, err)
	if got.AXLUser != "svc_audit" {
		t.Errorf("AXLUser %q, want svc_audit", got.AXLUser)
	}
	failed, err := s.RecordFailed(ctx, Meta{ClusterID: "hq", AXLUser: "svc_audit"}, "connection refused")
	must(t, err)
	if got, err := s.Get(ctx, failed.ID); err != nil || got.AXLUser != "svc_audit" {
		t.Errorf("failed snapshot: AXLUser %q (%v), want svc_audit", got.AXLUser, err)
	}
}

// TestStagedKeysNotNull: the staging file holds every table as a rowid table (stagingDDL),
// whose key columns would take NULL where the database's WITHOUT ROWID tables refuse it at
// publish, losing the whole collection. Every staged table's key columns must be NOT NULL.
func TestStagedKeysNotNull(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "k.db"))
	must(t, err)
	defer s.Close()
	tables, err := s.stagedTables(ctx)
	must(t, err)
	if len(tables) < 10 {
		t.Fatalf("staged tables: %v", tables)
	}
	for _, tbl := range tables {
		rows, err := s.DB().Query(`SELECT name, "notnull" FROM pragma_table_info(?) WHERE pk > 0`, tbl)
		must(t, err)
		n := 0
		for rows.Next() {
			var c string
			var nn bool
			must(t, rows.Scan(&c, &nn))
			n++
			if !nn {
				t.Errorf("%s.%s is part of the key and may be NULL", tbl, c)
			}
		}
		rows.Close()
		if n == 0 {
			t.Errorf("%s has no primary key: a duplicate row could not be refused as it arrives", tbl)
		}
	}
}

// TestStagingForms: the staging file's tables are rowid tables with their unique keys and no
// other index, while the database keeps its clustered tables and indexes, mirrored ones
// included; a duplicate row and a mirrored row without its key are refused as they arrive.
func TestStagingForms(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"clustered", "CREATE TABLE a (x TEXT, PRIMARY KEY (x)) WITHOUT ROWID", "CREATE TABLE a (x TEXT, PRIMARY KEY (x))"},
		{"lower case, spaces, semicolon", "CREATE TABLE a (x TEXT,\n\tPRIMARY KEY (x)\n) without  rowid;\n", "CREATE TABLE a (x TEXT,\n\tPRIMARY KEY (x)\n)"},
		{"strict first", "CREATE TABLE a (x TEXT PRIMARY KEY) STRICT, WITHOUT ROWID", "CREATE TABLE a (x TEXT PRIMARY KEY) STRICT"},
		{"strict last", "CREATE TABLE a (x TEXT PRIMARY KEY) WITHOUT ROWID, STRICT", "CREATE TABLE a (x TEXT PRIMARY KEY) STRICT"},
		{"rowid table", "CREATE TABLE a (x TEXT PRIMARY KEY)", "CREATE TABLE a (x TEXT PRIMARY KEY)"},
		{"unique index", "CREATE UNIQUE INDEX u ON a (x)", "CREATE UNIQUE INDEX u ON a (x)"},
		{"index", "CREATE INDEX i ON a (x)", ""},
		{"index, lower case", "create  index i ON a (x)", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := stagingDDL(tc.in)
			if got != tc.want || ok != (tc.want != "") {
				t.Errorf("stagingDDL(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
			}
		})
	}

	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "f.db"))
	must(t, err)
	defer s.Close()
	w, err := s.Begin(ctx, Meta{ClusterID: "c1"})
	must(t, err)
	mt, err := w.MirrorTable(ctx, "numplan", []MirrorColumn{{Name: "pkid"}, {Name: "dnorpattern", Index: true}})
	must(t, err)
	for _, pk := range []string{"pk2", "pk1"} {
		must(t, mt.Add(ctx, pk, "1000"))
	}
	if err := mt.Add(ctx, "pk1", "2000"); !errors.Is(err, ErrDuplicate) {
		t.Errorf("second pk1: %v, want ErrDuplicate", err)
	}
	var noKey *string
	for _, key := range []any{nil, []byte(nil), noKey} {
		if err := mt.Add(ctx, key, "3000"); err == nil || errors.Is(err, ErrDuplicate) {
			t.Errorf("row with the key %#v: %v, want refused", key, err)
		}
	}
	// A widened manifest calls MirrorTable again: the table and both indexes reach the
	// database; a manifest keying the table by another column is refused.
	mt, err = w.MirrorTable(ctx, "numplan", []MirrorColumn{{Name: "pkid"}, {Name: "dnorpattern"}, {Name: "fkroutepartition", Index: true}})
	must(t, err)
	must(t, mt.Add(ctx, "pk3", "4000", "p1"))
	if _, err := w.MirrorTable(ctx, "numplan", []MirrorColumn{{Name: "dnorpattern"}, {Name: "pkid"}}); err == nil {
		t.Error("a manifest keying cucm_numplan by dnorpattern was accepted")
	}
	must(t, w.AddDevice(ctx, Device{Name: "SEP1", Class: "Phone"}))
	if err := w.AddDevice(ctx, Device{Name: "SEP1", Class: "Phone"}); !errors.Is(err, ErrDuplicate) {
		t.Errorf("second SEP1: %v, want ErrDuplicate", err)
	}
	forms, err := w.staging.strings(`SELECT group_concat(type || ' ' || name || ' ' || (sql LIKE '%WITHOUT ROWID%'), '; ') FROM sqlite_master
		WHERE tbl_name IN ('cucm_numplan', 'ris_device') AND sql IS NOT NULL`)
	must(t, err)
	if staged := strings.Join(forms, ""); staged != "table ris_device 0; table cucm_numplan 0" {
		t.Errorf("staged: %s", staged)
	}
	_, err = w.Commit(ctx, StatusComplete, "15", "")
	must(t, err)
	var main string
	must(t, s.DB().QueryRow(`SELECT group_concat(type || ' ' || name || ' ' || (sql LIKE '%WITHOUT ROWID%'), '; ') FROM sqlite_master
		WHERE tbl_name IN ('cucm_numplan', 'ris_device') AND sql IS NOT NULL`).Scan(&main))
	if main != "table ris_device 1; index ris_device_name 0; table cucm_numplan 1; index cucm_numplan_dnorpattern 0; index cucm_numplan_fkroutepartition 0" {
		t.Errorf("database: %s", main)
	}
	var got string
	must(t, s.DB().QueryRow(`SELECT group_concat(pkid || '=' || dnorpattern, ' ') FROM cucm_numplan`).Scan(&got))
	if got != "pk1=1000 pk2=1000 pk3=4000" {
		t.Errorf("published cucm_numplan: %s", got)
	}
}

// TestPublishCacheRestored: publishing takes a larger page cache on a connection of the pool and
// gives it back as it found it.
func TestPublishCacheRestored(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	must(t, err)
	defer s.Close()
	s.DB().SetMaxOpenConns(1)
	var before, after int64
	must(t, s.DB().QueryRow(`PRAGMA cache_size`).Scan(&before))
	w, err := s.Begin(ctx, Meta{ClusterID: "c1"})
	must(t, err)
	must(t, w.AddDevice(ctx, Device{Name: "SEP1", Class: "Phone"}))
	_, err = w.Commit(ctx, StatusComplete, "15", "")
	must(t, err)
	must(t, s.DB().QueryRow(`PRAGMA cache_size`).Scan(&after))
	if after != before || after == -32768 {
		t.Errorf("cache_size after publishing = %d, before %d", after, before)
	}
}
