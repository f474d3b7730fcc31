package render

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// Format is one output format.
type Format string

// The formats, in the order WriteAll writes them.
const (
	FormatPDF      Format = "pdf"
	FormatXLSX     Format = "xlsx"
	FormatMarkdown Format = "md"
	FormatJSON     Format = "json"
	FormatHTML     Format = "html"
)

// AllFormats returns every format in the order WriteAll writes them, as a fresh list the
// caller may change.
func AllFormats() Formats {
	return Formats{FormatPDF, FormatXLSX, FormatMarkdown, FormatJSON, FormatHTML}
}

// Ext is the file name extension of the format, without the dot.
func (f Format) Ext() string { return string(f) }

// ParseFormat reads one format name; "markdown" is accepted for md.
func ParseFormat(name string) (Format, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if n == "markdown" {
		n = "md"
	}
	for _, f := range AllFormats() {
		if string(f) == n {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown report format %q: want pdf, xlsx, md, json or html", name)
}

// UnmarshalText implements encoding.TextUnmarshaler, so YAML, JSON and flags reject unknown names.
func (f *Format) UnmarshalText(b []byte) error {
	v, err := ParseFormat(string(b))
	if err != nil {
		return err
	}
	*f = v
	return nil
}

// Formats is a validated, duplicate-free list of formats. It implements flag.Value, so
// `--format pdf,xlsx` is checked when the flags are parsed, never silently defaulted.
type Formats []Format

// ParseFormats reads a comma-separated list such as "pdf,xlsx,md,json,html" or "all". Unknown names
// are an error naming the offender; duplicates are dropped; an empty list is an error.
func ParseFormats(list string) (Formats, error) {
	var out Formats
	seen := map[Format]bool{}
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if strings.EqualFold(p, "all") {
			for _, f := range AllFormats() {
				if !seen[f] {
					seen[f] = true
					out = append(out, f)
				}
			}
			continue
		}
		f, err := ParseFormat(p)
		if err != nil {
			return nil, err
		}
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no report format given: want a comma-separated list of pdf, xlsx, md, json, html (or all)")
	}
	return out, nil
}

// String implements flag.Value.
func (fs *Formats) String() string {
	if fs == nil {
		return ""
	}
	parts := make([]string, len(*fs))
	for i, f := range *fs {
		parts[i] = string(f)
	}
	return strings.Join(parts, ",")
}

// Set implements flag.Value.
func (fs *Formats) Set(list string) error {
	v, err := ParseFormats(list)
	if err != nil {
		return err
	}
	*fs = v
	return nil
}

// Has reports whether f is in the list.
func (fs Formats) Has(f Format) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}

// Renderer lays out a report in one format.
type Renderer interface {
	// Format is the format the renderer writes.
	Format() Format
	// Render writes the whole report to w. It never queries anything and never panics on
	// hostile values.
	Render(w io.Writer, r *results.Report) error
}

// New returns the renderer of a format: the one place that maps formats to renderers.
func New(f Format, opts Options) (Renderer, error) {
	opts = opts.withDefaults()
	switch f {
	case FormatPDF:
		return &PDF{MaxEntities: opts.PDFMaxEntities, WithXLSX: opts.Formats.Has(FormatXLSX)}, nil
	case FormatXLSX:
		return &XLSX{Worklist: opts.Worklist}, nil
	case FormatMarkdown:
		m, err := NewMarkdown(opts.TemplatesDir, opts.MarkdownMaxEntities)
		if err != nil {
			return nil, err
		}
		m.WithXLSX = opts.Formats.Has(FormatXLSX)
		return m, nil
	case FormatJSON:
		return &JSON{}, nil
	case FormatHTML:
		return &HTML{}, nil
	}
	return nil, fmt.Errorf("unknown report format %q: want pdf, xlsx, md, json or html", string(f))
}

// Options tune the renderers. The zero value gives the defaults.
type Options struct {
	// PDFMaxEntities caps each rule's entity list in the PDF; the rest is counted in an
	// "N more" line. 0 means DefaultPDFMaxEntities; negative means no cap.
	PDFMaxEntities int
	// MarkdownMaxEntities caps each rule's entity table in Markdown the same way.
	// 0 means DefaultMarkdownMaxEntities; negative means no cap.
	MarkdownMaxEntities int
	// TemplatesDir, when set, holds Markdown templates (*.tmpl) that override the embedded ones
	// of the same name.
	TemplatesDir string
	// Formats are the formats written together in this run; WriteAll sets it to the formats it
	// writes. When it holds xlsx, the PDF and the Markdown say that what they cut is "in the
	// XLSX"; otherwise they say that the XLSX report lists it all and how to write one
	// (--format xlsx), since no XLSX came with them.
	Formats Formats
	// Worklist, when set, carries the team's edits of an earlier workbook into the XLSX
	// (see ReadWorklist).
	Worklist *Worklist
}

// Defaults of Options.
const (
	DefaultPDFMaxEntities      = 5
	DefaultMarkdownMaxEntities = 25
)

func (o Options) withDefaults() Options {
	if o.PDFMaxEntities == 0 {
		o.PDFMaxEntities = DefaultPDFMaxEntities
	}
	if o.MarkdownMaxEntities == 0 {
		o.MarkdownMaxEntities = DefaultMarkdownMaxEntities
	}
	return o
}

// capped returns the first max findings (all when max < 0) and how many were left out.
func capped(fs []results.Finding, max int) ([]results.Finding, int) {
	if max < 0 || len(fs) <= max {
		return fs, 0
	}
	return fs[:max], len(fs) - max
}

// nodeRoleText is a cluster node's role as a reader says it: "Unified CM (publisher)",
// "IM and Presence (no call processing)", with "inactive" when the node is.
func nodeRoleText(n results.ClusterNode) string {
	s := n.Role
	switch {
	case n.Role == snapshot.RoleIMAndPresence:
		s += " (no call processing)"
	case n.Publisher:
		s += " (publisher)"
	}
	if !n.Active {
		s += ", inactive"
	}
	return s
}

// reportFacts are the facts a report's first page or header states, in order, with times
// written by when; a fact may be "" (no earlier snapshot compared, no analysis).
func reportFacts(r *results.Report, when func(time.Time) string) [][2]string {
	status := string(r.Snapshot.Status)
	if r.Snapshot.Status == snapshot.StatusPartial {
		status += " (some sources could not be read: see Data quality)"
	}
	return [][2]string{
		{"Cluster", r.Snapshot.ClusterID},
		{"CUCM version", r.Snapshot.CUCMVersion},
		{"Publisher (AXL host)", r.Snapshot.AXLHost},
		{"Snapshot", fmt.Sprintf("#%d", r.Snapshot.ID)},
		{"Analysis", AnalysisText(r)},
		{"Compared with", compared(r)},
		{"Collected", when(r.Snapshot.StartedAt) + " to " + when(r.Snapshot.FinishedAt)},
		{"Snapshot status", status},
		{"Rules evaluated", ruleCoverage(r)},
		{"Report generated", when(r.GeneratedAt) + " by cucm-audit " + r.ToolVersion},
	}
}
