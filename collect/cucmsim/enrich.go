package cucmsim

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// This file adds what a real cluster holds beyond the devices RisPort tracks: dial plan,
// templates, software media resources, MGCP gateways, firmware defaults, users' status and
// application users. Everything here runs after the device groups and explicit devices were
// generated and draws from its own random streams, so it never changes a generated device,
// line, owner or RisPort entry.

// patternInfo holds the numplan columns of route and translation patterns and hunt pilots.
type patternInfo struct {
	dest                                     *simDevice // devicenumplanmap target: route list, trunk, gateway or hunt list
	css                                      string     // fkcallingsearchspace_translation
	discard, prefix, calledMask, callingMask string
	block, urgent, emergency, useOrigCSS     bool
}

// lineForward holds the forward settings of a directory number.
type lineForward struct {
	vm       bool   // cfb/cfna (and internal) to voicemail
	cfurDest string // forward unregistered
	cfaDest  string // callforwarddynamic.cfadestination
	css      string
}

type simRouteGroup struct {
	name, pkid string
	algo       int // typedistributealgorithm.enum
	members    []*simDevice
}

type simRouteList struct {
	dev    *simDevice
	groups []*simRouteGroup
}

type simMGCP struct {
	pkid, domain, desc string
	product            int
	chassis            modelInfo // the gateway's own product
	cmg                int
	members            []*simDevice
	slots              [][3]int // slot, subunit, port per member
}

type simDefault struct {
	pkid  string
	model modelInfo
	proto int
	load  string
}

type simAppUser struct {
	pkid, name string
	standard   bool
	groups     []string // dirgroup names
}

// customGroup is a custom access control group with its roles.
type customGroup struct {
	name  string
	roles []string
}

var mgcpPortRE = regexp.MustCompile(`S(\d+)/SU(\d+)/(?:DS1-)?(\d+)`)

