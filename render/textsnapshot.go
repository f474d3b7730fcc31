package render

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

// SnapshotList prints the snapshots of `cucm-audit snapshots` as a table; db names the
// database when it holds none.
func SnapshotList(list []snapshot.Meta, db string) func(io.Writer) error {
	return func(w io.Writer) error {
		if len(list) == 0 {
			_, err := fmt.Fprintf(w, "no snapshots in %s\n", db)
			return err
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
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
}

// collectionLine says what a collection that is not a snapshot yet is doing; alive is whether
// its process still runs.
func collectionLine(r snapshot.Collection, alive bool) string {
	state := "running"
	if !alive {
		state = "interrupted, its process is gone (the next collect of the cluster takes it over)"
	}
	return fmt.Sprintf("collection of cluster %s since %s (pid %d on host %s, will be snapshot %d): %s", r.ClusterID,
		r.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC"), r.PID, r.Host, r.SnapshotID, state)
}

// RunningCollections names on w the collections of running that are not snapshots yet (only
// cluster's, when it is not ""), each with whether its process still runs.
func RunningCollections(w io.Writer, store *snapshot.Store, running []snapshot.Collection, cluster string) {
	for _, r := range running {
		if cluster == "" || r.ClusterID == cluster {
			fmt.Fprintln(w, collectionLine(r, store.Alive(r)))
		}
	}
}

// OverviewText prints a snapshot's overview for `cucm-audit show` and the demo: metadata,
// coverage gaps, AXL counts by class and RisPort counts by class and status.
func OverviewText(v snapshot.Overview) func(io.Writer) error {
	return func(w io.Writer) error {
		ew := &errWriter{w: w}
		writeOverview(ew, v)
		return ew.err
	}
}

func writeOverview(w io.Writer, v snapshot.Overview) {
	// The columns of the RisPort table: the CmDevRegStat values.
	risStatuses := snapshot.RegStatuses()
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
