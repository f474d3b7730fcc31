package main

import (
	"strings"
	"testing"
)

// TestUsageErrorOneLine: a bad flag prints one line that names the flag, the value and the fix,
// never the usage around it; --help still prints the usage (exit 0).
func TestUsageErrorOneLine(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"report", "--format", "pfd"}, `cucm-audit: report: --format pfd: unknown report format "pfd": want pdf, xlsx, md, json or html`},
		{[]string{"run", "--timeout", "5x"}, "cucm-audit: run: --timeout 5x: want a duration such as 30s, 15m or 2h"},
		{[]string{"report", "--pdf-max-entities", "many"}, "cucm-audit: report: --pdf-max-entities many: want a whole number"},
		{[]string{"collect", "--verbose=maybe"}, "cucm-audit: collect: --verbose maybe: want true or false"},
		{[]string{"collect", "--nope"}, "cucm-audit: collect: unknown flag --nope (see cucm-audit collect --help)"},
		{[]string{"show", "--snapshot"}, "cucm-audit: show: --snapshot needs a value (see cucm-audit show --help)"},
		{[]string{"show", "--format", "yaml"}, `cucm-audit: show: --format yaml: unknown format "yaml": want text or json`},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if stdout != "" || stderr != tc.want+"\n" {
				t.Errorf("stdout %q\nstderr %q\nwant stderr %q", stdout, stderr, tc.want+"\n")
			}
		})
	}
	code, _, stderr := runCLI(t, "report", "--help")
	if code != exitOK || !strings.Contains(stderr, "Usage: cucm-audit report") || !strings.Contains(stderr, "-pdf-max-entities") {
		t.Errorf("report --help: exit %d, stderr:\n%s", code, stderr)
	}
}
