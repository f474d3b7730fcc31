package scrub

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"slices"
	"strings"
	"testing"
)

const (
	user = "axl-audit"
	pass = `p@ss/wo:rd&<"x">+ 1%`
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestScrubEveryForm(t *testing.T) {
	s := New(Credential{User: user, Pass: pass})
	cases := map[string]string{
		"plain":                     "login failed for " + pass + " at host",
		"basic header":              "echo: Authorization: Basic " + b64(user+":"+pass) + "\r\n",
		"basic unpadded":            "token=" + base64.RawStdEncoding.EncodeToString([]byte(user+":"+pass)) + ";",
		"basic url-safe":            base64.URLEncoding.EncodeToString([]byte(user + ":" + pass)),
		"password base64 (LOGIN)":   "535 5.7.8 bad " + b64(pass),
		"AUTH PLAIN":                "535 5.7.8 AUTH PLAIN " + b64("\x00"+user+"\x00"+pass) + " rejected",
		"AUTH PLAIN with authzid":   b64(user + "\x00" + user + "\x00" + pass),
		"query escaped":             "https://h/?p=" + url.QueryEscape(pass),
		"path escaped":              "/x/" + url.PathEscape(pass) + "/y",
		"lower-case percent escape": strings.ToLower(url.QueryEscape(pass)),
		"html escaped":              "<p>" + "p@ss/wo:rd&amp;&lt;&#34;x&#34;&gt;+ 1%" + "</p>",
		"xml escaped":               "<f>p@ss/wo:rd&amp;&lt;&quot;x&quot;&gt;+ 1%</f>",
		"json escaped":              `{"p":"p@ss/wo:rd\u0026\u003c\"x\"\u003e+ 1%"}`,
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			got := s.String(text)
			for _, f := range Forms(user, pass) {
				if strings.Contains(got, f) {
					t.Errorf("scrubbed %q still holds the form %q", got, f)
				}
			}
			if !strings.Contains(got, Mark) {
				t.Errorf("scrubbed %q has no %s mark: nothing was found in %q", got, Mark, text)
			}
		})
	}
}

func TestScrubKeepsOtherText(t *testing.T) {
	s := New(Credential{User: user, Pass: pass})
	text := "SOAP fault: Item not valid: user " + user + " has no access"
	if got := s.String(text); got != text {
		t.Errorf("String(%q) = %q: text without a credential changed", text, got)
	}
	var none *Scrubber
	if got := none.String(pass); got != pass {
		t.Errorf("nil Scrubber changed the text: %q", got)
	}
	if got := New(Credential{User: user}).String("a " + user); got != "a "+user {
		t.Errorf("a credential without password scrubbed %q", got)
	}
}

func TestScrubSeveralCredentials(t *testing.T) {
	s := New(Credential{User: "a", Pass: "first-Secret-1"}, Credential{User: "b", Pass: "second-Secret-2"})
	got := s.String("first-Secret-1 then " + b64("b:second-Secret-2"))
	if got != Mark+" then "+Mark {
		t.Errorf("got %q", got)
	}
}

func TestScrubError(t *testing.T) {
	s := New(Credential{User: user, Pass: pass})
	base := fmt.Errorf("reading: %w (%s)", fs.ErrNotExist, b64(user+":"+pass))
	err := s.Error(base)
	if strings.Contains(err.Error(), b64(user+":"+pass)) || !strings.Contains(err.Error(), Mark) {
		t.Errorf("Error() = %q", err)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("the scrubbed error no longer unwraps")
	}
	clean := errors.New("nothing secret")
	if s.Error(clean) != clean {
		t.Error("an error without a secret was replaced")
	}
	if s.Error(nil) != nil {
		t.Error("Error(nil) is not nil")
	}
}

func TestScrubShortPassword(t *testing.T) {
	s := New(Credential{User: "u", Pass: "p"})
	text := "Incorrect axl version. Supported axl versions: 14.0"
	if got := s.String(text); got != text {
		t.Errorf("a one-letter password garbled %q into %q", text, got)
	}
}

// TestScrubEscapings: the password as other languages' encoders and careless servers spell it,
// one test per form; the review found each of these leaking.
func TestScrubEscapings(t *testing.T) {
	const pw = "Pa/ss‹wörd\"x" // ‹ is U+2039, ö U+00F6
	s := New(Credential{User: "axl", Pass: pw})
	cases := map[string]string{
		"python json.dumps (ensure_ascii)": `{"detail": "login refused: Pa/ss\u2039w\u00f6rd\"x"}`,
		"json upper-case hex":              `Pa/ss\u2039W\u00F6rd\"x`,
		"php json_encode":                  `{"p":"Pa\/ss\u2039w\u00f6rd\"x"}`,
		"php json_encode escaped quote":    `Pa\/ss\u2039w\u00f6rd\u0022x`,
		"xml decimal references":           "<p>Pa&#47;ss&#8249;w&#246;rd&#34;x</p>",
		"xml hex references":               "Pa/ss&#x2039;w&#xF6;rd&#x22;x",
		"xml hex references lower, X":      "Pa/ss&#X2039;w&#xf6;rd&quot;x",
		"mixed-case percent escapes":       "?p=Pa%2Fss%E2%80%b9w%c3%B6rd%22x",
		"hex lower":                        "blob " + hex.EncodeToString([]byte(pw)),
		"hex upper":                        "blob " + strings.ToUpper(hex.EncodeToString([]byte(pw))),
		"upper-cased":                      "LOGIN FAILED: PA/SS‹WÖRD\"X",
		"lower-cased":                      "pa/ss‹wörd\"x",
		"mixed per character":              `Pa%2Fss&#8249;w\u00f6rd&quot;x`,
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			got := s.String(text)
			if !strings.Contains(got, Mark) || strings.Contains(strings.ToLower(got), "rd") {
				t.Errorf("String(%q) = %q, want the password replaced by %s", text, got, Mark)
			}
		})
	}
	// A space may be escaped as + in a query.
	s2 := New(Credential{User: "u", Pass: "two words&more"})
	if got := s2.String("q=two+words%26more&x=1"); got != "q="+Mark+"&x=1" {
		t.Errorf("query form with +: %q", got)
	}
	// The surroundings stay as they were.
	if got := s.String(`{"p":"Pa\/ss\u2039w\u00f6rd\"x","u":"axl"}`); got != `{"p":"`+Mark+`","u":"axl"}` {
		t.Errorf("json object: %q", got)
	}
	// Forms lists the spellings for tests that search outputs.
	forms := Forms("axl", pw)
	for _, want := range []string{strings.ToUpper(pw), hex.EncodeToString([]byte(pw)), strings.ToUpper(hex.EncodeToString([]byte(pw))), `Pa/ss\u2039w\u00f6rd\"x`, `Pa\/ss\u2039w\u00f6rd\"x`, "Pa&#47;ss&#8249;w&#246;rd&#34;x", "Pa&#x2f;ss&#x2039;w&#xf6;rd&#x22;x"} {
		if !slices.Contains(forms, want) {
			t.Errorf("Forms lacks %q", want)
		}
	}
}

// TestScrubShortPasswordCase: the case-insensitive match only applies from MinLen characters.
func TestScrubShortPasswordCase(t *testing.T) {
	s := New(Credential{User: "u", Pass: "abc"})
	if got := s.String("ABC abc"); got != "ABC abc" {
		t.Errorf("a three-letter password garbled the text: %q", got)
	}
}
