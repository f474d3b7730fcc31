// Package demo runs `cucm-audit demo`: the simulated CUCM of a scenario served over HTTPS on
// loopback, one collection into a database of the demo's own, an analysis and the reports, so a
// newcomer sees the whole tool work without a cluster.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/collect"
	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// Options are one demo run.
type Options struct {
	Scenario *cucmsim.Scenario
	// Source says where the scenario came from: its file or "shipped scenario NAME".
	Source string
	// DB is the demo's database, recreated on each run; Out the folder of the reports.
	DB, Out     string
	ToolVersion string
	// Log receives the collector's logs; Notes what is served and the collection's summary;
	// Progress, when not nil, the collection's progress.
	Log      *slog.Logger
	Notes    io.Writer
	Progress io.Writer
}

// Result is what the demo made: the snapshot's overview, its analysis and the reports.
type Result struct {
	Overview snapshot.Overview
	Analysis *analyze.Result
	Manifest render.Manifest
}

// Run runs the demo. It refuses to recreate a database holding snapshots the demo did not make.
func Run(ctx context.Context, o Options) (*Result, error) {
	sim, err := cucmsim.New(o.Scenario)
	if err != nil {
		return nil, err
	}
	defer sim.Close()
	ln, caFile, err := serve(sim)
	if err != nil {
		return nil, err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		ln.Shutdown(ctx)
		os.Remove(caFile)
	}()
	fmt.Fprintf(o.Notes, "demo: simulated CUCM %q (%s) on %s, TLS verified with its own CA\n", o.Scenario.Cluster.Name, o.Source, ln.URL)

	// The demo database is the demo's own: recreate it so every run starts from the same state,
	// but only when it holds nothing but demo snapshots.
	if err := checkDB(ctx, o.DB); err != nil {
		return nil, err
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(o.DB + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("removing the previous demo database %s: %w", o.DB+suffix, err)
		}
	}
	store, err := snapshot.Open(ctx, o.DB)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	if err := store.MarkDemo(ctx); err != nil {
		return nil, fmt.Errorf("marking %s as the demo's database: %w", o.DB, err)
	}

	user, pass := sim.Credentials()
	f := sim.Faults()
	env := map[string]string{
		"AXL_URL":             ln.URL + cucmsim.AXLPath,
		"AXL_USER":            user,
		"AXL_PASS":            pass,
		"AXL_CA_FILE":         caFile,
		"CUCM_CLUSTER":        o.Scenario.Cluster.Name,
		"RISPORT_RATE_LIMIT":  strconv.Itoa(f.RisPortRateLimit),
		"RISPORT_RATE_WINDOW": f.RisPortRateWindow.String(),
		"RISPORT_MAX_DEVICES": strconv.Itoa(f.RisPortMaxDevices),
	}
	cfg, err := collect.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		return nil, err
	}
	cfg.ToolVersion = o.ToolVersion
	c, err := collect.New(cfg, o.Log)
	if err != nil {
		return nil, err
	}
	meta, err := c.Run(ctx, store, o.Progress)
	if s := c.Summary(); s != "" {
		fmt.Fprintln(o.Notes, s)
	}
	if meta.ID != 0 {
		// Marked even when the collection failed: the snapshot is the demo's either way.
		if err := store.MarkDemoSnapshot(context.WithoutCancel(ctx), meta.ID, o.Source); err != nil {
			return nil, fmt.Errorf("marking snapshot %d as the demo's: %w", meta.ID, err)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("collecting: %w", err)
	}
	var r Result
	if r.Overview, err = store.Overview(ctx, strconv.FormatInt(meta.ID, 10)); err != nil {
		return nil, err
	}
	if r.Analysis, err = analyze.Run(ctx, store, meta.ID, analyze.Options{ToolVersion: o.ToolVersion}); err != nil {
		return nil, fmt.Errorf("analysing: %w", err)
	}
	rep, err := analyze.BuildReport(ctx, store, meta.ID, analyze.ReportOptions{ToolVersion: o.ToolVersion})
	if err != nil {
		return nil, err
	}
	r.Manifest, err = render.WriteAll(ctx, rep, render.Formats{render.FormatPDF, render.FormatXLSX, render.FormatMarkdown, render.FormatJSON}, o.Out, render.Options{})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// checkDB refuses to recreate a database that is not the demo's own: another application's
// file (snapshot.ErrNotOurs) or a cucm-audit database holding a snapshot the demo did not list
// in demo_snapshot. Where a snapshot was collected from says nothing: an auditor reaching the
// publisher through an SSH tunnel collects real data from 127.0.0.1. A missing or empty file
// is fine.
func checkDB(ctx context.Context, path string) error {
	store, err := snapshot.OpenReadOnly(ctx, path)
	switch {
	case errors.Is(err, snapshot.ErrNoDatabase):
		return nil
	case errors.Is(err, snapshot.ErrNotOurs):
		return err
	case err != nil:
		// An older schema cannot be read without migrating it: migrate, as any writing command would.
		if store, err = snapshot.OpenExisting(ctx, path); err != nil {
			return err
		}
	}
	defer store.Close()
	list, err := store.List(ctx, "")
	if err != nil {
		return err
	}
	demo, err := store.DemoSnapshots(ctx)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
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
	return fmt.Errorf("database %s holds snapshots the demo did not make (%s); the demo recreates its database, so it leaves this one untouched: pass another --db, or none (OUT/demo.db); an older demo database, made before the demo marked its snapshots, is refused too: delete it yourself",
		path, strings.Join(real, ", "))
}

// serve serves the simulator over HTTPS on a free loopback port, its certificate written to
// a temporary CA file so the collector verifies TLS as it would against a real cluster.
func serve(sim *cucmsim.Server) (*cucmsim.Listener, string, error) {
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
