package dialplan

import (
	"cmp"
	"fmt"
	"math/big"
	"slices"
	"strings"
)

// MaxTranslations is how many translation patterns a call may pass through: "CUCM passes digits
// through translation patterns for only ten iterations to prevent call-routing loops"
// (CUCM-API.md J.3, Cisco Press CIPT1).
const MaxTranslations = 10

// NonePartition is how results name the null partition.
const NonePartition = "<None>"

// Origin is where a call starts: the calling line's CSS and its device's CSS (line partitions
// are searched first, CUCM-API.md D, J.1) and the calling number.
type Origin struct {
	LineCSS       string `json:"line_css,omitempty"`
	DeviceCSS     string `json:"device_css,omitempty"`
	CallingNumber string `json:"calling_number,omitempty"`
	// EnBloc analyses the dialed string as one block (a SIP INVITE, a trunk, or DNA's own
	// input). Otherwise the digits arrive one at a time as from a phone keypad, so an urgent
	// pattern, or a match no longer pattern can extend, routes before the last digit.
	EnBloc bool `json:"en_bloc,omitempty"`
	// LocalRouteGroup is the calling device pool's local route group, used for route list
	// members set to "Standard Local Route Group".
	LocalRouteGroup string `json:"local_route_group,omitempty"`
}

// Outcome is how an analysis ends.
type Outcome string

// The outcomes.
const (
	OutcomeRouted  Outcome = "Routed"  // to a route list, gateway, trunk, hunt pilot or DN
	OutcomeFeature Outcome = "Feature" // to a feature pattern (call park, meet-me, ...)
	OutcomeBlocked Outcome = "Blocked"
	OutcomeNoMatch Outcome = "NoMatch"
	OutcomeLoop    Outcome = "Loop"
	OutcomeInvalid Outcome = "Invalid" // the dialed string has a character no phone can send
)

// SearchedPartition is one partition in the order digit analysis searched it, and why.
type SearchedPartition struct {
	Partition string `json:"partition"`
	Source    string `json:"source"`
}

// Candidate is a pattern that matched the digits at the point the decision was made.
type Candidate struct {
	PatternID string `json:"pattern_id,omitempty"`
	Pattern   string `json:"pattern"`
	Partition string `json:"partition"`
	Usage     Usage  `json:"usage"`
	// Position is the partition's place in the search order, from 1; ties go to the lowest.
	Position int `json:"position"`
	// Matches is how many strings of the dialed length the pattern matches (decimal): the
	// closest match is the one with the fewest (CUCM-API.md J.1).
	Matches string `json:"matches"`
	// Plan is the numbering-plan alternative an @ pattern matched, as its tags.
	Plan    string `json:"plan,omitempty"`
	Urgent  bool   `json:"urgent,omitempty"`
	Blocked bool   `json:"blocked,omitempty"`
	Winner  bool   `json:"winner,omitempty"`
}

// Translation is what a translation pattern did before the next lookup.
type Translation struct {
	PatternID        string   `json:"pattern_id,omitempty"`
	Pattern          string   `json:"pattern"`
	Partition        string   `json:"partition"`
	DiscardDigits    string   `json:"discard_digits,omitempty"`
	Discarded        string   `json:"discarded,omitempty"`
	CalledBefore     string   `json:"called_before"`
	CalledAfter      string   `json:"called_after"`
	CallingBefore    string   `json:"calling_before"`
	CallingAfter     string   `json:"calling_after"`
	NextCSS          string   `json:"next_css"`
	UseOriginatorCSS bool     `json:"use_originator_css,omitempty"`
	Warnings         []string `json:"warnings,omitempty"`
}

// Hop is one digit analysis: the first from the phone, then one after each translation.
type Hop struct {
	Called     string              `json:"called"`
	Calling    string              `json:"calling"`
	CSS        string              `json:"css"`
	Search     []SearchedPartition `json:"search"`
	Candidates []Candidate         `json:"candidates"`
	// Potential names patterns that could still match if more digits were dialed.
	Potential []string `json:"potential,omitempty"`
	WinReason string   `json:"win_reason,omitempty"`
	// DigitsUsed is how many digits were collected when the decision was made; UnusedDigits
	// are the rest, which digit analysis never saw.
	DigitsUsed   int    `json:"digits_used"`
	UnusedDigits string `json:"unused_digits,omitempty"`
	// InterdigitTimeout is true when CUCM waits for the T302 timer before routing, because a
	// longer pattern could still match.
	InterdigitTimeout bool         `json:"interdigit_timeout,omitempty"`
	Translation       *Translation `json:"translation,omitempty"`
}

