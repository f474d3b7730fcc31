package render

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// cleanText makes a value from the cluster safe to lay out: invalid UTF-8 becomes U+FFFD,
// CR LF and CR become LF, a tab becomes a space, other control characters (C0, C1) and the
// bidirectional overrides and isolates (which can make text display in an order that hides what
// it says) are removed. Newlines are kept; each format decides what a newline becomes.
func cleanText(s string) string {
	clean := true
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || (r != '\n' && unicode.IsControl(r)) || isBidiControl(r) {
			clean = false
			break
		}
		i += n
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				continue
			}
			b.WriteByte('\n')
		case r == '\t':
			b.WriteByte(' ')
		case r == '\n':
			b.WriteByte('\n')
		case unicode.IsControl(r), isBidiControl(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isBidiControl reports the explicit bidirectional formatting characters (LRE, RLE, PDF, LRO,
// RLO, LRI, RLI, FSI, PDI). Right-to-left letters themselves are kept.
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// oneLine is cleanText with every run of newlines and spaces folded into one space, trimmed.
func oneLine(s string) string {
	return strings.Join(strings.Fields(cleanText(s)), " ")
}

// truncate keeps at most max runes of s, ending with an ellipsis when it cut.
func truncate(s string, max int) string {
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max-1 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// humanize turns an evidence column name such as "status_reason" into "Status reason".
func humanize(name string) string {
	if h := humanHeader(strings.TrimSpace(name)); h != "" {
		r, n := utf8.DecodeRuneInString(h)
		return string(unicode.ToUpper(r)) + h[n:]
	}
	return name
}

// paramList renders rule parameters as "a=1, b=2", sorted by name.
func paramList(p map[string]string) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + p[k]
	}
	return strings.Join(parts, ", ")
}
