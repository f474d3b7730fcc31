package snapshot

import "context"

// demoTable marks a database as the demo's: the demo lists there every snapshot it made. It
// is created by the demo only, in the database it has just recreated; no other command writes it.
const demoTable = `CREATE TABLE IF NOT EXISTS demo_snapshot (
	snapshot_id INTEGER PRIMARY KEY,
	scenario    TEXT NOT NULL
)`

// MarkDemo marks the database as the demo's (`cucm-audit demo`), so that a later demo may
// recreate it.
func (s *Store) MarkDemo(ctx context.Context) error {
	_, err := s.DB().ExecContext(ctx, demoTable)
	return err
}

// MarkDemoSnapshot lists a snapshot as made by the demo from scenario, in a database MarkDemo
// marked.
func (s *Store) MarkDemoSnapshot(ctx context.Context, id int64, scenario string) error {
	_, err := s.DB().ExecContext(ctx, `INSERT OR IGNORE INTO demo_snapshot (snapshot_id, scenario) VALUES (?, ?)`, id, scenario)
	return err
}

// DemoSnapshots returns the ids of the snapshots the demo made; none when the database was
// never marked as the demo's.
func (s *Store) DemoSnapshots(ctx context.Context) (map[int64]bool, error) {
	demo := map[int64]bool{}
	var marked int
	if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'demo_snapshot'`).Scan(&marked); err != nil || marked == 0 {
		return demo, err
	}
	rows, err := s.DB().QueryContext(ctx, `SELECT snapshot_id FROM demo_snapshot`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		demo[id] = true
	}
	return demo, rows.Err()
}
