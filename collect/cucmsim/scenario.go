package cucmsim

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cucm-audit/cucm-audit/internal/yamlfile"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// Scenario is one simulated cluster: its topology, its devices and the faults it injects.
// Load it with LoadScenario or ParseScenario; both apply defaults and validate.
type Scenario struct {
	// File is the name the scenario was loaded from (for messages); not part of the YAML.
	File string `yaml:"-"`

	Seed        uint64      `yaml:"seed"`
	Cluster     Cluster     `yaml:"cluster"`
	Version     string      `yaml:"version"`      // getCCMVersion answer, e.g. 15.0.1.12900(234)
	AXLVersions []string    `yaml:"axl_versions"` // accepted AXL schema versions, default 12.5, 14.0, 15.0
	Now         time.Time   `yaml:"now"`          // reference time for RisPort TimeStamps
	Credentials Credentials `yaml:"credentials"`

	Nodes               []Node               `yaml:"nodes"`
	CMGroups            []CMGroup            `yaml:"cm_groups"`
	DevicePools         []DevicePool         `yaml:"device_pools"`
	Partitions          []string             `yaml:"partitions"`
	CallingSearchSpaces []CallingSearchSpace `yaml:"calling_search_spaces"`
	Locations           []string             `yaml:"locations"`
	Users               Users                `yaml:"users"`
	UnassignedDNs       UnassignedDNs        `yaml:"unassigned_dns"`
	DeviceGroups        []DeviceGroup        `yaml:"device_groups"`
	Devices             []Device             `yaml:"devices"`

	// What every real cluster holds beside phones, gateways and trunks. These are generated
	// after the device groups and devices, from their own random streams, so adding them never
	// changes a generated device, line, owner or RisPort entry.
	DialPlan               DialPlan          `yaml:"dial_plan"`
	Firmware               Firmware          `yaml:"firmware"`
	Templates              Templates         `yaml:"templates"`
	SoftwareMediaResources SoftwareMedia     `yaml:"software_media_resources"`
	ApplicationUsers       []ApplicationUser `yaml:"application_users"`

	Faults Faults `yaml:"faults"`
}

// DialPlan holds the patterns, route lists, route groups and forwarding of the cluster
// (CUCM-API.md sections A–E). Hunt lists and their pilots come from HuntList device groups.
type DialPlan struct {
	LineCSS             string               `yaml:"line_css"` // numplan.fkcallingsearchspace_sharedlineappear of phone lines
	Forwarding          Forwarding           `yaml:"forwarding"`
	RouteGroups         []RouteGroup         `yaml:"route_groups"`
	RouteLists          []RouteList          `yaml:"route_lists"`
	RoutePatterns       []RoutePattern       `yaml:"route_patterns"`
	TranslationPatterns []TranslationPattern `yaml:"translation_patterns"`
	HuntPilots          HuntPilots           `yaml:"hunt_pilots"`
	// LineCSSRanges give the phone lines of a DN range another line CSS than LineCSS (a lobby,
	// another site): class of service per line, as CUCM sets it.
	LineCSSRanges []LineCSSRange `yaml:"line_css_ranges"`
}

// LineCSSRange sets the line CSS of the phone lines whose DN is in [From, To].
type LineCSSRange struct {
	From        int    `yaml:"from"`
	To          int    `yaml:"to"`
	CSS         string `yaml:"line_css"`
	Description string `yaml:"description"` // why, for the reader of the scenario
}

// Forwarding sets the forward columns of phone lines (numplan cf* and callforwarddynamic).
type Forwarding struct {
	VoicemailFraction float64 `yaml:"voicemail_fraction"` // owned lines forwarding busy/no answer to voicemail
	CFAll             int     `yaml:"cfa"`                // lines with Call Forward All set
	CFAllDestination  string  `yaml:"cfa_destination"`    // default the first route pattern's first digits + 0
	CFURDestination   string  `yaml:"cfur_destination"`   // Forward Unregistered destination of unowned lines
	CSS               string  `yaml:"css"`                // CSS of the forwards (fkcallingsearchspace_cf*)
}

// RouteGroup lists trunks and gateways (routegroup, routegroupdevicemap).
type RouteGroup struct {
	Name      string   `yaml:"name"`
	Algorithm string   `yaml:"algorithm"` // Top Down or Circular (default)
	Members   []string `yaml:"members"`   // device names in selection order
}

// RouteList is a route list device (class Route List, product Route List) with route groups.
type RouteList struct {
	Name          string   `yaml:"name"`
	DevicePool    string   `yaml:"device_pool"`
	RouteGroups   []string `yaml:"route_groups"`
	RunOnAllNodes bool     `yaml:"run_on_all_nodes"`
}

