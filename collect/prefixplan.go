package collect

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// A class whose wildcard answer fills RisPort's cap is read again by name prefix: "SEP0*",
// "SEP1*", ... chosen so that together they match every possible device name (devices unknown to
// AXL included), each request's answer stays under the cap, and answers are as full as the
// estimate allows (the floor is ⌈entries ÷ cap⌉ requests). AXL's device names say how many
// entries a prefix should bring, scaled per device class by what the answers show (entries per
// AXL name: devices RisPort does not list, devices several nodes list, devices only RisPort
// knows), the names of devices that never registered (registrationdynamic) as a group of their
// own (neverRegistered); an answer that reaches the cap anyway is asked again narrower (most of its names
// first, the rest with the next names), or with its prefix one character longer.

// nameAlphabet is what CUCM allows in device names (letters, digits, dot, dash, underscore), the
// space some hunt lists and trunks carry, and the "/" and "@" of MGCP endpoint names. Every
// character of an AXL name is added to it. RisPort matches names case-insensitively, as CUCM
// treats device names; prefixes are upper case.
const nameAlphabet = " -./0123456789@ABCDEFGHIJKLMNOPQRSTUVWXYZ_"

const (
	// maxPrefixRunes bounds how far a prefix is lengthened: longer than any CUCM device name.
	maxPrefixRunes = 64
	// maxItems bounds the SelectItems of one request (what public clients send, and CUCM accepts).
	maxItems = 1000
	// fillMargin keeps the expected entries of a request this far under the cap, so that an
	// answer that brings a little more than expected still fits, until the answers show how far
	// they stray from the estimate (then the margin is 2.5 times that spread, within
	// [minMargin, maxMargin]): an answer at the cap costs a request, a margin too wide costs a
	// share of every request.
	fillMargin = 0.03
	minMargin  = 0.015
	maxMargin  = 0.10
	// classSample is how many AXL names of a class answers must have covered before the class's
	// own entries per name replace the average of every class (a smaller sample strays by more
	// than the margin: a quarter of 100 names is 5 % of an answer either way).
	classSample = 300
	// unsureRatio scales the average of every class where it stands for a class's own.
	unsureRatio = 1.15
	// neverWeight is how many names the first figure of a group of names of devices that
	// never registered (neverGroup) counts as against the group's own answers. The first
	// figure is the average of every class (pooled first over every such group), so the first
	// requests fall short rather than reach the cap: CUCM keeps a registrationdynamic row for
	// every device that has registered and RisPort lists devices that registered, so such
	// names bring next to none and the figure falls within a few dozen names, instead of
	// waiting for classSample of them; where registrationdynamic says less (rows missing,
	// another implementation), it settles where the answers put it.
	neverWeight = 20
)

// nameBucket is one SelectItem: every name that starts with prefix ("prefix*"), or, when exact,
// the one name prefix (left when a prefix is lengthened: "SEP1*" becomes "SEP1", "SEP10*", ...).
type nameBucket struct {
	prefix string
	exact  bool
	split  bool    // answered at the cap alone: lengthen before asking again
	boost  float64 // > 1: answered at the cap, its names bring more than estimated
}

func (b nameBucket) item() string {
	if b.exact {
		return b.prefix
	}
	return b.prefix + "*"
}

// prefixRequest is one planned RisPort request.
type prefixRequest struct {
	buckets  []nameBucket
	items    []string
	expected float64 // entries the estimate expects
	axlNames int     // AXL names the request covers
	byClass  []int   // of which, per class of the planner
	// unsure: no answer has shown yet how many entries a name brings. The estimate is a
	// guess: nothing more is planned until it is answered.
	unsure bool
}

