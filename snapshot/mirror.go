package snapshot

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// The mirrored configuration (DESIGN.md, "The configuration is mirrored as data"): each CUCM
// table a collection manifest lists is stored as the table cucm_<table> with the snapshot id and
// the manifest's columns, typed. The tables are created (and widened, when a manifest adds a
// column) by the collection that first writes them, so a user's manifest can add tables without
// a schema migration. Rows of one snapshot are keyed by (snapshot_id, the table's key).

// MirrorPrefix starts the name of every mirrored table.
const MirrorPrefix = "cucm_"

// Column types of mirrored tables.
const (
	MirrorText    = "text"
	MirrorInteger = "integer"
	MirrorBool    = "bool" // stored as INTEGER 0/1
)

// MirrorColumn is one column of a mirrored table; the first column given is the table's key.
type MirrorColumn struct {
	Name  string
	Type  string // MirrorText, MirrorInteger or MirrorBool
	Index bool   // index (snapshot_id, Name): a join key looked up from the other side
}

// MirrorTable is a writer's handle on one mirrored table of the snapshot being written.
type MirrorTable struct {
	w     *Writer
	stmt  string
	table string
	key   string
}

var mirrorIdentRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func sqlType(t string) string {
	if t == MirrorText || t == "" {
		return "TEXT"
	}
	return "INTEGER"
}

// MirrorTable creates (or widens) the snapshot table of CUCM table name with cols and returns a
// handle to insert rows into it. Names are CUCM identifiers, checked here again: they become
// SQL identifiers.
func (w *Writer) MirrorTable(ctx context.Context, name string, cols []MirrorColumn) (*MirrorTable, error) {
	if w.done {
		return nil, fmt.Errorf("mirroring %s: snapshot writer already finished", name)
	}
	if !mirrorIdentRE.MatchString(name) || len(cols) == 0 {
		return nil, fmt.Errorf("mirroring %s: not a CUCM table name, or no columns", name)
	}
	for _, c := range cols {
		if !mirrorIdentRE.MatchString(c.Name) || c.Name == "snapshot_id" {
			return nil, fmt.Errorf("mirroring %s: %q is not a CUCM column name", name, c.Name)
		}
	}
	table := MirrorPrefix + name
	have, err := w.mirrorColumns(table)
	if err != nil {
		return nil, err
	}
	if len(have) > 0 {
		// The staged table is a rowid table (stagingDDL): its key columns would take NULL, so
		// the key checked in Add must be the table's, which a manifest cannot change.
		keys, err := w.staging.strings("SELECT name FROM pragma_table_info(?) WHERE pk > 0 AND name <> 'snapshot_id'", table)
		if err != nil {
			return nil, fmt.Errorf("reading the key of %s: %w", table, err)
		}
		if len(keys) != 1 || keys[0] != cols[0].Name {
			return nil, fmt.Errorf("mirroring %s: the database keys %s by %s, the manifest by %s: keep the key column first in the manifest",
				name, table, strings.Join(keys, ", "), cols[0].Name)
		}
	}
	// The database's form of the table and its indexes, made at publish when the database
	// lacks them; the staging file holds the stagingDDL form.
	var ddl []string
	if len(have) == 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "CREATE TABLE %s (snapshot_id INTEGER NOT NULL REFERENCES snapshot (id) ON DELETE CASCADE", table)
		for _, c := range cols {
			fmt.Fprintf(&b, ", %s %s", c.Name, sqlType(c.Type))
		}
		fmt.Fprintf(&b, ", PRIMARY KEY (snapshot_id, %s)) WITHOUT ROWID", cols[0].Name)
		ddl = append(ddl, b.String())
		q, _ := stagingDDL(b.String())
		if err := w.staging.exec(q); err != nil {
			return nil, fmt.Errorf("creating %s: %w", table, err)
		}
	} else {
		for _, c := range cols {
			if have[c.Name] {
				continue
			}
			if err := w.staging.exec(fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", table, c.Name, sqlType(c.Type))); err != nil {
				return nil, fmt.Errorf("adding column %s to %s: %w", c.Name, table, err)
			}
		}
	}
	for _, c := range cols[1:] {
		if c.Index {
			ddl = append(ddl, fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s_%s ON %s (snapshot_id, %s)", table, c.Name, table, c.Name))
		}
	}
	// A second call for the table (a widened manifest) keeps what the first asked for.
	for _, q := range ddl {
		if !slices.Contains(w.mirrorDDL[table], q) {
			w.mirrorDDL[table] = append(w.mirrorDDL[table], q)
		}
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	q := fmt.Sprintf("INSERT INTO %s (snapshot_id, %s) VALUES (?%s)", table, strings.Join(names, ", "), strings.Repeat(", ?", len(cols)))
	st, err := w.staging.prepare(q)
	if err != nil {
		return nil, fmt.Errorf("preparing the %s insert: %w", table, err)
	}
	key := "mirror:" + name
	if old := w.stmts[key]; old != nil {
		old.Close()
	}
	w.stmts[key] = st
	return &MirrorTable{w: w, stmt: key, table: table, key: cols[0].Name}, nil
}

// mirrorColumns lists the columns table already has, none when it does not exist.
func (w *Writer) mirrorColumns(table string) (map[string]bool, error) {
	names, err := w.staging.strings("SELECT name FROM pragma_table_info(?)", table)
	if err != nil {
		return nil, fmt.Errorf("reading the columns of %s: %w", table, err)
	}
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	return have, nil
}

// Add stores one row, values in the order of the columns given to MirrorTable (nil is NULL). A
// second row with the same key is ErrDuplicate.
func (m *MirrorTable) Add(ctx context.Context, values ...any) error {
	if len(values) == 0 || isNull(values[0]) {
		// The staged table would take it (see stagingDDL); the database's would not.
		return fmt.Errorf("storing %s: NOT NULL constraint failed: %s.%s", m.stmt, m.table, m.key)
	}
	return m.w.exec(ctx, m.stmt, values...)
}

// MirrorTables lists the mirrored tables of the database (CUCM names, without the prefix), each
// with its columns in table order, snapshot_id left out.
func (s *Store) MirrorTables(ctx context.Context) (map[string][]string, error) {
	return MirrorTablesOf(ctx, s.DB())
}

// Querier is a database, connection or transaction.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// MirrorTablesOf lists the mirrored tables reachable through q, as MirrorTables does.
func MirrorTablesOf(ctx context.Context, q Querier) (map[string][]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT m.name, p.name FROM main.sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name LIKE 'cucm\_%' ESCAPE '\' ORDER BY m.name, p.cid`)
	if err != nil {
		return nil, fmt.Errorf("listing mirrored tables: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return nil, fmt.Errorf("listing mirrored tables: %w", err)
		}
		if c != "snapshot_id" {
			out[strings.TrimPrefix(t, MirrorPrefix)] = append(out[strings.TrimPrefix(t, MirrorPrefix)], c)
		}
	}
	return out, rows.Err()
}
