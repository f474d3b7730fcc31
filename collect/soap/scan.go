package soap

import (
	"bytes"
	"unicode/utf8"
)

// Scanner reads one answer held in memory without encoding/xml, for the answers read in bulk
// (AXL executeSQLQuery rows, RisPort70 CmDevice items: see FastFunc). It knows the XML those
// answers use (elements with namespace prefixes, attributes, character data with the predefined
// and numeric character references, CDATA sections, comments, one XML declaration) and checks
// every token it passes as encoding/xml would, under the same bounds (depth, token count, token
// size). Anything else — a processing instruction, a DOCTYPE, a name outside ASCII, malformed
// or doubtful XML, a bound approached — stops it: the method returns false and the answer is
// decoded again by encoding/xml, which accepts or rejects it as it always did. A Scanner never
// accepts what encoding/xml would reject, and reads what it accepts to the same values.
type Scanner struct {
	b   []byte
	pos int

	maxDepth, maxTokens, maxTokenBytes int
	tokens                             int

	// open elements, innermost last: raw qualified names as offsets into b
	stack []span
	// namespace declarations in scope, innermost last
	ns []nsDecl

	// the element just started (valid after Child returns true)
	name, local span
	prefix      span
	empty       bool // self-closing: its end comes without bytes

	scratch []byte
}

type span struct{ a, b int }

type nsDecl struct {
	depth  int
	prefix string
	uri    string
}

func newScanner(b []byte, maxDepth, maxTokens int, maxTokenBytes int64) *Scanner {
	mtb := int(min(maxTokenBytes, int64(len(b))+2))
	return &Scanner{b: b, maxDepth: maxDepth, maxTokens: maxTokens, maxTokenBytes: mtb,
		stack: make([]span, 0, 16), ns: make([]nsDecl, 0, 8)}
}

// Local is the local name of the element just started (Child). The bytes are the answer's:
// copy them to keep them.
func (s *Scanner) Local() []byte { return s.b[s.local.a:s.local.b] }

// Space is the namespace of the element just started, resolved as encoding/xml resolves it;
// false when its prefix is bound nowhere (encoding/xml would report the prefix itself).
func (s *Scanner) Space() (string, bool) {
	p := s.b[s.prefix.a:s.prefix.b]
	if string(p) == "xml" || string(p) == "xmlns" {
		return "", false
	}
	for i := len(s.ns) - 1; i >= 0; i-- {
		if s.ns[i].prefix == string(p) {
			return s.ns[i].uri, true
		}
	}
	return "", len(p) == 0
}

// token counts one token of n bytes against the bounds.
func (s *Scanner) token(n int) bool {
	s.tokens++
	// encoding/xml may read one byte past a token (the '<' after character data).
	return s.tokens <= s.maxTokens && n+1 < s.maxTokenBytes
}

// kinds of what next finds
const (
	kBad = iota
	kStart
	kEnd
	kText
	kCDATA
	kComment
)

// next reads one token. For kText and kCDATA, t is the raw text; for kStart the element is
// in name/local/prefix/empty and pushed; for kEnd the element is popped.
func (s *Scanner) next() (kind int, t span) {
	if s.empty {
		// the end half of <x/>
		s.empty = false
		if !s.token(0) {
			return kBad, t
		}
		s.pop()
		return kEnd, t
	}
	b, i := s.b, s.pos
	if i >= len(b) {
		return kBad, t
	}
	if b[i] != '<' {
		j := bytes.IndexByte(b[i:], '<')
		if j < 0 {
			return kBad, t // text at the end of the answer: never inside a complete payload
		}
		s.pos = i + j
		if !s.token(j) {
			return kBad, t
		}
		return kText, span{i, i + j}
	}
	if i+1 >= len(b) {
		return kBad, t
	}
	switch b[i+1] {
	case '/':
		return s.endTag(i)
	case '!':
		if bytes.HasPrefix(b[i:], []byte("<!--")) {
			j := bytes.Index(b[i+4:], []byte("--"))
			if j < 0 {
				return kBad, t
			}
			end := i + 4 + j
			if end+2 >= len(b) || b[end+2] != '>' {
				return kBad, t // "--" inside a comment
			}
			s.pos = end + 3
			if !s.token(s.pos - i) {
				return kBad, t
			}
			return kComment, t
		}
		if bytes.HasPrefix(b[i:], []byte("<![CDATA[")) {
			j := bytes.Index(b[i+9:], []byte("]]>"))
			if j < 0 {
				return kBad, t
			}
			s.pos = i + 9 + j + 3
			if !s.token(s.pos - i) {
				return kBad, t
			}
			return kCDATA, span{i + 9, i + 9 + j}
		}
		return kBad, t // a directive
	case '?':
		return kBad, t
	}
	return s.startTag(i)
}

