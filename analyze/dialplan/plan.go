package dialplan

import (
	"fmt"
	"math/big"
	"slices"
	"sync"
)

// Usage is a pattern's kind, named as in CUCM's typepatternusage / AXL XPatternUsage
// (CUCM-API.md A.1).
type Usage string

// The usages the engine routes. Others (Call Park, Meet-Me, pickup, ...) are matched like any
// pattern and reported as a feature outcome.
const (
	UsageDevice      Usage = "Device"
	UsageTranslation Usage = "Translation"
	UsageRoute       Usage = "Route"
	UsageHuntPilot   Usage = "Hunt Pilot"
)

// notCalledUsages never take part in called-number analysis from a calling search space: the
// transformation patterns are reached through transformation CSSs and intercom patterns through
// intercom CSSs (CUCM-API.md A.1 [inf]).
var notCalledUsages = []Usage{
	"Translation Calling Party Number", "Called Party Number Transformation",
	"Device Intercom", "Translation Intercom", "Device Template", "Device Intercom Template",
}

// Pattern is one numplan row: a directory number, route pattern, translation pattern, hunt
// pilot or other pattern, in CUCM's own terms (CUCM-API.md A).
type Pattern struct {
	ID               string   `json:"id,omitempty"`
	Text             string   `json:"pattern"`             // numplan.dnorpattern, \+ escaped
	Partition        string   `json:"partition,omitempty"` // "" is <None>
	Usage            Usage    `json:"usage"`
	Description      string   `json:"description,omitempty"`
	Blocked          bool     `json:"blocked,omitempty"`       // blockenable
	ReleaseCause     string   `json:"release_cause,omitempty"` // tkreleasecausevalue name
	Urgent           bool     `json:"urgent,omitempty"`        // patternurgency
	DiscardDigits    string   `json:"discard_digits,omitempty"`
	CalledMask       string   `json:"called_mask,omitempty"`
	PrefixDigits     string   `json:"prefix_digits,omitempty"`
	CallingMask      string   `json:"calling_mask,omitempty"`
	CallingPrefix    string   `json:"calling_prefix,omitempty"`
	CSS              string   `json:"css,omitempty"` // a translation's own CSS
	UseOriginatorCSS bool     `json:"use_originator_css,omitempty"`
	DontWaitForIDT   bool     `json:"dont_wait_for_idt,omitempty"` // dontwaitforidtatsubsequenthops
	Destination      string   `json:"destination,omitempty"`       // route list, gateway, trunk or hunt list
	Devices          []string `json:"devices,omitempty"`           // devices carrying a DN
	RouteFilter      string   `json:"route_filter,omitempty"`
	IsEmergency      bool     `json:"is_emergency,omitempty"`
}

// CSS is a calling search space: partitions in search order (callingsearchspacemember.sortorder).
type CSS struct {
	Name       string   `json:"name"`
	Partitions []string `json:"partitions"`
}

// RouteList is a route list device and its members in selection order.
type RouteList struct {
	Name    string            `json:"name"`
	Members []RouteListMember `json:"members"`
}

// StandardLocalRouteGroup is the route list member that stands for the calling device pool's
// local route group (CUCM-API.md D, PA14).
const StandardLocalRouteGroup = "Standard Local Route Group"

// RouteListMember is a route group in a route list with its own digit manipulation, which
// overrides the route pattern's field by field when set (AXL XRouteListMember).
type RouteListMember struct {
	RouteGroup    string `json:"route_group"`
	DiscardDigits string `json:"discard_digits,omitempty"`
	CalledMask    string `json:"called_mask,omitempty"`
	PrefixDigits  string `json:"prefix_digits,omitempty"`
	CallingMask   string `json:"calling_mask,omitempty"`
	CallingPrefix string `json:"calling_prefix,omitempty"`
}

// RouteGroup is gateways and trunks in selection order.
type RouteGroup struct {
	Name         string   `json:"name"`
	Distribution string   `json:"distribution,omitempty"`
	Devices      []string `json:"devices"`
}

// HuntList is a hunt pilot's destination: line groups in order.
type HuntList struct {
	Name       string   `json:"name"`
	LineGroups []string `json:"line_groups"`
}

// LineGroup is directory numbers in hunt order.
type LineGroup struct {
	Name         string            `json:"name"`
	Distribution string            `json:"distribution,omitempty"`
	Members      []LineGroupMember `json:"members"`
}

// LineGroupMember is a directory number in a line group.
type LineGroupMember struct {
	DN        string `json:"dn"`
	Partition string `json:"partition,omitempty"`
}

// Registrar tells a device's registration state from the same snapshot as the dial plan.
type Registrar interface {
	Registered(device string) (status string, known bool)
}

// RegistrationMap is a Registrar over a map of device name to status.
type RegistrationMap map[string]string

// Registered returns the status stored for device.
func (m RegistrationMap) Registered(device string) (string, bool) {
	s, ok := m[device]
	return s, ok
}

// Data is everything a Plan is built from, as a loader reads it from a snapshot.
type Data struct {
	Patterns     []Pattern
	CSSes        []CSS
	RouteLists   []RouteList
	RouteGroups  []RouteGroup
	HuntLists    []HuntList
	LineGroups   []LineGroup
	RouteFilters []RouteFilter
	Registration Registrar
}

// Problem is a piece of the dial plan the engine could not use as given; the plan is built
// without it (or with the stated fallback) and the problem is kept for the report.
type Problem struct {
	PatternID string `json:"pattern_id,omitempty"`
	Pattern   string `json:"pattern,omitempty"`
	Partition string `json:"partition,omitempty"`
	Message   string `json:"message"`
}

