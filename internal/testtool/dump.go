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
	return []string{"axl_device", "axl_line", "axl_line_appearance", "axl_pattern_destination", "axl_user",
		"axl_device_pool", "axl_cm_group_member", "axl_node", "axl_mgcp_gateway", "axl_default_load",
		"ris_device", "ris_node_answer", "coverage"}
}

// DumpSnapshot reads every table of snapshot id as sorted "column=value|..." rows without the
// snapshot id, so that two collections can be compared row for row.
func DumpSnapshot(tb testing.TB, db *sql.DB, id int64) map[string][]string {
	tb.Helper()
	out := map[string][]string{}
	for _, tbl := range SnapshotTables() {
		out[tbl] = query(tb, db, func(cols []string, vals []any) string {
			var parts []string
			for i, c := range cols {
				if c != "snapshot_id" {
					parts = append(parts, fmt.Sprintf("%s=%v", c, vals[i]))
				}
			}
			return strings.Join(parts, "|")
		}, "SELECT * FROM "+tbl+" WHERE snapshot_id = ?", id)
	}
	return out
}

// Rows runs a query and returns its rows as sorted "value|value|..." strings.
func Rows(tb testing.TB, db *sql.DB, q string, args ...any) []string {
	tb.Helper()
	return query(tb, db, func(_ []string, vals []any) string {
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = fmt.Sprint(v)
		}
		return strings.Join(parts, "|")
	}, q, args...)
}

// query runs q and formats each row with format, sorted; text columns read as strings.
func query(tb testing.TB, db *sql.DB, format func(cols []string, vals []any) string, q string, args ...any) []string {
	tb.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		out = append(out, format(cols, vals))
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	sort.Strings(out)
	return out
}