// RoutePattern is a route pattern (tkpatternusage 5) pointing at a route list, trunk or
// gateway through devicenumplanmap. With count > 1 the pattern's tokens {n}, {i}, {n:02}
// make count patterns.
type RoutePattern struct {
	Pattern      string `yaml:"pattern"`
	Count        int    `yaml:"count"`
	Partition    string `yaml:"partition"`
	Destination  string `yaml:"destination"`
	Description  string `yaml:"description"`
	Discard      string `yaml:"discard"` // digitdiscardinstruction name
	PrefixDigits string `yaml:"prefix_digits"`
	CalledMask   string `yaml:"called_mask"`
	CallingMask  string `yaml:"calling_mask"`
	Block        bool   `yaml:"block"`
	Urgent       bool   `yaml:"urgent"`
	Emergency    bool   `yaml:"emergency"` // isemergencyservicenumber
}

// TranslationPattern is a translation pattern (tkpatternusage 3).
type TranslationPattern struct {
	Pattern          string `yaml:"pattern"`
	Count            int    `yaml:"count"`
	Partition        string `yaml:"partition"`
	CSS              string `yaml:"calling_search_space"` // fkcallingsearchspace_translation
	Description      string `yaml:"description"`
	Discard          string `yaml:"discard"`
	PrefixDigits     string `yaml:"prefix_digits"`
	CalledMask       string `yaml:"called_mask"`
	Block            bool   `yaml:"block"`
	Urgent           bool   `yaml:"urgent"`
	UseOriginatorCSS bool   `yaml:"use_originator_css"`
}

// HuntPilots adds hunt pilots (tkpatternusage 7) beyond each hunt list's own lines, spread
// round robin over the hunt lists: several pilots then point at one hunt list.
type HuntPilots struct {
	Count     int    `yaml:"count"`
	Start     int    `yaml:"start"`
	Partition string `yaml:"partition"`
}

// Firmware sets the defaults table and device load overrides.
type Firmware struct {
	Defaults  []FirmwareDefault `yaml:"defaults"`  // default: per model and protocol, the load most seen devices run
	Overrides []LoadOverride    `yaml:"overrides"` // device.specialloadinformation
}

// FirmwareDefault is one defaults row.
type FirmwareDefault struct {
	Model    string `yaml:"model"`
	Protocol string `yaml:"protocol"`
	Load     string `yaml:"load"`
}

// LoadOverride sets specialloadinformation = load on count devices of a group's model that
// RisPort sees running `running` (default: load itself, so they are not drift). count 0 = all.
type LoadOverride struct {
	Group   string `yaml:"group"`
	Model   string `yaml:"model"`
	Load    string `yaml:"load"`
	Running string `yaml:"running"`
	Count   int    `yaml:"count"`
}

// Templates are phone-class rows that never register.
type Templates struct {
	UniversalDeviceTemplates int             `yaml:"universal_device_templates"` // tkclass 1, model 645
	DeviceProfiles           []TemplateGroup `yaml:"device_profiles"`            // tkclass 254
	PhoneTemplates           []TemplateGroup `yaml:"phone_templates"`            // tkclass 253 (BAT)
}

// TemplateGroup is count templates or profiles of one phone model.
type TemplateGroup struct {
	Model     string `yaml:"model"`
	Count     int    `yaml:"count"`
	DNStart   int    `yaml:"dn_start"` // device profiles: one line each from here (0 = no line)
	Partition string `yaml:"partition"`
}

// SoftwareMedia creates each Unified CM node's software conference bridge, MTP, annunciator
// and music on hold (CFB_<nodeid>, ...), tied to the node by device.fkprocessnode. They
// register only to that node, whatever their device pool's CallManager group says.
type SoftwareMedia struct {
	DevicePool string `yaml:"device_pool"` // set = enabled
	RisPort    bool   `yaml:"risport"`     // RisPort lists them Registered on their node
}

// ApplicationUser is an application user beside the standard ones and the AXL user.
type ApplicationUser struct {
	Name  string   `yaml:"name"`
	Roles []string `yaml:"roles"` // functionrole names, through a custom access control group
}

// Cluster names the simulated cluster.
type Cluster struct {
	Name   string `yaml:"name"`
	ID     string `yaml:"id"`
	Domain string `yaml:"domain"` // mail domain of generated users
}

// Credentials are the application user the simulator accepts on both APIs.
type Credentials struct {
	User     string `yaml:"user"`
	Password string `yaml:"password"`
	// Roles are the functionrole names of the user's access control group, "Audit AXL Read
	// Only" (default: AXL read-only, AXL API login, serviceability read-only, admin login). The
	// simulator refuses writes whatever they say; they are what the database shows.
	Roles []string `yaml:"roles"`
}

// Node is one CUCM server.
type Node struct {
	Name        string `yaml:"name"`
	Role        string `yaml:"role"` // publisher, subscriber or im_and_presence
	IP          string `yaml:"ip"`
	Description string `yaml:"description"`
}

// CMGroup is a CallManager group: its nodes in priority order.
type CMGroup struct {
	Name  string   `yaml:"name"`
	Nodes []string `yaml:"nodes"`
}

