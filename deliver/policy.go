package deliver

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

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
	db := store.DB()
	d := Digest{Version: digestVersion, Findings: []string{}}
	var analysis int64
	err := db.QueryRowContext(ctx, `SELECT id FROM analysis WHERE snapshot_id = ? ORDER BY id DESC LIMIT 1`, snapshotID).Scan(&analysis)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return Digest{}, fmt.Errorf("computing mail digest of snapshot %d: %w", snapshotID, err)
	default:
		d.Analyzed = true
		rows, err := db.QueryContext(ctx, `SELECT fingerprint FROM finding WHERE analysis_id = ? AND waived = 0 ORDER BY fingerprint`, analysis)
		if err != nil {
			return Digest{}, fmt.Errorf("computing mail digest of snapshot %d: %w", snapshotID, err)
		}
		for rows.Next() {
			var fp string
			if err := rows.Scan(&fp); err != nil {
				rows.Close()
				return Digest{}, fmt.Errorf("computing mail digest of snapshot %d: %w", snapshotID, err)
			}
			d.Findings = append(d.Findings, fp)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return Digest{}, fmt.Errorf("computing mail digest of snapshot %d: %w", snapshotID, err)
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT name, in_axl, ris_status FROM device_view WHERE snapshot_id = ? ORDER BY name`, snapshotID)
	if err != nil {
		return Digest{}, fmt.Errorf("computing mail digest of snapshot %d: %w", snapshotID, err)
	}
	defer rows.Close()
	h := sha256.New()
	for rows.Next() {
		var name, status string
		var inAXL bool
		if err := rows.Scan(&name, &inAXL, &status); err != nil {
			return Digest{}, fmt.Errorf("computing mail digest of snapshot %d: %w", snapshotID, err)
		}
		fmt.Fprintf(h, "%s\x00%t\x00%s\n", name, inAXL, status)
	}
	if err := rows.Err(); err != nil {
		return Digest{}, fmt.Errorf("computing mail digest of snapshot %d: %w", snapshotID, err)
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

// The states of a mail_log row: written as sending before the message goes out, then sent or
// failed.
const (
	stateSending = "sending"
	stateSent    = "sent"
	stateFailed  = "failed"
)

const mailLogColumns = `id, cluster_id, snapshot_id, sent_at, recipients, digest, manifest, state`

func scanMailLog(row interface{ Scan(...any) error }) (MailLogEntry, error) {
	var e MailLogEntry
	var sent, rcpts, digest, manifest, state string
	if err := row.Scan(&e.ID, &e.ClusterID, &e.SnapshotID, &sent, &rcpts, &digest, &manifest, &state); err != nil {
		return MailLogEntry{}, err
	}
	e.SentAt, _ = time.Parse(time.RFC3339Nano, sent)
	e.Recipients = strings.Split(rcpts, ",")
	e.Confirmed = state == stateSent
	if digest != "" {
		if err := json.Unmarshal([]byte(digest), &e.Digest); err != nil {
			return MailLogEntry{}, fmt.Errorf("reading mail log entry %d: %w", e.ID, err)
		}
	}
	if manifest != "" {
		if err := json.Unmarshal([]byte(manifest), &e.Manifest); err != nil {
			return MailLogEntry{}, fmt.Errorf("reading the manifest of mail log entry %d: %w", e.ID, err)
		}
	}
	return e, nil
}

// LastMailed returns the newest mail_log entry of a cluster that was, or may have been,
// mailed (an unconfirmed mail counts: at most once); ok is false when none was.
func LastMailed(ctx context.Context, store *snapshot.Store, cluster string) (e MailLogEntry, ok bool, err error) {
	e, err = scanMailLog(store.DB().QueryRowContext(ctx, `SELECT `+mailLogColumns+` FROM mail_log
		WHERE cluster_id = ? AND state != 'failed' ORDER BY id DESC LIMIT 1`, cluster))
	if errors.Is(err, sql.ErrNoRows) {
		return MailLogEntry{}, false, nil
	}
	if err != nil {
		return MailLogEntry{}, false, fmt.Errorf("reading mail log of cluster %s: %w", cluster, err)
	}
	return e, true, nil
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
	tx, err := store.DB().BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()
	last, err := scanMailLog(tx.QueryRowContext(ctx, `SELECT `+mailLogColumns+` FROM mail_log
		WHERE cluster_id = ? AND snapshot_id = ? AND state != 'failed' ORDER BY id DESC LIMIT 1`, cluster, snapshotID))
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fail(err)
	case !last.Confirmed && !resend:
		return 0, &UnconfirmedError{Path: store.Path(), Entry: last}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO mail_log (cluster_id, snapshot_id, sent_at, recipients, digest, manifest, state) VALUES (?,?,?,?,?,?,?)`,
		cluster, snapshotID, time.Now().UTC().Format(time.RFC3339Nano), strings.Join(rc, ","), string(b), string(mb), stateSending)
	if err != nil {
		return fail(err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fail(err)
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	return id, nil
}

// settle marks a mail_log row sent (the server accepted the message) or failed (it did not).
func settle(ctx context.Context, store *snapshot.Store, id int64, state string) error {
	_, err := store.DB().ExecContext(ctx, `UPDATE mail_log SET state = ?, confirmed_at = ? WHERE id = ?`,
		state, time.Now().UTC().Format(time.RFC3339Nano), id)
	return err
}
