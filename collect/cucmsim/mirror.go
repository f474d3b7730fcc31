package cucmsim

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// This file models the tables the collection manifest mirrors that the inventory reads never
// needed (CUCM-API.md A.3, G, H): security profiles and their type tables, route filter members,
// release causes, registration history, end users' access control groups; and the fault a real
// cluster answers when the AXL user may not read a table. Rows come from the cluster already
// generated, never from a random stream the devices use.

const mirrorSchemaSQL = `
CREATE TABLE typereleasecausevalue (enum INTEGER PRIMARY KEY, name TEXT, moniker TEXT);
CREATE TABLE typedevicesecuritymode (enum INTEGER PRIMARY KEY, name TEXT, moniker TEXT);
CREATE TABLE typetransport (enum INTEGER PRIMARY KEY, name TEXT, moniker TEXT);
CREATE TABLE securityprofile (pkid TEXT PRIMARY KEY, name TEXT, description TEXT, isstandard TEXT, tkdevicesecuritymode INTEGER, tktransport INTEGER, tktransport_out INTEGER, tksecuritypolicy INTEGER, digestauthall TEXT, tftpencryptedflag TEXT, incomingport INTEGER);
CREATE TABLE routefiltermember (pkid TEXT PRIMARY KEY, fkroutefilter TEXT, fkdialplantag TEXT, tkoperator INTEGER, digits TEXT, precedence INTEGER);
`

// registrationDynamicSQL exists from CUCM 11.5 on (CUCM-API.md H); older releases lack it.
const registrationDynamicSQL = `
CREATE TABLE registrationdynamic (pkid TEXT PRIMARY KEY, fkdevice TEXT, lastknownipaddress TEXT, lastknownucm TEXT, datetimestamp INTEGER, lastknownconfigversion TEXT, locationdetails TEXT, tkendpointconnection INTEGER, portorssid TEXT, lastseen INTEGER, lastactive INTEGER, tkrisstatus INTEGER);
`

// The enum numbers of these type tables are not verified on a real cluster (CUCM-API.md L): the
// collector joins them by name, and so does every view built on them.
var (
	releaseCauses   = []string{"No Error", "Unallocated Number", "Call Rejected", "Number Changed", "Invalid Number Format", "Precedence Level Exceeded"}
	securityModes   = []string{"", "Non Secure", "Authenticated", "Encrypted"}
	transports      = []string{"", "TCP", "UDP", "TLS", "TCP+UDP"}
	risStatusByName = map[string]int{"Registered": 1, "UnRegistered": 2, "Rejected": 3, "PartiallyRegistered": 4}
)

// hasRegistrationDynamic reports whether the scenario's release has registrationdynamic (11.5+).
func (c *cluster) hasRegistrationDynamic() bool {
	major, rest, _ := strings.Cut(c.sc.Version, ".")
	m, err := strconv.Atoi(major)
	if err != nil {
		return true
	}
	minor, _, _ := strings.Cut(rest, ".")
	return m > 11 || m == 11 && minor >= "5"
}

