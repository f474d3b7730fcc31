package testtool

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// recorder stands in for a test so the Fatal and Skip of a missing tool can be observed.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Helper()           {}
func (r *recorder) Fatal(args ...any) { r.fatal = fmt.Sprint(args...) }
func (r *recorder) Skip(args ...any)  { r.skip = fmt.Sprint(args...) }

func TestNeed(t *testing.T) {
	sh, err := os.Executable() // this test binary: certainly present
	if err != nil {
		t.Fatal(err)
	}
	const absent = "cucm-audit-no-such-tool"
	tests := []struct {
		name, ci, tool string
		fatal, skip    bool
	}{
		{name: "present", ci: "true", tool: sh},
		{name: "missing under CI", ci: "true", tool: absent, fatal: true},
		{name: "missing outside CI", ci: "", tool: absent, skip: true},
		{name: "missing, CI not exactly true", ci: "1", tool: absent, skip: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			r := &recorder{}
			got := Need(r, tc.tool)
			if (r.fatal != "") != tc.fatal || (r.skip != "") != tc.skip {
				t.Fatalf("fatal %q, skip %q; want fatal %v, skip %v", r.fatal, r.skip, tc.fatal, tc.skip)
			}
			if !tc.fatal && !tc.skip && got != sh {
				t.Errorf("Need(%q) = %q", tc.tool, got)
			}
			if msg := r.fatal + r.skip; msg != "" && !strings.Contains(msg, absent+" not found on PATH: install the "+absent+" package (scripts/test-deps.sh)") {
				t.Errorf("message %q does not say what to install", msg)
			}
		})
	}
}

func TestInstallHint(t *testing.T) {
	for name, want := range map[string]string{"pdftotext": "the poppler-utils package", "npm": "Node.js 20+ and npm", "qpdf": "the qpdf package"} {
		if got := installHint(name); got != want {
			t.Errorf("installHint(%q) = %q, want %q", name, got, want)
		}
	}
}
