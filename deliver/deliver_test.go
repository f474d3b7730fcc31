package deliver

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/deliver/smtptest"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

const testPass = "s3cret-Pa55"

func startMailServer(t *testing.T, withTLS bool) *smtptest.Server {
	return smtptest.NewServer(t, smtptest.Options{NoTLS: !withTLS, Pass: testPass})
}

// fixture is a database with one analyzed snapshot and two rendered report files.
type fixture struct {
	store *snapshot.Store
	rep   *results.Report
	files []File
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	store, err := snapshot.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	f := &fixture{store: store}
	meta := f.addSnapshot(t, "Registered", []string{"REG-001|SEP1"})
	f.rep = &results.Report{Kind: "audit", Snapshot: meta, ToolVersion: "test", Summary: results.Summary{
		FindingsBySeverity: []results.SeverityCount{{Severity: results.SeverityHigh, Count: 1}},
		Registration:       []results.ClassRegistration{{Class: "Phone", Configured: 1, Registered: 1, RegistrationRate: 1, Complete: true}},
	}}
	dir := t.TempDir()
	pdf := make([]byte, 300<<10) // binary, large enough for many base64 lines
	for i := range pdf {
		pdf[i] = byte(i*7 + i>>8)
	}
	copy(pdf, "%PDF-1.7\n")
	for _, c := range []struct {
		name, format string
		data         []byte
	}{
		{"cucm-audit_hq_20261124-080000.pdf", "pdf", pdf},
		{"cucm-audit_hq_20261124-080000.xlsx", "xlsx", append([]byte("PK\x03\x04"), pdf[:1000]...)},
		{"cucm-audit_hq_20261124-080000.md", "md", []byte("# Audit of Zürich\n")},
	} {
		p := filepath.Join(dir, c.name)
		if err := os.WriteFile(p, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(c.data)
		f.files = append(f.files, File{Path: p, Format: c.format, Size: int64(len(c.data)), SHA256: hex.EncodeToString(sum[:])})
	}
	return f
}

// addSnapshot writes a snapshot of cluster hq where phone SEP1 has the given status, analyzed
// with the given open finding fingerprints.
func (f *fixture) addSnapshot(t *testing.T, status string, findings []string) snapshot.Meta {
	t.Helper()
	ctx := context.Background()
	w, err := f.store.Begin(ctx, snapshot.Meta{ClusterID: "hq"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.AddDevice(ctx, snapshot.Device{Name: "SEP1", Class: "Phone", RisClass: "Phone"}); err != nil {
		t.Fatal(err)
	}
	if err := w.AddRisDevice(ctx, snapshot.RisDevice{Node: "sub1", Name: "SEP1", DeviceClass: "Phone", Status: status, TimeStamp: time.Now().UnixNano()}); err != nil {
		t.Fatal(err)
	}
	meta, err := w.Commit(ctx, snapshot.StatusComplete, "15.0.1", "")
	if err != nil {
		t.Fatal(err)
	}
	db := f.store.DB()
	res, err := db.Exec(`INSERT INTO analysis (snapshot_id, started_at) VALUES (?, ?)`, meta.ID, time.Now().UTC().Format(time.RFC3339))
	if err != nil {
		t.Fatal(err)
	}
	aid, _ := res.LastInsertId()
	for _, fp := range findings {
		rule, entity, _ := strings.Cut(fp, "|")
		if _, err := db.Exec(`INSERT INTO finding (analysis_id, rule_id, severity, entity, fingerprint) VALUES (?,?,?,?,?)`,
			aid, rule, "high", entity, fp); err != nil {
			t.Fatal(err)
		}
	}
	return meta
}

func TestMailEndToEnd(t *testing.T) {
	ms := startMailServer(t, true)
	for _, mech := range []string{"plain", "login", "auto"} {
		t.Run(mech, func(t *testing.T) {
			f := newFixture(t)
			cfg, err := ConfigFromEnv(ms.Env(map[string]string{"SMTP_AUTH": mech}))
			if err != nil {
				t.Fatal(err)
			}
			before := len(ms.Messages())
			opts := Options{To: []string{"voice-team@example.org", "cio@example.org"}, Attach: DefaultAttach(), OnlyIf: PolicyAlways}
			res, err := Mail(context.Background(), f.store, cfg, opts, f.rep, f.files)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Sent {
				t.Fatalf("not sent: %s", res.Reason)
			}
			msgs := ms.Messages()
			if len(msgs) != before+1 {
				t.Fatalf("server received %d messages, want 1", len(msgs)-before)
			}
			got := msgs[len(msgs)-1]
			if diff := cmp.Diff([]string{"voice-team@example.org", "cio@example.org"}, got.To); diff != "" {
				t.Errorf("RCPT TO (-want +got):\n%s", diff)
			}
			if got.From != "voice-audit@example.org" {
				t.Errorf("MAIL FROM = %q", got.From)
			}
			wantMech := map[string]string{"plain": sasl.Plain, "login": sasl.Login, "auto": sasl.Plain}[mech]
			if got.Mech != wantMech {
				t.Errorf("authenticated with %q, want %q", got.Mech, wantMech)
			}
			p, err := smtptest.Parse(got.Data)
			if err != nil {
				t.Fatal(err)
			}
			to, err := p.Header.AddressList("To")
			if err != nil || len(to) != 2 || to[0].Address != "voice-team@example.org" || to[1].Address != "cio@example.org" {
				t.Errorf("To header = %v (%v)", to, err)
			}
			subj := p.Subject
			if want := "cucm-audit hq: audit of "; !strings.HasPrefix(subj, want) || !strings.HasSuffix(subj, ": 1 findings (1 high or critical)") {
				t.Errorf("Subject = %q", subj)
			}
			// Attachments intact: the SHA-256 of each decoded part equals the manifest's.
			want := map[string]string{}
			for _, f := range f.files[:2] {
				want[filepath.Base(f.Path)] = f.SHA256
			}
			gotSums := map[string]string{}
			for name, content := range p.Attachments {
				sum := sha256.Sum256(content)
				gotSums[name] = hex.EncodeToString(sum[:])
			}
			if diff := cmp.Diff(want, gotSums); diff != "" {
				t.Errorf("attachments' SHA-256 (-manifest +received):\n%s", diff)
			}
			for _, s := range []string{"Audit of CUCM cluster hq", "Open findings: high 1", "Phone          1 of 1 registered (100%)", f.files[0].SHA256 + "  cucm-audit_hq_20261124-080000.pdf"} {
				if !strings.Contains(p.Body, s) {
					t.Errorf("body lacks %q:\n%s", s, p.Body)
				}
			}
		})
	}
}

// TestMailRecordsManifest: mail_log keeps, with each mail sent, the manifest of the report set:
// every file's name, format, size and SHA-256, whether it was attached, and the manifest file
// (never attached itself), so what was e-mailed can be verified after the folder changed.
func TestMailRecordsManifest(t *testing.T) {
	ms := startMailServer(t, true)
	f := newFixture(t)
	cfg, err := ConfigFromEnv(ms.Env(nil))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(f.files[0].Path)
	manifest := filepath.Join(dir, "cucm-audit_hq_20261124-080000.manifest.json")
	if err := os.WriteFile(manifest, []byte(`{"files":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	files := append(f.files, File{Path: manifest, Format: ManifestFormat, Size: 12, SHA256: "0011"})
	opts := Options{To: []string{"noc@example.org"}, Attach: []string{"pdf", "md", "manifest"}, OnlyIf: PolicyAlways}
	res, err := Mail(context.Background(), f.store, cfg, opts, f.rep, files)
	if err != nil || !res.Sent {
		t.Fatalf("Mail = %+v, %v", res, err)
	}
	p, err := smtptest.Parse(ms.Messages()[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range p.Attachments {
		names = append(names, n)
	}
	sort.Strings(names)
	if diff := cmp.Diff([]string{"cucm-audit_hq_20261124-080000.md", "cucm-audit_hq_20261124-080000.pdf"}, names); diff != "" {
		t.Errorf("attachments (-want +got):\n%s", diff)
	}
	e, ok, err := LastMailed(context.Background(), f.store, "hq")
	if err != nil || !ok {
		t.Fatalf("LastMailed = %v, %v", ok, err)
	}
	want := MailedManifest{Folder: dir, Manifest: &MailedFile{Name: filepath.Base(manifest), Format: "manifest", Size: 12, SHA256: "0011"}}
	for _, file := range f.files {
		want.Files = append(want.Files, MailedFile{Name: filepath.Base(file.Path), Format: file.Format, Size: file.Size,
			SHA256: file.SHA256, Attached: file.Format != "xlsx"})
	}
	if diff := cmp.Diff(want, e.Manifest); diff != "" {
		t.Errorf("recorded manifest (-want +got):\n%s", diff)
	}
	var raw string
	if err := f.store.DB().QueryRow(`SELECT manifest FROM mail_log WHERE id = ?`, e.ID).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"name":"cucm-audit_hq_20261124-080000.pdf"`, `"size":307200`, `"sha256":"` + f.files[0].SHA256 + `"`, `"attached":true`} {
		if !strings.Contains(raw, s) {
			t.Errorf("mail_log.manifest lacks %s: %s", s, raw)
		}
	}
}

func TestMailWrongPassword(t *testing.T) {
	ms := startMailServer(t, true)
	f := newFixture(t)
	cfg, err := ConfigFromEnv(ms.Env(map[string]string{"SMTP_PASS": "wrong-Secret-42"}))
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{To: []string{"voice-team@example.org"}, OnlyIf: PolicyChanged}
	res, err := Mail(context.Background(), f.store, cfg, opts, f.rep, f.files)
	if err == nil || res.Sent {
		t.Fatal("mail with a wrong password succeeded")
	}
	msg := err.Error()
	wantPrefix := "sending mail through " + ms.Addr + " (starttls) as audit-bot: "
	if !strings.HasPrefix(msg, wantPrefix) {
		t.Errorf("error = %q\nwant prefix %q", msg, wantPrefix)
	}
	for _, s := range []string{"check SMTP_USER and SMTP_PASS (or SMTP_PASS_FILE)", "the report files are kept in " + filepath.Dir(f.files[0].Path)} {
		if !strings.Contains(msg, s) {
			t.Errorf("error lacks %q: %s", s, msg)
		}
	}
	if strings.Contains(msg, "wrong-Secret-42") || strings.Contains(fmtAll(cfg), "wrong-Secret-42") {
		t.Errorf("the password leaks: %s", msg)
	}
	var se *SendError
	if !errors.As(err, &se) {
		t.Errorf("error is not a *SendError: %T", err)
	}
	for _, file := range f.files {
		if _, err := os.Stat(file.Path); err != nil {
			t.Errorf("report file gone after a failed send: %v", err)
		}
	}
	if _, ok, _ := LastMailed(context.Background(), f.store, "hq"); ok {
		t.Error("a failed send was recorded in mail_log")
	}
	if n := len(ms.Messages()); n != 0 {
		t.Errorf("server received %d messages", n)
	}
}

func fmtAll(c Config) string { return c.String() + c.GoString() }

func TestMailOnlyIf(t *testing.T) {
	ms := startMailServer(t, true)
	f := newFixture(t)
	cfg, err := ConfigFromEnv(ms.Env(nil))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	mail := func(policy Policy) Result {
		t.Helper()
		res, err := Mail(ctx, f.store, cfg, Options{To: []string{"noc@example.org"}, OnlyIf: policy}, f.rep, f.files)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	steps := []struct {
		name   string
		before func()
		policy Policy
		sent   bool
		reason string
	}{
		{name: "first run mails", policy: PolicyChanged, sent: true, reason: "no report of cluster hq was mailed before"},
		{name: "unchanged second run", policy: PolicyChanged, sent: false, reason: "nothing changed since the report mailed"},
		{name: "same state, new snapshot", before: func() { f.rep.Snapshot = f.addSnapshot(t, "Registered", []string{"REG-001|SEP1"}) },
			policy: PolicyChanged, sent: false, reason: "nothing changed since"},
		{name: "phone unregistered", before: func() { f.rep.Snapshot = f.addSnapshot(t, "UnRegistered", []string{"REG-001|SEP1"}) },
			policy: PolicyChanged, sent: true, reason: "device registration states changed since"},
		{name: "finding resolved: no new findings", before: func() { f.rep.Snapshot = f.addSnapshot(t, "UnRegistered", nil) },
			policy: PolicyNewFindings, sent: false, reason: "no new findings since"},
		{name: "finding resolved: changed", policy: PolicyChanged, sent: true, reason: "findings changed (0 new, 1 resolved) since"},
		{name: "new finding", before: func() { f.rep.Snapshot = f.addSnapshot(t, "UnRegistered", []string{"REG-002|SEP1"}) },
			policy: PolicyNewFindings, sent: true, reason: "1 new findings since"},
		{name: "always", policy: PolicyAlways, sent: true, reason: "mailing every report"},
	}
	count := 0
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		res := mail(s.policy)
		if s.sent {
			count++
		}
		if res.Sent != s.sent || !strings.HasPrefix(res.Reason, s.reason) && !strings.Contains(res.Reason, s.reason) {
			t.Errorf("%s: sent=%v reason=%q; want sent=%v reason with %q", s.name, res.Sent, res.Reason, s.sent, s.reason)
		}
		if n := len(ms.Messages()); n != count {
			t.Errorf("%s: server has %d messages, want %d", s.name, n, count)
		}
	}
}

func TestMailRefusesTamperedFile(t *testing.T) {
	ms := startMailServer(t, true)
	f := newFixture(t)
	cfg, _ := ConfigFromEnv(ms.Env(nil))
	if err := os.WriteFile(f.files[0].Path, []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Mail(context.Background(), f.store, cfg, Options{To: []string{"a@example.org"}}, f.rep, f.files)
	if err == nil || !strings.Contains(err.Error(), "differs from the manifest's") {
		t.Fatalf("err = %v, want a SHA-256 mismatch", err)
	}
}

func TestSendErrors(t *testing.T) {
	plain := startMailServer(t, false) // no STARTTLS offered
	tlsSrv := startMailServer(t, true)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	_, closedPort, _ := net.SplitHostPort(closed)
	tests := []struct {
		name string
		env  func(string) string
		hint string
	}{
		{"no starttls", plain.Env(map[string]string{"SMTP_CA_FILE": ""}), "the server does not offer STARTTLS"},
		{"untrusted certificate", tlsSrv.Env(map[string]string{"SMTP_CA_FILE": ""}), "the server's TLS certificate is not trusted for 127.0.0.1"},
		{"nobody listening", tlsSrv.Env(map[string]string{"SMTP_PORT": closedPort}), "the server could not be reached"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ConfigFromEnv(tt.env)
			if err != nil {
				t.Fatal(err)
			}
			err = Send(context.Background(), cfg, Message{To: []string{"a@example.org"}, Subject: "x", Body: "y"})
			if err == nil || !strings.Contains(err.Error(), tt.hint) {
				t.Fatalf("err = %v\nwant hint %q", err, tt.hint)
			}
			if strings.Contains(err.Error(), testPass) {
				t.Errorf("password in error: %v", err)
			}
		})
	}
}

func TestConfigFromEnv(t *testing.T) {
	dir := t.TempDir()
	passFile := filepath.Join(dir, "pass")
	if err := os.WriteFile(passFile, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(dir, "bad.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := map[string]string{"SMTP_HOST": "smtp.example.org", "SMTP_FROM": "audit@example.org"}
	with := func(kv ...string) func(string) string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	good := []struct {
		name string
		env  func(string) string
		want string // Config.String()
		pass string
	}{
		{"defaults", with(), "smtp.example.org:587 (starttls)", ""},
		{"tls", with("SMTP_TLS", "tls", "SMTP_USER", "u", "SMTP_PASS", "p"), "smtp.example.org:465 (tls) as u", "p"},
		{"none on 2525", with("SMTP_TLS", "none", "SMTP_PORT", "2525"), "smtp.example.org:2525 (none)", ""},
		{"pass file", with("SMTP_USER", "u", "SMTP_PASS_FILE", passFile), "smtp.example.org:587 (starttls) as u", "from-file"},
	}
	for _, tt := range good {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ConfigFromEnv(tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if c.String() != tt.want || c.Pass != tt.pass {
				t.Errorf("config = %s pass %q; want %s pass %q", c, c.Pass, tt.want, tt.pass)
			}
		})
	}
	bad := []struct {
		name string
		env  func(string) string
		want string
	}{
		{"no host", with("SMTP_HOST", ""), "smtp configuration: SMTP_HOST is not set: name the mail server, e.g. SMTP_HOST=smtp.example.org"},
		{"no from", with("SMTP_FROM", ""), "smtp configuration: SMTP_FROM is not set: give the sender address, e.g. SMTP_FROM=voice-audit@example.org"},
		{"bad from", with("SMTP_FROM", "audit"), `smtp configuration: SMTP_FROM="audit" is not an e-mail address: mail: missing '@' or angle-addr`},
		{"bad tls", with("SMTP_TLS", "yes"), `smtp configuration: SMTP_TLS="yes": want starttls, tls or none`},
		{"bad port", with("SMTP_PORT", "99999"), `smtp configuration: SMTP_PORT="99999": want a port number from 1 to 65535`},
		{"user no pass", with("SMTP_USER", "u"), "smtp configuration: SMTP_USER is set but no password: set SMTP_PASS or SMTP_PASS_FILE"},
		{"pass no user", with("SMTP_PASS", "p"), "smtp configuration: a password is set but SMTP_USER is empty: set SMTP_USER"},
		{"both passwords", with("SMTP_USER", "u", "SMTP_PASS", "p", "SMTP_PASS_FILE", passFile), "smtp configuration: both SMTP_PASS and SMTP_PASS_FILE are set: keep one"},
		{"missing pass file", with("SMTP_USER", "u", "SMTP_PASS_FILE", filepath.Join(dir, "nope")), "smtp configuration: SMTP_PASS_FILE: open " + filepath.Join(dir, "nope") + ": no such file or directory"},
		{"bad auth", with("SMTP_AUTH", "ntlm"), `smtp configuration: SMTP_AUTH="ntlm": want auto, plain, login, cram-md5 or scram-sha-256`},
		{"bad ca", with("SMTP_CA_FILE", notPEM), "smtp configuration: SMTP_CA_FILE=" + notPEM + " holds no PEM certificate"},
		{"bad timeout", with("SMTP_TIMEOUT", "soon"), `smtp configuration: SMTP_TIMEOUT="soon": want a positive Go duration such as 30s`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ConfigFromEnv(tt.env)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v\nwant  %s", err, tt.want)
			}
			if !errors.Is(err, ErrConfig) {
				t.Error("not ErrConfig")
			}
		})
	}
}

func TestFlags(t *testing.T) {
	tests := []struct {
		to, attach, onlyIf string
		want               Options
		err                string
	}{
		{to: "a@x.org, B <b@y.org>", attach: "pdf,xlsx", onlyIf: "always", want: Options{To: []string{"a@x.org", "b@y.org"}, Attach: []string{"pdf", "xlsx"}, OnlyIf: PolicyAlways}},
		{to: "a@x.org", attach: "markdown,json,md", onlyIf: "changed", want: Options{To: []string{"a@x.org"}, Attach: []string{"md", "json"}, OnlyIf: PolicyChanged}},
		{to: "nobody", attach: "pdf", onlyIf: "always", err: `--mail-to "nobody" is not an e-mail address: mail: missing '@' or angle-addr`},
		{to: "a@x.org", attach: "docx", onlyIf: "always", err: `--mail-attach "docx": want some of pdf,xlsx,md,json,html`},
		{to: "a@x.org", attach: "pdf", onlyIf: "sometimes", err: `unknown --mail-only-if "sometimes": want changed, new-findings or always`},
		{to: "", attach: "pdf", onlyIf: "changed", err: "--mail-only-if needs --mail-to"},
	}
	for i, tt := range tests {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			got, err := (&Flags{To: tt.to, Attach: tt.attach, OnlyIf: tt.onlyIf}).Options()
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestMailAtMostOnce: a mail whose record fails once is still delivered and recorded exactly
// once; a mail whose record never succeeds is delivered once and left unconfirmed, and the next
// run refuses to mail the snapshot again (naming the row) until --mail-resend.
func TestMailAtMostOnce(t *testing.T) {
	ms := startMailServer(t, true)
	f := newFixture(t)
	cfg, err := ConfigFromEnv(ms.Env(nil))
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{To: []string{"noc@example.org"}, OnlyIf: PolicyAlways}
	rows := func() (sent, sending int) {
		t.Helper()
		if err := f.store.DB().QueryRow(`SELECT count(*) FILTER (WHERE state = 'sent'), count(*) FILTER (WHERE state = 'sending') FROM mail_log`).Scan(&sent, &sending); err != nil {
			t.Fatal(err)
		}
		return sent, sending
	}
	failing := func(n int) context.Context {
		return WithConfirmHook(context.Background(), func(attempt int) error {
			if attempt <= n {
				return errors.New("forced: database is locked")
			}
			return nil
		})
	}

	res, err := Mail(failing(1), f.store, cfg, opts, f.rep, f.files)
	if err != nil || !res.Sent {
		t.Fatalf("record failing once: %+v, %v", res, err)
	}
	if sent, sending := rows(); len(ms.Messages()) != 1 || sent != 1 || sending != 0 {
		t.Fatalf("record failing once: %d messages, %d sent rows, %d unconfirmed; want 1, 1, 0", len(ms.Messages()), sent, sending)
	}

	f.rep.Snapshot = f.addSnapshot(t, "Registered", []string{"REG-001|SEP1"})
	res, err = Mail(failing(len(confirmWaits)), f.store, cfg, opts, f.rep, f.files)
	if err == nil || !res.Sent || !strings.Contains(err.Error(), "stays unconfirmed") {
		t.Fatalf("record always failing: %+v, %v; want sent with an unconfirmed error", res, err)
	}
	if sent, sending := rows(); len(ms.Messages()) != 2 || sent != 1 || sending != 1 {
		t.Fatalf("record always failing: %d messages, %d sent rows, %d unconfirmed; want 2, 1, 1", len(ms.Messages()), sent, sending)
	}
	last, ok, err := LastMailed(context.Background(), f.store, "hq")
	if err != nil || !ok || last.Confirmed || last.SnapshotID != f.rep.Snapshot.ID {
		t.Fatalf("LastMailed = %+v %v %v; want the unconfirmed mail", last, ok, err)
	}

	// The scheduled rerun of the same snapshot: refused, nothing sent.
	res, err = Mail(context.Background(), f.store, cfg, opts, f.rep, f.files)
	var ue *UnconfirmedError
	if !errors.As(err, &ue) || res.Sent || !strings.Contains(err.Error(), "--mail-resend") || !strings.Contains(err.Error(), "mail_log row") {
		t.Fatalf("rerun after an unconfirmed mail: %+v, %v; want an UnconfirmedError", res, err)
	}
	// With changed, nothing changed since the unconfirmed mail: skipped quietly.
	if res, err := Mail(context.Background(), f.store, cfg, Options{To: opts.To, OnlyIf: PolicyChanged}, f.rep, f.files); err != nil || res.Sent || !strings.Contains(res.Reason, "unconfirmed") {
		t.Fatalf("changed after an unconfirmed mail: %+v, %v", res, err)
	}
	if n := len(ms.Messages()); n != 2 {
		t.Fatalf("server has %d messages after the refused rerun, want 2", n)
	}

	opts.Resend = true
	if res, err := Mail(context.Background(), f.store, cfg, opts, f.rep, f.files); err != nil || !res.Sent {
		t.Fatalf("--mail-resend: %+v, %v", res, err)
	}
	opts.Resend = false
	if res, err := Mail(context.Background(), f.store, cfg, opts, f.rep, f.files); err != nil || !res.Sent {
		t.Fatalf("always after a confirmed resend: %+v, %v", res, err)
	}
	if sent, sending := rows(); len(ms.Messages()) != 4 || sent != 3 || sending != 1 {
		t.Fatalf("end: %d messages, %d sent rows, %d unconfirmed; want 4, 3, 1", len(ms.Messages()), sent, sending)
	}
}

// rawSMTP is a minimal plain-text SMTP server for the moments go-mail's test server cannot
// stage: after the message it answers with final (or, when final is empty, drops the
// connection without answering), and it drops the connection at QUIT without a reply. It
// counts the messages it received whole (up to the terminating dot).
type rawSMTP struct {
	addr     string
	received func() int
}

func startRawSMTP(t *testing.T, final string) rawSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var (
		mu sync.Mutex
		n  int
	)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				r := bufio.NewReader(c)
				say := func(s string) { fmt.Fprintf(c, "%s\r\n", s) }
				say("220 raw ESMTP")
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					cmd := strings.ToUpper(strings.TrimSpace(line))
					switch {
					case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
						say("250 raw")
					case cmd == "DATA":
						say("354 go ahead")
						for {
							l, err := r.ReadString('\n')
							if err != nil {
								return
							}
							if l == ".\r\n" {
								break
							}
						}
						mu.Lock()
						n++
						mu.Unlock()
						if final == "" {
							return
						}
						say(final)
					case cmd == "QUIT":
						return // no 221: the connection just drops
					default: // MAIL, RCPT, RSET, NOOP
						say("250 ok")
					}
				}
			}(c)
		}
	}()
	return rawSMTP{addr: ln.Addr().String(), received: func() int { mu.Lock(); defer mu.Unlock(); return n }}
}

