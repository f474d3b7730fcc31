package dialplan

import (
	"fmt"
	"math/big"
	"math/bits"
	"slices"
	"strings"
)

// The dialable alphabet: 0-9, *, #, + and the DTMF letters A-D. A symbol set is a bit mask over
// these 17 symbols.
const alphabet = "0123456789*#+ABCD"

type symset uint32

const (
	digitSet symset = 1<<10 - 1
	allSyms  symset = 1<<len(alphabet) - 1
)

func symIndex(c byte) int { return strings.IndexByte(alphabet, c) }

func (s symset) size() int { return bits.OnesCount32(uint32(s)) }

// quant is how often a sequence element repeats: exactly once, or zero or more times. The
// pattern language's "one or more" (+ and !) is flattened into one followed by zero-or-more.
type quant uint8

const (
	qOne quant = iota
	qStar
)

// selem is one element of a flat matching sequence: a symbol set, its repetition, and the
// numbering-plan tag of the digits it consumes (0 outside an @ expansion).
type selem struct {
	set symset
	q   quant
	tag Tag
}

// seq is one flat alternative of a compiled pattern. dot and at are element indexes: the
// characters consumed by elements before dot are the PreDot digits, those before at the PreAt
// digits; -1 when the pattern has no such marker.
type seq struct {
	els []selem
	dot int
	at  int
	tag []Tag // tags present in this alternative, for route filters
}

// maxSeq bounds a flat sequence so that a set of NFA positions fits in a [2]uint64.
const maxSeq = 127

// elemKind is how a parsed pattern element was written, kept so that String can render it.
type elemKind uint8

const (
	kLit  elemKind = iota // one literal symbol (\+ for a literal plus)
	kAny                  // X
	kSet                  // [..] or [^..]
	kBang                 // !
	kDot                  // .
	kAt                   // @
)

// Elem is one element of a parsed pattern, in the order written.
type Elem struct {
	kind   elemKind
	set    symset // symbols matched (after negation)
	listed symset // symbols written inside the brackets (kSet)
	neg    bool   // [^..]
	q      byte   // 0, '?' or '+'
}

// Parsed is a pattern in CUCM's pattern language, parsed but not yet expanded for @.
type Parsed struct {
	Elems []Elem
	hasAt bool
	dot   bool
}

// ParseError reports where a pattern is malformed.
type ParseError struct {
	Pattern string
	Pos     int
	Msg     string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("parsing pattern %q at offset %d: %s", e.Pattern, e.Pos, e.Msg)
}

// maxPatternLen is longer than any CUCM pattern field (50 characters) with room to spare.
const maxPatternLen = 64

// Parse reads a pattern as CUCM stores it in numplan.dnorpattern: a literal plus is written
// \+ and an unescaped + repeats the element before it (CUCM-API.md A.2, J.2).
func Parse(text string) (*Parsed, error) {
	fail := func(pos int, format string, args ...any) (*Parsed, error) {
		return nil, &ParseError{Pattern: text, Pos: pos, Msg: fmt.Sprintf(format, args...)}
	}
	if len(text) > maxPatternLen {
		return fail(maxPatternLen, "longer than %d characters", maxPatternLen)
	}
	p := &Parsed{}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c >= '0' && c <= '9', c == '*', c == '#', c >= 'A' && c <= 'D':
			p.Elems = append(p.Elems, Elem{kind: kLit, set: 1 << symIndex(c)})
		case c == 'X' || c == 'x':
			p.Elems = append(p.Elems, Elem{kind: kAny, set: digitSet})
		case c == '!':
			p.Elems = append(p.Elems, Elem{kind: kBang, set: digitSet})
		case c == '\\':
			if i+1 >= len(text) || text[i+1] != '+' {
				return fail(i, `backslash must be followed by + (\+ is a literal plus)`)
			}
			i++
			p.Elems = append(p.Elems, Elem{kind: kLit, set: 1 << symIndex('+')})
		case c == '.':
			if p.dot {
				return fail(i, "more than one '.'")
			}
			p.dot = true
			p.Elems = append(p.Elems, Elem{kind: kDot})
		case c == '@':
			if p.hasAt {
				return fail(i, "more than one '@'")
			}
			p.hasAt = true
			p.Elems = append(p.Elems, Elem{kind: kAt})
		case c == '?' || c == '+':
			n := len(p.Elems)
			if n == 0 {
				return fail(i, "%q has no element before it to repeat", c)
			}
			prev := &p.Elems[n-1]
			if prev.kind == kDot || prev.kind == kAt || prev.kind == kBang || prev.q != 0 {
				return fail(i, "%q must follow a digit, X or [..] that is not already repeated", c)
			}
			prev.q = c
		case c == '[':
			end := strings.IndexByte(text[i:], ']')
			if end < 0 {
				return fail(i, "'[' without ']'")
			}
			e, err := parseSet(text, i, text[i+1:i+end])
			if err != nil {
				return nil, err
			}
			p.Elems = append(p.Elems, e)
			i += end
		default:
			return fail(i, "%q is not part of CUCM's pattern language", c)
		}
	}
	return p, nil
}

