package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown format", []string{"--format", "pdf,docx"}, exitUsage, `unknown report format "docx": want pdf, xlsx, md or json`},
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
