package cucmsim

import (
	"strings"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

// This file holds CUCM's enumerations as the simulator stores them in its type tables. Enum
// values come from CUCM-API.md §1.8; those marked [inf] there (and the gateway and hunt list
// models, which no public source pins down) are plausible values, not verified ones.

// typeClass is one row of CUCM's typeclass table.
type typeClass struct {
	enum int
	name string
}

var typeClasses = []typeClass{
	{1, "Phone"}, {2, "Gateway"}, {4, "Conference Bridge"}, {5, "Media Termination Point"},
	{8, "Route List"}, {9, "Voice Mail"}, {10, "CTI Route Point"}, {12, "Music On Hold"},
	{13, "Simulation"}, {14, "Pilot"}, {15, "GateKeeper"}, {16, "Add-on modules"},
	{17, "Hidden Phone"}, {18, "Trunk"}, {19, "Tone Announcement Player"},
	{20, "Remote Destination Profile"}, {248, "EMCC Base Phone Template"}, {249, "EMCC Base Phone"},
	{250, "Remote Destination Profile Template"}, {251, "Gateway Template"}, {252, "UDP Template"},
	{253, "Phone Template"}, {254, "Device Profile"}, {255, "Invalid"},
}

// protocolEnum maps a scenario protocol name to typedeviceprotocol.enum.
var protocols = []struct {
	enum int
	name string
	ris  string // RisPort Protocol value
}{
	{0, "SCCP", "SCCP"}, {1, "Digital Access PRI", "Unknown"}, {2, "H.225", "Unknown"},
	{3, "Analog Access", "Unknown"}, {4, "Digital Access T1", "Unknown"}, {5, "Route Point", "Unknown"},
	{6, "Unicast Bridge", "Unknown"}, {7, "Multicast Point", "Unknown"}, {8, "Inter-Cluster Trunk", "Unknown"},
	{9, "RAS", "Unknown"}, {10, "Digital Access BRI", "Unknown"}, {11, "SIP", "SIP"}, {12, "MGCP", "Unknown"},
	{99, "Protocol Not Specified", "Unknown"},
}

// patternUsages is typepatternusage: the 0-based order of AXL XPatternUsage (AXLEnums.xsd
// 15.0), which matches every value CUCM-API.md §A.1 verified (0, 2, 3, 4, 5, 7, 9, 13, 15).
var patternUsages = []struct {
	enum int
	name string
}{
	{0, "CallPark"}, {1, "Conference"}, {2, "Device"}, {3, "Translation"}, {4, "Call Pick Up Group"},
	{5, "Route"}, {6, "Message Waiting"}, {7, "Hunt Pilot"}, {8, "Voice Mail Port"}, {9, "Domain Routing"},
	{10, "IPAddress Routing"}, {11, "Device template"}, {12, "Directed Call Park"}, {13, "Device Intercom"},
	{14, "Translation Intercom"}, {15, "Translation Calling Party Number"}, {16, "Mobility Handoff"},
	{17, "Mobility Enterprise Feature Access"}, {18, "Mobility IVR"}, {19, "Device Intercom Template"},
	{20, "Called Party Number Transformation"}, {21, "Call Control Discovery Learned Pattern"},
	{22, "Uri Routing"}, {23, "ILS Learned Enterprise Number"}, {24, "ILS Learned E164 Number"},
	{25, "ILS Learned Enterprise Numeric Pattern"}, {26, "ILS Learned E164 Numeric Pattern"},
	{27, "Alternate Number"}, {28, "ILS Learned URI"}, {29, "ILS Learned PSTN Failover Rule"},
	{30, "ILS Imported E164 Number"}, {31, "Centralized Conference Number"}, {32, "Emergency Location ID Number"},
}

// processNodeRoles is typeprocessnoderole: 1 Unified CM, 2 IM and Presence (CUCM-API.md §I;
// names from AXL XProcessNodeRole).
var processNodeRoles = []struct {
	enum int
	name string
}{{1, "CUCM Voice/Video"}, {2, "CUCM IM and Presence"}}

// distributeAlgorithms is typedistributealgorithm (AXL XDistributeAlgorithm order; numbers [inf]).
var distributeAlgorithms = []string{"Top Down", "Circular", "Longest Idle Time", "Broadcast"}

// digitDiscardInstructions are the digitdiscardinstruction names a cluster ships with
// (CUCM-API.md §A.3, §J.4).
var digitDiscardInstructions = []string{"NoDigits", "PreDot", "PreAt", "Trailing-#", "PreDot Trailing-#",
	"11D->10D", "11D/10D->7D", "10D->7D", "IntlTollBypass", "10-10-Dialing", "PreDot 10-10-Dialing",
	"PreDot IntlTollBypass", "PreDot 11D->10D", "PreDot IntlAccess IntlDirectDial"}

const (
	usageDevice      = 2
	usageTranslation = 3
	usageRoute       = 5
	usageHuntPilot   = 7
	usageVoiceMail   = 8
)

// modelInfo describes one kind of device: its typemodel and typeproduct rows and how the
// simulator presents devices of it. name is the name scenarios use: the product name (XProduct),
// which for most devices equals the model name (XModel). Where CUCM's two enumerations differ
// (AXLEnums.xsd 15.0: XModel has "Route List" but no "Hunt List", XProduct has both; XModel
// "Conference Bridge" / XProduct "Cisco Conference Bridge Software"), modelName and product
// say so. Product enums of those products are [inf].
type modelInfo struct {
	enum      int
	name      string
	typeClass int    // typeclass.enum
	risClass  string // RisPort DeviceClass ("" = RisPort never lists it)
	protocol  string // default protocol
	eol       bool   // end of life / end of support (informational)
	modelName string // typemodel.name when it differs from name
	product   int    // typeproduct.enum when it differs from enum
}

// xProductNames are CUCM's typeproduct names (XProduct) where scenarios use Cisco's marketing
// name: a VG320 chassis is product "VG320" in CUCM.
var xProductNames = map[string]string{"Cisco VG224": "VG224", "Cisco VG310": "VG310", "Cisco VG320": "VG320"}

// productName is the typeproduct.name of the model's product.
func (m modelInfo) productName() string {
	if n, ok := xProductNames[m.name]; ok {
		return n
	}
	return m.name
}

// mgcpEndpointModel is the model of an MGCP endpoint device named like AALN/S0/SU0/1@gw (an
// analog port) or S0/SU1/DS1-0@gw (a digital port).
func mgcpEndpointModel(name string) modelInfo {
	product := "Cisco MGCP FXS Port"
	if strings.Contains(name, "DS1") {
		product = "Cisco MGCP T1 Port"
	}
	m, _ := modelByName(product)
	return m
}

// typeModelName is the typemodel.name of the device's model.
func (m modelInfo) typeModelName() string {
	if m.modelName != "" {
		return m.modelName
	}
	return m.name
}

// productEnum is typeproduct.enum (RisPort Product).
func (m modelInfo) productEnum() int {
	if m.product != 0 {
		return m.product
	}
	return m.enum
}

var models = []modelInfo{
	// Phones.
	{7, "Cisco 7960", 1, "Phone", "SCCP", true, "", 0},
	{8, "Cisco 7940", 1, "Phone", "SCCP", true, "", 0},
	{30007, "Cisco 7912", 1, "Phone", "SCCP", true, "", 0},
	{404, "Cisco 7962", 1, "Phone", "SCCP", true, "", 0},
	{434, "Cisco 7942", 1, "Phone", "SCCP", true, "", 0},
	{435, "Cisco 7945", 1, "Phone", "SCCP", true, "", 0},
	{436, "Cisco 7965", 1, "Phone", "SCCP", true, "", 0},
	{437, "Cisco 7975", 1, "Phone", "SCCP", true, "", 0},
	{431, "Cisco 7937", 1, "Phone", "SCCP", true, "", 0},
	{621, "Cisco 7821", 1, "Phone", "SIP", false, "", 0},
	{622, "Cisco 7841", 1, "Phone", "SIP", false, "", 0},
	{623, "Cisco 7861", 1, "Phone", "SIP", false, "", 0},
	{683, "Cisco 8841", 1, "Phone", "SIP", false, "", 0},
	{684, "Cisco 8851", 1, "Phone", "SIP", false, "", 0},
	{685, "Cisco 8861", 1, "Phone", "SIP", false, "", 0},
	{36224, "Cisco 8845", 1, "Phone", "SIP", false, "", 0},
	{36225, "Cisco 8865", 1, "Phone", "SIP", false, "", 0},
	{36345, "Cisco 9841", 1, "Phone", "SIP", false, "", 0},
	{36348, "Cisco 9851", 1, "Phone", "SIP", false, "", 0},
	{36347, "Cisco 9861", 1, "Phone", "SIP", false, "", 0},
	{36350, "Cisco 9871", 1, "Phone", "SIP", false, "", 0},
	{30016, "Cisco IP Communicator", 1, "Phone", "SCCP", true, "", 0},
	{503, "Cisco Unified Client Services Framework", 1, "Phone", "SIP", false, "", 0},
	// Gateways [inf enums].
	{30027, "Cisco VG224", 2, "Gateway", "MGCP", true, "", 0},
	{36097, "Cisco VG310", 2, "Gateway", "MGCP", false, "", 0},
	{36098, "Cisco VG320", 2, "Gateway", "MGCP", false, "", 0},
	{36227, "Cisco ISR 4321", 2, "Gateway", "MGCP", false, "", 0},
	{36228, "Cisco ISR 4331", 2, "Gateway", "MGCP", false, "", 0},
	{61, "H.323 Gateway", 2, "H323", "H.225", false, "", 0},
	// MGCP endpoints: the device of a port is typemodel "MGCP Station" (analog) or "MGCP Trunk"
	// (digital) with a port product (XModel, XProduct in AXLEnums.xsd 15.0); the gateway's own
	// product (the chassis above) is on its mgcp row. Enums [inf] but 121 MGCP Trunk.
	{120, "Cisco MGCP FXS Port", 2, "Gateway", "MGCP", false, "MGCP Station", 35001},
	{121, "Cisco MGCP T1 Port", 2, "Gateway", "MGCP", false, "MGCP Trunk", 35002},
	// Trunks, lists, CTI, voice mail, media resources.
	{131, "SIP Trunk", 18, "SIPTrunk", "SIP", false, "", 0},
	// A route list and a hunt list are both typemodel "Route List" (XModel has no "Hunt List");
	// typeproduct tells them apart (XProduct "Route List" / "Hunt List"). RisPort lists hunt
	// lists (class HuntList), not route lists.
	{90, "Route List", 8, "", "Protocol Not Specified", false, "", 0},
	{90, "Hunt List", 8, "HuntList", "Protocol Not Specified", false, "Route List", 91},
	{72, "CTI Port", 1, "Cti", "SCCP", false, "", 0},
	{73, "CTI Route Point", 10, "Cti", "Route Point", false, "", 0},
	{30006, "Cisco Voice Mail Port", 9, "VoiceMail", "SCCP", false, "Voice Mail Port", 0},
	// Software media resources: XModel "Conference Bridge" / XProduct "Cisco Conference Bridge
	// Software", and so on.
	{50, "Cisco Conference Bridge Software", 4, "MediaResources", "SCCP", false, "Conference Bridge", 0},
	{70, "Music On Hold", 12, "MediaResources", "SCCP", false, "", 0},
	{110, "Cisco Media Termination Point Software", 5, "MediaResources", "SCCP", false, "Media Termination Point", 0},
	{126, "Annunciator", 19, "MediaResources", "SCCP", false, "Tone Announcement Player", 0},
	{645, "Universal Device Template", 1, "", "SIP", false, "", 0},
	{255, "Unknown", 255, "Unknown", "SCCP", false, "", 0},
}

// risClasses are the RisPort DeviceClass values (CmDevClass) a scenario may use.
var risClasses = snapshot.DeviceClasses()

// modelByName finds a device kind by its product name, or by its model name when no product
// has that name ("Conference Bridge" is the software bridge).
func modelByName(name string) (modelInfo, bool) {
	for _, m := range models {
		if m.name == name {
			return m, true
		}
	}
	for _, m := range models {
		if m.modelName == name {
			return m, true
		}
	}
	return modelInfo{}, false
}

func protocolByName(name string) (int, string, bool) {
	for _, p := range protocols {
		if p.name == name {
			return p.enum, p.ris, true
		}
	}
	return 0, "", false
}

func knownRisClass(c string) bool {
	for _, k := range risClasses {
		if k == c {
			return true
		}
	}
	return false
}

// defaultModel is the model a group gets when it names none.
func defaultModel(class string) string {
	switch class {
	case "SIPTrunk":
		return "SIP Trunk"
	case "HuntList":
		return "Hunt List"
	case "Cti":
		return "CTI Route Point"
	case "VoiceMail":
		return "Cisco Voice Mail Port"
	case "MediaResources":
		return "Cisco Conference Bridge Software"
	case "H323":
		return "H.323 Gateway"
	}
	return ""
}

// standardAppUsers are the application users every cluster is installed with [inf: names seen
// on real clusters' Application User pages].
var standardAppUsers = []string{"CCMAdministrator", "CCMSysUser", "CCMQRTSysUser", "CCMQRTSecureSysUser",
	"IPMASysUser", "WDSysUser", "WDSecureSysUser", "TabSyncUser", "CUCService"}

// standardRoles are functionrole names (CUCM-API.md §F, from Cisco's "Standard Roles and Access
// Control Groups" table).
var standardRoles = []string{"Standard AXL API Access", "Standard AXL API Users", "Standard AXL Read Only API Access",
	"Standard CCMADMIN Administration", "Standard CCMADMIN Read Only", "Standard CCM Admin Users",
	"Standard CCM Route Plan Management", "Standard CCM User Privilege Management", "Standard CCM Phone Management",
	"Standard CCM Gateway Management", "Standard CCM System Management", "Standard CCM Service Management",
	"Standard CCM Feature Management", "Standard EM Authentication Proxy Rights", "Standard SERVICEABILITY",
	"Standard SERVICEABILITY Read Only", "Standard Admin Rep Tool Admin"}

// standardGroups are the standard access control groups (dirgroup) and their roles (§F).
var standardGroups = []struct {
	name  string
	roles []string
}{
	{"Standard CCM Super Users", []string{"Standard AXL API Access", "Standard CCMADMIN Administration", "Standard CCM Admin Users",
		"Standard EM Authentication Proxy Rights", "Standard SERVICEABILITY", "Standard Admin Rep Tool Admin"}},
	{"Standard CCM Admin Users", []string{"Standard CCM Admin Users"}},
	{"Standard CCM Read Only", []string{"Standard CCMADMIN Read Only", "Standard CCM Admin Users", "Standard SERVICEABILITY Read Only"}},
	{"Standard CCM Phone Administration", []string{"Standard CCMADMIN Read Only", "Standard CCM Admin Users", "Standard CCM Phone Management"}},
	{"Standard CCM Gateway Administration", []string{"Standard CCMADMIN Read Only", "Standard CCM Admin Users", "Standard CCM Gateway Management"}},
	{"Standard CCM Server Maintenance", []string{"Standard CCMADMIN Read Only", "Standard CCM Admin Users", "Standard CCM System Management",
		"Standard CCM Service Management", "Standard CCM Feature Management"}},
	{"Standard CCM Server Monitoring", []string{"Standard CCMADMIN Read Only", "Standard CCM Admin Users", "Standard SERVICEABILITY"}},
	{"Standard EM Authentication Proxy Rights", []string{"Standard EM Authentication Proxy Rights"}},
	{"Standard CAR Admin Users", []string{"Standard Admin Rep Tool Admin"}},
	{"Standard TabSync User", nil},
}
