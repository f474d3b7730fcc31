package mcpserver

import (
	"fmt"
	"strings"
)

// statusNeverSeen is our name for a device configured in AXL that no node reported in RisPort.
const statusNeverSeen = "NeverSeen"

// statusMeanings explains RisPort70's CmDevRegStat values (and our NeverSeen) in words.
var statusMeanings = map[string]string{
	"Registered":          "the device is registered with a CUCM node and can place and receive calls",
	"UnRegistered":        "the device was registered earlier but is not now (unplugged, powered off, lost network or reset); RisPort keeps it for a while after it leaves",
	"Rejected":            "the device tried to register and CUCM refused it (configuration mismatch, wrong credentials/certificate, duplicate, unsupported model or capacity)",
	"PartiallyRegistered": "the device is registered but at least one of its lines is not",
	"Unknown":             "RisPort has an entry for the device but cannot tell its state",
	statusNeverSeen:       "configured in AXL but absent from every node's RisPort answer: not registered since the node's RisPort cache was last cleared, or never deployed (only meaningful when the class's RisPort coverage is complete)",
}

// statusReasons are RisPort70's StatusReason codes (Cisco's list as published by the
// cisco-risport library, lib/statusReasons.js).
var statusReasons = map[int]string{
	0:  "Registered (no fault)",
	1:  "Unknown",
	6:  "ConnectivityError: network problem between the device and CUCM",
	8:  "DeviceInitiatedReset: the device reset itself",
	9:  "CallManagerReset: CUCM reset the device",
	10: "DeviceUnregistered: the device unregistered normally",
	11: "MalformedRegisterMsg: the registration message was malformed",
	12: "SCCPDeviceThrottling: CUCM throttled SCCP registrations",
	13: "KeepAliveTimeout: the device stopped answering keepalives",
	14: "ConfigurationMismatch: the device's configuration does not match CUCM's (e.g. wrong model, protocol or security profile)",
	15: "CallManagerRestart: the CUCM service restarted",
	16: "DuplicateRegistration: another device registered with the same name",
	17: "CallManagerApplyConfig: the device restarted to apply a configuration change",
	18: "DeviceNoResponse: the device did not respond",
	19: "EMLoginLogout: an Extension Mobility login or logout",
	20: "EMCCLoginLogout: an Extension Mobility Cross Cluster login or logout",
	25: "RegistrationSequenceError: registration messages arrived out of order",
	26: "InvalidCapabilities: the device reported invalid capabilities",
	28: "FallbackInitiated: the device is falling back to its primary node",
	29: "DeviceSwitch: the device switched to another node",
	30: "DeviceWipe: the device was wiped",
	31: "DeviceForcedReset: the device was forced to reset",
	33: "LowBattery: the device's battery is low",
	34: "ManualPowerOff: the device was powered off",
}

// reasonText is the StatusReason code in words.
func reasonText(code int) string {
	if t, ok := statusReasons[code]; ok {
		return t
	}
	return fmt.Sprintf("code %d (not in Cisco's published list)", code)
}

// risClasses are RisPort70's DeviceClass values, the classes device_class accepts.
var risClasses = []string{"Phone", "Gateway", "H323", "Cti", "VoiceMail", "MediaResources", "SIPTrunk", "HuntList", "Unknown"}

// registrationStatuses are the statuses the status filter accepts.
var registrationStatuses = []string{"Registered", "UnRegistered", "Rejected", "PartiallyRegistered", "Unknown", statusNeverSeen}

// canonical finds want in list ignoring case, or explains what is accepted.
func canonical(field, want string, list []string) (string, error) {
	for _, v := range list {
		if strings.EqualFold(v, want) {
			return v, nil
		}
	}
	return "", fmt.Errorf("unknown %s %q: want one of %s", field, want, strings.Join(list, ", "))
}
