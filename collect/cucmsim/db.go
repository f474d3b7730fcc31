package cucmsim

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/mattn/go-sqlite3"
)

// schemaSQL mirrors the CUCM (Informix) tables and columns audit tools query (CUCM-API.md §1.8).
// Booleans are stored as 't'/'f' text, as Informix returns them; pkids are lower-case UUIDs.
const indexSQL = `
CREATE INDEX device_name ON device(name);
CREATE INDEX device_tkclass ON device(tkclass);
CREATE INDEX dnpm_fkdevice ON devicenumplanmap(fkdevice);
CREATE INDEX dnpm_fknumplan ON devicenumplanmap(fknumplan);
CREATE INDEX eudm_fkdevice ON enduserdevicemap(fkdevice);
CREATE INDEX eudm_fkenduser ON enduserdevicemap(fkenduser);
`

const schemaSQL = `
CREATE TABLE typeclass (enum INTEGER PRIMARY KEY, name TEXT, moniker TEXT);
CREATE TABLE typemodel (enum INTEGER PRIMARY KEY, name TEXT, moniker TEXT, tkclass INTEGER);
CREATE TABLE typeproduct (enum INTEGER PRIMARY KEY, name TEXT, moniker TEXT, tkmodel INTEGER);
CREATE TABLE typedeviceprotocol (enum INTEGER PRIMARY KEY, name TEXT, moniker TEXT);
CREATE TABLE typepatternusage (enum INTEGER PRIMARY KEY, name TEXT, moniker TEXT);
CREATE TABLE typenodeusage (enum INTEGER PRIMARY KEY, name TEXT, moniker TEXT);
CREATE TABLE typeuserassociation (enum INTEGER PRIMARY KEY, name TEXT, moniker TEXT);
CREATE TABLE processnode (pkid TEXT PRIMARY KEY, name TEXT, description TEXT, mac TEXT, isactive TEXT, systemnode TEXT, tknodeusage INTEGER, nodeid INTEGER, ipv6name TEXT);
CREATE TABLE callmanager (pkid TEXT PRIMARY KEY, name TEXT, description TEXT, fkprocessnode TEXT);
CREATE TABLE callmanagergroup (pkid TEXT PRIMARY KEY, name TEXT, tftpdefault TEXT);
CREATE TABLE callmanagergroupmember (pkid TEXT PRIMARY KEY, fkcallmanagergroup TEXT, fkcallmanager TEXT, priority INTEGER);
CREATE TABLE location (pkid TEXT PRIMARY KEY, name TEXT);
CREATE TABLE region (pkid TEXT PRIMARY KEY, name TEXT);
CREATE TABLE datetimesetting (pkid TEXT PRIMARY KEY, name TEXT);
CREATE TABLE mediaresourcelist (pkid TEXT PRIMARY KEY, name TEXT);
CREATE TABLE srst (pkid TEXT PRIMARY KEY, name TEXT);
CREATE TABLE devicepool (pkid TEXT PRIMARY KEY, name TEXT, fkcallmanagergroup TEXT, fkdatetimesetting TEXT, fkregion TEXT, fkmediaresourcelist TEXT, fklocation TEXT, fksrst TEXT);
CREATE TABLE routepartition (pkid TEXT PRIMARY KEY, name TEXT, description TEXT);
CREATE TABLE callingsearchspace (pkid TEXT PRIMARY KEY, name TEXT, description TEXT, clause TEXT);
CREATE TABLE callingsearchspacemember (pkid TEXT PRIMARY KEY, fkcallingsearchspace TEXT, fkroutepartition TEXT, sortorder INTEGER);
CREATE TABLE enduser (pkid TEXT PRIMARY KEY, userid TEXT, firstname TEXT, lastname TEXT, mailid TEXT, telephonenumber TEXT, department TEXT, status INTEGER, islocaluser TEXT);
CREATE TABLE device (pkid TEXT PRIMARY KEY, name TEXT, description TEXT, tkmodel INTEGER, tkdeviceprotocol INTEGER, tkprotocolside INTEGER, fkdevicepool TEXT, fkphonetemplate TEXT, fkcallingsearchspace TEXT, ctiid INTEGER, tkclass INTEGER, fkprocessnode TEXT, fklocation TEXT, tkproduct INTEGER, fkenduser TEXT, allowhotelingflag TEXT, tkdeviceprofile INTEGER, fkmediaresourcelist TEXT, fksoftkeytemplate TEXT, fkcallmanagergroup TEXT, fksecurityprofile TEXT, fksipprofile TEXT, fkcommonphoneconfig TEXT, fkcommondeviceconfig TEXT, isactive TEXT, isdualmode TEXT, srtpallowed TEXT, runonallnodes TEXT, mtprequired TEXT, specialloadinformation TEXT, versionstamp TEXT, datetimeinserted TEXT);
CREATE TABLE numplan (pkid TEXT PRIMARY KEY, dnorpattern TEXT, fkroutepartition TEXT, tkpatternusage INTEGER, description TEXT, alertingname TEXT, iactive TEXT, fkcallingsearchspace_sharedlineappear TEXT);
CREATE TABLE devicenumplanmap (pkid TEXT PRIMARY KEY, fkdevice TEXT, fknumplan TEXT, numplanindex INTEGER, label TEXT, display TEXT, e164mask TEXT, maxnumcalls INTEGER, busytrigger INTEGER);
CREATE TABLE enduserdevicemap (pkid TEXT PRIMARY KEY, fkenduser TEXT, fkdevice TEXT, tkuserassociation INTEGER, defaultprofile TEXT, description TEXT);
CREATE TABLE endusernumplanmap (pkid TEXT PRIMARY KEY, fkenduser TEXT, fknumplan TEXT, tkdnusage INTEGER);
CREATE TABLE sipdevice (pkid TEXT PRIMARY KEY, fkdevice TEXT, fksipnormalizationscript TEXT, tktunneledprotocol INTEGER);
CREATE TABLE siptrunkdestination (pkid TEXT PRIMARY KEY, fksipdevice TEXT, address TEXT, port INTEGER, sortorder INTEGER, addressipv6 TEXT);
CREATE TABLE linegroup (pkid TEXT PRIMARY KEY, name TEXT, tkdistributealgorithm INTEGER, rnareversiontimeout INTEGER);
CREATE TABLE linegroupnumplanmap (pkid TEXT PRIMARY KEY, fklinegroup TEXT, fknumplan TEXT, lineselectionorder INTEGER);
CREATE TABLE routegroup (pkid TEXT PRIMARY KEY, name TEXT, tkdistributealgorithm INTEGER);
CREATE TABLE routegroupdevicemap (pkid TEXT PRIMARY KEY, fkroutegroup TEXT, fkdevice TEXT, deviceselectionorder INTEGER, port INTEGER);
CREATE TABLE routelist (pkid TEXT PRIMARY KEY, fkdevice TEXT, fkroutegroup TEXT, fklinegroup TEXT, selectionorder INTEGER);
`