func (c *cluster) enrich(addLine func(dn, partition, desc string, usage int, where string) (*simLine, error),
	addDevice func(d *simDevice, where string) error, ipFor func(int) string) error {
	sc := c.sc
	now := sc.Now.Unix()

	// Users: LDAP-synced, and a few phone owners deleted in LDAP (status 2) who still own phones.
	for _, u := range c.users {
		u.ldap = sc.Users.LDAPSynced
	}
	var owners []*simUser
	seen := map[*simUser]bool{}
	for _, d := range c.devices {
		if d.owner != nil && d.model.risClass == "Phone" && !d.risOnly && !seen[d.owner] {
			seen[d.owner] = true
			owners = append(owners, d.owner)
		}
	}
	for i := range pickSet(c.rng("inactive-owners", 0), len(owners), sc.Users.InactiveOwners) {
		owners[i].status = 2
		owners[i].ldap = true
	}

	// Trunks that run on all nodes.
	byGroup := map[string][]*simDevice{}
	for _, d := range c.devices {
		if d.group != "" {
			byGroup[d.group] = append(byGroup[d.group], d)
		}
	}
	for gi, g := range sc.DeviceGroups {
		if g.RunOnAllNodes.Count == 0 {
			continue
		}
		devs := byGroup[g.Name]
		for i := range pickSet(c.rng("runonallnodes:"+g.Name, gi), len(devs), g.RunOnAllNodes.Count) {
			d := devs[i]
			d.runOnAllNodes = true
			if g.RunOnAllNodes.RisPort != "every_node" || len(d.ris) == 0 {
				continue
			}
			newest := d.ris[0]
			for _, r := range d.ris {
				if r.ts > newest.ts {
					newest = r
				}
			}
			for n := range c.nodes {
				if !slices.ContainsFunc(d.ris, func(r *risRow) bool { return r.node == n }) {
					cp := *newest
					cp.node = n
					d.ris = append(d.ris, &cp)
				}
			}
		}
	}

	// MGCP gateways: one mgcp row per domain name (the part after @ of the endpoint names).
	mgcpByDomain := map[string]*simMGCP{}
	for _, d := range c.devices {
		at := strings.LastIndex(d.name, "@")
		if d.risOnly || d.model.typeClass != 2 || protocolName(d.protoEnum) != "MGCP" || at < 0 {
			continue
		}
		dom := d.name[at+1:]
		m := mgcpByDomain[dom]
		if m == nil {
			cmg := c.pools[d.pool].cmg
			if gi := slices.IndexFunc(sc.DeviceGroups, func(g DeviceGroup) bool { return g.Name == d.group }); gi >= 0 && sc.DeviceGroups[gi].MGCPCMGroup != "" {
				cmg = slices.IndexFunc(c.groups, func(g *simCMG) bool { return g.name == sc.DeviceGroups[gi].MGCPCMGroup })
			}
			m = &simMGCP{pkid: c.uuid("mgcp", dom), domain: dom, desc: strings.TrimPrefix(d.model.name, "Cisco ") + " " + strings.SplitN(dom, ".", 2)[0],
				product: d.model.productEnum(), cmg: cmg}
			mgcpByDomain[dom] = m
			c.mgcps = append(c.mgcps, m)
		}
		var slot [3]int
		if sm := mgcpPortRE.FindStringSubmatch(d.name[:at]); sm != nil {
			for k := range 3 {
				slot[k], _ = strconv.Atoi(sm[k+1])
			}
		}
		m.members = append(m.members, d)
		m.slots = append(m.slots, slot)
		d.mgcp = m
		m.chassis = d.model
		d.model = mgcpEndpointModel(d.name)
		// An MGCP endpoint registers where its gateway registers: to the gateway's CallManager
		// group, not its device pool's. presence placed it by the pool; move each entry to the
		// node of the same rank in the gateway's group.
		if pool, gw := c.groups[c.pools[d.pool].cmg], c.groups[m.cmg]; pool != gw && len(gw.nodes) > 0 {
			kept := d.ris[:0]
			for _, row := range d.ris {
				rank := max(slices.Index(pool.nodes, row.node), 0)
				row.node = gw.nodes[min(rank, len(gw.nodes)-1)]
				if !slices.ContainsFunc(kept, func(k *risRow) bool { return k.node == row.node }) {
					kept = append(kept, row) // a one-node group cannot list the device twice
				}
			}
			d.ris = kept
		}
	}

	// Templates and profiles: phone-class rows that never register.
	t := sc.Templates
	newDev := func(name string, info modelInfo, pool int, tkclass int) *simDevice {
		pe, pr, _ := protocolByName(info.protocol)
		loc := "Hub_None"
		if pool >= 0 {
			loc = c.pools[pool].location
		}
		return &simDevice{pkid: c.uuid("device", name), name: name, desc: name, model: info, protoEnum: pe, protoRis: pr,
			pool: pool, location: loc, tkclass: tkclass}
	}
	udt, _ := modelByName("Universal Device Template")
	for i := range t.UniversalDeviceTemplates {
		d := newDev(fmt.Sprintf("UDT_Template_%02d", i+1), udt, 0, 0)
		d.desc = fmt.Sprintf("Universal device template %d", i+1)
		if err := addDevice(d, sc.File+": templates.universal_device_templates"); err != nil {
			return err
		}
	}
	for i, tg := range t.DeviceProfiles {
		info, _ := modelByName(tg.Model)
		for k := range tg.Count {
			d := newDev(fmt.Sprintf("UDP_%s_%03d", strings.TrimPrefix(info.name, "Cisco "), k+1), info, -1, 254)
			d.desc = "Extension Mobility profile " + strconv.Itoa(k+1)
			where := fmt.Sprintf("%s: templates.device_profiles[%d]", sc.File, i)
			if tg.DNStart != 0 {
				l, err := addLine(strconv.Itoa(tg.DNStart+k), tg.Partition, "", usageDevice, where)
				if err != nil {
					return fmt.Errorf("%s: %w", where, err)
				}
				d.lines = append(d.lines, l)
			}
			if err := addDevice(d, where); err != nil {
				return err
			}
		}
	}
	for i, tg := range t.PhoneTemplates {
		info, _ := modelByName(tg.Model)
		for k := range tg.Count {
			d := newDev(fmt.Sprintf("BAT_%s_%02d", strings.TrimPrefix(info.name, "Cisco "), k+1), info, 0, 253)
			if err := addDevice(d, fmt.Sprintf("%s: templates.phone_templates[%d]", sc.File, i)); err != nil {
				return err
			}
		}
	}

	// Software media resources, one of each per Unified CM node, registered to that node only.
	if m := sc.SoftwareMediaResources; m.DevicePool != "" {
		r := c.rng("software-media", 0)
		pool := c.poolIndex[m.DevicePool]
		for _, n := range c.nodes {
			for _, k := range []struct{ prefix, model string }{{"CFB", "Cisco Conference Bridge Software"},
				{"MTP", "Cisco Media Termination Point Software"}, {"ANN", "Annunciator"}, {"MOH", "Music On Hold"}} {
				info, _ := modelByName(k.model)
				d := newDev(fmt.Sprintf("%s_%d", k.prefix, n.nodeID), info, pool, 0)
				d.procNode = n
				if m.RisPort {
					d.ris = append(d.ris, &risRow{dev: d, node: c.nodeIndex[n.name], status: "Registered",
						ts: now - int64(r.IntN(30*86400)), ip: n.ip})
				}
				if err := addDevice(d, sc.File+": software_media_resources"); err != nil {
					return err
				}
			}
		}
	}

	if err := c.dialPlan(addLine, addDevice); err != nil {
		return err
	}
	c.firmware()
	c.applicationUsers()
	return nil
}

