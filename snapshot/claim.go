package snapshot

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ErrCollectionRunning is wrapped by a *RunningError: a collection of the cluster is already
// running into this database.
var ErrCollectionRunning = errors.New("a collection of this cluster is already running")

// Collection is the marker of a collection that is running (or whose process ended without
// finishing it): one per cluster.
type Collection struct {
	ClusterID  string
	SnapshotID int64 // reserved for the snapshot it will publish
	StartedAt  time.Time
	PID        int
	Host       string
	Staging    string // the staging file's name, in the database's folder
}

// RunningError refuses a second collection of a cluster while one is running.
type RunningError struct {
	Path    string
	Running Collection
}

func (e *RunningError) Error() string {
	r := e.Running
	return fmt.Sprintf("a collection of cluster %s into %s is already running since %s (pid %d on host %s, snapshot %d); wait for it to finish or stop that process: a collection whose process has ended is taken over automatically",
		r.ClusterID, e.Path, r.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC"), r.PID, r.Host, r.SnapshotID)
}

func (e *RunningError) Unwrap() error { return ErrCollectionRunning }

// Collections lists the markers of running collections, oldest first.
func (s *Store) Collections(ctx context.Context) ([]Collection, error) {
	rows, err := s.DB().QueryContext(ctx, `SELECT cluster_id, snapshot_id, started_at, pid, host, staging FROM running_collection ORDER BY started_at`)
	if err != nil {
		return nil, fmt.Errorf("listing running collections in %s: %w", s.path, err)
	}
	defer rows.Close()
	var out []Collection
	for rows.Next() {
		c, err := scanCollection(rows)
		if err != nil {
			return nil, fmt.Errorf("listing running collections in %s: %w", s.path, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func scanCollection(row interface{ Scan(...any) error }) (Collection, error) {
	var c Collection
	var started string
	if err := row.Scan(&c.ClusterID, &c.SnapshotID, &started, &c.PID, &c.Host, &c.Staging); err != nil {
		return Collection{}, err
	}
	c.StartedAt, _ = time.Parse(timeLayout, started)
	return c, nil
}

// Alive reports whether the collection's process still runs: on this host, whether its pid is
// alive; anywhere, whether its staging file was touched (heartbeat) recently.
func (s *Store) Alive(c Collection) bool {
	last := c.StartedAt
	if st, err := os.Stat(s.stagingPath(c.Staging)); err == nil && st.ModTime().After(last) {
		last = st.ModTime()
	}
	if time.Since(last) > staleAfter {
		return false
	}
	if host, _ := os.Hostname(); host == c.Host {
		return processAlive(c.PID)
	}
	return true
}

// claim reserves a snapshot id and writes the cluster's collection marker in one short
// transaction. A live marker refuses the claim; a stale one is removed with its staging file
// and recorded as a failed snapshot under the id it had reserved.
func (s *Store) claim(ctx context.Context, meta Meta) (Collection, error) {
	host, _ := os.Hostname()
	c := Collection{ClusterID: meta.ClusterID, StartedAt: meta.StartedAt, PID: os.Getpid(), Host: host}
	tx, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		return Collection{}, fmt.Errorf("starting snapshot in %s: %w", s.path, err)
	}
	defer tx.Rollback()
	old, err := scanCollection(tx.QueryRowContext(ctx, `SELECT cluster_id, snapshot_id, started_at, pid, host, staging
		FROM running_collection WHERE cluster_id = ?`, meta.ClusterID))
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return Collection{}, fmt.Errorf("starting snapshot in %s: %w", s.path, err)
	case s.Alive(old):
		return Collection{}, &RunningError{Path: s.path, Running: old}
	default:
		if err := s.takeOver(ctx, tx, old); err != nil {
			return Collection{}, fmt.Errorf("starting snapshot in %s: taking over the collection of pid %d: %w", s.path, old.PID, err)
		}
	}
	// The id comes from the snapshot table's AUTOINCREMENT sequence, so a published snapshot
	// keeps the id reserved here and no later snapshot reuses it.
	if _, err := tx.ExecContext(ctx, `INSERT INTO sqlite_sequence (name, seq) SELECT 'snapshot', 0
		WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'snapshot')`); err != nil {
		return Collection{}, fmt.Errorf("reserving a snapshot id in %s: %w", s.path, err)
	}
	if err := tx.QueryRowContext(ctx, `UPDATE sqlite_sequence SET seq = max(seq, (SELECT COALESCE(max(id), 0) FROM snapshot)) + 1
		WHERE name = 'snapshot' RETURNING seq`).Scan(&c.SnapshotID); err != nil {
		return Collection{}, fmt.Errorf("reserving a snapshot id in %s: %w", s.path, err)
	}
	c.Staging = fmt.Sprintf("%s-staging-%d", filepath.Base(s.path), c.SnapshotID)
	if _, err := tx.ExecContext(ctx, `INSERT INTO running_collection (cluster_id, snapshot_id, started_at, pid, host, staging)
		VALUES (?,?,?,?,?,?)`, c.ClusterID, c.SnapshotID, c.StartedAt.UTC().Format(timeLayout), c.PID, c.Host, c.Staging); err != nil {
		return Collection{}, fmt.Errorf("marking the collection in %s: %w", s.path, err)
	}
	if err := tx.Commit(); err != nil {
		return Collection{}, fmt.Errorf("marking the collection in %s: %w", s.path, err)
	}
	return c, nil
}

// takeOver removes a dead collection's marker and staging file and records it as a failed
// snapshot, so the history says it was interrupted.
func (s *Store) takeOver(ctx context.Context, tx *sql.Tx, old Collection) error {
	note := fmt.Sprintf("interrupted: the collecting process (pid %d on host %s) ended without finishing; taken over by pid %d", old.PID, old.Host, os.Getpid())
	if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO snapshot (id, cluster_id, started_at, finished_at, status, note) VALUES (?,?,?,?,?,?)`,
		old.SnapshotID, old.ClusterID, old.StartedAt.UTC().Format(timeLayout), time.Now().UTC().Format(timeLayout), StatusFailed, note); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM running_collection WHERE cluster_id = ?`, old.ClusterID); err != nil {
		return err
	}
	for _, suffix := range []string{"", "-journal"} {
		if err := os.Remove(s.stagingPath(old.Staging) + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}
