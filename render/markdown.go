package render

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/templates"
)

// Markdown renders the report from the text/template files of package templates (or a folder
// overriding them). Every value reaches the templates raw; the cell and text functions escape
// it so GitHub-flavoured tables keep their shape and HTML in a value never becomes live HTML.
type Markdown struct {
	tmpl        *template.Template
	maxEntities int
	// WithXLSX says an XLSX of the same report is written with this Markdown (New sets it from
	// Options.Formats): a cut table then says its other rows are "in the XLSX"; otherwise it
	// says that the XLSX report lists them all (--format xlsx).
	WithXLSX bool
}

// maxCellRunes bounds one Markdown table cell; the XLSX carries the full value.
const maxCellRunes = 300

// NewMarkdown parses the embedded templates, then every *.tmpl in dir when dir is not empty.
// maxEntities caps each rule's entity table (negative: no cap, 0: the default).
func NewMarkdown(dir string, maxEntities int) (*Markdown, error) {
	if maxEntities == 0 {
		maxEntities = DefaultMarkdownMaxEntities
	}
	t := template.New(templates.Entry).Funcs(mdFuncs()).Funcs(boundFuncs())
	t, err := t.ParseFS(templates.FS(), "*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parsing embedded markdown templates: %w", err)
	}
	if dir != "" {
		st, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("reading templates folder: %w", err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("templates folder %s: not a folder", dir)
		}
		matches, err := fs.Glob(os.DirFS(dir), "*.tmpl")
		if err != nil {
			return nil, fmt.Errorf("listing templates in %s: %w", dir, err)
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("templates folder %s holds no *.tmpl file (the embedded ones are %s and its blocks)", dir, templates.Entry)
		}
		for _, m := range matches {
			path := filepath.Join(dir, m)
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("reading template %s: %w", path, err)
			}
			if _, err := t.New(m).Parse(string(b)); err != nil {
				return nil, fmt.Errorf("parsing template %s: %w", path, err)
			}
		}
	}
	return &Markdown{tmpl: t, maxEntities: maxEntities}, nil
}

// Format implements Renderer.
func (*Markdown) Format() Format { return FormatMarkdown }

// Render implements Renderer.
func (m *Markdown) Render(w io.Writer, r *results.Report) error {
	if err := m.tmpl.ExecuteTemplate(w, templates.Entry, newMDView(r, m.maxEntities, m.WithXLSX)); err != nil {
		return fmt.Errorf("executing markdown template: %w", err)
	}
	return nil
}

// mdView is what the templates see.
type mdView struct {
	R           *results.Report
	Gaps        []mdCoverage // incomplete sources only
	SourceCount int
	Rules       []mdRule
	MaxEntities int
	// XLSX says an XLSX report is written with this Markdown (see Markdown.WithXLSX).
	XLSX   bool
	Waived []results.Finding
	Diff   *mdDiff
	// Selection says the report covers only some rules (--only, --skip); "" when it covers all.
	Selection string
	// Compliance is the Compliance section; nil when the report has no compliance pack.
	Compliance *complianceView
	// TrendHeader and TrendRows are Report.Trend as a table (TrendTable); empty below 2 points.
	TrendHeader []string
	TrendRows   [][]string
}

type mdCoverage struct {
	Source, Item, Reason string
	Records              int
}

type mdRule struct {
	Rule     results.RuleInfo
	Total    int
	Columns  []string   // entity, evidence names..., message
	Rows     [][]string // capped
	Omitted  int
	Severity results.Severity
	// XLSX says an XLSX report is written with this Markdown, so the omitted rows are "in the XLSX".
	XLSX bool
	// GroupColumns and GroupRows are the rule's findings grouped by cause (largest first, at
	// most mdMaxGroups); GroupsMore counts the groups left out.
	GroupColumns []string
	GroupRows    [][]string
	GroupsMore   int
}

// mdMaxGroups is how many groups of one rule the Markdown names.
const mdMaxGroups = 10

