package collect

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/snapshot"
	"github.com/google/go-cmp/cmp"
)

// Tests of the prefix reading of capped RisPort classes under every answer style, adopted from a
// review that proved each failure they guard against.

// TestPrefixReadingMatrix: capped answers under every combination of StateInfo paging, answer
// shape and empty-node style, with 503s and server rate control, give the rows of a clean run.
func TestPrefixReadingMatrix(t *testing.T) {
	_, want := clean(t)
	want = normalize(want)
	for _, capN := range []int{40, 9} {
		for _, paging := range []bool{false, true} {
			for _, legacy := range []bool{false, true} {
				for _, empty := range []string{"notfound", "nil"} {
					t.Run(fmt.Sprintf("cap%d paging=%v legacy=%v empty=%s", capN, paging, legacy, empty), func(t *testing.T) {
						_, url := sim(t, small, func(f *cucmsim.Faults) {
							f.RisPortMaxDevices = capN
							f.RisPortStateInfoPaging = paging
							f.RisPortLegacyShape = legacy
							f.RisPortEmptyNodes = empty
							f.HTTP503Rate = 0.2
							f.RisPortRateLimit = 4
							f.RisPortRateWindow = 80 * time.Millisecond
						}, nil)
						cfg := testConfig(url)
						cfg.RisMaxDevices = capN
						cfg.Retries = 10
						cfg.RisRateLimit, cfg.RisRateWindow = 4, 80*time.Millisecond
						r := runCollect(t, context.Background(), cfg, filepath.Join(t.TempDir(), "x.db"))
						if r.err != nil {
							t.Fatal(r.err)
						}
						got := normalize(dump(t, r.db, r.meta.ID))
						for _, tbl := range []string{"ris_device", "axl_device"} {
							if d := cmp.Diff(want[tbl], got[tbl]); d != "" {
								t.Errorf("%s differs from a clean run:\n%.1500s", tbl, d)
							}
						}
						for item, c := range coverage(t, r.db, r.meta.ID) {
							if !c.Complete {
								t.Errorf("%s incomplete: %s", item, c.Reason)
							}
						}
					})
				}
			}
		}
	}
}

// TestPrefixReadingFailsMidway: RisPort going down at any point of a capped class leaves that
// class incomplete, never complete with what was read so far.
func TestPrefixReadingFailsMidway(t *testing.T) {
	for _, after := range []int64{1, 2, 3, 4, 5, 6} {
		var n atomic.Int64
		_, url := sim(t, small, func(f *cucmsim.Faults) { f.RisPortMaxDevices = 40 }, func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == cucmsim.RisPortPath && n.Add(1) > after {
					http.Error(w, "down", http.StatusServiceUnavailable)
					return
				}
				h.ServeHTTP(w, r)
			})
		})
		cfg := testConfig(url)
		cfg.RisMaxDevices = 40
		cfg.Retries = 1
		r := runCollect(t, context.Background(), cfg, filepath.Join(t.TempDir(), "m.db"))
		if r.err != nil {
			t.Fatal(r.err)
		}
		if c := coverage(t, r.db, r.meta.ID)["risport class:Phone"]; c.Complete {
			t.Errorf("RisPort down after %d requests: Phone complete with %d records", after, c.Records)
		}
		if r.meta.Status != snapshot.StatusPartial {
			t.Errorf("RisPort down after %d requests: status %s", after, r.meta.Status)
		}
	}
}

// TestNodeSilentMidway: a node that stops answering in the middle of a class (no CmNode, not in
// the StateInfo) makes the snapshot partial; its phones must not read as never registered.
func TestNodeSilentMidway(t *testing.T) {
	var s *cucmsim.Server
	var n atomic.Int64
	s, url := sim(t, small, func(f *cucmsim.Faults) { f.RisPortMaxDevices = 40 }, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == cucmsim.RisPortPath && n.Add(1) == 3 {
				f := s.Faults()
				f.NodesSilent = []string{"cucm-sub2"}
				if err := s.SetFaults(f); err != nil {
					panic(err)
				}
			}
			h.ServeHTTP(w, r)
		})
	})
	cfg := testConfig(url)
	cfg.RisMaxDevices = 40
	r := runCollect(t, context.Background(), cfg, filepath.Join(t.TempDir(), "g.db"))
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.meta.Status != snapshot.StatusPartial {
		t.Errorf("status %s (%s), want partial", r.meta.Status, r.meta.Note)
	}
	if c := coverage(t, r.db, r.meta.ID)["risport node:cucm-sub2"]; c.Complete || !strings.Contains(c.Reason, "(Any: ") {
		t.Errorf("node:cucm-sub2 = %+v, want incomplete naming the Any answers", c)
	}
}

