// Package scrub removes credentials from text a server sent back (a SOAP fault, an HTTP error
// page, an SMTP reply) before that text enters an error, a log line, a coverage reason, a report
// or an MCP answer. A hostile or careless server can echo what it received: the password, the
// Basic Authorization header (base64 of user:password), the SMTP AUTH PLAIN blob (base64 of
// \x00user\x00password) or the AUTH LOGIN answer (base64 of the password), the password in
// another letter case, in hex, or with its characters URL-, JSON- or HTML/XML-escaped in any
// mix. A Scrubber knows every such spelling of its credentials and replaces each with Mark. It is the one place that knows them: the SOAP transport and the mail sender both use it.
package scrub

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Mark replaces a credential in scrubbed text.
const Mark = "[REDACTED]"

// MinLen is the length below which a form is not scrubbed.
const MinLen = 4

// Scrubber replaces the known spellings of some credentials. The zero value and nil scrub
// nothing. It is safe for concurrent use.
type Scrubber struct {
	r  *strings.Replacer // the exact forms, base64 blobs among them
	re *regexp.Regexp    // anchored: the password escaped character by character, in any case, and its hex
	// first holds the bytes a match of re can start with: re is tried only there, which keeps
	// scrubbing fast (a regular expression searched over the whole text is not).
	first [256]bool
}

// Credential is a user and a password as sent to a server.
type Credential struct {
	User, Pass string
}

// New returns a Scrubber for the credentials; those without a password are ignored. Everything
// is compiled here, once per credential set.
func New(creds ...Credential) *Scrubber {
	var (
		forms, patterns []string
		sc              = &Scrubber{}
	)
	for _, c := range creds {
		forms = append(forms, Forms(c.User, c.Pass)...)
		if utf8.RuneCountInString(c.Pass) < MinLen {
			continue
		}
		patterns = append(patterns, pattern(c.Pass), hexPattern(c.Pass))
		// A spelling of a character starts with the character (in some case), %, \, & or +.
		for _, b := range []byte(`%\&+`) {
			sc.first[b] = true
		}
		r, _ := utf8.DecodeRuneInString(c.Pass)
		for f := unicode.SimpleFold(r); ; f = unicode.SimpleFold(f) {
			sc.first[string(f)[0]] = true
			if f == r {
				break
			}
		}
		h := hexPattern(c.Pass)
		sc.first[h[0]], sc.first[strings.ToUpper(h)[0]] = true, true
	}
	if len(forms) == 0 {
		return sc
	}
	// strings.Replacer tries its old strings in argument order at each position: longest
	// first, so that a padded base64 form wins over its unpadded prefix.
	slices.SortFunc(forms, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	forms = slices.Compact(forms)
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, Mark)
	}
	sc.r = strings.NewReplacer(pairs...)
	if len(patterns) > 0 {
		// Leftmost-first: the longer pattern wins where two start alike.
		slices.SortFunc(patterns, func(a, b string) int { return len(b) - len(a) })
		sc.re = regexp.MustCompile(`^(?i)(?:` + strings.Join(patterns, `|`) + `)`)
	}
	return sc
}

