package cucmsim_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDemoCounts checks the demo's advertised figures through the wire, the way the collector
// reads them: AXL counts by class; RisPort entries deduplicated by newest TimeStamp.
func TestDemoCounts(t *testing.T) {
	sim, ts := startSim(t, loadShipped(t, "demo"))

	// Hunt lists and route lists are both class Route List; typeproduct tells them apart.
	// Universal device templates are class Phone but never register: not phones.
	rows := axlSQL(t, sim, ts, `select case when tp.name = 'Hunt List' then 'Hunt List' else tc.name end as class, count(*) as n `+
		`from device d join typeclass tc on tc.enum = d.tkclass join typeproduct tp on tp.enum = d.tkproduct `+
		`join typemodel tm on tm.enum = d.tkmodel where tm.name <> 'Universal Device Template' group by 1 order by 1`)
	gotAXL := map[string]string{}
	for _, r := range rows {
		gotAXL[r["class"]] = r["n"]
	}
	wantAXL := map[string]string{"Phone": "1377", "Gateway": "85", "Trunk": "22", "Hunt List": "28", "Route List": "5",
		"Conference Bridge": "5", "Media Termination Point": "5", "Music On Hold": "5", "Tone Announcement Player": "5",
		"Device Profile": "3", "Phone Template": "2"}
	if diff := cmp.Diff(wantAXL, gotAXL); diff != "" {
		t.Errorf("AXL devices by class (-want +got):\n%s", diff)
	}

	want := map[string]map[string]int{
		"Phone":    {"Registered": 679, "UnRegistered": 123, "Rejected": 1},
		"Gateway":  {"Registered": 41, "Rejected": 44},
		"SIPTrunk": {"Registered": 18, "UnRegistered": 4},
		"HuntList": {"Registered": 28},
		"H323":     {},
		"Cti":      {},
	}
	for _, op := range []string{"selectCmDevice", "selectCmDeviceExt"} {
		for class, wantStatus := range want {
			entries := risAll(t, sim, ts, op, class)
			newest := map[string]risDevice{}
			nodes := map[string]map[string]bool{}
			for _, e := range entries {
				if old, ok := newest[e.dev.Name]; !ok || e.dev.TimeStamp > old.TimeStamp {
					newest[e.dev.Name] = e.dev
				}
				if nodes[e.dev.Name] == nil {
					nodes[e.dev.Name] = map[string]bool{}
				}
				nodes[e.dev.Name][e.node] = true
			}
			got := map[string]int{}
			for _, d := range newest {
				got[d.Status]++
			}
			if diff := cmp.Diff(wantStatus, got); diff != "" {
				t.Errorf("%s %s: resolved statuses (-want +got):\n%s", op, class, diff)
			}
			dups := 0
			for _, n := range nodes {
				if len(n) > 1 {
					dups++
				}
			}
			if op == "selectCmDeviceExt" && dups != 0 {
				t.Errorf("selectCmDeviceExt %s: %d devices under two nodes, want none", class, dups)
			}
			if op == "selectCmDevice" && class == "Phone" && dups != 24 {
				t.Errorf("selectCmDevice Phone: %d devices under two nodes, want 24", dups)
			}
		}
	}
	if st := sim.Stats(); st.RateControlFaults != 0 {
		t.Errorf("RateControl faults = %d, want 0", st.RateControlFaults)
	}
}
