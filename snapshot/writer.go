package snapshot

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Writer streams one collection into the database inside a single transaction. Nothing it
// writes is visible to readers until Commit; a crash or Abort leaves the database as it was.
type Writer struct {
	store *Store
	tx    *sql.Tx
	meta  Meta
	stmts map[string]*sql.Stmt
	done  bool
}

const timeLayout = time.RFC3339Nano

// ErrDuplicate is a row the snapshot already holds under the same key (a cluster answering the
// same device, line appearance or pattern twice). The row is not stored; the rest of the
// snapshot is unaffected, so a collector may note it and go on.
var ErrDuplicate = errors.New("duplicate row")

var insertSQL = map[string]string{
	"device": `INSERT INTO axl_device (snapshot_id, pkid, name, class, ris_class, model, model_enum, product,
		protocol, description, device_pool, owner, css, location, is_active, load_override, run_on_all_nodes, process_node,
		mgcp_gateway) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
	"line": `INSERT INTO axl_line (snapshot_id, pkid, dn, partition, description, usage) VALUES (?,?,?,?,?,?)`,
	"appearance": `INSERT INTO axl_line_appearance (snapshot_id, device, line_index, line_pkid, dn, partition,
		label, display) VALUES (?,?,?,?,?,?,?,?)`,
	"user":   `INSERT INTO axl_user (snapshot_id, userid, first_name, last_name, mail, department, status) VALUES (?,?,?,?,?,?,?)`,
	"pool":   `INSERT INTO axl_device_pool (snapshot_id, name, cm_group, region, location) VALUES (?,?,?,?,?)`,
	"member": `INSERT INTO axl_cm_group_member (snapshot_id, cm_group, node, priority) VALUES (?,?,?,?)`,
	"node":   `INSERT INTO axl_node (snapshot_id, name, description, is_publisher, is_active, role) VALUES (?,?,?,?,?,?)`,
	"pattern": `INSERT INTO axl_pattern_destination (snapshot_id, pattern_pkid, pattern, partition, usage, device)
		VALUES (?,?,?,?,?,?)`,
	"mgcp":    `INSERT INTO axl_mgcp_gateway (snapshot_id, domain_name, description, product, cm_group) VALUES (?,?,?,?,?)`,
	"default": `INSERT INTO axl_default_load (snapshot_id, model, protocol, load) VALUES (?,?,?,?)`,
	"ris": `INSERT INTO ris_device (snapshot_id, node, name, device_class, model, product, status, status_reason,
		protocol, description, dir_number, num_lines, lines_status, ipv4, ip_addresses, active_load, inactive_load,
		download_status, login_user, timestamp, registration_attempts, httpd, is_cti_controllable)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
	"answer": `INSERT INTO ris_node_answer (snapshot_id, device_class, node, return_code, devices) VALUES (?,?,?,?,?)
		ON CONFLICT (snapshot_id, device_class, node) DO UPDATE SET return_code = excluded.return_code,
		devices = ris_node_answer.devices + excluded.devices`,
	"coverage": `INSERT INTO coverage (snapshot_id, source, item, complete, reason, records) VALUES (?,?,?,?,?,?)
		ON CONFLICT (snapshot_id, source, item) DO UPDATE SET complete = excluded.complete,
		reason = excluded.reason, records = excluded.records`,
}

