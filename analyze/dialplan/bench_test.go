package dialplan

import (
	"fmt"
	"testing"
)

// benchPlan is a large enterprise plan: 50,000 four- to ten-digit DNs over 50 site partitions,
// site translation patterns, PSTN route patterns with @ and explicit ones, and blocks.
func benchPlan() (*Plan, []string) {
	var pats []Pattern
	var css []CSS
	var dialed []string
	for site := range 50 {
		pt := fmt.Sprintf("PT-Site%02d", site)
		for i := range 1000 {
			n := fmt.Sprintf("%d%03d%03d", 2+site%8, site, i)
			pats = append(pats, Pattern{ID: n, Text: n, Partition: pt, Usage: UsageDevice, Devices: []string{"SEP" + n}})
			if i%97 == 0 {
				dialed = append(dialed, n)
			}
		}
		pats = append(pats, Pattern{Text: fmt.Sprintf("8%02dXXX", site), Partition: pt, Usage: UsageTranslation,
			CalledMask: fmt.Sprintf("%d%03dXXX", 2+site%8, site), CSS: "CSS-All"})
		css = append(css, CSS{Name: fmt.Sprintf("CSS-Site%02d", site), Partitions: []string{pt, "PT-PSTN", "PT-Block"}})
	}
	pats = append(pats,
		Pattern{Text: "9.@", Partition: "PT-PSTN", Usage: UsageRoute, Destination: "RL", DiscardDigits: "PreDot"},
		Pattern{Text: "9.1[2-9]XX[2-9]XXXXXX", Partition: "PT-PSTN", Usage: UsageRoute, Destination: "RL", DiscardDigits: "PreDot"},
		Pattern{Text: "9.011!", Partition: "PT-PSTN", Usage: UsageRoute, Destination: "RL", DiscardDigits: "PreDot"},
		Pattern{Text: "9.011!#", Partition: "PT-PSTN", Usage: UsageRoute, Destination: "RL", DiscardDigits: "PreDot Trailing-#"},
		Pattern{Text: "911", Partition: "PT-PSTN", Usage: UsageRoute, Destination: "RL", Urgent: true, IsEmergency: true},
		Pattern{Text: "9.1900XXXXXXX", Partition: "PT-Block", Usage: UsageRoute, Blocked: true},
	)
	all := CSS{Name: "CSS-All", Partitions: []string{"PT-PSTN"}}
	for _, c := range css {
		all.Partitions = append(all.Partitions, c.Partitions[0])
	}
	css = append(css, all)
	dialed = append(dialed, "914085551234", "9011442071234567#", "911", "919005551234", "95552345", "805123")
	return NewPlan(Data{
		Patterns:     pats,
		CSSes:        css,
		RouteLists:   []RouteList{{Name: "RL", Members: []RouteListMember{{RouteGroup: "RG"}}}},
		RouteGroups:  []RouteGroup{{Name: "RG", Devices: []string{"GW"}}},
		Registration: RegistrationMap{"GW": "Registered"},
	}), dialed
}

func BenchmarkAnalyze(b *testing.B) {
	plan, dialed := benchPlan()
	for _, mode := range []struct {
		name   string
		origin Origin
	}{
		{"keypad", Origin{LineCSS: "CSS-Site03", DeviceCSS: "CSS-All", CallingNumber: "5003001"}},
		{"enbloc", Origin{LineCSS: "CSS-Site03", DeviceCSS: "CSS-All", CallingNumber: "5003001", EnBloc: true}},
	} {
		b.Run(mode.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				r := Analyze(plan, mode.origin, dialed[i%len(dialed)])
				if r.Outcome == OutcomeInvalid {
					b.Fatal(r.Reason)
				}
				i++
			}
		})
	}
}

func BenchmarkNewPlan(b *testing.B) {
	for b.Loop() {
		benchPlan()
	}
}

// TestBenchPlan checks that the benchmark measures real work: every number it dials ends where
// the plan says it should.
func TestBenchPlan(t *testing.T) {
	plan, dialed := benchPlan()
	if p := plan.Problems(); len(p) > 0 {
		t.Fatalf("problems: %v", p)
	}
	o := Origin{LineCSS: "CSS-Site03", DeviceCSS: "CSS-All", CallingNumber: "5003001", EnBloc: true}
	for _, d := range dialed {
		r := Analyze(plan, o, d)
		want := OutcomeRouted
		if d == "919005551234" {
			want = OutcomeBlocked
		}
		if r.Outcome != want {
			t.Errorf("%s: %s (%s), want %s", d, r.Outcome, r.Reason, want)
		}
	}
}
