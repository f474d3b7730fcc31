package analyze

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

// dbDigest hashes every row of every table, in key order, so "unchanged" is row for row.
func dbDigest(t *testing.T, store *snapshot.Store) string {
	t.Helper()
	h := sha256.New()
	rows, err := store.DB().Query(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	must(t, err)
	var tables []string
	for rows.Next() {
		var n string
		must(t, rows.Scan(&n))
		tables = append(tables, n)
	}
	rows.Close()
	for _, tb := range tables {
		r, err := store.DB().Query(fmt.Sprintf(`SELECT * FROM %q ORDER BY 1, 2`, tb))
		must(t, err)
		cols, _ := r.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for r.Next() {
			must(t, r.Scan(ptrs...))
			fmt.Fprintf(h, "%s %v\n", tb, vals)
		}
		r.Close()
	}
	var v int
	must(t, store.DB().QueryRow(`PRAGMA user_version`).Scan(&v))
	fmt.Fprintf(h, "user_version %d", v)
	return fmt.Sprintf("%x", h.Sum(nil))
}

func fileDigest(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	return fmt.Sprintf("%x", sha256.Sum256(b))
}

// TestRulesCannotWrite: statements that would write, attach or change a pragma are refused at
// load or fail at run, and the database is unchanged row for row and byte for byte.
func TestRulesCannotWrite(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	id := healthy().write(t, store)
	_, err := store.DB().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	must(t, err)
	rowsBefore, fileBefore := dbDigest(t, store), fileDigest(t, store.Path())

	attacks := []string{
		"DELETE FROM axl_device",
		"UPDATE axl_device SET name = 'x'",
		"INSERT INTO axl_user (snapshot_id, userid) VALUES (1, 'x')",
		"ATTACH DATABASE '" + store.Path() + "-evil' AS evil",
		"PRAGMA query_only = 0",
		"CREATE TABLE evil (x)",
		"DROP TABLE axl_device",
		"WITH x AS (SELECT 1) DELETE FROM axl_device",
		"WITH x AS (SELECT 1) UPDATE axl_device SET name = 'x'",
		"WITH x AS (SELECT 1) INSERT INTO axl_user (snapshot_id, userid) SELECT 1, 'x'",
		"SELECT name AS entity FROM devices; DELETE FROM axl_device",
		"SELECT load_extension('x') AS entity",
	}
	for _, q := range attacks {
		t.Run(q, func(t *testing.T) {
			pack := "schema: 1\nrules:\n  - id: EVL-001\n    title: t\n    severity: low\n    category: c\n    description: d\n    remediation: r\n    query: |\n      " + q + "\n"
			rules, err := ParsePack("evil.yaml", []byte(pack))
			if err != nil {
				return // refused at load
			}
			if _, err := Run(ctx, store, id, Options{Rules: &RuleSet{Rules: rules}}); err == nil {
				t.Errorf("Run accepted %q", q)
			}
		})
	}

	// Below the loader, the locked connection itself refuses every write.
	e, err := openEvaluator(ctx, store.Path(), snapshot.Meta{ID: id, ClusterID: "c1", StartedAt: fixtureTime}, nil, nil, nil)
	must(t, err)
	locked := func(when string) {
		for _, q := range append(attacks, "PRAGMA writable_schema = 1", "DETACH DATABASE temp", "BEGIN IMMEDIATE",
			"DROP VIEW devices", "CREATE TEMP TABLE x (y)", "DELETE FROM ris", "VACUUM", "REINDEX", "ANALYZE",
			"INSERT INTO phone_lines (device) VALUES ('x')", "DELETE FROM phone_lines", "DROP TABLE phone_lines") {
			if strings.HasPrefix(q, "SELECT name AS entity FROM devices;") {
				q = "DELETE FROM axl_device"
			}
			if _, err := e.conn.ExecContext(ctx, q); err == nil {
				t.Errorf("locked connection executed %q %s", q, when)
			}
		}
	}
	locked("before computing the derived tables")
	// Computing a derived table between two rules writes to the temporary schema; the
	// connection is locked again before the next rule.
	must(t, e.derivedFor(ctx, &Rule{ID: "T-001", Query: "SELECT device AS entity FROM phone_lines"}))
	locked("after computing the derived tables")
	var n int
	if err := e.conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM devices`).Scan(&n); err != nil || n != len(healthy().devices) {
		t.Errorf("reading devices on the locked connection = %d, %v; want %d", n, err, len(healthy().devices))
	}
	e.Close()

	if got := dbDigest(t, store); got != rowsBefore {
		t.Error("database rows changed")
	}
	if got := fileDigest(t, store.Path()); got != fileBefore {
		t.Error("database file changed")
	}
	if _, err := os.Stat(store.Path() + "-evil"); err == nil {
		t.Error("ATTACH created a file")
	}
}

// TestViewsExistAndAreDocumented: every view a rule may use exists on the rule connection and
// is documented in rules/README.md.
func TestViewsExistAndAreDocumented(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	id := healthy().write(t, store)
	e, err := openEvaluator(ctx, store.Path(), snapshot.Meta{ID: id, ClusterID: "c1", StartedAt: fixtureTime}, nil, nil, nil)
	must(t, err)
	defer e.Close()
	readme, err := os.ReadFile("../rules/README.md")
	must(t, err)
	for _, v := range viewNames {
		var n int
		if err := e.conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+v).Scan(&n); err != nil {
			t.Errorf("view %s: %v", v, err)
		}
		if !strings.Contains(string(readme), "| `"+v+"` |") {
			t.Errorf("view %s is not documented in rules/README.md", v)
		}
	}
}

// TestRunRefusesReadsOutsideViews: Run refuses a rule that reads a base table (other snapshots'
// rows) before storing anything, and the locked connection itself refuses the schema tables.
func TestRunRefusesReadsOutsideViews(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	id := healthy().write(t, store)
	pack := "schema: 1\nrules:\n  - id: PEK-001\n    title: t\n    severity: low\n    category: c\n    description: d\n    remediation: r\n" +
		"    query: SELECT name AS entity FROM axl_device\n"
	rules, err := ParsePack("peek.yaml", []byte(pack))
	must(t, err)
	_, err = Run(ctx, store, id, Options{Rules: &RuleSet{Rules: rules}})
	if err == nil || !strings.HasPrefix(err.Error(), "peek.yaml:3: rule PEK-001: query reads axl_device, which is not one of the rule views") {
		t.Errorf("Run error = %v, want the rule refused for reading axl_device", err)
	}
	var n int
	must(t, store.DB().QueryRow(`SELECT COUNT(*) FROM analysis`).Scan(&n))
	if n != 0 {
		t.Errorf("%d analyses stored, want none", n)
	}
	e, err := openEvaluator(ctx, store.Path(), snapshot.Meta{ID: id, ClusterID: "c1", StartedAt: fixtureTime}, nil, nil, nil)
	must(t, err)
	defer e.Close()
	for _, q := range []string{"SELECT name FROM sqlite_master", "SELECT name FROM temp.sqlite_temp_master",
		"SELECT name FROM pragma_table_info('axl_device')", "SELECT name FROM sqlite_schema"} {
		if rows, err := e.conn.QueryContext(ctx, q); err == nil {
			rows.Close()
			t.Errorf("locked connection read %q", q)
		}
	}
}
