package analyze_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The loaders read files users write by hand: each must reject anything it cannot use with an
// error naming the file, never panic, and give the same verdict twice.

// stable runs parse twice and fails on a changed verdict or a message without the file name.
func stable[T any](t *testing.T, parse func(string, []byte) (T, error), data []byte) (T, error) {
	t.Helper()
	v1, err1 := parse("fuzz.yaml", data)
	v2, err2 := parse("fuzz.yaml", data)
	if (err1 == nil) != (err2 == nil) || err1 != nil && err1.Error() != err2.Error() {
		t.Fatalf("unstable verdict: %v, then %v", err1, err2)
	}
	if err1 != nil {
		if !strings.Contains(err1.Error(), "fuzz.yaml") {
			t.Fatalf("error does not name the file: %v", err1)
		}
		return v1, err1
	}
	if reflect.DeepEqual(v1, v2) {
		return v1, nil
	}
	if d := cmp.Diff(v1, v2, cmpopts.IgnoreUnexported(analyze.Rule{}), cmpopts.EquateEmpty()); d != "" {
		t.Fatalf("unstable result (-first +second):\n%s", d)
	}
	return v1, nil
}

// FuzzParsePack: a rule pack that loads has rules with ids, titles and queries.
// Seeds: testdata/fuzz/FuzzParsePack (one built-in rule, broken packs). The whole built-in packs
// are loaded by the package's own tests; as seeds their size would make the minimisation of
// every new input take most of the fuzzing time.
func FuzzParsePack(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := stable(t, analyze.ParsePack, data)
		if err != nil {
			return
		}
		for _, r := range rs {
			if r.ID == "" || r.Title == "" || strings.TrimSpace(r.Query) == "" {
				t.Fatalf("accepted a rule without id, title or query: %+v", r)
			}
		}
	})
}

// FuzzParseWaivers: every waiver that loads has all its fields and an expiry date.
// Seeds: testdata/fuzz/FuzzParseWaivers.
func FuzzParseWaivers(f *testing.F) {
	f.Add([]byte("schema: 1\nwaivers:\n  - rule: INV-001\n    entity: \"SEPLOBBY*\"\n    statement: s\n    owner: o\n    expires: 2027-06-30\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ws, err := stable(t, analyze.ParseWaivers, data)
		if err != nil {
			return
		}
		for _, w := range ws {
			if w.Rule == "" || w.Entity == "" || w.Statement == "" || w.Owner == "" || len(w.Expires) != len("2006-01-02") {
				t.Fatalf("accepted an incomplete waiver: %+v", w)
			}
		}
	})
}

// FuzzParseEOL: every model that loads has a name and a date.
// Seeds: testdata/fuzz/FuzzParseEOL (the first built-in models, broken files).
func FuzzParseEOL(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, err := stable(t, analyze.ParseEOL, data)
		if err != nil {
			return
		}
		for _, m := range ms {
			if m.Model == "" || m.EndOfSale == "" && m.EndOfSupport == "" {
				t.Fatalf("accepted an incomplete model: %+v", m)
			}
		}
	})
}
