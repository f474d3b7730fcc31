package collect

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/cucm-audit/cucm-audit/collect/axl"
	"github.com/cucm-audit/cucm-audit/collect/soap"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// This file reads the AXL side of a snapshot: one keyset-paged executeSQLQuery per CUCM table
// (joined to its type tables by name, never by hard-coded enums), each recorded as a coverage
// item. Real clusters hold more than phones and their lines; the reads below keep each shape
// for what it is (see CUCM-API.md §1.8): devicenumplanmap rows of route patterns and hunt
// pilots are pattern destinations, not line appearances; processnode lists IM and Presence
// nodes and the EnterpriseWideData row, which answer no RisPort query; hunt lists are route-list
// devices whose product is Hunt List, with or without a line group.

// axlRead is one AXL read: a keyset-paged query and the parts of it a release may lack.
type axlRead struct {
	table    string // CUCM table read, named in notes
	q        axl.Query
	optional []optionalPart
}

// optionalPart is a column (and the join it needs) that older releases may not have. When CUCM
// answers that the column or table does not exist, the read starts again without it and says so.
// A part rules depend on has its own coverage item, incomplete when the part was dropped, so
// that those rules are inconclusive instead of judging every row as if the column were empty.
type optionalPart struct {
	name string // the column or table CUCM names when it lacks it
	sel  string // select expressions
	join string // joins, "" when none
	item string // coverage item of the part, "" when no rule depends on it
}

// query is the read with the optional parts that have not been dropped.
func (a axlRead) query(dropped map[string]bool) axl.Query {
	q := a.q
	for _, o := range a.optional {
		if dropped[o.name] {
			continue
		}
		q.Columns += ", " + o.sel
		if o.join != "" {
			q.From += " " + o.join
		}
	}
	return q
}

// itemNotes gathers what one item could not use: rows kept with a note (a duplicate, a value
// that does not parse, an unknown enum) and rows skipped, which make the item incomplete.
type itemNotes struct {
	notes   []string
	skipped int
}

func (n *itemNotes) add(format string, args ...any) {
	n.notes = append(n.notes, fmt.Sprintf(format, args...))
}

func (n *itemNotes) skip(format string, args ...any) {
	n.skipped++
	n.add(format, args...)
}

// text is the notes in one line: the first few in full, then how many more.
func (n *itemNotes) text() string {
	const shown = 5
	if len(n.notes) == 0 {
		return ""
	}
	s := strings.Join(n.notes[:min(shown, len(n.notes))], "; ")
	if len(n.notes) > shown {
		s += fmt.Sprintf("; and %d more", len(n.notes)-shown)
	}
	return s
}

// readResult is what one AXL read gave: rows stored, the query failure (nil when the read
// completed) and the optional parts dropped because the release lacks them.
type readResult struct {
	records int
	failed  error
	dropped map[string]bool
}

// read runs one AXL read into store. A write error, an authentication failure or a cancellation
// is returned (fatal); a query failure is returned in the result, for the caller's coverage. A
// column or table the release lacks drops its optional part and starts the read again, with a
// note.
func (r *run) read(ctx context.Context, item string, a axlRead, notes *itemNotes, store func(axl.Row) error) (readResult, error) {
	r.p.setNow("AXL: %s", a.table)
	dropped := map[string]bool{}
	for {
		var storeErr error
		n := 0
		_, err := r.c.axl.Paged(ctx, a.query(dropped), func(row axl.Row) error {
			err := store(row)
			switch {
			case errors.Is(err, snapshot.ErrDuplicate):
				notes.add("%s %s %s: %s, kept the row read first", a.table, a.q.KeyName, row[a.q.KeyName], duplicateText(err))
			case err != nil:
				storeErr = err
				return err
			default:
				n++
			}
			if n%100 == 0 {
				r.p.set("AXL: %s %s", a.table, rowCount(n))
			}
			return nil
		})
		r.p.setNow("AXL: %s %s", a.table, rowCount(n))
		res := readResult{records: n, dropped: dropped}
		if storeErr != nil {
			return res, storeErr
		}
		if err == nil {
			return res, nil
		}
		if fatal(ctx, err) {
			return res, err
		}
		if soap.IsAuth(err) {
			return res, fmt.Errorf("AXL %s: %w", item, err)
		}
		if n == 0 {
			if o, ok := a.missingPart(err, dropped); ok {
				dropped[o.name] = true
				notes.add("%s: %s is not in this CUCM release's database, read without it", a.table, o.name)
				continue
			}
		}
		r.c.log.Warn("AXL query failed", "item", item, "err", err)
		res.failed = fmt.Errorf("AXL query failed: %w", err)
		return res, nil
	}
}

