package dialplan

import (
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"9..1", `parsing pattern "9..1" at offset 2: more than one '.'`},
		{"9@@", `parsing pattern "9@@" at offset 2: more than one '@'`},
		{"?1", `parsing pattern "?1" at offset 0: '?' has no element before it to repeat`},
		{"1??", `parsing pattern "1??" at offset 2: '?' must follow a digit, X or [..] that is not already repeated`},
		{"!+", `parsing pattern "!+" at offset 1: '+' must follow a digit, X or [..] that is not already repeated`},
		{`9\1`, `parsing pattern "9\\1" at offset 1: backslash must be followed by + (\+ is a literal plus)`},
		{"[12", `parsing pattern "[12" at offset 0: '[' without ']'`},
		{"[1^2]", `parsing pattern "[1^2]" at offset 2: '^' must come first inside [..]`},
		{"[5-1]", `parsing pattern "[5-1]" at offset 1: bad range in [..]`},
		{"[^0-9]", `parsing pattern "[^0-9]" at offset 1: [..] matches nothing`},
		{"12E4", `parsing pattern "12E4" at offset 2: 'E' is not part of CUCM's pattern language`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := Parse(tt.in)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Parse(%q) error = %v, want %s", tt.in, err, tt.want)
			}
		})
	}
}

func TestParseString(t *testing.T) {
	tests := []struct{ in, want string }{
		{`\+1919XXXXXXX`, `\+1919XXXXXXX`},
		{"9.@", "9.@"},
		{"9.011!#", "9.011!#"},
		{"[13579]X", "[13579]X"},
		{"[1234]", "[1-4]"},
		{"[^0-2]", "[^0-2]"},
		{"91X?", "91X?"},
		{"91X+", "91X+"},
		{"*33#", "*33#"},
		{"x1", "X1"},
		{"", ""},
	}
	for _, tt := range tests {
		p, err := Parse(tt.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.in, err)
		}
		if got := p.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestCount pins the closest-match measure: strings of the dialed length a pattern matches
// (CUCM-API.md J.1).
func TestCount(t *testing.T) {
	tests := []struct {
		pattern string
		n       int
		want    string
	}{
		{"1XXX", 4, "1000"},
		{"12XX", 4, "100"},
		{"1234", 4, "1"},
		{"1234", 5, "0"},
		{"15!", 4, "100"},
		{"1[3-5]XX", 4, "300"},
		{"91X?", 2, "1"},
		{"91X?", 4, "100"},
		{"91X+", 2, "0"},
		{"9.011!", 30, "100000000000000000000000000"},
		{"5[^0-2]XX", 4, "700"},
		{"X?X", 3, "1000"}, // ambiguous parses count each string once
	}
	for _, tt := range tests {
		p, err := Parse(tt.pattern)
		if err != nil {
			t.Fatal(err)
		}
		pre, _, dot, _ := p.flatten()
		s := seq{els: pre, dot: dot, at: -1}
		if got := s.count(tt.n).String(); got != tt.want {
			t.Errorf("count(%s, %d) = %s, want %s", tt.pattern, tt.n, got, tt.want)
		}
	}
}

func TestApplyMask(t *testing.T) {
	tests := []struct{ number, mask, want string }{
		{"1000", "+1919555XXXX", "+19195551000"},
		{"5551234", "XXXX", "1234"},
		{"1234", "", "1234"},
		{"1234", "9XXX", "9234"},
		{"12", "XXXX", "12"},
		{"87016703", `\+19197016XXX`, "+19197016703"},
	}
	for _, tt := range tests {
		if got := ApplyMask(tt.number, tt.mask); got != tt.want {
			t.Errorf("ApplyMask(%q, %q) = %q, want %q", tt.number, tt.mask, got, tt.want)
		}
	}
}

func TestRouteFilterProblems(t *testing.T) {
	plan := NewPlan(Data{
		Patterns: []Pattern{
			{ID: "a", Text: "9.@", Usage: UsageRoute, RouteFilter: "RF"},
			{ID: "b", Text: "9XXX", Usage: UsageRoute, RouteFilter: "RF"},
			{ID: "c", Text: "9.[", Usage: UsageRoute},
		},
		RouteFilters: []RouteFilter{{Name: "RF", Clauses: []FilterClause{{Conditions: []FilterCondition{{Tag: "PLANET", Operator: OpExists}}}}}},
	})
	want := []string{
		`unknown route filter tag "PLANET"`,
		`route filter "RF" ignored: route filters apply only to patterns with @`,
		`parsing pattern "9.[" at offset 2: '[' without ']'`,
	}
	got := plan.Problems()
	if len(got) != len(want) {
		t.Fatalf("problems = %v, want %d", got, len(want))
	}
	for i := range want {
		if got[i].Message != want[i] {
			t.Errorf("problem %d = %q, want %q", i, got[i].Message, want[i])
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"9.@", `\+1919XXXXXXX`, "9.011!#", "[^0-2]X?", "91X+", "*33#", "1[3-5]XX", "", "[", `\`} {
		f.Add(s, "91234")
	}
	f.Fuzz(func(t *testing.T, text, dialed string) {
		p, err := Parse(text)
		if err != nil {
			return
		}
		canon := p.String()
		q, err := Parse(canon)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", canon, text, err)
		}
		if q.String() != canon {
			t.Fatalf("not a round trip: %q -> %q -> %q", text, canon, q.String())
		}
		if len(dialed) > 20 {
			dialed = dialed[:20]
		}
		sym, ok := symbols(dialed)
		if !ok || p.hasAt {
			return
		}
		pre, _, dot, _ := p.flatten()
		pre2, _, dot2, _ := q.flatten()
		s1, s2 := seq{els: pre, dot: dot, at: -1}, seq{els: pre2, dot: dot2, at: -1}
		a1, _ := s1.run(sym)
		a2, _ := s2.run(sym)
		if a1 != a2 {
			t.Fatalf("%q and its canonical form %q match %q differently", text, canon, dialed)
		}
		if a1&(1<<len(sym)) != 0 {
			if s1.assign(sym) == nil {
				t.Fatalf("%q matches %q but has no parse", text, dialed)
			}
			if s1.count(len(sym)).Sign() <= 0 {
				t.Fatalf("%q matches %q but counts no string of that length", text, dialed)
			}
		}
	})
}
