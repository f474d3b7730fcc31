package main

import (
	"context"
	"encoding/json"
	stdhtml "html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// longValue is a 10 kB description mixing every hostile kind, cut at a rune boundary.
func longValue() string {
	s := strings.Repeat(`Lång|<i>"x"</i> 📞 東京 =1+1 `, 400)
	for len(s) > 10240 {
		_, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
	}
	return s
}

// TestHostileValues collects a cluster whose names and descriptions hold quotes, pipes, HTML,
// control and bidi characters, right-to-left text, emoji, CJK, formula prefixes, Markdown and a
// 10 kB string; checks they are stored byte for byte; analyses; renders every format; and reads
// each output with a reader that is not ours: the JSON decoder (values exact), cmark-gfm (every
// table row has its header's column count, no live HTML), openpyxl (no formula cell, formula
// look-alikes stored as text) and qpdf/pdftotext (a valid PDF that shows the values).
func TestHostileValues(t *testing.T) {
	data, err := os.ReadFile("testdata/hostile.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := cucmsim.ParseScenario("hostile.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	// want is what a collector can store: device name -> description. XML 1.0 parsers turn CR LF
	// and a lone CR into LF (AXL, like Axis2, sends CR unescaped), so line ends arrive as LF;
	// every other byte must arrive unchanged.
	want := map[string]string{}
	lineEnds := strings.NewReplacer("\r\n", "\n", "\r", "\n")
	for i := range sc.Devices {
		d := &sc.Devices[i]
		if d.Name == "SEPLONG0000013" {
			d.Description = longValue()
		}
		want[d.Name] = lineEnds.Replace(d.Description)
	}
	hs, sim := testtool.Sim(t, sc)
	user, pass := sim.Credentials()
	setCollectorEnv(t, map[string]string{"AXL_URL": hs.URL + cucmsim.AXLPath, "AXL_USER": user, "AXL_PASS": pass,
		"RISPORT_RATE_LIMIT": "1000", "RISPORT_RATE_WINDOW": "1s"})
	dir := t.TempDir()
	db := filepath.Join(dir, "hostile.db")

	if code, stdout, stderr := runCLI(t, "collect", "--db", db); code != exitOK {
		t.Fatalf("collect: exit %d\n%s\n%s", code, stdout, stderr)
	}
	t.Run("stored exactly", func(t *testing.T) {
		store, err := snapshot.OpenReadOnly(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		for name, desc := range want {
			var got, pool string
			err := store.DB().QueryRow("SELECT description, device_pool FROM axl_device WHERE name = ?", name).Scan(&got, &pool)
			if err != nil {
				t.Errorf("device %q: %v", name, err)
				continue
			}
			if got != desc {
				t.Errorf("device %q: description stored as %q, want %q", name, clip(got), clip(desc))
			}
			if pool != `DP <Lab> | "1"` {
				t.Errorf("device %q: device pool stored as %q", name, pool)
			}
		}
		var owner string
		if err := store.DB().QueryRow("SELECT owner FROM axl_device WHERE name = 'SEPQUOTES00001'").Scan(&owner); err != nil || owner != "o'brien" {
			t.Errorf("owner stored as %q (%v)", owner, err)
		}
	})

	if code, stdout, stderr := runCLI(t, "analyze", "--db", db); code != exitOK && code != exitFindings {
		t.Fatalf("analyze: exit %d\n%s\n%s", code, stdout, stderr)
	}
	out := filepath.Join(dir, "report")
	if code, stdout, stderr := runCLI(t, "report", "--db", db, "--format", "pdf,xlsx,md,json", "--out", out, "--pdf-max-entities", "100"); code != exitOK {
		t.Fatalf("report: exit %d\n%s\n%s", code, stdout, stderr)
	}
	files := map[string]string{}
	for _, ext := range []string{".pdf", ".xlsx", ".md", ".json"} {
		var m []string
		all, _ := filepath.Glob(filepath.Join(out, "*"+ext))
		for _, f := range all {
			if !strings.HasSuffix(f, ".manifest.json") {
				m = append(m, f)
			}
		}
		if len(m) != 1 {
			t.Fatalf("%s files in %s: %v", ext, out, m)
		}
		files[ext] = m[0]
	}

	t.Run("json", func(t *testing.T) {
		b, err := os.ReadFile(files[".json"])
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("report JSON does not parse: %v", err)
		}
		strs := map[string]bool{}
		collectStrings(v, strs)
		for name, desc := range want {
			if !strs[name] {
				t.Errorf("JSON report lacks the exact device name %q", name)
			}
			if !strs[desc] {
				t.Errorf("JSON report lacks the exact description of %s: %q", name, clip(desc))
			}
		}
	})

	t.Run("markdown", func(t *testing.T) {
		cmark := testtool.Need(t, "cmark-gfm")
		html, err := exec.Command(cmark, "-e", "table", "--unsafe", files[".md"]).Output()
		if err != nil {
			t.Fatalf("cmark-gfm: %v", err)
		}
		tables := regexp.MustCompile(`(?s)<table>.*?</table>`).FindAllString(string(html), -1)
		if len(tables) == 0 {
			t.Fatal("no table in the Markdown report")
		}
		rowRE := regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
		cellRE := regexp.MustCompile(`<t[hd][ >]`)
		for i, tbl := range tables {
			rows := rowRE.FindAllStringSubmatch(tbl, -1)
			head := len(cellRE.FindAllString(rows[0][1], -1))
			for j, r := range rows[1:] {
				if n := len(cellRE.FindAllString(r[1], -1)); n != head {
					t.Errorf("table %d row %d has %d cells, header %d: %s", i+1, j+1, n, head, clip(r[1]))
				}
			}
		}
		// Rendered with --unsafe (raw HTML passed through, as some ticket systems do): a value must
		// still never become markup.
		for _, tag := range []string{"<script", "<img", "<b>", "<i>"} {
			if strings.Contains(strings.ToLower(string(html)), tag) {
				t.Errorf("the Markdown report lets %s through as live HTML", tag)
			}
		}
		// What a reader sees: every hostile name, and the short hostile descriptions, as text.
		visible := stdhtml.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(string(html), ""))
		for name := range want {
			if !strings.Contains(visible, name) {
				t.Errorf("the Markdown report does not show device %q", name)
			}
		}
		for _, name := range []string{"SEPSCRIPT00003", "SEPPIPES000002", "SEPFORMULA0008", "SEPCJK00000007", "SEPEMOJI000006"} {
			if !strings.Contains(visible, want[name]) {
				t.Errorf("the Markdown report does not show the description of %s: %q", name, want[name])
			}
		}
		md, _ := os.ReadFile(files[".md"])
		if !utf8.Valid(md) {
			t.Error("the Markdown report is not valid UTF-8")
		}
	})

	t.Run("xlsx", func(t *testing.T) {
		py := testtool.Openpyxl(t)
		const script = `
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
cells = []
for ws in wb.worksheets:
    for row in ws.iter_rows():
        for c in row:
            if c.value is not None:
                cells.append([ws.title, c.coordinate, c.data_type, str(c.value)])
json.dump(cells, sys.stdout, ensure_ascii=False)
`
		b, err := exec.Command(py, "-c", script, files[".xlsx"]).Output()
		if err != nil {
			t.Fatalf("openpyxl: %v", err)
		}
		var cells [][4]string
		if err := json.Unmarshal(b, &cells); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, c := range cells {
			if c[2] == "f" {
				t.Errorf("%s!%s is a formula cell: %q", c[0], c[1], clip(c[3]))
			}
			seen[c[3]] = true
		}
		for _, name := range []string{"SEPFORMULA0008", "SEPFORMULA0009", "SEPFORMULA0010", "SEPFORMULA0011"} {
			if !seen[want[name]] {
				t.Errorf("no text cell holds the description of %s exactly: %q", name, want[name])
			}
		}
		if !seen["=1+1|<b>\"x\"📞"] {
			t.Error("no text cell holds the formula-looking device name exactly")
		}
	})

	t.Run("pdf", func(t *testing.T) {
		qpdf := testtool.Need(t, "qpdf")
		if out, err := exec.Command(qpdf, "--check", files[".pdf"]).CombinedOutput(); err != nil {
			t.Fatalf("qpdf --check: %v\n%s", err, out)
		}
		text, err := exec.Command(testtool.Need(t, "pdftotext"), "-layout", files[".pdf"], "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		for _, s := range []string{"<script>alert(1)</script>", "pipe | in | the | middle", "@SUM(A1:A9)", "SEPFORMULA0008"} {
			if !strings.Contains(string(text), s) {
				t.Errorf("the PDF does not show %q", s)
			}
		}
	})
}

func collectStrings(v any, out map[string]bool) {
	switch v := v.(type) {
	case string:
		out[v] = true
	case []any:
		for _, x := range v {
			collectStrings(x, out)
		}
	case map[string]any:
		for k, x := range v {
			out[k] = true
			collectStrings(x, out)
		}
	}
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}
