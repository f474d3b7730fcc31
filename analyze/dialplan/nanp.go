package dialplan

import (
	"fmt"
	"slices"
)

// Tag names a part of a number in the North American Numbering Plan, with the names Cisco uses
// for route filter clauses (CUCM-API.md J.5).
type Tag uint8

// The NANP tags the built-in grammar produces.
const (
	TagNone Tag = iota
	TagAreaCode
	TagCountryCode
	TagEndOfDialing
	TagInternationalAccess
	TagInternationalDirectDial
	TagInternationalOperator
	TagLocalAreaCode
	TagLocalOperator
	TagLongDistanceDirectDial
	TagLongDistanceOperator
	TagNationalNumber
	TagOfficeCode
	TagService
	TagSubscriber
	TagTransitNetwork
	TagTransitNetworkEscape
	numTags
)

var tagNames = [numTags]string{
	"", "AREA-CODE", "COUNTRY-CODE", "END-OF-DIALING", "INTERNATIONAL-ACCESS",
	"INTERNATIONAL-DIRECT-DIAL", "INTERNATIONAL-OPERATOR", "LOCAL-AREA-CODE", "LOCAL-OPERATOR",
	"LONG-DISTANCE-DIRECT-DIAL", "LONG-DISTANCE-OPERATOR", "NATIONAL-NUMBER", "OFFICE-CODE",
	"SERVICE", "SUBSCRIBER", "TRANSIT-NETWORK", "TRANSIT-NETWORK-ESCAPE",
}

// String returns Cisco's name of the tag.
func (t Tag) String() string {
	if t < numTags {
		return tagNames[t]
	}
	return fmt.Sprintf("Tag(%d)", t)
}

// ciscoOnlyTags are NANP tags Cisco's route filters offer that this grammar never produces; a
// filter naming one is accepted (the tag is simply never present) and reported.
var ciscoOnlyTags = []string{"LOCAL-DIRECT-DIAL", "SATELLITE-SERVICE"}

func tagByName(name string) (Tag, bool) {
	for i, n := range tagNames {
		if i > 0 && n == name {
			return Tag(i), true
		}
	}
	return TagNone, false
}

type part struct {
	tag  Tag
	text string
}

// nanpAlternatives is the built-in North American Numbering Plan that @ stands for. CUCM's own
// plan is not exported by AXL (CUCM-API.md J.5), so this is a reasonable reconstruction from the
// NANP rules Cisco documents (5756 "voice dial plan" note: NXX area and office codes, N11
// service codes) and the route filter tag names:
//
//	7-digit local            OFFICE-CODE SUBSCRIBER                     [2-9]XX XXXX
//	10-digit local           LOCAL-AREA-CODE OFFICE-CODE SUBSCRIBER     [2-9][0-8]X [2-9]XX XXXX
//	carrier-selected         10-10 carrier AREA-CODE OFFICE-CODE SUBSCRIBER
//	long distance            [10-10 carrier] 1 AREA-CODE OFFICE-CODE SUBSCRIBER
//	operator-assisted LD     [10-10 carrier] 0 AREA-CODE OFFICE-CODE SUBSCRIBER
//	operator                 0 (LOCAL-OPERATOR), 00 (LONG-DISTANCE-OPERATOR)
//	international            [10-10 carrier] 01 1|0 COUNTRY-CODE NATIONAL-NUMBER [#]
//	services                 [2-9]11 (SERVICE), 911 among them
//
// Area and office codes exclude N11 so that 911 is never a prefix of a local number. Country codes
// follow the ITU E.164 assignment blocks (a prefix-free set of 1, 2 and 3 digit codes). Each
// alternative is kept apart, like CUCM's own expansion of @ into separate patterns, so the
// closest-match measure is the one of the alternative that matched.
func nanpAlternatives() [][]part {
	office := []string{"[2-9][02-9]X", "[2-9]1[02-9]"}
	areas := []string{"[2-9][02-8]X", "[2-9]1[02-9]"}
	carriers := [][]part{nil, {{TagTransitNetworkEscape, "101"}, {TagTransitNetwork, "XXXX"}}}
	countries := []string{"1", "7", "2[07]", "3[0-469]", "4[013-9]", "5[1-8]", "6[0-6]", "8[1246]",
		"9[0-58]", "2[1-689]X", "3[578]X", "42X", "5[09]X", "6[7-9]X", "8[03579]X", "9[679]X"}
	var alts [][]part
	add := func(ps ...[]part) {
		var a []part
		for _, p := range ps {
			a = append(a, p...)
		}
		alts = append(alts, a)
	}
	for _, o := range office {
		add([]part{{TagOfficeCode, o}, {TagSubscriber, "XXXX"}})
	}
	for _, a := range areas {
		for _, o := range office {
			add([]part{{TagLocalAreaCode, a}, {TagOfficeCode, o}, {TagSubscriber, "XXXX"}})
			// 10-10 carrier selection before a 10-digit number (Cisco's 10-10-Dialing example
			// 9 1010288 9728135000).
			add(carriers[1], []part{{TagAreaCode, a}, {TagOfficeCode, o}, {TagSubscriber, "XXXX"}})
			for _, c := range carriers {
				add(c, []part{{TagLongDistanceDirectDial, "1"}, {TagAreaCode, a}, {TagOfficeCode, o}, {TagSubscriber, "XXXX"}})
				add(c, []part{{TagLongDistanceOperator, "0"}, {TagAreaCode, a}, {TagOfficeCode, o}, {TagSubscriber, "XXXX"}})
			}
		}
	}
	add([]part{{TagLocalOperator, "0"}})
	add([]part{{TagLongDistanceOperator, "00"}})
	for _, c := range carriers {
		for _, kind := range []part{{TagInternationalDirectDial, "1"}, {TagInternationalOperator, "0"}} {
			for _, cc := range countries {
				for _, eod := range [][]part{nil, {{TagEndOfDialing, "#"}}} {
					add(c, []part{{TagInternationalAccess, "01"}, kind, {TagCountryCode, cc}, {TagNationalNumber, "X+"}}, eod)
				}
			}
		}
	}
	add([]part{{TagService, "[2-9]11"}})
	return alts
}