func (c *cluster) dialPlan(addLine func(dn, partition, desc string, usage int, where string) (*simLine, error),
	addDevice func(d *simDevice, where string) error) error {
	sc := c.sc
	dp := sc.DialPlan
	rgs := map[string]*simRouteGroup{}
	for i, g := range dp.RouteGroups {
		rg := &simRouteGroup{name: g.Name, pkid: c.uuid("routegroup", g.Name), algo: slices.Index(distributeAlgorithms, g.Algorithm)}
		for j, m := range g.Members {
			d := c.byName[strings.ToUpper(m)]
			if d == nil || d.risOnly || (d.typeClass() != 2 && d.typeClass() != 18) {
				return fmt.Errorf("%s: dial_plan.route_groups[%d].members[%d]: %q is not a trunk or gateway of the scenario", sc.File, i, j, m)
			}
			rg.members = append(rg.members, d)
		}
		rgs[g.Name] = rg
		c.routeGroups = append(c.routeGroups, rg)
	}
	rlInfo, _ := modelByName("Route List")
	for i, l := range dp.RouteLists {
		pe, pr, _ := protocolByName(rlInfo.protocol)
		pool := c.poolIndex[l.DevicePool]
		d := &simDevice{pkid: c.uuid("device", l.Name), name: l.Name, desc: l.Name, model: rlInfo, protoEnum: pe, protoRis: pr,
			pool: pool, location: c.pools[pool].location, runOnAllNodes: l.RunOnAllNodes}
		rl := &simRouteList{dev: d}
		for _, g := range l.RouteGroups {
			rl.groups = append(rl.groups, rgs[g])
		}
		d.routeList = rl
		if err := addDevice(d, fmt.Sprintf("%s: dial_plan.route_lists[%d]", sc.File, i)); err != nil {
			return err
		}
		c.routeLists = append(c.routeLists, rl)
	}
	for i, rp := range dp.RoutePatterns {
		where := fmt.Sprintf("%s: dial_plan.route_patterns[%d]", sc.File, i)
		dest := c.byName[strings.ToUpper(rp.Destination)]
		if dest == nil || dest.risOnly || (dest.routeList == nil && dest.typeClass() != 2 && dest.typeClass() != 18) {
			return fmt.Errorf("%s: destination %q is not a route list, trunk or gateway of the scenario", where, rp.Destination)
		}
		for k := range rp.Count {
			l, err := addLine(expandName(rp.Pattern, k, ""), rp.Partition, expandName(rp.Description, k, ""), usageRoute, where)
			if err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			l.pat = &patternInfo{dest: dest, discard: rp.Discard, prefix: rp.PrefixDigits, calledMask: rp.CalledMask,
				callingMask: rp.CallingMask, block: rp.Block, urgent: rp.Urgent, emergency: rp.Emergency}
			c.patterns = append(c.patterns, l)
		}
	}
	for i, tp := range dp.TranslationPatterns {
		where := fmt.Sprintf("%s: dial_plan.translation_patterns[%d]", sc.File, i)
		for k := range tp.Count {
			l, err := addLine(expandName(tp.Pattern, k, ""), tp.Partition, expandName(tp.Description, k, ""), usageTranslation, where)
			if err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			l.pat = &patternInfo{css: tp.CSS, discard: tp.Discard, prefix: tp.PrefixDigits, calledMask: tp.CalledMask,
				block: tp.Block, urgent: tp.Urgent, useOrigCSS: tp.UseOriginatorCSS}
			c.patterns = append(c.patterns, l)
		}
	}
	if hp := dp.HuntPilots; hp.Count > 0 {
		var lists []*huntList
		for _, h := range c.huntLists {
			if !h.dev.risOnly {
				lists = append(lists, h)
			}
		}
		start := hp.Start
		if start == 0 {
			start = c.nextDN
		}
		part := hp.Partition
		if part == "" && len(lists) > 0 && len(lists[0].dev.lines) > 0 {
			part = lists[0].dev.lines[0].partition
		}
		for k := range hp.Count {
			h := lists[k%len(lists)]
			l, err := addLine(strconv.Itoa(start+k), part, "Pilot for "+h.dev.name, usageHuntPilot, "dial_plan.hunt_pilots")
			if err != nil {
				return fmt.Errorf("%s: dial_plan.hunt_pilots: %w", sc.File, err)
			}
			l.pat = &patternInfo{dest: h.dev}
			h.pilots = append(h.pilots, l)
			c.patterns = append(c.patterns, l)
		}
	}
	// The hunt lists' own pilots (their lines) point at them too.
	for _, h := range c.huntLists {
		for _, l := range h.dev.lines {
			if l.pat == nil {
				l.pat = &patternInfo{dest: h.dev}
			}
		}
	}

	// Line CSS and forwarding of phone lines.
	f := dp.Forwarding
	r := c.rng("forwarding", 0)
	var devLines []*simLine
	for _, d := range c.devices {
		if d.risOnly || d.typeClass() != 1 || d.model.risClass != "Phone" {
			continue
		}
		for _, l := range d.lines {
			if l.fwd != nil {
				continue // a shared line
			}
			l.lineCSS = dp.LineCSS
			l.fwd = &lineForward{css: f.CSS}
			if d.owner != nil && r.Float64() < f.VoicemailFraction {
				l.fwd.vm = true
			}
			if d.owner == nil {
				l.fwd.cfurDest = f.CFURDestination
			}
			devLines = append(devLines, l)
		}
	}
	applyLineCSSRanges(devLines, dp.LineCSSRanges)
	dest := f.CFAllDestination
	for i := range pickSet(r, len(devLines), f.CFAll) {
		l := devLines[i]
		l.fwd.cfaDest = dest
		if dest == "" {
			l.fwd.cfaDest = "0" + l.dn // an outside number
		}
	}
	return nil
}