// mdDiff is the change view (changeView) as the templates see it, each list capped.
type mdDiff struct {
	D           *results.Diff
	Title       string
	Verdict     string
	Counts      []changeCount
	NotCompared string // why findings were not compared; "" when they were
	Notes       []string
	Lists       []mdList
	Ignored     []string
	IgnoredText string
}

// mdList is one change list: Rows are the first rows (raw values), More how many were left out.
type mdList struct {
	Title, Intro, None string
	Sheet, Unit        string
	Columns            []string
	Right              []bool // right-aligned (numeric) columns
	Rows               [][]string
	Total, More        int
	// XLSX says an XLSX report is written with this Markdown, so the rows left out are "in the XLSX".
	XLSX bool
}

func newMDView(r *results.Report, max int, withXLSX bool) mdView {
	v := mdView{R: r, MaxEntities: max, Waived: r.Waived, SourceCount: len(r.DataQuality.Coverage),
		Selection: selectionText(r.DataQuality.Selection), XLSX: withXLSX, Compliance: newComplianceView(r, complianceExampleRunes)}
	if len(r.Trend) >= 2 {
		v.TrendHeader, v.TrendRows = TrendTable(r.Trend)
	}
	for _, c := range r.DataQuality.Coverage {
		if !c.Complete {
			v.Gaps = append(v.Gaps, mdCoverage{c.Source, c.Item, c.Reason, c.Records})
		}
	}
	for _, s := range r.Rules {
		cols, rows := findingTable(s.Findings, max)
		for i := range cols {
			cols[i] = humanize(cols[i])
		}
		mr := mdRule{Rule: s.Rule, Total: len(s.Findings), Columns: cols, Rows: rows, Severity: s.Rule.Severity, XLSX: withXLSX}
		mr.Omitted = len(s.Findings) - len(rows)
		mr.GroupColumns, mr.GroupRows, mr.GroupsMore = groupTable(s, mdMaxGroups)
		v.Rules = append(v.Rules, mr)
	}
	if r.Diff != nil {
		cv := newChangeView(r.Diff)
		md := &mdDiff{D: cv.D, Title: cv.Title, Verdict: cv.Verdict, Counts: cv.Counts, NotCompared: cv.NotCompared, Notes: cv.Notes,
			Ignored: cv.Ignored, IgnoredText: cv.IgnoredText}
		for _, l := range cv.Lists {
			heads, rows := l.visible()
			ml := mdList{Title: l.Title, Intro: l.Intro, None: l.None, Sheet: l.Sheet, Unit: l.Unit, Columns: heads,
				Rows: rows, Total: len(rows), XLSX: withXLSX}
			for _, c := range l.Cols {
				if !c.XLSXOnly {
					ml.Right = append(ml.Right, c.Num)
				}
			}
			if max >= 0 && len(rows) > max {
				ml.Rows, ml.More = rows[:max], len(rows)-max
			}
			md.Lists = append(md.Lists, ml)
		}
		v.Diff = md
	}
	return v
}

// evidenceColumns is the union of evidence names over fs, in order of first appearance.
func evidenceColumns(fs []results.Finding) []string {
	var cols []string
	seen := map[string]bool{}
	for _, f := range fs {
		for _, e := range f.Evidence {
			if !seen[e.Name] {
				seen[e.Name] = true
				cols = append(cols, e.Name)
			}
		}
	}
	return cols
}

// hasMessage reports whether any finding carries a message.
func hasMessage(fs []results.Finding) bool {
	for _, f := range fs {
		if f.Message != "" {
			return true
		}
	}
	return false
}

// findingTable lays out findings as a table: Entity, each evidence field, Message (when any).
// Rows are raw values (each renderer escapes); at most max rows (all when max < 0).
func findingTable(fs []results.Finding, max int) ([]string, [][]string) {
	ev := evidenceColumns(fs)
	msg := hasMessage(fs)
	cols := append([]string{"Entity"}, ev...)
	if msg {
		cols = append(cols, "Message")
	}
	shown, _ := capped(fs, max)
	rows := make([][]string, 0, len(shown))
	for _, f := range shown {
		rows = append(rows, findingRow(f, ev, msg))
	}
	return cols, rows
}