// rowCount is "1 row", "12,000 rows".
func rowCount(n int) string {
	if n == 1 {
		return "1 row"
	}
	return thousands(n) + " rows"
}

// missingPart is the optional part a "column/table not found" fault names.
func (a axlRead) missingPart(err error, dropped map[string]bool) (optionalPart, bool) {
	name, ok := axl.MissingColumn(err)
	if !ok {
		name, ok = axl.MissingTable(err)
	}
	if !ok {
		return optionalPart{}, false
	}
	for _, o := range a.optional {
		if dropped[o.name] {
			continue
		}
		if o.name == name || name != "" && slices.Contains(identifiers(o.sel+" "+o.join), name) {
			return o, true
		}
	}
	return optionalPart{}, false
}

// identifiers are the lower-case words of a SQL fragment, a table alias's column (d.x) as x.
func identifiers(sql string) []string {
	return strings.FieldsFunc(strings.ToLower(sql), func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_')
	})
}

// duplicateText says which key of a row collided with one already stored ("same name").
func duplicateText(err error) string {
	msg := err.Error()
	i := strings.Index(msg, "constraint failed: ")
	if i < 0 {
		return "answered twice"
	}
	var cols []string
	for _, c := range strings.Split(msg[i+len("constraint failed: "):], ", ") {
		c = strings.TrimSpace(c)
		if _, col, ok := strings.Cut(c, "."); ok {
			c = col
		}
		if c != "snapshot_id" {
			cols = append(cols, c)
		}
	}
	return "same " + strings.Join(cols, " and ") + " as a row already read"
}

// axlItem reads one item and records its coverage: incomplete when the query failed or rows had
// to be skipped, complete with the notes otherwise; and the coverage of its optional parts.
func (r *run) axlItem(ctx context.Context, item string, a axlRead, store func(axl.Row, *itemNotes) error) (bool, error) {
	notes := &itemNotes{}
	res, err := r.read(ctx, item, a, notes, func(row axl.Row) error { return store(row, notes) })
	if err != nil {
		return false, err
	}
	for _, o := range a.optional {
		if o.item == "" {
			continue
		}
		failed := res.failed
		if failed == nil && res.dropped[o.name] {
			failed = fmt.Errorf("%s.%s is not in this CUCM release's database: the rules that need it cannot judge", a.table, o.name)
		}
		if err := r.axlCoverage(ctx, o.item, res.records, failed, &itemNotes{}); err != nil {
			return false, err
		}
	}
	return res.failed == nil, r.axlCoverage(ctx, item, res.records, res.failed, notes)
}

// axlCoverage records one AXL item: failed (the query failed) or rows skipped make it incomplete.
func (r *run) axlCoverage(ctx context.Context, item string, records int, failed error, notes *itemNotes) error {
	cv := snapshot.Coverage{Source: snapshot.SourceAXL, Item: item, Complete: true, Records: records}
	var why []string
	if failed != nil {
		cv.Complete = false
		why = append(why, reasonOf(failed))
	}
	if notes.skipped > 0 {
		cv.Complete = false
		why = append(why, fmt.Sprintf("%d rows could not be used", notes.skipped))
	}
	if t := notes.text(); t != "" {
		why = append(why, t)
	}
	cv.Reason = r.scrub.String(strings.Join(why, "; "))
	if !cv.Complete {
		r.gap("axl "+item, cv.Reason)
	}
	return r.w.SetCoverage(ctx, cv)
}

