package analyze

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

// referenceDeviceView is device_view as schema 1 defined it (over the ris_latest window), the
// reference the indexed definition of schema 3 must equal row for row.
const referenceDeviceView = `
SELECT d.snapshot_id, d.name, d.class, d.ris_class, d.model, d.product, d.protocol, d.description, d.device_pool,
       d.owner, d.css, d.location, 1, (r.name IS NOT NULL), COALESCE(r.status, ''), COALESCE(r.status_reason, 0),
       COALESCE(r.node, ''), COALESCE(r.ipv4, ''), COALESCE(r.active_load, ''), COALESCE(r.timestamp, 0), COALESCE(r.node_rows, 0)
FROM axl_device d LEFT JOIN ris_latest r ON r.snapshot_id = d.snapshot_id AND r.name = d.name
UNION ALL
SELECT r.snapshot_id, r.name, '', r.device_class, '', '', r.protocol, r.description, '', '', '', '', 0, 1,
       r.status, r.status_reason, r.node, r.ipv4, r.active_load, r.timestamp, r.node_rows
FROM ris_latest r WHERE NOT EXISTS (SELECT 1 FROM axl_device d WHERE d.snapshot_id = r.snapshot_id AND d.name = r.name)`

func dumpRows(t testing.TB, store *snapshot.Store, q string, args ...any) []string {
	rows, err := store.DB().QueryContext(context.Background(), q, args...)
	must(t, err)
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		must(t, rows.Scan(ptrs...))
		out = append(out, fmt.Sprint(vals...))
	}
	return out
}

func TestDeviceViewMatchesReference(t *testing.T) {
	store := newStore(t)
	writeMegacluster(t, store, 20)
	f := healthy()
	r := *f.risOf(t, "SEP000000000001") // same TimeStamp on two nodes: Registered wins
	r.Node, r.Status = "pub", "UnRegistered"
	f.ris = append(f.ris, r)
	r2 := *f.risOf(t, "GW-1") // newer on sub2
	r2.Node, r2.TimeStamp, r2.Status = "sub2", r2.TimeStamp+10, "Rejected"
	f.ris = append(f.ris, r2)
	f.ris = append(f.ris, snapshot.RisDevice{Node: "sub2", Name: "SEPROGUE", DeviceClass: "Phone", Status: "Registered", TimeStamp: 5},
		snapshot.RisDevice{Node: "sub1", Name: "SEPROGUE", DeviceClass: "Phone", Status: "UnRegistered", TimeStamp: 5})
	f.phone("SEPNEVER", "Cisco 8845", "alice", "", "")
	f.write(t, store)
	order := " ORDER BY 1, 2"
	want := dumpRows(t, store, "SELECT * FROM ("+referenceDeviceView+")"+order)
	got := dumpRows(t, store, "SELECT * FROM device_view"+order)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("device_view differs from the reference (-want +got):\n%s", diff)
	}
	// One snapshot is read through the index: far below the time of the whole-history window.
	t0 := time.Now()
	n := len(dumpRows(t, store, "SELECT name FROM device_view WHERE snapshot_id = 1"))
	if n != 4000 {
		t.Errorf("device_view of snapshot 1 has %d rows, want 4000", n)
	}
	t.Logf("device_view of one 4,000-device snapshot: %v", time.Since(t0))
}
