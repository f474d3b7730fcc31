package cucmsim

import (
	"fmt"
	"slices"
	"strings"
)

// This file is the one place that decides which SQL the simulated CUCM accepts: it checks a
// query against CUCM's Informix dialect and translates what Informix accepts into SQLite. A
// query that only SQLite understands is refused with the fault Informix would give, so a query
// that only works on the simulator fails our tests, not a customer's audit. doc.go lists the
// rules.

// sqlError is an Informix error: axlcode and message of the AXL fault.
type sqlError struct {
	code int
	msg  string
}

func (e *sqlError) Error() string { return fmt.Sprintf("%d: %s", e.code, e.msg) }

var (
	errInformixSyntax = &sqlError{-201, "A syntax error has occurred."}
	errNotSelect      = &sqlError{-1, "Only SELECT statements are allowed in executeSQLQuery; the account is read-only"}
)

func errRoutine(name string) *sqlError {
	return &sqlError{-674, fmt.Sprintf("Routine (%s) can not be resolved.", strings.ToLower(name))}
}

// sqliteOnlyFunctions are SQLite (or other databases') functions Informix does not have.
var sqliteOnlyFunctions = []string{"ifnull", "group_concat", "string_agg", "printf", "format", "instr", "iif", "total",
	"julianday", "strftime", "datetime", "time", "unixepoch", "char", "hex", "unhex", "random", "randomblob", "glob", "like",
	"typeof", "quote", "zeroblob", "likelihood", "likely", "unlikely", "unicode", "soundex", "sqlite_version",
	"sqlite_source_id", "changes", "last_insert_rowid", "total_changes", "json", "json_extract", "json_object",
	"json_array", "json_group_array", "json_group_object", "octet_length", "row_number", "rank", "dense_rank", "ntile",
	"lag", "lead", "first_value", "last_value", "nth_value", "percent_rank", "cume_dist"}

// sqliteOnlyWords are operators and keywords Informix refuses (syntax error).
var sqliteOnlyWords = []string{"glob", "regexp", "isnull", "notnull", "offset", "over", "window", "recursive", "returning",
	"pragma", "collate", "indexed", "ilike"}

type sqlTok struct {
	ws   string // whitespace (and comments) before the token
	text string
	kind byte // w word, n number, s string, o operator or punctuation
}

func (t sqlTok) is(word string) bool { return t.kind == 'w' && strings.EqualFold(t.text, word) }

// lexSQL splits an Informix statement into tokens. Comments (--, /* */ and Informix's { })
// become whitespace; "double-quoted" text is a string literal, as on CUCM (no DELIMIDENT).
func lexSQL(q string) ([]sqlTok, error) {
	var toks []sqlTok
	var ws strings.Builder
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			ws.WriteByte(c)
			i++
			continue
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			for i < len(q) && q[i] != '\n' {
				i++
			}
			ws.WriteByte(' ')
			continue
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			end := strings.Index(q[i+2:], "*/")
			if end < 0 {
				return nil, errInformixSyntax
			}
			i += end + 4
			ws.WriteByte(' ')
			continue
		case c == '{':
			end := strings.IndexByte(q[i:], '}')
			if end < 0 {
				return nil, errInformixSyntax
			}
			i += end + 1
			ws.WriteByte(' ')
			continue
		}
		t := sqlTok{ws: ws.String()}
		ws.Reset()
		switch {
		case c == '\'' || c == '"':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(q) {
					return nil, errInformixSyntax
				}
				if q[j] == c {
					if j+1 < len(q) && q[j+1] == c {
						b.WriteByte(c)
						j += 2
						continue
					}
					break
				}
				b.WriteByte(q[j])
				j++
			}
			t.kind, t.text = 's', "'"+strings.ReplaceAll(b.String(), "'", "''")+"'"
			i = j + 1
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(q) && (q[j] == '_' || q[j] == '$' || q[j] >= 'a' && q[j] <= 'z' || q[j] >= 'A' && q[j] <= 'Z' || q[j] >= '0' && q[j] <= '9') {
				j++
			}
			t.kind, t.text = 'w', q[i:j]
			i = j
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9':
			j := i
			for j < len(q) && (q[j] >= '0' && q[j] <= '9' || q[j] == '.') {
				j++
			}
			t.kind, t.text = 'n', q[i:j]
			i = j
		case c == '`':
			return nil, errInformixSyntax // no backtick identifiers in Informix
		default:
			t.kind, t.text = 'o', string(c)
			if i+1 < len(q) {
				if two := q[i : i+2]; slices.Contains([]string{"<>", "!=", "<=", ">=", "||", "==", "::"}, two) {
					t.text = two
				}
			}
			i += len(t.text)
		}
		toks = append(toks, t)
	}
	return toks, nil
}

