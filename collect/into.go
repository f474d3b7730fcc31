package collect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/cucm-audit/cucm-audit/internal/cli"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// RunInto runs one collection into the database file at path, created when missing, and returns
// the open store with the new snapshot. It is refused before the cluster is contacted when a
// collection of the same cluster is running into that file. When the file is new and the
// collection stores nothing (a wrong password, an unreachable host), the file is removed
// again, so a failed first run leaves no database behind.
func (c *Collector) RunInto(ctx context.Context, path string, progress io.Writer) (*snapshot.Store, snapshot.Meta, error) {
	_, statErr := os.Stat(path)
	isNew := errors.Is(statErr, os.ErrNotExist)
	store, err := snapshot.Open(ctx, path)
	if err != nil {
		return nil, snapshot.Meta{}, err
	}
	discard := func() {
		if list, err := store.List(ctx, ""); isNew && err == nil && len(list) == 0 {
			store.Close()
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(path + suffix)
			}
			return
		}
		store.Close()
	}
	running, err := store.Collections(ctx)
	if err != nil {
		discard()
		return nil, snapshot.Meta{}, err
	}
	for _, r := range running {
		if r.ClusterID == c.cfg.Cluster && store.Alive(r) {
			store.Close()
			return nil, snapshot.Meta{}, &snapshot.RunningError{Path: path, Running: r}
		}
	}
	meta, err := c.Run(ctx, store, progress)
	if err != nil {
		discard()
		return nil, snapshot.Meta{}, err
	}
	return store, meta, nil
}

// IntoFile runs one collection of cfg into the database at path (Collector.RunInto), logging
// to stderr (debug lines when verbose). Progress goes to stderr when it is a terminal, the
// one-line summary always. Quiet (--quiet, for cron) draws no progress, prints no summary and
// logs warnings and errors only.
func IntoFile(ctx context.Context, cfg Config, path string, verbose, quiet bool, stderr io.Writer) (*snapshot.Store, snapshot.Meta, error) {
	log := cli.Logger(stderr, verbose)
	if quiet && !verbose {
		log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	c, err := New(cfg, log)
	if err != nil {
		return nil, snapshot.Meta{}, err
	}
	var progress io.Writer
	if cli.IsTerminal(stderr) && !quiet {
		progress = stderr
	}
	store, meta, err := c.RunInto(ctx, path, progress)
	if s := c.Summary(); s != "" && !quiet {
		fmt.Fprintln(stderr, s)
	}
	return store, meta, err
}
