package cucmsim

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
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
CREATE TABLE typeprocessnoderole (enum INTEGER PRIMARY KEY, name TEXT, moniker TEXT);
CREATE TABLE typedistributealgorithm (enum INTEGER PRIMARY KEY, name TEXT, moniker TEXT);
CREATE TABLE processnode (pkid TEXT PRIMARY KEY, name TEXT, mac TEXT, systemnode TEXT, description TEXT, isactive TEXT, nodeid INTEGER, tknodeusage INTEGER, ipv6name TEXT, fklbmhubgroup TEXT, tkprocessnoderole INTEGER, tkssomode INTEGER);
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
CREATE TABLE enduser (pkid TEXT PRIMARY KEY, userid TEXT, firstname TEXT, lastname TEXT, mailid TEXT, telephonenumber TEXT, department TEXT, status INTEGER, islocaluser TEXT, deletedtimestamp INTEGER, fkdirectorypluginconfig TEXT, userrank INTEGER);
CREATE TABLE device (pkid TEXT PRIMARY KEY, name TEXT, description TEXT, tkmodel INTEGER, tkdeviceprotocol INTEGER, tkprotocolside INTEGER, fkdevicepool TEXT, fkphonetemplate TEXT, fkcallingsearchspace TEXT, ctiid INTEGER, tkclass INTEGER, fkprocessnode TEXT, fklocation TEXT, tkproduct INTEGER, fkenduser TEXT, allowhotelingflag TEXT, tkdeviceprofile INTEGER, fkmediaresourcelist TEXT, fksoftkeytemplate TEXT, fkcallmanagergroup TEXT, fksecurityprofile TEXT, fksipprofile TEXT, fkcommonphoneconfig TEXT, fkcommondeviceconfig TEXT, isactive TEXT, isdualmode TEXT, srtpallowed TEXT, runonallnodes TEXT, mtprequired TEXT, specialloadinformation TEXT, versionstamp TEXT, datetimeinserted TEXT);
CREATE TABLE numplan (pkid TEXT PRIMARY KEY, dnorpattern TEXT, fkroutepartition TEXT, tkpatternusage INTEGER, description TEXT, alertingname TEXT, iactive TEXT, fkcallingsearchspace_sharedlineappear TEXT,
  blockenable TEXT, tkreleasecausevalue INTEGER, patternurgency TEXT, prefixdigitsout TEXT, calledpartytransformationmask TEXT, callingpartytransformationmask TEXT, callingpartyprefixdigits TEXT,
  tkstatus_usefullyqualcallingpartynum INTEGER, fkcallingsearchspace_translation TEXT, useoriginatorcss TEXT, usecallercss TEXT, dontwaitforidtatsubsequenthops TEXT, routenexthopbycgpn TEXT,
  fkdigitdiscardinstruction TEXT, fkroutefilter TEXT, fkdialplan TEXT, outsidedialtone TEXT, supportoverlapsending TEXT, deviceoverride TEXT, tknetworklocation INTEGER,
  authorizationcoderequired TEXT, authorizationlevelrequired INTEGER, clientcoderequired TEXT, tkpatternprecedence INTEGER, isemergencyservicenumber TEXT, iscallable TEXT,
  fkvoicemessagingprofile TEXT, alertingnameascii TEXT,
  cfbdestination TEXT, fkcallingsearchspace_cfb TEXT, cfbvoicemailenabled TEXT, cfbintdestination TEXT, fkcallingsearchspace_cfbint TEXT, cfbintvoicemailenabled TEXT,
  cfnadestination TEXT, fkcallingsearchspace_cfna TEXT, cfnavoicemailenabled TEXT, cfnaduration INTEGER, cfnaintdestination TEXT, fkcallingsearchspace_cfnaint TEXT, cfnaintvoicemailenabled TEXT,
  cfurdestination TEXT, fkcallingsearchspace_cfur TEXT, cfurvoicemailenabled TEXT, cfurintdestination TEXT, fkcallingsearchspace_cfurint TEXT, cfurintvoicemailenabled TEXT,
  pffdestination TEXT, fkcallingsearchspace_pff TEXT, pffvoicemailenabled TEXT, pffintdestination TEXT, fkcallingsearchspace_pffint TEXT, pffintvoicemailenabled TEXT,
  devicefailuredn TEXT, fkcallingsearchspace_devicefailure TEXT, cfdfvoicemailenabled TEXT, tkcfacssactivationpolicy INTEGER, fkcallingsearchspace_reroute TEXT, fkcallingsearchspace_mwi TEXT);
