package deliver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// AttachFormats returns the report formats --mail-attach accepts, as a fresh slice.
func AttachFormats() []string { return []string{"pdf", "xlsx", "md", "json", "html"} }

// DefaultAttach returns what is attached unless --mail-attach says otherwise, as a fresh slice.
func DefaultAttach() []string { return []string{"pdf", "xlsx"} }

// Flags are the e-mail flags shared by `report` and `run`.
type Flags struct {
	To      string
	Attach  string
	OnlyIf  string
	Subject string
	Resend  bool
}

// AddFlags registers --mail-to, --mail-attach, --mail-only-if and --mail-subject on fs.
func AddFlags(fs *flag.FlagSet) *Flags {
	f := &Flags{}
	fs.StringVar(&f.To, "mail-to", "", "e-mail the report to these addresses (comma-separated; SMTP_* environment, see docs)")
	fs.StringVar(&f.Attach, "mail-attach", strings.Join(DefaultAttach(), ","), "report formats to attach: some of "+strings.Join(AttachFormats(), ","))
	fs.StringVar(&f.OnlyIf, "mail-only-if", "always", "mail only if: changed (findings or registration states since the last mailed report), new-findings, or always")
	fs.StringVar(&f.Subject, "mail-subject", "", "subject line (default: cluster, report kind and the findings count)")
	fs.BoolVar(&f.Resend, "mail-resend", false, "mail the report even when an earlier mail of the same snapshot was never confirmed (it may have been delivered)")
	return f
}

// Options are the validated e-mail flags.
type Options struct {
	To      []string
	Attach  []string // formats
	OnlyIf  Policy
	Subject string
	// Resend mails a snapshot's report even when an earlier mail of it is unconfirmed.
	Resend bool
}

// Enabled reports whether the user asked for e-mail.
func (o Options) Enabled() bool { return len(o.To) > 0 }

// Options validates the flags; the errors are usage errors naming the flag.
func (f *Flags) Options() (Options, error) {
	var o Options
	for _, a := range strings.Split(f.To, ",") {
		if a = strings.TrimSpace(a); a == "" {
			continue
		}
		addr, err := mail.ParseAddress(a)
		if err != nil {
			return Options{}, fmt.Errorf("--mail-to %q is not an e-mail address: %w", a, err)
		}
		o.To = append(o.To, addr.Address)
	}
	for _, a := range strings.Split(f.Attach, ",") {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == "markdown" {
			a = "md"
		}
		if a == "" || slices.Contains(o.Attach, a) {
			continue
		}
		if !slices.Contains(AttachFormats(), a) {
			return Options{}, fmt.Errorf("--mail-attach %q: want some of %s", a, strings.Join(AttachFormats(), ","))
		}
		o.Attach = append(o.Attach, a)
	}
	p, err := ParsePolicy(f.OnlyIf)
	if err != nil {
		return Options{}, err
	}
	o.OnlyIf = p
	o.Subject = strings.TrimSpace(f.Subject)
	o.Resend = f.Resend
	if !o.Enabled() && (f.OnlyIf != "always" && f.OnlyIf != "") {
		return Options{}, fmt.Errorf("--mail-only-if needs --mail-to")
	}
	if !o.Enabled() && f.Resend {
		return Options{}, fmt.Errorf("--mail-resend needs --mail-to")
	}
	return o, nil
}

// File is one rendered report file (a render.Manifest entry), or the manifest file itself
// (Format ManifestFormat), which is recorded in mail_log but never attached.
type File struct {
	Path   string
	Format string // pdf, xlsx, md, json, html, or ManifestFormat
	Size   int64  // bytes, as written
	SHA256 string // hex; when set, the file is checked against it before it is attached
}

// ManifestFormat is the Format of the File that is the manifest written with the report files.
const ManifestFormat = "manifest"

// MailedManifest is what mail_log.manifest keeps of one mailed report: the folder the files were
// written to, the manifest file's name, and every file of the set with its size and SHA-256 and
// whether it was attached, so what was e-mailed can be verified later (sha256sum) even when
// the folder holds newer reports.
type MailedManifest struct {
	Folder   string       `json:"folder,omitempty"`
	Manifest *MailedFile  `json:"manifest,omitempty"`
	Files    []MailedFile `json:"files"`
}

// MailedFile is one file of a MailedManifest.
type MailedFile struct {
	Name     string `json:"name"` // base name, in Folder
	Format   string `json:"format"`
	Size     int64  `json:"size"`
	SHA256   string `json:"sha256"`
	Attached bool   `json:"attached"`
}

// mailedManifest lists files (the whole rendered set) as recorded in mail_log.
func mailedManifest(files, attached []File) MailedManifest {
	m := MailedManifest{Files: []MailedFile{}}
	for _, f := range files {
		mf := MailedFile{Name: filepath.Base(f.Path), Format: f.Format, Size: f.Size, SHA256: f.SHA256}
		if f.Format == ManifestFormat {
			m.Manifest = &mf
		} else {
			mf.Attached = slices.ContainsFunc(attached, func(a File) bool { return a.Path == f.Path })
			m.Files = append(m.Files, mf)
		}
		if m.Folder == "" {
			if abs, err := filepath.Abs(filepath.Dir(f.Path)); err == nil {
				m.Folder = abs
			}
		}
	}
	return m
}

// Result says what Mail did.
type Result struct {
	Sent     bool
	Reason   string // why it was sent or skipped, for the log
	To       []string
	Attached []File
}

