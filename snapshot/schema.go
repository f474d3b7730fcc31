package snapshot

// migrations holds the schema history. migrations[i] moves a database from user_version i to
// i+1. The list is append-only: a shipped migration is never edited, a change is a new entry.
var migrations = [...]string{
	// 1: snapshots, AXL inventory, RisPort per node, coverage, analysis results.
	`
CREATE TABLE snapshot (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	cluster_id   TEXT NOT NULL,
	axl_host     TEXT NOT NULL DEFAULT '',
	cucm_version TEXT NOT NULL DEFAULT '',
	tool_version TEXT NOT NULL DEFAULT '',
	started_at   TEXT NOT NULL,
	finished_at  TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL CHECK (status IN ('complete', 'partial', 'failed')),
	note         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX snapshot_cluster ON snapshot (cluster_id, started_at);

-- One row per configured device of any class (AXL device table).
CREATE TABLE axl_device (
	snapshot_id INTEGER NOT NULL REFERENCES snapshot (id) ON DELETE CASCADE,
	pkid        TEXT NOT NULL DEFAULT '',
	name        TEXT NOT NULL,
	class       TEXT NOT NULL,            -- AXL typeclass name: Phone, Gateway, Trunk, Route List, ...
	ris_class   TEXT NOT NULL DEFAULT '', -- RisPort DeviceClass: Phone, Gateway, SIPTrunk, HuntList, ... ('' = not tracked by RisPort)
	model       TEXT NOT NULL DEFAULT '',
	model_enum  INTEGER NOT NULL DEFAULT 0,
	product     TEXT NOT NULL DEFAULT '',
	protocol    TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	device_pool TEXT NOT NULL DEFAULT '',
	owner       TEXT NOT NULL DEFAULT '', -- enduser.userid of the owner, '' when none
	css         TEXT NOT NULL DEFAULT '',
	location    TEXT NOT NULL DEFAULT '',
	is_active   INTEGER NOT NULL DEFAULT 1,
	PRIMARY KEY (snapshot_id, name)
) WITHOUT ROWID;

-- Directory numbers and patterns (numplan).
CREATE TABLE axl_line (
	snapshot_id INTEGER NOT NULL REFERENCES snapshot (id) ON DELETE CASCADE,
	pkid        TEXT NOT NULL,
	dn          TEXT NOT NULL,
	partition   TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	usage       TEXT NOT NULL DEFAULT '', -- typepatternusage name; 'Device' for directory numbers
	PRIMARY KEY (snapshot_id, pkid)
) WITHOUT ROWID;

-- Line appearances (devicenumplanmap): which DN sits on which device button.
CREATE TABLE axl_line_appearance (
	snapshot_id INTEGER NOT NULL REFERENCES snapshot (id) ON DELETE CASCADE,
	device      TEXT NOT NULL,
	line_index  INTEGER NOT NULL,
	line_pkid   TEXT NOT NULL DEFAULT '',
	dn          TEXT NOT NULL,
	partition   TEXT NOT NULL DEFAULT '',
	label       TEXT NOT NULL DEFAULT '',
	display     TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (snapshot_id, device, line_index)
) WITHOUT ROWID;

CREATE TABLE axl_user (
	snapshot_id INTEGER NOT NULL REFERENCES snapshot (id) ON DELETE CASCADE,
	userid      TEXT NOT NULL,
	first_name  TEXT NOT NULL DEFAULT '',
	last_name   TEXT NOT NULL DEFAULT '',
	mail        TEXT NOT NULL DEFAULT '',
	department  TEXT NOT NULL DEFAULT '',
	status      TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (snapshot_id, userid)
) WITHOUT ROWID;

CREATE TABLE axl_device_pool (
	snapshot_id INTEGER NOT NULL REFERENCES snapshot (id) ON DELETE CASCADE,
	name        TEXT NOT NULL,
	cm_group    TEXT NOT NULL DEFAULT '',
	region      TEXT NOT NULL DEFAULT '',
	location    TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (snapshot_id, name)
) WITHOUT ROWID;

-- CallManager group membership: node order within the group (priority 1 = primary).
CREATE TABLE axl_cm_group_member (
	snapshot_id INTEGER NOT NULL REFERENCES snapshot (id) ON DELETE CASCADE,
	cm_group    TEXT NOT NULL,
	node        TEXT NOT NULL,
	priority    INTEGER NOT NULL,
	PRIMARY KEY (snapshot_id, cm_group, node)
) WITHOUT ROWID;

-- CUCM cluster nodes (processnode, without the EnterpriseWideData pseudo node).
CREATE TABLE axl_node (
	snapshot_id  INTEGER NOT NULL REFERENCES snapshot (id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	description  TEXT NOT NULL DEFAULT '',
	is_publisher INTEGER NOT NULL DEFAULT 0,
	is_active    INTEGER NOT NULL DEFAULT 1,
	PRIMARY KEY (snapshot_id, name)
) WITHOUT ROWID;

-- Every CmDevice entry RisPort returned, per node: a device seen on two nodes has two rows.
CREATE TABLE ris_device (
	snapshot_id           INTEGER NOT NULL REFERENCES snapshot (id) ON DELETE CASCADE,
	node                  TEXT NOT NULL,
	name                  TEXT NOT NULL,
	device_class          TEXT NOT NULL,
	model                 INTEGER NOT NULL DEFAULT 0,
	product               INTEGER NOT NULL DEFAULT 0,
	status                TEXT NOT NULL,  -- Registered, UnRegistered, Rejected, PartiallyRegistered, Unknown
	status_reason         INTEGER NOT NULL DEFAULT 0,
	protocol              TEXT NOT NULL DEFAULT '',
	description           TEXT NOT NULL DEFAULT '',
	dir_number            TEXT NOT NULL DEFAULT '',
	num_lines             INTEGER NOT NULL DEFAULT 0,
	lines_status          TEXT NOT NULL DEFAULT '', -- 'DN=Status' pairs joined by ','
	ipv4                  TEXT NOT NULL DEFAULT '',
	ip_addresses          TEXT NOT NULL DEFAULT '', -- every IP joined by ','
	active_load           TEXT NOT NULL DEFAULT '',
	inactive_load         TEXT NOT NULL DEFAULT '',
	download_status       TEXT NOT NULL DEFAULT '',
	login_user            TEXT NOT NULL DEFAULT '',
	timestamp             INTEGER NOT NULL DEFAULT 0, -- epoch seconds of the last status change
	registration_attempts INTEGER NOT NULL DEFAULT 0,
	httpd                 TEXT NOT NULL DEFAULT '',
	is_cti_controllable   INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (snapshot_id, node, name)
) WITHOUT ROWID;
CREATE INDEX ris_device_name ON ris_device (snapshot_id, name);

-- What each node answered for each device class query (Ok, NotFound, NodeNotResponding, ...).
CREATE TABLE ris_node_answer (
	snapshot_id  INTEGER NOT NULL REFERENCES snapshot (id) ON DELETE CASCADE,
	device_class TEXT NOT NULL,
	node         TEXT NOT NULL,
	return_code  TEXT NOT NULL,
	devices      INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (snapshot_id, device_class, node)
) WITHOUT ROWID;

-- Coverage: one row per source read, complete or not. source is 'axl' or 'risport'; item names
-- what was read ('devices', 'lines', 'class:Phone', 'node:cucm-sub1', ...).
CREATE TABLE coverage (
	snapshot_id INTEGER NOT NULL REFERENCES snapshot (id) ON DELETE CASCADE,
	source      TEXT NOT NULL,
	item        TEXT NOT NULL,
	complete    INTEGER NOT NULL,
	reason      TEXT NOT NULL DEFAULT '',
	records     INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (snapshot_id, source, item)
) WITHOUT ROWID;

-- One rule evaluation run over one snapshot. Re-analysing a snapshot adds a run; the newest run
-- is the snapshot's current result.
CREATE TABLE analysis (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	snapshot_id  INTEGER NOT NULL REFERENCES snapshot (id) ON DELETE CASCADE,
	started_at   TEXT NOT NULL,
	tool_version TEXT NOT NULL DEFAULT '',
	options      TEXT NOT NULL DEFAULT '{}' -- JSON: rule packs, params, waivers file
);
CREATE INDEX analysis_snapshot ON analysis (snapshot_id, id);

CREATE TABLE rule_result (
	analysis_id   INTEGER NOT NULL REFERENCES analysis (id) ON DELETE CASCADE,
	rule_id       TEXT NOT NULL,
	title         TEXT NOT NULL,
	severity      TEXT NOT NULL,
	category      TEXT NOT NULL DEFAULT '',
	status        TEXT NOT NULL CHECK (status IN ('pass', 'fail', 'inconclusive', 'error')),
	reason        TEXT NOT NULL DEFAULT '',
	finding_count INTEGER NOT NULL DEFAULT 0,
	params        TEXT NOT NULL DEFAULT '{}',
	PRIMARY KEY (analysis_id, rule_id)
) WITHOUT ROWID;

CREATE TABLE finding (
	analysis_id     INTEGER NOT NULL REFERENCES analysis (id) ON DELETE CASCADE,
	rule_id         TEXT NOT NULL,
	severity        TEXT NOT NULL,
	entity          TEXT NOT NULL,
	fingerprint     TEXT NOT NULL,
	message         TEXT NOT NULL DEFAULT '',
	evidence        TEXT NOT NULL DEFAULT '{}', -- JSON object: column -> value
	waived          INTEGER NOT NULL DEFAULT 0,
	waiver          TEXT NOT NULL DEFAULT '',   -- JSON of the waiver applied or expired, '' when none
	PRIMARY KEY (analysis_id, fingerprint)
) WITHOUT ROWID;

-- One resolved RisPort row per device and snapshot: the newest TimeStamp wins, Registered wins
-- a tie, then the node name for a stable order.
CREATE VIEW ris_latest AS
SELECT * FROM (
	SELECT r.*, ROW_NUMBER() OVER (
		PARTITION BY r.snapshot_id, r.name
		ORDER BY r.timestamp DESC, (r.status = 'Registered') DESC, r.node
	) AS rn,
	COUNT(*) OVER (PARTITION BY r.snapshot_id, r.name) AS node_rows
	FROM ris_device r
) WHERE rn = 1;

-- One row per device, AXL and RisPort side by side. Devices RisPort reported but AXL does not
-- know appear with in_axl = 0.
CREATE VIEW device_view AS
SELECT d.snapshot_id, d.name, d.class, d.ris_class, d.model, d.product, d.protocol,
       d.description, d.device_pool, d.owner, d.css, d.location,
       1 AS in_axl, (r.name IS NOT NULL) AS in_ris,
       COALESCE(r.status, '') AS ris_status, COALESCE(r.status_reason, 0) AS ris_status_reason,
       COALESCE(r.node, '') AS ris_node, COALESCE(r.ipv4, '') AS ipv4,
       COALESCE(r.active_load, '') AS active_load, COALESCE(r.timestamp, 0) AS ris_timestamp,
       COALESCE(r.node_rows, 0) AS ris_node_rows
FROM axl_device d
LEFT JOIN ris_latest r ON r.snapshot_id = d.snapshot_id AND r.name = d.name
UNION ALL
SELECT r.snapshot_id, r.name, '' AS class, r.device_class AS ris_class, '' AS model, '' AS product,
       r.protocol, r.description, '' AS device_pool, '' AS owner, '' AS css, '' AS location,
       0 AS in_axl, 1 AS in_ris,
       r.status, r.status_reason, r.node, r.ipv4, r.active_load, r.timestamp, r.node_rows
FROM ris_latest r
WHERE NOT EXISTS (SELECT 1 FROM axl_device d WHERE d.snapshot_id = r.snapshot_id AND d.name = r.name);
`,
	// 2: e-mail log, so scheduled runs can mail only when something changed.
	`
CREATE TABLE mail_log (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	cluster_id  TEXT NOT NULL,
	snapshot_id INTEGER NOT NULL,
	sent_at     TEXT NOT NULL,
	recipients  TEXT NOT NULL,
	digest      TEXT NOT NULL DEFAULT '' -- what was reported (findings fingerprints, device states), to detect change
);
CREATE INDEX mail_log_cluster ON mail_log (cluster_id, id);
`,
	// 3: device_view finds each device's newest RisPort row through the (snapshot_id, name)
	// index. The first definition joined ris_latest, a window over every snapshot's RisPort rows
	// that SQLite cannot filter by snapshot first, so one snapshot's query read the whole history.
	// INDEXED BY: without it the planner picks the primary key (snapshot_id, node, name) and a
	// 20,000-device snapshot takes seconds instead of milliseconds.
	`
DROP VIEW device_view;
CREATE VIEW device_view AS
SELECT d.snapshot_id, d.name, d.class, d.ris_class, d.model, d.product, d.protocol,
       d.description, d.device_pool, d.owner, d.css, d.location,
       1 AS in_axl, (r.name IS NOT NULL) AS in_ris,
       COALESCE(r.status, '') AS ris_status, COALESCE(r.status_reason, 0) AS ris_status_reason,
       COALESCE(r.node, '') AS ris_node, COALESCE(r.ipv4, '') AS ipv4,
       COALESCE(r.active_load, '') AS active_load, COALESCE(r.timestamp, 0) AS ris_timestamp,
       CASE WHEN r.name IS NULL THEN 0 ELSE
         (SELECT COUNT(*) FROM ris_device c INDEXED BY ris_device_name
          WHERE c.snapshot_id = d.snapshot_id AND c.name = d.name) END AS ris_node_rows
FROM axl_device d
LEFT JOIN ris_device r INDEXED BY ris_device_name ON r.snapshot_id = d.snapshot_id AND r.name = d.name
     AND r.node = (SELECT x.node FROM ris_device x INDEXED BY ris_device_name
                   WHERE x.snapshot_id = d.snapshot_id AND x.name = d.name
                   ORDER BY x.timestamp DESC, (x.status = 'Registered') DESC, x.node LIMIT 1)
UNION ALL
SELECT r.snapshot_id, r.name, '' AS class, r.device_class AS ris_class, '' AS model, '' AS product,
       r.protocol, r.description, '' AS device_pool, '' AS owner, '' AS css, '' AS location,
       0 AS in_axl, 1 AS in_ris,
       r.status, r.status_reason, r.node, r.ipv4, r.active_load, r.timestamp,
       (SELECT COUNT(*) FROM ris_device c INDEXED BY ris_device_name
        WHERE c.snapshot_id = r.snapshot_id AND c.name = r.name) AS ris_node_rows
FROM ris_device r
WHERE NOT EXISTS (SELECT 1 FROM axl_device d WHERE d.snapshot_id = r.snapshot_id AND d.name = r.name)
  AND r.node = (SELECT x.node FROM ris_device x INDEXED BY ris_device_name
                WHERE x.snapshot_id = r.snapshot_id AND x.name = r.name
                ORDER BY x.timestamp DESC, (x.status = 'Registered') DESC, x.node LIMIT 1);
`,
	// 4: each mailed report keeps the manifest of what was e-mailed (every report file's name,
	// format, size and SHA-256, and the manifest file's name), so a file can be verified later
	// even after the folder was cleaned. Rows mailed before hold '{}': nothing was recorded.
	`
ALTER TABLE mail_log ADD COLUMN manifest TEXT NOT NULL DEFAULT '{}';
`,
	// 5: what real clusters hold beyond phones and their lines. devicenumplanmap also links route
	// patterns to route lists, gateways and trunks and hunt pilots to hunt lists: those links are
	// kept as pattern destinations, never as line appearances. processnode also lists IM and
	// Presence nodes, which run no call processing and never answer RisPort (axl_node.role). The
	// device's own load (specialloadinformation), the Device Defaults load per model and protocol,
	// trunks running on all nodes, software media resources tied to a node and MGCP endpoints with
	// their gateway (whose CallManager group governs them) are what the redundancy and firmware
	// rules need to judge only what the configuration asks for.
	`
ALTER TABLE axl_node ADD COLUMN role TEXT NOT NULL DEFAULT 'Unified CM'; -- 'Unified CM' or 'IM and Presence'
ALTER TABLE axl_device ADD COLUMN load_override TEXT NOT NULL DEFAULT '';       -- device.specialloadinformation
ALTER TABLE axl_device ADD COLUMN run_on_all_nodes INTEGER NOT NULL DEFAULT 0;  -- device.runonallnodes (trunks)
ALTER TABLE axl_device ADD COLUMN process_node TEXT NOT NULL DEFAULT '';        -- device.fkprocessnode (software media resources)
ALTER TABLE axl_device ADD COLUMN mgcp_gateway TEXT NOT NULL DEFAULT '';        -- mgcp.domainname of an MGCP endpoint's gateway

-- Route patterns, hunt pilots and other non-line patterns with the device they point at
-- (devicenumplanmap rows whose numplan usage is not Device).
CREATE TABLE axl_pattern_destination (
	snapshot_id  INTEGER NOT NULL REFERENCES snapshot (id) ON DELETE CASCADE,
	pattern_pkid TEXT NOT NULL,
	pattern      TEXT NOT NULL,
	partition    TEXT NOT NULL DEFAULT '',
	usage        TEXT NOT NULL DEFAULT '', -- typepatternusage name: Route, Hunt Pilot, ...
	device       TEXT NOT NULL,            -- route list, hunt list, gateway or trunk
	PRIMARY KEY (snapshot_id, pattern_pkid, device)
) WITHOUT ROWID;

-- MGCP gateways (mgcp): their CallManager group governs where their endpoints register.
CREATE TABLE axl_mgcp_gateway (
	snapshot_id INTEGER NOT NULL REFERENCES snapshot (id) ON DELETE CASCADE,
	domain_name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	product     TEXT NOT NULL DEFAULT '',
	cm_group    TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (snapshot_id, domain_name)
) WITHOUT ROWID;

-- Device Defaults (defaults): the firmware load a model runs unless the device names its own.
CREATE TABLE axl_default_load (
	snapshot_id INTEGER NOT NULL REFERENCES snapshot (id) ON DELETE CASCADE,
	model       TEXT NOT NULL,
	protocol    TEXT NOT NULL DEFAULT '',
	load        TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (snapshot_id, model, protocol)
) WITHOUT ROWID;
`,
	// 6: collections that are running, and mail recorded before it is sent. Nothing here depends
	// on this migration's number.
	//
	// A collection is written into a staging file beside the database and published in one
	// short transaction; running_collection is its marker: one per cluster, naming the
	// snapshot id reserved for it, the process (pid, host) and the staging file (a name in the
	// database's folder). A marker whose process has ended is taken over by the next collection.
	//
	// A mail_log row is written as 'sending' before the message goes out and becomes 'sent'
	// once the server accepted it ('failed' when it refused it); a row left 'sending' is an
	// unconfirmed mail that may have been delivered, and is never sent again blindly. Rows
	// recorded before were written after sending: 'sent'.
	`
CREATE TABLE running_collection (
	cluster_id  TEXT PRIMARY KEY,
	snapshot_id INTEGER NOT NULL,
	started_at  TEXT NOT NULL,
	pid         INTEGER NOT NULL,
	host        TEXT NOT NULL,
	staging     TEXT NOT NULL
);
ALTER TABLE mail_log ADD COLUMN state TEXT NOT NULL DEFAULT 'sent' CHECK (state IN ('sending', 'sent', 'failed'));
ALTER TABLE mail_log ADD COLUMN confirmed_at TEXT NOT NULL DEFAULT '';
`,
	// 7: the AXL user the snapshot was collected with (its name only; the password is never
	// stored), so that the access rules can report on the tool's own account. '' for snapshots
	// collected before.
	`
ALTER TABLE snapshot ADD COLUMN axl_user TEXT NOT NULL DEFAULT '';
`,
}

// SchemaVersion is the schema version this build writes and reads: the number of migrations
// (migrations is an array so that this is a constant).
const SchemaVersion = len(migrations)
