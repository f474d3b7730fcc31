package render

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// DiffText prints the change-window summary of `cucm-audit diff`: what broke, what recovered,
// what changed, limit lines per section (0: all).
func DiffText(d *results.Diff, limit int) func(io.Writer) error {
	return func(w io.Writer) error { return writeDiffText(w, d, limit) }
}

func writeDiffText(w io.Writer, d *results.Diff, limit int) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "Change window on cluster %s: snapshot %d (%s) -> %d (%s)\n", d.After.ClusterID,
		d.Before.ID, diffStamp(d.Before.StartedAt), d.After.ID, diffStamp(d.After.StartedAt))
	broke, recovered := d.StatusChanges()
	if d.Empty() {
		fmt.Fprintln(ew, "\nNothing changed.")
	}
	statusLines := func(c results.DeviceChange) []string {
		var lines []string
		for _, f := range c.Fields {
			if f.Field == results.FieldStatus {
				lines = append(lines, fmt.Sprintf("  %s\t%s\t%s\t%s -> %s\n", c.Name, c.Class, c.Model, f.Before, f.After))
			}
		}
		return lines
	}
	const allHint = " (--limit 0 or --format json for all)"
	writeDiffList(ew, "What broke", broke, limit, allHint, statusLines)
	writeDiffList(ew, "What recovered", recovered, limit, allHint, statusLines)
	refLine := func(r results.DeviceRef) []string {
		return []string{fmt.Sprintf("  %s\t%s\t%s\n", r.Name, r.Class, r.Model)}
	}
	writeDiffList(ew, "Devices added", d.Added, limit, "", refLine)
	writeDiffList(ew, "Devices removed", d.Removed, limit, "", refLine)

	// Other field changes, grouped so that a firmware roll-out reads as one line.
	type group struct {
		field, before, after string
		devices              []string
	}
	groups := map[[3]string]*group{}
	for _, c := range d.Changed {
		for _, f := range c.Fields {
			if f.Field == results.FieldStatus && (f.Before == "Registered" || f.After == "Registered") {
				continue // listed under what broke or recovered
			}
			k := [3]string{f.Field, f.Before, f.After}
			if groups[k] == nil {
				groups[k] = &group{field: f.Field, before: f.Before, after: f.After}
			}
			groups[k].devices = append(groups[k].devices, c.Name)
		}
	}
	if len(groups) > 0 {
		list := make([]*group, 0, len(groups))
		for _, g := range groups {
			list = append(list, g)
		}
		sort.Slice(list, func(i, j int) bool {
			if len(list[i].devices) != len(list[j].devices) {
				return len(list[i].devices) > len(list[j].devices)
			}
			a, b := list[i], list[j]
			return a.field+"\x00"+a.before+"\x00"+a.after < b.field+"\x00"+b.before+"\x00"+b.after
		})
		fmt.Fprintf(ew, "\nWhat changed (%d field changes):\n", len(list))
		tw := tabwriter.NewWriter(ew, 2, 8, 2, ' ', 0)
		for i, g := range list {
			if limit > 0 && i == limit {
				fmt.Fprintf(tw, "  ... and %d more\n", len(list)-limit)
				break
			}
			names := g.devices
			more := ""
			if len(names) > 3 {
				more = fmt.Sprintf(", +%d more", len(names)-3)
				names = names[:3]
			}
			fmt.Fprintf(tw, "  %s\t%s -> %s\t%d device(s): %s%s\n", g.field, quoteEmpty(g.before), quoteEmpty(g.after),
				len(g.devices), strings.Join(names, ", "), more)
		}
		tw.Flush()
	}

	if d.FindingsCompared {
		fmt.Fprintf(ew, "\nFindings: %d new, %d resolved, %d persisting", len(d.NewFindings), len(d.Resolved), d.Persisting)
		if len(d.Unconfirmed) > 0 {
			fmt.Fprintf(ew, ", %d not re-evaluated", len(d.Unconfirmed))
		}
		fmt.Fprintln(ew)
		findings := func(label string, fs []results.Finding) {
			tw := tabwriter.NewWriter(ew, 2, 8, 2, ' ', 0)
			for i, f := range fs {
				if limit > 0 && i == limit {
					fmt.Fprintf(tw, "  ... and %d more %s\n", len(fs)-limit, label)
					break
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", label, f.Severity, f.RuleID, f.Entity)
			}
			tw.Flush()
		}
		findings("new", d.NewFindings)
		findings("resolved", d.Resolved)
	} else {
		fmt.Fprintln(ew, "\nFindings: not compared (a snapshot has not been analyzed: see the notes)")
	}

	if len(d.Registration) > 0 {
		fmt.Fprintln(ew, "\nRegistered by class (before -> after):")
		tw := tabwriter.NewWriter(ew, 2, 8, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "  class\tregistered\t\tseen by RisPort\t\tconfigured\t")
		incomplete := false
		for _, c := range d.Registration {
			// Counts from a side whose RisPort coverage of the class had a gap are lower bounds.
			low := func(n int, inc bool) string {
				if inc {
					return fmt.Sprintf(">=%d", n)
				}
				return fmt.Sprint(n)
			}
			regDelta, seenDelta := delta(c.RegisteredAfter-c.RegisteredBefore), delta(c.SeenAfter-c.SeenBefore)
			if c.IncompleteBefore || c.IncompleteAfter {
				incomplete = true
				regDelta, seenDelta = "(incomplete)", "(incomplete)"
			}
			fmt.Fprintf(tw, "  %s\t%s -> %s\t%s\t%s -> %s\t%s\t%d -> %d\t\n", c.Class,
				low(c.RegisteredBefore, c.IncompleteBefore), low(c.RegisteredAfter, c.IncompleteAfter), regDelta,
				low(c.SeenBefore, c.IncompleteBefore), low(c.SeenAfter, c.IncompleteAfter), seenDelta,
				c.ConfiguredBefore, c.ConfiguredAfter)
		}
		tw.Flush()
		if incomplete {
			fmt.Fprintln(ew, "  >=N: RisPort coverage of the class had a gap in that snapshot, so the count is a lower bound and the change is not exact")
		}
	}
	for i, n := range d.Notes {
		if i == 0 {
			fmt.Fprintln(ew, "\nNotes:")
		}
		fmt.Fprintf(ew, "  - %s\n", n)
	}
	fmt.Fprintf(ew, "\nIgnored fields: %s\n", orNone(strings.Join(d.Ignored, ", ")))
	return ew.err
}

func diffStamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func delta(n int) string {
	switch {
	case n > 0:
		return fmt.Sprintf("(+%d)", n)
	case n < 0:
		return fmt.Sprintf("(%d)", n)
	}
	return ""
}

func quoteEmpty(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// writeDiffList writes one titled list of the diff, at most limit items (0: all) and a line
// saying how many more, each item as the tab-separated lines line gives it.
func writeDiffList[T any](w io.Writer, title string, items []T, limit int, hint string, line func(T) []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s (%d):\n", title, len(items))
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	for i, it := range items {
		if limit > 0 && i == limit {
			fmt.Fprintf(tw, "  ... and %d more%s\n", len(items)-limit, hint)
			break
		}
		for _, l := range line(it) {
			fmt.Fprint(tw, l)
		}
	}
	tw.Flush()
}
