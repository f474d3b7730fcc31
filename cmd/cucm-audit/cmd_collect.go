package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/cucm-audit/cucm-audit/collect"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// collectorFlags are the flags collect and check share: where the configuration comes from.
type collectorFlags struct {
	config   *string
	cluster  *string
	verbose  *bool
	manifest *manifestFiles
}

func addCollectorFlags(fs *flag.FlagSet) collectorFlags {
	return collectorFlags{
		config:   fs.String("config", "", "YAML file listing clusters (default: configuration from the environment, AXL_URL, AXL_USER, AXL_PASS or AXL_PASS_FILE, ...)"),
		cluster:  fs.String("cluster", "", "cluster name in --config"),
		verbose:  fs.Bool("verbose", false, "log debug lines (retries, waits) to stderr"),
		manifest: addManifestFlag(fs),
	}
}

// loadConfig reads the configuration from --config/--cluster or from the environment.
func (f collectorFlags) loadConfig() (collect.Config, error) {
	var (
		cfg collect.Config
		err error
	)
	switch {
	case *f.config != "":
		cfg, err = collect.LoadConfigFile(*f.config, *f.cluster, os.Getenv)
	case *f.cluster != "":
		return cfg, usageErrorf("--cluster needs --config")
	default:
		cfg, err = collect.ConfigFromEnv(os.Getenv)
	}
	cfg.ToolVersion = toolVersion()
	if err == nil {
		err = cfg.AddManifests(*f.manifest...)
	}
	return cfg, err
}

// timeoutFlag is --timeout of collect and run: the deadline of the whole collection.
func timeoutFlag(fs *flag.FlagSet) *time.Duration {
	return fs.Duration("timeout", 0, "deadline of the whole collection, e.g. 30m: what is not read by then is stored as incomplete and the snapshot is partial (exit 4) (default: COLLECT_TIMEOUT or the config file's collect_timeout, else 2h)")
}

// applyTimeout puts --timeout, when given, into the configuration.
func applyTimeout(cfg *collect.Config, timeout time.Duration) error {
	switch {
	case timeout < 0:
		return usageErrorf("--timeout %s: want a positive duration such as 30m", timeout)
	case timeout > 0:
		cfg.CollectTimeout = timeout
	}
	return nil
}

func runCollect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("collect", "collect [--db FILE] [--config FILE --cluster NAME] [--timeout DURATION] [--verbose] [--quiet] [--profile FILE]", stderr)
	db := dbFlag(fs)
	cf := addCollectorFlags(fs)
	timeout := timeoutFlag(fs)
	quiet := quietFlag(fs)
	profile := profileFlag(fs)
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	stopProfile, err := startProfile(*profile)
	if err != nil {
		return err
	}
	defer stopProfile()
	cfg, err := cf.loadConfig()
	if err != nil {
		return err
	}
	if err := applyTimeout(&cfg, *timeout); err != nil {
		return err
	}
	store, meta, err := collectInto(ctx, cfg, *db, *cf.verbose, *quiet, stderr)
	if err != nil {
		return fmt.Errorf("collect: %w", err)
	}
	defer store.Close()
	fmt.Fprintf(stdout, "snapshot %d %s\n", meta.ID, meta.Status)
	if meta.Status != snapshot.StatusComplete {
		return withCode(exitIncomplete, errors.New("snapshot is incomplete (see `cucm-audit show` for its coverage)"))
	}
	return nil
}

// collectInto runs one collection into the database at path and returns the open store with
// the new snapshot (collect.Collector.RunInto). Progress goes to stderr when it is a terminal,
// the one-line summary always.
//
// Quiet (--quiet, for cron) draws no progress, prints no summary and logs warnings and errors only.
func collectInto(ctx context.Context, cfg collect.Config, path string, verbose, quiet bool, stderr io.Writer) (*snapshot.Store, snapshot.Meta, error) {
	log := newLogger(stderr, verbose)
	if quiet && !verbose {
		log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	c, err := collect.New(cfg, log)
	if err != nil {
		return nil, snapshot.Meta{}, err
	}
	var progress io.Writer
	if isTerminal(stderr) && !quiet {
		progress = stderr
	}
	store, meta, err := c.RunInto(ctx, path, progress)
	if s := c.Summary(); s != "" && !quiet {
		fmt.Fprintln(stderr, s)
	}
	return store, meta, err
}
