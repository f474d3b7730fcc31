package deliver

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/internal/cli"
	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// Mailer is the e-mail part of `report` and `run`. Wiring, in a subcommand:
//
//	m := deliver.AddMailer(fs)                    // with the other flags
//	cli.Parse(fs, args, false)
//	if err := m.Prepare(os.Getenv); err != nil { return err }   // before any collection or rendering
//	store, _ := snapshot.OpenExisting(ctx, db)    // writable when m.Enabled(): mail_log is written
//	manifest, err := render.WriteAll(ctx, rep, formats, out, opts)
//	if err := m.Send(ctx, store, rep, manifest, stderr); err != nil { return err }  // exit 1, files kept
type Mailer struct {
	flags *Flags
	opts  Options
	cfg   Config
}

// AddMailer registers --mail-to, --mail-attach, --mail-only-if and --mail-subject.
func AddMailer(fs *flag.FlagSet) *Mailer {
	return &Mailer{flags: AddFlags(fs)}
}

// Enabled reports whether --mail-to was given.
func (m *Mailer) Enabled() bool { return m.opts.Enabled() }

// Prepare validates the flags (a usage error, exit 2) and, when mail is asked for, reads the
// SMTP_* configuration at once (exit 1 naming the variable), so a mistake is found before a
// long collection rather than after it.
func (m *Mailer) Prepare(getenv func(string) string) error {
	opts, err := m.flags.Options()
	if err != nil {
		return cli.WithCode(cli.ExitUsage, err)
	}
	m.opts = opts
	if !opts.Enabled() {
		return nil
	}
	if m.cfg, err = ConfigFromEnv(getenv); err != nil {
		return fmt.Errorf("--mail-to: %w", err)
	}
	return nil
}

// CheckFormats refuses --mail-attach formats that will not be rendered, before any work.
func (m *Mailer) CheckFormats(formats render.Formats) error {
	return cli.WithCode(cli.ExitUsage, m.opts.CheckAttach(formats))
}

// Send mails the rendered files when the policy says so and prints one line to w saying what
// it did; a failed send is an error (exit 1). A nil Mailer sends nothing.
func (m *Mailer) Send(ctx context.Context, store *snapshot.Store, rep *results.Report, man render.Manifest, w io.Writer) error {
	if m == nil || !m.Enabled() {
		return nil
	}
	return MailReport(ctx, store, m.cfg, m.opts, rep, man, w)
}