// translateSQL checks one executeSQLQuery statement against Informix's dialect and returns
// the SQLite statement that answers it, or the Informix error.
func translateSQL(q string) (string, error) {
	toks, err := lexSQL(q)
	if err != nil {
		return "", err
	}
	if n := len(toks); n > 0 && toks[n-1].text == ";" {
		toks = toks[:n-1]
	}
	if len(toks) == 0 {
		return "", errInformixSyntax
	}
	if toks[0].is("with") {
		return "", errInformixSyntax // no common table expressions
	}
	if !toks[0].is("select") {
		return "", errNotSelect
	}
	for i, t := range toks {
		switch {
		case t.kind == 'o' && (t.text == ";" || t.text == "==" || t.text == "[" || t.text == "]"):
			return "", errInformixSyntax
		case t.kind != 'w':
		case i+1 < len(toks) && toks[i+1].text == "(" && slices.Contains(sqliteOnlyFunctions, strings.ToLower(t.text)) &&
			(i == 0 || !toks[i-1].is("as")):
			return "", errRoutine(t.text)
		case slices.Contains(sqliteOnlyWords, strings.ToLower(t.text)):
			return "", errInformixSyntax
		case strings.HasPrefix(strings.ToLower(t.text), "sqlite_") || strings.HasPrefix(strings.ToLower(t.text), "pragma_"):
			return "", &sqlError{-206, fmt.Sprintf("The specified table (%s) is not in the database.", strings.ToLower(t.text))}
		case t.is("limit") && !(i > 0 && toks[i-1].is("select") || i > 2 && toks[i-1].kind == 'n' && toks[i-2].is("skip")):
			return "", errInformixSyntax // LIMIT only in the projection clause: SELECT [SKIP n] LIMIT m
		}
	}
	out, err := translateToks(toks)
	if err != nil {
		return "", err
	}
	out, err = translateHeads(out)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, t := range out {
		b.WriteString(t.ws)
		b.WriteString(t.text)
	}
	return strings.TrimSpace(b.String()), nil
}

