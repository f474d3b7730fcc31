package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// TestReportDemoEndToEnd collects the demo cluster from the simulator, analyses it and runs
// `cucm-audit report`: every format is written, the manifest verifies them, and the PDF shows the
// demo's summary figures to pdftotext.
func TestReportDemoEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("collects the demo cluster")
	}
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "demo.db")
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"demo", "--db", db, "--out", dir}, &stdout, &stderr); code != exitOK {
		t.Fatalf("demo: exit %d\n%s", code, stderr.String())
	}

	store, err := snapshot.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	meta, err := store.Resolve(ctx, "latest", "")
	if err != nil {
		t.Fatal(err)
	}
	// demo may already have analysed it; analysing again adds a newer analysis, which the report uses.
	if _, err := analyze.Run(ctx, store, meta.ID, analyze.Options{}); err != nil {
		t.Fatalf("analysing: %v", err)
	}
	store.Close()

	out := filepath.Join(dir, "reports")
	stdout.Reset()
	stderr.Reset()
	if code := run(ctx, []string{"report", "--db", db, "--out", out, "--format", "all"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("report: exit %d\n%s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 6 || !strings.HasSuffix(lines[5], ".manifest.json") {
		t.Fatalf("report printed %q, want 5 files and the manifest", stdout.String())
	}
	b, err := os.ReadFile(lines[5])
	if err != nil {
		t.Fatal(err)
	}
	var m render.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.SnapshotID != meta.ID || len(m.Files) != 5 {
		t.Errorf("manifest %+v", m)
	}
	for i, f := range m.Files {
		if lines[i] != filepath.Join(out, f.Name) {
			t.Errorf("printed %s, manifest lists %s", lines[i], f.Name)
		}
		data, err := os.ReadFile(lines[i])
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != f.SHA256 {
			t.Errorf("%s: sha256 differs from the manifest", f.Name)
		}
	}

	pdftotext := testtool.Need(t, "pdftotext")
	text, err := exec.Command(pdftotext, "-layout", lines[0], "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	// The AXL versus RisPort table of the executive summary.
	table, _, _ := strings.Cut(string(text), "Top risks")
	_, table, _ = strings.Cut(table, "Configured (AXL) versus seen (RisPort)")
	for class, figures := range map[string][]string{
		"Phone":    {"1,377", "803", "679", "123", "1", "574"},
		"Gateway":  {"85", "41", "44"},
		"SIPTrunk": {"22", "18", "4"},
	} {
		row := ""
		for _, l := range strings.Split(table, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), class+" ") {
				row = l
			}
		}
		for _, f := range figures {
			found := false
			for _, x := range strings.Fields(row) {
				found = found || x == f
			}
			if !found {
				t.Errorf("PDF registration row %q lacks %s", row, f)
			}
		}
	}

	// Issue 15: the demo's PDF is short and sound; nothing is lost, since the XLSX (All
	// findings) and the JSON hold every finding.
	if pages := strings.Count(string(text), "\f"); pages > 12 {
		t.Errorf("demo PDF has %d pages, want at most 12", pages)
	}
	if out, err := exec.Command(testtool.Need(t, "qpdf"), "--check", lines[0]).CombinedOutput(); err != nil {
		t.Errorf("qpdf --check: %v\n%s", err, out)
	}
	var rep results.Report
	jb, err := os.ReadFile(lines[3])
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(jb, &rep); err != nil {
		t.Fatal(err)
	}
	wl, err := render.ReadWorklist(lines[1])
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, s := range rep.Rules {
		total += len(s.Findings)
		for _, f := range s.Findings {
			if _, ok := wl.Entries[f.Fingerprint]; !ok {
				t.Errorf("finding %s of the JSON is not in the XLSX's All findings", f.Fingerprint)
			}
		}
	}
	if total == 0 || len(wl.Entries) != total {
		t.Errorf("All findings has %d rows, the JSON %d findings", len(wl.Entries), total)
	}
	checkDemoFixture(t, jb, &rep, text)

	// The next report carries the worklist: every finding is open before, none new or gone.
	stdout.Reset()
	stderr.Reset()
	out2 := filepath.Join(dir, "reports2")
	if code := run(ctx, []string{"report", "--db", db, "--out", out2, "--format", "xlsx", "--worklist", lines[1]}, &stdout, &stderr); code != exitOK {
		t.Fatalf("report --worklist: exit %d\n%s", code, stderr.String())
	}
	wl2, err := render.ReadWorklist(strings.Split(strings.TrimSpace(stdout.String()), "\n")[0])
	if err != nil {
		t.Fatal(err)
	}
	for fp, e := range wl2.Entries {
		if e.Mark != "open before" {
			t.Errorf("%s marked %q after a worklist of the same snapshot", fp, e.Mark)
		}
	}
	stderr.Reset()
	if code := run(ctx, []string{"report", "--db", db, "--out", out2, "--format", "pdf", "--worklist", lines[1]}, &stdout, &stderr); code != exitUsage {
		t.Errorf("--worklist without xlsx: exit %d, want usage error\n%s", code, stderr.String())
	}
}

