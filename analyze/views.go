package analyze

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"

	"github.com/mattn/go-sqlite3"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

// softwareMediaProducts are the CUCM products (XProduct) of the media resources that run on a
// Unified CM node itself (the IP Voice Media Streaming App, the MOH server, IVR): they register
// to that node, whatever their device pool says. A device whose fkprocessnode names a node is one
// too. IOS media resources (hardware or software on a router) follow their device pool.
var softwareMediaProducts = []string{"Cisco Conference Bridge Software", "Cisco Media Termination Point Software",
	"Annunciator", "Music On Hold", "Interactive Voice Response"}

// softwareMediaSQL is the SQL test of a software media resource on a device row aliased by prefix.
func softwareMediaSQL(prefix string) string {
	quoted := make([]string, len(softwareMediaProducts))
	for i, p := range softwareMediaProducts {
		quoted[i] = "'" + p + "'"
	}
	return fmt.Sprintf("(CASE WHEN %[1]sprocess_node <> '' OR %[1]sproduct IN (%[2]s) THEN 1 ELSE 0 END)", prefix, strings.Join(quoted, ", "))
}

// viewNames lists the relations a rule query may use, in documentation order (rules/README.md).
var viewNames = []string{
	"snapshot", "devices", "ris", "ris_devices", "device_status", "lines", "line_appearances",
	"pattern_destinations", "users", "device_pools", "cm_group_members", "nodes", "mgcp_gateways",
	"default_loads", "coverage", "node_answers", "status_reasons", "eol_models", "eol_releases", "history_snapshots", "history",
}

