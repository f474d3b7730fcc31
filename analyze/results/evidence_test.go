package results

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestEvidenceRoundTrip(t *testing.T) {
	for _, ev := range [][]Field{
		nil,
		{{Name: "model", Value: "Cisco 8845"}},
		{{Name: "z", Value: "1"}, {Name: "a", Value: ""}, {Name: "quote\"d", Value: "line\nbreak \\ tab\t é 🎉 \u2028"}},
	} {
		got := parseEvidence(evidenceJSON(ev))
		if diff := cmp.Diff(ev, got); diff != "" {
			t.Errorf("round trip of %v (-want +got):\n%s", ev, diff)
		}
	}
}

func FuzzEvidence(f *testing.F) {
	f.Add("k", "v", "k2", "v\"2\\")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		ev := []Field{{Name: k1, Value: v1}, {Name: k2, Value: v2}}
		got := parseEvidence(evidenceJSON(ev))
		// JSON replaces invalid UTF-8; compare through one encoding.
		want := parseEvidence(evidenceJSON(got))
		if !cmp.Equal(got, want) || len(got) != 2 {
			t.Errorf("round trip of %q: %q", ev, got)
		}
		if utf8.ValidString(k1) && utf8.ValidString(v1) && utf8.ValidString(k2) && utf8.ValidString(v2) && !cmp.Equal(ev, got) {
			t.Errorf("round trip of %q: %q", ev, got)
		}
	})
}

// TestEvidenceJSONAsMarshal checks evidenceJSON writes each string as json.Marshal does.
func TestEvidenceJSONAsMarshal(t *testing.T) {
	for _, s := range []string{"", "Cisco 8845", "a\"b", `back\slash`, "<&>", "tab\t", "é", "\u2028", "\x7f", "\xff", "🎉"} {
		k, _ := json.Marshal(s)
		want := "{" + string(k) + ":" + string(k) + "}"
		if got := evidenceJSON([]Field{{Name: s, Value: s}}); got != want {
			t.Errorf("evidenceJSON(%q) = %s, want %s", s, got, want)
		}
	}
}
