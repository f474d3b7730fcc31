package snapshot

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

// DefaultPath is where the database lives when --db is not given.
const DefaultPath = "cucm-audit.db"

// ErrNewerSchema is returned when the database was written by a newer cucm-audit.
var ErrNewerSchema = errors.New("database schema is newer than this cucm-audit")

// ErrNotFound is returned when a snapshot does not exist.
var ErrNotFound = errors.New("snapshot not found")

// Store is the SQLite snapshot database.
type Store struct {
	db       *sql.DB
	path     string
	readOnly bool
}

// Open opens (creating when missing) the database at path for reading and writing and brings its
// schema up to date. A database written by a newer version is refused, untouched.
func Open(ctx context.Context, path string) (*Store, error) {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("creating database folder %s: %w", dir, err)
		}
	}
	db, err := sql.Open("sqlite3", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("opening database %s: %w", path, err)
	}
	s := &Store{db: db, path: path}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// OpenReadOnly opens an existing database without any write access: the file is opened with
// mode=ro and every connection has query_only set.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("opening database %s: %w (run `cucm-audit collect` or `cucm-audit demo` first, or pass --db)", path, err)
	}
	db, err := sql.Open("sqlite3", dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("opening database %s: %w", path, err)
	}
	s := &Store{db: db, path: path, readOnly: true}
	v, err := s.version(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if v > SchemaVersion {
		db.Close()
		return nil, fmt.Errorf("database %s has schema %d, this cucm-audit reads up to %d: %w; upgrade cucm-audit", path, v, SchemaVersion, ErrNewerSchema)
	}
	if v < SchemaVersion {
		db.Close()
		return nil, fmt.Errorf("database %s has schema %d, this cucm-audit needs %d: open it once with a writing command (collect) to migrate it", path, v, SchemaVersion)
	}
	return s, nil
}

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Set("_busy_timeout", "5000")
	q.Set("_foreign_keys", "on")
	if readOnly {
		q.Set("mode", "ro")
		q.Set("_query_only", "1")
	} else {
		q.Set("_journal_mode", "WAL")
		q.Set("_synchronous", "NORMAL")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// DB gives read access to the underlying database for packages that query the views.
func (s *Store) DB() *sql.DB { return s.db }

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) version(ctx context.Context) (int, error) {
	var v int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("reading schema version of %s: %w (is it a cucm-audit database?)", s.path, err)
	}
	return v, nil
}

func (s *Store) migrate(ctx context.Context) error {
	v, err := s.version(ctx)
	if err != nil {
		return err
	}
	if v > SchemaVersion {
		return fmt.Errorf("database %s has schema %d, this cucm-audit writes up to %d: %w; upgrade cucm-audit", s.path, v, SchemaVersion, ErrNewerSchema)
	}
	for i := v; i < SchemaVersion; i++ {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrating %s to schema %d: %w", s.path, i+1, err)
		}
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrating %s to schema %d: %w", s.path, i+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", i+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrating %s to schema %d: %w", s.path, i+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrating %s to schema %d: %w", s.path, i+1, err)
		}
	}
	return nil
}