CREATE TABLE callforwarddynamic (pkid TEXT PRIMARY KEY, cfadestination TEXT, fkcallingsearchspace_cfa TEXT, cfavoicemailenabled TEXT, fkcallingsearchspace_scfa TEXT, fknumplan TEXT, datetimestamp INTEGER);
CREATE TABLE digitdiscardinstruction (pkid TEXT PRIMARY KEY, name TEXT);
CREATE TABLE routefilter (pkid TEXT PRIMARY KEY, name TEXT);
CREATE TABLE defaults (pkid TEXT PRIMARY KEY, tkmodel INTEGER, tkdeviceprotocol INTEGER, loadinformation TEXT);
CREATE TABLE mgcp (pkid TEXT PRIMARY KEY, domainname TEXT, description TEXT, tkproduct INTEGER, fkcallmanagergroup TEXT);
CREATE TABLE mgcpdevicemember (pkid TEXT PRIMARY KEY, fkmgcp TEXT, fkdevice TEXT, slot INTEGER, subunit INTEGER, port INTEGER);
CREATE TABLE applicationuser (pkid TEXT PRIMARY KEY, name TEXT, isstandard TEXT, userrank INTEGER, acloobsubscription TEXT, acloodrefer TEXT, aclpresencesubscription TEXT, aclunsolicitednotification TEXT, aclallowreplace TEXT);
CREATE TABLE dirgroup (pkid TEXT PRIMARY KEY, name TEXT, isstandard TEXT);
CREATE TABLE functionrole (pkid TEXT PRIMARY KEY, name TEXT);
CREATE TABLE functionroledirgroupmap (pkid TEXT PRIMARY KEY, fkfunctionrole TEXT, fkdirgroup TEXT);
CREATE TABLE applicationuserdirgroupmap (pkid TEXT PRIMARY KEY, fkapplicationuser TEXT, fkdirgroup TEXT);
CREATE TABLE enduserdirgroupmap (pkid TEXT PRIMARY KEY, fkenduser TEXT, fkdirgroup TEXT);
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
	// Informix compares LIKE patterns case-sensitively: `name LIKE 'sep%'` finds no SEP phone.
	if _, err := db.ExecContext(ctx, "PRAGMA case_sensitive_like=ON"); err != nil {
		db.Close()
		return nil, err
	}
	if _, err := db.ExecContext(ctx, "PRAGMA query_only=1"); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

const enterpriseWideDataPKID = "00000000-1111-0000-0000-000000000000"

// tf is an Informix boolean.
func tf(b bool) string {
	if b {
		return "t"
	}
	return "f"
}

func moniker(name string) string {
	return strings.ToUpper(strings.NewReplacer(" ", "_", "/", "_", "-", "_").Replace(name))
}