// firmware sets load overrides and computes the defaults table.
func (c *cluster) firmware() {
	sc := c.sc
	newest := func(d *simDevice) *risRow {
		var best *risRow
		for _, r := range d.ris {
			if best == nil || r.ts > best.ts {
				best = r
			}
		}
		return best
	}
	for _, o := range sc.Firmware.Overrides {
		info, _ := modelByName(o.Model)
		running := cmp.Or(o.Running, o.Load)
		var cand []*simDevice
		for _, d := range c.devices {
			if d.group == o.Group && d.model.name == info.name && !d.risOnly {
				if r := newest(d); r != nil && r.active == running {
					cand = append(cand, d)
				}
			}
		}
		slices.SortFunc(cand, func(a, b *simDevice) int { return strings.Compare(a.name, b.name) })
		if o.Count > 0 && o.Count < len(cand) {
			cand = cand[:o.Count]
		}
		for _, d := range cand {
			d.specialLoad = o.Load
		}
	}
	type key struct{ model, proto int }
	explicit := map[key]string{}
	var order []key
	for _, d := range sc.Firmware.Defaults {
		info, _ := modelByName(d.Model)
		pe, _, _ := protocolByName(cmp.Or(d.Protocol, info.protocol))
		k := key{info.enum, pe}
		if _, dup := explicit[k]; !dup {
			order = append(order, k)
		}
		explicit[k] = d.Load
	}
	counts := map[key]map[string]int{}
	infos := map[key]modelInfo{}
	for _, d := range c.devices {
		k := key{d.model.enum, d.protoEnum}
		if _, ok := infos[k]; !ok {
			infos[k] = d.model
		}
		r := newest(d)
		if d.risOnly || d.specialLoad != "" || r == nil || r.active == "" {
			continue
		}
		if counts[k] == nil {
			counts[k] = map[string]int{}
			if _, ok := explicit[k]; !ok {
				order = append(order, k)
			}
		}
		counts[k][r.active]++
	}
	for _, d := range sc.Firmware.Defaults {
		info, _ := modelByName(d.Model)
		pe, _, _ := protocolByName(cmp.Or(d.Protocol, info.protocol))
		infos[key{info.enum, pe}] = info
	}
	slices.SortFunc(order, func(a, b key) int { return cmp.Or(cmp.Compare(a.model, b.model), cmp.Compare(a.proto, b.proto)) })
	for _, k := range order {
		load, ok := explicit[k]
		if !ok {
			best := 0
			for l, n := range counts[k] {
				if n > best || n == best && l < load {
					load, best = l, n
				}
			}
		}
		c.defaults = append(c.defaults, &simDefault{pkid: c.uuid("defaults", fmt.Sprint(k.model, "|", k.proto)), model: infos[k], proto: k.proto, load: load})
	}
}

