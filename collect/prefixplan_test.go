package collect

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fakeRis is RisPort reduced to what the planner sees: entries per device name (several nodes
// list some devices), matched case-insensitively by exact name or prefix*, capped.
type fakeRis struct {
	entries map[string]int    // upper-case name → entries
	class   map[string]string // upper-case name → device class ("" = Phone)
	total   int
	sorted  []string
}

func (f *fakeRis) answer(items []string, cap int) (map[string]bool, int) {
	got, byClass := f.answerByClass(items)
	n := 0
	for _, c := range byClass {
		n += c
	}
	return got, n
}

func (f *fakeRis) answerByClass(items []string) (map[string]bool, map[string]int) {
	if len(f.sorted) != len(f.entries) {
		f.sorted = slices.Sorted(maps.Keys(f.entries))
	}
	got := map[string]bool{}
	for _, it := range items {
		it = strings.ToUpper(it)
		p, glob := strings.CutSuffix(it, "*")
		i, _ := slices.BinarySearch(f.sorted, p)
		for ; i < len(f.sorted) && strings.HasPrefix(f.sorted[i], p); i++ {
			if glob || f.sorted[i] == it {
				got[f.sorted[i]] = true
			}
		}
	}
	byClass := map[string]int{}
	for name := range got {
		cl := f.class[name]
		if cl == "" {
			cl = "Phone"
		}
		byClass[cl] += f.entries[name]
	}
	return got, byClass
}

// readAll runs a planner against f and returns the names read and the requests sent.
func readAll(t *testing.T, f *fakeRis, axl []string, cap int) (map[string]bool, int) {
	t.Helper()
	// The collector starts from the entries per distinct name of the wildcard answer.
	return readClasses(t, f, map[string][]string{"Phone": axl}, cap, float64(f.total)/float64(len(f.entries)))
}

// readClasses runs a planner over AXL names per class against f, with requests in flight as
// the collector has them (up to risInFlight, one alone when its estimate is a guess).
func readClasses(t *testing.T, f *fakeRis, axl map[string][]string, cap int, initial float64) (map[string]bool, int) {
	t.Helper()
	p := newPrefixPlanner(axl, cap, initial)
	read := map[string]bool{}
	reqs := 0
	var pending []prefixRequest
	for p.more() || len(pending) > 0 {
		for len(pending) < risInFlight && p.more() && !slices.ContainsFunc(pending, func(r prefixRequest) bool { return r.unsure }) &&
			(len(pending) == 0 || !p.tail()) {
			req := p.next()
			if len(req.items) == 0 {
				t.Fatal("empty request planned")
			}
			if len(req.items) > maxItems {
				t.Fatalf("request with %d items", len(req.items))
			}
			pending = append(pending, req)
		}
		req := pending[0]
		pending = pending[1:]
		reqs++
		if reqs > 10*(f.total/cap+10) {
			t.Fatalf("%d requests for %d entries: the plan does not converge", reqs, f.total)
		}
		got, byClass := f.answerByClass(req.items)
		n := 0
		for _, c := range byClass {
			n += c
		}
		if n >= cap {
			if err := p.atCap(req); err != nil {
				t.Fatal(err)
			}
			continue
		}
		p.answered(req, byClass)
		for name := range got {
			read[name] = true
		}
	}
	return read, reqs
}

// TestPrefixPlanMatrix plans every shape of the RisPort matrix (see matrix_test.go) at CUCM's
// cap of 1000 against fakeRis, with about 30,000 entries of every class, AXL's names grouped by
// registrationdynamic as the collector groups them (neverRegistered): every name is read, in at
// most 1.10 × ⌈entries ÷ cap⌉ requests. Each shape is drawn four times (a plan one request
// from the limit passes with one draw and fails with the next: the benchmark's cluster is one
// more draw), once under -short, plus the stale and missing variants on a quarter of the shapes. The simulator's registrationdynamic lists exactly the devices
// RisPort lists; a real cluster's also keeps devices gone from RisPort, so the stale cases give
// it rows for a share of the unseen names (their group then strays as before), and another
// implementation's may lack rows of devices RisPort lists (the missing cases: a tenth).
func TestPrefixPlanMatrix(t *testing.T) {
	type variant struct {
		seed             uint64
		stale, missing   float64
		quarter, inShort bool
	}
	variants := []variant{{seed: 0, inShort: true}, {seed: 100000}, {seed: 101000}, {seed: 102000},
		{seed: 0, stale: 0.2, quarter: true, inShort: true}, {seed: 0, missing: 0.1, quarter: true, inShort: true}}
	for _, v := range variants {
		if testing.Short() && !v.inShort {
			continue
		}
		for i, m := range matrixCases() {
			if v.quarter && i%4 != 0 {
				continue // a quarter of the shapes, every seen ratio
			}
			t.Run(fmt.Sprintf("%s/seed%d/stale%.0f/missing%.0f", m, v.seed, v.stale*100, v.missing*100), func(t *testing.T) {
				reqs, floor := planMatrix(t, m, v.seed+uint64(i), v.stale, v.missing)
				t.Logf("%d requests, floor %.0f (%.3f×)", reqs, floor, float64(reqs)/floor)
				if float64(reqs) > 1.10*floor {
					t.Errorf("%d requests for a floor of %.0f: %.3f× (limit 1.10)", reqs, floor, float64(reqs)/floor)
				}
			})
		}
	}
}

// planMatrix plans shape m against fakeRis; registrationdynamic lists every seen device but
// the share missing, and the share stale of the others. It returns the requests and the floor.
func planMatrix(t *testing.T, m matrixCase, seed uint64, stale, missing float64) (int, float64) {
	rng := rand.New(rand.NewPCG(seed, 17))
	ouis := []string{"001E7A", "0023EB", "00EBD5"}
	if !m.clustered {
		ouis = []string{"0CD0F8", "1C1D86", "2C3124", "3C0E23", "4C4E35", "5C5015", "6C710D", "7C0ECE",
			"8C604F", "9C57AD", "A45630", "B0AA77", "C08C60", "D0C282", "E0D173", "F87B20"}
	}
	f := &fakeRis{entries: map[string]int{}, class: map[string]string{}}
	axl := map[string][]string{}
	add := func(name, class string, inAXL bool, seen float64) {
		group := class
		if rng.Float64() < seen {
			e := 1
			if rng.Float64() < m.dup {
				e = 2
			}
			f.entries[name] += e
			f.total += e
			if missing > 0 && rng.Float64() < missing {
				group += neverGroup
			}
		} else if rng.Float64() >= stale {
			group += neverGroup
		}
		f.class[name] = group
		if inAXL {
			axl[group] = append(axl[group], name)
		}
	}
	phones := int(30000 / (m.seen * (1 + m.dup)))
	mac := func() string { return fmt.Sprintf("SEP%s%06X", ouis[rng.IntN(len(ouis))], rng.Uint32()&0xFFFFFF) }
	for range phones {
		add(mac(), "Phone", true, m.seen)
	}
	if m.risOnly {
		for range phones * 3 / 100 {
			add(mac(), "Phone", false, 1)
		}
	}
	for _, g := range []struct {
		class, pattern string
		n              int
		seen           float64
	}{{"Gateway", "AN%04d", 400, 0.9}, {"H323", "H323GW%02d", 12, 1}, {"Cti", "CTIRP%03d", 150, 0.95},
		{"VoiceMail", "CUC-VM%03d", 96, 1}, {"MediaResources", "MOH_%d", 20, 1}, {"SIPTrunk", "SIP_TRUNK_%02d", 40, 1},
		{"HuntList", "HL_%02d", 60, 1}} {
		for k := range g.n {
			add(fmt.Sprintf(g.pattern, k+1), g.class, true, g.seen)
		}
	}
	read, reqs := readClasses(t, f, axl, 1000, 0)
	for name := range f.entries {
		if !read[name] {
			t.Fatalf("%s was never read", name)
		}
	}
	return reqs, math.Ceil(float64(f.total) / 1000)
}

func TestPrefixPlanReadsEveryName(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	mac := func() string { return fmt.Sprintf("SEP%012X", rng.Uint64()&0xFFFFFFFFFFFF) }
	tests := []struct {
		name       string
		axl        int     // phones in AXL
		seen       float64 // share RisPort lists
		dup        float64 // share listed on two nodes
		unknown    int     // devices RisPort lists that AXL does not have
		odd        []string
		withoutAXL bool
		maxExtra   float64 // requests allowed over the floor, as a share of the floor
	}{
		{name: "megacluster-like", axl: 78000, seen: 0.923, dup: 0.03, maxExtra: 0.08},
		{name: "all seen, many duplicates", axl: 20000, seen: 1, dup: 0.4, maxExtra: 0.10},
		{name: "unknown devices", axl: 10000, seen: 0.9, unknown: 3000, maxExtra: 0.35},
		{name: "odd names", axl: 3000, seen: 1, odd: []string{"Trunk to PSTN", "aaln/s0/su0/1@gw.example", "CSFjdoe", "x", "X1"}, maxExtra: 0.5},
		// Without AXL names the plan learns only from answers at the cap: slower, still exact.
		{name: "no AXL names", axl: 5000, seen: 1, withoutAXL: true, maxExtra: 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeRis{entries: map[string]int{}}
			var axl []string
			add := func(name string, inAXL bool, seen bool) {
				if inAXL {
					axl = append(axl, name)
				}
				if seen {
					e := 1
					if rng.Float64() < tt.dup {
						e = 2
					}
					f.entries[strings.ToUpper(name)] += e
					f.total += e
				}
			}
			for range tt.axl {
				add(mac(), true, rng.Float64() < tt.seen)
			}
			for range tt.unknown {
				add(mac(), false, true)
			}
			for _, n := range tt.odd {
				add(n, true, true)
			}
			if tt.withoutAXL {
				axl = nil
			}
			read, reqs := readAll(t, f, axl, 1000)
			for name := range f.entries {
				if !read[name] {
					t.Fatalf("%s was never read", name)
				}
			}
			floor := math.Ceil(float64(f.total) / 1000)
			t.Logf("%d entries: %d requests, floor %.0f (%.2f×)", f.total, reqs, floor, float64(reqs)/floor)
			if float64(reqs) > floor*(1+tt.maxExtra)+1 {
				t.Errorf("%d requests for a floor of %.0f", reqs, floor)
			}
		})
	}
}

