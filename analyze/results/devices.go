package results

import (
	"context"
	"fmt"

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