// DevicePool points at a CallManager group.
type DevicePool struct {
	Name     string `yaml:"name"`
	CMGroup  string `yaml:"cm_group"`
	Location string `yaml:"location"`
}

// CallingSearchSpace lists partitions.
type CallingSearchSpace struct {
	Name       string   `yaml:"name"`
	Partitions []string `yaml:"partitions"`
}

// Users controls generated end users. Every owned device gets its own user; Extra adds users
// that own nothing.
type Users struct {
	Extra          int  `yaml:"extra"`
	LDAPSynced     bool `yaml:"ldap_synced"`     // islocaluser 'f' for every generated user
	InactiveOwners int  `yaml:"inactive_owners"` // owners of phones with status 2 (deleted in LDAP)
}

// UnassignedDNs adds directory numbers that sit on no device.
type UnassignedDNs struct {
	Count     int    `yaml:"count"`
	Start     int    `yaml:"start"`
	Partition string `yaml:"partition"`
}

// DeviceGroup generates Count devices of one class.
type DeviceGroup struct {
	Name                string   `yaml:"name"`
	Class               string   `yaml:"class"` // RisPort DeviceClass: Phone, Gateway, SIPTrunk, HuntList, H323, Cti, VoiceMail, MediaResources
	Count               int      `yaml:"count"`
	NamePattern         string   `yaml:"name_pattern"` // tokens {mac}, {n} (1-based), {i} (0-based), {n:03}
	Names               []string `yaml:"names"`        // explicit names, used before the pattern
	Description         string   `yaml:"description"`  // tokens {n}, {owner}, {dn}, {model}, {pool}
	SpecialDescriptions []string `yaml:"special_descriptions"`
	Models              []Model  `yaml:"models"`
	Protocol            string   `yaml:"protocol"`
	DevicePools         []string `yaml:"device_pools"`
	CSS                 string   `yaml:"calling_search_space"`
	Location            string   `yaml:"location"`
	OwnerFraction       float64  `yaml:"owner_fraction"`
	Lines               int      `yaml:"lines"`
	ExtraLineFraction   float64  `yaml:"extra_line_fraction"`
	NoLine              int      `yaml:"no_line"`
	DNStart             int      `yaml:"dn_start"`
	Partition           string   `yaml:"partition"`
	RisPort             Presence `yaml:"risport"`
	NotInAXL            bool     `yaml:"not_in_axl"` // RisPort lists the group, AXL does not (deleted devices still registering)

	RunOnAllNodes RunOnAllNodes `yaml:"run_on_all_nodes"` // SIPTrunk: device.runonallnodes
	MGCPCMGroup   string        `yaml:"mgcp_cm_group"`    // Gateway (MGCP): mgcp.fkcallmanagergroup; default the pool's group
	NoLineGroup   int           `yaml:"no_line_group"`    // HuntList: hunt lists with no line group
}

// RunOnAllNodes marks count trunks of a group "Run On All Active Unified CM Nodes". Whether
// RisPort then lists such a trunk on every Unified CM node is uncertain: risport every_node
// lists it there (same status and TimeStamp), one_node (default) only where the group puts it.
type RunOnAllNodes struct {
	Count   int    `yaml:"count"`
	RisPort string `yaml:"risport"`
}

// Model is one model of a group with its weight and firmware loads.
type Model struct {
	Model  string `yaml:"model"`
	Weight int    `yaml:"weight"`
	Loads  []Load `yaml:"loads"`
}

// Load is a firmware load and its weight among registered devices of the model.
type Load struct {
	Load   string `yaml:"load"`
	Weight int    `yaml:"weight"`
}

// Presence says how many devices of a group RisPort sees and in which state (after the
// newest-TimeStamp dedup).
type Presence struct {
	Seen                   int      `yaml:"seen"`
	Registered             int      `yaml:"registered"`
	UnRegistered           int      `yaml:"unregistered"`
	Rejected               int      `yaml:"rejected"`
	PartiallyRegistered    int      `yaml:"partially_registered"`
	Unknown                int      `yaml:"unknown"` // Status Unknown (a SIP trunk without OPTIONS ping) [uncertain]
	UnregisteredReasons    []Reason `yaml:"unregistered_reasons"`
	RejectedReasons        []Reason `yaml:"rejected_reasons"`
	UnregisteredSpreadDays int      `yaml:"unregistered_spread_days"`
	FailedOver             int      `yaml:"failed_over"` // registered on a node that is not their pool's primary
	Duplicated             int      `yaml:"duplicated"`  // also listed, older, under a second node
}

// Reason is a StatusReason code with a weight.
type Reason struct {
	Code   int `yaml:"code"`
	Weight int `yaml:"weight"`
}