// TestPrefixPlanOneNameAtCap: a single name that fills an answer alone cannot be read.
func TestPrefixPlanOneNameAtCap(t *testing.T) {
	f := &fakeRis{entries: map[string]int{"SEP1": 10, "SEP2": 1}, total: 11}
	p := newPrefixPlanner(map[string][]string{"Phone": {"SEP1", "SEP2"}}, 10, 1)
	for reqs := 0; p.more() && reqs < 100; reqs++ {
		req := p.next()
		if _, n := f.answer(req.items, 10); n < 10 {
			p.answered(req, map[string]int{"Phone": n})
			continue
		}
		if err := p.atCap(req); err != nil {
			if !strings.Contains(err.Error(), `"SEP1"`) {
				t.Fatalf("err = %v, want one naming SEP1", err)
			}
			return
		}
	}
	t.Fatal("the name that fills an answer alone was not reported")
}

// TestNeverRegistered: AXL names split by registrationdynamic (pkids matched without regard to
// case), only when the table was read completely.
func TestNeverRegistered(t *testing.T) {
	r := &run{
		axlByRis:   map[string][]string{"Phone": {"SEPA", "sepB", "SEPC"}, "Cti": {"CTI1"}},
		axlPKIDs:   map[string][]uint64{"Phone": {pkidKey("a-1"), pkidKey("b-2"), pkidKey("c-3")}, "Cti": {pkidKey("d-4")}},
		registered: map[uint64]struct{}{pkidKey("A-1"): {}, pkidKey("d-4"): {}},
	}
	names := map[string][]string{"Phone": r.axlByRis["Phone"], "Cti": r.axlByRis["Cti"]}
	r.learnNever()
	if never := r.neverRegistered(names); never != nil {
		t.Errorf("grouped without a complete registrationdynamic: %v", never)
	}
	r.registeredOK = true
	r.registered = map[uint64]struct{}{pkidKey("A-1"): {}, pkidKey("d-4"): {}}
	r.axlPKIDs = map[string][]uint64{"Phone": {pkidKey("a-1"), pkidKey("b-2"), pkidKey("c-3")}, "Cti": {pkidKey("d-4")}}
	r.learnNever()
	never := r.neverRegistered(names)
	want := map[string][]string{"Phone": {"SEPA"}, "Phone" + neverGroup: {"sepB", "SEPC"}, "Cti": {"CTI1"}}
	if d := cmp.Diff(want, names); d != "" {
		t.Errorf("groups (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]struct{}{"SEPB": {}, "SEPC": {}}, never); d != "" {
		t.Errorf("never registered (-want +got):\n%s", d)
	}
}
