package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// diffOptions are the flags of `cucm-audit diff`.
type diffOptions struct {
	db      string
	cluster string
	before  string
	after   string
	format  string
	out     string
	ignore  []string
	force   bool
	limit   int
	render  render.Options
	pdfMax  int
	mdMax   int
	failOn  string
}

func runDiff(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("diff", "diff [--db FILE] [--before ID|latest~1] [--after ID|latest] [--format text|json] [--out DIR --format pdf,xlsx,md,json,html]", stderr)
	var o diffOptions
	o.ignore = analyze.DefaultIgnoredFields()
	dbPath := dbFlag(fs)
	fs.StringVar(&o.cluster, "cluster", "", "cluster id, when the database holds several (default: the cluster of --after)")
	fs.StringVar(&o.before, "before", "latest~1", "the snapshot before the change: an id, latest or latest~N (of the cluster of --after)")
	fs.StringVar(&o.after, "after", "latest", "the snapshot after the change: an id, latest or latest~N")
	fs.StringVar(&o.format, "format", "text", "text or json on stdout; with --out, a list of report formats: pdf,xlsx,md,json,html")
	fs.StringVar(&o.out, "out", "", "write the change-window report files into this folder (needs --format pdf,xlsx,md,json,html)")
	fs.Func("ignore-fields", "fields that never count as a change, replacing the defaults; +a,b adds to them; none compares all\n(fields: "+
		strings.Join(analyze.DiffFields(), ", ")+")\n(default "+strings.Join(analyze.DefaultIgnoredFields(), ",")+")", func(s string) error {
		v, err := analyze.ParseIgnoreFields(s)
		if err != nil {
			return err
		}
		o.ignore = v
		return nil
	})
	fs.BoolVar(&o.force, "force", false, "compare snapshots of two different clusters anyway")
	fs.StringVar(&o.failOn, "fail-on", "", "exit 3 when the change window has any of: broke (a device that was registered is not), new-findings (comma-separated)")
	fs.IntVar(&o.limit, "limit", 25, "devices and findings listed per section in text output (0 = all)")
	fs.StringVar(&o.render.TemplatesDir, "templates", "", "with --out: folder of Markdown templates (*.tmpl) overriding the built-in ones (the change window is the \"diff\" block)")
	fs.IntVar(&o.pdfMax, "pdf-max-entities", render.DefaultPDFMaxEntities, "with --out: rows listed per change list in the PDF, the rest counted and left to the XLSX (0 = all)")
	fs.IntVar(&o.mdMax, "md-max-entities", render.DefaultMarkdownMaxEntities, "with --out: rows listed per change list in the Markdown (0 = all)")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	o.db = *dbPath
	if o.out == "" && o.format != "text" && o.format != "json" {
		if _, err := render.ParseFormats(o.format); err != nil {
			return usageErrorf("diff: --format: %w (or text or json on stdout)", err)
		}
		return usageErrorf("diff: --format %q writes files: give --out DIR, or use --format text or json for stdout", o.format)
	}
	for _, c := range []struct {
		name string
		v    int
		dst  *int
	}{{"--pdf-max-entities", o.pdfMax, &o.render.PDFMaxEntities}, {"--md-max-entities", o.mdMax, &o.render.MarkdownMaxEntities}} {
		switch {
		case c.v < 0:
			return usageErrorf("diff: %s %d: want 0 (all) or a positive number", c.name, c.v)
		case c.v == 0:
			*c.dst = -1
		default:
			*c.dst = c.v
		}
	}
	store, err := snapshot.OpenReadOnly(ctx, o.db)
	if err != nil {
		return err
	}
	defer store.Close()
	failOn, err := parseFailOn(o.failOn)
	if err != nil {
		return err
	}
	d, err := diffFromFlags(ctx, store, o)
	if err != nil {
		return err
	}
	switch {
	case o.out != "":
		err = writeDiffReport(ctx, d, o, stdout)
	case o.format == "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(struct {
			SchemaVersion int `json:"schema_version"`
			*analyze.Diff
		}{analyze.DiffSchemaVersion, d})
	default:
		err = writeDiffText(stdout, d, o.limit)
	}
	if err != nil {
		return err
	}
	return failOnDiff(d, failOn)
}

// parseFailOn reads --fail-on: broke, new-findings, comma-separated.
func parseFailOn(list string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, v := range strings.Split(list, ",") {
		switch v = strings.TrimSpace(v); v {
		case "":
		case "broke", "new-findings":
			out[v] = true
		default:
			return nil, usageErrorf("diff: --fail-on %q: want broke, new-findings or both, comma-separated", v)
		}
	}
	return out, nil
}