func truthy(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "t", "true", "1", "y", "yes":
		return true
	}
	return false
}

// number parses an integer column; ok is false when it holds something else.
func number(s string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	return n, err == nil
}

// The AXL reads. Each pages on its table's pkid.
var (
	readNodes = axlRead{table: "processnode", q: axl.Query{
		Columns: `pn.pkid, pn.name, pn.description, pn.isactive, pn.systemnode, tnu.name AS nodeusage`,
		From:    `processnode pn LEFT JOIN typenodeusage tnu ON tnu.enum = pn.tknodeusage`,
		Where:   `pn.name <> 'EnterpriseWideData'`,
		Key:     "pn.pkid", KeyName: "pkid",
	}, optional: []optionalPart{{name: "tkprocessnoderole", sel: "tpr.name AS noderole",
		join: "LEFT JOIN typeprocessnoderole tpr ON tpr.enum = pn.tkprocessnoderole"}}}
	readCMGroupMembers = axlRead{table: "callmanagergroupmember", q: axl.Query{
		Columns: `cmgm.pkid, cmg.name AS cmgroup, pn.name AS node, cmgm.priority`,
		From: `callmanagergroupmember cmgm JOIN callmanagergroup cmg ON cmg.pkid = cmgm.fkcallmanagergroup ` +
			`JOIN callmanager cm ON cm.pkid = cmgm.fkcallmanager JOIN processnode pn ON pn.pkid = cm.fkprocessnode`,
		Key: "cmgm.pkid", KeyName: "pkid",
	}}
	readDevicePools = axlRead{table: "devicepool", q: axl.Query{
		Columns: `dp.pkid, dp.name, cmg.name AS cmgroup, rg.name AS region, loc.name AS location`,
		From: `devicepool dp LEFT JOIN callmanagergroup cmg ON cmg.pkid = dp.fkcallmanagergroup ` +
			`LEFT JOIN region rg ON rg.pkid = dp.fkregion LEFT JOIN location loc ON loc.pkid = dp.fklocation`,
		Key: "dp.pkid", KeyName: "pkid",
	}}
	readUsers = axlRead{table: "enduser", q: axl.Query{
		Columns: `eu.pkid, eu.userid, eu.firstname, eu.lastname, eu.mailid, eu.department, eu.status`,
		From:    `enduser eu`,
		Key:     "eu.pkid", KeyName: "pkid",
	}}
	readLines = axlRead{table: "numplan", q: axl.Query{
		Columns: `np.pkid, np.dnorpattern, rp.name AS partition, np.description, tpu.name AS usage`,
		From: `numplan np LEFT JOIN routepartition rp ON rp.pkid = np.fkroutepartition ` +
			`LEFT JOIN typepatternusage tpu ON tpu.enum = np.tkpatternusage`,
		Key: "np.pkid", KeyName: "pkid",
	}}
	readDeviceNumbers = axlRead{table: "devicenumplanmap", q: axl.Query{
		Columns: `dnpm.pkid, d.name AS device, dnpm.numplanindex, np.pkid AS linepkid, np.dnorpattern, ` +
			`rp.name AS partition, tpu.name AS usage, dnpm.label, dnpm.display`,
		From: `devicenumplanmap dnpm JOIN device d ON d.pkid = dnpm.fkdevice JOIN numplan np ON np.pkid = dnpm.fknumplan ` +
			`LEFT JOIN routepartition rp ON rp.pkid = np.fkroutepartition ` +
			`LEFT JOIN typepatternusage tpu ON tpu.enum = np.tkpatternusage`,
		Key: "dnpm.pkid", KeyName: "pkid",
	}}
	readMGCPGateways = axlRead{table: "mgcp", q: axl.Query{
		Columns: `m.pkid, m.domainname, m.description, tp.name AS product, cmg.name AS cmgroup`,
		From:    `mgcp m LEFT JOIN typeproduct tp ON tp.enum = m.tkproduct LEFT JOIN callmanagergroup cmg ON cmg.pkid = m.fkcallmanagergroup`,
		Key:     "m.pkid", KeyName: "pkid",
	}}
	readMGCPEndpoints = axlRead{table: "mgcpdevicemember", q: axl.Query{
		Columns: `mdm.pkid, mdm.fkdevice, m.domainname`,
		From:    `mgcpdevicemember mdm JOIN mgcp m ON m.pkid = mdm.fkmgcp`,
		Key:     "mdm.pkid", KeyName: "pkid",
	}}
	readDefaultLoads = axlRead{table: "defaults", q: axl.Query{
		Columns: `df.pkid, tm.name AS model, tdp.name AS protocol, df.loadinformation`,
		From: `defaults df LEFT JOIN typemodel tm ON tm.enum = df.tkmodel ` +
			`LEFT JOIN typedeviceprotocol tdp ON tdp.enum = df.tkdeviceprotocol`,
		Key: "df.pkid", KeyName: "pkid",
	}}
	readDevices = axlRead{table: "device", q: axl.Query{
		Columns: `d.pkid, d.name, d.tkclass, tc.name AS class, tm.name AS model, d.tkmodel, tp.name AS product, ` +
			`tdp.name AS protocol, d.description, dp.name AS devicepool, eu.userid AS owner, css.name AS css, ` +
			`loc.name AS location, d.isactive`,
		From: `device d LEFT JOIN typeclass tc ON tc.enum = d.tkclass ` +
			`LEFT JOIN typemodel tm ON tm.enum = d.tkmodel ` +
			`LEFT JOIN typeproduct tp ON tp.enum = d.tkproduct ` +
			`LEFT JOIN typedeviceprotocol tdp ON tdp.enum = d.tkdeviceprotocol ` +
			`LEFT JOIN devicepool dp ON dp.pkid = d.fkdevicepool ` +
			`LEFT JOIN enduser eu ON eu.pkid = d.fkenduser ` +
			`LEFT JOIN callingsearchspace css ON css.pkid = d.fkcallingsearchspace ` +
			`LEFT JOIN location loc ON loc.pkid = d.fklocation`,
		Key: "d.pkid", KeyName: "pkid",
	}, optional: []optionalPart{
		{name: "specialloadinformation", sel: "d.specialloadinformation", item: "load_overrides"},
		{name: "runonallnodes", sel: "d.runonallnodes"},
		{name: "fkprocessnode", sel: "dpn.name AS processnode", join: "LEFT JOIN processnode dpn ON dpn.pkid = d.fkprocessnode"},
	}}
)

