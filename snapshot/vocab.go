package snapshot

import (
	"maps"
	"slices"
)

// CUCM's words, spelt once: the RisPort70 enums every stage reads, checks or shows (CUCM-API.md,
// "Enums (RISWSDL)" and the StatusReason codes), without the filter value Any. The collector
// queries the classes, the simulator and the rules check them, MCP and the text output list them.
var (
	deviceClasses = []string{"Phone", "Gateway", "H323", "Cti", "VoiceMail", "MediaResources", "SIPTrunk", "HuntList", "Unknown"}
	// CmDevRegStat, with CUCM's capital R in UnRegistered.
	regStatuses = []string{"Registered", "UnRegistered", "Rejected", "PartiallyRegistered", "Unknown"}
	protocols   = []string{"SCCP", "SIP", "Unknown"}
	// statusReasons are from Cisco's documentation as collected by the sieteunoseis/cisco-risport
	// project (CUCM-API.md); CUCM sends other codes too.
	statusReasons = map[int]string{
		0: "Registered", 1: "Unknown", 6: "ConnectivityError", 8: "DeviceInitiatedReset", 9: "CallManagerReset",
		10: "DeviceUnregistered", 11: "MalformedRegisterMsg", 12: "SCCPDeviceThrottling", 13: "KeepAliveTimeout",
		14: "ConfigurationMismatch", 15: "CallManagerRestart", 16: "DuplicateRegistration", 17: "CallManagerApplyConfig",
		18: "DeviceNoResponse", 19: "EMLoginLogout", 20: "EMCCLoginLogout", 25: "RegistrationSequenceError",
		26: "InvalidCapabilities", 28: "FallbackInitiated", 29: "DeviceSwitch", 30: "DeviceWipe", 31: "DeviceForcedReset",
		33: "LowBattery", 34: "ManualPowerOff",
	}
)

// DeviceClasses returns RisPort70's DeviceClass values (CmDevClass) in the order the collector
// queries them, Unknown last, as a fresh slice.
func DeviceClasses() []string { return slices.Clone(deviceClasses) }

// RegStatuses returns RisPort70's registration statuses (CmDevRegStat) in the order reports
// show them, as a fresh slice.
func RegStatuses() []string { return slices.Clone(regStatuses) }

// Protocols returns RisPort70's Protocol values, as a fresh slice.
func Protocols() []string { return slices.Clone(protocols) }

// StatusReason names a RisPort70 StatusReason code ("ConfigurationMismatch" for 14); ok is false
// for a code not in Cisco's published list.
func StatusReason(code int) (name string, ok bool) {
	name, ok = statusReasons[code]
	return name, ok
}

// StatusReasons returns every published StatusReason code with its name, as a fresh map.
func StatusReasons() map[int]string { return maps.Clone(statusReasons) }