// viewSQL defines the per-snapshot views. %[1]d is the snapshot id (an integer, never user text);
// %[2]s and %[3]s the software-media test on a device row aliased d and unaliased.
// The resolved RisPort table `ris` is materialized once and indexed by name, which every join
// with it uses. Only devices listed by several nodes go through the window that picks the newest
// entry: sorting every row would cost more than all the rules together.
const viewSQL = `
CREATE TEMP TABLE ris_multi AS
SELECT name, COUNT(*) AS node_rows FROM main.ris_device WHERE snapshot_id = %[1]d GROUP BY name HAVING COUNT(*) > 1;
CREATE TEMP TABLE ris AS
SELECT x.node, x.name, x.device_class, x.model, x.product, x.status, x.status_reason,
       COALESCE(sr.name, 'Unknown reason ' || x.status_reason) AS status_reason_text,
       x.protocol, x.description, x.dir_number, x.num_lines, x.lines_status, x.ipv4, x.ip_addresses,
       x.active_load, x.inactive_load, x.download_status, x.login_user, x.timestamp,
       x.registration_attempts, x.httpd, x.is_cti_controllable, x.node_rows
FROM (SELECT r.*, 1 AS rn, 1 AS node_rows FROM main.ris_device r
      WHERE r.snapshot_id = %[1]d AND r.name NOT IN (SELECT name FROM temp.ris_multi)
      UNION ALL
      SELECT * FROM (
        SELECT r.*, ROW_NUMBER() OVER (PARTITION BY r.name
               ORDER BY r.timestamp DESC, (r.status = 'Registered') DESC, r.node) AS rn, m.node_rows
        FROM temp.ris_multi m CROSS JOIN main.ris_device r ON r.snapshot_id = %[1]d AND r.name = m.name)
      WHERE rn = 1) x
LEFT JOIN temp.status_reasons sr ON sr.code = x.status_reason;
CREATE UNIQUE INDEX temp.ris_name ON ris (name);
CREATE INDEX temp.ris_class ON ris (device_class, status);

CREATE TEMP VIEW devices AS
SELECT pkid, name, class, ris_class, model, model_enum, product, protocol, description, device_pool,
       owner, css, location, is_active, load_override, run_on_all_nodes, process_node, mgcp_gateway,
       %[3]s AS software_media
FROM main.axl_device WHERE snapshot_id = %[1]d;

CREATE TEMP VIEW ris_devices AS
SELECT r.node, r.name, r.device_class, r.model, r.product, r.status, r.status_reason,
       COALESCE(sr.name, 'Unknown reason ' || r.status_reason) AS status_reason_text,
       r.protocol, r.description, r.dir_number, r.num_lines, r.lines_status, r.ipv4, r.ip_addresses,
       r.active_load, r.inactive_load, r.download_status, r.login_user, r.timestamp,
       r.registration_attempts, r.httpd, r.is_cti_controllable
FROM main.ris_device r LEFT JOIN temp.status_reasons sr ON sr.code = r.status_reason
WHERE r.snapshot_id = %[1]d;

CREATE TEMP VIEW device_status AS
SELECT d.name, d.class, d.ris_class, d.model, d.model_enum, d.product, d.protocol, d.description,
       d.device_pool, d.owner, d.css, d.location, d.is_active, d.load_override, d.run_on_all_nodes,
       d.process_node, d.mgcp_gateway, %[2]s AS software_media, (r.name IS NOT NULL) AS in_ris, COALESCE(r.status, '') AS status,
       COALESCE(r.status_reason, 0) AS status_reason, COALESCE(r.status_reason_text, '') AS status_reason_text,
       COALESCE(r.node, '') AS node, COALESCE(r.node_rows, 0) AS node_rows, COALESCE(r.ipv4, '') AS ipv4,
       COALESCE(r.active_load, '') AS active_load, COALESCE(r.timestamp, 0) AS timestamp,
       COALESCE(r.lines_status, '') AS lines_status
FROM main.axl_device d LEFT JOIN temp.ris r ON r.name = d.name
WHERE d.snapshot_id = %[1]d;

CREATE TEMP VIEW lines AS
SELECT pkid, dn, partition, description, usage FROM main.axl_line WHERE snapshot_id = %[1]d;

CREATE TEMP VIEW line_appearances AS
SELECT device, line_index, line_pkid, dn, partition, label, display
FROM main.axl_line_appearance WHERE snapshot_id = %[1]d;

CREATE TEMP VIEW pattern_destinations AS
SELECT pattern_pkid, pattern, partition, usage, device
FROM main.axl_pattern_destination WHERE snapshot_id = %[1]d;

CREATE TEMP VIEW users AS
SELECT userid, first_name, last_name, mail, department, status,
       CASE WHEN status = '2' THEN 0 ELSE 1 END AS is_active -- enduser.status 2: inactive, marked for deletion by LDAP sync
FROM main.axl_user WHERE snapshot_id = %[1]d;

CREATE TEMP VIEW device_pools AS
SELECT name, cm_group, region, location FROM main.axl_device_pool WHERE snapshot_id = %[1]d;

CREATE TEMP VIEW cm_group_members AS
SELECT cm_group, node, priority FROM main.axl_cm_group_member WHERE snapshot_id = %[1]d;

CREATE TEMP VIEW nodes AS
SELECT name, description, is_publisher, is_active, role FROM main.axl_node WHERE snapshot_id = %[1]d;

CREATE TEMP VIEW mgcp_gateways AS
SELECT domain_name, description, product, cm_group FROM main.axl_mgcp_gateway WHERE snapshot_id = %[1]d;

CREATE TEMP VIEW default_loads AS
SELECT model, protocol, load FROM main.axl_default_load WHERE snapshot_id = %[1]d;

CREATE TEMP VIEW coverage AS
SELECT source, item, complete, reason, records FROM main.coverage WHERE snapshot_id = %[1]d;

CREATE TEMP VIEW node_answers AS
SELECT device_class, node, return_code, devices FROM main.ris_node_answer WHERE snapshot_id = %[1]d;

CREATE TEMP VIEW history AS
SELECT h.snapshot_id, h.started_at, h.taken_at, r.node, r.name, r.device_class, r.status,
       r.status_reason, r.timestamp, r.active_load
FROM temp.history_snapshots h CROSS JOIN main.ris_device r ON r.snapshot_id = h.snapshot_id; -- CROSS JOIN: snapshots outside, (snapshot_id, name) index inside
`