// loadMirror creates and fills the tables of this file, and sets each device's security profile.
func (c *cluster) loadMirror(ctx context.Context, tx *sql.Tx, ins func(string, ...any) error) error {
	schema := mirrorSchemaSQL
	if c.hasRegistrationDynamic() {
		schema += registrationDynamicSQL
	}
	if _, err := tx.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("creating the mirrored tables: %w", err)
	}
	var errs []error
	must := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	for i, n := range releaseCauses {
		must(ins("typereleasecausevalue", i, n, moniker(n)))
	}
	for i, n := range securityModes {
		if n != "" {
			must(ins("typedevicesecuritymode", i, n, moniker(n)))
		}
	}
	for i, n := range transports {
		if n != "" {
			must(ins("typetransport", i, n, moniker(n)))
		}
	}
	// Security profiles: the model-independent phone profile every phone uses, the standard
	// non-secure SIP trunk profile, and a TLS profile for the trunks to the SBCs (CUBE).
	type profile struct {
		name, desc           string
		standard             bool
		mode, tin, tout, pol int
		digest, tftpEnc      bool
	}
	profiles := []profile{
		{"Universal Device Template - Model-independent Security Profile", "Non Secure profile for all phones", true, 1, 4, 4, 4, false, false},
		{"Non Secure SIP Trunk Profile", "Non Secure SIP Trunk Profile authenticated by null String", true, 1, 4, 4, 1, false, false},
		{"SIP Trunk Profile TLS SBC", "Encrypted TLS to the session border controllers", false, 3, 3, 3, 1, true, false},
	}
	pk := func(name string) string { return c.uuid("securityprofile", name) }
	for _, p := range profiles {
		must(ins("securityprofile", pk(p.name), p.name, p.desc, tf(p.standard), p.mode, p.tin, p.tout, p.pol, tf(p.digest), tf(p.tftpEnc), 5060+2*boolInt(p.mode == 3)))
	}
	if _, err := tx.ExecContext(ctx, `UPDATE device SET fksecurityprofile = ? WHERE tkclass = 1`, pk(profiles[0].name)); err != nil {
		must(err)
	}
	for _, d := range c.devices {
		if d.risOnly || d.typeClass() != 18 {
			continue
		}
		prof, srtp := profiles[1].name, "f"
		if strings.Contains(strings.ToUpper(d.name), "CUBE") {
			prof, srtp = profiles[2].name, "t"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE device SET fksecurityprofile = ?, srtpallowed = ? WHERE pkid = ?`, pk(prof), srtp, d.pkid); err != nil {
			must(err)
		}
	}
	if c.hasRegistrationDynamic() {
		for _, d := range c.devices {
			if d.risOnly || len(d.ris) == 0 {
				continue
			}
			newest := d.ris[0]
			for _, r := range d.ris {
				if r.ts > newest.ts {
					newest = r
				}
			}
			node := ""
			if newest.node >= 0 && newest.node < len(c.nodes) {
				node = c.nodes[newest.node].name
			}
			status := risStatusByName[newest.status]
			lastSeen := newest.ts
			must(ins("registrationdynamic", c.uuid("registrationdynamic", d.name), d.pkid, nullIf(newest.ip), node, newest.ts,
				"", "UNIDENTIFIED", nil, "", lastSeen, lastSeen, status))
		}
	}
	// End users in access control groups: every active end user is a Standard CCM End User.
	endUsers := c.uuid("dirgroup", "Standard CCM End Users")
	must(ins("dirgroup", endUsers, "Standard CCM End Users", "t"))
	for _, r := range []string{"Standard CCM End Users", "Standard CCMUSER Administration"} {
		if !slices.Contains(standardRoles, r) {
			must(ins("functionrole", c.uuid("functionrole", r), r))
		}
		must(ins("functionroledirgroupmap", c.uuid("frdgm", "Standard CCM End Users|"+r), c.uuid("functionrole", r), endUsers))
	}
	for _, u := range c.users {
		if u.status == 1 {
			must(ins("enduserdirgroupmap", c.uuid("eudgm", u.userid+"|end"), u.pkid, endUsers))
		}
	}
	return errors.Join(errs...)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// deniedTable is the first table of a query the scenario refuses to the AXL user, "" when none.
// CUCM answers such a read with Informix's privilege error, -272 "No SELECT permission".
func deniedTable(q string, denied []string) string {
	if len(denied) == 0 {
		return ""
	}
	toks, err := lexSQL(q)
	if err != nil {
		return ""
	}
	for i, t := range toks {
		if t.kind == 'w' && i > 0 && (toks[i-1].is("from") || toks[i-1].is("join")) {
			name := strings.ToLower(t.text)
			if slices.Contains(denied, name) {
				return name
			}
		}
	}
	return ""
}

// applyLineCSSRanges sets the line CSS of the lines whose DN falls in a range (no random
// stream: the devices and the other lines stay as they are).
func applyLineCSSRanges(lines []*simLine, ranges []LineCSSRange) {
	for _, l := range lines {
		n, err := strconv.Atoi(l.dn)
		if err != nil {
			continue
		}
		for _, r := range ranges {
			if n >= r.From && n <= r.To {
				l.lineCSS = r.CSS
			}
		}
	}
}
