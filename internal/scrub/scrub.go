// Package scrub removes credentials from text a server sent back (a SOAP fault, an HTTP error
// page, an SMTP reply) before that text enters an error, a log line, a coverage reason, a report
// or an MCP answer. A hostile or careless server can echo what it received: the password, the
// Basic Authorization header (base64 of user:password), the SMTP AUTH PLAIN blob (base64 of
// \x00user\x00password) or the AUTH LOGIN answer (base64 of the password), URL-encoded or
// HTML-escaped. A Scrubber knows every such spelling of its credentials and replaces each with
// Mark. It is the one place that knows them: the SOAP transport and the mail sender both use it.
package scrub

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Mark replaces a credential in scrubbed text.
const Mark = "[REDACTED]"

// MinLen is the length below which a form is not scrubbed.
const MinLen = 4

// Scrubber replaces the known spellings of some credentials. The zero value and nil scrub
// nothing. It is safe for concurrent use.
type Scrubber struct {
	r *strings.Replacer
}

// Credential is a user and a password as sent to a server.
type Credential struct {
	User, Pass string
}

// New returns a Scrubber for the credentials; those without a password are ignored.
func New(creds ...Credential) *Scrubber {
	var forms []string
	for _, c := range creds {
		forms = append(forms, Forms(c.User, c.Pass)...)
	}
	if len(forms) == 0 {
		return &Scrubber{}
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
	return &Scrubber{r: strings.NewReplacer(pairs...)}
}

// String returns s with every known spelling of the credentials replaced by Mark.
func (s *Scrubber) String(text string) string {
	if s == nil || s.r == nil || text == "" {
		return text
	}
	return s.r.Replace(text)
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

// Forms lists the spellings of the password that must never be shown: the password itself;
// URL-encoded (query and path escaping, upper and lower case hex), HTML/XML- and JSON-escaped;
// and in standard, URL-safe, padded and unpadded base64, the password alone (AUTH LOGIN),
// user:password (the HTTP Basic Authorization value), \x00user\x00password and
// user\x00user\x00password (AUTH PLAIN without and with an authorisation identity). The user
// name alone is not a secret and is not listed. Forms shorter than MinLen are left out: a
// password of one to three characters protects nothing, and scrubbing every "p" of a server's
// answer would garble it beyond use.
func Forms(user, pass string) []string {
	if pass == "" {
		return nil
	}
	forms := []string{pass, html.EscapeString(pass)}
	for _, esc := range []string{url.QueryEscape(pass), url.PathEscape(pass)} {
		forms = append(forms, esc, pctEscape.ReplaceAllStringFunc(esc, strings.ToLower))
	}
	var xmlEsc strings.Builder
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
	}
	forms = append(forms, xmlEsc.String())
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