// connector opens the simulator's own SQLite connections without registering a global driver.
type connector struct {
	d   *sqlite3.SQLiteDriver
	dsn string
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.d.Open(c.dsn) }
func (c connector) Driver() driver.Driver                        { return c.d }

// openDB loads the cluster into a private SQLite database and makes it read-only. With an
// empty path the database lives in memory on one connection (an in-memory database lives and
// dies with its connection); with a path it is a fresh file, which keeps a large scenario out
// of the process's resident memory.
func openDB(ctx context.Context, c *cluster, path string) (*sql.DB, error) {
	drv := &sqlite3.SQLiteDriver{}
	dsn := ":memory:"
	if path != "" {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("removing the old simulator database: %w", err)
		}
		dsn = "file:" + path + "?_journal_mode=OFF&_synchronous=OFF"
	}
	db := sql.OpenDB(connector{d: drv, dsn: dsn})
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := load(ctx, db, c); err != nil {
		db.Close()
		return nil, fmt.Errorf("loading the scenario into sqlite: %w", err)
	}
	if _, err := db.ExecContext(ctx, "PRAGMA query_only=1"); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func nullIf(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func load(ctx context.Context, db *sql.DB, c *cluster) error {
	if _, err := db.ExecContext(ctx, schemaSQL); err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmts := map[string]*sql.Stmt{}
	ins := func(table string, vals ...any) error {
		st := stmts[table]
		if st == nil {
			q := "INSERT INTO " + table + " VALUES (" + strings.TrimSuffix(strings.Repeat("?,", len(vals)), ",") + ")"
			if st, err = tx.PrepareContext(ctx, q); err != nil {
				return fmt.Errorf("preparing %s: %w", table, err)
			}
			stmts[table] = st
		}
		if _, err := st.ExecContext(ctx, vals...); err != nil {
			return fmt.Errorf("inserting into %s: %w", table, err)
		}
		return nil
	}
	var errs []error
	must := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	for _, t := range typeClasses {
		must(ins("typeclass", t.enum, t.name, strings.ToUpper(strings.ReplaceAll(t.name, " ", "_"))))
	}
	for _, m := range models {
		mon := strings.ToUpper(strings.ReplaceAll(m.name, " ", "_"))
		must(ins("typemodel", m.enum, m.name, "MODEL_"+mon, m.typeClass))
		must(ins("typeproduct", m.enum, m.name, "PRODUCT_"+mon, m.enum))
	}
	for _, p := range protocols {
		must(ins("typedeviceprotocol", p.enum, p.name, strings.ToUpper(strings.ReplaceAll(p.name, " ", "_"))))
	}
	for _, p := range patternUsages {
		must(ins("typepatternusage", p.enum, p.name, strings.ToUpper(strings.ReplaceAll(p.name, " ", "_"))))
	}
	must(ins("typenodeusage", 0, "Publisher", "PUBLISHER"))
	must(ins("typenodeusage", 1, "Subscriber", "SUBSCRIBER"))
	must(ins("typeuserassociation", 1, "Controlled Device", "CONTROLLED_DEVICE"))

	must(ins("processnode", "00000000-1111-0000-0000-000000000000", "EnterpriseWideData", "", "", "t", "t", 1, 1, ""))
	for _, n := range c.nodes {
		usage := 1
		if n.role == "publisher" {
			usage = 0
		}
		must(ins("processnode", n.pkid, n.name, n.desc, "", "t", "f", usage, n.nodeID, ""))
		must(ins("callmanager", n.cmPKID, "CM_"+n.name, n.desc, n.pkid))
	}
	for _, g := range c.groups {
		must(ins("callmanagergroup", g.pkid, g.name, "f"))
		for p, n := range g.nodes {
			must(ins("callmanagergroupmember", c.uuid("cmgmember", g.name+"|"+c.nodes[n].name), g.pkid, c.nodes[n].cmPKID, p))
		}
	}
	for i, name := range append([]string{"Hub_None"}, c.sc.Locations...) {
		if i == 0 || name != "Hub_None" {
			must(ins("location", c.locations[name], name))
		}
	}
	regionPK, dtPK := c.uuid("region", "Default"), c.uuid("datetimesetting", "CMLocal")
	must(ins("region", regionPK, "Default"))
	must(ins("datetimesetting", dtPK, "CMLocal"))
	for _, p := range c.pools {
		must(ins("devicepool", p.pkid, p.name, c.groups[p.cmg].pkid, dtPK, regionPK, nil, c.locations[p.location], nil))
	}
	for _, name := range c.sc.Partitions {
		must(ins("routepartition", c.partitions[name], name, ""))
	}
	for _, s := range c.sc.CallingSearchSpaces {
		pk := c.css[s.Name]
		must(ins("callingsearchspace", pk, s.Name, "", strings.Join(s.Partitions, ":")))
		for i, pt := range s.Partitions {
			must(ins("callingsearchspacemember", c.uuid("cssmember", s.Name+"|"+pt), pk, c.partitions[pt], i+1))
		}
	}
	for _, u := range c.users {
		must(ins("enduser", u.pkid, u.userid, u.first, u.last, u.mail, nullIf(u.phone), u.dept, 1, "t"))
	}
	for _, l := range c.lines {
		must(ins("numplan", l.pkid, l.dn, nullIf(c.partitions[l.partition]), l.usage, l.desc, "", "t", nil))
	}
	for _, d := range c.devices {
		if d.risOnly {
			continue
		}
		var owner any
		if d.owner != nil {
			owner = d.owner.pkid
		}
		must(ins("device", d.pkid, d.name, d.desc, d.model.enum, d.protoEnum, 1, c.pools[d.pool].pkid, nil,
			nullIf(c.css[d.css]), 0, d.model.typeClass, nil, nullIf(c.locations[d.location]), d.model.enum, owner,
			"f", 0, nil, nil, nil, nil, nil, nil, nil, "t", "f", "f", "f", "f", "", "1", c.sc.Now.Format("2006-01-02 15:04:05")))
		for i, l := range d.lines {
			label := ""
			if d.owner != nil {
				label = d.owner.first + " " + d.owner.last
			}
			must(ins("devicenumplanmap", c.uuid("dnpm", d.name+"|"+l.pkid), d.pkid, l.pkid, i+1, label, label, "", 4, 2))
		}
		if d.owner != nil {
			must(ins("enduserdevicemap", c.uuid("eudm", d.name), d.owner.pkid, d.pkid, 1, "f", ""))
			if len(d.lines) > 0 {
				must(ins("endusernumplanmap", c.uuid("eunpm", d.name), d.owner.pkid, d.lines[0].pkid, 1))
			}
		}
		if d.trunkDest != "" {
			sd := c.uuid("sipdevice", d.name)
			must(ins("sipdevice", sd, d.pkid, nil, 0))
			must(ins("siptrunkdestination", c.uuid("siptrunkdest", d.name), sd, d.trunkDest, 5060, 1, ""))
		}
	}
	for _, h := range c.huntLists {
		if h.dev.risOnly {
			continue
		}
		must(ins("linegroup", h.lgPKID, "LG_"+h.dev.name, 1, 10))
		must(ins("routelist", c.uuid("routelist", h.dev.name), h.dev.pkid, nil, h.lgPKID, 1))
		for i, m := range h.members {
			must(ins("linegroupnumplanmap", c.uuid("lgnpm", h.dev.name+"|"+m.pkid), h.lgPKID, m.pkid, i+1))
		}
	}
	if len(errs) > 0 {
		return errs[0]
	}
	for _, st := range stmts {
		st.Close()
	}
	if _, err := tx.ExecContext(ctx, indexSQL); err != nil {
		return err
	}
	return tx.Commit()
}
