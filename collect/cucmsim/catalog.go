package cucmsim

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

// patternUsages is typepatternusage (subset).
var patternUsages = []struct {
	enum int
	name string
}{
	{0, "Call Park"}, {1, "Conference"}, {2, "Device"}, {3, "Translation"}, {4, "Call Pick Up Group"},
	{5, "Route"}, {6, "Message Waiting"}, {7, "Hunt Pilot"}, {8, "Voice Mail Port"},
}

const (
	usageDevice    = 2
	usageHuntPilot = 7
)

// modelInfo describes one typemodel row and how the simulator presents devices of that model.
type modelInfo struct {
	enum      int
	name      string
	typeClass int    // typeclass.enum
	risClass  string // RisPort DeviceClass
	protocol  string // default protocol
	eol       bool   // end of life / end of support (informational)
}

var models = []modelInfo{
	// Phones.
	{7, "Cisco 7960", 1, "Phone", "SCCP", true},
	{8, "Cisco 7940", 1, "Phone", "SCCP", true},
	{30007, "Cisco 7912", 1, "Phone", "SCCP", true},
	{404, "Cisco 7962", 1, "Phone", "SCCP", true},
	{434, "Cisco 7942", 1, "Phone", "SCCP", true},
	{435, "Cisco 7945", 1, "Phone", "SCCP", true},
	{436, "Cisco 7965", 1, "Phone", "SCCP", true},
	{437, "Cisco 7975", 1, "Phone", "SCCP", true},
	{431, "Cisco 7937", 1, "Phone", "SCCP", true},
	{621, "Cisco 7821", 1, "Phone", "SIP", false},
	{622, "Cisco 7841", 1, "Phone", "SIP", false},
	{623, "Cisco 7861", 1, "Phone", "SIP", false},
	{683, "Cisco 8841", 1, "Phone", "SIP", false},
	{684, "Cisco 8851", 1, "Phone", "SIP", false},
	{685, "Cisco 8861", 1, "Phone", "SIP", false},
	{36224, "Cisco 8845", 1, "Phone", "SIP", false},
	{36225, "Cisco 8865", 1, "Phone", "SIP", false},
	{36345, "Cisco 9841", 1, "Phone", "SIP", false},
	{36348, "Cisco 9851", 1, "Phone", "SIP", false},
	{36347, "Cisco 9861", 1, "Phone", "SIP", false},
	{36350, "Cisco 9871", 1, "Phone", "SIP", false},
	{30016, "Cisco IP Communicator", 1, "Phone", "SCCP", true},
	{503, "Cisco Unified Client Services Framework", 1, "Phone", "SIP", false},
	// Gateways [inf enums].
	{30027, "Cisco VG224", 2, "Gateway", "MGCP", true},
	{36097, "Cisco VG310", 2, "Gateway", "MGCP", false},
	{36098, "Cisco VG320", 2, "Gateway", "MGCP", false},
	{36227, "Cisco ISR 4321", 2, "Gateway", "MGCP", false},
	{36228, "Cisco ISR 4331", 2, "Gateway", "MGCP", false},
	{61, "H.323 Gateway", 2, "H323", "H.225", false},
	// Trunks, lists, CTI, voice mail, media resources.
	{131, "SIP Trunk", 18, "SIPTrunk", "SIP", false},
	{90, "Route List", 8, "HuntList", "Protocol Not Specified", false},
	{91, "Hunt List", 8, "HuntList", "Protocol Not Specified", false},
	{72, "CTI Port", 1, "Cti", "SCCP", false},
	{73, "CTI Route Point", 10, "Cti", "Route Point", false},
	{30006, "Cisco Voice Mail Port", 9, "VoiceMail", "SCCP", false},
	{50, "Conference Bridge", 4, "MediaResources", "SCCP", false},
	{70, "Music On Hold", 12, "MediaResources", "SCCP", false},
	{110, "Media Termination Point", 5, "MediaResources", "SCCP", false},
	{126, "Annunciator", 19, "MediaResources", "SCCP", false},
	{645, "Universal Device Template", 1, "", "SIP", false},
	{255, "Unknown", 255, "Unknown", "SCCP", false},
}

// risClasses are the RisPort DeviceClass values (CmDevClass) a scenario may use.
var risClasses = []string{"Phone", "Gateway", "H323", "Cti", "VoiceMail", "MediaResources", "SIPTrunk", "HuntList", "Unknown"}

func modelByName(name string) (modelInfo, bool) {
	for _, m := range models {
		if m.name == name {
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
		return "Conference Bridge"
	case "H323":
		return "H.323 Gateway"
	}
	return ""
}

// statusReasons are RisPort StatusReason codes (CUCM-API.md §2.3).
var statusReasons = map[int]string{
	0: "Registered", 1: "Unknown", 6: "ConnectivityError", 8: "DeviceInitiatedReset", 9: "CallManagerReset",
	10: "DeviceUnregistered", 11: "MalformedRegisterMsg", 12: "SCCPDeviceThrottling", 13: "KeepAliveTimeout",
	14: "ConfigurationMismatch", 15: "CallManagerRestart", 16: "DuplicateRegistration", 17: "CallManagerApplyConfig",
	18: "DeviceNoResponse", 19: "EMLoginLogout", 20: "EMCCLoginLogout", 25: "RegistrationSequenceError",
	26: "InvalidCapabilities", 28: "FallbackInitiated", 29: "DeviceSwitch", 30: "DeviceWipe", 31: "DeviceForcedReset",
	33: "LowBattery", 34: "ManualPowerOff",
}