// failOnDiff is the exit-3 error of --fail-on when the change window has what it names.
func failOnDiff(d *analyze.Diff, failOn map[string]bool) error {
	var why []string
	if broke, _ := d.StatusChanges(); failOn["broke"] && len(broke) > 0 {
		why = append(why, fmt.Sprintf("%d devices broke", len(broke)))
	}
	if failOn["new-findings"] && len(d.NewFindings) > 0 {
		why = append(why, fmt.Sprintf("%d new findings", len(d.NewFindings)))
	}
	if len(why) == 0 {
		return nil
	}
	return withCode(exitFindings, fmt.Errorf("diff: %s (--fail-on %s)", strings.Join(why, " and "), strings.Join(sortedKeys(failOn), ",")))
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// diffFromFlags resolves the two snapshot references and diffs them.
func diffFromFlags(ctx context.Context, store *snapshot.Store, o diffOptions) (*analyze.Diff, error) {
	after, err := store.Resolve(ctx, o.after, o.cluster)
	if err != nil {
		return nil, fmt.Errorf("diff: --after: %w", err)
	}
	cluster := o.cluster
	if cluster == "" {
		cluster = after.ClusterID
	}
	before, err := store.Resolve(ctx, o.before, cluster)
	if errors.Is(err, snapshot.ErrNotFound) && strings.HasPrefix(o.before, "latest") {
		return nil, fmt.Errorf("diff: --before %s: cluster %s has no earlier snapshot to compare with (collect again after the change, or pass --before ID): %w", o.before, cluster, err)
	}
	if err != nil {
		return nil, fmt.Errorf("diff: --before: %w", err)
	}
	d, err := analyze.DiffSnapshots(ctx, store, before.ID, after.ID, analyze.DiffOptions{Ignore: o.ignore, Force: o.force})
	if errors.Is(err, analyze.ErrDifferentClusters) {
		return nil, fmt.Errorf("diff: %w; pass --force to compare them anyway", err)
	}
	if err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	return d, nil
}

// writeDiffText prints the change-window summary: what broke, what recovered, what changed.
func writeDiffText(w io.Writer, d *analyze.Diff, limit int) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "Change window on cluster %s: snapshot %d (%s) -> %d (%s)\n", d.After.ClusterID,
		d.Before.ID, stamp(d.Before.StartedAt), d.After.ID, stamp(d.After.StartedAt))
	broke, recovered := d.StatusChanges()
	if d.Empty() {
		fmt.Fprintln(ew, "\nNothing changed.")
	}
	statusLines := func(title string, cs []analyze.DeviceChange) {
		if len(cs) == 0 {
			return
		}
		fmt.Fprintf(ew, "\n%s (%d):\n", title, len(cs))
		tw := tabwriter.NewWriter(ew, 2, 8, 2, ' ', 0)
		for i, c := range cs {
			if limit > 0 && i == limit {
				fmt.Fprintf(tw, "  ... and %d more (--limit 0 or --format json for all)\n", len(cs)-limit)
				break
			}
			for _, f := range c.Fields {
				if f.Field == analyze.FieldStatus {
					fmt.Fprintf(tw, "  %s\t%s\t%s\t%s -> %s\n", c.Name, c.Class, c.Model, f.Before, f.After)
				}
			}
		}
		tw.Flush()
	}
	statusLines("What broke", broke)
	statusLines("What recovered", recovered)
	refs := func(title string, rs []analyze.DeviceRef) {
		if len(rs) == 0 {
			return
		}
		fmt.Fprintf(ew, "\n%s (%d):\n", title, len(rs))
		tw := tabwriter.NewWriter(ew, 2, 8, 2, ' ', 0)
		for i, r := range rs {
			if limit > 0 && i == limit {
				fmt.Fprintf(tw, "  ... and %d more\n", len(rs)-limit)
				break
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", r.Name, r.Class, r.Model)
		}
		tw.Flush()
	}
	refs("Devices added", d.Added)
	refs("Devices removed", d.Removed)

	// Other field changes, grouped so that a firmware roll-out reads as one line.
	type group struct {
		field, before, after string
		devices              []string
	}
	groups := map[[3]string]*group{}
	for _, c := range d.Changed {
		for _, f := range c.Fields {
			if f.Field == analyze.FieldStatus && (f.Before == "Registered" || f.After == "Registered") {
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
		findings := func(label string, fs []analyze.Finding) {
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

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

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

// errWriter keeps the first write error so a long print checks it once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// writeDiffReport renders the change-window report files through the renderers and prints
// their paths and the manifest.
func writeDiffReport(ctx context.Context, d *analyze.Diff, o diffOptions, stdout io.Writer) error {
	formats, err := render.ParseFormats(o.format)
	if err != nil {
		return usageErrorf("diff: --format: %w", err)
	}
	rep := changeWindowReport(d)
	m, err := render.WriteAll(ctx, rep, formats, o.out, o.render)
	if err != nil {
		return fmt.Errorf("diff: %w", err)
	}
	printManifest(stdout, m)
	return nil
}

// changeWindowReport is the report model of a change window: the later snapshot's identity and
// the diff, nothing else.
func changeWindowReport(d *analyze.Diff) *analyze.Report {
	return &analyze.Report{
		SchemaVersion: analyze.ReportSchemaVersion,
		Kind:          "change-window",
		GeneratedAt:   time.Now().UTC(),
		ToolVersion:   toolVersion(),
		Snapshot:      d.After,
		Diff:          d,
	}
}
