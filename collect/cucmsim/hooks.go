package cucmsim

import (
	"context"
	"fmt"
)

// SetQueryHook installs fn, called with the SQL text and the 1-based number of the
// executeSQLQuery request before each one is answered (nil removes it). The hook may call
// Mutate: a keyset-paging test uses it to insert, delete and update rows between two pages.
func (s *Server) SetQueryHook(fn func(sql string, n int)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queryHook = fn
}

// queryHookFor counts an executeSQLQuery request and returns the hook to call.
func (s *Server) queryHookFor() (func(string, int), int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sqlN++
	return s.queryHook, s.sqlN
}

// Mutate runs INSERT, UPDATE and DELETE statements (SQLite syntax) on the simulated database in
// one transaction, between AXL requests: no query runs while it does. The database is
// read-only otherwise. RisPort answers and Truth are not changed: they describe the generated
// cluster.
func (s *Server) Mutate(ctx context.Context, stmts ...string) (err error) {
	s.dbMu.Lock()
	defer s.dbMu.Unlock()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("mutating the simulator database: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA query_only=0"); err != nil {
		return fmt.Errorf("mutating the simulator database: %w", err)
	}
	defer func() {
		if _, perr := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA query_only=1"); perr != nil && err == nil {
			err = fmt.Errorf("making the simulator database read-only again: %w", perr)
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("mutating the simulator database: %w", err)
	}
	defer tx.Rollback()
	for _, st := range stmts {
		if _, err := tx.ExecContext(ctx, st); err != nil {
			return fmt.Errorf("mutating the simulator database with %q: %w", st, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("mutating the simulator database: %w", err)
	}
	return nil
}