// String returns s with every known spelling of the credentials replaced by Mark.
func (s *Scrubber) String(text string) string {
	if s == nil || s.r == nil || text == "" {
		return text
	}
	text = s.r.Replace(text)
	if s.re == nil {
		return text
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(text); i++ {
		if !s.first[text[i]] {
			continue
		}
		// A candidate byte is ASCII or the lead byte of a character: never inside one.
		if loc := s.re.FindStringIndex(text[i:]); loc != nil {
			b.WriteString(text[last:i])
			b.WriteString(Mark)
			last = i + loc[1]
			i = last - 1
		}
	}
	if last == 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

// Error returns err unchanged when its text holds no credential, else an error with the
// scrubbed text that still unwraps to err (errors.Is and errors.As keep working; the typed
// errors of the transports scrub their own fields where the server's text enters them).
func (s *Scrubber) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if clean := s.String(msg); clean != msg {
		return &scrubbedError{msg: clean, err: err}
	}
	return err
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

var pctEscape = regexp.MustCompile(`%[0-9A-F]{2}`)

// pattern is a regular expression (to be compiled case-insensitive) matching pass with each
// character spelt in any of the ways an encoder may write it, mixed freely: itself (in any
// letter case), percent-escaped (either hex case; a space also as +), JSON-escaped (\uXXXX,
// \/, \", \\), or as an HTML/XML named or numeric character reference (&#60; &#x3c;).
func pattern(pass string) string {
	var b strings.Builder
	for _, r := range pass {
		b.WriteString("(?:")
		b.WriteString(strings.Join(spellings(r), "|"))
		b.WriteString(")")
	}
	return b.String()
}

// spellings lists the regular expressions of the spellings of r (see pattern).
func spellings(r rune) []string {
	alts := []string{regexp.QuoteMeta(string(r))}
	var pct strings.Builder
	for _, c := range []byte(string(r)) {
		fmt.Fprintf(&pct, "%%%02X", c)
	}
	alts = append(alts, pct.String())
	if r == ' ' {
		alts = append(alts, `\+`)
	}
	if r < 0x10000 {
		alts = append(alts, fmt.Sprintf(`\\u%04X`, r))
	} else if hi, lo := utf16.EncodeRune(r); hi != unicode.ReplacementChar {
		alts = append(alts, fmt.Sprintf(`\\u%04X\\u%04X`, hi, lo))
	}
	switch r {
	case '/', '\\':
		alts = append(alts, regexp.QuoteMeta(`\`+string(r)))
	case '"':
		alts = append(alts, `\\"`, "&quot;")
	case '\'':
		alts = append(alts, "&apos;")
	case '&':
		alts = append(alts, "&amp;")
	case '<':
		alts = append(alts, "&lt;")
	case '>':
		alts = append(alts, "&gt;")
	}
	return append(alts, fmt.Sprintf("&#0*%d;", r), fmt.Sprintf("&#x0*%X;", r))
}

// hexPattern matches the hex of pass's bytes, in either case (compiled case-insensitive).
func hexPattern(pass string) string { return hex.EncodeToString([]byte(pass)) }

// Forms lists the spellings of the password that must never be shown: the password itself and
// upper-cased; its hex (lower and upper case); URL-encoded (query and path escaping, upper and
// lower case hex), HTML/XML-escaped (named, decimal and hex character references) and
// JSON-escaped (Go's, and with every non-ASCII character and / escaped as Python and PHP do);
// and in standard, URL-safe, padded and unpadded base64, the password alone (AUTH LOGIN),
// user:password (the HTTP Basic Authorization value), \x00user\x00password and
// user\x00user\x00password (AUTH PLAIN without and with an authorisation identity). A Scrubber
// also matches the escaped spellings mixed character by character and in any letter case. The
// user name alone is not a secret and is not listed. Forms shorter than MinLen are left out: a
// password of one to three characters protects nothing, and scrubbing every "p" of a server's
// answer would garble it beyond use.
func Forms(user, pass string) []string {
	if pass == "" {
		return nil
	}
	hx := hex.EncodeToString([]byte(pass))
	forms := []string{pass, strings.ToUpper(pass), hx, strings.ToUpper(hx), html.EscapeString(pass)}
	for _, esc := range []string{url.QueryEscape(pass), url.PathEscape(pass)} {
		forms = append(forms, esc, pctEscape.ReplaceAllStringFunc(esc, strings.ToLower))
	}
	var xmlEsc, dec, hexRef, jsonASCII, jsonPHP strings.Builder
	for _, r := range pass {
		switch r {
		case '&':
			xmlEsc.WriteString("&amp;")
		case '<':
			xmlEsc.WriteString("&lt;")
		case '>':
			xmlEsc.WriteString("&gt;")
		case '"':
			xmlEsc.WriteString("&quot;")
		case '\'':
			xmlEsc.WriteString("&apos;")
		default:
			xmlEsc.WriteRune(r)
		}
		if r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			dec.WriteRune(r)
			hexRef.WriteRune(r)
		} else {
			fmt.Fprintf(&dec, "&#%d;", r)
			fmt.Fprintf(&hexRef, "&#x%x;", r)
		}
		for _, b := range []*strings.Builder{&jsonASCII, &jsonPHP} {
			switch {
			case r == '"' || r == '\\':
				b.WriteString(`\` + string(r))
			case r == '/' && b == &jsonPHP:
				b.WriteString(`\/`)
			case r < 0x20 || r >= 0x80 || (b == &jsonPHP && strings.ContainsRune("<>&'", r)):
				if r >= 0x10000 {
					hi, lo := utf16.EncodeRune(r)
					fmt.Fprintf(b, `\u%04x\u%04x`, hi, lo)
				} else {
					fmt.Fprintf(b, `\u%04x`, r)
				}
			default:
				b.WriteRune(r)
			}
		}
	}
	forms = append(forms, xmlEsc.String(), dec.String(), hexRef.String(), jsonASCII.String(), jsonPHP.String())
	if b, err := json.Marshal(pass); err == nil {
		forms = append(forms, strings.Trim(string(b), `"`))
	}
	blobs := []string{pass, user + ":" + pass, "\x00" + user + "\x00" + pass, user + "\x00" + user + "\x00" + pass}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		for _, b := range blobs {
			forms = append(forms, enc.EncodeToString([]byte(b)))
		}
	}
	out := forms[:0]
	for _, f := range forms {
		if len(f) >= MinLen {
			out = append(out, f)
		}
	}
	return out
}