// neverRegisters are Phone-class models (typemodel names) that never register as phones: a
// template, and devices that stand for a phone elsewhere (a Webex/Spark remote device, a CTI
// remote device of a mobile or remote destination). They are not phones RisPort must list.
var neverRegisters = []string{"Universal Device Template", "Cisco Spark Remote Device", "CTI Remote Device"}

// RisClass maps an AXL device (typeclass, model, product and protocol names) to the RisPort
// DeviceClass that tracks it, "" when RisPort does not track it. Hunt lists are route-list
// devices whose product (or model) is Hunt List, whether or not a line group is set.
func RisClass(class, model, product, protocol string) string {
	switch class {
	case "Phone":
		switch {
		case model == "CTI Port":
			return "Cti"
		case slices.Contains(neverRegisters, model):
			return ""
		}
		return "Phone"
	case "Gateway":
		if protocol == "H.225" || strings.Contains(model, "H.323") {
			return "H323"
		}
		return "Gateway"
	case "Trunk":
		if protocol == "SIP" || strings.Contains(model, "SIP") {
			return "SIPTrunk"
		}
		return "H323"
	case "CTI Route Point":
		return "Cti"
	case "Voice Mail":
		return "VoiceMail"
	case "Conference Bridge", "Media Termination Point", "Music On Hold", "Tone Announcement Player":
		return "MediaResources"
	case "Route List":
		if product == "Hunt List" || model == "Hunt List" {
			return "HuntList"
		}
	}
	return ""
}