// TestReportRefusesUnanalysed: a snapshot without analysis is refused with the command to run,
// and nothing is written.
func TestReportRefusesUnanalysed(t *testing.T) {
	db := diffDB(t)
	out := filepath.Join(t.TempDir(), "reports")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"report", "--db", db, "--out", out}, &stdout, &stderr)
	if code != exitError || !strings.Contains(stderr.String(), "cucm-audit analyze --snapshot 3") {
		t.Errorf("exit %d, stderr %q; want exit 1 naming `cucm-audit analyze --snapshot 3`", code, stderr.String())
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("report folder created for a refused report: %v", err)
	}
}

var updateDemoReport = flag.Bool("update-demo-report", false, "rewrite "+demoFixture+" from the demo's JSON report")

// demoFixture is the demo's JSON report as render's tests read it (TestPDFTablesKeepWords lays
// out the real demo's PDF from it; render cannot collect a cluster itself).
const demoFixture = "../../render/testdata/demo-collected.json"

// checkDemoFixture keeps demoFixture the report the demo produces: it holds the same findings
// (by fingerprint, rule by rule) as the JSON report just written, whose PDF (pdfText) it
// renders to again word for word, so what render's tests check is what the demo delivers.
// -update-demo-report rewrites it, with the simulator's random port scrubbed.
func checkDemoFixture(t *testing.T, jsonReport []byte, rep *results.Report, pdfText []byte) {
	t.Helper()
	if *updateDemoReport {
		b := regexp.MustCompile(`("axl_host": "127\.0\.0\.1:)\d+"`).ReplaceAll(jsonReport, []byte(`${1}8443"`))
		if err := os.WriteFile(demoFixture, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(demoFixture)
	if err != nil {
		t.Fatal(err)
	}
	var fixture results.Report
	if err := json.Unmarshal(b, &fixture); err != nil {
		t.Fatalf("decoding %s: %v", demoFixture, err)
	}
	findings := func(r *results.Report) map[string][]string {
		m := map[string][]string{}
		for _, s := range r.Rules {
			for _, f := range s.Findings {
				m[s.Rule.ID] = append(m[s.Rule.ID], f.Fingerprint)
			}
		}
		return m
	}
	if diff := cmp.Diff(findings(&fixture), findings(rep)); diff != "" {
		t.Errorf("%s is not the demo's report (-fixture +demo); rewrite it with go test ./cmd/cucm-audit -run TestReportDemoEndToEnd -update-demo-report:\n%s", demoFixture, diff)
	}

	// The report decoded from the JSON renders to the PDF the demo wrote.
	r, err := render.New(render.FormatPDF, render.Options{Formats: render.Formats{render.FormatPDF, render.FormatXLSX}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "again.pdf")
	var buf bytes.Buffer
	if err := r.Render(&buf, rep); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	again, err := exec.Command(testtool.Need(t, "pdftotext"), "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(pdfText), string(again)); diff != "" {
		t.Errorf("the PDF of the report decoded from its JSON differs from the demo's PDF (-demo +decoded):\n%s", diff)
	}
}
