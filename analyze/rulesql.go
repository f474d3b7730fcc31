package analyze

import (
	"strings"
)

type sqlTokens struct {
	words          []string // bare words, upper-cased order preserved
	params         []string // :name, @name, $name
	extraStatement bool
}

// scanSQL is a small SQLite lexer: it skips string literals, quoted identifiers and comments so
// that parameters and statement ends are found only in code.
func scanSQL(q string) sqlTokens {
	var t sqlTokens
	afterSemi := false
	isIdent := func(c byte) bool {
		return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '\'' || c == '"' || c == '`' || c == '[':
			end := c
			if c == '[' {
				end = ']'
			}
			j := i + 1
			for j < len(q) {
				if q[j] == end {
					if end != ']' && j+1 < len(q) && q[j+1] == end {
						j += 2
						continue
					}
					break
				}
				j++
			}
			if afterSemi {
				t.extraStatement = true
			}
			i = j + 1
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			for i < len(q) && q[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			j := strings.Index(q[i+2:], "*/")
			if j < 0 {
				i = len(q)
			} else {
				i += j + 4
			}
		case c == ';':
			afterSemi = true
			i++
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case (c == ':' || c == '@' || c == '$') && i+1 < len(q) && isIdent(q[i+1]):
			j := i + 1
			for j < len(q) && isIdent(q[j]) {
				j++
			}
			t.params = append(t.params, q[i:j])
			if afterSemi {
				t.extraStatement = true
			}
			i = j
		case isIdent(c):
			j := i
			for j < len(q) && isIdent(q[j]) {
				j++
			}
			t.words = append(t.words, q[i:j])
			if afterSemi {
				t.extraStatement = true
			}
			i = j
		default:
			if afterSemi {
				t.extraStatement = true
			}
			i++
		}
	}
	return t
}