// TestMailAtMostOnceAfterHandover: what happens after the server received the message decides
// the row. Accepted (250) and then the connection dropped at QUIT: sent, and a second run has
// nothing to send. No answer to the message: unconfirmed, never sent again blindly. Refused
// (554): failed, and sent again by the next run.
func TestMailAtMostOnceAfterHandover(t *testing.T) {
	for _, c := range []struct {
		name, final  string
		wantErr      string // "" for success
		wantState    string
		wantReceived int // after two runs
	}{
		{"accepted then QUIT dropped", "250 2.0.0 queued as 42", "", "sent", 1},
		{"no answer to the message", "", "may have been delivered", "sending", 1},
		{"refused", "554 5.7.1 rejected", "554", "failed", 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := startRawSMTP(t, c.final)
			host, port, _ := net.SplitHostPort(srv.addr)
			env := map[string]string{"SMTP_HOST": host, "SMTP_PORT": port, "SMTP_TLS": "none",
				"SMTP_FROM": "audit@example.org", "SMTP_TIMEOUT": "5s"}
			cfg, err := ConfigFromEnv(func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			f := newFixture(t)
			opts := Options{To: []string{"noc@example.org"}, OnlyIf: PolicyChanged}
			res, err := Mail(context.Background(), f.store, cfg, opts, f.rep, f.files)
			if c.wantErr == "" && (err != nil || !res.Sent) {
				t.Fatalf("first run: %+v, %v; want sent", res, err)
			}
			if c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("first run: %+v, %v; want an error with %q", res, err, c.wantErr)
			}
			var state string
			if err := f.store.DB().QueryRow(`SELECT group_concat(state) FROM mail_log`).Scan(&state); err != nil {
				t.Fatal(err)
			}
			if state != c.wantState {
				t.Errorf("mail_log states = %q, want %q", state, c.wantState)
			}
			// The next scheduled run of the same snapshot.
			res, err = Mail(context.Background(), f.store, cfg, opts, f.rep, f.files)
			t.Logf("second run: %+v, %v", res, err)
			if n := srv.received(); n != c.wantReceived {
				t.Errorf("server received %d messages over two runs, want %d", n, c.wantReceived)
			}
		})
	}
}
