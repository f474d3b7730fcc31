package collect

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// fakeRis is RisPort reduced to what the planner sees: entries per device name (several nodes
// list some devices), matched case-insensitively by exact name or prefix*, capped.
type fakeRis struct {
	entries map[string]int // upper-case name → entries
	total   int
	sorted  []string
}

func (f *fakeRis) answer(items []string, cap int) (map[string]bool, int) {
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
	n := 0
	for name := range got {
		n += f.entries[name]
	}
	return got, n
}

// readAll runs a planner against f and returns the names read and the requests sent.
func readAll(t *testing.T, f *fakeRis, axl []string, cap int) (map[string]bool, int) {
	t.Helper()
	// The collector starts from the entries per distinct name of the wildcard answer.
	p := newPrefixPlanner(axl, cap, float64(f.total)/float64(len(f.entries)))
	read := map[string]bool{}
	reqs := 0
	for p.more() {
		req := p.next()
		if len(req.items) == 0 {
			t.Fatal("empty request planned")
		}
		if len(req.items) > maxItems {
			t.Fatalf("request with %d items", len(req.items))
		}
		reqs++
		if reqs > 10*(f.total/cap+10) {
			t.Fatalf("%d requests for %d entries: the plan does not converge", reqs, f.total)
		}
		got, n := f.answer(req.items, cap)
		if n >= cap {
			if err := p.atCap(req); err != nil {
				t.Fatal(err)
			}
			continue
		}
		p.answered(req, n)
		for name := range got {
			read[name] = true
		}
	}
	return read, reqs
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
	p := newPrefixPlanner([]string{"SEP1", "SEP2"}, 10, 1)
	for reqs := 0; p.more() && reqs < 100; reqs++ {
		req := p.next()
		if _, n := f.answer(req.items, 10); n < 10 {
			p.answered(req, n)
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