// nodeRole reads typeprocessnoderole's name ("CUCM Voice/Video", "CUCM IM and Presence"); ""
// (a release without the column) is Unified CM, as every node was before IM and Presence
// joined the cluster's processnode table.
func nodeRole(name string) (string, bool) {
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "presence"):
		return snapshot.RoleIMAndPresence, true
	case n == "" || strings.Contains(n, "voice") || strings.Contains(n, "cucm") || strings.Contains(n, "unified cm"):
		return snapshot.RoleUnifiedCM, true
	}
	return snapshot.RoleUnifiedCM, false
}

func (r *run) collectAXL(ctx context.Context) error {
	w := r.w
	if _, err := r.axlItem(ctx, "nodes", readNodes, func(row axl.Row, notes *itemNotes) error {
		if truthy(row["systemnode"]) {
			return nil // a system pseudo node such as EnterpriseWideData under another name
		}
		role, known := nodeRole(row["noderole"])
		if !known {
			notes.add("processnode %s (%s): unknown role %q, taken as %s", row["pkid"], row["name"], row["noderole"], role)
		}
		if role == snapshot.RoleUnifiedCM {
			r.axlNodes = append(r.axlNodes, row["name"])
		}
		return w.AddNode(ctx, snapshot.Node{Name: row["name"], Description: row["description"],
			IsPublisher: strings.EqualFold(strings.TrimSpace(row["nodeusage"]), "Publisher"),
			IsActive:    row["isactive"] == "" || truthy(row["isactive"]), Role: role})
	}); err != nil {
		return err
	}
	// CUCM numbers priorities from 0 or 1 depending on the tool that wrote them; the snapshot
	// stores the rank within the group, 1 being the primary.
	var members []snapshot.CMGroupMember
	firstOf := map[string]string{}     // CallManager group → its primary node
	groupOfPool := map[string]string{} // device pool → CallManager group
	membersNotes := &itemNotes{}
	res, err := r.read(ctx, "cm_groups", readCMGroupMembers, membersNotes, func(row axl.Row) error {
		p, ok := number(row["priority"])
		if !ok {
			membersNotes.skip("callmanagergroupmember %s: priority %q is not a number", row["pkid"], row["priority"])
			return nil
		}
		members = append(members, snapshot.CMGroupMember{CMGroup: row["cmgroup"], Node: row["node"], Priority: p})
		r.cmNodes[row["node"]] = true
		return nil
	})
	if err != nil {
		return err
	}
	sort.SliceStable(members, func(i, j int) bool {
		if members[i].CMGroup != members[j].CMGroup {
			return members[i].CMGroup < members[j].CMGroup
		}
		return members[i].Priority < members[j].Priority
	})
	for i, m := range members {
		if i == 0 || members[i-1].CMGroup != m.CMGroup {
			m.Priority = 1
			firstOf[m.CMGroup] = m.Node
		} else {
			m.Priority = members[i-1].Priority + 1
		}
		members[i] = m
		if err := w.AddCMGroupMember(ctx, m); errors.Is(err, snapshot.ErrDuplicate) {
			membersNotes.add("node %s is in CallManager group %s twice, kept once", m.Node, m.CMGroup)
		} else if err != nil {
			return err
		}
	}
	if err := r.axlCoverage(ctx, "cm_groups", res.records, res.failed, membersNotes); err != nil {
		return err
	}
	if _, err := r.axlItem(ctx, "device_pools", readDevicePools, func(row axl.Row, _ *itemNotes) error {
		groupOfPool[row["name"]] = row["cmgroup"]
		return w.AddDevicePool(ctx, snapshot.DevicePool{Name: row["name"], CMGroup: row["cmgroup"], Region: row["region"], Location: row["location"]})
	}); err != nil {
		return err
	}
	if _, err := r.axlItem(ctx, "users", readUsers, func(row axl.Row, notes *itemNotes) error {
		if strings.TrimSpace(row["userid"]) == "" {
			notes.skip("enduser %s has no userid", row["pkid"])
			return nil
		}
		return w.AddUser(ctx, snapshot.User{UserID: row["userid"], FirstName: row["firstname"], LastName: row["lastname"],
			Mail: row["mailid"], Department: row["department"], Status: row["status"]})
	}); err != nil {
		return err
	}
	if _, err := r.axlItem(ctx, "lines", readLines, func(row axl.Row, notes *itemNotes) error {
		if row["usage"] == "" {
			notes.add("numplan %s (%s): unknown pattern usage", row["pkid"], row["dnorpattern"])
		}
		return w.AddLine(ctx, snapshot.Line{PKID: row["pkid"], DN: row["dnorpattern"], Partition: row["partition"],
			Description: row["description"], Usage: row["usage"]})
	}); err != nil {
		return err
	}
	if err := r.collectDeviceNumbers(ctx); err != nil {
		return err
	}
	if err := r.collectFirmware(ctx); err != nil {
		return err
	}
	mgcpOf, err := r.collectMGCP(ctx)
	if err != nil {
		return err
	}
	ok, err := r.axlItem(ctx, "devices", readDevices, func(row axl.Row, notes *itemNotes) error {
		if strings.TrimSpace(row["name"]) == "" {
			notes.skip("device %s has no name", row["pkid"])
			return nil
		}
		modelEnum, _ := number(row["tkmodel"])
		d := snapshot.Device{PKID: row["pkid"], Name: row["name"], Class: row["class"], Model: row["model"],
			ModelEnum: modelEnum, Product: row["product"], Protocol: row["protocol"], Description: row["description"],
			DevicePool: row["devicepool"], Owner: row["owner"], CSS: row["css"], Location: row["location"],
			IsActive: row["isactive"] == "" || truthy(row["isactive"]), LoadOverride: strings.TrimSpace(row["specialloadinformation"]),
			RunOnAllNodes: truthy(row["runonallnodes"]), ProcessNode: row["processnode"], MGCPGateway: mgcpOf[strings.ToLower(row["pkid"])]}
		if d.Class == "" {
			notes.add("device %s (%s): unknown class %q", row["pkid"], d.Name, row["tkclass"])
		}
		d.RisClass = RisClass(d.Class, d.Model, d.Product, d.Protocol)
		if err := w.AddDevice(ctx, d); err != nil {
			return err
		}
		if d.RisClass != "" {
			r.axlByRis[d.RisClass] = append(r.axlByRis[d.RisClass], d.Name)
			r.axlPKIDs[d.RisClass] = append(r.axlPKIDs[d.RisClass], pkidKey(d.PKID))
			// Only devices that register make their pool's primary node one RisPort must answer for.
			if n := firstOf[groupOfPool[d.DevicePool]]; n != "" {
				r.primaries[n] = true
			}
		}
		r.axlCount[d.RisClass]++
		r.axlDevices++
		return nil
	})
	if err != nil {
		return err
	}
	r.devicesOK = ok
	return r.collectMirror(ctx)
}

