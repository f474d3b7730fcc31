package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportAnalysis: by default the report shows the newest analysis of the whole rule set, so
// an ad-hoc `analyze --only` does not narrow it; --analysis picks one; every report names it.
func TestReportAnalysis(t *testing.T) {
	setCollectorEnv(t, checkSim(t, nil))
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	for _, args := range [][]string{
		{"collect", "--db", db},
		{"analyze", "--db", db, "--quiet"},                      // analysis 1: every rule
		{"analyze", "--db", db, "--only", "REG-001", "--quiet"}, // analysis 2: ad hoc
		{"collect", "--db", db},
		{"analyze", "--db", db, "--quiet"}, // analysis 3, of snapshot 2
	} {
		if code, stdout, stderr := runCLI(t, args...); code != exitOK {
			t.Fatalf("%v: exit %d\n%s%s", args, code, stdout, stderr)
		}
	}
	report := func(extra ...string) (int, map[string]any, string, string) {
		t.Helper()
		out := t.TempDir()
		code, stdout, stderr := runCLI(t, append([]string{"report", "--db", db, "--snapshot", "1", "--out", out, "--format", "json,md"}, extra...)...)
		if code != exitOK {
			return code, nil, "", stderr
		}
		var rep struct {
			Analysis map[string]any `json:"analysis"`
		}
		js, _ := filepath.Glob(filepath.Join(out, "*.json"))
		md, _ := filepath.Glob(filepath.Join(out, "*.md"))
		for _, f := range js {
			if !strings.HasSuffix(f, ".manifest.json") {
				data, _ := os.ReadFile(f)
				json.Unmarshal(data, &rep)
			}
		}
		mdText, _ := os.ReadFile(md[0])
		return code, rep.Analysis, string(mdText), stdout
	}

	_, a, md, _ := report()
	if a["id"] != 1.0 || a["selection"] != nil {
		t.Errorf("default analysis = %v, want #1 (whole rule set)", a)
	}
	if !strings.Contains(md, "| Analysis | #1 of ") || !strings.Contains(md, ", whole rule set |") {
		t.Errorf("markdown does not name analysis #1:\n%s", md[:min(len(md), 600)])
	}
	_, a, md, _ = report("--analysis", "2")
	if a["id"] != 2.0 || a["selection"] != true || !strings.Contains(md, "| Analysis | #2 of ") {
		t.Errorf("--analysis 2 = %v", a)
	}
	code, _, _, stderr := report("--analysis", "3")
	if code != exitError || !strings.Contains(stderr, "analysis 3 is of snapshot 2, not 1") {
		t.Errorf("--analysis 3 of snapshot 1: exit %d, %s", code, stderr)
	}
	code, _, _, stderr = report("--analysis", "99")
	if code != exitError || !strings.Contains(stderr, "no analysis 99 in the database") {
		t.Errorf("--analysis 99: exit %d, %s", code, stderr)
	}
}
