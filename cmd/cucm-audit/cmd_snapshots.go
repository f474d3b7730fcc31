package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

func runSnapshots(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("snapshots", "snapshots [--db FILE] [--cluster ID] [--format text|json]", stderr)
	db := dbFlag(fs)
	cluster := fs.String("cluster", "", "only this cluster id")
	var format outputFormat
	fs.Var(&format, "format", "output format: text or json")
	if err := parseFlags(fs, args, false); err != nil {
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
	if format == formatJSON {
		if list == nil {
			list = []snapshot.Meta{}
		}
		return writeJSON(stdout, map[string]any{"schema_version": 1, "snapshots": list})
	}
	// Running collections are not snapshots yet: they are named on stderr.
	for _, r := range running {
		if *cluster != "" && r.ClusterID != *cluster {
			continue
		}
		state := "running"
		if !store.Alive(r) {
			state = "interrupted, its process is gone (the next collect of the cluster takes it over)"
		}
		fmt.Fprintf(stderr, "collection of cluster %s since %s (pid %d on host %s, will be snapshot %d): %s\n", r.ClusterID,
			r.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC"), r.PID, r.Host, r.SnapshotID, state)
	}
	if len(list) == 0 {
		fmt.Fprintf(stdout, "no snapshots in %s\n", *db)
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCLUSTER\tSTARTED (UTC)\tDURATION\tSTATUS\tCUCM VERSION\tNOTE")
	for _, m := range list {
		dur := "-"
		if !m.FinishedAt.IsZero() {
			dur = m.FinishedAt.Sub(m.StartedAt).Round(100 * time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", m.ID, m.ClusterID, m.StartedAt.UTC().Format("2006-01-02 15:04:05"),
			dur, m.Status, m.CUCMVersion, m.Note)
	}
	return tw.Flush()
}

// outputFormat is the text|json choice of the listing commands; unknown values fail at parse time.
type outputFormat string

const (
	formatText outputFormat = "text"
	formatJSON outputFormat = "json"
)

func (f *outputFormat) String() string {
	if *f == "" {
		return string(formatText)
	}
	return string(*f)
}

func (f *outputFormat) Set(s string) error {
	switch outputFormat(s) {
	case formatText, formatJSON:
		*f = outputFormat(s)
		return nil
	}
	return fmt.Errorf("unknown format %q: want text or json", s)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
