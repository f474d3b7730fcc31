package snapshot

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

// DefaultPath is where the database lives when --db is not given.
const DefaultPath = "cucm-audit.db"

// ApplicationID marks a SQLite file as a cucm-audit database: PRAGMA application_id, bytes 68-71
// of the file header ("CMAU"). Every database this package creates or migrates carries it; a
// SQLite file with another id, or with none and tables that are not ours, is refused untouched.
const ApplicationID = 0x434D4155

// ErrNewerSchema is returned when the database was written by a newer cucm-audit.
var ErrNewerSchema = errors.New("database schema is newer than this cucm-audit")

// ErrNotFound is returned when a snapshot does not exist.
var ErrNotFound = errors.New("snapshot not found")

// ErrNoDatabase is returned when a command that only works on collected data is given a
// database file that does not exist (or is empty).
var ErrNoDatabase = errors.New("no cucm-audit database")

// ErrNotOurs is returned for a file that is not a cucm-audit database: another application's
// SQLite database, or not SQLite at all. Nothing is written to it.
var ErrNotOurs = errors.New("not a cucm-audit database")

// Store is the SQLite snapshot database.
type Store struct {
	db       atomic.Pointer[sql.DB] // swapped by Refresh
	path     string
	readOnly bool

	// A store opened immutable (see OpenReadOnly) remembers the file as it was then, so that
	// Refresh can tell that it changed; mu serialises Refresh.
	mu        sync.Mutex
	immutable bool
	stamp     fileStamp
}

// newStore wraps an open database.
func newStore(db *sql.DB, path string, readOnly bool) *Store {
	s := &Store{path: path, readOnly: readOnly}
	s.db.Store(db)
	return s
}

// Open opens (creating when missing) the database at path for reading and writing and brings its
// schema up to date. A database written by a newer version is refused, untouched, and so is
// any SQLite file that is not a cucm-audit database (see ApplicationID).
func Open(ctx context.Context, path string) (*Store, error) {
	kind, err := inspect(ctx, path)
	if err != nil {
		return nil, err
	}
	if kind == fileMissing {
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("creating database folder %s: %w", dir, err)
			}
		}
	}
	return open(ctx, path)
}

// OpenExisting opens an existing database for reading and writing, migrating it like Open, but
// never creates one: a missing or empty file is ErrNoDatabase. For commands that add to
// collected data (analyze, a mailed report).
func OpenExisting(ctx context.Context, path string) (*Store, error) {
	kind, err := inspect(ctx, path)
	if err != nil {
		return nil, err
	}
	if kind == fileMissing || kind == fileEmpty {
		return nil, noDatabase(path, kind)
	}
	return open(ctx, path)
}

func open(ctx context.Context, path string) (*Store, error) {
	db, err := sql.Open("sqlite3", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("opening database %s: %w", path, err)
	}
	s := newStore(db, path, false)
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func noDatabase(path string, kind fileKind) error {
	what := "does not exist"
	if kind == fileEmpty {
		what = "is empty"
	}
	return fmt.Errorf("database %s %s: %w; run `cucm-audit collect --db %s` first (or `cucm-audit demo`), or pass --db with the database collect wrote",
		path, what, ErrNoDatabase, path)
}

// OpenReadOnly opens an existing database without any write access: the file is opened with
// mode=ro and every connection has query_only set. It never creates a file: when the
// database's folder is not writable (another user's database) and no -shm file exists, the
// database is opened immutable, since SQLite would otherwise need to create the -shm file of
// the write-ahead log.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	kind, err := inspect(ctx, path)
	if err != nil {
		return nil, err
	}
	if kind == fileMissing || kind == fileEmpty {
		return nil, noDatabase(path, kind)
	}
	d, err := readOnlyDSN(path)
	if err != nil {
		return nil, err
	}
	var stamp fileStamp
	immutable := strings.Contains(d, "immutable=1")
	if immutable {
		// Taken before the file is read: a change from here on makes Refresh reopen it.
		if stamp, err = stampOf(path); err != nil {
			return nil, fmt.Errorf("opening database %s: %w", path, err)
		}
	}
	db, err := sql.Open("sqlite3", d)
	if err != nil {
		return nil, fmt.Errorf("opening database %s: %w", path, err)
	}
	s := newStore(db, path, true)
	s.immutable, s.stamp = immutable, stamp
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
		// A transaction takes the write lock when it begins, so one that reads before it
		// writes waits for another writer (busy timeout) instead of failing at once with
		// "database is locked" when its read snapshot went stale.
		q.Set("_txlock", "immediate")
	}
	return fileURI(path, q)
}

