package main

import (
	"context"
	"io"

	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

func runShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("show", "show [--db FILE] [--snapshot ID|latest|latest~N] [--format text|json]", stderr)
	db := dbFlag(fs)
	ref := fs.String("snapshot", "latest", "snapshot id, latest or latest~N")
	var format render.Output
	fs.Var(&format, "format", "output format: text or json")
	if err := parseFlags(fs, args, false); err != nil {
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
