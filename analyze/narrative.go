package analyze

import (
	"fmt"
	"strings"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// GroupSentence says one group in a line: "vg320-old: 34 of 44 endpoints of the gateway ·
// reason ConfigurationMismatch · node cucm-sub3".
func GroupSentence(g results.FindingGroup) string {
	if len(g.Fields) == 0 {
		return plural(g.Count, "finding")
	}
	var b strings.Builder
	b.WriteString(g.Fields[0].Value)
	b.WriteString(": ")
	if g.Of > 0 {
		fmt.Fprintf(&b, "%s of %s %s", thousands(g.Count), thousands(g.Of), results.GroupNoun(g.Fields[0].Name))
	} else {
		b.WriteString(plural(g.Count, "finding"))
	}
	for _, f := range g.Fields[1:] {
		fmt.Fprintf(&b, " · %s %s", strings.ReplaceAll(f.Name, "_", " "), f.Value)
	}
	return b.String()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return thousands(n) + " " + word + "s"
}

func were(n int) string {
	if n == 1 {
		return " was"
	}
	return " were"
}

func pct(part, whole int) string {
	if whole == 0 {
		return "0 %"
	}
	return fmt.Sprintf("%.1f %%", 100*float64(part)/float64(whole))
}

// joinAnd joins "a", "b" and "c" as "a, b and c".
func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// licenceTiers are Cisco's user licence tiers, lowest first (rules/licensing.yaml).
var licenceTiers = []string{"Essential", "Basic", "Enhanced", "Enhanced Plus", "CUWL"}

// reclaimable says, when LIC-003 ran, how many licences phones unregistered for its days could
// give back, per tier, and how many holders would drop to a lower tier; "" when it did not run
// or reached no verdict.
func reclaimable(r *results.Report) string {
	var days string
	ran, failed := false, false
	for _, o := range r.Appendix.Rules {
		if o.Rule.ID == "LIC-003" {
			ran, failed = o.Outcome == results.OutcomePass || o.Outcome == results.OutcomeFail, o.Outcome == results.OutcomeFail
			days = o.Rule.Params["days"]
		}
	}
	if !ran {
		return ""
	}
	if days == "" {
		days = "90"
	}
	freed, lower := map[string]int{}, 0
	if failed {
		for _, sec := range r.Rules {
			if sec.Rule.ID != "LIC-003" {
				continue
			}
			for _, f := range sec.Findings {
				ev := map[string]string{}
				for _, e := range f.Evidence {
					ev[e.Name] = e.Value
				}
				if ev["tier_after"] == "" {
					freed[ev["tier"]]++
				} else if ev["tier_after"] != ev["tier"] {
					lower++
				}
			}
		}
	}
	var parts []string
	for i := len(licenceTiers) - 1; i >= 0; i-- {
		if n := freed[licenceTiers[i]]; n > 0 {
			parts = append(parts, thousands(n)+" "+licenceTiers[i])
		}
	}
	s := "licences reclaimable from phones unregistered for " + days + " days or more: "
	if len(parts) == 0 {
		s += "none"
	} else {
		s += joinAnd(parts)
	}
	if lower > 0 {
		s += fmt.Sprintf(" (and %s would drop to a lower tier)", plural(lower, "user"))
	}
	return s
}

// narrativeRisks is how many rules the summary names.
const narrativeRisks = 3

// Narrate writes the executive summary of an audit report in three to five sentences: the
// state of registration, the most serious risks by count and cause, what changed since the
// previous audit, what the auditor could not see, and the areas' scores.
func Narrate(r *results.Report) []string {
	var out []string
	// Registration.
	var conf, reg, never, rejected int
	var incomplete []string
	for _, c := range r.Summary.Registration {
		conf += c.Configured
		reg += c.Registered
		never += c.NeverSeen
		rejected += c.Rejected
		if !c.Complete {
			incomplete = append(incomplete, c.Class)
		}
	}
	if conf > 0 {
		s := fmt.Sprintf("Of %s devices configured in CUCM, %s (%s) were registered when the snapshot was taken (%s UTC)",
			thousands(conf), thousands(reg), pct(reg, conf), r.Snapshot.StartedAt.UTC().Format("2006-01-02 15:04"))
		var notes []string
		if never > 0 {
			notes = append(notes, thousands(never)+were(never)+" never seen by RisPort")
		}
		if rejected > 0 {
			notes = append(notes, thousands(rejected)+were(rejected)+" rejected")
		}
		if len(notes) > 0 {
			s += "; " + joinAnd(notes)
		}
		if len(incomplete) > 0 {
			s += " (RisPort did not answer fully for " + joinAnd(incomplete) + ": its counts there are lower bounds)"
		}
		if l := reclaimable(r); l != "" {
			s += "; " + l
		}
		out = append(out, s+".")
	} else if l := reclaimable(r); l != "" {
		out = append(out, strings.ToUpper(l[:1])+l[1:]+".")
	}
	// Risks.
	if len(r.Rules) == 0 {
		out = append(out, "No rule found an open problem.")
	} else {
		// The most serious first, and among them the most findings (Summary.TopRisks' order).
		secs := make([]results.RuleSection, 0, len(r.Rules))
		byID := map[string]int{}
		for i, s := range r.Rules {
			byID[s.Rule.ID] = i
		}
		for _, t := range r.Summary.TopRisks {
			if i, ok := byID[t.RuleID]; ok {
				secs = append(secs, r.Rules[i])
			}
		}
		if len(secs) == 0 {
			secs = r.Rules
		}
		var risks []string
		for i, s := range secs {
			if i == narrativeRisks {
				break
			}
			t := fmt.Sprintf("%s %s (%s, %s)", s.Rule.ID, s.Rule.Title, plural(len(s.Findings), "finding"), s.Rule.Severity)
			switch {
			case len(s.Groups) == 0 || len(s.Findings) < 2:
			case s.Groups[0].Count == len(s.Findings):
				t += ", all " + GroupSentence(s.Groups[0])
			default:
				t += ", the largest group " + GroupSentence(s.Groups[0])
			}
			risks = append(risks, t)
		}
		lead := "The most serious risks are "
		if len(risks) == 1 {
			lead = "The only open risk is "
		}
		out = append(out, lead+strings.Join(risks, "; ")+".")
	}
	// Change.
	if c := r.Summary.Change; c == nil {
		out = append(out, "This is the first snapshot of the cluster: there is no earlier audit to compare with.")
	} else {
		s := fmt.Sprintf("Since the previous snapshot (#%d)", c.PreviousID)
		var parts []string
		if c.FindingsNotCompared {
			parts = append(parts, "findings could not be compared (one side was never analysed)")
		} else {
			parts = append(parts, plural(c.NewFindings, "new finding"), thousands(c.ResolvedFindings)+" resolved")
		}
		parts = append(parts, fmt.Sprintf("registered devices %+d", c.RegisteredDelta))
		if c.DevicesAdded > 0 || c.DevicesRemoved > 0 {
			parts = append(parts, plural(c.DevicesAdded, "device")+" added", thousands(c.DevicesRemoved)+" removed")
		}
		out = append(out, s+": "+joinAnd(parts)+".")
	}
	// What the auditor could not see.
	var blind []string
	for _, c := range r.DataQuality.Coverage {
		if !c.Complete && len(blind) < 3 {
			item := c.Source + " " + c.Item
			if c.Reason != "" {
				item += " (" + c.Reason + ")"
			}
			blind = append(blind, item)
		}
	}
	if n := r.DataQuality.Gaps - len(blind); n > 0 {
		blind = append(blind, fmt.Sprintf("%d more sources", n))
	}
	unsure := len(r.DataQuality.Inconclusive) + len(r.DataQuality.Errors)
	switch {
	case len(blind) == 0 && unsure == 0:
		out = append(out, "The auditor read every source completely and every rule reached a verdict.")
	default:
		var s []string
		if len(blind) > 0 {
			s = append(s, "could not read "+joinAnd(blind))
		}
		if unsure > 0 {
			var ids []string
			for _, o := range append(append([]results.RuleOutcome(nil), r.DataQuality.Inconclusive...), r.DataQuality.Errors...) {
				ids = append(ids, o.Rule.ID)
			}
			s = append(s, fmt.Sprintf("%s no verdict (%s)", plural(unsure, "rule")+" reached", strings.Join(ids, ", ")))
		}
		if len(blind) == 0 {
			out = append(out, "The auditor read every source completely; "+s[0]+".")
		} else {
			out = append(out, "The auditor "+joinAnd(s)+".")
		}
	}
	if sel := r.DataQuality.Selection; sel != nil && sel.Analysed > 0 {
		// report --pack: the analysis evaluated more rules than the report shows.
		out[len(out)-1] = strings.TrimSuffix(out[len(out)-1], ".") + fmt.Sprintf("; this report shows %d of %d rules.", sel.Evaluated, sel.Analysed)
	} else if sel != nil {
		out[len(out)-1] = strings.TrimSuffix(out[len(out)-1], ".") + fmt.Sprintf("; only %d of %d rules were evaluated.", sel.Evaluated, sel.Available)
	}
	// Scores.
	if len(r.Summary.Scores) > 0 {
		var parts []string
		for _, s := range r.Summary.Scores {
			p := fmt.Sprintf("%s %d", s.Area, s.Score)
			if n := len(s.Trend); n >= 2 && s.Trend[0].Score != s.Score {
				p += fmt.Sprintf(" (%d at snapshot #%d)", s.Trend[0].Score, s.Trend[0].SnapshotID)
			}
			parts = append(parts, p)
		}
		out = append(out, "Scores out of 100: "+joinAnd(parts)+".")
	}
	return out
}
