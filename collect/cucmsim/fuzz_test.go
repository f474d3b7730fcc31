package cucmsim_test

import (
	"hash/fnv"
	"strings"
	"testing"
	"time"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
)

// FuzzParseScenario feeds arbitrary YAML to the scenario loader: it must never panic, must
// give the same verdict twice, every error must name the file, and a small scenario it accepts
// must build into a running simulator (validation and generation agree).
// Seeds: testdata/fuzz/FuzzParseScenario (tiny, small and broken scenarios). The large shipped
// scenarios are loaded by TestShippedScenarios; as seeds they would make every new input's
// minimisation take most of the fuzzing time.
func FuzzParseScenario(f *testing.F) {
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
		// Building (an in-memory SQLite cluster) costs a thousand parses: build small scenarios
		// only, and one in eight of them, chosen by a hash of the input so a failure reproduces.
		h := fnv.New32a()
		h.Write(data)
		if size(sc) > 100 || h.Sum32()%8 != 0 {
			return
		}
		type built struct {
			s   *cucmsim.Server
			err error
		}
		done := make(chan built, 1)
		go func() {
			s, err := cucmsim.New(sc)
			done <- built{s, err}
		}()
		select {
		case b := <-done:
			if b.err != nil {
				t.Fatalf("scenario accepted by ParseScenario but not buildable: %v\n%s", b.err, data)
			}
			b.s.Close()
		case <-time.After(10 * time.Second):
			t.Fatalf("building a scenario of %d objects takes more than 10s:\n%s", size(sc), data)
		}
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
