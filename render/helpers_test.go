package render

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, stderr.String())
	}
	return out
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from what was rendered (-want +got; go test -update refreshes it):\n%s", path, diff)
	}
}

// scrub replaces volatile values (tool version, generation time) in what a reader sees.
func scrub(b []byte) []byte {
	b = regexp.MustCompile(`v0\.9\.0-test`).ReplaceAll(b, []byte("VERSION"))
	b = regexp.MustCompile(`generated 2026-11-24 07:41 UTC`).ReplaceAll(b, []byte("generated TIME"))
	return b
}

// renderTo renders rep in format f into a file in a temporary folder and returns its path.
// Unless opts.Formats says otherwise, the report is laid out as delivered with an XLSX (the
// default --format), so cut lists say "more in the XLSX"; TestCapsSayWhereTheRestIs covers a
// run without one through WriteAll.
func renderTo(t *testing.T, rep *results.Report, f Format, opts Options) string {
	t.Helper()
	if opts.Formats == nil {
		opts.Formats = Formats{f, FormatXLSX}
	}
	r, err := New(f, opts)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report."+f.Ext())
	var buf bytes.Buffer
	if err := r.Render(&buf, rep); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