func (s *Scanner) endTag(i int) (int, span) {
	b := s.b
	n, ok := s.readName(i + 2)
	if !ok || len(s.stack) == 0 {
		return kBad, span{}
	}
	top := s.stack[len(s.stack)-1]
	if !bytes.Equal(b[i+2:n], b[top.a:top.b]) {
		return kBad, span{}
	}
	j := skipSpace(b, n)
	if j >= len(b) || b[j] != '>' {
		return kBad, span{}
	}
	s.pos = j + 1
	if !s.token(s.pos - i) {
		return kBad, span{}
	}
	s.pop()
	return kEnd, span{}
}

func (s *Scanner) startTag(i int) (int, span) {
	b := s.b
	n, ok := s.readName(i + 1)
	if !ok {
		return kBad, span{}
	}
	name := span{i + 1, n}
	prefix, local, ok := splitName(b, name)
	if !ok {
		return kBad, span{}
	}
	depth := len(s.stack) + 1
	if depth > s.maxDepth {
		return kBad, span{}
	}
	j := n
	for {
		k := skipSpace(b, j)
		if k >= len(b) {
			return kBad, span{}
		}
		if b[k] == '>' {
			j = k + 1
			break
		}
		if b[k] == '/' {
			if k+1 >= len(b) || b[k+1] != '>' {
				return kBad, span{}
			}
			s.empty = true
			j = k + 2
			break
		}
		// an attribute: name = "value"
		an, ok := s.readName(k)
		if !ok {
			return kBad, span{}
		}
		ap, al, ok := splitName(b, span{k, an})
		if !ok {
			return kBad, span{}
		}
		e := skipSpace(b, an)
		if e >= len(b) || b[e] != '=' {
			return kBad, span{}
		}
		q := skipSpace(b, e+1)
		if q >= len(b) || b[q] != '"' && b[q] != '\'' {
			return kBad, span{}
		}
		end := bytes.IndexByte(b[q+1:], b[q])
		if end < 0 {
			return kBad, span{}
		}
		v := span{q + 1, q + 1 + end}
		val, ok := s.attrValue(v)
		if !ok {
			return kBad, span{}
		}
		switch {
		case string(b[ap.a:ap.b]) == "xmlns":
			s.ns = append(s.ns, nsDecl{depth: depth, prefix: string(b[al.a:al.b]), uri: string(val)})
		case ap.a == ap.b && string(b[al.a:al.b]) == "xmlns":
			s.ns = append(s.ns, nsDecl{depth: depth, prefix: "", uri: string(val)})
		}
		j = v.b + 1
	}
	s.pos = j
	if !s.token(j - i) {
		return kBad, span{}
	}
	s.stack = append(s.stack, name)
	s.name, s.prefix, s.local = name, prefix, local
	return kStart, span{}
}

func (s *Scanner) pop() {
	depth := len(s.stack)
	s.stack = s.stack[:depth-1]
	for len(s.ns) > 0 && s.ns[len(s.ns)-1].depth >= depth {
		s.ns = s.ns[:len(s.ns)-1]
	}
}

// readName reads an XML name at i (ASCII only: anything else is left to encoding/xml) and
// returns where it ends.
func (s *Scanner) readName(i int) (int, bool) {
	b := s.b
	if i >= len(b) || nameByte[b[i]] != nameFirst {
		return i, false
	}
	j := i + 1
	for j < len(b) && nameByte[b[j]] != 0 {
		j++
	}
	if j < len(b) && b[j] >= utf8.RuneSelf {
		return i, false
	}
	return j, true
}

