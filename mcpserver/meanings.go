package mcpserver

import (
	"fmt"
	"strings"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
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

// reasonHelp explains RisPort70's StatusReason codes in words; the names come from
// results.StatusReasonText so every output spells them alike.
var reasonHelp = map[int]string{
	0:  "no fault",
	6:  "network problem between the device and CUCM",
	8:  "the device reset itself",
	9:  "CUCM reset the device",
	10: "the device unregistered normally",
	11: "the registration message was malformed",
	12: "CUCM throttled SCCP registrations",
	13: "the device stopped answering keepalives",
	14: "the device's configuration does not match CUCM's (e.g. wrong model, protocol or security profile)",
	15: "the CUCM service restarted",
	16: "another device registered with the same name",
	17: "the device restarted to apply a configuration change",
	18: "the device did not respond",
	19: "an Extension Mobility login or logout",
	20: "an Extension Mobility Cross Cluster login or logout",
	25: "registration messages arrived out of order",
	26: "the device reported invalid capabilities",
	28: "the device is falling back to its primary node",
	29: "the device switched to another node",
	30: "the device was wiped",
	31: "the device was forced to reset",
	33: "the device's battery is low",
	34: "the device was powered off",
}

// reasonText is the StatusReason code in words: its name, and what it means when known.
func reasonText(code int) string {
	name := results.StatusReasonText(code)
	if help, ok := reasonHelp[code]; ok {
		return name + ": " + help
	}
	if code == 1 {
		return name
	}
	return name + " (not in Cisco's published list)"
}

// risClasses are RisPort70's DeviceClass values, the classes device_class accepts.
var risClasses = snapshot.DeviceClasses()

// registrationStatuses are the statuses the status filter accepts.
var registrationStatuses = append(snapshot.RegStatuses(), statusNeverSeen)

// canonical finds want in list ignoring case, or explains what is accepted.
func canonical(field, want string, list []string) (string, error) {
	for _, v := range list {
		if strings.EqualFold(v, want) {
			return v, nil
		}
	}
	return "", fmt.Errorf("unknown %s %q: want one of %s", field, want, strings.Join(list, ", "))
}
