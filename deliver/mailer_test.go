package deliver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/deliver/smtptest"
	"github.com/cucm-audit/cucm-audit/internal/cli"
	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// mailFixture renders every format of a small report of an analysed snapshot of cluster hq.
func mailFixture(t *testing.T) (*snapshot.Store, *results.Report, render.Manifest) {
	t.Helper()
	ctx := context.Background()
	f := newFixture(t) // cluster hq, analysed
	store, meta := f.store, f.rep.Snapshot
	rep := &results.Report{
		SchemaVersion: results.ReportSchemaVersion, Kind: "audit", ToolVersion: "test", Snapshot: meta,
		Summary: results.Summary{FindingsBySeverity: []results.SeverityCount{{Severity: results.SeverityHigh, Count: 1}}},
		Rules: []results.RuleSection{{
			Rule:     results.RuleInfo{ID: "REG-003", Title: "Rejected devices", Severity: results.SeverityHigh},
			Findings: []results.Finding{{RuleID: "REG-003", Severity: results.SeverityHigh, Entity: "GW1", Fingerprint: "REG-003|GW1"}},
		}},
	}
	man, err := render.WriteAll(ctx, rep, render.AllFormats(), t.TempDir(), render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return store, rep, man
}

func TestMailerEndToEnd(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.Options{})
	store, rep, man := mailFixture(t)
	ctx := context.Background()

	fs := cli.NewFlagSet("report", "report", &bytes.Buffer{})
	m := AddMailer(fs)
	if err := cli.Parse(fs, []string{"--mail-to", "voice-team@example.org,cio@example.org", "--mail-only-if", "changed"}, false); err != nil {
		t.Fatal(err)
	}
	if err := m.Prepare(srv.Env(nil)); err != nil {
		t.Fatal(err)
	}
	if err := m.CheckFormats(render.AllFormats()); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if err := m.Send(ctx, store, rep, man, &stderr); err != nil {
		t.Fatal(err)
	}
	if want := "cucm-audit: e-mailed pdf+xlsx to voice-team@example.org, cio@example.org through 127.0.0.1\n"; stderr.String() != want {
		t.Errorf("stderr = %q, want %q", stderr.String(), want)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("server received %d messages, want 1", len(msgs))
	}
	if diff := cmp.Diff([]string{"voice-team@example.org", "cio@example.org"}, msgs[0].To); diff != "" {
		t.Errorf("recipients (-want +got):\n%s", diff)
	}
	p, err := smtptest.Parse(msgs[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	// Every attachment decodes to exactly the bytes the manifest vouches for.
	want := map[string]string{}
	for _, f := range man.Files {
		if f.Format == render.FormatPDF || f.Format == render.FormatXLSX {
			want[f.Name] = f.SHA256
		}
	}
	got := map[string]string{}
	for name, b := range p.Attachments {
		sum := sha256.Sum256(b)
		got[name] = hex.EncodeToString(sum[:])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("attachments' SHA-256 (-manifest +received):\n%s", diff)
	}
	if !strings.Contains(p.Body, "Audit of CUCM cluster hq") || !strings.Contains(p.Body, "Open findings: high 1") {
		t.Errorf("body:\n%s", p.Body)
	}
	// mail_log keeps the manifest of what was mailed: every file of the set with its size and
	// SHA-256, which were attached, and the manifest file itself.
	logged, ok, err := LastMailed(ctx, store, "hq")
	if err != nil || !ok {
		t.Fatalf("LastMailed = %v, %v", ok, err)
	}
	wantLog := MailedManifest{Folder: filepath.Dir(man.Path),
		Manifest: &MailedFile{Name: filepath.Base(man.Path), Format: "manifest", Size: man.Size, SHA256: man.SHA256}}
	for _, f := range man.Files {
		attached := f.Format == render.FormatPDF || f.Format == render.FormatXLSX
		wantLog.Files = append(wantLog.Files, MailedFile{Name: f.Name, Format: string(f.Format), Size: f.Size, SHA256: f.SHA256, Attached: attached})
	}
	if diff := cmp.Diff(wantLog, logged.Manifest); diff != "" {
		t.Errorf("mail_log manifest (-want +got):\n%s", diff)
	}
	if mb, err := os.ReadFile(man.Path); err != nil || fmt.Sprintf("%x", sha256.Sum256(mb)) != man.SHA256 {
		t.Errorf("the recorded manifest SHA-256 %s is not the manifest file's (%v)", man.SHA256, err)
	}

	// An unchanged second run sends nothing.
	stderr.Reset()
	if err := m.Send(ctx, store, rep, man, &stderr); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("unchanged second run: server has %d messages, want 1", n)
	}
	if !strings.HasPrefix(stderr.String(), "cucm-audit: e-mail not sent: nothing changed since the report mailed ") {
		t.Errorf("stderr = %q", stderr.String())
	}
}

func TestMailerWrongPassword(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.Options{})
	store, rep, man := mailFixture(t)
	fs := cli.NewFlagSet("run", "run", &bytes.Buffer{})
	m := AddMailer(fs)
	if err := cli.Parse(fs, []string{"--mail-to", "noc@example.org", "--mail-attach", "pdf,md"}, false); err != nil {
		t.Fatal(err)
	}
	if err := m.Prepare(srv.Env(map[string]string{"SMTP_PASS": "Wrong-Pass-77"})); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	err := m.Send(context.Background(), store, rep, man, &stderr)
	if err == nil {
		t.Fatal("send with a wrong password succeeded")
	}
	code := cli.ExitCode(err, &stderr)
	if code != cli.ExitError {
		t.Errorf("exit code = %d, want %d", code, cli.ExitError)
	}
	out := stderr.String()
	for _, s := range []string{"cucm-audit: e-mail not sent: sending mail through " + srv.Addr + " (starttls) as audit-bot:",
		"check SMTP_USER and SMTP_PASS (or SMTP_PASS_FILE)", "the report files are kept in " + filepath.Dir(man.Path)} {
		if !strings.Contains(out, s) {
			t.Errorf("stderr lacks %q:\n%s", s, out)
		}
	}
	if strings.Contains(out, "Wrong-Pass-77") {
		t.Errorf("the password leaks: %s", out)
	}
	for _, f := range append(man.Files, render.ManifestFile{Path: man.Path}) {
		if _, err := os.Stat(f.Path); err != nil {
			t.Errorf("report file lost after a failed send: %v", err)
		}
	}
}

func TestMailerErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		code int
		want string
	}{
		{"bad address", []string{"--mail-to", "nobody"}, nil, cli.ExitUsage, `--mail-to "nobody" is not an e-mail address: mail: missing '@' or angle-addr`},
		{"bad attach", []string{"--mail-to", "a@example.org", "--mail-attach", "docx"}, nil, cli.ExitUsage, `--mail-attach "docx": want some of pdf,xlsx,md,json,html`},
		{"no smtp host", []string{"--mail-to", "a@example.org"}, map[string]string{}, cli.ExitError, "--mail-to: smtp configuration: SMTP_HOST is not set: name the mail server, e.g. SMTP_HOST=smtp.example.org"},
		{"no mail no smtp needed", nil, map[string]string{}, cli.ExitOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := cli.NewFlagSet("report", "report", &bytes.Buffer{})
			m := AddMailer(fs)
			if err := cli.Parse(fs, tt.args, false); err != nil {
				t.Fatal(err)
			}
			env := map[string]string{"SMTP_HOST": "smtp.example.org", "SMTP_FROM": "a@example.org"}
			if tt.env != nil {
				env = tt.env
			}
			err := m.Prepare(func(k string) string { return env[k] })
			var stderr bytes.Buffer
			if code := cli.ExitCode(err, &stderr); code != tt.code {
				t.Fatalf("exit code = %d, want %d (%v)", code, tt.code, err)
			}
			if tt.want != "" && (err == nil || err.Error() != tt.want) {
				t.Errorf("err = %v\nwant  %s", err, tt.want)
			}
		})
	}
	fs := cli.NewFlagSet("report", "report", &bytes.Buffer{})
	m := AddMailer(fs)
	_ = cli.Parse(fs, []string{"--mail-to", "a@example.org", "--mail-attach", "pdf"}, false)
	_ = m.Prepare(func(k string) string { return map[string]string{"SMTP_HOST": "h", "SMTP_FROM": "a@example.org"}[k] })
	err := m.CheckFormats(render.Formats{render.FormatJSON})
	var ce *cli.CodeError
	if !errors.As(err, &ce) || ce.Code != cli.ExitUsage || err.Error() != "--mail-attach pdf: none of these is rendered by --format json" {
		t.Errorf("checkFormats = %v", err)
	}
}