// Device is one explicitly listed device, for tiny exact scenarios.
type Device struct {
	Name        string     `yaml:"name"`
	Class       string     `yaml:"class"`
	Model       string     `yaml:"model"`
	Protocol    string     `yaml:"protocol"`
	Description string     `yaml:"description"`
	DevicePool  string     `yaml:"device_pool"`
	CSS         string     `yaml:"calling_search_space"`
	Owner       string     `yaml:"owner"` // userid; the user is created if missing
	Lines       []string   `yaml:"lines"` // directory numbers, in button order
	Partition   string     `yaml:"partition"`
	RisPort     []RisEntry `yaml:"risport"`
	NotInAXL    bool       `yaml:"not_in_axl"` // RisPort lists it, AXL does not
}

// RisEntry is what one node reports about an explicit device.
type RisEntry struct {
	Node         string `yaml:"node"`
	Status       string `yaml:"status"`
	Reason       int    `yaml:"reason"`
	TimeStamp    int64  `yaml:"timestamp"` // epoch seconds; 0 = the scenario's now
	IP           string `yaml:"ip"`
	ActiveLoad   string `yaml:"active_load"`
	InactiveLoad string `yaml:"inactive_load"`
	LoginUser    string `yaml:"login_user"`
}

// Faults are the simulator's knobs. Every rate is deterministic from the scenario seed.
// Zero values mean "off", except where DefaultFaults says otherwise.
type Faults struct {
	RisPortRateLimit       int           `yaml:"risport_rate_limit"`       // requests per window, 0 = unlimited
	RisPortRateWindow      time.Duration `yaml:"risport_rate_window"`      // fixed window length
	RisPortMaxDevices      int           `yaml:"risport_max_devices"`      // cap of devices per answer
	RisPortStateInfoPaging bool          `yaml:"risport_stateinfo_paging"` // continue with StateInfo
	RisPortLegacyShape     bool          `yaml:"risport_legacy_shape"`     // old answer without selectCmDeviceReturn
	RisPortEmptyNodes      string        `yaml:"risport_empty_nodes"`      // "notfound" (default) or "nil"
	NodesNotResponding     []string      `yaml:"nodes_not_responding"`
	NodesNotFound          []string      `yaml:"nodes_not_found"`
	NodesSilent            []string      `yaml:"nodes_silent"`    // left out of every answer: no CmNode item, not in StateInfo
	ClassesFailing         []string      `yaml:"classes_failing"` // RisPort classes whose queries answer 500

	HTTP503Rate      float64       `yaml:"http_503_rate"`  // 0..1 of requests answer 503
	HTTP503Burst     int           `yaml:"http_503_burst"` // the first N requests answer 503
	SlowResponse     time.Duration `yaml:"slow_response"`
	WrongCredentials bool          `yaml:"wrong_credentials"` // every request answers 401
	TruncateBodyRate float64       `yaml:"truncate_body_rate"`
	HTMLErrorRate    float64       `yaml:"html_error_rate"` // an HTML page with status 200

	AXLMaxRows         int           `yaml:"axl_max_rows"`  // rows past which executeSQLQuery is "too large"
	AXLMaxBytes        int           `yaml:"axl_max_bytes"` // response bytes past which it is "too large"
	AXLMemoryFaultRate float64       `yaml:"axl_memory_fault_rate"`
	AXLSessionExpired  bool          `yaml:"axl_session_expired"` // every JSESSIONIDSSO cookie answers 404
	AXLSessionTimeout  time.Duration `yaml:"axl_session_timeout"` // idle timeout of a session
	// AXLTablesDenied are tables the AXL user may not read: a query naming one answers Informix's
	// privilege error -272 "No SELECT permission" naming the table.
	AXLTablesDenied []string `yaml:"axl_tables_denied"`
}

// DefaultFaults are the knobs of a well-behaved cluster with CUCM's real limits.
func DefaultFaults() Faults {
	return Faults{
		RisPortRateLimit:  15,
		RisPortRateWindow: 60 * time.Second,
		RisPortMaxDevices: 1000,
		RisPortEmptyNodes: "notfound",
		AXLMaxRows:        100000,
		AXLMaxBytes:       8 << 20,
		AXLSessionTimeout: 30 * time.Minute,
	}
}

// defaultNow is the reference time of scenarios that do not set one.
var defaultNow = time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC)

// LoadScenario reads and validates a scenario file.
func LoadScenario(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading scenario: %w", err)
	}
	return ParseScenario(filepath.Base(path), data)
}

// ParseScenario decodes a scenario strictly (unknown fields are errors), applies defaults and
// validates it. name is used in messages: "demo.yaml:12: ...".
func ParseScenario(name string, data []byte) (*Scenario, error) {
	sc := &Scenario{
		Version:     "15.0.1.12900(234)",
		AXLVersions: []string{"12.5", "14.0", "15.0"},
		Now:         defaultNow,
		Credentials: Credentials{User: "axladmin", Password: "demo-password"},
		Faults:      DefaultFaults(),
	}
	root, err := yamlfile.Decode(name, data, sc)
	if errors.Is(err, yamlfile.ErrEmpty) {
		return nil, fmt.Errorf("%s: empty scenario", name)
	}
	if err != nil {
		return nil, err
	}
	sc.File = name
	v := &validator{file: name, root: root}
	v.scenario(sc)
	if len(v.errs) > 0 {
		return nil, errors.New(strings.Join(v.errs, "\n"))
	}
	return sc, nil
}