// Begin starts a new snapshot. The row is created as failed and only becomes complete or partial
// when Commit succeeds, so no interrupted collection can ever read as complete.
func (s *Store) Begin(ctx context.Context, meta Meta) (*Writer, error) {
	if s.readOnly {
		return nil, fmt.Errorf("starting snapshot: database %s is open read-only", s.path)
	}
	if meta.StartedAt.IsZero() {
		meta.StartedAt = time.Now()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("starting snapshot: %w", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO snapshot (cluster_id, axl_host, cucm_version, tool_version, started_at, status)
		VALUES (?,?,?,?,?,?)`, meta.ClusterID, meta.AXLHost, meta.CUCMVersion, meta.ToolVersion,
		meta.StartedAt.UTC().Format(timeLayout), StatusFailed)
	if err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("starting snapshot: %w", err)
	}
	if meta.ID, err = res.LastInsertId(); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("starting snapshot: %w", err)
	}
	meta.Status = StatusFailed
	w := &Writer{store: s, tx: tx, meta: meta, stmts: map[string]*sql.Stmt{}}
	for name, q := range insertSQL {
		st, err := tx.PrepareContext(ctx, q)
		if err != nil {
			w.Abort()
			return nil, fmt.Errorf("starting snapshot: preparing %s insert: %w", name, err)
		}
		w.stmts[name] = st
	}
	return w, nil
}

// ID is the id the snapshot will have once committed.
func (w *Writer) ID() int64 { return w.meta.ID }

func (w *Writer) exec(ctx context.Context, stmt string, args ...any) error {
	if w.done {
		return errors.New("snapshot writer already finished")
	}
	if _, err := w.stmts[stmt].ExecContext(ctx, append([]any{w.meta.ID}, args...)...); err != nil {
		if se, ok := errors.AsType[sqlite3.Error](err); ok && se.Code == sqlite3.ErrConstraint {
			return fmt.Errorf("storing %s: %w: %w", stmt, ErrDuplicate, err)
		}
		return fmt.Errorf("storing %s: %w", stmt, err)
	}
	return nil
}

// AddDevice stores one AXL device.
func (w *Writer) AddDevice(ctx context.Context, d Device) error {
	return w.exec(ctx, "device", d.PKID, d.Name, d.Class, d.RisClass, d.Model, d.ModelEnum, d.Product, d.Protocol,
		d.Description, d.DevicePool, d.Owner, d.CSS, d.Location, d.IsActive, d.LoadOverride, d.RunOnAllNodes,
		d.ProcessNode, d.MGCPGateway)
}

// AddPatternDestination stores one pattern → device link that is not a line appearance.
func (w *Writer) AddPatternDestination(ctx context.Context, p PatternDestination) error {
	return w.exec(ctx, "pattern", p.PatternPKID, p.Pattern, p.Partition, p.Usage, p.Device)
}

// AddMGCPGateway stores one MGCP gateway.
func (w *Writer) AddMGCPGateway(ctx context.Context, g MGCPGateway) error {
	return w.exec(ctx, "mgcp", g.DomainName, g.Description, g.Product, g.CMGroup)
}

// AddDefaultLoad stores the Device Defaults load of one model and protocol.
func (w *Writer) AddDefaultLoad(ctx context.Context, d DefaultLoad) error {
	return w.exec(ctx, "default", d.Model, d.Protocol, d.Load)
}

// AddLine stores one directory number.
func (w *Writer) AddLine(ctx context.Context, l Line) error {
	return w.exec(ctx, "line", l.PKID, l.DN, l.Partition, l.Description, l.Usage)
}

// AddLineAppearance stores one line appearance.
func (w *Writer) AddLineAppearance(ctx context.Context, a LineAppearance) error {
	return w.exec(ctx, "appearance", a.Device, a.Index, a.LinePKID, a.DN, a.Partition, a.Label, a.Display)
}

// AddUser stores one end user.
func (w *Writer) AddUser(ctx context.Context, u User) error {
	return w.exec(ctx, "user", u.UserID, u.FirstName, u.LastName, u.Mail, u.Department, u.Status)
}

// AddDevicePool stores one device pool.
func (w *Writer) AddDevicePool(ctx context.Context, p DevicePool) error {
	return w.exec(ctx, "pool", p.Name, p.CMGroup, p.Region, p.Location)
}

// AddCMGroupMember stores one CallManager group member.
func (w *Writer) AddCMGroupMember(ctx context.Context, m CMGroupMember) error {
	return w.exec(ctx, "member", m.CMGroup, m.Node, m.Priority)
}

// AddNode stores one cluster node.
func (w *Writer) AddNode(ctx context.Context, n Node) error {
	role := n.Role
	if role == "" {
		role = RoleUnifiedCM
	}
	return w.exec(ctx, "node", n.Name, n.Description, n.IsPublisher, n.IsActive, role)
}

// AddRisDevice stores one CmDevice entry of one node.
func (w *Writer) AddRisDevice(ctx context.Context, r RisDevice) error {
	return w.exec(ctx, "ris", r.Node, r.Name, r.DeviceClass, r.Model, r.Product, r.Status, r.StatusReason,
		r.Protocol, r.Description, r.DirNumber, r.NumLines, r.LinesStatus, r.IPv4, r.IPAddresses, r.ActiveLoad,
		r.InactiveLoad, r.DownloadStatus, r.LoginUser, r.TimeStamp, r.RegistrationAttempts, r.Httpd, r.IsCtiControllable)
}

// AddNodeAnswer records a node's answer to one class query; answers over several pages add up.
func (w *Writer) AddNodeAnswer(ctx context.Context, a NodeAnswer) error {
	return w.exec(ctx, "answer", a.DeviceClass, a.Node, a.ReturnCode, a.Devices)
}

// SetCoverage records how fully a source was read; a later call for the same item replaces it.
func (w *Writer) SetCoverage(ctx context.Context, c Coverage) error {
	return w.exec(ctx, "coverage", c.Source, c.Item, c.Complete, c.Reason, c.Records)
}

// Commit finishes the snapshot with its final status and CUCM version, in the same transaction
// as its data.
func (w *Writer) Commit(ctx context.Context, status Status, cucmVersion, note string) (Meta, error) {
	if w.done {
		return Meta{}, errors.New("snapshot writer already finished")
	}
	w.meta.FinishedAt = time.Now()
	w.meta.Status = status
	w.meta.CUCMVersion = cucmVersion
	w.meta.Note = note
	_, err := w.tx.ExecContext(ctx, `UPDATE snapshot SET status = ?, cucm_version = ?, finished_at = ?, note = ? WHERE id = ?`,
		status, cucmVersion, w.meta.FinishedAt.UTC().Format(timeLayout), note, w.meta.ID)
	if err != nil {
		w.Abort()
		return Meta{}, fmt.Errorf("finishing snapshot %d: %w", w.meta.ID, err)
	}
	w.closeStmts()
	w.done = true
	if err := w.tx.Commit(); err != nil {
		return Meta{}, fmt.Errorf("committing snapshot %d: %w", w.meta.ID, err)
	}
	return w.meta, nil
}

// Abort discards everything written so far. It is safe to call after Commit.
func (w *Writer) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.closeStmts()
	w.tx.Rollback()
}

func (w *Writer) closeStmts() {
	for _, st := range w.stmts {
		st.Close()
	}
}

// RecordFailed stores a snapshot row with status failed and no data, so that a collection that
// could not finish still leaves a trace in the history. The reason must not contain secrets.
func (s *Store) RecordFailed(ctx context.Context, meta Meta, reason string) (Meta, error) {
	meta.Status = StatusFailed
	meta.FinishedAt = time.Now()
	meta.Note = reason
	if meta.StartedAt.IsZero() {
		meta.StartedAt = meta.FinishedAt
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO snapshot (cluster_id, axl_host, cucm_version, tool_version, started_at, finished_at, status, note)
		VALUES (?,?,?,?,?,?,?,?)`, meta.ClusterID, meta.AXLHost, meta.CUCMVersion, meta.ToolVersion,
		meta.StartedAt.UTC().Format(timeLayout), meta.FinishedAt.UTC().Format(timeLayout), StatusFailed, reason)
	if err != nil {
		return Meta{}, fmt.Errorf("recording failed snapshot: %w", err)
	}
	meta.ID, _ = res.LastInsertId()
	return meta, nil
}