// TestServerCapBelowClientCap: a cluster that cuts answers below the MaxReturnedDevices the
// collector sends says so in its StateInfo (TotalItemsFound > TotalItemsReturned); every row
// is still read.
func TestServerCapBelowClientCap(t *testing.T) {
	cl, _ := clean(t)
	want := count(t, cl.db, "SELECT count(*) FROM ris_device WHERE snapshot_id = ?", cl.meta.ID)
	for _, paging := range []bool{false, true} {
		_, url := sim(t, small, func(f *cucmsim.Faults) { f.RisPortMaxDevices = 150; f.RisPortStateInfoPaging = paging }, nil)
		r := runCollect(t, context.Background(), testConfig(url), filepath.Join(t.TempDir(), "c.db"))
		if r.err != nil {
			t.Fatal(r.err)
		}
		if got := count(t, r.db, "SELECT count(*) FROM ris_device WHERE snapshot_id = ?", r.meta.ID); got != want || r.meta.Status != snapshot.StatusComplete {
			t.Errorf("paging=%v: %d of %d RisPort rows, status %s (%s)", paging, got, want, r.meta.Status, r.meta.Note)
		}
	}
}

// TestOddDeviceNames: names the prefix tree cannot reach are asked for by exact name, and
// devices only RisPort knows are read when their names use CUCM's characters.
func TestOddDeviceNames(t *testing.T) {
	names := []string{
		"SEP*STAR", " SEPLEADSPACE", "SEPTRAIL ", "SEP\uFFFDREPL", "sepLowerCase1", "SEPÄÖÜ1", "SEP?QMARK",
		"SEP#HASH", "ſEPLONGS", "SEP" + strings.Repeat("X", 70), "SEP" + strings.Repeat("X", 70) + "Y",
	}
	rogue := []string{"SEP#ROGUE", "sepLowerRogue"}
	var b strings.Builder
	b.WriteString("devices:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "  - name: %q\n    model: Cisco 8845\n    device_pool: DP_A\n    risport:\n      - {node: cucm-sub1, status: Registered, timestamp: 1767225000, ip: 10.0.1.100}\n", n)
	}
	for _, n := range rogue {
		fmt.Fprintf(&b, "  - name: %q\n    model: Cisco 8845\n    device_pool: DP_A\n    not_in_axl: true\n    risport:\n      - {node: cucm-sub1, status: Registered, timestamp: 1767225000, ip: 10.0.1.101}\n", n)
	}
	scenario := `seed: 3
cluster: {name: odd, id: odd}
credentials: {user: axladmin, password: ` + testPass + `}
nodes:
  - {name: cucm-pub, role: publisher, ip: 10.0.0.10}
  - {name: cucm-sub1, role: subscriber, ip: 10.0.0.11}
cm_groups:
  - {name: CMG_A, nodes: [cucm-sub1]}
device_pools:
  - {name: DP_A, cm_group: CMG_A}
partitions: [PT_Internal]
calling_search_spaces:
  - {name: CSS_Internal, partitions: [PT_Internal]}
device_groups:
  - name: phones
    class: Phone
    count: 300
    name_pattern: "SEP{mac}"
    models: [{model: Cisco 8845, weight: 1}]
    device_pools: [DP_A]
    risport: {seen: 300, registered: 300}
` + b.String() + `
faults:
  risport_rate_limit: 0
  risport_max_devices: 20
`
	path := filepath.Join(t.TempDir(), "odd.yaml")
	if err := os.WriteFile(path, []byte(scenario), 0o600); err != nil {
		t.Fatal(err)
	}
	_, url := sim(t, path, nil, nil)
	cfg := testConfig(url)
	cfg.RisMaxDevices = 20
	r := runCollect(t, context.Background(), cfg, filepath.Join(t.TempDir(), "r.db"))
	if r.err != nil {
		t.Fatalf("run: %v\n%s", r.err, r.logs)
	}
	if r.meta.Status != snapshot.StatusComplete {
		t.Errorf("status %s (%s)", r.meta.Status, r.meta.Note)
	}
	for _, n := range append(names, rogue...) {
		if count(t, r.db, "SELECT count(*) FROM ris_device WHERE snapshot_id = ? AND upper(trim(name)) = upper(trim(?))", r.meta.ID, n) == 0 {
			t.Errorf("%q is registered but was not read", n)
		}
	}
}