func parseSet(text string, at int, body string) (Elem, error) {
	e := Elem{kind: kSet}
	fail := func(off int, msg string) (Elem, error) {
		return Elem{}, &ParseError{Pattern: text, Pos: at + 1 + off, Msg: msg}
	}
	if strings.HasPrefix(body, "^") {
		e.neg = true
		body = body[1:]
	}
	off := 0
	if e.neg {
		off = 1
	}
	for j := 0; j < len(body); j++ {
		c := body[j]
		switch {
		case c >= '0' && c <= '9':
			if j+2 < len(body) && body[j+1] == '-' {
				hi := body[j+2]
				if hi < c || hi > '9' {
					return fail(off+j, "bad range in [..]")
				}
				for d := c; d <= hi; d++ {
					e.listed |= 1 << symIndex(d)
				}
				j += 2
				continue
			}
			e.listed |= 1 << symIndex(c)
		case c >= 'A' && c <= 'D', c == '*', c == '#':
			e.listed |= 1 << symIndex(c)
		case c == '^':
			return fail(off+j, "'^' must come first inside [..]")
		default:
			return fail(off+j, fmt.Sprintf("%q is not allowed inside [..]", c))
		}
	}
	e.set = e.listed
	if e.neg {
		// [inf] The complement is taken within the digits 0-9: CUCM documents [^..] as excluding
		// digits from a digit range (SCG1151) and says nothing of * # or A-D.
		e.set = digitSet &^ e.listed
	}
	if e.set == 0 {
		return fail(0, "[..] matches nothing")
	}
	return e, nil
}