// Winner returns the candidate that won the hop, if any.
func (h *Hop) Winner() (Candidate, bool) {
	for _, c := range h.Candidates {
		if c.Winner {
			return c, true
		}
	}
	return Candidate{}, false
}

// Leg is one way out of a route: a device with its place in the route list or hunt list, the
// digits it is sent, and its registration state from the snapshot.
type Leg struct {
	RouteList  string `json:"route_list,omitempty"`
	RouteGroup string `json:"route_group,omitempty"`
	HuntList   string `json:"hunt_list,omitempty"`
	LineGroup  string `json:"line_group,omitempty"`
	DN         string `json:"dn,omitempty"`
	Device     string `json:"device,omitempty"`
	Status     string `json:"status,omitempty"`
	Known      bool   `json:"status_known"`
	Called     string `json:"called,omitempty"`
	Calling    string `json:"calling,omitempty"`
	Note       string `json:"note,omitempty"`
}

// Route is where the call goes: the final pattern, the digits after its transformations and
// every leg in order.
type Route struct {
	PatternID   string   `json:"pattern_id,omitempty"`
	Pattern     string   `json:"pattern"`
	Partition   string   `json:"partition"`
	Usage       Usage    `json:"usage"`
	Destination string   `json:"destination,omitempty"`
	Called      string   `json:"called"`
	Calling     string   `json:"calling"`
	Discarded   string   `json:"discarded,omitempty"`
	Legs        []Leg    `json:"legs,omitempty"`
	Warnings    []string `json:"warnings,omitempty"`
}

// Block is the blocking pattern and the cause CUCM releases the call with.
type Block struct {
	PatternID    string `json:"pattern_id,omitempty"`
	Pattern      string `json:"pattern"`
	Partition    string `json:"partition"`
	Usage        Usage  `json:"usage"`
	ReleaseCause string `json:"release_cause,omitempty"`
}

// Result is the full decision path of one analysis, as Dialed Number Analyzer shows it.
type Result struct {
	Dialed  string  `json:"dialed"`
	Origin  Origin  `json:"origin"`
	Outcome Outcome `json:"outcome"`
	Reason  string  `json:"reason"`
	// NeedsMoreDigits is true on NoMatch when the digits are the start of a longer match.
	NeedsMoreDigits bool     `json:"needs_more_digits,omitempty"`
	Emergency       bool     `json:"emergency,omitempty"`
	Hops            []Hop    `json:"hops"`
	Route           *Route   `json:"route,omitempty"`
	Block           *Block   `json:"block,omitempty"`
	Warnings        []string `json:"warnings,omitempty"`
}

type cssSource struct{ name, label string }

// search builds the ordered partition list: each CSS's partitions in order, duplicates removed
// keeping the first, then <None> last (CUCM-API.md C, J.1).
func (p *Plan) search(srcs ...cssSource) ([]SearchedPartition, []string) {
	var out []SearchedPartition
	var warns []string
	seen := map[string]bool{}
	for _, s := range srcs {
		if s.name == "" {
			continue
		}
		css, ok := p.css[s.name]
		if !ok {
			warns = append(warns, fmt.Sprintf("%s %q is not in the dial plan; searched as empty", s.label, s.name))
			continue
		}
		for _, pt := range css.Partitions {
			if pt == "" || seen[pt] {
				continue
			}
			seen[pt] = true
			out = append(out, SearchedPartition{Partition: pt, Source: fmt.Sprintf("%s %s", s.label, s.name)})
		}
	}
	return append(out, SearchedPartition{Partition: NonePartition, Source: "null partition, always searched last"}), warns
}

