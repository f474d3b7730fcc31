package cucmsim

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// cluster is the generated state of a scenario: what AXL stores and what RisPort reports.
type cluster struct {
	sc         *Scenario
	nodes      []*simNode
	nodeIndex  map[string]int
	groups     []*simCMG
	pools      []*simPool
	poolIndex  map[string]int
	partitions map[string]string // name → pkid
	css        map[string]string
	locations  map[string]string
	users      []*simUser
	userByID   map[string]*simUser
	userSeq    map[string]int // last suffix used per generated userid base
	lines      []*simLine
	devices    []*simDevice
	byName     map[string]*simDevice
	ris        []*risRow    // sorted by node, then device name
	byUpper    []*simDevice // sorted by upper-case name: prefix wildcards are answered by range
	huntLists  []*huntList

	// Generated after the devices (enrich.go).
	impNodes    []*simNode // IM and Presence nodes: processnode only, never in RisPort
	routeGroups []*simRouteGroup
	routeLists  []*simRouteList
	patterns    []*simLine // route, translation patterns and extra hunt pilots, in creation order
	mgcps       []*simMGCP
	defaults    []*simDefault
	appUsers    []*simAppUser
	lineKeys    map[string]string
	nextDN      int
}

type simNode struct {
	name, ip, role, desc, pkid, cmPKID string
	nodeID                             int
}

// imp reports whether the node is an IM and Presence node.
func (n *simNode) imp() bool { return n.role == "im_and_presence" }

type simCMG struct {
	name, pkid string
	nodes      []int
}

type simPool struct {
	name, pkid, location string
	cmg                  int
}

type simUser struct {
	pkid, userid, first, last, mail, phone, dept string
	status                                       int  // 1 active, 2 inactive (deleted in LDAP)
	ldap                                         bool // islocaluser 'f'
}

type simLine struct {
	pkid, dn, partition, desc string
	usage                     int
	pat                       *patternInfo // route/translation/hunt pilot attributes (enrich.go)
	fwd                       *lineForward // forward settings of device lines (enrich.go)
	lineCSS                   string
}

type simDevice struct {
	pkid, name, desc, group string
	upper                   string // name in upper case, for RisPort matching
	model                   modelInfo
	protoEnum               int
	protoRis                string
	pool                    int
	css, location           string
	owner                   *simUser
	lines                   []*simLine
	ris                     []*risRow
	trunkDest               string
	risOnly                 bool // RisPort lists it, AXL does not have it (deleted, still registering)

	// Set after the devices are generated (enrich.go).
	tkclass       int // typeclass.enum when it is not the model's (device profiles, BAT templates)
	specialLoad   string
	runOnAllNodes bool
	procNode      *simNode // device.fkprocessnode (software media resources)
	mgcp          *simMGCP
	routeList     *simRouteList
}

// typeClass is the device's typeclass.enum.
func (d *simDevice) typeClass() int {
	if d.tkclass != 0 {
		return d.tkclass
	}
	return d.model.typeClass
}

type risRow struct {
	dev              *simDevice
	node             int
	status           string
	reason           int
	ts               int64
	ip               string
	active, inactive string
	login            string
}

type huntList struct {
	dev         *simDevice
	lgPKID      string
	members     []*simLine
	noLineGroup bool       // a hunt list whose line group is not set: no routelist row
	pilots      []*simLine // extra hunt pilots (dial_plan.hunt_pilots) beside dev.lines
}

// uuid derives a CUCM-style pkid (lower case, no braces) from the seed and a key.
func (c *cluster) uuid(kind, key string) string {
	h := sha1.New()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], c.sc.Seed)
	h.Write(b[:])
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(key))
	s := hex.EncodeToString(h.Sum(nil))
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

func (c *cluster) rng(stream string, idx int) *rand.Rand {
	h := sha1.Sum([]byte(stream))
	return rand.New(rand.NewPCG(c.sc.Seed, binary.BigEndian.Uint64(h[:8])+uint64(idx)))
}

