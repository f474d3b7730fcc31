package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

// snapshotView is what `show` prints: metadata, coverage and counts of one snapshot.
type snapshotView struct {
	SchemaVersion int                   `json:"schema_version"`
	Snapshot      snapshot.Meta         `json:"snapshot"`
	Coverage      []snapshot.Coverage   `json:"coverage"`
	AXL           []snapshot.ClassCount `json:"axl_by_class"`
	RisPort       []snapshot.ClassCount `json:"risport_by_class_status"`
}

func runShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("show", "show [--db FILE] [--snapshot ID|latest|latest~N] [--format text|json]", stderr)
	db := dbFlag(fs)
	ref := fs.String("snapshot", "latest", "snapshot id, latest or latest~N")
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
	v, err := loadSnapshotView(ctx, store, *ref)
	if err != nil {
		return err
	}
	if format == formatJSON {
		return writeJSON(stdout, v)
	}
	printSnapshotView(stdout, v)
	return nil
}

func loadSnapshotView(ctx context.Context, store *snapshot.Store, ref string) (snapshotView, error) {
	m, err := store.Resolve(ctx, ref, "")
	if err != nil {
		return snapshotView{}, err
	}
	v := snapshotView{SchemaVersion: 1, Snapshot: m}
	if v.Coverage, err = store.Coverage(ctx, m.ID); err != nil {
		return v, err
	}
	if v.AXL, err = store.AXLCounts(ctx, m.ID); err != nil {
		return v, err
	}
	if v.RisPort, err = store.RisCounts(ctx, m.ID); err != nil {
		return v, err
	}
	if v.Coverage == nil {
		v.Coverage = []snapshot.Coverage{}
	}
	return v, nil
}

// risStatuses is the column order of the RisPort table: the CmDevRegStat values.
var risStatuses = snapshot.RegStatuses()

func printSnapshotView(w io.Writer, v snapshotView) {
	m := v.Snapshot
	fmt.Fprintf(w, "Snapshot %d of cluster %s (%s)\n", m.ID, m.ClusterID, m.Status)
	fmt.Fprintf(w, "  AXL host:     %s\n  CUCM version: %s\n  Started:      %s\n", m.AXLHost, m.CUCMVersion, m.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
	if !m.FinishedAt.IsZero() {
		fmt.Fprintf(w, "  Finished:     %s (%s)\n", m.FinishedAt.UTC().Format("2006-01-02 15:04:05 UTC"), m.FinishedAt.Sub(m.StartedAt).Round(1e8))
	}
	fmt.Fprintf(w, "  Tool version: %s\n", m.ToolVersion)
	if m.Note != "" {
		fmt.Fprintf(w, "  Note:         %s\n", m.Note)
	}

	gaps := 0
	nodesComplete := true
	classComplete := map[string]bool{}
	for _, c := range v.Coverage {
		if !c.Complete {
			gaps++
		}
		if c.Source == snapshot.SourceRisPort {
			if kind, name, _ := strings.Cut(c.Item, ":"); kind == "node" {
				nodesComplete = nodesComplete && c.Complete
			} else if kind == "class" {
				classComplete[name] = c.Complete
			}
		}
	}
	fmt.Fprintf(w, "\nCoverage: %d sources read, %d incomplete\n", len(v.Coverage), gaps)
	for _, c := range v.Coverage {
		if !c.Complete {
			fmt.Fprintf(w, "  INCOMPLETE %s %s: %s\n", c.Source, c.Item, c.Reason)
		}
	}
	if gaps > 0 {
		fmt.Fprintln(w, "  RisPort counts of a class read incompletely are lower bounds (≥ N).")
	}

	fmt.Fprintln(w, "\nAXL configured devices by class:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	total := 0
	for _, c := range v.AXL {
		fmt.Fprintf(tw, "  %s\t%d\t\n", c.Class, c.Count)
		total += c.Count
	}
	fmt.Fprintf(tw, "  Total\t%d\t\n", total)
	tw.Flush()

	byClass := map[string]map[string]int{}
	for _, c := range v.RisPort {
		if byClass[c.Class] == nil {
			byClass[c.Class] = map[string]int{}
		}
		byClass[c.Class][c.Status] += c.Count
	}
	classes := make([]string, 0, len(byClass))
	for c := range byClass {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	fmt.Fprintln(w, "\nRisPort devices by class and status (one row per device, newest TimeStamp wins):")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "  Class\t")
	for _, s := range risStatuses {
		fmt.Fprintf(tw, "%s\t", s)
	}
	fmt.Fprint(tw, "Seen\t\n")
	for _, c := range classes {
		fmt.Fprintf(tw, "  %s\t", c)
		seen := 0
		for _, n := range byClass[c] {
			seen += n
		}
		bound := ""
		if !nodesComplete || !classComplete[c] {
			bound = "≥ "
		}
		for _, s := range risStatuses {
			fmt.Fprintf(tw, "%s%d\t", bound, byClass[c][s])
		}
		fmt.Fprintf(tw, "%s%d\t\n", bound, seen)
	}
	tw.Flush()
}
