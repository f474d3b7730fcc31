package cucmsim

import "slices"

// Truth is the ground truth of the generated cluster, computed from the scenario and not from
// any collector, so that tests can derive every rule's expected findings.
type Truth struct {
	Nodes               []TruthNode
	Devices             []TruthDevice // every device, in generation order; RisPort-only devices have InAXL false
	RoutePatterns       []TruthPattern
	TranslationPatterns []TruthPattern
	HuntPilots          []TruthPattern // every hunt pilot: the hunt lists' own lines and dial_plan.hunt_pilots
	HuntLists           []TruthHuntList
	RouteLists          []TruthRouteList
	Users               []TruthUser
	ApplicationUsers    []string
	DefaultLoads        []TruthDefaultLoad
}

// TruthNode is a processnode other than EnterpriseWideData.
type TruthNode struct {
	Name     string
	Role     string   // "Unified CM" or "IM and Presence"
	Usage    string   // Publisher or Subscriber
	CMGroups []string // CallManager groups listing it, in scenario order
}

// TruthDevice is one device row (or RisPort-only device).
type TruthDevice struct {
	Name, Class, Model, Product string // typeclass, typemodel and typeproduct names
	Protocol                    string
	Description                 string
	RisClass                    string // RisPort DeviceClass; "" when RisPort never lists it
	DevicePool, CMGroup         string
	OwnerUserID                 string
	OwnerStatus                 int // enduser.status: 1 active, 2 inactive
	Lines                       []TruthLine
	InAXL                       bool
	RisPort                     []TruthRis
	LoadOverride                string // specialloadinformation
	DefaultLoad                 string // defaults.loadinformation of its model and protocol
	RunOnAllNodes               bool
	MGCPDomain, MGCPCMGroup     string
	MGCPProduct                 string // the gateway's own product (typeproduct name of mgcp.tkproduct)
	ProcessNode                 string // fkprocessnode (software media resources)
	HuntListWithoutLineGroup    bool
}

// TruthLine is a device's line appearance.
type TruthLine struct {
	DN, Partition string
	Index         int
}

// TruthRis is one RisPort entry of a device.
type TruthRis struct {
	Node, Status string
	Reason       int
	TimeStamp    int64
	ActiveLoad   string
}

// TruthPattern is a route or translation pattern or a hunt pilot.
type TruthPattern struct {
	Pattern, Partition string
	Usage              int    // typepatternusage.enum
	Destination        string // device name: route list, trunk, gateway or hunt list
	CSS                string // translation patterns: fkcallingsearchspace_translation
	Block, Urgent      bool
	UseOriginatorCSS   bool
	CalledMask, Prefix string
	Discard            string
}

// TruthHuntList is a hunt list with its line group ("" when not set) and pilots.
type TruthHuntList struct {
	Name, LineGroup string
	Pilots          []string
}

// TruthRouteList is a route list with its route groups and their members in order.
type TruthRouteList struct {
	Name        string
	RouteGroups []string
	Members     [][]string
}

// TruthUser is an end user.
type TruthUser struct {
	UserID     string
	Status     int
	LocalUser  bool
	OwnsPhones bool
}

// TruthDefaultLoad is one defaults row.
type TruthDefaultLoad struct {
	Model, Protocol, Load string
}

