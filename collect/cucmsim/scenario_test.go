package cucmsim_test

import (
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
)

const baseScenario = `seed: 1
cluster: {name: Lab}
nodes:
  - {name: pub, role: publisher}
  - {name: sub, role: subscriber}
cm_groups:
  - {name: CMG, nodes: [sub, pub]}
device_pools:
  - {name: DP, cm_group: CMG}
partitions: [PT]
device_groups:
  - name: phones
    class: Phone
    count: 10
    models: [{model: Cisco 8845}]
    device_pools: [DP]
    partition: PT
    lines: 1
    risport: {seen: 5, registered: 4, unregistered: 1}
`

func TestParseScenarioErrors(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"unknown field", "seed: 1", "seed: 1\nqurey: x", "lab.yaml:2: field qurey not found"},
		{"unknown nested field", "lines: 1", "lines: 1\n    colour: red", "lab.yaml:19: field colour not found"},
		{"bad duration", "seed: 1", "seed: 1\nfaults: {risport_rate_window: soon}", `lab.yaml:2: faults.risport_rate_window: want a duration like 90s, got "soon"`},
		{"wrong type", "count: 10", "count: ten", `lab.yaml:14: device_groups[0].count: want a whole number, got "ten"`},
		{"counts do not add up", "registered: 4,", "registered: 3,", "lab.yaml:19: device_groups[0].risport: registered+unregistered+rejected+partially_registered+unknown = 4, want seen = 5"},
		{"seen above count", "{seen: 5, registered: 4, unregistered: 1}", "{seen: 11, registered: 10, unregistered: 1}", "lab.yaml:19: device_groups[0].risport.seen: 11 seen but the group has only 10 devices"},
		{"negative count", "count: 10", "count: -3", "lab.yaml:14: device_groups[0].count: negative count -3"},
		{"negative risport count", "unregistered: 1}", "unregistered: 1, duplicated: -1}", "lab.yaml:19: device_groups[0].risport.duplicated: negative count -1"},
		{"unknown class", "class: Phone", "class: Fone", "lab.yaml:13: device_groups[0].class: unknown class \"Fone\" (want one of Phone, Gateway, H323, Cti, VoiceMail, MediaResources, SIPTrunk, HuntList, Unknown)"},
		{"unknown model", "Cisco 8845", "Cisco 9999", "lab.yaml:15: device_groups[0].models[0].model: unknown model \"Cisco 9999\""},
		{"model of another class", "Cisco 8845", "SIP Trunk", "lab.yaml:15: device_groups[0].models[0].model: model \"SIP Trunk\" is class SIPTrunk, not Phone"},
		{"unknown pool", "device_pools: [DP]", "device_pools: [DP_Nope]", "lab.yaml:16: device_groups[0].device_pools[0]: unknown device pool \"DP_Nope\""},
		{"unknown node in group", "nodes: [sub, pub]", "nodes: [sub, pub2]", "lab.yaml:7: cm_groups[0].nodes[1]: unknown node \"pub2\""},
		{"two publishers", "{name: sub, role: subscriber}", "{name: sub, role: publisher}", "lab.yaml:3: nodes: want exactly one publisher, have 2"},
		{"failed over above registered", "unregistered: 1}", "unregistered: 1, failed_over: 5}", "lab.yaml:19: device_groups[0].risport.failed_over: 5 failed over but only 4 registered"},
		{"bad fault rate", "seed: 1", "seed: 1\nfaults:\n  http_503_rate: 1.5", "lab.yaml:3: faults.http_503_rate: 1.5 is not between 0 and 1"},
		{"bad empty-node mode", "seed: 1", "seed: 1\nfaults:\n  risport_empty_nodes: none", "lab.yaml:3: faults.risport_empty_nodes: \"none\" is not nil or notfound"},
		{"unknown failing class", "seed: 1", "seed: 1\nfaults:\n  classes_failing: [Phones]", "lab.yaml:3: faults.classes_failing[0]: unknown class \"Phones\" (want one of Phone, Gateway, H323, Cti, VoiceMail, MediaResources, SIPTrunk, HuntList, Unknown)"},
		{"zero window", "seed: 1", "seed: 1\nfaults:\n  risport_rate_window: 0s", "lab.yaml:3: faults.risport_rate_window: window 0s must be positive"},
		{"bad version", "seed: 1", "seed: 1\nversion: \"15\"", "lab.yaml:2: version: \"15\" is not a CUCM version like 15.0.1.12900(234)"},
		{"missing cluster name", "cluster: {name: Lab}", "cluster: {id: lab}", "lab.yaml:2: cluster.name: missing: name the cluster"},
		{"explicit device, unknown status", "seed: 1", "seed: 1\ndevices:\n  - name: SEP1\n    device_pool: DP\n    risport: [{node: sub, status: Online}]", "lab.yaml:5: devices[0].risport[0].status: unknown status \"Online\" (want one of Registered, UnRegistered, Rejected, PartiallyRegistered, Unknown)"},
		{"not yaml", "seed: 1", "seed: [1", "lab.yaml:1: did not find expected ',' or ']'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(baseScenario, tt.old) {
				t.Fatalf("base scenario lacks %q", tt.old)
			}
			data := strings.Replace(baseScenario, tt.old, tt.new, 1)
			_, err := cucmsim.ParseScenario("lab.yaml", []byte(data))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n got %q\nwant %q", err.Error(), tt.want)
			}
		})
	}
	if _, err := cucmsim.ParseScenario("lab.yaml", []byte(baseScenario)); err != nil {
		t.Fatalf("base scenario: %v", err)
	}
}

func TestNewScenarioErrors(t *testing.T) {
	data := strings.Replace(baseScenario, "seed: 1", "seed: 1\ndevices:\n  - {name: SEP0, device_pool: DP, lines: [\"1000\"], partition: PT}\n  - {name: sep0, device_pool: DP}", 1)
	sc, err := cucmsim.ParseScenario("lab.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	_, err = cucmsim.New(sc)
	want := `building scenario lab.yaml: lab.yaml: devices[1] (sep0): device name "sep0" is used twice`
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}
