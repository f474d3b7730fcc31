package snapshot

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

const metaColumns = `id, cluster_id, axl_host, axl_user, cucm_version, tool_version, started_at, finished_at, status, note`

func scanMeta(row interface{ Scan(...any) error }) (Meta, error) {
	var m Meta
	var started, finished string
	if err := row.Scan(&m.ID, &m.ClusterID, &m.AXLHost, &m.AXLUser, &m.CUCMVersion, &m.ToolVersion, &started, &finished, &m.Status, &m.Note); err != nil {
		return Meta{}, err
	}
	m.StartedAt, _ = time.Parse(timeLayout, started)
	if finished != "" {
		m.FinishedAt, _ = time.Parse(timeLayout, finished)
	}
	return m, nil
}

// List returns the snapshots, oldest first; cluster "" lists every cluster.
func (s *Store) List(ctx context.Context, cluster string) ([]Meta, error) {
	rows, err := s.DB().QueryContext(ctx, `SELECT `+metaColumns+` FROM snapshot WHERE (? = '' OR cluster_id = ?) ORDER BY id`, cluster, cluster)
	if err != nil {
		return nil, fmt.Errorf("listing snapshots: %w", err)
	}
	defer rows.Close()
	var out []Meta
	for rows.Next() {
		m, err := scanMeta(rows)
		if err != nil {
			return nil, fmt.Errorf("listing snapshots: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Get returns one snapshot.
func (s *Store) Get(ctx context.Context, id int64) (Meta, error) {
	m, err := scanMeta(s.DB().QueryRowContext(ctx, `SELECT `+metaColumns+` FROM snapshot WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Meta{}, fmt.Errorf("snapshot %d: %w (list them with `cucm-audit snapshots`)", id, ErrNotFound)
	}
	if err != nil {
		return Meta{}, fmt.Errorf("reading snapshot %d: %w", id, err)
	}
	return m, nil
}

// Resolve turns a user's snapshot reference into a snapshot: a number, "latest" (the newest
// complete or partial snapshot) or "latest~N" (the Nth before it). cluster "" means any cluster.
// Failed snapshots hold no data and are skipped by "latest".
func (s *Store) Resolve(ctx context.Context, ref, cluster string) (Meta, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		ref = "latest"
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return s.Get(ctx, id)
	}
	back := 0
	if rest, ok := strings.CutPrefix(ref, "latest"); ok {
		if rest != "" {
			n, err := strconv.Atoi(strings.TrimPrefix(rest, "~"))
			if !strings.HasPrefix(rest, "~") || err != nil || n < 0 {
				return Meta{}, fmt.Errorf("snapshot reference %q: want a number, latest or latest~N", ref)
			}
			back = n
		}
	} else {
		return Meta{}, fmt.Errorf("snapshot reference %q: want a number, latest or latest~N", ref)
	}
	m, err := scanMeta(s.DB().QueryRowContext(ctx, `SELECT `+metaColumns+` FROM snapshot
		WHERE status != 'failed' AND (? = '' OR cluster_id = ?) ORDER BY id DESC LIMIT 1 OFFSET ?`, cluster, cluster, back))
	if errors.Is(err, sql.ErrNoRows) {
		return Meta{}, fmt.Errorf("snapshot %s: %w (run `cucm-audit collect` first)", ref, ErrNotFound)
	}
	if err != nil {
		return Meta{}, fmt.Errorf("resolving snapshot %s: %w", ref, err)
	}
	return m, nil
}

// Nodes returns the cluster nodes of a snapshot (processnode as read from AXL), Unified CM nodes
// first, then by name.
func (s *Store) Nodes(ctx context.Context, id int64) ([]Node, error) {
	rows, err := s.DB().QueryContext(ctx, `SELECT name, description, is_publisher, is_active, role FROM axl_node
		WHERE snapshot_id = ? ORDER BY role <> ?, name`, id, RoleUnifiedCM)
	if err != nil {
		return nil, fmt.Errorf("reading nodes of snapshot %d: %w", id, err)
	}
	defer rows.Close()
	var out []Node
	for rows.Next() {
		var n Node
		if err := rows.Scan(&n.Name, &n.Description, &n.IsPublisher, &n.IsActive, &n.Role); err != nil {
			return nil, fmt.Errorf("reading nodes of snapshot %d: %w", id, err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Coverage returns every coverage row of a snapshot, gaps first.
func (s *Store) Coverage(ctx context.Context, id int64) ([]Coverage, error) {
	rows, err := s.DB().QueryContext(ctx, `SELECT source, item, complete, reason, records FROM coverage
		WHERE snapshot_id = ? ORDER BY complete, source, item`, id)
	if err != nil {
		return nil, fmt.Errorf("reading coverage of snapshot %d: %w", id, err)
	}
	defer rows.Close()
	var out []Coverage
	for rows.Next() {
		var c Coverage
		if err := rows.Scan(&c.Source, &c.Item, &c.Complete, &c.Reason, &c.Records); err != nil {
			return nil, fmt.Errorf("reading coverage of snapshot %d: %w", id, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ClassLabelSQL is the SQL expression that names a configured device's class in counts: its
// RisPort class when RisPort tracks it, else its AXL class, except that a Phone-class row RisPort
// does not track (a Universal Device Template) is named by its model, never counted as a phone.
// alias is the axl_device table's alias ("" for none).
func ClassLabelSQL(alias string) string {
	if alias != "" {
		alias += "."
	}
	return strings.NewReplacer("$", alias).Replace(
		`CASE WHEN $ris_class != '' THEN $ris_class WHEN $class = 'Phone' AND $model != '' THEN $model ELSE $class END`)
}

// ClassCount is the number of devices of one class, optionally in one registration status.
type ClassCount struct {
	Class  string `json:"class"`
	Status string `json:"status,omitempty"`
	Count  int    `json:"count"`
}

// AXLCounts counts a snapshot's configured devices by RisPort class, and those RisPort does not
// track by AXL class (Route List, Device Profile, ...); a Phone-class row that never registers
// (a Universal Device Template) counts under its model, never as a phone.
func (s *Store) AXLCounts(ctx context.Context, id int64) ([]ClassCount, error) {
	return s.classCounts(ctx, `SELECT `+ClassLabelSQL("")+` AS c, '', COUNT(*)
		FROM axl_device WHERE snapshot_id = ? GROUP BY c ORDER BY c`, id)
}

// RisCounts counts a snapshot's devices as RisPort resolved them (one row per device, newest
// TimeStamp wins), by class and status.
func (s *Store) RisCounts(ctx context.Context, id int64) ([]ClassCount, error) {
	return s.classCounts(ctx, `SELECT device_class, status, COUNT(*) FROM ris_latest WHERE snapshot_id = ?
		GROUP BY device_class, status ORDER BY device_class, status`, id)
}

func (s *Store) classCounts(ctx context.Context, q string, id int64) ([]ClassCount, error) {
	rows, err := s.DB().QueryContext(ctx, q, id)
	if err != nil {
		return nil, fmt.Errorf("counting devices of snapshot %d: %w", id, err)
	}
	defer rows.Close()
	var out []ClassCount
	for rows.Next() {
		var c ClassCount
		if err := rows.Scan(&c.Class, &c.Status, &c.Count); err != nil {
			return nil, fmt.Errorf("counting devices of snapshot %d: %w", id, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RisClasses lists the RisPort classes of a snapshot's configured devices, sorted: the classes
// RisPort had to be asked about.
func (s *Store) RisClasses(ctx context.Context, id int64) ([]string, error) {
	rows, err := s.DB().QueryContext(ctx, `SELECT DISTINCT ris_class FROM axl_device WHERE snapshot_id = ? AND ris_class <> '' ORDER BY ris_class`, id)
	if err != nil {
		return nil, fmt.Errorf("reading device classes of snapshot %d: %w", id, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var cl string
		if err := rows.Scan(&cl); err != nil {
			return nil, fmt.Errorf("reading device classes of snapshot %d: %w", id, err)
		}
		out = append(out, cl)
	}
	return out, rows.Err()
}

// FailedAnswers lists the RisPort answers of a snapshot that were neither Ok nor NotFound, by
// class and node: a node that answered so may have held devices nobody saw.
func (s *Store) FailedAnswers(ctx context.Context, id int64) ([]NodeAnswer, error) {
	rows, err := s.DB().QueryContext(ctx, `SELECT device_class, node, return_code, devices FROM ris_node_answer
		WHERE snapshot_id = ? AND return_code NOT IN ('Ok', 'NotFound') ORDER BY device_class, node`, id)
	if err != nil {
		return nil, fmt.Errorf("reading risport answers of snapshot %d: %w", id, err)
	}
	defer rows.Close()
	var out []NodeAnswer
	for rows.Next() {
		var a NodeAnswer
		if err := rows.Scan(&a.DeviceClass, &a.Node, &a.ReturnCode, &a.Devices); err != nil {
			return nil, fmt.Errorf("reading risport answers of snapshot %d: %w", id, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Clusters lists the cluster ids that have snapshots, sorted.
func (s *Store) Clusters(ctx context.Context) ([]string, error) {
	rows, err := s.DB().QueryContext(ctx, `SELECT DISTINCT cluster_id FROM snapshot ORDER BY cluster_id`)
	if err != nil {
		return nil, fmt.Errorf("listing clusters: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("listing clusters: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Totals counts a snapshot's inventory.
type Totals struct {
	Devices         int `json:"devices"`
	Lines           int `json:"lines"`
	LineAppearances int `json:"line_appearances"`
	Users           int `json:"users"`
	DevicePools     int `json:"device_pools"`
	Nodes           int `json:"nodes"`
	RisPortDevices  int `json:"risport_devices"`
}

// Totals counts a snapshot's configured devices, lines, line appearances, users, device pools
// and nodes, and the devices RisPort listed.
func (s *Store) Totals(ctx context.Context, id int64) (Totals, error) {
	var t Totals
	if err := s.DB().QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM axl_device WHERE snapshot_id = ?1),
		(SELECT COUNT(*) FROM axl_line WHERE snapshot_id = ?1),
		(SELECT COUNT(*) FROM axl_line_appearance WHERE snapshot_id = ?1),
		(SELECT COUNT(*) FROM axl_user WHERE snapshot_id = ?1),
		(SELECT COUNT(*) FROM axl_device_pool WHERE snapshot_id = ?1),
		(SELECT COUNT(*) FROM axl_node WHERE snapshot_id = ?1),
		(SELECT COUNT(*) FROM ris_latest WHERE snapshot_id = ?1)`, id).Scan(
		&t.Devices, &t.Lines, &t.LineAppearances, &t.Users, &t.DevicePools, &t.Nodes, &t.RisPortDevices); err != nil {
		return Totals{}, fmt.Errorf("counting snapshot %d: %w", id, err)
	}
	return t, nil
}
