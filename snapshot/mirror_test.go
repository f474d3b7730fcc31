package snapshot

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMirrorTable(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	write := func(cols []MirrorColumn, rows ...[]any) {
		w, err := s.Begin(ctx, Meta{ClusterID: "c"})
		if err != nil {
			t.Fatal(err)
		}
		m, err := w.MirrorTable(ctx, "numplan", cols)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if err := m.Add(ctx, r...); err != nil && !errors.Is(err, ErrDuplicate) {
				t.Fatal(err)
			}
		}
		if _, err := w.Commit(ctx, StatusComplete, "15.0", ""); err != nil {
			t.Fatal(err)
		}
	}
	write([]MirrorColumn{{Name: "pkid", Type: MirrorText}, {Name: "dnorpattern", Type: MirrorText}, {Name: "blockenable", Type: MirrorBool}},
		[]any{"a", "911", true}, []any{"a", "911", true})
	// A later manifest widens the table; the first snapshot's rows read NULL there.
	write([]MirrorColumn{{Name: "pkid", Type: MirrorText}, {Name: "dnorpattern", Type: MirrorText}, {Name: "blockenable", Type: MirrorBool}, {Name: "iscallable", Type: MirrorBool}},
		[]any{"a", "912", false, true})
	tables, err := s.MirrorTables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string][]string{"numplan": {"pkid", "dnorpattern", "blockenable", "iscallable"}}, tables); diff != "" {
		t.Error(diff)
	}
	var n int
	s.DB().QueryRow(`SELECT COUNT(*) FROM cucm_numplan WHERE iscallable IS NULL AND snapshot_id = 1`).Scan(&n)
	if n != 1 {
		t.Errorf("snapshot 1 rows with NULL iscallable: %d", n)
	}
	w, _ := s.Begin(ctx, Meta{ClusterID: "c"})
	defer w.Abort()
	if _, err := w.MirrorTable(ctx, "numplan; drop", []MirrorColumn{{Name: "pkid", Type: MirrorText}}); err == nil {
		t.Error("a table name with SQL in it was accepted")
	}
}
