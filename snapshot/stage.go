package snapshot

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"

	"github.com/mattn/go-sqlite3"
)

// stage is the staging file's one connection, used through the SQLite driver directly rather
// than database/sql: a collection stores about eight million values one row at a time, and
// database/sql's per-statement work (converting and checking every argument, locking, a result
// per row) cost a quarter of storing them. The connection is opened without SQLite's own mutex
// and nothing here locks: like its Writer, a stage must never be used by two goroutines at
// once (the collector hands the writer from one goroutine to the other through channels). In
// prepared inserts NULL values are not bound at all: the driver clears every binding before a
// row, which leaves them NULL.
type stage struct {
	conn *sqlite3.SQLiteConn
	tx   driver.Tx
	args []driver.NamedValue
}

func openStage(dsn string) (*stage, error) {
	c, err := (&sqlite3.SQLiteDriver{}).Open(dsn)
	if err != nil {
		return nil, err
	}
	return &stage{conn: c.(*sqlite3.SQLiteConn)}, nil
}

// named converts args for the driver as database/sql would, the first at ordinal first; NULLs
// are left out when skipNull (a prepared insert, whose bindings the driver clears first).
func (s *stage) named(first int, args []any, skipNull bool) ([]driver.NamedValue, error) {
	s.args = s.args[:0]
	for i, a := range args {
		v, err := driverValue(a)
		if err != nil {
			return nil, fmt.Errorf("value %d: %w", i+1, err)
		}
		if v == nil && skipNull {
			continue
		}
		s.args = append(s.args, driver.NamedValue{Ordinal: first + i, Value: v})
	}
	return s.args, nil
}

// driverValue is a as the driver binds it: the common types as they are, an int widened, a nil
// []byte as NULL, anything else through database/sql's converter (named types, pointers,
// driver.Valuer).
func driverValue(a any) (driver.Value, error) {
	switch v := a.(type) {
	case nil, string, int64, bool, float64:
		return v, nil
	case int:
		return int64(v), nil
	case []byte:
		if v == nil {
			return nil, nil
		}
		return v, nil
	}
	v, err := driver.DefaultParameterConverter.ConvertValue(a)
	if b, ok := v.([]byte); ok && b == nil {
		return nil, err
	}
	return v, err
}

// isNull reports whether v is stored as NULL.
func isNull(v any) bool {
	d, err := driverValue(v)
	return err == nil && d == nil
}

// exec runs one statement (DDL, a transaction's end) with args.
func (s *stage) exec(q string, args ...any) error {
	nv, err := s.named(1, args, false)
	if err != nil {
		return err
	}
	_, err = s.conn.ExecContext(context.Background(), q, nv)
	return err
}

// strings runs a query whose rows are one text column.
func (s *stage) strings(q string, args ...any) ([]string, error) {
	nv, err := s.named(1, args, false)
	if err != nil {
		return nil, err
	}
	rows, err := s.conn.QueryContext(context.Background(), q, nv)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	dest := make([]driver.Value, len(rows.Columns()))
	for {
		if err := rows.Next(dest); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, err
		}
		switch v := dest[0].(type) {
		case string:
			out = append(out, v)
		case []byte:
			out = append(out, string(v))
		default:
			out = append(out, fmt.Sprint(v))
		}
	}
}

func (s *stage) prepare(q string) (*sqlite3.SQLiteStmt, error) {
	st, err := s.conn.Prepare(q)
	if err != nil {
		return nil, err
	}
	return st.(*sqlite3.SQLiteStmt), nil
}

// insert runs a prepared insert with id as its first value, then values.
func (s *stage) insert(st *sqlite3.SQLiteStmt, id int64, values []any) error {
	nv, err := s.named(2, values, true)
	if err != nil {
		return err
	}
	nv = append(nv, driver.NamedValue{Ordinal: 1, Value: id})
	_, err = st.ExecContext(context.Background(), nv)
	return err
}

func (s *stage) begin() error {
	tx, err := s.conn.BeginTx(context.Background(), driver.TxOptions{})
	s.tx = tx
	return err
}

func (s *stage) commit() error {
	if s.tx == nil {
		return errors.New("no transaction")
	}
	tx := s.tx
	s.tx = nil
	return tx.Commit()
}

func (s *stage) rollback() {
	if s.tx != nil {
		s.tx.Rollback()
		s.tx = nil
	}
}

func (s *stage) close() error { return s.conn.Close() }