func fileURI(path string, q url.Values) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// readOnlyDSN is dsn(path, true), immutable when SQLite could not open the write-ahead log
// read-only: the folder is not writable and the -shm file is absent. The -wal file is then
// empty or absent (the last writer checkpointed it), so nothing committed is missed; a -wal
// file with content but no -shm (a writer that crashed) cannot be read safely and is refused.
func readOnlyDSN(path string) (string, error) {
	q := url.Values{}
	q.Set("_busy_timeout", "5000")
	q.Set("mode", "ro")
	q.Set("_query_only", "1")
	if _, err := os.Stat(path + "-shm"); err == nil || dirWritable(filepath.Dir(path)) {
		return fileURI(path, q), nil
	}
	if st, err := os.Stat(path + "-wal"); err == nil && st.Size() > 0 {
		return "", fmt.Errorf("opening database %s read-only: its write-ahead log %s holds data but its folder is not writable, so it cannot be read safely; run any cucm-audit command on it once as a user who can write %s",
			path, path+"-wal", filepath.Dir(path))
	}
	q.Set("immutable", "1")
	return fileURI(path, q), nil
}

// DB gives read access to the underlying database for packages that query the views. Take it
// anew for each query: Refresh may replace it.
func (s *Store) DB() *sql.DB { return s.db.Load() }

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error { return s.db.Load().Close() }

// fileStamp is what tells that a database file changed: its size, modification time and the
// file change counter of its header (bytes 24-27, bumped by every commit outside WAL mode).
type fileStamp struct {
	size    int64
	mod     time.Time
	counter uint32
}

func (a fileStamp) equal(b fileStamp) bool {
	return a.size == b.size && a.mod.Equal(b.mod) && a.counter == b.counter
}

func stampOf(path string) (fileStamp, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileStamp{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fileStamp{}, err
	}
	header := make([]byte, 28)
	if _, err := io.ReadFull(f, header); err != nil {
		return fileStamp{}, fmt.Errorf("reading the header of %s: %w", path, err)
	}
	return fileStamp{size: st.Size(), mod: st.ModTime(), counter: binary.BigEndian.Uint32(header[24:28])}, nil
}

// retireAfter is how long a handle replaced by Refresh stays open for the requests that may
// still use it.
const retireAfter = time.Minute

// Refresh reopens a store that OpenReadOnly opened immutable when its file changed since (size,
// modification time or header change counter) and reports whether it did. An immutable reader
// assumes that the file never changes: SQLite documents that it may return wrong results or
// SQLITE_CORRUPT when it does, as when the owner's collection checkpoints its write-ahead log
// into the file. A long-running reader (mcp) calls Refresh before each request; a change
// during a request is not seen until the next one. Other stores see every commit by
// themselves: Refresh leaves them as they are.
func (s *Store) Refresh(ctx context.Context) (bool, error) {
	if !s.readOnly {
		return false, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.immutable {
		return false, nil
	}
	st, err := stampOf(s.path)
	if err != nil {
		return false, fmt.Errorf("checking database %s: %w", s.path, err)
	}
	if st.equal(s.stamp) {
		return false, nil
	}
	fresh, err := OpenReadOnly(ctx, s.path)
	if err != nil {
		return false, fmt.Errorf("reopening database %s after it changed: %w", s.path, err)
	}
	old := s.db.Swap(fresh.db.Load())
	s.immutable, s.stamp = fresh.immutable, fresh.stamp
	// A request may still hold the old handle: it is closed once such a request is surely over.
	time.AfterFunc(retireAfter, func() { old.Close() })
	return true, nil
}

func (s *Store) version(ctx context.Context) (int, error) {
	var v int
	if err := s.DB().QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("reading schema version of %s: %w (is it a cucm-audit database?)", s.path, err)
	}
	return v, nil
}