// String renders the pattern canonically, escaping a literal plus as CUCM stores it.
func (p *Parsed) String() string {
	var b strings.Builder
	for _, e := range p.Elems {
		switch e.kind {
		case kLit:
			c := alphabet[bits.TrailingZeros32(uint32(e.set))]
			if c == '+' {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		case kAny:
			b.WriteByte('X')
		case kBang:
			b.WriteByte('!')
		case kDot:
			b.WriteByte('.')
		case kAt:
			b.WriteByte('@')
		case kSet:
			b.WriteByte('[')
			if e.neg {
				b.WriteByte('^')
			}
			writeSet(&b, e.listed)
			b.WriteByte(']')
		}
		if e.q != 0 {
			b.WriteByte(e.q)
		}
	}
	return b.String()
}

// writeSet writes digits as ranges where three or more are consecutive, then the other symbols.
func writeSet(b *strings.Builder, s symset) {
	for d := 0; d < 10; {
		if s&(1<<d) == 0 {
			d++
			continue
		}
		e := d
		for e+1 < 10 && s&(1<<(e+1)) != 0 {
			e++
		}
		switch {
		case e-d >= 2:
			fmt.Fprintf(b, "%d-%d", d, e)
		case e == d+1:
			fmt.Fprintf(b, "%d%d", d, e)
		default:
			fmt.Fprintf(b, "%d", d)
		}
		d = e + 1
	}
	for i := 10; i < len(alphabet); i++ {
		if s&(1<<i) != 0 && alphabet[i] != '+' {
			b.WriteByte(alphabet[i])
		}
	}
}

// HasAt reports whether the pattern uses the @ numbering-plan wildcard.
func (p *Parsed) HasAt() bool { return p.hasAt }

// flatten turns the parsed elements into one sequence, with at marking where the numbering-plan
// alternative is to be spliced in (the caller does the splicing).
func (p *Parsed) flatten() (pre, post []selem, dot, dotAfterAt int) {
	dot, dotAfterAt = -1, -1
	cur := &pre
	for _, e := range p.Elems {
		switch e.kind {
		case kDot:
			if cur == &pre {
				dot = len(pre)
			} else {
				dotAfterAt = len(post)
			}
			continue
		case kAt:
			cur = &post
			continue
		}
		switch {
		case e.kind == kBang || e.q == '+':
			*cur = append(*cur, selem{set: e.set}, selem{set: e.set, q: qStar})
		case e.q == '?':
			*cur = append(*cur, selem{set: e.set, q: qStar})
		default:
			*cur = append(*cur, selem{set: e.set})
		}
	}
	return pre, post, dot, dotAfterAt
}

// literalPrefix is the run of fixed single symbols the pattern starts with (dots skipped); the
// index files patterns under it.
func (p *Parsed) literalPrefix() string {
	var b strings.Builder
	for _, e := range p.Elems {
		if e.kind == kDot {
			continue
		}
		if e.kind != kLit || e.q != 0 {
			break
		}
		b.WriteByte(alphabet[bits.TrailingZeros32(uint32(e.set))])
	}
	return b.String()
}

// posSet is a set of NFA positions 0..maxSeq.
type posSet [2]uint64

func (s *posSet) add(i int)     { s[i>>6] |= 1 << (i & 63) }
func (s posSet) has(i int) bool { return s[i>>6]&(1<<(i&63)) != 0 }
func (s posSet) empty() bool    { return s[0]|s[1] == 0 }
func (s posSet) each(f func(i int)) {
	for w := range 2 {
		x := s[w]
		for x != 0 {
			t := bits.TrailingZeros64(x)
			f(w<<6 | t)
			x &= x - 1
		}
	}
}

func (q *seq) closure(s posSet) posSet {
	for i := range q.els {
		if s.has(i) && q.els[i].q == qStar {
			s.add(i + 1)
		}
	}
	return s
}

func (q *seq) start() posSet {
	var s posSet
	s.add(0)
	return q.closure(s)
}

func (q *seq) step(s posSet, sym int) posSet {
	var n posSet
	s.each(func(i int) {
		if i >= len(q.els) || q.els[i].set&(1<<sym) == 0 {
			return
		}
		if q.els[i].q == qOne {
			n.add(i + 1)
		} else {
			n.add(i)
		}
	})
	return q.closure(n)
}

// live reports whether a set of positions can still consume another symbol.
func (q *seq) live(s posSet) bool {
	live := false
	s.each(func(i int) {
		if i < len(q.els) {
			live = true
		}
	})
	return live
}

// run matches the dialed symbols and returns bit k of accept set when the first k symbols are a
// full match, and bit k of alive set when after k symbols more symbols could still match.
func (q *seq) run(dialed []int) (accept, alive uint64) {
	s := q.start()
	for k := 0; ; k++ {
		if s.has(len(q.els)) {
			accept |= 1 << k
		}
		if q.live(s) {
			alive |= 1 << k
		}
		if k == len(dialed) {
			return
		}
		s = q.step(s, dialed[k])
		if s.empty() {
			return
		}
	}
}

// fixedLen returns the length of a sequence without repetition, or -1.
func (q *seq) fixedLen() int {
	for _, e := range q.els {
		if e.q != qOne {
			return -1
		}
	}
	return len(q.els)
}

// count returns how many strings of exactly n symbols the sequence matches: CUCM's measure of
// how specific a pattern is (CUCM-API.md J.1). The count is exact (a subset construction over
// symbol classes), so patterns such as 9011! at length 20 do not overflow.
func (q *seq) count(n int) *big.Int {
	if fl := q.fixedLen(); fl >= 0 {
		if fl != n {
			return new(big.Int)
		}
		r := big.NewInt(1)
		for _, e := range q.els {
			r.Mul(r, big.NewInt(int64(e.set.size())))
		}
		return r
	}
	// Symbols behave identically when every element's set treats them the same.
	type class struct {
		sym  int
		size int64
	}
	var classes []class
next:
	for i := range len(alphabet) {
		for k := range classes {
			if q.sameClass(classes[k].sym, i) {
				classes[k].size++
				continue next
			}
		}
		classes = append(classes, class{sym: i, size: 1})
	}
	cur := map[posSet]*big.Int{q.start(): big.NewInt(1)}
	for range n {
		next := map[posSet]*big.Int{}
		for s, c := range cur {
			for _, cl := range classes {
				t := q.step(s, cl.sym)
				if t.empty() {
					continue
				}
				add := new(big.Int).Mul(c, big.NewInt(cl.size))
				if v, ok := next[t]; ok {
					v.Add(v, add)
				} else {
					next[t] = add
				}
			}
		}
		cur = next
	}
	total := new(big.Int)
	for s, c := range cur {
		if s.has(len(q.els)) {
			total.Add(total, c)
		}
	}
	return total
}

func (q *seq) sameClass(a, b int) bool {
	for _, e := range q.els {
		if (e.set&(1<<a) != 0) != (e.set&(1<<b) != 0) {
			return false
		}
	}
	return true
}

// assign maps each dialed symbol to the element that consumed it, preferring to stay in a
// repeated element (greedy), so that discard instructions see one deterministic parse.
func (q *seq) assign(dialed []int) []int {
	n, m := len(dialed), len(q.els)
	memo := make([]int8, (m+1)*(n+1)) // 0 unknown, 1 yes, 2 no
	var can func(i, j int) bool
	can = func(i, j int) bool {
		if i == m {
			return j == n
		}
		k := i*(n+1) + j
		if memo[k] != 0 {
			return memo[k] == 1
		}
		e := q.els[i]
		ok := false
		if j < n && e.set&(1<<dialed[j]) != 0 {
			if e.q == qOne {
				ok = can(i+1, j+1)
			} else {
				ok = can(i, j+1)
			}
		}
		if !ok && e.q == qStar {
			ok = can(i+1, j)
		}
		memo[k] = 2
		if ok {
			memo[k] = 1
		}
		return ok
	}
	if !can(0, 0) {
		return nil
	}
	out := make([]int, n)
	i, j := 0, 0
	for j < n {
		e := q.els[i]
		if e.set&(1<<dialed[j]) != 0 {
			if e.q == qOne && can(i+1, j+1) {
				out[j] = i
				i, j = i+1, j+1
				continue
			}
			if e.q == qStar && can(i, j+1) {
				out[j] = i
				j++
				continue
			}
		}
		i++ // a star element matching nothing more
	}
	return out
}

// symbols converts a dialed string to alphabet indexes; ok is false on a character that cannot
// be dialed.
func symbols(s string) ([]int, bool) {
	out := make([]int, len(s))
	for i := range len(s) {
		k := symIndex(s[i])
		if k < 0 {
			return nil, false
		}
		out[i] = k
	}
	return out, true
}

// Match reports whether the pattern matches the whole dialed string, as a digit analysis of
// exactly these digits would (dots only mark where discarding stops; @ matches any of the
// numbering plan's alternatives). Rules use it to classify numbers (international, premium).
func (p *Parsed) Match(dialed string) bool {
	syms, ok := symbols(dialed)
	if !ok || len(syms) > maxDialed {
		return false
	}
	pre, post, _, _ := p.flatten()
	alts := []seq{{els: pre, at: -1}}
	if p.hasAt {
		alts = alts[:0]
		for _, alt := range nanpSeqs {
			alts = append(alts, seq{els: slices.Concat(pre, alt, post), at: len(pre)})
		}
	}
	for _, s := range alts {
		if len(s.els) > maxSeq {
			continue
		}
		if accept, _ := s.run(syms); accept&(1<<len(syms)) != 0 {
			return true
		}
	}
	return false
}