const tablesSQL = `
CREATE TEMP TABLE snapshot (id INTEGER, cluster_id TEXT, axl_host TEXT, cucm_version TEXT, tool_version TEXT,
	started_at TEXT, taken_at INTEGER, status TEXT, axl_user TEXT);
CREATE TEMP TABLE status_reasons (code INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TEMP TABLE eol_models (model TEXT PRIMARY KEY, end_of_sale TEXT NOT NULL, end_of_support TEXT NOT NULL,
	replacement TEXT NOT NULL, reference TEXT NOT NULL);
CREATE TEMP TABLE eol_releases (release TEXT PRIMARY KEY, end_of_sale TEXT NOT NULL, end_of_sw_maintenance TEXT NOT NULL,
	end_of_support TEXT NOT NULL, reference TEXT NOT NULL);
CREATE TEMP TABLE history_snapshots (snapshot_id INTEGER PRIMARY KEY, started_at TEXT, taken_at INTEGER, status TEXT);
`

// evaluator is one locked, read-only connection on which the views of one snapshot exist.
type evaluator struct {
	db    *sql.DB
	conn  *sql.Conn
	views []string    // every relation a rule may read
	dial  *dialBridge // the dial_* SQL functions' plan, loaded by loadDial

	// filled are the derived tables computed so far; filling is set while one is computed,
	// and only then does the authorizer let a statement write (to the temporary schema).
	filled  map[string]bool
	filling bool
}

