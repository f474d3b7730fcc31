package snapshot

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// The states of a mail_log row: written as sending before the message goes out, then sent or
// failed.
const (
	MailSending = "sending"
	MailSent    = "sent"
	MailFailed  = "failed"
)

// MailLogRow is one mail_log row as stored: deliver gives meaning to its digest and manifest
// (JSON) and recipients (comma-separated).
type MailLogRow struct {
	ID         int64
	ClusterID  string
	SnapshotID int64
	SentAt     string // RFC 3339 with nanoseconds, UTC
	Recipients string
	Digest     string
	Manifest   string
	State      string
}

const mailLogColumns = `id, cluster_id, snapshot_id, sent_at, recipients, digest, manifest, state`

func scanMailLog(row *sql.Row) (MailLogRow, bool, error) {
	var r MailLogRow
	err := row.Scan(&r.ID, &r.ClusterID, &r.SnapshotID, &r.SentAt, &r.Recipients, &r.Digest, &r.Manifest, &r.State)
	if errors.Is(err, sql.ErrNoRows) {
		return MailLogRow{}, false, nil
	}
	if err != nil {
		return MailLogRow{}, false, err
	}
	return r, true, nil
}

// LastMail returns the newest mail_log row of a cluster that was, or may have been, mailed (not
// failed); ok is false when there is none.
func (s *Store) LastMail(ctx context.Context, cluster string) (r MailLogRow, ok bool, err error) {
	return scanMailLog(s.DB().QueryRowContext(ctx, `SELECT `+mailLogColumns+` FROM mail_log
		WHERE cluster_id = ? AND state != 'failed' ORDER BY id DESC LIMIT 1`, cluster))
}

// BeginMail records, in one transaction, that row is about to be mailed (state MailSending,
// sent now): it first reads the newest mail of the same snapshot that was, or may have been,
// sent, and stores nothing when check refuses it (found is false when there is none). It
// returns the new row's id.
func (s *Store) BeginMail(ctx context.Context, row MailLogRow, check func(last MailLogRow, found bool) error) (int64, error) {
	tx, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	last, found, err := scanMailLog(tx.QueryRowContext(ctx, `SELECT `+mailLogColumns+` FROM mail_log
		WHERE cluster_id = ? AND snapshot_id = ? AND state != 'failed' ORDER BY id DESC LIMIT 1`, row.ClusterID, row.SnapshotID))
	if err != nil {
		return 0, err
	}
	if err := check(last, found); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO mail_log (cluster_id, snapshot_id, sent_at, recipients, digest, manifest, state) VALUES (?,?,?,?,?,?,?)`,
		row.ClusterID, row.SnapshotID, time.Now().UTC().Format(time.RFC3339Nano), row.Recipients, row.Digest, row.Manifest, MailSending)
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return id, nil
}

// SettleMail marks a mail_log row MailSent (the server accepted the message) or MailFailed.
func (s *Store) SettleMail(ctx context.Context, id int64, state string) error {
	_, err := s.DB().ExecContext(ctx, `UPDATE mail_log SET state = ?, confirmed_at = ? WHERE id = ?`,
		state, time.Now().UTC().Format(time.RFC3339Nano), id)
	return err
}