// nanpSeqs is the grammar compiled once into tagged element runs.
var nanpSeqs = func() [][]selem {
	var out [][]selem
	for _, alt := range nanpAlternatives() {
		var els []selem
		for _, p := range alt {
			parsed, err := Parse(p.text)
			if err != nil {
				panic(err) // the grammar above is a constant
			}
			pre, _, _, _ := parsed.flatten()
			for _, e := range pre {
				e.tag = p.tag
				els = append(els, e)
			}
		}
		out = append(out, els)
	}
	return out
}()

// Route filter operators (AXL XOperator).
const (
	OpNotSelected  = "NOT-SELECTED"
	OpExists       = "EXISTS"
	OpDoesNotExist = "DOES-NOT-EXIST"
	OpEquals       = "=="
)

// RouteFilter restricts the numbers an @ pattern matches. A number passes when any clause holds;
// a clause holds when all its conditions hold (CUCM-API.md J.5, RF91: clauses joined by OR).
type RouteFilter struct {
	Name    string         `json:"name"`
	Clauses []FilterClause `json:"clauses"`
}

// FilterClause is one AND-group of route filter conditions.
type FilterClause struct {
	Conditions []FilterCondition `json:"conditions"`
}

// FilterCondition tests one NANP tag: Operator is NOT-SELECTED, EXISTS, DOES-NOT-EXIST or ==,
// and Digits (for ==) is a pattern without @ or '.' that the tag's digits must match.
type FilterCondition struct {
	Tag      string `json:"tag"`
	Operator string `json:"operator"`
	Digits   string `json:"digits,omitempty"`
}

// filterSeq narrows one NANP alternative by a clause; ok is false when the clause excludes the
// alternative altogether. Problems name conditions the engine could not apply exactly.
func filterSeq(els []selem, c FilterClause) (out []selem, ok bool, problems []string) {
	out = slices.Clone(els)
	for _, cond := range c.Conditions {
		tag, known := tagByName(cond.Tag)
		if !known && !slices.Contains(ciscoOnlyTags, cond.Tag) {
			problems = append(problems, fmt.Sprintf("unknown route filter tag %q", cond.Tag))
		}
		lo, hi := -1, -1
		if known {
			for i, e := range out {
				if e.tag == tag {
					if lo < 0 {
						lo = i
					}
					hi = i + 1
				}
			}
		}
		present := lo >= 0
		switch cond.Operator {
		case OpNotSelected, "":
		case OpExists:
			if !present {
				return nil, false, problems
			}
		case OpDoesNotExist:
			if present {
				return nil, false, problems
			}
		case OpEquals:
			if !present {
				return nil, false, problems
			}
			v, err := Parse(cond.Digits)
			if err != nil || v.hasAt || v.dot {
				problems = append(problems, fmt.Sprintf("route filter %s == %q is not a plain pattern; treated as EXISTS", cond.Tag, cond.Digits))
				continue
			}
			val, _, _, _ := v.flatten()
			vs := seq{els: val}
			if vs.fixedLen() < 0 {
				problems = append(problems, fmt.Sprintf("route filter %s == %q has a variable length; treated as EXISTS", cond.Tag, cond.Digits))
				continue
			}
			run := out[lo:hi]
			rs := seq{els: run}
			var repl []selem
			switch {
			case rs.fixedLen() == len(val):
				for i := range val {
					s := run[i].set & val[i].set
					if s == 0 {
						return nil, false, problems
					}
					repl = append(repl, selem{set: s, tag: tag})
				}
			case rs.fixedLen() < 0:
				// A variable-length run (NATIONAL-NUMBER X+) takes the value's length.
				for _, e := range val {
					s := e.set & digitSet
					if s == 0 {
						return nil, false, problems
					}
					repl = append(repl, selem{set: s, tag: tag})
				}
			default:
				return nil, false, problems
			}
			out = slices.Concat(out[:lo], repl, out[hi:])
		default:
			problems = append(problems, fmt.Sprintf("unknown route filter operator %q", cond.Operator))
		}
	}
	return out, true, problems
}

// tagsOf lists the tags present in a run, in order of first appearance.
func tagsOf(els []selem) []Tag {
	var ts []Tag
	for _, e := range els {
		if e.tag != TagNone && !slices.Contains(ts, e.tag) {
			ts = append(ts, e.tag)
		}
	}
	return ts
}
