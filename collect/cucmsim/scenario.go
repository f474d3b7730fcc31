package cucmsim

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cucm-audit/cucm-audit/internal/yamlfile"
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
	Name        string `yaml:"name"`
	Class       string `yaml:"class"` // RisPort DeviceClass: Phone, Gateway, SIPTrunk, HuntList, H323, Cti, VoiceMail, MediaResources
	Count       int    `yaml:"count"`
	NamePattern string `yaml:"name_pattern"` // tokens {mac}, {n} (1-based), {i} (0-based), {n:03}
	// MACOUIs are the vendor prefixes (6 hex digits) the {mac} of the group's devices start
	// with, as a site that bought its phones in a few batches has: default ten of Cisco's.
	MACOUIs             []string `yaml:"mac_ouis"`
	Names               []string `yaml:"names"`       // explicit names, used before the pattern
	Description         string   `yaml:"description"` // tokens {n}, {owner}, {dn}, {model}, {pool}
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