// migrate marks the database as ours and applies the missing migrations, each in its own
// transaction that re-reads the version, so two processes opening a new database at once do
// not both apply a migration.
func (s *Store) migrate(ctx context.Context) error {
	v, err := s.version(ctx)
	if err != nil {
		return err
	}
	if v > SchemaVersion {
		return fmt.Errorf("database %s has schema %d, this cucm-audit writes up to %d: %w; upgrade cucm-audit", s.path, v, SchemaVersion, ErrNewerSchema)
	}
	var id int64
	if err := s.DB().QueryRowContext(ctx, "PRAGMA application_id").Scan(&id); err != nil {
		return fmt.Errorf("reading the application id of %s: %w", s.path, err)
	}
	if id != ApplicationID {
		// inspect has judged the file ours (new, empty, or an older cucm-audit database).
		if _, err := s.DB().ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", ApplicationID)); err != nil {
			return fmt.Errorf("marking %s as a cucm-audit database: %w", s.path, err)
		}
	}
	for i := v; i < SchemaVersion; i++ {
		if err := s.migrateTo(ctx, i+1); err != nil {
			return fmt.Errorf("migrating %s to schema %d: %w", s.path, i+1, err)
		}
	}
	return nil
}

func (s *Store) migrateTo(ctx context.Context, target int) error {
	tx, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	if v >= target {
		return nil // another process got there first
	}
	if _, err := tx.ExecContext(ctx, migrations[target-1]); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", target)); err != nil {
		return err
	}
	return tx.Commit()
}

// fileKind is what inspect found at a database path.
type fileKind int

const (
	fileMissing  fileKind = iota // no file: Open creates it
	fileEmpty                    // a 0-byte file or a SQLite file without any schema
	fileOurs                     // marked with ApplicationID
	fileUnmarked                 // a cucm-audit database from before the mark: adopted
)

// ourTables are the tables every cucm-audit database has had since schema 1; a SQLite file
// without an application id is recognised as an older cucm-audit database by them.
var ourTables = []string{"snapshot", "axl_device", "ris_device", "coverage", "analysis", "finding"}

// inspect decides, without writing anything, whether path is a database this package may open:
// the file header's application id first, and when it is 0, the schema read over a read-only
// connection. Another application's file is refused with ErrNotOurs.
func inspect(ctx context.Context, path string) (fileKind, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return fileMissing, nil
	}
	if err != nil {
		return 0, fmt.Errorf("opening database %s: %w", path, err)
	}
	header := make([]byte, 100)
	n, err := io.ReadFull(f, header)
	f.Close()
	switch {
	case n == 0:
		return fileEmpty, nil
	case err != nil || string(header[:16]) != "SQLite format 3\x00":
		return 0, fmt.Errorf("database %s is not a SQLite file: %w; pass --db with a cucm-audit database or a new file name", path, ErrNotOurs)
	}
	switch id := binary.BigEndian.Uint32(header[68:72]); id {
	case ApplicationID:
		return fileOurs, nil
	case 0:
	default:
		return 0, fmt.Errorf("database %s belongs to another application (SQLite application_id %#08x): %w; it was left untouched: pass --db with a cucm-audit database or a new file name",
			path, id, ErrNotOurs)
	}
	// No id in the header: an older cucm-audit database, an empty SQLite file, one whose mark
	// is still in the write-ahead log, or another application's database.
	d, err := readOnlyDSN(path)
	if err != nil {
		return 0, err
	}
	db, err := sql.Open("sqlite3", d)
	if err != nil {
		return 0, fmt.Errorf("opening database %s: %w", path, err)
	}
	defer db.Close()
	var id int64
	if err := db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&id); err != nil {
		return 0, fmt.Errorf("reading database %s: %w", path, err)
	}
	if id == ApplicationID {
		return fileOurs, nil
	}
	var tables []string
	rows, err := db.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		return 0, fmt.Errorf("reading the schema of database %s: %w", path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return 0, fmt.Errorf("reading the schema of database %s: %w", path, err)
		}
		tables = append(tables, name)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("reading the schema of database %s: %w", path, err)
	}
	if id == 0 && len(tables) == 0 {
		return fileEmpty, nil
	}
	ours := id == 0
	for _, t := range ourTables {
		ours = ours && slices.Contains(tables, t)
	}
	if ours {
		return fileUnmarked, nil
	}
	if len(tables) > 5 {
		tables = append(tables[:5], "…")
	}
	return 0, fmt.Errorf("database %s belongs to another application (it holds %s): %w; it was left untouched: pass --db with a cucm-audit database or a new file name",
		path, strings.Join(tables, ", "), ErrNotOurs)
}
