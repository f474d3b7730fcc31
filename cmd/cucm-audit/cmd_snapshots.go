package main

import (
	"context"
	"io"

	"github.com/cucm-audit/cucm-audit/internal/cli"
	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

func runSnapshots(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("snapshots", "snapshots [--db FILE] [--cluster ID] [--format text|json]", stderr)
	db := cli.DBFlag(fs)
	cluster := fs.String("cluster", "", "only this cluster id")
	var format render.Output
	fs.Var(&format, "format", "output format: text or json")
	if err := cli.Parse(fs, args, false); err != nil {
		return err
	}
	store, err := snapshot.OpenReadOnly(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	list, err := store.List(ctx, *cluster)
	if err != nil {
		return err
	}
	running, err := store.Collections(ctx)
	if err != nil {
		return err
	}
	if list == nil {
		list = []snapshot.Meta{}
	}
	if format != render.OutputJSON {
		// Running collections are not snapshots yet: they are named on stderr.
		render.RunningCollections(stderr, store, running, *cluster)
	}
	return format.Print(stdout, map[string]any{"schema_version": 1, "snapshots": list}, render.SnapshotList(list, *db))
}
