package deliver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// Policy decides whether a scheduled run mails its report.
type Policy string

// The policies of --mail-only-if.
const (
	PolicyAlways      Policy = "always"       // mail every report
	PolicyChanged     Policy = "changed"      // mail when open findings or registration states changed
	PolicyNewFindings Policy = "new-findings" // mail when a finding appeared that was not mailed before
)

// ParsePolicy reads a --mail-only-if value; "" is PolicyAlways.
func ParsePolicy(s string) (Policy, error) {
	switch p := Policy(strings.ToLower(strings.TrimSpace(s))); p {
	case "", PolicyAlways:
		return PolicyAlways, nil
	case PolicyChanged, PolicyNewFindings:
		return p, nil
	}
	return "", fmt.Errorf("unknown --mail-only-if %q: want changed, new-findings or always", s)
}

// Digest is what a mailed report said, kept in mail_log to compare the next run with.
type Digest struct {
	Version int `json:"v"`
	// Findings are the open (not waived) finding fingerprints of the snapshot's newest
	// analysis, sorted.
	Findings []string `json:"findings"`
	// States is the SHA-256 of every device's name, presence in AXL and RisPort status.
	States string `json:"states"`
	// Analyzed is false when the snapshot had no analysis: Findings is then unknown.
	Analyzed bool `json:"analyzed"`
}

const digestVersion = 1

// ComputeDigest reads what a report on snapshotID says: its open findings and the devices'
// registration states.
func ComputeDigest(ctx context.Context, store *snapshot.Store, snapshotID int64) (Digest, error) {
	d := Digest{Version: digestVersion, Findings: []string{}}
	fps, analyzed, err := results.OpenFingerprints(ctx, store, snapshotID)
	if err != nil {
		return Digest{}, fmt.Errorf("computing mail digest of snapshot %d: %w", snapshotID, err)
	}
	if analyzed {
		d.Analyzed, d.Findings = true, fps
	}
	states, err := results.DeviceStates(ctx, store, snapshotID)
	if err != nil {
		return Digest{}, fmt.Errorf("computing mail digest of snapshot %d: %w", snapshotID, err)
	}
	h := sha256.New()
	for _, st := range states {
		fmt.Fprintf(h, "%s\x00%t\x00%s\n", st.Name, st.InAXL, st.Status)
	}
	d.States = hex.EncodeToString(h.Sum(nil))
	return d, nil
}

// MailLogEntry is one mailed report.
type MailLogEntry struct {
	ID         int64
	ClusterID  string
	SnapshotID int64
	SentAt     time.Time // when sending began
	Recipients []string
	Digest     Digest
	// Manifest is what was mailed: every file with its size and SHA-256. Entries recorded before
	// schema 4 have none (no Files).
	Manifest MailedManifest
	// Confirmed is false for a mail whose sending began but was never confirmed (the run stopped,
	// or could not record it, after handing it to the server): it may have been delivered.
	Confirmed bool
}

// mailLogEntry reads a stored mail_log row.
func mailLogEntry(r snapshot.MailLogRow) (MailLogEntry, error) {
	e := MailLogEntry{ID: r.ID, ClusterID: r.ClusterID, SnapshotID: r.SnapshotID,
		Recipients: strings.Split(r.Recipients, ","), Confirmed: r.State == snapshot.MailSent}
	e.SentAt, _ = time.Parse(time.RFC3339Nano, r.SentAt)
	if r.Digest != "" {
		if err := json.Unmarshal([]byte(r.Digest), &e.Digest); err != nil {
			return MailLogEntry{}, fmt.Errorf("reading mail log entry %d: %w", e.ID, err)
		}
	}
	if r.Manifest != "" {
		if err := json.Unmarshal([]byte(r.Manifest), &e.Manifest); err != nil {
			return MailLogEntry{}, fmt.Errorf("reading the manifest of mail log entry %d: %w", e.ID, err)
		}
	}
	return e, nil
}

// LastMailed returns the newest mail_log entry of a cluster that was, or may have been,
// mailed (an unconfirmed mail counts: at most once); ok is false when none was.
func LastMailed(ctx context.Context, store *snapshot.Store, cluster string) (e MailLogEntry, ok bool, err error) {
	r, ok, err := store.LastMail(ctx, cluster)
	if err == nil && ok {
		e, err = mailLogEntry(r)
	}
	if err != nil {
		return MailLogEntry{}, false, fmt.Errorf("reading mail log of cluster %s: %w", cluster, err)
	}
	return e, ok, nil
}

