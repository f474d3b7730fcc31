package main

import (
	"context"
	"io"

	"github.com/cucm-audit/cucm-audit/internal/cli"
	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

func runShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("show", "show [--db FILE] [--snapshot ID|latest|latest~N] [--format text|json]", stderr)
	db := cli.DBFlag(fs)
	ref := fs.String("snapshot", "latest", "snapshot id, latest or latest~N")
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
	v, err := store.Overview(ctx, *ref)
	if err != nil {
		return err
	}
	return format.Print(stdout, v, render.OverviewText(v))
}