// closing finds the index of the parenthesis that closes the one at open.
func closing(toks []sqlTok, open int) int {
	depth := 0
	for i := open; i < len(toks); i++ {
		switch toks[i].text {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// splitTop splits toks at depth-0 tokens for which sep is true.
func splitTop(toks []sqlTok, sep func(sqlTok) bool) [][]sqlTok {
	var parts [][]sqlTok
	depth, start := 0, 0
	for i, t := range toks {
		switch {
		case t.text == "(":
			depth++
		case t.text == ")":
			depth--
		case depth == 0 && sep(t):
			parts = append(parts, toks[start:i])
			start = i + 1
		}
	}
	return append(parts, toks[start:])
}

func word(ws, text string) sqlTok { return sqlTok{ws: ws, text: text, kind: 'w'} }

// translateToks rewrites Informix functions and keywords into SQLite: NVL, DECODE,
// SUBSTRING(x FROM n FOR m), TODAY, CURRENT, DBINFO('utc_to_datetime', x), MATCHES.
func translateToks(toks []sqlTok) ([]sqlTok, error) {
	var out []sqlTok
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		call := t.kind == 'w' && i+1 < len(toks) && toks[i+1].text == "("
		switch {
		case call && t.is("nvl"):
			out = append(out, word(t.ws, "ifnull"))
		case call && (t.is("decode") || t.is("substring") || t.is("dbinfo")):
			end := closing(toks, i+1)
			if end < 0 {
				return nil, errInformixSyntax
			}
			inner := toks[i+2 : end]
			var parts [][]sqlTok
			var err error
			switch {
			case t.is("decode"):
				parts = splitTop(inner, func(x sqlTok) bool { return x.text == "," })
				if len(parts) < 3 {
					return nil, &sqlError{-201, "A syntax error has occurred."}
				}
				for k := range parts {
					if parts[k], err = translateToks(parts[k]); err != nil {
						return nil, err
					}
					if len(parts[k]) == 0 {
						return nil, errInformixSyntax
					}
					parts[k] = slices.Clone(parts[k])
					parts[k][0].ws = " "
				}
				out = append(out, word(t.ws, "CASE"))
				out = append(out, parts[0]...)
				for k := 1; k+1 < len(parts); k += 2 {
					out = append(out, word(" ", "WHEN"))
					out = append(out, parts[k]...)
					out = append(out, word(" ", "THEN"))
					out = append(out, parts[k+1]...)
				}
				if len(parts)%2 == 0 {
					out = append(out, word(" ", "ELSE"))
					out = append(out, parts[len(parts)-1]...)
				}
				out = append(out, word(" ", "END"))
			case t.is("substring"):
				parts = splitTop(inner, func(x sqlTok) bool { return x.is("from") || x.is("for") })
				if len(parts) < 2 || len(parts) > 3 {
					return nil, errInformixSyntax
				}
				out = append(out, word(t.ws, "substr"), sqlTok{text: "(", kind: 'o'})
				for k := range parts {
					if parts[k], err = translateToks(parts[k]); err != nil {
						return nil, err
					}
					if k > 0 {
						out = append(out, sqlTok{text: ",", kind: 'o'})
					}
					out = append(out, parts[k]...)
				}
				out = append(out, sqlTok{text: ")", kind: 'o'})
			default: // dbinfo
				parts = splitTop(inner, func(x sqlTok) bool { return x.text == "," })
				what := strings.ToLower(strings.Trim(parts[0][0].text, "'"))
				switch {
				case what == "utc_to_datetime" && len(parts) == 2:
					arg, err := translateToks(parts[1])
					if err != nil {
						return nil, err
					}
					out = append(out, word(t.ws, "datetime"), sqlTok{text: "(", kind: 'o'})
					out = append(out, arg...)
					out = append(out, sqlTok{text: ",", kind: 'o'}, sqlTok{ws: " ", text: "'unixepoch'", kind: 's'}, sqlTok{text: ")", kind: 'o'})
				case what == "utc_current" && len(parts) == 1:
					out = append(out, word(t.ws, "CAST(strftime('%s','now') AS INTEGER)"))
				default:
					return nil, errInformixSyntax // other dbinfo options are not simulated
				}
			}
			i = end
		case t.is("today") && !call:
			out = append(out, word(t.ws, "date('now')"))
		case t.is("current") && !call:
			out = append(out, word(t.ws, "datetime('now')"))
			// An optional qualifier: CURRENT YEAR TO SECOND / FRACTION(3).
			if i+3 < len(toks) && toks[i+2].is("to") {
				i += 3
				if i+1 < len(toks) && toks[i+1].text == "(" {
					if end := closing(toks, i+1); end > 0 {
						i = end
					}
				}
			}
		case t.is("unique") && len(out) > 0 && out[len(out)-1].text == "(":
			out = append(out, word(t.ws, "DISTINCT")) // COUNT(UNIQUE x)
		case t.is("matches"):
			out = append(out, word(t.ws, "GLOB"))
		default:
			out = append(out, t)
		}
	}
	return out, nil
}

// translateHeads turns each SELECT [SKIP n] [FIRST m | LIMIT m] [UNIQUE | DISTINCT] into
// SQLite's SELECT [DISTINCT] ... LIMIT m OFFSET n at the end of that SELECT's scope.
func translateHeads(toks []sqlTok) ([]sqlTok, error) {
	for i := len(toks) - 1; i >= 0; i-- {
		if !toks[i].is("select") {
			continue
		}
		j := i + 1
		skip, first := "", ""
		if j+1 < len(toks) && toks[j].is("skip") {
			if toks[j+1].kind != 'n' {
				return nil, errInformixSyntax
			}
			skip, j = toks[j+1].text, j+2
		}
		if j+1 < len(toks) && (toks[j].is("first") || toks[j].is("limit")) {
			if toks[j+1].kind != 'n' {
				return nil, errInformixSyntax
			}
			first, j = toks[j+1].text, j+2
		}
		head := []sqlTok{toks[i]}
		if j < len(toks) && toks[j].is("unique") {
			head = append(head, word(" ", "DISTINCT"))
			j++
		}
		if skip == "" && first == "" && len(head) == 1 {
			continue
		}
		// The scope ends at the parenthesis closing the SELECT's subquery, or at the end.
		end, depth := len(toks), 0
		for k := j; k < len(toks); k++ {
			if toks[k].text == "(" {
				depth++
			} else if toks[k].text == ")" {
				if depth == 0 {
					end = k
					break
				}
				depth--
			}
		}
		var tail []sqlTok
		switch {
		case first != "" && skip != "":
			tail = []sqlTok{word(" ", "LIMIT "+first+" OFFSET "+skip)}
		case first != "":
			tail = []sqlTok{word(" ", "LIMIT "+first)}
		case skip != "":
			tail = []sqlTok{word(" ", "LIMIT -1 OFFSET "+skip)}
		}
		rest := slices.Clone(toks[j:end])
		if len(rest) > 0 && rest[0].ws == "" {
			rest[0].ws = " "
		}
		toks = slices.Concat(toks[:i], head, rest, tail, toks[end:])
	}
	return toks, nil
}
