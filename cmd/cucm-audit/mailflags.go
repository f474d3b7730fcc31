package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/cucm-audit/cucm-audit/analyze/results"
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
	return withCode(exitUsage, m.opts.CheckAttach(formats))
}

// send mails the rendered files when the policy says so and prints one line to stderr saying
// what it did; a failed send is an error (exit 1).
func (m *mailer) send(ctx context.Context, store *snapshot.Store, rep *results.Report, man render.Manifest, stderr io.Writer) error {
	if !m.enabled() {
		return nil
	}
	return deliver.MailReport(ctx, store, m.cfg, m.opts, rep, man, stderr)
}