// tableColumns lists each table's columns in schema order.
var tableColumns = func() map[string][]string {
	out := map[string][]string{}
	for _, m := range regexp.MustCompile(`(?s)CREATE TABLE (\w+) \((.*?)\);`).FindAllStringSubmatch(schemaSQL, -1) {
		for _, col := range strings.Split(m[2], ",") {
			out[m[1]] = append(out[m[1]], strings.Fields(col)[0])
		}
	}
	return out
}()

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
	// insNamed inserts a row given by column name; the other columns are NULL.
	insNamed := func(table string, row map[string]any) error {
		cols := tableColumns[table]
		vals := make([]any, len(cols))
		for i, col := range cols {
			vals[i] = row[col]
		}
		if len(row) > 0 {
			for k := range row {
				if !slices.Contains(cols, k) {
					return fmt.Errorf("inserting into %s: no column %s", table, k)
				}
			}
		}
		return ins(table, vals...)
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
	seenModel, seenProduct := map[int]bool{}, map[int]bool{}
	for _, m := range models {
		if !seenModel[m.enum] {
			seenModel[m.enum] = true
			mn := m.typeModelName()
			must(ins("typemodel", m.enum, mn, "MODEL_"+strings.ToUpper(strings.ReplaceAll(mn, " ", "_")), m.typeClass))
		}
		if !seenProduct[m.productEnum()] {
			seenProduct[m.productEnum()] = true
			pn := m.productName()
			must(ins("typeproduct", m.productEnum(), pn, "PRODUCT_"+strings.ToUpper(strings.ReplaceAll(pn, " ", "_")), m.enum))
		}
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
	for _, r := range processNodeRoles {
		must(ins("typeprocessnoderole", r.enum, r.name, moniker(r.name)))
	}
	for i, a := range distributeAlgorithms {
		must(ins("typedistributealgorithm", i, a, moniker(a)))
	}

	// The EnterpriseWideData pseudo-node as TAC215013 shows it: systemnode t, nodeid 1,
	// tknodeusage 1, tkprocessnoderole 1 (a role filter alone does not exclude it).
	must(ins("processnode", enterpriseWideDataPKID, "EnterpriseWideData", "", "t", "", "t", 1, 1, "", nil, 1, 0))
	for _, n := range c.allNodes() {
		usage, role := 1, 1
		if n.role == "publisher" {
			usage = 0
		}
		if n.imp() {
			role = 2 // IM and Presence: no callmanager row, in no CallManager group [inf: tknodeusage 1]
		}
		must(ins("processnode", n.pkid, n.name, "", "f", n.desc, "t", n.nodeID, usage, "", nil, role, 0))
		if !n.imp() {
			must(ins("callmanager", n.cmPKID, "CM_"+n.name, n.desc, n.pkid))
		}
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
		local, dir, deleted := "t", any(nil), any(nil)
		if u.ldap {
			local, dir = "f", c.uuid("directorypluginconfig", "LDAP_Corporate")
		}
		if u.status == 2 {
			deleted = c.sc.Now.Unix() - 86400*21
		}
		must(ins("enduser", u.pkid, u.userid, u.first, u.last, u.mail, nullIf(u.phone), u.dept, u.status, local, deleted, dir, 1))
	}
	for _, name := range digitDiscardInstructions {
		must(ins("digitdiscardinstruction", c.uuid("digitdiscardinstruction", name), name))
	}
	for _, l := range c.lines {
		must(insNamed("numplan", c.numplanRow(l)))
		if l.usage == usageDevice {
			var dest, css any
			if l.fwd != nil {
				dest, css = nullIf(l.fwd.cfaDest), nullIf(c.css[l.fwd.css])
			}
			must(ins("callforwarddynamic", c.uuid("callforwarddynamic", l.pkid), dest, css, "f", nil, l.pkid, c.sc.Now.Unix()-86400*90))
		}
	}
	for _, d := range c.devices {
		if d.risOnly {
			continue
		}
		var owner any
		if d.owner != nil {
			owner = d.owner.pkid
		}
		var pool, procNode any
		if d.pool >= 0 {
			pool = c.pools[d.pool].pkid
		}
		if d.procNode != nil {
			procNode = d.procNode.pkid
		}
		must(ins("device", d.pkid, d.name, d.desc, d.model.enum, d.protoEnum, 1, pool, nil,
			nullIf(c.css[d.css]), 0, d.typeClass(), procNode, nullIf(c.locations[d.location]), d.model.productEnum(), owner,
			"f", 0, nil, nil, nil, nil, nil, nil, nil, "t", "f", "f", tf(d.runOnAllNodes), "f", d.specialLoad, "1", c.sc.Now.Format("2006-01-02 15:04:05")))
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
		if h.dev.risOnly || h.noLineGroup {
			continue // a hunt list whose line group is not set has no routelist row
		}
		must(ins("linegroup", h.lgPKID, "LG_"+h.dev.name, 1, 10))
		must(ins("routelist", c.uuid("routelist", h.dev.name), h.dev.pkid, nil, h.lgPKID, 1))
		for i, m := range h.members {
			must(ins("linegroupnumplanmap", c.uuid("lgnpm", h.dev.name+"|"+m.pkid), h.lgPKID, m.pkid, i+1))
		}
	}
	// Patterns point at their route list, trunk, gateway or hunt list: several patterns can
	// share one device and one numplanindex (1).
	for _, l := range c.patterns {
		if l.pat.dest != nil {
			must(ins("devicenumplanmap", c.uuid("dnpm", l.pat.dest.name+"|"+l.pkid), l.pat.dest.pkid, l.pkid, 1, "", "", "", nil, nil))
		}
	}
	for _, g := range c.routeGroups {
		must(ins("routegroup", g.pkid, g.name, g.algo))
		for i, m := range g.members {
			must(ins("routegroupdevicemap", c.uuid("rgdm", g.name+"|"+m.name), g.pkid, m.pkid, i+1, 0))
		}
	}
	for _, rl := range c.routeLists {
		for i, g := range rl.groups {
			must(ins("routelist", c.uuid("routelist", rl.dev.name+"|"+g.name), rl.dev.pkid, g.pkid, nil, i+1))
		}
	}
	for _, m := range c.mgcps {
		must(ins("mgcp", m.pkid, m.domain, m.desc, m.product, c.groups[m.cmg].pkid))
		for i, d := range m.members {
			must(ins("mgcpdevicemember", c.uuid("mgcpdevicemember", d.name), m.pkid, d.pkid, m.slots[i][0], m.slots[i][1], m.slots[i][2]))
		}
	}
	for _, x := range c.defaults {
		must(ins("defaults", x.pkid, x.model.enum, x.proto, x.load))
	}
	must(c.loadRights(ins))
	must(c.loadMirror(ctx, tx, ins))
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

// numplanRow is one numplan row: a directory number with its line CSS and forwards, or a
// pattern with its routing columns (CUCM-API.md §A). Booleans are 't'/'f' as Informix returns
// them; unset forward destinations are NULL.
func (c *cluster) numplanRow(l *simLine) map[string]any {
	row := map[string]any{
		"pkid": l.pkid, "dnorpattern": l.dn, "fkroutepartition": nullIf(c.partitions[l.partition]), "tkpatternusage": l.usage,
		"description": l.desc, "alertingname": "", "iactive": "t", "alertingnameascii": "",
		"blockenable": "f", "tkreleasecausevalue": 0, "patternurgency": "f", "useoriginatorcss": "f", "usecallercss": "f",
		"dontwaitforidtatsubsequenthops": "f", "routenexthopbycgpn": "f", "outsidedialtone": "f", "supportoverlapsending": "f",
		"deviceoverride": "f", "tknetworklocation": 0, "authorizationcoderequired": "f", "authorizationlevelrequired": 0,
		"clientcoderequired": "f", "tkpatternprecedence": 5, "isemergencyservicenumber": "f", "iscallable": "t",
		"tkstatus_usefullyqualcallingpartynum": 2, "tkcfacssactivationpolicy": 0,
		"fkcallingsearchspace_sharedlineappear": nullIf(c.css[l.lineCSS]),
	}
	for _, fw := range []string{"cfb", "cfbint", "cfna", "cfnaint", "cfur", "cfurint", "pff", "pffint"} {
		row[fw+"voicemailenabled"] = "f"
	}
	row["cfdfvoicemailenabled"] = "f"
	if f := l.fwd; f != nil {
		css := nullIf(c.css[f.css])
		for _, fw := range []string{"cfb", "cfbint", "cfna", "cfnaint", "cfur", "cfurint"} {
			row["fkcallingsearchspace_"+fw] = css
		}
		if f.vm {
			for _, fw := range []string{"cfb", "cfbint", "cfna", "cfnaint"} {
				row[fw+"voicemailenabled"] = "t"
			}
		}
		if f.cfurDest != "" {
			row["cfurdestination"], row["cfurintdestination"] = f.cfurDest, f.cfurDest
		}
	}
	if p := l.pat; p != nil {
		row["patternurgency"] = tf(p.urgent)
		if l.usage == usageRoute || l.usage == usageTranslation {
			row["blockenable"] = tf(p.block)
			row["prefixdigitsout"] = nullIf(p.prefix)
			row["calledpartytransformationmask"] = nullIf(p.calledMask)
			row["callingpartytransformationmask"] = nullIf(p.callingMask)
			row["isemergencyservicenumber"] = tf(p.emergency)
			row["fkcallingsearchspace_translation"] = nullIf(c.css[p.css])
			row["useoriginatorcss"] = tf(p.useOrigCSS)
			if p.discard != "" {
				row["fkdigitdiscardinstruction"] = c.uuid("digitdiscardinstruction", p.discard)
			}
			if p.block {
				row["tkreleasecausevalue"] = 1 // XReleaseCauseValue "Unallocated Number" [inf]
			}
		}
		if l.usage == usageRoute {
			row["outsidedialtone"] = "t" // AXL default provideOutsideDialtone true
			if strings.Contains(l.dn, "@") {
				row["fkdialplan"] = c.uuid("dialplan", "NANP")
			}
		}
	}
	return row
}

// allNodes is every processnode but EnterpriseWideData, in scenario order.
func (c *cluster) allNodes() []*simNode {
	out := append(slices.Clone(c.nodes), c.impNodes...)
	slices.SortFunc(out, func(a, b *simNode) int { return a.nodeID - b.nodeID })
	return out
}

// loadRights writes application users, access control groups and roles (CUCM-API.md §F).
func (c *cluster) loadRights(ins func(string, ...any) error) error {
	var errs []error
	must := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	for _, r := range standardRoles {
		must(ins("functionrole", c.uuid("functionrole", r), r))
	}
	group := func(name string, standard bool, roles []string) {
		pk := c.uuid("dirgroup", name)
		must(ins("dirgroup", pk, name, tf(standard)))
		for _, r := range roles {
			must(ins("functionroledirgroupmap", c.uuid("frdgm", name+"|"+r), c.uuid("functionrole", r), pk))
		}
	}
	for _, g := range standardGroups {
		group(g.name, true, g.roles)
	}
	for _, g := range c.customGroups() {
		group(g.name, false, g.roles)
	}
	for _, u := range c.appUsers {
		must(ins("applicationuser", u.pkid, u.name, tf(u.standard), 1, "f", "f", "f", "f", "f"))
		for _, g := range u.groups {
			must(ins("applicationuserdirgroupmap", c.uuid("audgm", u.name+"|"+g), u.pkid, c.uuid("dirgroup", g)))
		}
	}
	return errors.Join(errs...)
}