// prefixPlanner hands out requests in name order until every name is covered.
type prefixPlanner struct {
	names    []string // AXL names, upper case, sorted, unique
	mixed    []bool   // names[i] is not upper case in AXL: also asked by its exact AXL name
	orig     []string // AXL spelling of names[i]
	classes  []string // the device classes the names belong to
	never    []bool   // classes[i] is a group of names of devices that never registered
	cum      [][]int32
	alphabet []rune
	cap      int
	queue    []nameBucket // front first, in name order

	// What the answers taught, per class: entries brought and AXL names covered. Entries of a
	// class the planner has no names of (devices only RisPort knows) are extra, spread over
	// every AXL name covered. initial is the entries per name assumed before any answer.
	entries, covered []float64
	extra, initial   float64
	// The spread of answers around their estimate (relative, squared), for the margin.
	spread2 float64
	spreadN int
	answers int
	// splitNext bounds the buckets of the next request after an answer at the cap.
	splitNext int
	// blindMax bounds the buckets of a request that AXL expects nothing from, once such a request
	// reached the cap (devices AXL does not know, or no AXL names at all); it doubles again after
	// an answer under half the cap.
	blindMax int
}

// newPrefixPlanner plans the names of byClass (AXL names per RisPort device class; nil or
// empty when AXL could not list them: the plan then learns only from answers at the cap).
// initialRatio is the entries per distinct name seen in a wildcard answer, 0 when there was
// none: the first request then assumes 10 % of devices are listed by two nodes, and the answers
// correct it.
func newPrefixPlanner(byClass map[string][]string, cap int, initialRatio float64) *prefixPlanner {
	if initialRatio <= 0 {
		initialRatio = 1.1
	}
	p := &prefixPlanner{cap: cap, initial: max(1, initialRatio)}
	type name struct {
		upper, orig string
		class       uint8
	}
	p.classes = slices.Sorted(maps.Keys(byClass))
	total := 0
	for _, names := range byClass {
		total += len(names)
	}
	list := make([]name, 0, total)
	for ci, cl := range p.classes {
		for _, n := range byClass[cl] {
			if n != "" {
				list = append(list, name{strings.ToUpper(n), n, uint8(ci)})
			}
		}
	}
	slices.SortFunc(list, func(a, b name) int { return strings.Compare(a.upper, b.upper) })
	list = slices.CompactFunc(list, func(a, b name) bool { return a.upper == b.upper })
	// The characters names use: ASCII in a table (a map per character of 60,000 names costs
	// tens of milliseconds before the first request), the rest in a map.
	var ascii [utf8.RuneSelf]bool
	runes := map[rune]bool{}
	for _, r := range nameAlphabet {
		ascii[r] = true
	}
	p.cum = make([][]int32, len(p.classes))
	for ci := range p.cum {
		p.cum[ci] = make([]int32, len(list)+1)
	}
	p.names = make([]string, len(list))
	p.orig = make([]string, len(list))
	p.mixed = make([]bool, len(list))
	for i, n := range list {
		p.names[i], p.orig[i], p.mixed[i] = n.upper, n.orig, n.orig != n.upper
		p.cum[n.class][i+1] = 1
		for j := 0; j < len(n.upper); j++ {
			if c := n.upper[j]; c < utf8.RuneSelf {
				ascii[c] = true
				continue
			}
			for _, r := range n.upper[j:] {
				switch {
				case r < utf8.RuneSelf:
					ascii[r] = true
				case r != utf8.RuneError:
					runes[r] = true
				}
			}
			break
		}
	}
	for _, cum := range p.cum {
		for i := 1; i < len(cum); i++ {
			cum[i] += cum[i-1]
		}
	}
	p.entries = make([]float64, len(p.classes))
	p.covered = make([]float64, len(p.classes))
	p.never = make([]bool, len(p.classes))
	for ci, cl := range p.classes {
		p.never[ci] = strings.HasSuffix(cl, neverGroup)
	}
	ascii['*'] = false
	for c, ok := range ascii {
		if ok {
			p.alphabet = append(p.alphabet, rune(c))
		}
	}
	for r := range runes {
		p.alphabet = append(p.alphabet, r)
	}
	slices.Sort(p.alphabet)
	p.queue = p.children("", 0)
	// Names no prefix item can reach (a '*', which is a wildcard; bytes that are not UTF-8) are
	// asked for by their exact AXL spelling; a name with a leading space, which RisPort trims
	// from an item, by "*" and the rest of it.
	for _, n := range list {
		switch {
		case strings.HasPrefix(n.orig, " "):
			p.queue = append(p.queue, nameBucket{prefix: "*" + strings.TrimLeft(n.orig, " "), exact: true})
		case strings.ContainsRune(n.orig, '*') || !utf8.ValidString(n.orig) || strings.ContainsRune(n.orig, utf8.RuneError):
			p.queue = append(p.queue, nameBucket{prefix: n.orig, exact: true})
		}
	}
	return p
}

