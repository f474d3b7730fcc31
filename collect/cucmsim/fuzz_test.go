package cucmsim_test

import (
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/examples"
)

// FuzzParseScenario feeds arbitrary YAML to the scenario loader: it must never panic, must
// give the same verdict twice, every error must name the file, and a small scenario it accepts
// must build into a running simulator (validation and generation agree).
// Seeds: testdata/fuzz/FuzzParseScenario plus every shipped scenario.
func FuzzParseScenario(f *testing.F) {
	for _, name := range examples.Names() {
		data, err := examples.Scenario(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := cucmsim.ParseScenario("fuzz.yaml", data)
		_, err2 := cucmsim.ParseScenario("fuzz.yaml", data)
		if (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() {
			t.Fatalf("unstable verdict: %v, then %v", err, err2)
		}
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.yaml") && !strings.Contains(err.Error(), ": ") {
				t.Fatalf("error names neither the file nor a field: %v", err)
			}
			return
		}
		if size(sc) > 300 {
			return // large scenarios are accepted but too slow to build per fuzz input
		}
		s, err := cucmsim.New(sc)
		if err != nil {
			t.Fatalf("scenario accepted by ParseScenario but not buildable: %v\n%s", err, data)
		}
		s.Close()
	})
}

// size estimates how many objects a scenario generates.
func size(sc *cucmsim.Scenario) int {
	n := len(sc.Devices) + sc.Users.Extra + sc.UnassignedDNs.Count + len(sc.Nodes)
	for _, g := range sc.DeviceGroups {
		if g.Count < 0 || g.Lines > 8 || g.Lines < 0 {
			return 1 << 30
		}
		n += g.Count * (1 + g.Lines)
	}
	for _, d := range sc.Devices {
		n += len(d.Lines) + len(d.RisPort)
	}
	return n
}
