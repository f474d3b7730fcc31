package snapshot

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Writer streams one collection into a staging file beside the database and publishes it in
// one short transaction at Commit. Nothing it writes is visible to readers until Commit, and
// the database's write lock is held only while the collection is claimed and while it is
// published, so other collections, analyses and mail records are not locked out for the whole
// collection. A crash or Abort leaves the database as it was, but for the collection's
// marker (see Begin), which the next collection of the cluster takes over.
type Writer struct {
	store   *Store
	staging *stage // the staging file, only this writer uses it
	file    string // the staging file's path
	meta    Meta
	stmts   map[string]*sqlite3.SQLiteStmt
	// mirrorDDL is the database's form of each mirrored table written (its CREATE TABLE when
	// new, and its indexes), made at publish.
	mirrorDDL map[string][]string
	done      bool
	stop      chan struct{} // ends the heartbeat
	beat      sync.WaitGroup
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

// notStaged are the tables with a snapshot_id column that a collection does not write.
var notStaged = map[string]bool{"analysis": true, "mail_log": true, "running_collection": true}

// stagedTables are the tables a Writer stages and publishes: every table holding per-snapshot
// rows (a snapshot_id column) but those in notStaged, in the order the schema created them, so
// parents are published before children. Tables added by later migrations are staged without
// any change here.
func (s *Store) stagedTables(ctx context.Context) ([]string, error) {
	rows, err := s.DB().QueryContext(ctx, `SELECT m.name FROM sqlite_master m WHERE m.type = 'table'
		AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE c.name = 'snapshot_id') ORDER BY m.rowid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		if !notStaged[name] {
			out = append(out, name)
		}
	}
	return out, rows.Err()
}

// Begin starts a new snapshot. It claims the cluster in the database (one short transaction):
// a second collection of the same cluster is refused with a *RunningError saying which process
// runs it since when, and a claim left by a process that has ended is taken over (recorded as
// a failed snapshot). The snapshot's id is reserved; its row is only written, complete or
// partial, when Commit publishes it, so no interrupted collection can ever read as complete.
func (s *Store) Begin(ctx context.Context, meta Meta) (*Writer, error) {
	if s.readOnly {
		return nil, fmt.Errorf("starting snapshot: database %s is open read-only", s.path)
	}
	if meta.StartedAt.IsZero() {
		meta.StartedAt = time.Now()
	}
	tables, err := s.stagedTables(ctx)
	if err != nil {
		return nil, fmt.Errorf("starting snapshot: reading the schema of %s: %w", s.path, err)
	}
	// Checked before claiming, so that a collection that cannot stage reserves no snapshot id.
	if dir := filepath.Dir(s.path); !dirWritable(dir) {
		return nil, fmt.Errorf("starting snapshot: folder %s is not writable: collect needs to create its staging file there (%s-staging-N, beside the database); run collect as a user who may write the folder, or pass --db a database in a folder you may write",
			dir, filepath.Base(s.path))
	}
	claim, err := s.claim(ctx, meta)
	if err != nil {
		return nil, err
	}
	meta.ID = claim.SnapshotID
	meta.Status = StatusFailed
	w := &Writer{store: s, file: s.stagingPath(claim.Staging), meta: meta, stmts: map[string]*sqlite3.SQLiteStmt{},
		mirrorDDL: map[string][]string{}, stop: make(chan struct{})}
	if err := w.openStaging(ctx, tables); err != nil {
		w.Abort()
		return nil, fmt.Errorf("starting snapshot: %w", err)
	}
	w.beat.Add(1)
	go w.heartbeat()
	return w, nil
}

// openStaging creates the staging file with the staged tables (and their indexes) as the
// database defines them, and begins the transaction the rows go into. The file needs no
// durability: a crash discards it anyway.
func (w *Writer) openStaging(ctx context.Context, tables []string) error {
	for _, suffix := range []string{"", "-journal"} {
		if err := os.Remove(w.file + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("removing the old staging file %s: %w", w.file+suffix, err)
		}
	}
	q := url.Values{}
	q.Set("_journal_mode", "MEMORY")
	q.Set("_synchronous", "OFF")
	// 8 MB of pages (SQLite's default is 2 MB): the mirrored tables' indexes take rows in an
	// order of their own, and with the default cache most of those inserts wrote a page out
	// and read one back (the kernel took a quarter of the collection's CPU, much of it copying
	// those pages).
	q.Set("_cache_size", "-8192")
	// Only this writer's goroutine uses the connection (see stage).
	q.Set("_mutex", "no")
	st, err := openStage(fileURI(w.file, q))
	if err != nil {
		return fmt.Errorf("creating the staging file %s: %w", w.file, err)
	}
	w.staging = st
	rows, err := w.store.DB().QueryContext(ctx, `SELECT sql FROM sqlite_master WHERE sql IS NOT NULL
		AND type IN ('table', 'index') AND tbl_name IN (SELECT value FROM json_each(?)) ORDER BY rowid`, jsonList(tables))
	if err != nil {
		return fmt.Errorf("reading the schema of %s: %w", w.store.path, err)
	}
	var ddl []string
	for rows.Next() {
		var q string
		if err := rows.Scan(&q); err != nil {
			rows.Close()
			return fmt.Errorf("reading the schema of %s: %w", w.store.path, err)
		}
		ddl = append(ddl, q)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading the schema of %s: %w", w.store.path, err)
	}
	for _, q := range ddl {
		q, ok := stagingDDL(q)
		if !ok {
			continue
		}
		if err := st.exec(q); err != nil {
			return fmt.Errorf("creating the staging file %s: %w", w.file, err)
		}
	}
	if err := st.begin(); err != nil {
		return fmt.Errorf("creating the staging file %s: %w", w.file, err)
	}
	for name, q := range insertSQL {
		st, err := st.prepare(q)
		if err != nil {
			return fmt.Errorf("preparing %s insert: %w", name, err)
		}
		w.stmts[name] = st
	}
	return nil
}

// stagingDDL is the form a table or index of the database takes in the staging file, and
// whether it has one there. Rows arrive in CUCM's order, not the key's: inserted into a
// clustered (WITHOUT ROWID) table, wide rows landed all over the file and most inserts wrote a
// page out and read one back, and every secondary index was updated row by row. The staging
// file therefore holds each table as a plain rowid table, its primary key and unique indexes
// kept as unique indexes (a duplicate row is refused as it arrives, ErrDuplicate), and no other
// index (the collection never queries what it staged); publish copies the rows into the
// database's own tables in key order. A rowid table's key columns accept NULL where a WITHOUT
// ROWID one does not: every staged table's key columns are NOT NULL (TestStagedKeysNotNull) and
// a mirrored table's key is checked as it is added.
func stagingDDL(q string) (string, bool) {
	head := strings.ToUpper(strings.Join(strings.Fields(q[:min(len(q), 40)]), " "))
	switch {
	case strings.HasPrefix(head, "CREATE TABLE"):
		return withRowid(q), true
	case strings.HasPrefix(head, "CREATE UNIQUE INDEX"):
		return q, true
	case strings.HasPrefix(head, "CREATE INDEX"):
		return "", false
	}
	return q, true
}

// withRowid is a CREATE TABLE without its WITHOUT ROWID option, its other options (STRICT)
// kept.
func withRowid(q string) string {
	q = strings.TrimRight(q, " \t\r\n;")
	end := strings.LastIndexByte(q, ')')
	if end < 0 {
		return q
	}
	var keep []string
	for _, o := range strings.Split(q[end+1:], ",") {
		if o = strings.TrimSpace(o); o != "" && !strings.EqualFold(strings.Join(strings.Fields(o), " "), "WITHOUT ROWID") {
			keep = append(keep, o)
		}
	}
	if len(keep) == 0 {
		return q[:end+1]
	}
	return q[:end+1] + " " + strings.Join(keep, ", ")
}

// jsonList renders names as a JSON array for json_each.
func jsonList(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = `"` + n + `"`
	}
	return "[" + strings.Join(quoted, ",") + "]"
}

// heartbeatEvery is how often a running collection touches its staging file; a marker whose
// staging file is older than staleAfter belongs to a collection that is gone.
const (
	heartbeatEvery = 20 * time.Second
	staleAfter     = 5 * time.Minute
)

// heartbeat touches the staging file until the writer finishes, so that another host sharing
// the folder can tell a running collection from one whose process died.
func (w *Writer) heartbeat() {
	defer w.beat.Done()
	t := time.NewTicker(heartbeatEvery)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case now := <-t.C:
			os.Chtimes(w.file, now, now)
		}
	}
}

// ID is the id the snapshot will have once committed.
func (w *Writer) ID() int64 { return w.meta.ID }

func (w *Writer) exec(ctx context.Context, stmt string, args ...any) error {
	if w.done {
		return errors.New("snapshot writer already finished")
	}
	if err := w.staging.insert(w.stmts[stmt], w.meta.ID, args); err != nil {
		if se, ok := errors.AsType[sqlite3.Error](err); ok &&
			(se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey || se.ExtendedCode == sqlite3.ErrConstraintUnique) {
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

// Commit finishes the snapshot with its final status and CUCM version and publishes it with
// its data in one transaction of the database: the snapshot row, every staged row, and the
// release of the collection's marker. The staging file is removed.
func (w *Writer) Commit(ctx context.Context, status Status, cucmVersion, note string) (Meta, error) {
	if w.done {
		return Meta{}, errors.New("snapshot writer already finished")
	}
	w.meta.FinishedAt = time.Now()
	w.meta.Status = status
	w.meta.CUCMVersion = cucmVersion
	w.meta.Note = note
	w.closeStmts()
	err := w.staging.commit()
	if err == nil {
		// What the collection decoded is garbage by now: handing its memory back before
		// publishing takes a larger page cache (see publish) keeps the peak where it was.
		debug.FreeOSMemory()
		err = w.publish(ctx)
	}
	if err != nil {
		w.Abort()
		return Meta{}, fmt.Errorf("committing snapshot %d: %w", w.meta.ID, err)
	}
	w.finish()
	return w.meta, nil
}

// publish copies the staged snapshot into the database: the staging file is attached to one
// connection, and one transaction inserts the snapshot row and every staged row and drops the
// marker, after checking the marker is still this writer's (a collection judged dead and taken
// over must not publish).
func (w *Writer) publish(ctx context.Context) (err error) {
	s := w.store
	tables, err := s.stagedTables(ctx)
	if err != nil {
		return err
	}
	conn, err := s.DB().Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS staging`, fileURI(w.file, url.Values{"mode": {"ro"}})); err != nil {
		return fmt.Errorf("attaching the staging file %s: %w", w.file, err)
	}
	defer func() {
		if _, derr := conn.ExecContext(context.WithoutCancel(ctx), `DETACH DATABASE staging`); derr != nil {
			// Never hand a connection with the staging file attached back to the pool.
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	// Every staged row belongs to the snapshot row inserted first below: checking each one's
	// foreign key (a lookup per row, hundreds of thousands of them with the mirrored tables)
	// tells nothing. The pragma only applies outside a transaction; it is on again before the
	// connection goes back to the pool.
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return err
	}
	defer func() {
		if _, ferr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`); ferr != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	// 32 MB of pages while publishing (the pool's connections keep SQLite's 2 MB): the
	// secondary indexes take each snapshot's rows in an order of their own, and with the small
	// cache most of those inserts spilled a page to the write-ahead log and read one back.
	// Commit hands the process's free memory back first, so the peak stays that of the
	// collection (the collector's RisPort phase).
	var cache int64
	if err := conn.QueryRowContext(ctx, `PRAGMA main.cache_size`).Scan(&cache); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA main.cache_size = -32768`); err != nil {
		return err
	}
	defer func() {
		if _, cerr := conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA main.cache_size = %d`, cache)); cerr != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var owner int64
	err = tx.QueryRowContext(ctx, `SELECT snapshot_id FROM running_collection WHERE cluster_id = ?`, w.meta.ClusterID).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) || err == nil && owner != w.meta.ID {
		return fmt.Errorf("the collection of cluster %s was taken over by another process while it ran (it was judged dead); nothing was stored", w.meta.ClusterID)
	}
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO snapshot (id, cluster_id, axl_host, axl_user, cucm_version, tool_version, started_at, finished_at, status, note)
		VALUES (?,?,?,?,?,?,?,?,?,?)`, w.meta.ID, w.meta.ClusterID, w.meta.AXLHost, w.meta.AXLUser, w.meta.CUCMVersion, w.meta.ToolVersion,
		w.meta.StartedAt.UTC().Format(timeLayout), w.meta.FinishedAt.UTC().Format(timeLayout), w.meta.Status, w.meta.Note); err != nil {
		return fmt.Errorf("storing the snapshot row: %w", err)
	}
	mirrored, err := w.publishMirrorSchema(ctx, tx)
	if err != nil {
		return err
	}
	for _, t := range mirrored {
		if !slices.Contains(tables, t) {
			tables = append(tables, t)
		}
	}
	for _, t := range tables {
		cols, err := columns(ctx, tx, t, "staging")
		if err != nil {
			return err
		}
		key, err := primaryKey(ctx, tx, t)
		if err != nil {
			return err
		}
		// In key order: the database's clustered tables then take the rows at their end.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO main.%s (%s) SELECT %[2]s FROM staging.%[1]s WHERE snapshot_id = ? ORDER BY %s`, t, cols, key), w.meta.ID); err != nil {
			return fmt.Errorf("publishing %s: %w", t, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM running_collection WHERE cluster_id = ? AND snapshot_id = ?`, w.meta.ClusterID, w.meta.ID); err != nil {
		return fmt.Errorf("releasing the collection marker: %w", err)
	}
	return tx.Commit()
}

// publishMirrorSchema gives the database every mirrored table (cucm_<table>) the staging file
// holds, with its indexes, and every column a manifest added to one: a collection creates and
// widens its mirrored tables in the staging file, and publishing must not drop what it read.
// It returns the mirrored tables staged.
func (w *Writer) publishMirrorSchema(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name FROM staging.sqlite_master WHERE type = 'table' AND name LIKE ? ESCAPE '\'`,
		strings.ReplaceAll(MirrorPrefix, "_", `\_`)+"%")
	if err != nil {
		return nil, fmt.Errorf("reading the mirrored tables staged: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, name := range names {
		have, err := columnSet(ctx, tx, name, "main")
		if err != nil {
			return nil, err
		}
		ddl := w.mirrorDDL[name]
		if len(have) == 0 {
			if len(ddl) == 0 || !strings.HasPrefix(ddl[0], "CREATE TABLE") {
				return nil, fmt.Errorf("creating %s: the database lost the table while the collection ran", name)
			}
			if _, err := tx.ExecContext(ctx, ddl[0]); err != nil {
				return nil, fmt.Errorf("creating %s: %w", name, err)
			}
			have, err = columnSet(ctx, tx, name, "main")
			if err != nil {
				return nil, err
			}
		}
		want, err := columnSet(ctx, tx, name, "staging")
		if err != nil {
			return nil, err
		}
		for c, typ := range want {
			if _, ok := have[c]; !ok {
				if _, err := tx.ExecContext(ctx, fmt.Sprintf(`ALTER TABLE main.%s ADD COLUMN "%s" %s`, name, c, typ)); err != nil {
					return nil, fmt.Errorf("adding column %s to %s: %w", c, name, err)
				}
			}
		}
		for _, q := range ddl {
			if strings.HasPrefix(q, "CREATE INDEX") {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return nil, fmt.Errorf("indexing %s: %w", name, err)
				}
			}
		}
	}
	return names, nil
}

// columnSet maps a table's columns to their declared types in one schema ("main", "staging");
// empty when the table does not exist there.
func columnSet(ctx context.Context, tx *sql.Tx, table, schema string) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, type FROM pragma_table_info(?, ?)`, table, schema)
	if err != nil {
		return nil, fmt.Errorf("reading the columns of %s.%s: %w", schema, table, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var n, t string
		if err := rows.Scan(&n, &t); err != nil {
			return nil, err
		}
		out[n] = t
	}
	return out, rows.Err()
}

// primaryKey lists the database's primary key columns of table for an ORDER BY.
func primaryKey(ctx context.Context, tx *sql.Tx, table string) (string, error) {
	cols, err := quotedNames(ctx, tx, `SELECT name FROM pragma_table_info(?, 'main') WHERE pk > 0 ORDER BY pk`, table)
	if err != nil {
		return "", fmt.Errorf("reading the key of %s: %w", table, err)
	}
	if cols == "" {
		return "rowid", nil
	}
	return cols, nil
}

// columns lists a table's columns in one schema for an INSERT … SELECT (the staged columns:
// the database has each of them, publishMirrorSchema saw to it).
func columns(ctx context.Context, tx *sql.Tx, table, schema string) (string, error) {
	cols, err := quotedNames(ctx, tx, `SELECT name FROM pragma_table_info(?, ?) ORDER BY cid`, table, schema)
	if err != nil {
		return "", fmt.Errorf("reading the columns of %s: %w", table, err)
	}
	return cols, nil
}

// quotedNames runs a query of names and joins them quoted, for SQL.
func quotedNames(ctx context.Context, tx *sql.Tx, q string, args ...any) (string, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return "", err
		}
		names = append(names, `"`+n+`"`)
	}
	return strings.Join(names, ", "), rows.Err()
}

// Abort discards everything written so far and releases the collection's marker. It is safe to
// call after Commit.
func (w *Writer) Abort() {
	if w.done {
		return
	}
	w.closeStmts()
	if w.staging != nil {
		w.staging.rollback()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Left in place when this fails: the marker names a process that is about to end, so the
	// next collection takes it over.
	w.store.DB().ExecContext(ctx, `DELETE FROM running_collection WHERE cluster_id = ? AND snapshot_id = ?`, w.meta.ClusterID, w.meta.ID)
	w.finish()
}

// finish stops the heartbeat, closes and removes the staging file.
func (w *Writer) finish() {
	if w.done {
		return
	}
	w.done = true
	close(w.stop)
	w.beat.Wait()
	if w.staging != nil {
		w.staging.close()
	}
	for _, suffix := range []string{"", "-journal"} {
		os.Remove(w.file + suffix)
	}
}

func (w *Writer) closeStmts() {
	for name, st := range w.stmts {
		st.Close()
		delete(w.stmts, name)
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
	res, err := s.DB().ExecContext(ctx, `INSERT INTO snapshot (cluster_id, axl_host, axl_user, cucm_version, tool_version, started_at, finished_at, status, note)
		VALUES (?,?,?,?,?,?,?,?,?)`, meta.ClusterID, meta.AXLHost, meta.AXLUser, meta.CUCMVersion, meta.ToolVersion,
		meta.StartedAt.UTC().Format(timeLayout), meta.FinishedAt.UTC().Format(timeLayout), StatusFailed, reason)
	if err != nil {
		return Meta{}, fmt.Errorf("recording failed snapshot: %w", err)
	}
	meta.ID, _ = res.LastInsertId()
	return meta, nil
}

// stagingPath is the staging file of a collection: a name in the database's folder.
func (s *Store) stagingPath(name string) string {
	return filepath.Join(filepath.Dir(s.path), name)
}