// splitName splits a qualified name as encoding/xml does; a name it would not split cleanly
// (more than one colon, a colon first or last) is refused.
func splitName(b []byte, n span) (prefix, local span, ok bool) {
	c := bytes.IndexByte(b[n.a:n.b], ':')
	if c < 0 {
		return span{n.a, n.a}, n, true
	}
	c += n.a
	if c == n.a || c == n.b-1 || bytes.IndexByte(b[c+1:n.b], ':') >= 0 {
		return span{}, span{}, false
	}
	return span{n.a, c}, span{c + 1, n.b}, true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}

const (
	nameFirst = 1 // may start a name: letters, '_', ':'
	nameRest  = 2 // digits, '.', '-'
)

// nameByte classifies ASCII bytes in names.
var nameByte = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = nameFirst, nameFirst
	}
	t['_'], t[':'] = nameFirst, nameFirst
	for c := '0'; c <= '9'; c++ {
		t[c] = nameRest
	}
	t['.'], t['-'] = nameRest, nameRest
	return t
}()

// plainByte marks the bytes character data may hold as they are: printable ASCII but '&' and
// ']', tab and newline. Everything else takes the careful path.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = true
	}
	t['&'], t[']'], t['\t'], t['\n'] = false, false, true, true
	return t
}()

// attrValue decodes an attribute value (the bytes between its quotes).
func (s *Scanner) attrValue(v span) ([]byte, bool) {
	raw := s.b[v.a:v.b]
	if bytes.IndexByte(raw, '<') >= 0 {
		return nil, false
	}
	return s.decode(s.scratch[:0], raw, false, true)
}

// decode appends the character data raw to dst as encoding/xml reads it: references replaced,
// line ends normalised, every character checked. cdata: raw is a CDATA section's content.
// attr: raw is an attribute value ("]]>" allowed).
func (s *Scanner) decode(dst, raw []byte, cdata, attr bool) ([]byte, bool) {
	i := 0
	for i < len(raw) && plainByte[raw[i]] {
		i++
	}
	if i == len(raw) {
		return append(dst, raw...), true
	}
	start := len(dst)
	dst = append(dst, raw[:i]...)
	check := false // a character outside printable ASCII was written
	var b0, b1 byte
	if i > 0 {
		b1 = raw[i-1]
		if i > 1 {
			b0 = raw[i-2]
		}
	}
	for i < len(raw) {
		c := raw[i]
		if !cdata && !attr && b0 == ']' && b1 == ']' && c == '>' {
			return nil, false
		}
		if c == '&' && !cdata {
			r, n, ok := reference(raw[i:])
			if !ok {
				return nil, false
			}
			if r < 0x20 || r >= utf8.RuneSelf {
				check = true
			}
			dst = utf8.AppendRune(dst, r)
			i += n
			b0, b1 = 0, 0
			continue
		}
		switch {
		case c == '\r':
			dst = append(dst, '\n')
		case c == '\n' && b1 == '\r':
		default:
			if !plainByte[c] && c != ']' && c != '&' {
				check = true
			}
			dst = append(dst, c)
		}
		b0, b1 = b1, c
		i++
	}
	if check && !validChars(dst[start:]) {
		return nil, false
	}
	return dst, true
}

// reference reads a character reference (raw starts with '&'): the five predefined entities
// and decimal or hexadecimal (lower-case x, as encoding/xml) numeric references.
func reference(raw []byte) (rune, int, bool) {
	semi := bytes.IndexByte(raw, ';')
	if semi < 2 || semi > 12 {
		return 0, 0, false
	}
	name := raw[1:semi]
	switch string(name) {
	case "lt":
		return '<', semi + 1, true
	case "gt":
		return '>', semi + 1, true
	case "amp":
		return '&', semi + 1, true
	case "apos":
		return '\'', semi + 1, true
	case "quot":
		return '"', semi + 1, true
	}
	if name[0] != '#' || len(name) < 2 {
		return 0, 0, false
	}
	digits, base := name[1:], rune(10)
	if digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	if len(digits) == 0 || len(digits) > 8 {
		return 0, 0, false
	}
	var n rune
	for _, d := range digits {
		var v rune
		switch {
		case '0' <= d && d <= '9':
			v = rune(d - '0')
		case base == 16 && 'a' <= d && d <= 'f':
			v = rune(d-'a') + 10
		case base == 16 && 'A' <= d && d <= 'F':
			v = rune(d-'A') + 10
		default:
			return 0, 0, false
		}
		n = n*base + v
	}
	if n > utf8.MaxRune {
		return 0, 0, false
	}
	if 0xD800 <= n && n <= 0xDFFF {
		n = utf8.RuneError // string(rune(n)) in encoding/xml
	}
	return n, semi + 1, true
}