// Mail e-mails a rendered report when the policy says so, recording it in mail_log so that it
// is mailed at most once:
//  1. computes the snapshot's digest and asks ShouldSend (skips quietly when nothing changed);
//  2. attaches the files whose format is in opts.Attach, after checking each file's SHA-256
//     against the manifest, with a short plain-text summary of rep as the body;
//  3. records the mail as sending, with the manifest of every file in files (name, format,
//     size, SHA-256, attached or not; the File of Format ManifestFormat names the manifest
//     file). When the snapshot's newest mail is still unconfirmed it stops with an
//     *UnconfirmedError instead (unless opts.Resend): that mail may have been delivered;
//  4. sends through cfg, then marks the row sent (retrying a few times when the database
//     refuses), or failed when the server did not take the message (refused before or at the
//     end of it). A mail the server accepted counts as sent even when the connection failed
//     afterwards (at RSET or QUIT). A mail that was handed over whole but never answered, or
//     sent but could not be marked, stays unconfirmed and is never sent again blindly.
//
// The report files are never touched. store must be writable. rep.Snapshot names the cluster
// and snapshot.
func Mail(ctx context.Context, store *snapshot.Store, cfg Config, opts Options, rep *results.Report, files []File) (Result, error) {
	res := Result{To: opts.To}
	if !opts.Enabled() {
		return res, nil
	}
	digest, err := ComputeDigest(ctx, store, rep.Snapshot.ID)
	if err != nil {
		return res, err
	}
	send, why, err := ShouldSend(ctx, store, rep.Snapshot.ClusterID, opts.OnlyIf, digest)
	if err != nil {
		return res, err
	}
	res.Reason = why
	if !send {
		return res, nil
	}
	attach := opts.Attach
	if attach == nil {
		attach = DefaultAttach()
	}
	msg := Message{To: opts.To, Subject: opts.Subject}
	for _, f := range files {
		if f.Format == ManifestFormat || !slices.Contains(attach, f.Format) {
			continue
		}
		if f.SHA256 != "" {
			sum, err := fileSHA256(f.Path)
			if err != nil {
				return res, fmt.Errorf("attaching report file: %w", err)
			}
			if sum != f.SHA256 {
				return res, fmt.Errorf("attaching report file %s: its SHA-256 %s differs from the manifest's %s: the file changed after rendering; render again", f.Path, sum, f.SHA256)
			}
		}
		msg.Attachments = append(msg.Attachments, Attachment{Path: f.Path})
		res.Attached = append(res.Attached, f)
	}
	if len(msg.Attachments) == 0 {
		return res, fmt.Errorf("mailing report: none of the rendered formats is among --mail-attach %s: add them to --format", strings.Join(attach, ","))
	}
	if msg.Subject == "" {
		msg.Subject = Subject(rep)
	}
	msg.Body = Body(rep, res.Attached)
	id, err := intent(ctx, store, rep.Snapshot.ClusterID, rep.Snapshot.ID, opts.To, digest, mailedManifest(files, res.Attached), opts.Resend)
	if err != nil {
		return res, err
	}
	if err := Send(ctx, cfg, msg); err != nil {
		dir := filepath.Dir(res.Attached[0].Path)
		var se *SendError
		if errors.As(err, &se) && se.Unconfirmed {
			// The message went out whole and no answer came: the server may have accepted it.
			// The row stays sending (unconfirmed), so no later run sends it again blindly.
			return res, fmt.Errorf("mail to %s was handed over to %s, but its answer never came (%s): it may have been delivered; mail_log row %d stays unconfirmed, so no later run mails snapshot %d again without --mail-resend (the report files are kept in %s)",
				strings.Join(opts.To, ", "), se.Server, se.Detail, id, rep.Snapshot.ID, dir)
		}
		// The server did not take the message: nothing was delivered. Should this mark fail,
		// the row stays unconfirmed and a later run asks before sending again.
		store.SettleMail(context.WithoutCancel(ctx), id, snapshot.MailFailed)
		return res, fmt.Errorf("%w (the report files are kept in %s)", err, dir)
	}
	res.Sent = true
	if err := confirm(ctx, store, id); err != nil {
		return res, fmt.Errorf("mail sent to %s, but marking it sent in %s failed: %w; mail_log row %d stays unconfirmed, so no later run mails snapshot %d again without --mail-resend",
			strings.Join(opts.To, ", "), store.Path(), err, id, rep.Snapshot.ID)
	}
	return res, nil
}

// confirmWaits are the pauses between the attempts to mark a sent mail as sent: the mail is
// out, so a database that is briefly busy must not leave it unconfirmed.
var confirmWaits = [...]time.Duration{0, 200 * time.Millisecond, time.Second, 3 * time.Second}

type confirmHookKey struct{}

// WithConfirmHook returns a context under which Mail calls hook before each attempt (from 1) to
// mark a sent mail as sent; an error from hook fails that attempt as a database error would.
// It lets tests force the record to fail after the message went out.
func WithConfirmHook(ctx context.Context, hook func(attempt int) error) context.Context {
	return context.WithValue(ctx, confirmHookKey{}, hook)
}

// confirm marks mail_log row id sent, retrying; the mail is already out, so a cancelled context
// does not stop it.
func confirm(ctx context.Context, store *snapshot.Store, id int64) error {
	hook, _ := ctx.Value(confirmHookKey{}).(func(int) error)
	ctx = context.WithoutCancel(ctx)
	var err error
	for i, wait := range confirmWaits {
		time.Sleep(wait)
		if hook != nil {
			if err = hook(i + 1); err != nil {
				continue
			}
		}
		if err = store.SettleMail(ctx, id, snapshot.MailSent); err == nil {
			return nil
		}
	}
	return fmt.Errorf("after %d attempts: %w", len(confirmWaits), err)
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