func cssLabel(srcs ...cssSource) string {
	var parts []string
	for _, s := range srcs {
		if s.name != "" {
			parts = append(parts, fmt.Sprintf("%s %s", s.label, s.name))
		}
	}
	if len(parts) == 0 {
		return "no CSS (<None> only)"
	}
	return strings.Join(parts, " + ")
}

// hit is one pattern tried against the digits of a hop.
type hit struct {
	c      *compiled
	pos    int      // partition position, from 0
	accept []uint64 // per alternative: bit k set when the first k digits match fully
	any    uint64   // OR of accept
	alive  uint64   // bit k set when more digits could still match after k
}

// best returns the alternative with the fewest matching strings of length k.
func (p *Plan) best(h *hit, k int) (alt int, n *big.Int) {
	alt = -1
	for i, a := range h.accept {
		if a&(1<<k) == 0 {
			continue
		}
		c := p.count(h.c, i, k)
		if n == nil || c.Cmp(n) < 0 {
			alt, n = i, c
		}
	}
	return alt, n
}

// maxDialed keeps a dialed string's prefix lengths inside a uint64 bit mask.
const maxDialed = 63

type decision struct {
	h   *hit
	alt int
	k   int
}

// hop runs one digit analysis over the searched partitions.
func (p *Plan) hop(search []SearchedPartition, called string, enBloc, dontWait bool, hopOut *Hop) (*decision, bool) {
	sym, _ := symbols(called)
	n := len(sym)
	var hits []*hit
	below := make([]int, n+1) // patterns filed deeper than k digits along the dialed path
	for pos, sp := range search {
		key := sp.Partition
		if key == NonePartition {
			key = ""
		}
		node := p.tries[key]
		for k := 0; node != nil; k++ {
			for _, c := range node.pats {
				h := &hit{c: c, pos: pos, accept: make([]uint64, len(c.alts))}
				for i := range c.alts {
					a, l := c.alts[i].run(sym)
					h.accept[i] = a
					h.any |= a
					h.alive |= l
				}
				if h.any != 0 || h.alive != 0 {
					hits = append(hits, h)
				}
			}
			below[k] += node.below
			if k == n {
				break
			}
			node = node.children[called[k]]
		}
	}
	first := n
	if !enBloc {
		first = 0
	}
	for k := first; k <= n; k++ {
		var full []*hit
		potential := below[k] > 0
		for _, h := range hits {
			if h.any&(1<<k) != 0 {
				full = append(full, h)
			}
			if h.alive&(1<<k) != 0 {
				potential = true
			}
		}
		if len(full) == 0 {
			if k == n && potential {
				hopOut.Potential = potentialNames(hits, k, below[k])
			}
			continue
		}
		urgent := slices.ContainsFunc(full, func(h *hit) bool { return h.c.Urgent })
		if k < n && !urgent && potential {
			continue // CUCM keeps collecting digits
		}
		d := p.decide(full, k, k < n && urgent, hopOut)
		hopOut.DigitsUsed = k
		hopOut.UnusedDigits = called[k:]
		switch {
		case k < n && urgent:
			hopOut.WinReason = fmt.Sprintf("urgent priority: routed as soon as %d digits matched, without waiting for more; %s", k, hopOut.WinReason)
		case k < n:
			hopOut.WinReason = fmt.Sprintf("no longer pattern can match after %d digits, so CUCM routes at once and never analyses %q; %s", k, called[k:], hopOut.WinReason)
		case potential && !d.h.c.Urgent:
			hopOut.Potential = potentialNames(hits, k, below[k])
			hopOut.InterdigitTimeout = !dontWait
		}
		return d, potential
	}
	return nil, potentialNamesAny(hopOut)
}

func potentialNamesAny(h *Hop) bool { return len(h.Potential) > 0 }

