package testtool

import (
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"
)

// SnapshotTables are the tables that hold one snapshot's collected data.
func SnapshotTables() []string {
	return []string{"axl_device", "axl_line", "axl_line_appearance", "axl_user", "axl_device_pool",
		"axl_cm_group_member", "axl_node", "ris_device", "ris_node_answer", "coverage"}
}

// DumpSnapshot reads every table of snapshot id as sorted "column=value|..." rows without the
// snapshot id, so that two collections can be compared row for row.
func DumpSnapshot(tb testing.TB, db *sql.DB, id int64) map[string][]string {
	tb.Helper()
	out := map[string][]string{}
	for _, tbl := range SnapshotTables() {
		rows, err := db.Query("SELECT * FROM "+tbl+" WHERE snapshot_id = ?", id)
		if err != nil {
			tb.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				tb.Fatal(err)
			}
			var parts []string
			for i, c := range cols {
				if c != "snapshot_id" {
					parts = append(parts, fmt.Sprintf("%s=%v", c, vals[i]))
				}
			}
			out[tbl] = append(out[tbl], strings.Join(parts, "|"))
		}
		if err := rows.Err(); err != nil {
			tb.Fatal(err)
		}
		rows.Close()
		sort.Strings(out[tbl])
	}
	return out
}