// children lengthens prefix by one character: the exact name prefix (when not empty) and every
// prefix+c, with the boost of their parent.
func (p *prefixPlanner) children(prefix string, boost float64) []nameBucket {
	// CUCM trims names (and RisPort trims items): none begins or ends with a space, and an item
	// " *" would read as "*".
	out := make([]nameBucket, 0, len(p.alphabet)+1)
	if prefix != "" && !strings.HasSuffix(prefix, " ") {
		out = append(out, nameBucket{prefix: prefix, exact: true, boost: boost})
	}
	for _, r := range p.alphabet {
		if prefix == "" && r == ' ' {
			continue
		}
		out = append(out, nameBucket{prefix: prefix + string(r), boost: boost})
	}
	return out
}

// span is the index range of the AXL names a bucket matches.
func (p *prefixPlanner) span(b nameBucket) (lo, hi int) {
	lo, found := slices.BinarySearch(p.names, b.prefix)
	if b.exact {
		if found {
			return lo, lo + 1
		}
		return lo, lo
	}
	rest := p.names[lo:]
	n, _ := slices.BinarySearchFunc(rest, b.prefix, func(name, prefix string) int {
		if strings.HasPrefix(name, prefix) {
			return -1
		}
		return 1
	})
	return lo, lo + n
}

// ratio is the entries one AXL name of class ci is expected to bring, devices only RisPort
// knows included.
func (p *prefixPlanner) ratio(ci int) float64 {
	var e, c float64
	for i := range p.entries {
		e += p.entries[i]
		c += p.covered[i]
	}
	if c < 1 {
		return p.initial
	}
	extra := p.extra / c
	if p.covered[ci] >= classSample {
		return p.entries[ci]/p.covered[ci] + extra
	}
	if p.never[ci] {
		var ne, nc float64
		for i, never := range p.never {
			if never {
				ne += p.entries[i]
				nc += p.covered[i]
			}
		}
		pooled := (ne + neverWeight*e/c) / (nc + neverWeight)
		return (p.entries[ci]+neverWeight*pooled)/(p.covered[ci]+neverWeight) + extra
	}
	// A guess: rather a request a little short than one at the cap, which costs a whole one.
	return unsureRatio * (e + p.extra) / c
}

// estimate is the entries expected from the names lo..hi.
func (p *prefixPlanner) estimate(lo, hi int) float64 {
	est := 0.0
	for ci, cum := range p.cum {
		if n := cum[hi] - cum[lo]; n > 0 {
			est += float64(n) * p.ratio(ci)
		}
	}
	return est
}

// margin is how far under the cap requests are filled: 2.5 times the answers' spread around
// their estimates, widened by the error of ratios that rest on few answers (about the spread ÷
// √answers). Before three answers show a spread, 3 % widened by the error of a ratio learned
// from n entries if each brought its own chance (about 1/√n).
func (p *prefixPlanner) margin() float64 {
	if p.spreadN >= 3 {
		n := float64(p.spreadN)
		return min(maxMargin, max(minMargin, 2.5*math.Sqrt(p.spread2*(1+1/n))))
	}
	learned := p.extra
	for _, e := range p.entries {
		learned += e
	}
	m := fillMargin
	if learned > 0 {
		m = math.Hypot(m, 2.5/math.Sqrt(learned))
	}
	return min(maxMargin, m)
}

