package results

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

// DeviceState is one device's registration state: whether AXL configures it and what RisPort
// said of it ("" when it did not list it).
type DeviceState struct {
	Name   string
	InAXL  bool
	Status string
}

// DeviceStates lists every device of a snapshot, configured or seen, with its state, by name.
func DeviceStates(ctx context.Context, store *snapshot.Store, snapshotID int64) ([]DeviceState, error) {
	rows, err := store.DB().QueryContext(ctx, `SELECT name, in_axl, ris_status FROM device_view WHERE snapshot_id = ? ORDER BY name`, snapshotID)
	if err != nil {
		return nil, fmt.Errorf("reading device states of snapshot %d: %w", snapshotID, err)
	}
	defer rows.Close()
	var out []DeviceState
	for rows.Next() {
		var d DeviceState
		if err := rows.Scan(&d.Name, &d.InAXL, &d.Status); err != nil {
			return nil, fmt.Errorf("reading device states of snapshot %d: %w", snapshotID, err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Configured reads a configured device by name, ignoring case; ok is false when AXL has no such
// device in the snapshot.
func Configured(ctx context.Context, store *snapshot.Store, snapshotID int64, name string) (d snapshot.Device, ok bool, err error) {
	err = store.DB().QueryRowContext(ctx, `SELECT name, class, ris_class, model, product, protocol, description, device_pool,
		owner, css, location, is_active FROM axl_device WHERE snapshot_id = ? AND name = ? COLLATE NOCASE`, snapshotID, name).
		Scan(&d.Name, &d.Class, &d.RisClass, &d.Model, &d.Product, &d.Protocol, &d.Description, &d.DevicePool, &d.Owner,
			&d.CSS, &d.Location, &d.IsActive)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return snapshot.Device{}, false, nil
	case err != nil:
		return snapshot.Device{}, false, fmt.Errorf("reading device %s: %w", name, err)
	}
	return d, true, nil
}

// RisRows reads what every node's RisPort reported of a device (name ignoring case), newest
// TimeStamp first.
func RisRows(ctx context.Context, store *snapshot.Store, snapshotID int64, name string) ([]snapshot.RisDevice, error) {
	rows, err := store.DB().QueryContext(ctx, `SELECT name, node, device_class, status, status_reason, timestamp, protocol, ipv4, ip_addresses,
		active_load, inactive_load, download_status, dir_number, lines_status, login_user, registration_attempts
		FROM ris_device WHERE snapshot_id = ? AND name = ? COLLATE NOCASE ORDER BY timestamp DESC, node`, snapshotID, name)
	if err != nil {
		return nil, fmt.Errorf("reading risport rows of %s: %w", name, err)
	}
	defer rows.Close()
	var out []snapshot.RisDevice
	for rows.Next() {
		var r snapshot.RisDevice
		if err := rows.Scan(&r.Name, &r.Node, &r.DeviceClass, &r.Status, &r.StatusReason, &r.TimeStamp, &r.Protocol, &r.IPv4, &r.IPAddresses,
			&r.ActiveLoad, &r.InactiveLoad, &r.DownloadStatus, &r.DirNumber, &r.LinesStatus, &r.LoginUser, &r.RegistrationAttempts); err != nil {
			return nil, fmt.Errorf("reading risport rows of %s: %w", name, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ResolvedStatus is a device's registration status as the snapshot resolves it (ris_latest:
// newest TimeStamp wins, Registered wins a tie); seen is false when RisPort did not list it.
func ResolvedStatus(ctx context.Context, store *snapshot.Store, snapshotID int64, name string) (status string, seen bool, err error) {
	err = store.DB().QueryRowContext(ctx, `SELECT status FROM ris_latest WHERE snapshot_id = ? AND name = ?`, snapshotID, name).Scan(&status)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("reading registration of %s: %w", name, err)
	}
	return status, true, nil
}

// SimilarDevices names up to five devices, configured or seen, whose name contains name.
func SimilarDevices(ctx context.Context, store *snapshot.Store, snapshotID int64, name string) ([]string, error) {
	rows, err := store.DB().QueryContext(ctx, `SELECT DISTINCT name FROM device_view WHERE snapshot_id = ? AND name LIKE ? ORDER BY name LIMIT 5`,
		snapshotID, "%"+strings.NewReplacer("%", "", "_", "").Replace(name)+"%")
	if err != nil {
		return nil, fmt.Errorf("looking up device %s: %w", name, err)
	}
	defer rows.Close()
	var near []string
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil {
			near = append(near, n)
		}
	}
	return near, nil
}

// DeviceLine is one line appearance of a device.
type DeviceLine struct {
	Index       int    `json:"index"`
	DN          string `json:"dn"`
	Partition   string `json:"partition,omitempty"`
	Label       string `json:"label,omitempty"`
	Display     string `json:"display,omitempty"`
	Description string `json:"description,omitempty"`
}

// DeviceLines reads a device's line appearances (name ignoring case) in line order.
func DeviceLines(ctx context.Context, store *snapshot.Store, snapshotID int64, name string) ([]DeviceLine, error) {
	rows, err := store.DB().QueryContext(ctx, `SELECT a.line_index, a.dn, a.partition, a.label, a.display, COALESCE(l.description, '')
		FROM axl_line_appearance a
		LEFT JOIN axl_line l ON l.snapshot_id = a.snapshot_id AND l.pkid = a.line_pkid
		WHERE a.snapshot_id = ? AND a.device = ? COLLATE NOCASE ORDER BY a.line_index`, snapshotID, name)
	if err != nil {
		return nil, fmt.Errorf("reading lines of %s: %w", name, err)
	}
	defer rows.Close()
	out := []DeviceLine{}
	for rows.Next() {
		var l DeviceLine
		if err := rows.Scan(&l.Index, &l.DN, &l.Partition, &l.Label, &l.Display, &l.Description); err != nil {
			return nil, fmt.Errorf("reading lines of %s: %w", name, err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// DevicePool is a device pool with its CallManager group's nodes in priority order.
type DevicePool struct {
	Name     string   `json:"name"`
	CMGroup  string   `json:"cm_group,omitempty"`
	Region   string   `json:"region,omitempty"`
	Location string   `json:"location,omitempty"`
	Nodes    []string `json:"cm_group_nodes,omitempty"`
}

// ReadDevicePool reads a device pool; a pool the snapshot does not hold comes back with its
// name only.
func ReadDevicePool(ctx context.Context, store *snapshot.Store, snapshotID int64, name string) (*DevicePool, error) {
	p := DevicePool{Name: name}
	err := store.DB().QueryRowContext(ctx, `SELECT cm_group, region, location FROM axl_device_pool WHERE snapshot_id = ? AND name = ?`, snapshotID, name).
		Scan(&p.CMGroup, &p.Region, &p.Location)
	if errors.Is(err, sql.ErrNoRows) {
		return &p, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading device pool %s: %w", name, err)
	}
	rows, err := store.DB().QueryContext(ctx, `SELECT node FROM axl_cm_group_member WHERE snapshot_id = ? AND cm_group = ? ORDER BY priority`, snapshotID, p.CMGroup)
	if err != nil {
		return nil, fmt.Errorf("reading callmanager group %s: %w", p.CMGroup, err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("reading callmanager group %s: %w", p.CMGroup, err)
		}
		p.Nodes = append(p.Nodes, n)
	}
	return &p, rows.Err()
}

// Registration is one device RisPort tracks, as the snapshot resolves it (device_view).
type Registration struct {
	Name, Class, RisClass, Model, Description string
	Status                                    string // RisPort's, "" when RisPort did not list it
	Reason                                    int
	Node, IPv4                                string
	NodeRows                                  int // nodes that listed it
	InAXL, InRis                              bool
	TimeStamp                                 int64
}

// Registrations reads every device RisPort tracks (by its AXL-side class or its RisPort class),
// by RisPort class and name.
func Registrations(ctx context.Context, store *snapshot.Store, snapshotID int64) ([]Registration, error) {
	rows, err := store.DB().QueryContext(ctx, `SELECT name, class, ris_class, model, description, in_axl, in_ris, ris_status,
		ris_status_reason, ris_node, ipv4, ris_timestamp, ris_node_rows
		FROM device_view WHERE snapshot_id = ? AND ris_class != '' ORDER BY ris_class, name`, snapshotID)
	if err != nil {
		return nil, fmt.Errorf("reading registration of snapshot %d: %w", snapshotID, err)
	}
	defer rows.Close()
	var out []Registration
	for rows.Next() {
		var r Registration
		if err := rows.Scan(&r.Name, &r.Class, &r.RisClass, &r.Model, &r.Description, &r.InAXL, &r.InRis, &r.Status,
			&r.Reason, &r.Node, &r.IPv4, &r.TimeStamp, &r.NodeRows); err != nil {
			return nil, fmt.Errorf("reading registration of snapshot %d: %w", snapshotID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