// collectDeviceNumbers reads devicenumplanmap once and keeps each row for what it is: a line
// appearance when its number is a directory number (pattern usage Device), a pattern
// destination otherwise (a route pattern's route list, gateway or trunk; a hunt pilot's hunt
// list). Several route patterns may point at one route list with the same numplanindex.
func (r *run) collectDeviceNumbers(ctx context.Context) error {
	lineNotes, patternNotes := &itemNotes{}, &itemNotes{}
	lines, patterns := 0, 0
	res, err := r.read(ctx, "line_appearances", readDeviceNumbers, lineNotes, func(row axl.Row) error {
		switch row["usage"] {
		case "Device":
			idx, ok := number(row["numplanindex"])
			if !ok {
				lineNotes.skip("devicenumplanmap %s (device %s): numplanindex %q is not a number", row["pkid"], row["device"], row["numplanindex"])
				return nil
			}
			err := r.w.AddLineAppearance(ctx, snapshot.LineAppearance{Device: row["device"], Index: idx,
				LinePKID: row["linepkid"], DN: row["dnorpattern"], Partition: row["partition"], Label: row["label"], Display: row["display"]})
			if errors.Is(err, snapshot.ErrDuplicate) {
				lineNotes.add("devicenumplanmap %s: device %s has a second number on line %d, kept the first", row["pkid"], row["device"], idx)
				return nil
			}
			if err == nil {
				lines++
			}
			return err
		case "":
			// A number whose usage is unknown cannot be told to be a line or a pattern: the line
			// appearances are incomplete rather than a phone reported without its line.
			lineNotes.skip("devicenumplanmap %s (device %s, number %s): unknown pattern usage", row["pkid"], row["device"], row["dnorpattern"])
			return nil
		}
		err := r.w.AddPatternDestination(ctx, snapshot.PatternDestination{PatternPKID: row["linepkid"], Pattern: row["dnorpattern"],
			Partition: row["partition"], Usage: row["usage"], Device: row["device"]})
		if errors.Is(err, snapshot.ErrDuplicate) {
			patternNotes.add("devicenumplanmap %s: %s %s points at %s twice, kept once", row["pkid"], row["usage"], row["dnorpattern"], row["device"])
			return nil
		}
		if err == nil {
			patterns++
		}
		return err
	})
	if err != nil {
		return err
	}
	if err := r.axlCoverage(ctx, "line_appearances", lines, res.failed, lineNotes); err != nil {
		return err
	}
	return r.axlCoverage(ctx, "pattern_destinations", patterns, res.failed, patternNotes)
}

