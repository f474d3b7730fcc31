package main

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

var updateAnalyzeGolden = flag.Bool("update-analyze", false, "rewrite testdata/analyze.*.golden")

// scrubAnalysis removes what changes from run to run: times, durations, paths.
func scrubAnalysis(s string) string {
	for _, r := range []struct{ re, with string }{
		{`\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?( UTC|Z)?`, "TIME"},
		{`in \d+\.\d\ds`, "in Ns"},
		{`"duration_ms": \d+`, `"duration_ms": 0`},
		{`"analysis_id": \d+`, `"analysis_id": 1`},
		{`Analysis #\d+`, "Analysis #1"},
		{`"tool_version": "[^"]*"`, `"tool_version": "V"`},
	} {
		s = regexp.MustCompile(r.re).ReplaceAllString(s, r.with)
	}
	return s
}

// TestAnalyzeGolden pins what `analyze` prints, in text and JSON, on a small snapshot.
func TestAnalyzeGolden(t *testing.T) {
	db := analyzeDB(t)
	for _, tc := range []struct{ name, format string }{{"text", "text"}, {"json", "json"}} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "analyze", "--db", db, "--format", tc.format, "--fail-on", "high")
			if code != exitFindings {
				t.Fatalf("exit %d, want %d: %s", code, exitFindings, errOut)
			}
			got := scrubAnalysis(out)
			path := filepath.Join("testdata", "analyze."+tc.name+".golden")
			if *updateAnalyzeGolden {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update-analyze to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (run with -update-analyze if intended):\n%s", path, got)
			}
		})
	}
}