func potentialNames(hits []*hit, k, below int) []string {
	var out []string
	for _, h := range hits {
		if h.alive&(1<<k) != 0 {
			out = append(out, fmt.Sprintf("%s in %s", h.c.Text, partName(h.c.Partition)))
		}
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if below > 0 {
		out = append(out, fmt.Sprintf("%d more pattern(s) beginning with the digits dialed", below))
	}
	return out
}

func partName(p string) string {
	if p == "" {
		return NonePartition
	}
	return p
}

// decide picks the closest match among full matches at k digits: fewest matching strings of
// length k, then the earlier partition in the search order (CUCM-API.md J.1). Within one
// partition two patterns of equal specificity are ordered by text; CUCM does not document this.
func (p *Plan) decide(full []*hit, k int, urgentOnly bool, out *Hop) *decision {
	type scored struct {
		h   *hit
		alt int
		n   *big.Int
	}
	var all []scored
	for _, h := range full {
		alt, n := p.best(h, k)
		all = append(all, scored{h, alt, n})
	}
	slices.SortFunc(all, func(a, b scored) int {
		return cmp.Or(a.n.Cmp(b.n), cmp.Compare(a.h.pos, b.h.pos),
			cmp.Compare(a.h.c.Text, b.h.c.Text), cmp.Compare(a.h.c.order, b.h.c.order))
	})
	pool := all
	if urgentOnly {
		pool = slices.DeleteFunc(slices.Clone(all), func(s scored) bool { return !s.h.c.Urgent })
	}
	win := pool[0]
	for _, s := range all {
		c := Candidate{PatternID: s.h.c.ID, Pattern: s.h.c.Text, Partition: partName(s.h.c.Partition),
			Usage: s.h.c.Usage, Position: s.h.pos + 1, Matches: s.n.String(), Urgent: s.h.c.Urgent,
			Blocked: s.h.c.Blocked, Winner: s.h == win.h}
		if s.h.c.parsed.hasAt {
			var tags []string
			for _, t := range s.h.c.alts[s.alt].tag {
				tags = append(tags, t.String())
			}
			c.Plan = strings.Join(tags, " ")
		}
		out.Candidates = append(out.Candidates, c)
	}
	switch {
	case urgentOnly:
		out.WinReason = "closest urgent match"
	case len(all) == 1:
		out.WinReason = "only match"
	default:
		next := all[1]
		switch {
		case win.n.Cmp(next.n) < 0:
			out.WinReason = fmt.Sprintf("closest match: %s matches %s strings of %d digits, %s matches %s",
				win.h.c.Text, win.n, k, next.h.c.Text, next.n)
		case win.h.pos < next.h.pos:
			out.WinReason = fmt.Sprintf("equally specific (%s strings of %d digits); tie broken by partition order: %s (position %d) is searched before %s (position %d)",
				win.n, k, partName(win.h.c.Partition), win.h.pos+1, partName(next.h.c.Partition), next.h.pos+1)
		default:
			out.WinReason = fmt.Sprintf("equally specific (%s strings) in the same partition %s; tie broken by pattern text (CUCM does not document this case)",
				win.n, partName(win.h.c.Partition))
		}
	}
	return &decision{h: win.h, alt: win.alt, k: k}
}

// Analyze runs CUCM digit analysis for dialed from origin over the plan and returns the whole
// decision path. It never fails: an unusable input is an Invalid outcome with the reason.
func Analyze(plan *Plan, origin Origin, dialed string) Result {
	res := Result{Dialed: dialed, Origin: origin}
	called := unescape(dialed)
	if _, ok := symbols(called); !ok || len(called) > maxDialed {
		res.Outcome = OutcomeInvalid
		res.Reason = fmt.Sprintf("%q is not a dialable string (0-9 * # + A-D, at most %d characters)", dialed, maxDialed)
		return res
	}
	calling := origin.CallingNumber
	srcs := []cssSource{{origin.LineCSS, "line CSS"}, {origin.DeviceCSS, "device CSS"}}
	search, warns := plan.search(srcs...)
	res.Warnings = append(res.Warnings, warns...)
	label := cssLabel(srcs...)
	enBloc, dontWait := origin.EnBloc, false
	seen := map[string]int{called + "\x00" + calling + "\x00" + searchKey(search): 1}
	for translations := 0; ; {
		hop := Hop{Called: called, Calling: calling, CSS: label, Search: search}
		d, potential := plan.hop(search, called, enBloc, dontWait, &hop)
		res.Hops = append(res.Hops, hop)
		h := &res.Hops[len(res.Hops)-1]
		if d == nil {
			res.Outcome = OutcomeNoMatch
			res.NeedsMoreDigits = potential
			res.Reason = fmt.Sprintf("no pattern in the searched partitions matches %q", called)
			if potential {
				res.Reason += "; it is the start of a longer pattern, so CUCM waits for more digits (T302) and then rejects the call"
			}
			return res
		}
		c := d.h.c
		if c.IsEmergency {
			res.Emergency = true
		}
		if c.Blocked {
			res.Outcome = OutcomeBlocked
			res.Block = &Block{PatternID: c.ID, Pattern: c.Text, Partition: partName(c.Partition), Usage: c.Usage, ReleaseCause: c.ReleaseCause}
			res.Reason = fmt.Sprintf("%s pattern %s in %s blocks the call", c.Usage, c.Text, partName(c.Partition))
			return res
		}
		sym, _ := symbols(called[:d.k])
		s := &c.alts[d.alt]
		assign := s.assign(sym)
		switch c.Usage {
		case UsageTranslation:
			translations++
			if translations > MaxTranslations {
				res.Outcome = OutcomeLoop
				res.Reason = fmt.Sprintf("more than %d translation patterns in a row; CUCM stops the call (translation %s in %s would be number %d)",
					MaxTranslations, c.Text, partName(c.Partition), translations)
				return res
			}
			newCalled, dropped, tw := calledPartyTransform(called[:d.k], s, assign, c.DiscardDigits, c.CalledMask, c.PrefixDigits)
			newCalling := callingPartyTransform(calling, c.CallingMask, c.CallingPrefix)
			t := &Translation{PatternID: c.ID, Pattern: c.Text, Partition: partName(c.Partition),
				DiscardDigits: c.DiscardDigits, Discarded: dropped, CalledBefore: called[:d.k], CalledAfter: newCalled,
				CallingBefore: calling, CallingAfter: newCalling, UseOriginatorCSS: c.UseOriginatorCSS, Warnings: tw}
			if c.UseOriginatorCSS {
				t.NextCSS = "originator's: " + label
			} else {
				src := cssSource{c.CSS, "translation CSS"}
				search, warns = plan.search(src)
				res.Warnings = append(res.Warnings, warns...)
				label = cssLabel(src)
				t.NextCSS = label
			}
			h.Translation = t
			called, calling = newCalled, newCalling
			if _, ok := symbols(called); !ok || len(called) > maxDialed {
				res.Outcome = OutcomeInvalid
				res.Reason = fmt.Sprintf("translation %s produced %q, which cannot be analysed", c.Text, called)
				return res
			}
			key := called + "\x00" + calling + "\x00" + searchKey(search)
			if at, ok := seen[key]; ok {
				res.Outcome = OutcomeLoop
				res.Reason = fmt.Sprintf("translation loop: hop %d would repeat the called number %q, calling number %q and search order of hop %d; CUCM gives up after %d translations",
					len(res.Hops)+1, called, calling, at, MaxTranslations)
				return res
			}
			seen[key] = len(res.Hops) + 1
			enBloc, dontWait = true, c.DontWaitForIDT
			continue
		case UsageRoute, UsageHuntPilot, UsageDevice:
			res.Outcome = OutcomeRouted
			res.Route = plan.route(c, s, assign, called[:d.k], calling, origin)
			res.Reason = fmt.Sprintf("%s pattern %s in %s", c.Usage, c.Text, partName(c.Partition))
			if len(res.Route.Legs) == 0 {
				res.Reason += " leads to no device"
			}
			return res
		default:
			res.Outcome = OutcomeFeature
			res.Route = &Route{PatternID: c.ID, Pattern: c.Text, Partition: partName(c.Partition), Usage: c.Usage, Called: called[:d.k], Calling: calling}
			res.Reason = fmt.Sprintf("%s pattern %s in %s", c.Usage, c.Text, partName(c.Partition))
			return res
		}
	}
}

func searchKey(s []SearchedPartition) string {
	var b strings.Builder
	for _, p := range s {
		b.WriteString(p.Partition)
		b.WriteByte(0)
	}
	return b.String()
}

// route follows a matched route pattern, hunt pilot or DN to its devices (CUCM-API.md E).
func (p *Plan) route(c *compiled, s *seq, assign []int, digits, calling string, o Origin) *Route {
	r := &Route{PatternID: c.ID, Pattern: c.Text, Partition: partName(c.Partition), Usage: c.Usage, Destination: c.Destination}
	var warns []string
	r.Called, r.Discarded, warns = calledPartyTransform(digits, s, assign, c.DiscardDigits, c.CalledMask, c.PrefixDigits)
	r.Calling = callingPartyTransform(calling, c.CallingMask, c.CallingPrefix)
	r.Warnings = append(r.Warnings, warns...)
	leg := func(l Leg) {
		if l.Device != "" {
			l.Status, l.Known = p.registration(l.Device)
		}
		r.Legs = append(r.Legs, l)
	}
	switch c.Usage {
	case UsageDevice:
		for _, d := range c.Devices {
			leg(Leg{DN: c.Text, Device: d, Called: r.Called, Calling: r.Calling})
		}
	case UsageHuntPilot:
		hl, ok := p.huntLists[c.Destination]
		if !ok {
			r.Warnings = append(r.Warnings, fmt.Sprintf("hunt list %q is not in the dial plan", c.Destination))
			break
		}
		for _, lgName := range hl.LineGroups {
			lg, ok := p.lineGroups[lgName]
			if !ok {
				leg(Leg{HuntList: hl.Name, LineGroup: lgName, Note: "line group not in the dial plan"})
				continue
			}
			for _, m := range lg.Members {
				dn := p.dns[dnKey{unescape(m.DN), m.Partition}]
				if dn == nil || len(dn.Devices) == 0 {
					leg(Leg{HuntList: hl.Name, LineGroup: lg.Name, DN: m.DN, Note: "directory number has no device in the dial plan"})
					continue
				}
				for _, d := range dn.Devices {
					leg(Leg{HuntList: hl.Name, LineGroup: lg.Name, DN: m.DN, Device: d, Called: r.Called, Calling: r.Calling})
				}
			}
		}
	case UsageRoute:
		rl, ok := p.routeLists[c.Destination]
		if !ok {
			if c.Destination == "" {
				r.Warnings = append(r.Warnings, "route pattern has no destination")
			} else {
				leg(Leg{Device: c.Destination, Called: r.Called, Calling: r.Calling})
			}
			break
		}
		for _, m := range rl.Members {
			// Route list member settings override the route pattern's, field by field, and
			// apply to the digits as the route pattern matched them [inf].
			ddi := cmp.Or(m.DiscardDigits, c.DiscardDigits)
			called, _, mw := calledPartyTransform(digits, s, assign, ddi, cmp.Or(m.CalledMask, c.CalledMask), cmp.Or(m.PrefixDigits, c.PrefixDigits))
			r.Warnings = append(r.Warnings, mw...)
			cg := callingPartyTransform(calling, cmp.Or(m.CallingMask, c.CallingMask), cmp.Or(m.CallingPrefix, c.CallingPrefix))
			rgName := m.RouteGroup
			note := ""
			if rgName == StandardLocalRouteGroup {
				if o.LocalRouteGroup == "" {
					leg(Leg{RouteList: rl.Name, RouteGroup: rgName, Note: "the calling device pool has no local route group"})
					continue
				}
				rgName, note = o.LocalRouteGroup, "Standard Local Route Group of the calling device pool"
			}
			rg, ok := p.routeGroups[rgName]
			if !ok {
				leg(Leg{RouteList: rl.Name, RouteGroup: rgName, Note: "route group not in the dial plan"})
				continue
			}
			if len(rg.Devices) == 0 {
				leg(Leg{RouteList: rl.Name, RouteGroup: rg.Name, Note: "route group has no device"})
			}
			for _, d := range rg.Devices {
				leg(Leg{RouteList: rl.Name, RouteGroup: rg.Name, Device: d, Called: called, Calling: cg, Note: note})
			}
		}
	}
	slices.Sort(r.Warnings)
	r.Warnings = slices.Compact(r.Warnings)
	return r
}