// allocate splits total by weights with the largest-remainder method (exact, deterministic).
func allocate(total int, weights []int) []int {
	out := make([]int, len(weights))
	sum := 0
	for _, w := range weights {
		sum += w
	}
	if sum == 0 || total == 0 {
		return out
	}
	type rem struct{ i, r int }
	rems := make([]rem, len(weights))
	given := 0
	for i, w := range weights {
		out[i] = total * w / sum
		given += out[i]
		rems[i] = rem{i, total * w % sum}
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for k := 0; given < total; k++ {
		out[rems[k%len(rems)].i]++
		given++
	}
	return out
}

var firstNames = []string{"Anna", "Ben", "Clara", "David", "Elena", "Felix", "Greta", "Hannah", "Ivan", "Julia",
	"Karim", "Lena", "Marco", "Nina", "Oskar", "Paula", "Quentin", "Rosa", "Stefan", "Tanja", "Ulrich", "Vera",
	"Walter", "Xenia", "Yusuf", "Zoë", "Jürgen", "Sophie", "Lukas", "Mia", "Noah", "Emma", "Elias", "Lea",
	"Maria", "Thomas", "Sabine", "Andreas", "Katrin", "Michael", "Eleni", "Dimitris", "Aylin", "Mehmet"}

var lastNames = []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
	"Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Braun", "Zimmermann",
	"Krüger", "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Köhler", "Papadopoulos", "Rossi", "Dubois",
	"Novak", "Horvat", "Jansen", "Peeters", "Nielsen", "Berg", "Costa", "Silva", "Yilmaz", "Kaya", "Brown", "Smith"}

var departments = []string{"Cardiology", "Radiology", "Emergency", "Surgery", "Administration", "Pharmacy",
	"Laboratory", "Pediatrics", "Oncology", "IT", "Facilities", "Nursing"}

var ouis = []string{"0CD0F8", "00EBD5", "6C710D", "F87B20", "7C0ECE", "0023EB", "001E7A", "2C3124", "E0D173", "A45630"}

var userASCII = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "ë", "e", "Ä", "ae", "Ö", "oe", "Ü", "ue")

func (c *cluster) newUser(r *rand.Rand, userid, phone string) *simUser {
	first := firstNames[r.IntN(len(firstNames))]
	last := lastNames[r.IntN(len(lastNames))]
	if userid == "" {
		base := strings.ToLower(userASCII.Replace(strings.ToLower(first[:1]) + strings.ToLower(last)))
		userid = base
		for c.userByID[userid] != nil {
			c.userSeq[base]++
			userid = base + strconv.Itoa(c.userSeq[base]+1)
		}
	}
	if c.userByID[userid] != nil {
		return c.userByID[userid]
	}
	u := &simUser{pkid: c.uuid("enduser", userid), userid: userid, first: first, last: last, status: 1,
		mail: userid + "@" + c.sc.Cluster.Domain, phone: phone, dept: departments[r.IntN(len(departments))]}
	c.users = append(c.users, u)
	c.userByID[userid] = u
	return u
}

var patternTokenRE = regexp.MustCompile(`\{(n|i)(?::(0?\d+))?\}`)

func expandName(pattern string, i int, mac string) string {
	s := strings.ReplaceAll(pattern, "{mac}", mac)
	return patternTokenRE.ReplaceAllStringFunc(s, func(tok string) string {
		m := patternTokenRE.FindStringSubmatch(tok)
		v := i
		if m[1] == "n" {
			v = i + 1
		}
		if m[2] != "" {
			w, _ := strconv.Atoi(m[2])
			return fmt.Sprintf("%0*d", w, v)
		}
		return strconv.Itoa(v)
	})
}