// validator collects errors that name the file, the line and the field.
type validator struct {
	file string
	root *yaml.Node
	errs []string
}

// errorf reports an error at path (keys and indexes into the document).
func (v *validator) errorf(path []any, format string, args ...any) {
	field := pathString(path)
	msg := fmt.Sprintf(format, args...)
	if line := lineOf(v.root, path); line > 0 {
		v.errs = append(v.errs, fmt.Sprintf("%s:%d: %s: %s", v.file, line, field, msg))
		return
	}
	v.errs = append(v.errs, fmt.Sprintf("%s: %s", field, msg))
}

func pathString(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch p := p.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p)
		case int:
			fmt.Fprintf(&b, "[%d]", p)
		}
	}
	return b.String()
}

// lineOf finds the line of the deepest node of path that exists in the document.
func lineOf(root *yaml.Node, path []any) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, p := range path {
		var next *yaml.Node
		switch p := p.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == p {
						line = n.Content[i].Line
						next = n.Content[i+1]
						break
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && p < len(n.Content) {
				next = n.Content[p]
				line = next.Line
			}
		}
		if next == nil {
			return line
		}
		n = next
	}
	return line
}

var versionRE = regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+\(\d+\)$`)

func (v *validator) scenario(sc *Scenario) {
	if sc.Cluster.Name == "" {
		v.errorf([]any{"cluster", "name"}, "missing: name the cluster")
	}
	if sc.Cluster.ID == "" {
		sc.Cluster.ID = sc.Cluster.Name
	}
	if sc.Cluster.Domain == "" {
		sc.Cluster.Domain = "example.com"
	}
	if !versionRE.MatchString(sc.Version) {
		v.errorf([]any{"version"}, "%q is not a CUCM version like 15.0.1.12900(234)", sc.Version)
	}
	for i, av := range sc.AXLVersions {
		if _, err := strconv.ParseFloat(av, 64); err != nil || !strings.Contains(av, ".") {
			v.errorf([]any{"axl_versions", i}, "%q is not an AXL schema version like 15.0", av)
		}
	}
	if sc.Credentials.User == "" || sc.Credentials.Password == "" {
		v.errorf([]any{"credentials"}, "user and password must both be set")
	}

	// Nodes.
	nodes := map[string]bool{} // Unified CM nodes: the only ones in CallManager groups and RisPort
	allNodes := map[string]bool{}
	pubs := 0
	if len(sc.Nodes) == 0 {
		v.errorf([]any{"nodes"}, "missing: list at least the publisher")
	}
	for i, n := range sc.Nodes {
		p := []any{"nodes", i}
		if n.Name == "" {
			v.errorf(append(p, "name"), "missing")
		} else if allNodes[n.Name] {
			v.errorf(append(p, "name"), "duplicate node %q", n.Name)
		}
		allNodes[n.Name] = true
		switch n.Role {
		case "publisher":
			pubs++
			nodes[n.Name] = true
		case "subscriber":
			nodes[n.Name] = true
		case "im_and_presence":
		default:
			v.errorf(append(p, "role"), "%q is not publisher, subscriber or im_and_presence", n.Role)
		}
	}
	if len(sc.Nodes) > 0 && pubs != 1 {
		v.errorf([]any{"nodes"}, "want exactly one publisher, have %d", pubs)
	}

	groups := map[string]bool{}
	for i, g := range sc.CMGroups {
		p := []any{"cm_groups", i}
		if g.Name == "" || groups[g.Name] {
			v.errorf(append(p, "name"), "missing or duplicate name %q", g.Name)
		}
		groups[g.Name] = true
		if len(g.Nodes) == 0 || len(g.Nodes) > 3 {
			v.errorf(append(p, "nodes"), "a CallManager group has 1 to 3 nodes, have %d", len(g.Nodes))
		}
		for j, n := range g.Nodes {
			if allNodes[n] && !nodes[n] {
				v.errorf(append(p, "nodes", j), "node %q is an IM and Presence node: it runs no call processing", n)
			} else if !nodes[n] {
				v.errorf(append(p, "nodes", j), "unknown node %q", n)
			}
		}
	}
	locations := map[string]bool{"Hub_None": true}
	for _, l := range sc.Locations {
		locations[l] = true
	}
	pools := map[string]bool{}
	for i, d := range sc.DevicePools {
		p := []any{"device_pools", i}
		if d.Name == "" || pools[d.Name] {
			v.errorf(append(p, "name"), "missing or duplicate name %q", d.Name)
		}
		pools[d.Name] = true
		if !groups[d.CMGroup] {
			v.errorf(append(p, "cm_group"), "unknown CallManager group %q", d.CMGroup)
		}
		if d.Location != "" && !locations[d.Location] {
			v.errorf(append(p, "location"), "unknown location %q", d.Location)
		}
	}
	parts := map[string]bool{}
	for i, pt := range sc.Partitions {
		if pt == "" || parts[pt] {
			v.errorf([]any{"partitions", i}, "missing or duplicate partition %q", pt)
		}
		parts[pt] = true
	}
	css := map[string]bool{}
	for i, c := range sc.CallingSearchSpaces {
		p := []any{"calling_search_spaces", i}
		if c.Name == "" || css[c.Name] {
			v.errorf(append(p, "name"), "missing or duplicate name %q", c.Name)
		}
		css[c.Name] = true
		for j, pt := range c.Partitions {
			if !parts[pt] {
				v.errorf(append(p, "partitions", j), "unknown partition %q", pt)
			}
		}
	}
	if sc.Users.Extra < 0 {
		v.errorf([]any{"users", "extra"}, "negative count %d", sc.Users.Extra)
	}
	if sc.Users.InactiveOwners < 0 {
		v.errorf([]any{"users", "inactive_owners"}, "negative count %d", sc.Users.InactiveOwners)
	}
	if u := sc.UnassignedDNs; u.Count < 0 {
		v.errorf([]any{"unassigned_dns", "count"}, "negative count %d", u.Count)
	} else if u.Partition != "" && !parts[u.Partition] {
		v.errorf([]any{"unassigned_dns", "partition"}, "unknown partition %q", u.Partition)
	}

	for i := range sc.DeviceGroups {
		v.group(sc, i, nodes, pools, parts, css)
	}
	for i := range sc.Devices {
		v.device(sc, i, nodes, pools, parts, css)
	}
	v.fidelity(sc, pools, parts, css)
	v.faults(&sc.Faults, nodes, []any{"faults"})
}

func (v *validator) group(sc *Scenario, i int, nodes, pools, parts, css map[string]bool) {
	g := &sc.DeviceGroups[i]
	p := []any{"device_groups", i}
	if g.Name == "" {
		v.errorf(append(p, "name"), "missing")
	}
	if !knownRisClass(g.Class) {
		v.errorf(append(p, "class"), "unknown class %q (want one of %s)", g.Class, strings.Join(risClasses, ", "))
		return
	}
	if g.Count < 0 {
		v.errorf(append(p, "count"), "negative count %d", g.Count)
		return
	}
	if len(g.Names) > g.Count {
		v.errorf(append(p, "names"), "%d names for %d devices", len(g.Names), g.Count)
	}
	if len(g.Names) < g.Count && g.NamePattern == "" {
		if g.Class != "Phone" {
			v.errorf(append(p, "name_pattern"), "missing: give names or a name_pattern for %d devices", g.Count)
		}
		g.NamePattern = "SEP{mac}"
	}
	if len(g.Models) == 0 {
		if m := defaultModel(g.Class); m != "" {
			g.Models = []Model{{Model: m, Weight: 1}}
		} else {
			v.errorf(append(p, "models"), "missing: list the models of the group")
		}
	}
	for j := range g.Models {
		m := &g.Models[j]
		mp := append(append([]any{}, p...), "models", j)
		info, ok := modelByName(m.Model)
		switch {
		case !ok:
			v.errorf(append(mp, "model"), "unknown model %q", m.Model)
		case info.risClass != g.Class:
			v.errorf(append(mp, "model"), "model %q is class %s, not %s", m.Model, info.risClass, g.Class)
		}
		if m.Weight < 0 {
			v.errorf(append(mp, "weight"), "negative weight %d", m.Weight)
		}
		if m.Weight == 0 {
			m.Weight = 1
		}
		for k := range m.Loads {
			if m.Loads[k].Weight < 0 {
				v.errorf(append(mp, "loads", k, "weight"), "negative weight %d", m.Loads[k].Weight)
			}
			if m.Loads[k].Weight == 0 {
				m.Loads[k].Weight = 1
			}
		}
	}
	if g.Protocol != "" {
		if _, _, ok := protocolByName(g.Protocol); !ok {
			v.errorf(append(p, "protocol"), "unknown protocol %q", g.Protocol)
		}
	}
	if len(g.DevicePools) == 0 {
		v.errorf(append(p, "device_pools"), "missing: list at least one device pool")
	}
	for j, dp := range g.DevicePools {
		if !pools[dp] {
			v.errorf(append(p, "device_pools", j), "unknown device pool %q", dp)
		}
	}
	if g.CSS != "" && !css[g.CSS] {
		v.errorf(append(p, "calling_search_space"), "unknown calling search space %q", g.CSS)
	}
	if g.Partition != "" && !parts[g.Partition] {
		v.errorf(append(p, "partition"), "unknown partition %q", g.Partition)
	}
	if g.OwnerFraction < 0 || g.OwnerFraction > 1 {
		v.errorf(append(p, "owner_fraction"), "%v is not between 0 and 1", g.OwnerFraction)
	}
	if g.ExtraLineFraction < 0 || g.ExtraLineFraction > 1 {
		v.errorf(append(p, "extra_line_fraction"), "%v is not between 0 and 1", g.ExtraLineFraction)
	}
	if g.Lines < 0 {
		v.errorf(append(p, "lines"), "negative count %d", g.Lines)
	}
	if g.NoLine < 0 || g.NoLine > g.Count {
		v.errorf(append(p, "no_line"), "%d is not between 0 and count %d", g.NoLine, g.Count)
	}
	r := &g.RisPort
	rp := append(append([]any{}, p...), "risport")
	for _, f := range []struct {
		name string
		n    int
	}{{"seen", r.Seen}, {"registered", r.Registered}, {"unregistered", r.UnRegistered}, {"rejected", r.Rejected},
		{"partially_registered", r.PartiallyRegistered}, {"unknown", r.Unknown}, {"failed_over", r.FailedOver}, {"duplicated", r.Duplicated},
		{"unregistered_spread_days", r.UnregisteredSpreadDays}} {
		if f.n < 0 {
			v.errorf(append(rp, f.name), "negative count %d", f.n)
			return
		}
	}
	if r.Seen > g.Count {
		v.errorf(append(rp, "seen"), "%d seen but the group has only %d devices", r.Seen, g.Count)
	}
	if sum := r.Registered + r.UnRegistered + r.Rejected + r.PartiallyRegistered + r.Unknown; sum != r.Seen {
		v.errorf(rp, "registered+unregistered+rejected+partially_registered+unknown = %d, want seen = %d", sum, r.Seen)
	}
	if r.Unknown < 0 {
		v.errorf(append(rp, "unknown"), "negative count %d", r.Unknown)
	}
	ra := g.RunOnAllNodes
	switch {
	case ra.Count < 0 || ra.Count > g.Count:
		v.errorf(append(p, "run_on_all_nodes", "count"), "%d is not between 0 and count %d", ra.Count, g.Count)
	case ra.Count > 0 && g.Class != "SIPTrunk":
		v.errorf(append(p, "run_on_all_nodes"), "only SIP trunks run on all nodes, not class %s", g.Class)
	}
	switch ra.RisPort {
	case "":
		g.RunOnAllNodes.RisPort = "one_node"
	case "one_node", "every_node":
	default:
		v.errorf(append(p, "run_on_all_nodes", "risport"), "%q is not one_node or every_node", ra.RisPort)
	}
	if g.MGCPCMGroup != "" {
		if g.Class != "Gateway" || g.Protocol != "MGCP" {
			v.errorf(append(p, "mgcp_cm_group"), "only MGCP gateway groups have an MGCP CallManager group")
		} else if !slices.ContainsFunc(sc.CMGroups, func(c CMGroup) bool { return c.Name == g.MGCPCMGroup }) {
			v.errorf(append(p, "mgcp_cm_group"), "unknown CallManager group %q", g.MGCPCMGroup)
		}
	}
	if g.NoLineGroup < 0 || g.NoLineGroup > g.Count {
		v.errorf(append(p, "no_line_group"), "%d is not between 0 and count %d", g.NoLineGroup, g.Count)
	} else if g.NoLineGroup > 0 && g.Class != "HuntList" {
		v.errorf(append(p, "no_line_group"), "only hunt lists have line groups, not class %s", g.Class)
	}
	if r.FailedOver > r.Registered {
		v.errorf(append(rp, "failed_over"), "%d failed over but only %d registered", r.FailedOver, r.Registered)
	}
	if r.Duplicated > r.Seen {
		v.errorf(append(rp, "duplicated"), "%d duplicated but only %d seen", r.Duplicated, r.Seen)
	}
	if (r.FailedOver > 0 || r.Duplicated > 0) && len(nodes) < 2 {
		v.errorf(rp, "failed_over and duplicated need at least two nodes")
	}
	for _, rs := range []struct {
		name string
		list []Reason
	}{{"unregistered_reasons", r.UnregisteredReasons}, {"rejected_reasons", r.RejectedReasons}} {
		for k, reason := range rs.list {
			if _, ok := snapshot.StatusReason(reason.Code); !ok {
				v.errorf(append(rp, rs.name, k, "code"), "unknown StatusReason %d", reason.Code)
			}
			if reason.Weight < 0 {
				v.errorf(append(rp, rs.name, k, "weight"), "negative weight %d", reason.Weight)
			}
		}
	}
	if r.UnregisteredSpreadDays == 0 {
		r.UnregisteredSpreadDays = 30
	}
}

var risStatuses = snapshot.RegStatuses()

func (v *validator) device(sc *Scenario, i int, nodes, pools, parts, css map[string]bool) {
	d := &sc.Devices[i]
	p := []any{"devices", i}
	if d.Name == "" {
		v.errorf(append(p, "name"), "missing")
	}
	if d.Class == "" {
		d.Class = "Phone"
	}
	if !knownRisClass(d.Class) {
		v.errorf(append(p, "class"), "unknown class %q (want one of %s)", d.Class, strings.Join(risClasses, ", "))
		return
	}
	if d.Model == "" {
		d.Model = defaultModel(d.Class)
		if d.Class == "Phone" {
			d.Model = "Cisco 8845"
		}
	}
	if info, ok := modelByName(d.Model); !ok {
		v.errorf(append(p, "model"), "unknown model %q", d.Model)
	} else if info.risClass != d.Class {
		v.errorf(append(p, "model"), "model %q is class %s, not %s", d.Model, info.risClass, d.Class)
	}
	if d.Protocol != "" {
		if _, _, ok := protocolByName(d.Protocol); !ok {
			v.errorf(append(p, "protocol"), "unknown protocol %q", d.Protocol)
		}
	}
	if !pools[d.DevicePool] {
		v.errorf(append(p, "device_pool"), "unknown device pool %q", d.DevicePool)
	}
	if d.CSS != "" && !css[d.CSS] {
		v.errorf(append(p, "calling_search_space"), "unknown calling search space %q", d.CSS)
	}
	if d.Partition != "" && !parts[d.Partition] {
		v.errorf(append(p, "partition"), "unknown partition %q", d.Partition)
	}
	for j, e := range d.RisPort {
		ep := append(append([]any{}, p...), "risport", j)
		if !nodes[e.Node] {
			v.errorf(append(ep, "node"), "unknown node %q", e.Node)
		}
		if !slices.Contains(risStatuses, e.Status) {
			v.errorf(append(ep, "status"), "unknown status %q (want one of %s)", e.Status, strings.Join(risStatuses, ", "))
		}
		if e.TimeStamp < 0 {
			v.errorf(append(ep, "timestamp"), "negative timestamp %d", e.TimeStamp)
		}
	}
}

func (v *validator) faults(f *Faults, nodes map[string]bool, p []any) {
	if f.RisPortRateLimit < 0 {
		v.errorf(append(p, "risport_rate_limit"), "negative limit %d (0 disables the limit)", f.RisPortRateLimit)
	}
	if f.RisPortRateWindow <= 0 {
		v.errorf(append(p, "risport_rate_window"), "window %v must be positive", f.RisPortRateWindow)
	}
	if f.RisPortMaxDevices <= 0 {
		v.errorf(append(p, "risport_max_devices"), "cap %d must be positive", f.RisPortMaxDevices)
	}
	switch f.RisPortEmptyNodes {
	case "":
		f.RisPortEmptyNodes = "notfound"
	case "nil", "notfound":
	default:
		v.errorf(append(p, "risport_empty_nodes"), "%q is not nil or notfound", f.RisPortEmptyNodes)
	}
	for _, l := range []struct {
		name string
		list []string
	}{{"nodes_not_responding", f.NodesNotResponding}, {"nodes_not_found", f.NodesNotFound}, {"nodes_silent", f.NodesSilent}} {
		for j, n := range l.list {
			if !nodes[n] {
				v.errorf(append(p, l.name, j), "unknown node %q", n)
			}
		}
	}
	for j, c := range f.ClassesFailing {
		if !knownRisClass(c) {
			v.errorf(append(p, "classes_failing", j), "unknown class %q (want one of %s)", c, strings.Join(risClasses, ", "))
		}
	}
	for _, r := range []struct {
		name string
		x    float64
	}{{"http_503_rate", f.HTTP503Rate}, {"truncate_body_rate", f.TruncateBodyRate}, {"html_error_rate", f.HTMLErrorRate}, {"axl_memory_fault_rate", f.AXLMemoryFaultRate}} {
		if r.x < 0 || r.x > 1 {
			v.errorf(append(p, r.name), "%v is not between 0 and 1", r.x)
		}
	}
	for _, d := range []struct {
		name string
		d    time.Duration
	}{{"slow_response", f.SlowResponse}, {"axl_session_timeout", f.AXLSessionTimeout}} {
		if d.d < 0 {
			v.errorf(append(p, d.name), "negative duration %v", d.d)
		}
	}
	for _, n := range []struct {
		name string
		n    int
	}{{"http_503_burst", f.HTTP503Burst}, {"axl_max_rows", f.AXLMaxRows}, {"axl_max_bytes", f.AXLMaxBytes}} {
		if n.n < 0 {
			v.errorf(append(p, n.name), "negative value %d", n.n)
		}
	}
}

// Validate checks faults set at run time (SetFaults) the way the loader checks the YAML.
func (f Faults) Validate(nodeNames []string) error {
	nodes := map[string]bool{}
	for _, n := range nodeNames {
		nodes[n] = true
	}
	v := &validator{file: "", root: &yaml.Node{}}
	v.faults(&f, nodes, []any{"faults"})
	if len(v.errs) > 0 {
		return errors.New(strings.Join(v.errs, "\n"))
	}
	return nil
}
