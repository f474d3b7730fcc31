package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/collect"
	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// demoOptions are the flags of `cucm-audit demo`.
type demoOptions struct {
	scenario string
	db       string
	out      string
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o demoOptions
	fs := newFlagSet("demo", "demo [--scenario FILE|NAME] [--db FILE] [--out DIR]", stderr)
	fs.StringVar(&o.scenario, "scenario", "demo", "scenario to simulate: a YAML file or a shipped scenario name")
	fs.StringVar(&o.out, "out", "reports", "folder for the reports")
	fs.StringVar(&o.db, "db", "", "database file, recreated on each run (default OUT/demo.db)")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if o.db == "" {
		o.db = filepath.Join(o.out, "demo.db")
	}
	sc, src, err := loadSimScenario(o.scenario)
	if err != nil {
		return err
	}
	sim, err := cucmsim.New(sc)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer sim.Close()
	ln, caFile, err := serveDemo(sim)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		ln.Shutdown(ctx)
		os.Remove(caFile)
	}()
	base := ln.URL
	fmt.Fprintf(stderr, "demo: simulated CUCM %q (%s) on %s, TLS verified with its own CA\n", sc.Cluster.Name, src, base)

	// The demo database is the demo's own: recreate it so every run starts from the same state,
	// but only when it holds nothing but demo snapshots.
	if err := checkDemoDB(ctx, o.db); err != nil {
		return err
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(o.db + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("demo: removing the previous demo database %s: %w", o.db+suffix, err)
		}
	}
	store, err := snapshot.Open(ctx, o.db)
	if err != nil {
		return err
	}
	defer store.Close()
	if _, err := store.DB().ExecContext(ctx, demoTable); err != nil {
		return fmt.Errorf("demo: marking %s as the demo's database: %w", o.db, err)
	}

	user, pass := sim.Credentials()
	f := sim.Faults()
	env := map[string]string{
		"AXL_URL":             base + cucmsim.AXLPath,
		"AXL_USER":            user,
		"AXL_PASS":            pass,
		"AXL_CA_FILE":         caFile,
		"CUCM_CLUSTER":        sc.Cluster.Name,
		"RISPORT_RATE_LIMIT":  strconv.Itoa(f.RisPortRateLimit),
		"RISPORT_RATE_WINDOW": f.RisPortRateWindow.String(),
		"RISPORT_MAX_DEVICES": strconv.Itoa(f.RisPortMaxDevices),
	}
	cfg, err := collect.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	cfg.ToolVersion = toolVersion()
	c, err := collect.New(cfg, newLogger(stderr, false))
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	var progress io.Writer
	if isTerminal(stderr) {
		progress = stderr
	}
	meta, err := c.Run(ctx, store, progress)
	if s := c.Summary(); s != "" {
		fmt.Fprintln(stderr, s)
	}
	if meta.ID != 0 {
		// Marked even when the collection failed: the snapshot is the demo's either way.
		if _, err := store.DB().ExecContext(context.WithoutCancel(ctx), `INSERT OR IGNORE INTO demo_snapshot (snapshot_id, scenario) VALUES (?, ?)`, meta.ID, src); err != nil {
			return fmt.Errorf("demo: marking snapshot %d as the demo's: %w", meta.ID, err)
		}
	}
	if err != nil {
		return fmt.Errorf("demo: collecting: %w", err)
	}
	v, err := store.Overview(ctx, strconv.FormatInt(meta.ID, 10))
	if err != nil {
		return err
	}
	render.OverviewText(v)(stdout)

	res, err := analyze.Run(ctx, store, meta.ID, analyze.Options{ToolVersion: toolVersion()})
	if err != nil {
		return fmt.Errorf("demo: analysing: %w", err)
	}
	fmt.Fprintln(stdout)
	render.ResultText(res, 5)(stdout)
	rep, err := analyze.BuildReport(ctx, store, meta.ID, analyze.ReportOptions{ToolVersion: toolVersion()})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	m, err := render.WriteAll(ctx, rep, render.Formats{render.FormatPDF, render.FormatXLSX, render.FormatMarkdown, render.FormatJSON}, o.out, render.Options{})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintln(stdout, "\nReports:")
	m.WritePaths(stdout)
	return nil
}

// demoTable marks a database as the demo's: the demo lists there every snapshot it made. It
// is created by the demo only, in the database it has just recreated; no other command writes it.
const demoTable = `CREATE TABLE IF NOT EXISTS demo_snapshot (
	snapshot_id INTEGER PRIMARY KEY,
	scenario    TEXT NOT NULL
)`

// checkDemoDB refuses to recreate a database that is not the demo's own: another application's
// file (snapshot.ErrNotOurs) or a cucm-audit database holding a snapshot the demo did not list
// in demo_snapshot. Where a snapshot was collected from says nothing: an auditor reaching the
// publisher through an SSH tunnel collects real data from 127.0.0.1. A missing or empty file
// is fine.
func checkDemoDB(ctx context.Context, path string) error {
	store, err := snapshot.OpenReadOnly(ctx, path)
	switch {
	case errors.Is(err, snapshot.ErrNoDatabase):
		return nil
	case errors.Is(err, snapshot.ErrNotOurs):
		return fmt.Errorf("demo: %w", err)
	case err != nil:
		// An older schema cannot be read without migrating it: migrate, as any writing command would.
		if store, err = snapshot.OpenExisting(ctx, path); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	defer store.Close()
	list, err := store.List(ctx, "")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	demo := map[int64]bool{}
	var marked int
	if err := store.DB().QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'demo_snapshot'`).Scan(&marked); err != nil {
		return fmt.Errorf("demo: reading %s: %w", path, err)
	}
	if marked > 0 {
		rows, err := store.DB().QueryContext(ctx, `SELECT snapshot_id FROM demo_snapshot`)
		if err != nil {
			return fmt.Errorf("demo: reading %s: %w", path, err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("demo: reading %s: %w", path, err)
			}
			demo[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("demo: reading %s: %w", path, err)
		}
	}
	var real []string
	for _, m := range list {
		if m.AXLHost == "" && m.Status == snapshot.StatusFailed {
			continue // an interrupted collection taken over: no data, no host
		}
		if !demo[m.ID] {
			real = append(real, fmt.Sprintf("snapshot %d of cluster %s from %s", m.ID, m.ClusterID, m.AXLHost))
		}
	}
	if len(real) == 0 {
		return nil
	}
	if len(real) > 3 {
		real = append(real[:3], fmt.Sprintf("%d more", len(real)-3))
	}
	return fmt.Errorf("demo: database %s holds snapshots the demo did not make (%s); the demo recreates its database, so it leaves this one untouched: pass another --db, or none (OUT/demo.db); an older demo database, made before the demo marked its snapshots, is refused too: delete it yourself",
		path, strings.Join(real, ", "))
}

// serveDemo serves the simulator over HTTPS on a free loopback port, its certificate written to
// a temporary CA file so the collector verifies TLS as it would against a real cluster.
func serveDemo(sim *cucmsim.Server) (*cucmsim.Listener, string, error) {
	ln, err := sim.Listen("127.0.0.1:0", true)
	if err != nil {
		return nil, "", err
	}
	f, err := os.CreateTemp("", "cucm-audit-sim-ca-*.pem")
	if err == nil {
		_, err = f.Write(ln.CertPEM)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(f.Name())
		}
	}
	if err != nil {
		ln.Shutdown(context.Background())
		return nil, "", fmt.Errorf("writing the simulator's CA file: %w", err)
	}
	return ln, f.Name(), nil
}
