package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/cucm-audit/cucm-audit/collect"
	"github.com/cucm-audit/cucm-audit/internal/cli"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// collectorConfig checks the collector flags (usage errors, exit 2) and reads the configuration.
func collectorConfig(cf *collect.Flags) (collect.Config, error) {
	if err := cf.Check(); err != nil {
		return collect.Config{}, cli.WithCode(cli.ExitUsage, err)
	}
	return cf.Config(os.Getenv, toolVersion())
}

func runCollect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("collect", "collect [--db FILE] [--config FILE --cluster NAME] [--timeout DURATION] [--verbose] [--quiet] [--profile FILE]", stderr)
	db := cli.DBFlag(fs)
	cf := collect.AddFlags(fs, true)
	quiet := cli.QuietFlag(fs)
	profile := profileFlag(fs)
	if err := cli.Parse(fs, args, false); err != nil {
		return err
	}
	stopProfile, err := startProfile(*profile)
	if err != nil {
		return err
	}
	defer stopProfile()
	cfg, err := collectorConfig(cf)
	if err != nil {
		return err
	}
	store, meta, err := collectInto(ctx, cfg, *db, cf.Verbose, *quiet, stderr)
	if err != nil {
		return fmt.Errorf("collect: %w", err)
	}
	defer store.Close()
	fmt.Fprintf(stdout, "snapshot %d %s\n", meta.ID, meta.Status)
	if meta.Status != snapshot.StatusComplete {
		return cli.WithCode(cli.ExitIncomplete, errors.New("snapshot is incomplete (see `cucm-audit show` for its coverage)"))
	}
	return nil
}

// collectInto runs one collection into the database at path and returns the open store with
// the new snapshot (collect.Collector.RunInto). Progress goes to stderr when it is a terminal,
// the one-line summary always.
//
// Quiet (--quiet, for cron) draws no progress, prints no summary and logs warnings and errors only.
func collectInto(ctx context.Context, cfg collect.Config, path string, verbose, quiet bool, stderr io.Writer) (*snapshot.Store, snapshot.Meta, error) {
	log := cli.Logger(stderr, verbose)
	if quiet && !verbose {
		log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	c, err := collect.New(cfg, log)
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