func roDSN(path string) string {
	q := url.Values{}
	q.Set("mode", "ro")
	q.Set("_busy_timeout", "5000")
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// openEvaluator opens path read-only, defines the views of snapshot meta, then locks the
// connection: query_only, and an authorizer that lets statements read and call functions and
// nothing else (no write, ATTACH, PRAGMA, CREATE, transaction or load_extension).
func openEvaluator(ctx context.Context, path string, meta snapshot.Meta, history []snapshot.Meta, eol []EOLModel, releases []EOLRelease) (*evaluator, error) {
	db, err := sql.Open("sqlite3", roDSN(path))
	if err != nil {
		return nil, fmt.Errorf("opening %s read-only: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("opening %s read-only: %w", path, err)
	}
	e := &evaluator{db: db, conn: conn, dial: &dialBridge{}, filled: map[string]bool{}}
	if err := e.setup(ctx, meta, history, eol, releases); err != nil {
		e.Close()
		return nil, fmt.Errorf("defining the views of snapshot %d: %w", meta.ID, err)
	}
	return e, nil
}

func (e *evaluator) setup(ctx context.Context, meta snapshot.Meta, history []snapshot.Meta, eol []EOLModel, releases []EOLRelease) error {
	// A cache large enough for the snapshot's working set (128 MB for the database, as much for
	// the temporary tables). Temporary tables and the intermediate results of queries (sorts,
	// DISTINCT and UNION sets, materialised CTEs) live in temporary files, cached in memory
	// until they outgrow the cache: a runaway rule (a recursive CTE that never ends) then fills
	// a temporary file until its time limit instead of the process's memory.
	if _, err := e.conn.ExecContext(ctx, `PRAGMA temp_store = FILE; PRAGMA cache_size = -131072; PRAGMA temp.cache_size = -131072; PRAGMA mmap_size = 268435456`); err != nil {
		return err
	}
	if _, err := e.conn.ExecContext(ctx, tablesSQL); err != nil {
		return err
	}
	if _, err := e.conn.ExecContext(ctx, `INSERT INTO temp.snapshot VALUES (?,?,?,?,?,?,?,?,?)`, meta.ID, meta.ClusterID,
		meta.AXLHost, meta.CUCMVersion, meta.ToolVersion, meta.StartedAt.UTC().Format("2006-01-02T15:04:05Z"),
		meta.StartedAt.Unix(), string(meta.Status), meta.AXLUser); err != nil {
		return err
	}
	for code, name := range snapshot.StatusReasons() {
		if _, err := e.conn.ExecContext(ctx, `INSERT INTO temp.status_reasons VALUES (?,?)`, code, name); err != nil {
			return err
		}
	}
	for _, m := range eol {
		if _, err := e.conn.ExecContext(ctx, `INSERT OR REPLACE INTO temp.eol_models VALUES (?,?,?,?,?)`,
			m.Model, m.EndOfSale, m.EndOfSupport, m.Replacement, m.Reference); err != nil {
			return err
		}
	}
	for _, r := range releases {
		if _, err := e.conn.ExecContext(ctx, `INSERT OR REPLACE INTO temp.eol_releases VALUES (?,?,?,?,?)`,
			r.Release, r.EndOfSale, r.EndOfSWMaintenance, r.EndOfSupport, r.Reference); err != nil {
			return err
		}
	}
	for _, h := range history {
		if _, err := e.conn.ExecContext(ctx, `INSERT INTO temp.history_snapshots VALUES (?,?,?,?)`, h.ID,
			h.StartedAt.UTC().Format("2006-01-02T15:04:05Z"), h.StartedAt.Unix(), string(h.Status)); err != nil {
			return err
		}
	}
	if _, err := e.conn.ExecContext(ctx, fmt.Sprintf(viewSQL, meta.ID, softwareMediaSQL("d."), softwareMediaSQL(""))); err != nil {
		return err
	}
	extra, err := defineMirrorViews(ctx, e.conn, func(q string) error {
		_, err := e.conn.ExecContext(ctx, q)
		return err
	}, meta.ID)
	if err != nil {
		return err
	}
	if err := e.createDerived(ctx); err != nil {
		return err
	}
	e.views = append(allViewNames(), extra...)
	if _, err := e.conn.ExecContext(ctx, `ANALYZE temp`); err != nil {
		return err
	}
	if _, err := e.conn.ExecContext(ctx, `PRAGMA query_only = 1`); err != nil {
		return err
	}
	return e.conn.Raw(func(dc any) error {
		c, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		if err := registerRuleFuncs(c, e.dial); err != nil {
			return err
		}
		c.RegisterAuthorizer(func(op int, arg1, arg2, arg3 string) int {
			if e.filling {
				return sqlite3.SQLITE_OK // fillDerived's own statements, between two rules
			}
			return authorize(op, arg1, arg2, arg3)
		})
		// No string or blob a rule builds may exceed maxRuleValue (SQLite's default is 1 GB):
		// a recursive doubling of a string fails at once instead of filling the memory.
		c.SetLimit(sqlite3.SQLITE_LIMIT_LENGTH, maxRuleValue)
		return nil
	})
}

// maxRuleValue is the largest string or blob (bytes) a rule's query may build.
const maxRuleValue = 64 << 20

// sqliteRecursive is SQLITE_RECURSIVE (a WITH RECURSIVE query), which go-sqlite3 does not export.
const sqliteRecursive = 33

// authorize is the SQLite authorizer of a rule connection: reading and calling functions only,
// and never the schema tables (sqlite_master, sqlite_temp_master, ...) nor the pragma_* tables.
// Which relations a query names is checked when it is prepared (confiner): this authorizer
// cannot tell a view's own reads of the base tables from the query's.
func authorize(op int, arg1, arg2, _ string) int {
	switch op {
	case sqlite3.SQLITE_READ:
		t := strings.ToLower(arg1)
		if strings.HasPrefix(t, "sqlite_") || strings.HasPrefix(t, "pragma_") {
			return sqlite3.SQLITE_DENY
		}
		return sqlite3.SQLITE_OK
	case sqlite3.SQLITE_SELECT, sqliteRecursive:
		return sqlite3.SQLITE_OK
	case sqlite3.SQLITE_FUNCTION:
		if strings.EqualFold(arg2, "load_extension") || strings.EqualFold(arg2, "fts3_tokenizer") {
			return sqlite3.SQLITE_DENY
		}
		return sqlite3.SQLITE_OK
	}
	return sqlite3.SQLITE_DENY
}

// Close releases the connection; the temporary views vanish with it.
func (e *evaluator) Close() error {
	e.waitDial()
	e.conn.Close()
	return e.db.Close()
}