// tail reports whether what remains to be asked for is expected to fit one request; byPrefix
// then waits for the answers under way: one of them may reach the cap and be asked again, and
// the rest can join it instead of taking a request of its own (a round trip at the end, against
// a request). Without AXL's names (a device list that could not be read) every estimate is 0,
// so such a plan goes one request at a time, each filled by what the last answers showed: in a
// probe of 5,000 devices that took 52 requests where three under way took 65, and at CUCM's
// limit a request costs more than a round trip.
func (p *prefixPlanner) tail() bool {
	target := float64(p.cap) * (1 - p.margin())
	n := 0.0
	for _, b := range p.queue {
		if n += p.estimate(p.span(b)) * max(1, b.boost); n >= target {
			return false
		}
	}
	return true
}

// more reports whether names remain to be asked for.
func (p *prefixPlanner) more() bool { return len(p.queue) > 0 }

// next plans the next request: buckets in name order while their expected entries fit under the
// cap, lengthening a prefix that does not fit when that fills the request better.
func (p *prefixPlanner) next() prefixRequest {
	req := prefixRequest{byClass: make([]int, len(p.classes))}
	target := float64(p.cap) * (1 - p.margin())
	take := func(b nameBucket, lo, hi int, est float64) {
		p.queue = p.queue[1:]
		req.buckets = append(req.buckets, b)
		req.items = append(req.items, b.item())
		for i := lo; i < hi; i++ {
			if p.mixed[i] {
				req.items = append(req.items, p.orig[i])
			}
		}
		req.expected += est
		req.axlNames += hi - lo
		for ci, cum := range p.cum {
			req.byClass[ci] += int(cum[hi] - cum[lo])
		}
	}
	for len(p.queue) > 0 {
		if p.splitNext > 0 && len(req.buckets) >= p.splitNext {
			break
		}
		if p.blindMax > 0 && req.expected == 0 && len(req.buckets) >= p.blindMax {
			break
		}
		b := p.queue[0]
		lo, hi := p.span(b)
		n := hi - lo
		canLengthen := !b.exact && utf8.RuneCountInString(b.prefix) < maxPrefixRunes
		if b.split && canLengthen {
			p.queue = slices.Insert(p.queue[1:], 0, p.children(b.prefix, b.boost)...)
			continue
		}
		items := 1
		for i := lo; i < hi; i++ {
			if p.mixed[i] {
				items++
			}
		}
		est := p.estimate(lo, hi) * max(1, b.boost)
		if req.expected+est <= target && len(req.items)+items <= maxItems {
			take(b, lo, hi, est)
			continue
		}
		// It does not fit. Lengthen it when the request is empty or has room worth filling;
		// otherwise it opens the next request.
		if canLengthen && n > 0 && (len(req.buckets) == 0 || target-req.expected >= 0.01*target) {
			p.queue = slices.Insert(p.queue[1:], 0, p.children(b.prefix, b.boost)...)
			continue
		}
		if len(req.buckets) == 0 {
			// One exact name, or a prefix that cannot grow: ask it alone.
			take(b, lo, hi, est)
		}
		break
	}
	p.splitNext = 0
	// The first request goes alone: every later one is planned from what it showed. Later
	// ones go at once even where a class's figure is still the average of every class,
	// raised (unsureRatio) so that their answers fall short rather than reach the cap:
	// waiting for their answers would cost a round trip each, and the window's requests
	// are spent from the start either way.
	known := 0.0
	for _, c := range p.covered {
		known += c
	}
	req.unsure = known == 0 && req.axlNames > 0
	return req
}