// Truth returns the ground truth of the generated cluster.
func (s *Server) Truth() Truth {
	c := s.c
	var t Truth
	for _, n := range c.allNodes() {
		tn := TruthNode{Name: n.name, Role: "Unified CM", Usage: "Subscriber"}
		if n.imp() {
			tn.Role = "IM and Presence"
		}
		if n.role == "publisher" {
			tn.Usage = "Publisher"
		}
		for _, g := range c.groups {
			if slices.ContainsFunc(g.nodes, func(i int) bool { return c.nodes[i] == n }) {
				tn.CMGroups = append(tn.CMGroups, g.name)
			}
		}
		t.Nodes = append(t.Nodes, tn)
	}
	className := map[int]string{}
	for _, tc := range typeClasses {
		className[tc.enum] = tc.name
	}
	owns := map[*simUser]bool{}
	for _, d := range c.devices {
		td := TruthDevice{Name: d.name, Class: className[d.typeClass()], Model: d.model.typeModelName(), Product: d.model.productName(),
			Protocol: protocolName(d.protoEnum), Description: d.desc, RisClass: d.model.risClass, InAXL: !d.risOnly, LoadOverride: d.specialLoad,
			DefaultLoad: c.defaultLoad(d), RunOnAllNodes: d.runOnAllNodes}
		if d.typeClass() != 1 && d.typeClass() != d.model.typeClass {
			td.RisClass = "" // device profiles and BAT templates never register
		}
		if d.pool >= 0 {
			td.DevicePool = c.pools[d.pool].name
			td.CMGroup = c.groups[c.pools[d.pool].cmg].name
		}
		if d.owner != nil {
			td.OwnerUserID, td.OwnerStatus = d.owner.userid, d.owner.status
			if d.model.risClass == "Phone" && !d.risOnly {
				owns[d.owner] = true
			}
		}
		for i, l := range d.lines {
			td.Lines = append(td.Lines, TruthLine{DN: l.dn, Partition: l.partition, Index: i + 1})
		}
		for _, r := range d.ris {
			td.RisPort = append(td.RisPort, TruthRis{Node: c.nodes[r.node].name, Status: r.status, Reason: r.reason, TimeStamp: r.ts, ActiveLoad: r.active})
		}
		if d.mgcp != nil {
			td.MGCPDomain, td.MGCPCMGroup, td.MGCPProduct = d.mgcp.domain, c.groups[d.mgcp.cmg].name, d.mgcp.chassis.productName()
		}
		if d.procNode != nil {
			td.ProcessNode = d.procNode.name
		}
		t.Devices = append(t.Devices, td)
	}
	pattern := func(l *simLine) TruthPattern {
		tp := TruthPattern{Pattern: l.dn, Partition: l.partition, Usage: l.usage}
		if p := l.pat; p != nil {
			if p.dest != nil {
				tp.Destination = p.dest.name
			}
			tp.CSS, tp.Block, tp.Urgent, tp.UseOriginatorCSS = p.css, p.block, p.urgent, p.useOrigCSS
			tp.CalledMask, tp.Prefix, tp.Discard = p.calledMask, p.prefix, p.discard
		}
		return tp
	}
	for _, h := range c.huntLists {
		if h.dev.risOnly {
			continue
		}
		th := TruthHuntList{Name: h.dev.name}
		if !h.noLineGroup {
			th.LineGroup = "LG_" + h.dev.name
		} else {
			i := slices.IndexFunc(t.Devices, func(d TruthDevice) bool { return d.Name == h.dev.name })
			t.Devices[i].HuntListWithoutLineGroup = true
		}
		for _, l := range append(slices.Clone(h.dev.lines), h.pilots...) {
			th.Pilots = append(th.Pilots, l.dn)
			if !slices.Contains(h.pilots, l) {
				t.HuntPilots = append(t.HuntPilots, pattern(l))
			}
		}
		t.HuntLists = append(t.HuntLists, th)
	}
	for _, l := range c.patterns {
		switch l.usage {
		case usageRoute:
			t.RoutePatterns = append(t.RoutePatterns, pattern(l))
		case usageTranslation:
			t.TranslationPatterns = append(t.TranslationPatterns, pattern(l))
		case usageHuntPilot:
			t.HuntPilots = append(t.HuntPilots, pattern(l))
		}
	}
	for _, rl := range c.routeLists {
		tr := TruthRouteList{Name: rl.dev.name}
		for _, g := range rl.groups {
			tr.RouteGroups = append(tr.RouteGroups, g.name)
			var ms []string
			for _, m := range g.members {
				ms = append(ms, m.name)
			}
			tr.Members = append(tr.Members, ms)
		}
		t.RouteLists = append(t.RouteLists, tr)
	}
	for _, u := range c.users {
		t.Users = append(t.Users, TruthUser{UserID: u.userid, Status: u.status, LocalUser: !u.ldap, OwnsPhones: owns[u]})
	}
	for _, a := range c.appUsers {
		t.ApplicationUsers = append(t.ApplicationUsers, a.name)
	}
	for _, x := range c.defaults {
		t.DefaultLoads = append(t.DefaultLoads, TruthDefaultLoad{Model: x.model.typeModelName(), Protocol: protocolName(x.proto), Load: x.load})
	}
	return t
}
