package deliver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// CheckAttach refuses --mail-attach formats none of which will be rendered, before any work.
func (o Options) CheckAttach(formats render.Formats) error {
	if !o.Enabled() {
		return nil
	}
	var missing []string
	for _, a := range o.Attach {
		if !formats.Has(render.Format(a)) {
			missing = append(missing, a)
		}
	}
	if len(missing) == len(o.Attach) {
		return fmt.Errorf("--mail-attach %s: none of these is rendered by --format %s", strings.Join(o.Attach, ","), formats.String())
	}
	return nil
}

// MailReport mails the rendered report set m when the policy says so and writes one line to w
// saying what it did. The whole set, manifest included, is recorded in mail_log with what was
// attached, so a mailed file can be verified later. A failed send is an error that names the
// server, what to check and the folder where the report files remain.
func MailReport(ctx context.Context, store *snapshot.Store, cfg Config, opts Options, rep *results.Report, m render.Manifest, w io.Writer) error {
	files := make([]File, 0, len(m.Files)+1)
	for _, f := range m.Files {
		files = append(files, File{Path: f.Path, Format: string(f.Format), Size: f.Size, SHA256: f.SHA256})
	}
	if m.Path != "" {
		files = append(files, File{Path: m.Path, Format: ManifestFormat, Size: m.Size, SHA256: m.SHA256})
	}
	res, err := Mail(ctx, store, cfg, opts, rep, files)
	if err != nil {
		var se *SendError
		if errors.As(err, &se) {
			return fmt.Errorf("e-mail not sent: %w", err)
		}
		return fmt.Errorf("e-mail: %w", err)
	}
	if !res.Sent {
		fmt.Fprintf(w, "cucm-audit: e-mail not sent: %s (--mail-only-if %s)\n", res.Reason, opts.OnlyIf)
		return nil
	}
	names := make([]string, len(res.Attached))
	for i, f := range res.Attached {
		names[i] = f.Format
	}
	fmt.Fprintf(w, "cucm-audit: e-mailed %s to %s through %s\n", strings.Join(names, "+"), strings.Join(res.To, ", "), cfg.Host)
	return nil
}