func findingRow(f results.Finding, ev []string, msg bool) []string {
	row := make([]string, 0, len(ev)+2)
	row = append(row, f.Entity)
	for _, name := range ev {
		row = append(row, evidenceValue(f, name))
	}
	if msg {
		row = append(row, f.Message)
	}
	return row
}

func evidenceValue(f results.Finding, name string) string {
	for _, e := range f.Evidence {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

func mdFuncs() template.FuncMap {
	return template.FuncMap{
		"scoreTrend": scoreTrend,
		"cell":       mdCell,
		"nodeRole":   nodeRoleText,
		"text":       mdText,
		"sev":        func(s results.Severity) string { return strings.ToUpper(s.String()) },
		"pct":        func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + " %" },
		"date": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.UTC().Format("2006-01-02 15:04 MST")
		},
		"join":              strings.Join,
		"changeNotCompared": changeNotCompared,
		"add":               func(a, b int) int { return a + b },
		"params":            paramList,
		"header": func(cols []string) string {
			var b strings.Builder
			b.WriteString("|")
			for _, c := range cols {
				b.WriteString(" " + mdCell(c) + " |")
			}
			b.WriteString("\n|")
			for range cols {
				b.WriteString(" --- |")
			}
			return b.String()
		},
		"aheader": func(cols []string, right []bool) string {
			var b strings.Builder
			b.WriteString("|")
			for _, c := range cols {
				b.WriteString(" " + mdCell(c) + " |")
			}
			b.WriteString("\n|")
			for i := range cols {
				if i < len(right) && right[i] {
					b.WriteString(" ---: |")
				} else {
					b.WriteString(" --- |")
				}
			}
			return b.String()
		},
		"row": func(vals []string) string {
			var b strings.Builder
			b.WriteString("|")
			for _, c := range vals {
				b.WriteString(" " + mdCell(c) + " |")
			}
			return b.String()
		},
	}
}

// mdCell escapes a value for one GitHub-flavoured table cell: control characters dropped,
// leading and trailing spaces trimmed, inline Markdown and HTML neutralised, `|` escaped,
// newlines turned into <br>, and the length bounded. An empty value stays an empty cell.
func mdCell(s string) string {
	s = strings.TrimSpace(cleanText(s))
	if s == "" {
		return ""
	}
	s = truncate(s, maxCellRunes)
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, mdInline(l, false)) // a table cell is inline: no block can start in it
		}
	}
	return strings.Join(out, "<br>")
}

// mdText escapes free text (a description, a remediation): paragraphs separated by blank lines
// stay paragraphs, single newlines become hard line breaks, and nothing in the value becomes
// Markdown structure or HTML.
func mdText(s string) string {
	s = strings.TrimSpace(cleanText(s))
	paras := strings.Split(s, "\n\n")
	out := make([]string, 0, len(paras))
	for _, p := range paras {
		var lines []string
		for _, l := range strings.Split(p, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, mdInline(l, true))
			}
		}
		if len(lines) > 0 {
			out = append(out, strings.Join(lines, "\\\n"))
		}
	}
	return strings.Join(out, "\n\n")
}

// mdInline escapes one line. Backslash-escapes neutralise emphasis, code, links, tables and
// strikethrough; & < > become entities so no HTML is ever live; a line start that would open a
// heading, list, quote or thematic break is escaped when lineStart is set.
func mdInline(s string, lineStart bool) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	if lineStart {
		if n := leadingDigits(s); n > 0 && n < len(s) && (s[n] == '.' || s[n] == ')') {
			b.WriteString(s[:n])
			b.WriteByte('\\')
			s = s[n:]
		} else if len(s) > 0 && strings.IndexByte("#-+=", s[0]) >= 0 {
			b.WriteByte('\\')
		}
	}
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\\', '`', '*', '_', '[', ']', '|', '~':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func leadingDigits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}
