package analyze

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/mattn/go-sqlite3"
)

// tableFunctions are the table-valued functions a rule may read besides the views.
var tableFunctions = []string{"json_each", "json_tree"}

// confiner checks that a rule query reads only the documented views. The evaluator's own
// connection cannot tell: its views read the base tables, and SQLite's authorizer as go-sqlite3
// exposes it does not say whether a read comes from a view or from the query itself. So each
// query is also prepared on a separate in-memory database holding empty tables shaped like the
// views and nothing else: there a base table (axl_device, main.ris_device, ...) does not exist,
// and an authorizer refuses reads of anything but the views (sqlite_master, pragma_*, ...).
type confiner struct {
	db      *sql.DB
	conn    *sql.Conn
	denied  string // the relation the authorizer refused during the last prepare
	allowed map[string]bool
}

// newConfiner builds the shadow database from the columns of the views on e.
func (e *evaluator) newConfiner(ctx context.Context) (*confiner, error) {
	db, err := sql.Open("sqlite3", "file::memory:")
	if err != nil {
		return nil, fmt.Errorf("opening the view checker: %w", err)
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("opening the view checker: %w", err)
	}
	c := &confiner{db: db, conn: conn, allowed: map[string]bool{}}
	for _, v := range e.views {
		rows, err := e.conn.QueryContext(ctx, "SELECT * FROM temp."+v+" LIMIT 0")
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("reading the columns of view %s: %w", v, err)
		}
		cols, err := rows.Columns()
		rows.Close()
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("reading the columns of view %s: %w", v, err)
		}
		quoted := make([]string, len(cols))
		for i, col := range cols {
			quoted[i] = `"` + strings.ReplaceAll(col, `"`, `""`) + `"`
		}
		if _, err := conn.ExecContext(ctx, "CREATE TEMP TABLE "+v+" ("+strings.Join(quoted, ", ")+")"); err != nil {
			c.Close()
			return nil, fmt.Errorf("shaping view %s in the view checker: %w", v, err)
		}
		c.allowed[v] = true
	}
	for _, f := range tableFunctions {
		c.allowed[f] = true
	}
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		if err := registerRuleFuncs(sc, nil); err != nil {
			return err
		}
		sc.RegisterAuthorizer(c.authorize)
		return nil
	})
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// authorize lets the shadow query read the view-shaped tables and table-valued functions only.
// The query has already prepared on the evaluator, whose authorizer refuses everything else.
func (c *confiner) authorize(op int, table, _, _ string) int {
	if op == sqlite3.SQLITE_READ && !c.allowed[strings.ToLower(table)] {
		if c.denied == "" {
			c.denied = table
		}
		return sqlite3.SQLITE_DENY
	}
	return sqlite3.SQLITE_OK
}

// check returns "" when q reads only the views, else the relation it reads outside them and
// whether the authorizer refused it (a table that exists but is not a view: sqlite_master,
// pragma_table_info, ...) rather than the shadow database lacking it (axl_device,
// main.ris_device, ...). Other failures are returned as errors.
func (c *confiner) check(ctx context.Context, q string) (relation string, denied bool, err error) {
	c.denied = ""
	st, err := c.conn.PrepareContext(ctx, q)
	if err == nil {
		st.Close()
		return "", false, nil
	}
	if c.denied != "" {
		return c.denied, true, nil
	}
	if name, ok := strings.CutPrefix(err.Error(), "no such table: "); ok {
		return name, false, nil
	}
	return "", false, err
}

// Close releases the shadow database.
func (c *confiner) Close() {
	c.conn.Close()
	c.db.Close()
}

// outsideViewsError is the error of a rule that reads a relation other than the views.
func outsideViewsError(r *Rule, relation string) error {
	return fmt.Errorf("%s:%d: rule %s: query reads %s, which is not one of the rule views; a rule reads only the views of one snapshot: %s (see rules/README.md)",
		r.File, r.Line, r.ID, relation, strings.Join(viewNames, ", "))
}
