package collect

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// A class whose wildcard answer fills RisPort's cap is read again by name prefix: "SEP0*",
// "SEP1*", ... chosen so that together they match every possible device name (devices unknown to
// AXL included), each request's answer stays under the cap, and answers are as full as the
// estimate allows (the floor is ⌈entries ÷ cap⌉ requests). AXL's device names of the class say how
// many entries a prefix should bring; an answer that reaches the cap anyway is asked again in
// halves, or with its prefix one character longer.

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
	// answer that brings a little more than expected still fits.
	fillMargin = 0.03
)

// nameBucket is one SelectItem: every name that starts with prefix ("prefix*"), or, when exact,
// the one name prefix (left when a prefix is lengthened: "SEP1*" becomes "SEP1", "SEP10*", ...).
type nameBucket struct {
	prefix string
	exact  bool
	split  bool // answered at the cap alone: lengthen before asking again
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
}

// prefixPlanner hands out requests in name order until every name is covered.
type prefixPlanner struct {
	names    []string // AXL names of the class, upper case, sorted, unique
	mixed    []bool   // names[i] is not upper case in AXL: also asked by its exact AXL name
	orig     []string // AXL spelling of names[i]
	alphabet []rune
	cap      int
	queue    []nameBucket // front first, in name order
	// ratio is entries per AXL name: duplicates across nodes count more than once, names RisPort
	// does not know count zero. It starts from the wildcard answer and follows the answers.
	ratio            float64
	entries, covered float64
	splitNext        int // after an answer at the cap: the next request takes at most this many buckets
	// blindMax bounds the buckets of a request that AXL expects nothing from, once such a request
	// reached the cap (devices AXL does not know, or no AXL names at all); it doubles again after
	// an answer under half the cap.
	blindMax int
}

// newPrefixPlanner plans a class from its AXL names (nil when AXL could not list them: the plan
// then learns only from answers at the cap). initialRatio is the entries per distinct name seen
// in a wildcard answer, 0 when there was none: the first request then assumes 10 % of devices
// are listed by two nodes, and the answers correct it.
func newPrefixPlanner(axlNames []string, cap int, initialRatio float64) *prefixPlanner {
	if initialRatio <= 0 {
		initialRatio = 1.1
	}
	p := &prefixPlanner{cap: cap, ratio: max(1, initialRatio)}
	type name struct{ upper, orig string }
	list := make([]name, 0, len(axlNames))
	for _, n := range axlNames {
		if n != "" {
			list = append(list, name{strings.ToUpper(n), n})
		}
	}
	slices.SortFunc(list, func(a, b name) int { return strings.Compare(a.upper, b.upper) })
	list = slices.CompactFunc(list, func(a, b name) bool { return a.upper == b.upper })
	runes := map[rune]bool{}
	for _, r := range nameAlphabet {
		runes[r] = true
	}
	for _, n := range list {
		p.names = append(p.names, n.upper)
		p.orig = append(p.orig, n.orig)
		p.mixed = append(p.mixed, n.orig != n.upper)
		for _, r := range n.upper {
			if r != '*' && r != utf8.RuneError {
				runes[r] = true
			}
		}
	}
	for r := range runes {
		p.alphabet = append(p.alphabet, r)
	}
	slices.Sort(p.alphabet)
	p.queue = p.children("")
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
// prefix+c.
func (p *prefixPlanner) children(prefix string) []nameBucket {
	// CUCM trims names (and RisPort trims items): none begins or ends with a space, and an item
	// " *" would read as "*".
	out := make([]nameBucket, 0, len(p.alphabet)+1)
	if prefix != "" && !strings.HasSuffix(prefix, " ") {
		out = append(out, nameBucket{prefix: prefix, exact: true})
	}
	for _, r := range p.alphabet {
		if prefix == "" && r == ' ' {
			continue
		}
		out = append(out, nameBucket{prefix: prefix + string(r)})
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

// more reports whether names remain to be asked for.
func (p *prefixPlanner) more() bool { return len(p.queue) > 0 }

// next plans the next request: buckets in name order while their expected entries fit under the
// cap, lengthening a prefix that does not fit when that fills the request better.
func (p *prefixPlanner) next() prefixRequest {
	var req prefixRequest
	target := float64(p.cap) * (1 - fillMargin)
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
			p.queue = slices.Insert(p.queue[1:], 0, p.children(b.prefix)...)
			continue
		}
		items := 1
		for i := lo; i < hi; i++ {
			if p.mixed[i] {
				items++
			}
		}
		est := float64(n) * p.ratio
		if req.expected+est <= target && len(req.items)+items <= maxItems {
			p.queue = p.queue[1:]
			req.buckets = append(req.buckets, b)
			req.items = append(req.items, b.item())
			for i := lo; i < hi; i++ {
				if p.mixed[i] {
					req.items = append(req.items, p.orig[i])
				}
			}
			req.expected += est
			req.axlNames += n
			continue
		}
		// It does not fit. Lengthen it when the request is empty or has room worth filling;
		// otherwise it opens the next request.
		if canLengthen && n > 0 && (len(req.buckets) == 0 || target-req.expected >= 0.01*target) {
			p.queue = slices.Insert(p.queue[1:], 0, p.children(b.prefix)...)
			continue
		}
		if len(req.buckets) == 0 {
			// One exact name, or a prefix that cannot grow: ask it alone.
			p.queue = p.queue[1:]
			req.buckets = append(req.buckets, b)
			req.items = append(req.items, b.item())
			req.expected += est
			req.axlNames += n
		}
		break
	}
	p.splitNext = 0
	return req
}

// answered learns the entries a request brought.
func (p *prefixPlanner) answered(req prefixRequest, entries int) {
	p.entries += float64(entries)
	p.covered += float64(req.axlNames)
	if req.axlNames == 0 && p.blindMax > 0 && entries < p.cap/2 {
		p.blindMax *= 2
	}
	if p.covered >= 1 && p.entries > 0 {
		p.ratio = p.entries / p.covered
	}
}

// setCap follows the cap the collector learned (a cluster that cuts answers below the
// MaxReturnedDevices asked for).
func (p *prefixPlanner) setCap(c int) {
	if c > 0 {
		p.cap = c
	}
}

// atCap puts back the buckets of a request whose answer reached the cap: asked again in halves,
// or, a single bucket, with its prefix lengthened. A single exact name, or a prefix that cannot
// grow, is an error: it cannot be read under the cap.
func (p *prefixPlanner) atCap(req prefixRequest) error {
	back := slices.Clone(req.buckets)
	if req.axlNames > 0 {
		// At least cap entries for these names: the estimate was low.
		p.ratio = max(p.ratio, float64(p.cap)/float64(req.axlNames))
	} else {
		p.blindMax = max(1, len(back)/2)
	}
	if len(back) == 1 {
		b := back[0]
		if b.exact || utf8.RuneCountInString(b.prefix) >= maxPrefixRunes {
			return fmt.Errorf("RisPort lists %d or more entries for the name %q alone", p.cap, b.item())
		}
		back[0].split = true
	} else {
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
	n := 0
	for _, b := range p.queue {
		lo, hi := p.span(b)
		n += hi - lo
	}
	return int(float64(n)*p.ratio/(float64(p.cap)*(1-fillMargin))) + 1
}
