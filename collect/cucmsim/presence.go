package cucmsim

import (
	"math/rand/v2"
)

// presence decides which devices of a group RisPort sees, their status, node, loads and times.
func (c *cluster) presence(r *rand.Rand, g *DeviceGroup, devs []*simDevice, ipFor func(int) string) {
	p := g.RisPort
	if p.Seen == 0 {
		return
	}
	now := c.sc.Now.Unix()
	perm := r.Perm(len(devs))[:p.Seen]
	statuses := make([]string, 0, p.Seen)
	for _, s := range []struct {
		st string
		n  int
	}{{"Registered", p.Registered}, {"UnRegistered", p.UnRegistered}, {"Rejected", p.Rejected}, {"PartiallyRegistered", p.PartiallyRegistered}, {"Unknown", p.Unknown}} {
		for range s.n {
			statuses = append(statuses, s.st)
		}
	}
	unregReasons := reasonList(p.UnregisteredReasons, []Reason{{13, 5}, {10, 3}, {9, 1}, {6, 1}, {8, 1}})
	rejReasons := reasonList(p.RejectedReasons, []Reason{{14, 1}})

	// Firmware loads: allocate per model among seen devices by load weight.
	loadOf := map[*simDevice][2]string{}
	byModel := map[string][]*simDevice{}
	for _, idx := range perm {
		byModel[devs[idx].model.name] = append(byModel[devs[idx].model.name], devs[idx])
	}
	for _, m := range g.Models {
		ds := byModel[m.Model]
		if len(m.Loads) == 0 || len(ds) == 0 {
			continue
		}
		// Spread the loads over registered and unregistered devices alike.
		r.Shuffle(len(ds), func(a, b int) { ds[a], ds[b] = ds[b], ds[a] })
		w := make([]int, len(m.Loads))
		for i, l := range m.Loads {
			w[i] = l.Weight
		}
		k := 0
		for li, cnt := range allocate(len(ds), w) {
			inactive := m.Loads[(li+1)%len(m.Loads)].Load
			if len(m.Loads) == 1 {
				inactive = ""
			}
			for range cnt {
				loadOf[ds[k]] = [2]string{m.Loads[li].Load, inactive}
				k++
			}
		}
	}

	failed := 0
	var dupCandidates []*risRow
	var others []*risRow
	for k, idx := range perm {
		d := devs[idx]
		st := statuses[k]
		cmg := c.groups[c.pools[d.pool].cmg]
		primary := cmg.nodes[0]
		node := primary
		row := &risRow{dev: d, status: st, ip: ipFor(d.pool)}
		if g.Class == "HuntList" {
			row.ip = ""
		}
		if d.trunkDest != "" {
			row.ip = d.trunkDest
		}
		switch st {
		case "Registered", "PartiallyRegistered":
			row.ts = now - int64(r.IntN(7*86400))
			if st == "Registered" && failed < p.FailedOver {
				node = c.otherNode(cmg, primary)
				failed++
			}
		case "UnRegistered":
			row.reason = unregReasons[r.IntN(len(unregReasons))]
			row.ts = now - int64(r.IntN(p.UnregisteredSpreadDays*86400))
		case "Rejected":
			row.reason = rejReasons[r.IntN(len(rejReasons))]
			row.ts = now - int64(r.IntN(3*86400))
		case "Unknown":
			row.ts = now - int64(r.IntN(7*86400))
		}
		row.node = node
		if l, ok := loadOf[d]; ok {
			row.active, row.inactive = l[0], l[1]
		}
		if d.owner != nil && g.Class == "Phone" && r.IntN(4) == 0 {
			row.login = d.owner.userid
		}
		d.ris = append(d.ris, row)
		if node != primary {
			dupCandidates = append(dupCandidates, row)
		} else {
			others = append(others, row)
		}
	}
	// Duplicates: failed-over devices first (their primary still lists them, older, as
	// UnRegistered), then others (an older contrary state on a second node).
	for _, row := range append(dupCandidates, others...)[:p.Duplicated] {
		d := row.dev
		cmg := c.groups[c.pools[d.pool].cmg]
		primary := cmg.nodes[0]
		other := primary
		if row.node == primary {
			other = c.otherNode(cmg, primary)
		}
		old := *row
		old.node = other
		old.ts = row.ts - int64(60+r.IntN(2*86400))
		if row.status == "Registered" || row.status == "PartiallyRegistered" {
			old.status, old.reason = "UnRegistered", 13 // the primary lost it: KeepAliveTimeout
			if row.node == primary {
				old.reason = 28 // it fell back to the primary: FallbackInitiated
			}
		} else {
			old.status, old.reason = "Registered", 0
		}
		d.ris = append(d.ris, &old)
	}
}

// otherNode is the CMG's second node, or the next node of the cluster when the CMG has one.
func (c *cluster) otherNode(cmg *simCMG, primary int) int {
	if len(cmg.nodes) > 1 {
		return cmg.nodes[1]
	}
	for k := 1; k < len(c.nodes); k++ {
		n := (primary + k) % len(c.nodes)
		if c.nodes[n].role != "publisher" || len(c.nodes) == 2 {
			return n
		}
	}
	return (primary + 1) % len(c.nodes)
}

func reasonList(rs, def []Reason) []int {
	if len(rs) == 0 {
		rs = def
	}
	var out []int
	for _, r := range rs {
		w := r.Weight
		if w == 0 {
			w = 1
		}
		for range w {
			out = append(out, r.Code)
		}
	}
	return out
}
