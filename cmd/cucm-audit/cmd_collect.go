package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/cucm-audit/cucm-audit/collect"
	"github.com/cucm-audit/cucm-audit/internal/cli"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

func runCollect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("collect", "collect [--db FILE] [--config FILE --cluster NAME] [--timeout DURATION] [--verbose] [--quiet] [--profile FILE]", stderr)
	db := cli.DBFlag(fs)
	cf := collect.AddFlags(fs, true)
	quiet := cli.QuietFlag(fs)
	if err := cli.Parse(fs, args, false); err != nil {
		return err
	}
	stopProfile, err := cf.StartProfile()
	if err != nil {
		return err
	}
	defer stopProfile()
	cfg, err := cf.Config(os.Getenv, toolVersion())
	if err != nil {
		return err
	}
	store, meta, err := collect.IntoFile(ctx, cfg, *db, cf.Verbose, *quiet, stderr)
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
