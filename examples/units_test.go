package examples_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestSystemdUnits: the shipped units pass `systemd-analyze verify` (where systemd-analyze is
// installed; skipped cleanly where it is not, CI included, as containers often lack systemd),
// and no service lets its EnvironmentFile= replace the passwords it loads as credentials.
func TestSystemdUnits(t *testing.T) {
	units, err := filepath.Glob("systemd/*")
	if err != nil || len(units) == 0 {
		t.Fatalf("no units: %v", err)
	}
	for _, u := range units {
		if !strings.HasSuffix(u, ".service") {
			continue
		}
		data, err := os.ReadFile(u)
		if err != nil {
			t.Fatal(err)
		}
		s := string(data)
		if regexp.MustCompile(`(?m)^Environment=.*_PASS`).MatchString(s) {
			t.Errorf("%s sets a password variable with Environment=, which its EnvironmentFile= overrides", u)
		}
		line := strings.Join(strings.Fields(strings.ReplaceAll(execStart(s), "\\\n", " ")), " ")
		const want = "/usr/bin/env -u AXL_PASS -u SMTP_PASS AXL_PASS_FILE=%d/axl.pass SMTP_PASS_FILE=%d/smtp.pass /usr/local/bin/cucm-audit run --quiet"
		if strings.Contains(s, "LoadCredential=") && !strings.HasPrefix(line, want) {
			t.Errorf("%s: ExecStart=%s\nwant it to start with %s", u, line, want)
		}
	}

	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed here: the units are not verified")
	}
	dir := t.TempDir()
	stub := filepath.Join(dir, "cucm-audit")
	if err := os.WriteFile(stub, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var copies []string
	for _, u := range units {
		data, err := os.ReadFile(u)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, filepath.Base(u))
		// The binary is not installed here: verify checks the stub in its place.
		if err := os.WriteFile(dst, []byte(strings.ReplaceAll(string(data), "/usr/local/bin/cucm-audit", stub)), 0o644); err != nil {
			t.Fatal(err)
		}
		copies = append(copies, dst)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, analyze, append([]string{"verify"}, copies...)...)
	cmd.Env = append(os.Environ(), "SYSTEMD_LOG_COLOR=0")
	out, err := cmd.CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// execStart returns the ExecStart= value of a unit, continuation lines included.
func execStart(unit string) string {
	i := strings.Index(unit, "\nExecStart=")
	if i < 0 {
		return ""
	}
	rest := unit[i+len("\nExecStart="):]
	var b strings.Builder
	for _, l := range strings.SplitAfter(rest, "\n") {
		b.WriteString(l)
		if !strings.HasSuffix(strings.TrimRight(l, "\n"), "\\") {
			break
		}
	}
	return b.String()
}

// TestCronQuiet: every job of the cron example runs cucm-audit quietly with its stdout in a log,
// so cron mails only what went wrong (stderr), as the file's comment claims.
func TestCronQuiet(t *testing.T) {
	data, err := os.ReadFile("cron/cucm-audit.cron")
	if err != nil {
		t.Fatal(err)
	}
	jobs := 0
	for _, l := range strings.Split(string(data), "\n") {
		if l == "" || strings.HasPrefix(l, "#") || !strings.Contains(l, "/usr/local/bin/cucm-audit ") {
			continue
		}
		jobs++
		if strings.Contains(l, "cucm-audit run ") && !strings.Contains(l, "cucm-audit run --quiet ") {
			t.Errorf("job without --quiet: %s", l)
		}
		if !strings.HasSuffix(l, ">>/var/lib/cucm-audit/run.log") {
			t.Errorf("job whose summary line cron would mail every time: %s", l)
		}
	}
	if jobs != 3 {
		t.Errorf("%d jobs, want 3", jobs)
	}
}