// validChars reports whether b is valid UTF-8 made of XML characters.
func validChars(b []byte) bool {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			return false
		}
		b = b[size:]
		if !(r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
			r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
			return false
		}
	}
	return true
}

// text checks (and, when keep, appends to dst) one character data token.
func (s *Scanner) text(dst []byte, kind int, t span) ([]byte, bool) {
	return s.decode(dst, s.b[t.a:t.b], kind == kCDATA, false)
}

// Child moves to the next child element of the current element: true with the child just
// started (Local, Space), or false at the current element's end, which is consumed. Character
// data and comments between children are checked and passed over, as the encoding/xml
// decoders do. ok is false when the answer is not one the Scanner reads.
func (s *Scanner) Child() (more, ok bool) {
	for {
		kind, t := s.next()
		switch kind {
		case kStart:
			return true, true
		case kEnd:
			return false, true
		case kText, kCDATA:
			var ok bool
			if s.scratch, ok = s.text(s.scratch[:0], kind, t); !ok {
				return false, false
			}
		case kComment:
		default:
			return false, false
		}
	}
}

// Skip passes over the element just started, to its end.
func (s *Scanner) Skip() bool {
	depth := 1
	for depth > 0 {
		more, ok := s.Child()
		if !ok {
			return false
		}
		if more {
			depth++
		} else {
			depth--
		}
	}
	return true
}

// Text appends to dst the character data of the element just started and consumes its end;
// the text of nested elements is left out, as soap.Text leaves it.
func (s *Scanner) Text(dst []byte) ([]byte, bool) {
	for {
		kind, t := s.next()
		switch kind {
		case kText, kCDATA:
			var ok bool
			if dst, ok = s.text(dst, kind, t); !ok {
				return nil, false
			}
		case kStart:
			if !s.Skip() {
				return nil, false
			}
		case kEnd:
			return dst, true
		case kComment:
		default:
			return nil, false
		}
	}
}

// prolog reads what may come before the root element (white space, one XML declaration
// naming version 1.0 and UTF-8, comments) and starts the root element.
func (s *Scanner) prolog() bool {
	b := s.b
	if bytes.HasPrefix(b, []byte("<?xml")) {
		end := bytes.Index(b, []byte("?>"))
		if end < 0 || !xmlDecl(b[5:end]) {
			return false
		}
		s.pos = end + 2
		if !s.token(s.pos) {
			return false
		}
	}
	more, ok := s.Child()
	return ok && more
}

// xmlDecl accepts the pseudo-attributes of an XML declaration encoding/xml reads as UTF-8
// version 1.0: version, encoding and standalone, each once at most, separated by white space.
func xmlDecl(b []byte) bool {
	seen := map[string]bool{}
	i := 0
	for {
		j := skipSpace(b, i)
		if j == len(b) {
			return true
		}
		if j == i {
			return false // no white space before a pseudo-attribute
		}
		k := j
		for k < len(b) && 'a' <= b[k] && b[k] <= 'z' {
			k++
		}
		name := string(b[j:k])
		if seen[name] || k+1 >= len(b) || b[k] != '=' || b[k+1] != '"' && b[k+1] != '\'' {
			return false
		}
		seen[name] = true
		end := bytes.IndexByte(b[k+2:], b[k+1])
		if end < 0 {
			return false
		}
		v := string(b[k+2 : k+2+end])
		switch {
		case name == "version" && v == "1.0":
		case name == "encoding" && (v == "utf-8" || v == "UTF-8"):
		case name == "standalone" && (v == "yes" || v == "no"):
		default:
			return false
		}
		i = k + 2 + end + 1
	}
}