// defaultLoad is the defaults row's load of a device's model and protocol.
func (c *cluster) defaultLoad(d *simDevice) string {
	for _, x := range c.defaults {
		if x.model.enum == d.model.enum && x.proto == d.protoEnum {
			return x.load
		}
	}
	return ""
}

// applicationUsers creates the standard application users, the scenario's AXL user (in a
// custom read-only group, as the simulator refuses writes) and the scenario's extra ones.
func (c *cluster) applicationUsers() {
	for _, n := range standardAppUsers {
		u := &simAppUser{pkid: c.uuid("applicationuser", n), name: n, standard: n != "CCMAdministrator"}
		if n == "CCMAdministrator" {
			u.groups = []string{"Standard CCM Super Users"}
		}
		if n == "TabSyncUser" {
			u.groups = []string{"Standard TabSync User"}
		}
		c.appUsers = append(c.appUsers, u)
	}
	c.appUsers = append(c.appUsers, &simAppUser{pkid: c.uuid("applicationuser", c.sc.Credentials.User), name: c.sc.Credentials.User,
		groups: []string{axlReadOnlyGroup.name}})
	for _, a := range c.sc.ApplicationUsers {
		u := &simAppUser{pkid: c.uuid("applicationuser", a.Name), name: a.Name}
		if len(a.Roles) > 0 {
			u.groups = []string{a.Name + " Group"}
		}
		c.appUsers = append(c.appUsers, u)
	}
}

var axlReadOnlyGroup = customGroup{"Audit AXL Read Only", []string{"Standard AXL Read Only API Access", "Standard AXL API Users",
	"Standard SERVICEABILITY Read Only", "Standard CCM Admin Users"}}

// customGroups are the custom access control groups of the scenario: the AXL user's (with the
// scenario's roles when it names them) and one per extra application user with roles.
func (c *cluster) customGroups() []customGroup {
	axl := axlReadOnlyGroup
	if len(c.sc.Credentials.Roles) > 0 {
		axl.roles = c.sc.Credentials.Roles
	}
	out := []customGroup{axl}
	for _, a := range c.sc.ApplicationUsers {
		if len(a.Roles) > 0 {
			out = append(out, customGroup{a.Name + " Group", a.Roles})
		}
	}
	return out
}