// build generates the cluster from the scenario, deterministically from its seed.
func build(sc *Scenario) (*cluster, error) {
	c := &cluster{sc: sc, nodeIndex: map[string]int{}, poolIndex: map[string]int{}, partitions: map[string]string{},
		css: map[string]string{}, locations: map[string]string{}, userByID: map[string]*simUser{}, userSeq: map[string]int{}, byName: map[string]*simDevice{}}
	for i, n := range sc.Nodes {
		ip := n.IP
		if ip == "" {
			ip = fmt.Sprintf("10.10.0.%d", 10+i)
		}
		sn := &simNode{name: n.Name, ip: ip, role: n.Role, desc: n.Description,
			pkid: c.uuid("processnode", n.Name), cmPKID: c.uuid("callmanager", n.Name), nodeID: i + 2}
		if sn.imp() {
			c.impNodes = append(c.impNodes, sn) // no callmanager row, no CallManager group, no RisPort
			continue
		}
		c.nodeIndex[n.Name] = len(c.nodes)
		c.nodes = append(c.nodes, sn)
	}
	for _, g := range sc.CMGroups {
		cg := &simCMG{name: g.Name, pkid: c.uuid("callmanagergroup", g.Name)}
		for _, n := range g.Nodes {
			cg.nodes = append(cg.nodes, c.nodeIndex[n])
		}
		c.groups = append(c.groups, cg)
	}
	c.locations["Hub_None"] = c.uuid("location", "Hub_None")
	for _, l := range sc.Locations {
		c.locations[l] = c.uuid("location", l)
	}
	for i, p := range sc.DevicePools {
		cmg := 0
		for j, g := range c.groups {
			if g.name == p.CMGroup {
				cmg = j
			}
		}
		loc := p.Location
		if loc == "" {
			loc = "Hub_None"
		}
		c.pools = append(c.pools, &simPool{name: p.Name, pkid: c.uuid("devicepool", p.Name), location: loc, cmg: cmg})
		c.poolIndex[p.Name] = i
	}
	for _, p := range sc.Partitions {
		c.partitions[p] = c.uuid("routepartition", p)
	}
	for _, s := range sc.CallingSearchSpaces {
		c.css[s.Name] = c.uuid("callingsearchspace", s.Name)
	}

	macs := map[string]bool{}
	lineKeys := map[string]string{} // dn|partition → owner group
	c.lineKeys = lineKeys
	addLine := func(dn, partition, desc string, usage int, where string) (*simLine, error) {
		key := dn + "|" + partition
		if prev, ok := lineKeys[key]; ok {
			return nil, fmt.Errorf("%s: directory number %s in partition %q already used by %s", where, dn, partition, prev)
		}
		lineKeys[key] = where
		l := &simLine{pkid: c.uuid("numplan", key), dn: dn, partition: partition, desc: desc, usage: usage}
		c.lines = append(c.lines, l)
		return l, nil
	}
	addDevice := func(d *simDevice, where string) error {
		if _, dup := c.byName[strings.ToUpper(d.name)]; dup {
			return fmt.Errorf("%s: device name %q is used twice", where, d.name)
		}
		d.upper = strings.ToUpper(d.name)
		c.byName[d.upper] = d
		c.devices = append(c.devices, d)
		return nil
	}
	nextDN := 10000
	poolSeq := make([]int, len(c.pools)) // per-pool device counter for IPs
	ipFor := func(pool int) string {
		k := poolSeq[pool]
		poolSeq[pool]++
		return fmt.Sprintf("10.%d.%d.%d", 16+pool%200, (k/250)%256, k%250+2)
	}

	for gi := range sc.DeviceGroups {
		g := &sc.DeviceGroups[gi]
		where := fmt.Sprintf("%s: device_groups[%d] (%s)", sc.File, gi, g.Name)
		r := c.rng("group:"+g.Name, gi)
		n := g.Count

		// Models, by weight, shuffled.
		weights := make([]int, len(g.Models))
		for i, m := range g.Models {
			weights[i] = m.Weight
		}
		modelOf := make([]int, 0, n)
		for i, k := range allocate(n, weights) {
			for range k {
				modelOf = append(modelOf, i)
			}
		}
		r.Shuffle(len(modelOf), func(a, b int) { modelOf[a], modelOf[b] = modelOf[b], modelOf[a] })

		noLine := pickSet(r, n, g.NoLine)
		owned := pickSet(r, n, int(float64(n)*g.OwnerFraction+0.5))
		extraCandidates := int(float64(n-g.NoLine)*g.ExtraLineFraction + 0.5)
		extra := pickSet(r, n, extraCandidates)
		dn := g.DNStart
		if dn == 0 {
			dn = nextDN
		}

		devs := make([]*simDevice, n)
		for i := range n {
			name := ""
			if i < len(g.Names) {
				name = g.Names[i]
			} else {
				mac := ""
				if strings.Contains(g.NamePattern, "{mac}") {
					vendors := ouis
					if len(g.MACOUIs) > 0 {
						vendors = g.MACOUIs
					}
					for mac == "" || macs[mac] {
						mac = fmt.Sprintf("%s%06X", vendors[r.IntN(len(vendors))], r.Uint32()&0xFFFFFF)
					}
					macs[mac] = true
				}
				name = expandName(g.NamePattern, i, mac)
			}
			mw := g.Models[modelOf[i]]
			info, _ := modelByName(mw.Model)
			proto := g.Protocol
			if proto == "" {
				proto = info.protocol
			}
			pe, pr, _ := protocolByName(proto)
			pool := c.poolIndex[g.DevicePools[i%len(g.DevicePools)]]
			d := &simDevice{pkid: c.uuid("device", name), name: name, group: g.Name, model: info, protoEnum: pe, risOnly: g.NotInAXL,
				protoRis: pr, pool: pool, css: g.CSS, location: g.Location}
			if d.location == "" {
				d.location = c.pools[pool].location
			}
			nl := g.Lines
			if noLine[i] {
				nl = 0
			} else if extra[i] {
				nl++
			}
			usage := usageDevice
			switch g.Class {
			case "HuntList":
				usage = usageHuntPilot
			case "VoiceMail":
				usage = usageVoiceMail // [inf] XPatternUsage "Voice Mail Port"
			}
			for range nl {
				l, err := addLine(strconv.Itoa(dn), g.Partition, "", usage, g.Name)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", where, err)
				}
				dn++
				d.lines = append(d.lines, l)
			}
			if owned[i] {
				phone := ""
				if len(d.lines) > 0 {
					phone = d.lines[0].dn
				}
				d.owner = c.newUser(r, "", phone)
			}
			d.desc = describe(g, i, d, c.pools[pool].name)
			if g.Class == "SIPTrunk" {
				d.trunkDest = fmt.Sprintf("10.%d.%d.%d", 200+gi%50, i/250, i%250+10)
			}
			if err := addDevice(d, where); err != nil {
				return nil, err
			}
			devs[i] = d
		}
		if dn > nextDN {
			nextDN = dn
		}
		c.presence(r, g, devs, ipFor)
		if g.Class == "HuntList" {
			noLG := pickSet(c.rng("nolinegroup:"+g.Name, gi), n, g.NoLineGroup)
			for i, d := range devs {
				c.huntLists = append(c.huntLists, &huntList{dev: d, lgPKID: c.uuid("linegroup", d.name), noLineGroup: noLG[i]})
			}
		}
	}

	// Explicit devices.
	for i, ed := range sc.Devices {
		where := fmt.Sprintf("%s: devices[%d] (%s)", sc.File, i, ed.Name)
		info, _ := modelByName(ed.Model)
		proto := ed.Protocol
		if proto == "" {
			proto = info.protocol
		}
		pe, pr, _ := protocolByName(proto)
		pool := c.poolIndex[ed.DevicePool]
		d := &simDevice{pkid: c.uuid("device", ed.Name), name: ed.Name, desc: ed.Description, group: "", model: info, risOnly: ed.NotInAXL,
			protoEnum: pe, protoRis: pr, pool: pool, css: ed.CSS, location: c.pools[pool].location}
		usage := usageDevice
		if ed.Class == "HuntList" {
			usage = usageHuntPilot
		}
		for _, dn := range ed.Lines {
			l, err := addLine(dn, ed.Partition, "", usage, ed.Name)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			d.lines = append(d.lines, l)
		}
		if ed.Owner != "" {
			phone := ""
			if len(d.lines) > 0 {
				phone = d.lines[0].dn
			}
			d.owner = c.newUser(c.rng("user:"+ed.Owner, i), ed.Owner, phone)
		}
		if ed.Class == "SIPTrunk" {
			d.trunkDest = fmt.Sprintf("10.250.0.%d", i%250+10)
		}
		for _, e := range ed.RisPort {
			ts := e.TimeStamp
			if ts == 0 {
				ts = sc.Now.Unix()
			}
			ip := e.IP
			if ip == "" && ed.Class != "HuntList" {
				ip = ipFor(pool)
			}
			login := e.LoginUser
			d.ris = append(d.ris, &risRow{dev: d, node: c.nodeIndex[e.Node], status: e.Status, reason: e.Reason, ts: ts,
				ip: ip, active: e.ActiveLoad, inactive: e.InactiveLoad, login: login})
		}
		if err := addDevice(d, where); err != nil {
			return nil, err
		}
		if ed.Class == "HuntList" {
			c.huntLists = append(c.huntLists, &huntList{dev: d, lgPKID: c.uuid("linegroup", d.name)})
		}
	}

	// Hunt list members: a few phone lines each.
	var phoneLines []*simLine
	for _, d := range c.devices {
		if d.model.risClass == "Phone" && len(d.lines) > 0 {
			phoneLines = append(phoneLines, d.lines[0])
		}
	}
	for k, h := range c.huntLists {
		for j := range min(3, len(phoneLines)) {
			h.members = append(h.members, phoneLines[(k*3+j)%len(phoneLines)])
		}
	}

	// Unassigned DNs.
	if u := sc.UnassignedDNs; u.Count > 0 {
		start := u.Start
		if start == 0 {
			start = nextDN
		}
		for k := range u.Count {
			if _, err := addLine(strconv.Itoa(start+k), u.Partition, "", usageDevice, "unassigned_dns"); err != nil {
				return nil, fmt.Errorf("%s: unassigned_dns: %w", sc.File, err)
			}
		}
	}
	ur := c.rng("users", 0)
	for range sc.Users.Extra {
		c.newUser(ur, "", "")
	}
	c.nextDN = nextDN
	if err := c.enrich(addLine, addDevice, ipFor); err != nil {
		return nil, err
	}

	for _, d := range c.devices {
		c.ris = append(c.ris, d.ris...)
	}
	sort.SliceStable(c.ris, func(a, b int) bool {
		if c.ris[a].node != c.ris[b].node {
			return c.ris[a].node < c.ris[b].node
		}
		return c.ris[a].dev.name < c.ris[b].dev.name
	})
	c.byUpper = slices.Clone(c.devices)
	slices.SortFunc(c.byUpper, func(a, b *simDevice) int { return strings.Compare(a.upper, b.upper) })
	return c, nil
}

// pickSet chooses k of n indexes at random.
func pickSet(r *rand.Rand, n, k int) map[int]bool {
	out := make(map[int]bool, k)
	if k <= 0 {
		return out
	}
	for _, i := range r.Perm(n)[:min(k, n)] {
		out[i] = true
	}
	return out
}

func describe(g *DeviceGroup, i int, d *simDevice, pool string) string {
	if i < len(g.SpecialDescriptions) {
		return g.SpecialDescriptions[i]
	}
	t := g.Description
	if t == "" {
		switch {
		case d.owner != nil:
			t = "{owner} - {model}"
		case g.Class == "Phone":
			t = "Auto {dn}"
		default:
			return d.name
		}
	}
	owner := "Shared"
	if d.owner != nil {
		owner = d.owner.first + " " + d.owner.last
	}
	dn := ""
	if len(d.lines) > 0 {
		dn = d.lines[0].dn
	}
	return strings.NewReplacer("{n}", strconv.Itoa(i+1), "{owner}", owner, "{dn}", dn,
		"{model}", strings.TrimPrefix(d.model.name, "Cisco "), "{pool}", pool).Replace(t)
}