type compiled struct {
	Pattern
	parsed *Parsed
	alts   []seq
	order  int // position in the plan, for deterministic ties
}

type trieNode struct {
	children map[byte]*trieNode
	pats     []*compiled
	below    int // patterns filed strictly below this node
}

type dnKey struct{ text, partition string }

type countKey struct {
	pat, alt, n int
}

// Plan is a dial plan indexed for analysis. It is safe for concurrent use.
type Plan struct {
	patterns    []*compiled
	tries       map[string]*trieNode // by partition
	css         map[string]CSS
	routeLists  map[string]RouteList
	routeGroups map[string]RouteGroup
	huntLists   map[string]HuntList
	lineGroups  map[string]LineGroup
	dns         map[dnKey]*compiled
	reg         Registrar
	problems    []Problem

	mu     sync.Mutex
	counts map[countKey]*big.Int
}

// NewPlan compiles and indexes a dial plan. Patterns that do not parse are left out and listed
// by Problems; nothing is silently dropped.
func NewPlan(d Data) *Plan {
	p := &Plan{
		tries:       map[string]*trieNode{},
		css:         map[string]CSS{},
		routeLists:  map[string]RouteList{},
		routeGroups: map[string]RouteGroup{},
		huntLists:   map[string]HuntList{},
		lineGroups:  map[string]LineGroup{},
		dns:         map[dnKey]*compiled{},
		reg:         d.Registration,
		counts:      map[countKey]*big.Int{},
	}
	for _, c := range d.CSSes {
		p.css[c.Name] = c
	}
	for _, r := range d.RouteLists {
		p.routeLists[r.Name] = r
	}
	for _, r := range d.RouteGroups {
		p.routeGroups[r.Name] = r
	}
	for _, h := range d.HuntLists {
		p.huntLists[h.Name] = h
	}
	for _, l := range d.LineGroups {
		p.lineGroups[l.Name] = l
	}
	filters := map[string]RouteFilter{}
	for _, f := range d.RouteFilters {
		filters[f.Name] = f
	}
	for _, pat := range d.Patterns {
		problem := func(format string, args ...any) {
			p.problems = append(p.problems, Problem{PatternID: pat.ID, Pattern: pat.Text,
				Partition: pat.Partition, Message: fmt.Sprintf(format, args...)})
		}
		if slices.Contains(notCalledUsages, pat.Usage) {
			continue
		}
		parsed, err := Parse(pat.Text)
		if err != nil {
			problem("%v", err)
			continue
		}
		c := &compiled{Pattern: pat, parsed: parsed, order: len(p.patterns)}
		c.Devices = slices.Clone(pat.Devices)
		pre, post, dot, dotAfterAt := parsed.flatten()
		if !parsed.hasAt {
			c.alts = []seq{{els: pre, dot: dot, at: -1}}
			if pat.RouteFilter != "" {
				problem("route filter %q ignored: route filters apply only to patterns with @", pat.RouteFilter)
			}
		} else {
			nanp := nanpSeqs
			if pat.RouteFilter != "" {
				f, ok := filters[pat.RouteFilter]
				if !ok {
					problem("route filter %q not in the plan; pattern used unfiltered", pat.RouteFilter)
				} else {
					nanp = nil
					for _, alt := range nanpSeqs {
						for _, cl := range f.Clauses {
							els, keep, probs := filterSeq(alt, cl)
							for _, m := range probs {
								if !slices.ContainsFunc(p.problems, func(x Problem) bool { return x.PatternID == pat.ID && x.Message == m }) {
									problem("%s", m)
								}
							}
							if keep {
								nanp = append(nanp, els)
							}
						}
					}
				}
			}
			for _, alt := range nanp {
				s := seq{els: slices.Concat(pre, alt, post), dot: dot, at: len(pre), tag: tagsOf(alt)}
				if dotAfterAt >= 0 {
					s.dot = len(pre) + len(alt) + dotAfterAt
				}
				c.alts = append(c.alts, s)
			}
		}
		if slices.ContainsFunc(c.alts, func(s seq) bool { return len(s.els) > maxSeq }) {
			problem("pattern too long to analyse")
			continue
		}
		p.patterns = append(p.patterns, c)
		root := p.tries[pat.Partition]
		if root == nil {
			root = &trieNode{}
			p.tries[pat.Partition] = root
		}
		n := root
		for _, ch := range []byte(parsed.literalPrefix()) {
			n.below++
			if n.children == nil {
				n.children = map[byte]*trieNode{}
			}
			next := n.children[ch]
			if next == nil {
				next = &trieNode{}
				n.children[ch] = next
			}
			n = next
		}
		n.pats = append(n.pats, c)
		if pat.Usage == UsageDevice {
			p.dns[dnKey{unescape(pat.Text), pat.Partition}] = c
		}
	}
	return p
}

// Problems lists the parts of the input the plan could not use as given, in input order.
func (p *Plan) Problems() []Problem { return slices.Clone(p.problems) }

// count is the number of strings of length n the alternative matches, cached per plan.
func (p *Plan) count(c *compiled, alt, n int) *big.Int {
	k := countKey{c.order, alt, n}
	p.mu.Lock()
	v, ok := p.counts[k]
	p.mu.Unlock()
	if ok {
		return v
	}
	v = c.alts[alt].count(n)
	p.mu.Lock()
	p.counts[k] = v
	p.mu.Unlock()
	return v
}

// registration asks the plan's registrar about a device.
func (p *Plan) registration(device string) (string, bool) {
	if p.reg == nil {
		return "", false
	}
	return p.reg.Registered(device)
}

func unescape(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && s[i+1] == '+' {
			continue
		}
		out = append(out, s[i])
	}
	return string(out)
}
