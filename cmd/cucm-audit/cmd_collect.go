package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/cucm-audit/cucm-audit/collect"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// collectorFlags are the flags collect and check share: where the configuration comes from.
type collectorFlags struct {
	config  *string
	cluster *string
	verbose *bool
}

func addCollectorFlags(fs *flag.FlagSet) collectorFlags {
	return collectorFlags{
		config:  fs.String("config", "", "YAML file listing clusters (default: configuration from the environment, AXL_URL, AXL_USER, AXL_PASS or AXL_PASS_FILE, ...)"),
		cluster: fs.String("cluster", "", "cluster name in --config"),
		verbose: fs.Bool("verbose", false, "log debug lines (retries, waits) to stderr"),
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
	return cfg, err
}

func runCollect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("collect", "collect [--db FILE] [--config FILE --cluster NAME] [--verbose]", stderr)
	db := dbFlag(fs)
	cf := addCollectorFlags(fs)
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	cfg, err := cf.loadConfig()
	if err != nil {
		return err
	}
	log := newLogger(stderr, *cf.verbose)
	c, err := collect.New(cfg, log)
	if err != nil {
		return err
	}
	store, err := snapshot.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	var progress io.Writer
	if isTerminal(stderr) {
		progress = stderr
	}
	meta, err := c.Run(ctx, store, progress)
	if s := c.Summary(); s != "" {
		fmt.Fprintln(stderr, s)
	}
	if err != nil {
		return fmt.Errorf("collect: %w", err)
	}
	fmt.Fprintf(stdout, "snapshot %d %s\n", meta.ID, meta.Status)
	if meta.Status != snapshot.StatusComplete {
		return withCode(exitIncomplete, errors.New("snapshot is incomplete (see `cucm-audit show` for its coverage)"))
	}
	return nil
}
