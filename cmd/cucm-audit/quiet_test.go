package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

// TestRunQuiet: run --quiet prints exactly one line on stdout and nothing on stderr when all is
// well; a second run on the unchanged cluster says so in that line; with a failure it prints the
// error (stderr) and the line.
func TestRunQuiet(t *testing.T) {
	env := checkSim(t, nil)
	setCollectorEnv(t, env)
	dir := t.TempDir()
	db, out := filepath.Join(dir, "a.db"), filepath.Join(dir, "reports")
	args := []string{"run", "--quiet", "--db", db, "--out", out, "--format", "md,json"}

	code, stdout, stderr := runCLI(t, args...)
	// EOL-003 is the inconclusive rule: no release end-of-life dates are shipped.
	if code != exitOK || stderr != "" || strings.Count(stdout, "\n") != 1 {
		t.Fatalf("exit %d, want one line and no stderr\nstdout: %q\nstderr: %q", code, stdout, stderr)
	}
	want := regexp.MustCompile(`^cucm-audit run: \S+; snapshot #1 complete; analysis #1: \d+ open findings \(.*\), 1 rule inconclusive or in error; reports: .*\.manifest\.json\n$`)
	if !want.MatchString(stdout) {
		t.Errorf("first line %q does not match %s", stdout, want)
	}
	code, stdout, stderr = runCLI(t, args...)
	if code != exitOK || stderr != "" || strings.Count(stdout, "\n") != 1 || !strings.Contains(stdout, "; unchanged since #1; reports: ") {
		t.Errorf("unchanged cluster: exit %d\nstdout: %q\nstderr: %q", code, stdout, stderr)
	}

	env["AXL_PASS"] = "wrong"
	setCollectorEnv(t, env)
	code, stdout, stderr = runCLI(t, args...)
	if code != exitError {
		t.Errorf("exit %d, want %d", code, exitError)
	}
	if !strings.HasPrefix(stdout, "cucm-audit run: ") || !strings.HasSuffix(stdout, ": no snapshot stored\n") {
		t.Errorf("stdout = %q, want the one line", stdout)
	}
	if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "authentication failed") {
		t.Errorf("stderr = %q, want the error in one line", stderr)
	}
}

// TestPrune: prune --keep 2 leaves the two newest snapshots of the cluster with their analyses
// and report sets; --dry-run lists the same and changes nothing.
func TestPrune(t *testing.T) {
	setCollectorEnv(t, checkSim(t, nil))
	dir := t.TempDir()
	db, out := filepath.Join(dir, "a.db"), filepath.Join(dir, "reports")
	for i := 0; i < 4; i++ {
		if code, stdout, stderr := runCLI(t, "run", "--quiet", "--db", db, "--out", out, "--format", "md,json"); code != exitOK {
			t.Fatalf("run %d: exit %d\n%s%s", i, code, stdout, stderr)
		}
	}
	// A file that is no report set stays whatever happens.
	if err := os.WriteFile(filepath.Join(out, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := tree(t, out)
	if len(before) != 4*3+1 {
		t.Fatalf("%d files after 4 runs, want 4 report sets of 3 files and notes.txt: %v", len(before), before)
	}

	code, dry, stderr := runCLI(t, "prune", "--keep", "2", "--db", db, "--reports", out, "--dry-run")
	if code != exitOK {
		t.Fatalf("dry run: exit %d\n%s%s", code, dry, stderr)
	}
	if got := tree(t, out); strings.Join(got, "\n") != strings.Join(before, "\n") {
		t.Errorf("--dry-run changed the report folder:\n%v\n%v", before, got)
	}
	if ids := snapshotIDs(t, db); len(ids) != 4 {
		t.Errorf("--dry-run left snapshots %v, want 4", ids)
	}
	for _, want := range []string{"would delete snapshot #1 of", "would delete snapshot #2 of", "and its 1 analysis",
		"prune: would delete 2 snapshots (2 analyses) and 2 report sets (4 files)"} {
		if !strings.Contains(dry, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, dry)
		}
	}

	code, real, stderr := runCLI(t, "prune", "--keep", "2", "--db", db, "--reports", out)
	if code != exitOK {
		t.Fatalf("prune: exit %d\n%s%s", code, real, stderr)
	}
	if want := strings.ReplaceAll(dry, "would delete", "deleted"); real != want {
		t.Errorf("prune output differs from its dry run:\n%s\nwant\n%s", real, want)
	}
	if ids := snapshotIDs(t, db); len(ids) != 2 || ids[0] != 3 || ids[1] != 4 {
		t.Errorf("snapshots left %v, want [3 4]", ids)
	}
	after := tree(t, out)
	if len(after) != 2*3+1 {
		t.Errorf("files left %v, want 2 report sets and notes.txt", after)
	}
	code, stdout, stderr := runCLI(t, "report", "--db", db, "--snapshot", "3", "--out", filepath.Join(dir, "again"), "--format", "json", "--quiet")
	if code != exitOK || strings.Count(stdout, "\n") != 1 {
		t.Errorf("report on a kept snapshot: exit %d\n%s%s", code, stdout, stderr)
	}
	// Again: nothing left to prune.
	if code, stdout, _ := runCLI(t, "prune", "--keep", "2", "--db", db, "--reports", out); code != exitOK ||
		stdout != "prune: deleted 0 snapshots (0 analyses) and 0 report sets (0 files); kept the newest 2 of each cluster\n" {
		t.Errorf("second prune: exit %d, %q", code, stdout)
	}
	if code, _, stderr := runCLI(t, "prune", "--keep", "0", "--db", db); code != exitUsage || !strings.Contains(stderr, "--keep 0: want") {
		t.Errorf("--keep 0: exit %d, %q", code, stderr)
	}
}

// tree lists the files under dir, relative and sorted.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func snapshotIDs(t *testing.T, db string) []int64 {
	t.Helper()
	s, err := snapshot.OpenReadOnly(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	list, err := s.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, m := range list {
		ids = append(ids, m.ID)
	}
	return ids
}
