package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/deliver"
	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// mailer is the e-mail part of `report` and `run`. Wiring, in a subcommand:
//
//	m := addMailFlags(fs)                         // with the other flags
//	parseFlags(fs, args, false)
//	if err := m.prepare(os.Getenv); err != nil { return err }   // before any collection or rendering
//	store, _ := snapshot.OpenExisting(ctx, db)    // writable when m.enabled(): mail_log is written
//	manifest, err := render.WriteAll(ctx, rep, formats, out, opts)
//	if err := m.send(ctx, store, rep, manifest, stderr); err != nil { return err }  // exit 1, files kept
type mailer struct {
	flags *deliver.Flags
	opts  deliver.Options
	cfg   deliver.Config
}

// addMailFlags registers --mail-to, --mail-attach, --mail-only-if and --mail-subject.
func addMailFlags(fs *flag.FlagSet) *mailer {
	return &mailer{flags: deliver.AddFlags(fs)}
}

// enabled reports whether --mail-to was given.
func (m *mailer) enabled() bool { return m.opts.Enabled() }

// prepare validates the flags (a usage error, exit 2) and, when mail is asked for, reads the
// SMTP_* configuration at once (exit 1 naming the variable), so a mistake is found before a
// long collection rather than after it.
func (m *mailer) prepare(getenv func(string) string) error {
	opts, err := m.flags.Options()
	if err != nil {
		return withCode(exitUsage, err)
	}
	m.opts = opts
	if !opts.Enabled() {
		return nil
	}
	if m.cfg, err = deliver.ConfigFromEnv(getenv); err != nil {
		return fmt.Errorf("--mail-to: %w", err)
	}
	return nil
}

// checkFormats refuses --mail-attach formats that will not be rendered, before any work.
func (m *mailer) checkFormats(formats render.Formats) error {
	if !m.enabled() {
		return nil
	}
	var missing []string
	for _, a := range m.opts.Attach {
		found := false
		for _, f := range formats {
			found = found || string(f) == a
		}
		if !found {
			missing = append(missing, a)
		}
	}
	if len(missing) == len(m.opts.Attach) {
		return usageErrorf("--mail-attach %s: none of these is rendered by --format %s", strings.Join(m.opts.Attach, ","), formats.String())
	}
	return nil
}

// send mails the rendered files when the policy says so and prints one line to stderr saying
// what it did. A failed send is an error (exit 1) that names the server, what to check and the
// folder where the report files remain.
func (m *mailer) send(ctx context.Context, store *snapshot.Store, rep *analyze.Report, man render.Manifest, stderr io.Writer) error {
	if !m.enabled() {
		return nil
	}
	// The whole set, manifest included, is recorded in mail_log with what was attached, so a
	// mailed file can be verified later.
	files := make([]deliver.File, 0, len(man.Files)+1)
	for _, f := range man.Files {
		files = append(files, deliver.File{Path: f.Path, Format: string(f.Format), Size: f.Size, SHA256: f.SHA256})
	}
	if man.Path != "" {
		files = append(files, deliver.File{Path: man.Path, Format: deliver.ManifestFormat, Size: man.Size, SHA256: man.SHA256})
	}
	res, err := deliver.Mail(ctx, store, m.cfg, m.opts, rep, files)
	if err != nil {
		var se *deliver.SendError
		if errors.As(err, &se) {
			return fmt.Errorf("e-mail not sent: %w", err)
		}
		return fmt.Errorf("e-mail: %w", err)
	}
	if !res.Sent {
		fmt.Fprintf(stderr, "cucm-audit: e-mail not sent: %s (--mail-only-if %s)\n", res.Reason, m.opts.OnlyIf)
		return nil
	}
	names := make([]string, len(res.Attached))
	for i, f := range res.Attached {
		names[i] = f.Format
	}
	fmt.Fprintf(stderr, "cucm-audit: e-mailed %s to %s through %s\n", strings.Join(names, "+"), strings.Join(res.To, ", "), m.cfg.Host)
	return nil
}
