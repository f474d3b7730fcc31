package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

func TestReportUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown format", []string{"--format", "pdf,docx"}, exitUsage, `unknown report format "docx": want pdf, xlsx, md, json or html`},
		{"empty format", []string{"--format", ","}, exitUsage, "no report format given"},
		{"negative cap", []string{"--pdf-max-entities", "-3"}, exitUsage, "--pdf-max-entities -3: want 0 (all) or a positive number"},
		{"positional argument", []string{"42"}, exitUsage, `unexpected argument "42"`},
		{"missing database", []string{"--db", filepath.Join(t.TempDir(), "none.db")}, exitError, "none.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"report"}, tt.args...), &stdout, &stderr)
			if code != tt.code || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr.String(), tt.code, tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
		})
	}
}

func TestReportHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"report", "--help"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"--format", "--pdf-max-entities", "--templates", "manifest.json", "cucm-audit analyze"} {
		if !strings.Contains(stderr.String(), strings.TrimPrefix(want, "-")) {
			t.Errorf("help lacks %q", want)
		}
	}
}

// TestReportAgainKeepsEarlierFiles: reporting the same snapshot again into the same folder
// never replaces the earlier files (they may have been e-mailed): the new set is written as -2
// and the command prints those paths.
func TestReportAgainKeepsEarlierFiles(t *testing.T) {
	db := diffDB(t)
	store, err := snapshot.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.DB().Exec(`INSERT INTO analysis (snapshot_id, started_at) VALUES (2, '2026-11-24T08:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	store.Close()
	out := t.TempDir()
	report := func() []string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), []string{"report", "--db", db, "--snapshot", "2", "--out", out, "--format", "md,json"}, &stdout, &stderr); code != exitOK {
			t.Fatalf("report: exit %d\n%s", code, stderr.String())
		}
		return strings.Split(strings.TrimSpace(stdout.String()), "\n")
	}
	first := report()
	kept := map[string][]byte{}
	for _, p := range first {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		kept[p] = b
	}
	second := report()
	if len(second) != 3 {
		t.Fatalf("second report printed %q", second)
	}
	for i, p := range second {
		if want := strings.TrimSuffix(first[i], filepath.Ext(first[i])); !strings.HasPrefix(p, strings.TrimSuffix(want, ".manifest")+"-2.") {
			t.Errorf("second report wrote %s, want the -2 version of %s", p, first[i])
		}
		if _, err := os.Stat(p); err != nil {
			t.Errorf("printed path not written: %v", err)
		}
	}
	for p, b := range kept {
		if now, err := os.ReadFile(p); err != nil || !bytes.Equal(now, b) {
			t.Errorf("%s changed or vanished after the second report (%v)", p, err)
		}
	}
}