// answered learns the entries a request brought, per device class (classes the planner has no
// AXL names of count as devices only RisPort knows).
func (p *prefixPlanner) answered(req prefixRequest, byClass map[string]int) {
	entries := 0
	for _, n := range byClass {
		entries += n
	}
	if req.axlNames == 0 && p.blindMax > 0 && entries < p.cap/2 {
		p.blindMax *= 2
	}
	// How far the answer strayed from what the current ratios expect of it, once the ratios
	// rest on more names than the request holds.
	var known float64
	for _, c := range p.covered {
		known += c
	}
	if req.axlNames > 0 && known >= 2*float64(req.axlNames) {
		// Names of a group whose ratio is still a guess (fewer than classSample names covered;
		// never-registered groups too, although their own figure leads after neverWeight names:
		// it is still young) stray by how wrong the guess is, not by chance: such answers say
		// nothing of the spread to come once every ratio is learned (the margin widens for
		// young ratios apart), unless the guessed names weigh little in the estimate.
		want, guessed := 0.0, 0.0
		for ci, n := range req.byClass {
			w := float64(n) * p.ratio(ci)
			want += w
			if p.covered[ci] < classSample {
				guessed += w
			}
		}
		if want >= float64(p.cap)/4 && guessed <= 0.01*want {
			// Recent answers weigh most: the first ones stray by the error of young ratios too,
			// which the margin counts apart. The spread starts from the one fillMargin stands
			// for, not from the first answer's: three answers close to their estimates by chance
			// would narrow the margin to its least while the requests planned on it are under
			// way, and those reach the cap together.
			d := (float64(entries) - want) / want
			if p.spreadN == 0 {
				p.spread2 = (fillMargin / 2.5) * (fillMargin / 2.5)
			}
			p.spread2 = 0.9*p.spread2 + 0.1*d*d
			p.spreadN++
		}
	}
	p.answers++
	for cl, n := range byClass {
		if ci, ok := slices.BinarySearch(p.classes, cl); ok && req.byClass[ci] > 0 {
			p.entries[ci] += float64(n)
		} else {
			p.extra += float64(n)
		}
	}
	for ci, n := range req.byClass {
		p.covered[ci] += float64(n)
	}
}

// setCap follows the cap the collector learned (a cluster that cuts answers below the
// MaxReturnedDevices asked for).
func (p *prefixPlanner) setCap(c int) {
	if c > 0 {
		p.cap = c
	}
}

// atCap puts back the buckets of a request whose answer reached the cap. When the estimate
// filled the request, its buckets are taken as denser than estimated (their estimates are raised
// by a tenth more than the cap exceeds them) and planned again; when the estimate was well under
// the cap (devices AXL does not know), they are asked again in halves. A single bucket is asked
// again with its prefix lengthened; a single exact name, or a prefix that cannot grow, is an
// error: it cannot be read under the cap.
func (p *prefixPlanner) atCap(req prefixRequest) error {
	back := slices.Clone(req.buckets)
	if req.axlNames == 0 {
		p.blindMax = max(1, len(back)/2)
	}
	dense := 1.0
	if req.expected >= float64(p.cap)/2 {
		dense = min(2, float64(p.cap)/req.expected) * 1.1
	}
	for i := range back {
		back[i].boost = max(1, back[i].boost) * dense
	}
	switch {
	case len(back) == 1:
		b := back[0]
		if b.exact || utf8.RuneCountInString(b.prefix) >= maxPrefixRunes {
			return fmt.Errorf("RisPort lists %d or more entries for the name %q alone", p.cap, b.item())
		}
		back[0].split = true
	case dense == 1:
		// The first half by expected entries (empty prefixes weigh nothing), at least one bucket.
		total, sum := 0.0, 0.0
		for _, b := range back {
			lo, hi := p.span(b)
			total += float64(hi - lo)
		}
		p.splitNext = len(back) / 2
		for i, b := range back[:len(back)-1] {
			lo, hi := p.span(b)
			sum += float64(hi - lo)
			if total > 0 && sum >= total/2 {
				p.splitNext = i + 1
				break
			}
		}
	}
	p.queue = slices.Insert(p.queue, 0, back...)
	return nil
}

// remaining estimates the requests still needed, for the progress line.
func (p *prefixPlanner) remaining() int {
	n := 0.0
	for _, b := range p.queue {
		n += p.estimate(p.span(b)) * max(1, b.boost)
	}
	return int(n/(float64(p.cap)*(1-p.margin()))) + 1
}
