package render

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
)

func TestMarkdownCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a | b", `a \| b`},
		{"line1\nline2\r\nline3", "line1<br>line2<br>line3"},
		{"  padded  ", "padded"},
		{`back\slash`, `back\\slash`},
		{"<script>alert(1)</script>", `&lt;script&gt;alert(1)&lt;/script&gt;`},
		{"*bold* _it_ `code` [link](x) ~~s~~", `\*bold\* \_it\_ \` + "`" + `code\` + "`" + ` \[link\](x) \~\~s\~\~`},
		{"# heading", `# heading`},
		{"- item", `- item`},
		{"1. first", `1. first`},
		{"a\x00b\x1bc\u202Ed", "abcd"},
		{"", ""},
		{"AT&T", "AT&amp;T"},
		{strings.Repeat("x", 400), strings.Repeat("x", 299) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := mdCell(tt.in); got != tt.want {
				t.Errorf("mdCell(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

var (
	reTable = regexp.MustCompile(`(?s)<table>.*?</table>`)
	reRow   = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	reCell  = regexp.MustCompile(`<t[hd][ >]`)
)

// checkTables parses md with GitHub's reference parser and checks that every pipe table became
// an HTML table whose rows all have as many cells as its header. It returns the HTML.
func checkTables(t *testing.T, md []byte) string {
	t.Helper()
	cmark := testtool.Need(t, "cmark-gfm")
	path := filepath.Join(t.TempDir(), "r.md")
	if err := os.WriteFile(path, md, 0o644); err != nil {
		t.Fatal(err)
	}
	// --unsafe passes raw HTML through, as GitHub does for <br>: so a value that escaped our
	// escaping would show up live here.
	html := string(run(t, cmark, "--unsafe", "-e", "table", path))
	delims := 0
	for _, l := range strings.Split(string(md), "\n") {
		if strings.HasPrefix(l, "| ---") {
			delims++
		}
	}
	tables := reTable.FindAllString(html, -1)
	if len(tables) != delims {
		t.Errorf("markdown has %d tables, cmark-gfm made %d", delims, len(tables))
	}
	for i, tb := range tables {
		rows := reRow.FindAllStringSubmatch(tb, -1)
		if len(rows) < 2 {
			t.Errorf("table %d has %d rows", i, len(rows))
			continue
		}
		cols := len(reCell.FindAllString(rows[0][1], -1))
		for j, r := range rows[1:] {
			if n := len(reCell.FindAllString(r[1], -1)); n != cols {
				t.Errorf("table %d row %d has %d cells, header has %d: %s", i, j+1, n, cols, r[1])
			}
		}
	}
	return html
}

func TestMarkdownCmarkGFM(t *testing.T) {
	buf := renderMD(t, demoReport(), 0)
	html := checkTables(t, buf.Bytes())
	for _, want := range []string{
		"<td>Lobby | phone<br>second line &lt;script&gt;alert(1)&lt;/script&gt; 📞 東京 שלום עולם bell[31m red evil</td>",
		"<td>Lab gateway, | not in production</td>",
		"<td>=cmd|' /C calc'!A0</td>",
		"Showing 25 of 574 findings: 549 more in the XLSX",
		"Γραφείο Ελλάδα", "Empfang Zürich",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("cmark-gfm HTML lacks %q", want)
		}
	}
	if strings.Contains(html, "<script>") {
		t.Error("a value became live HTML")
	}
	golden(t, "demo.md", scrub(buf.Bytes()))
}

func TestMarkdownTemplatesOverride(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string // in the output, or in the error
		err   bool
	}{
		{"one block", map[string]string{"rule.tmpl": `{{define "rule"}}RULE {{cell .Rule.ID}} ({{.Total}})
{{end}}`}, "RULE REG-001 (574)", false},
		{"whole report", map[string]string{"report.md.tmpl": `# {{cell .R.Snapshot.ClusterID}} has {{len .Rules}} failing rules`}, "# HOSP-Zürich/Main has 6 failing rules", false},
		{"syntax error", map[string]string{"report.md.tmpl": `{{if}}`}, "parsing template", true},
		{"no templates", map[string]string{"notes.txt": "x"}, "holds no *.tmpl file", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for n, c := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			m, err := NewMarkdown(dir, 0)
			if tt.err {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("error %v, want one containing %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := m.Render(&buf, demoReport()); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(buf.String(), tt.want) {
				t.Errorf("output lacks %q:\n%.400s", tt.want, buf.String())
			}
		})
	}
	if _, err := NewMarkdown(filepath.Join(t.TempDir(), "missing"), 0); err == nil {
		t.Error("a missing templates folder was accepted")
	}
}

func TestMarkdownCap(t *testing.T) {
	for _, tt := range []struct {
		max  int
		want string
	}{{5, "Showing 5 of 574 findings: 569 more"}, {-1, "SEP00AA0000123D"}} {
		buf := renderMD(t, demoReport(), tt.max)
		if !strings.Contains(buf.String(), tt.want) {
			t.Errorf("max %d: output lacks %q", tt.max, tt.want)
		}
	}
}

// TestMarkdownFreeTextStaysText checks that a description or remediation never opens a block
// (heading, list, quote, code, HTML) in what GitHub's parser makes of it.
func TestMarkdownFreeTextStaysText(t *testing.T) {
	rep := demoReport()
	rep.Rules[0].Rule.Description = "# Not a heading\n- not a list\n> not a quote\n\n1. not ordered\n+ nor this\n    not code\n<div>no html</div>\n---"
	rep.Rules[0].Rule.Remediation = "=== \n```\nfence\n```"
	buf := renderMD(t, rep, 0)
	html := checkTables(t, buf.Bytes())
	for _, bad := range []string{"<h1>Not", "<ul>", "<ol>", "<blockquote>", "<pre>", "<div>", "<code>", "<hr"} {
		if strings.Contains(html, bad) {
			t.Errorf("free text became %s", bad)
		}
	}
	if !strings.Contains(html, "# Not a heading") || !strings.Contains(html, "&lt;div&gt;no html&lt;/div&gt;") {
		t.Errorf("free text lost:\n%s", html[strings.Index(html, "REG-003"):][:600])
	}
}

// renderMD renders rep with the embedded templates.
func renderMD(t *testing.T, rep *results.Report, max int) *bytes.Buffer {
	t.Helper()
	m, err := NewMarkdown("", max)
	if err != nil {
		t.Fatal(err)
	}
	m.WithXLSX = true // as delivered with the XLSX (the default --format)
	var buf bytes.Buffer
	if err := m.Render(&buf, rep); err != nil {
		t.Fatal(err)
	}
	return &buf
}