// ShouldSend applies a policy: it compares digest with the last report mailed for the cluster
// and says whether to mail, and why, in words for the log.
func ShouldSend(ctx context.Context, store *snapshot.Store, cluster string, policy Policy, digest Digest) (bool, string, error) {
	if policy == PolicyAlways || policy == "" {
		return true, "mailing every report", nil
	}
	last, ok, err := LastMailed(ctx, store, cluster)
	if err != nil {
		return false, "", err
	}
	if !ok {
		return true, "no report of cluster " + cluster + " was mailed before", nil
	}
	if last.Digest.Version != digestVersion {
		return true, "the last mailed report was recorded by another version", nil
	}
	since := fmt.Sprintf(" since the report mailed %s (snapshot %d)", last.SentAt.UTC().Format("2006-01-02 15:04 UTC"), last.SnapshotID)
	if !last.Confirmed {
		since = fmt.Sprintf(" since the report mailed, unconfirmed, %s (snapshot %d)", last.SentAt.UTC().Format("2006-01-02 15:04 UTC"), last.SnapshotID)
	}
	prev := map[string]bool{}
	for _, fp := range last.Digest.Findings {
		prev[fp] = true
	}
	newCount := 0
	for _, fp := range digest.Findings {
		if !prev[fp] {
			newCount++
		}
	}
	if digest.Analyzed && !last.Digest.Analyzed && len(digest.Findings) > 0 {
		newCount = len(digest.Findings)
	}
	switch policy {
	case PolicyNewFindings:
		if newCount > 0 {
			return true, fmt.Sprintf("%d new findings%s", newCount, since), nil
		}
		return false, "no new findings" + since, nil
	case PolicyChanged:
		resolved := len(last.Digest.Findings) - (len(digest.Findings) - newCount)
		switch {
		case newCount > 0 || resolved > 0 || digest.Analyzed != last.Digest.Analyzed:
			return true, fmt.Sprintf("findings changed (%d new, %d resolved)%s", newCount, resolved, since), nil
		case digest.States != last.Digest.States:
			return true, "device registration states changed" + since, nil
		}
		return false, "nothing changed" + since, nil
	}
	return false, "", fmt.Errorf("unknown mail policy %q", policy)
}

// UnconfirmedError refuses to mail a report again whose earlier mail was never confirmed: it
// may have been delivered, and a duplicate is worse than an honest question.
type UnconfirmedError struct {
	Path  string // the database
	Entry MailLogEntry
}

func (e *UnconfirmedError) Error() string {
	return fmt.Sprintf("not mailing the report of snapshot %d again: its mail to %s begun %s (mail_log row %d in %s) was never confirmed, so it may have been delivered (the run stopped or could not record it after sending, or is still sending); ask the recipients, and pass --mail-resend to send it anyway",
		e.Entry.SnapshotID, strings.Join(e.Entry.Recipients, ", "), e.Entry.SentAt.UTC().Format("2006-01-02 15:04:05 UTC"), e.Entry.ID, e.Path)
}

// intent records, before sending, that a report is about to be mailed (state sending), in one
// transaction that first checks the snapshot's newest mail that was, or may have been, sent:
// an unconfirmed one refuses unless resend.
func intent(ctx context.Context, store *snapshot.Store, cluster string, snapshotID int64, recipients []string, digest Digest, manifest MailedManifest, resend bool) (int64, error) {
	b, err := json.Marshal(digest)
	if err != nil {
		return 0, fmt.Errorf("recording mailed report: %w", err)
	}
	if manifest.Files == nil {
		manifest.Files = []MailedFile{}
	}
	mb, err := json.Marshal(manifest)
	if err != nil {
		return 0, fmt.Errorf("recording mailed report: %w", err)
	}
	rc := append([]string(nil), recipients...)
	sort.Strings(rc)
	fail := func(err error) (int64, error) {
		return 0, fmt.Errorf("recording the mail of cluster %s in %s before sending it (nothing was sent): %w", cluster, store.Path(), err)
	}
	id, err := store.BeginMail(ctx, snapshot.MailLogRow{ClusterID: cluster, SnapshotID: snapshotID,
		Recipients: strings.Join(rc, ","), Digest: string(b), Manifest: string(mb)},
		func(r snapshot.MailLogRow, found bool) error {
			if !found {
				return nil
			}
			last, err := mailLogEntry(r)
			switch {
			case err != nil:
				return err
			case !last.Confirmed && !resend:
				return &UnconfirmedError{Path: store.Path(), Entry: last}
			}
			return nil
		})
	var unconfirmed *UnconfirmedError
	switch {
	case errors.As(err, &unconfirmed):
		return 0, err
	case err != nil:
		return fail(err)
	}
	return id, nil
}