// collectFirmware reads the Device Defaults loads (the load a model runs unless the device names
// its own in specialloadinformation, read with the devices).
func (r *run) collectFirmware(ctx context.Context) error {
	_, err := r.axlItem(ctx, "default_loads", readDefaultLoads, func(row axl.Row, notes *itemNotes) error {
		if row["model"] == "" {
			notes.skip("defaults %s: unknown model", row["pkid"])
			return nil
		}
		return r.w.AddDefaultLoad(ctx, snapshot.DefaultLoad{Model: row["model"], Protocol: row["protocol"],
			Load: strings.TrimSpace(row["loadinformation"])})
	})
	return err
}

// collectMGCP reads the MGCP gateways (their CallManager group governs where their endpoints
// register, not the endpoints' device pools) and which gateway each endpoint belongs to,
// returned by endpoint pkid for the devices read.
func (r *run) collectMGCP(ctx context.Context) (map[string]string, error) {
	notes := &itemNotes{}
	res, err := r.read(ctx, "mgcp_gateways", readMGCPGateways, notes, func(row axl.Row) error {
		return r.w.AddMGCPGateway(ctx, snapshot.MGCPGateway{DomainName: row["domainname"], Description: row["description"],
			Product: row["product"], CMGroup: row["cmgroup"]})
	})
	if err != nil {
		return nil, err
	}
	endpoints := map[string]string{}
	failed := res.failed
	if failed == nil {
		eps, err := r.read(ctx, "mgcp_gateways", readMGCPEndpoints, notes, func(row axl.Row) error {
			endpoints[strings.ToLower(row["fkdevice"])] = row["domainname"]
			return nil
		})
		if err != nil {
			return nil, err
		}
		failed = eps.failed
	}
	return endpoints, r.axlCoverage(ctx, "mgcp_gateways", res.records, failed, notes)
}
