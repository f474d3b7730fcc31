package analyze

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// ComplianceWorst is how many failing rules a pack of the Compliance section names as its worst.
const ComplianceWorst = 3

var (
	cfrTag = regexp.MustCompile(`^(\d+)CFR(\S+)$`)
	isoTag = regexp.MustCompile(`^ISO(\d+)(?::(.*))?$`)
)

// ControlLabel writes a control tag as a reader expects it: "47CFR9.16" -> "47 CFR 9.16",
// "ISO27001:A.5.29" -> "ISO 27001 A.5.29", "CIS:1.1" -> "CIS 1.1"; other tags unchanged.
func ControlLabel(tag string) string {
	if m := cfrTag.FindStringSubmatch(tag); m != nil {
		return m[1] + " CFR " + m[2]
	}
	if m := isoTag.FindStringSubmatch(tag); m != nil {
		return strings.TrimSpace("ISO " + m[1] + " " + m[2])
	}
	if a, b, ok := strings.Cut(tag, ":"); ok && a != "" && b != "" {
		return a + " " + b
	}
	return tag
}

// keepPacks narrows a stored analysis to the rules of the named packs of set (report --pack).
// An unknown pack, or packs of which the analysis holds no rule, is a usage error naming the
// packs it holds: an empty report is never written.
func keepPacks(a *results.StoredAnalysis, set *RuleSet, names []string) error {
	if len(names) == 0 {
		return nil
	}
	in, err := set.InPacks(names)
	if err != nil {
		return &FlagError{fmt.Errorf("--pack %s: %w", strings.Join(names, ","), err)}
	}
	kept := slices.DeleteFunc(slices.Clone(a.Rules), func(r results.StoredRule) bool { return in.Get(r.ID) == nil })
	if len(kept) == 0 {
		var packs []string
		for _, r := range a.Rules {
			if rule := set.Get(r.ID); rule != nil && !slices.Contains(packs, rule.Pack) {
				packs = append(packs, rule.Pack)
			}
		}
		held := "no rule of the loaded packs"
		if len(packs) > 0 {
			held = "the packs " + strings.Join(packs, ", ")
		}
		return &FlagError{fmt.Errorf("--pack %s: analysis #%d holds no rule of these packs; it holds %s",
			strings.Join(in.PackNames(), ","), a.ID, held)}
	}
	if len(kept) < len(a.Rules) {
		a.Analysed = len(a.Rules)
	}
	a.Rules = kept
	a.Findings = slices.DeleteFunc(a.Findings, func(f results.Finding) bool { return in.Get(f.RuleID) == nil })
	for _, n := range in.PackNames() {
		if !slices.Contains(a.Packs, n) {
			a.Packs = append(a.Packs, n)
		}
	}
	return nil
}

// compliance builds the report's Compliance section from its rule outcomes and failing rules:
// one entry per compliance pack of set with at least one rule evaluated, in load order.
func compliance(rep *results.Report, set *RuleSet) []results.PackCompliance {
	sections := map[string]results.RuleSection{}
	for _, s := range rep.Rules {
		sections[s.Rule.ID] = s
	}
	out := []results.PackCompliance{}
	for _, p := range set.Packs {
		if !p.Compliance {
			continue
		}
		pc := results.PackCompliance{Pack: p.Name, Title: p.Title, Worst: []results.ComplianceRule{}, Unconcluded: []results.ComplianceRule{}, Controls: []results.ControlStatus{}}
		controls := map[string]*results.ControlStatus{}
		var failing []results.ComplianceRule
		evaluated := map[string]bool{}
		for _, o := range rep.Appendix.Rules {
			if o.Rule.Pack != p.Name {
				continue
			}
			evaluated[o.Rule.ID] = true
			pc.Rules++
			pc.Findings += o.Findings
			pc.Waived += o.Waived
			cr := results.ComplianceRule{RuleID: o.Rule.ID, Title: o.Rule.Title, Severity: o.Rule.Severity, Outcome: o.Outcome,
				Reason: o.Reason, Findings: o.Findings}
			for _, c := range o.Rule.Controls {
				cr.Controls = append(cr.Controls, ControlLabel(c))
				cs := controls[c]
				if cs == nil {
					cs = &results.ControlStatus{Control: c, Label: ControlLabel(c), Outcome: results.OutcomePass}
					controls[c] = cs
				}
				cs.Rules = append(cs.Rules, o.Rule.ID)
				cs.Outcome = worseOutcome(cs.Outcome, o.Outcome)
			}
			switch o.Outcome {
			case results.OutcomePass:
				pc.Pass++
			case results.OutcomeFail:
				pc.Fail++
				cr.Example = example(sections[o.Rule.ID])
				failing = append(failing, cr)
			case results.OutcomeInconclusive:
				pc.Inconclusive++
				pc.Unconcluded = append(pc.Unconcluded, cr)
			case results.OutcomeError:
				pc.Error++
				pc.Unconcluded = append(pc.Unconcluded, cr)
			}
		}
		if pc.Rules == 0 {
			continue
		}
		for _, r := range set.PackRules(p.Name) {
			if !evaluated[r.ID] {
				pc.NotEvaluated++
			}
		}
		switch {
		case pc.Fail > 0:
			pc.Outcome = results.OutcomeFail
		case pc.Inconclusive+pc.Error > 0:
			pc.Outcome = results.OutcomeInconclusive
		default:
			pc.Outcome = results.OutcomePass
		}
		sort.SliceStable(failing, func(i, j int) bool {
			if failing[i].Severity != failing[j].Severity {
				return failing[i].Severity > failing[j].Severity
			}
			if failing[i].Findings != failing[j].Findings {
				return failing[i].Findings > failing[j].Findings
			}
			return failing[i].RuleID < failing[j].RuleID
		})
		if len(failing) > ComplianceWorst {
			pc.MoreFailing = len(failing) - ComplianceWorst
			failing = failing[:ComplianceWorst]
		}
		pc.Worst = append(pc.Worst, failing...)
		for _, cs := range controls {
			pc.Controls = append(pc.Controls, *cs)
		}
		sort.Slice(pc.Controls, func(i, j int) bool { return pc.Controls[i].Label < pc.Controls[j].Label })
		out = append(out, pc)
	}
	return out
}

// worseOutcome ranks fail over a missing verdict (inconclusive, error) over pass.
func worseOutcome(a, b results.Outcome) results.Outcome {
	rank := func(o results.Outcome) int {
		switch o {
		case results.OutcomeFail:
			return 2
		case results.OutcomeInconclusive, results.OutcomeError:
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		if b == results.OutcomeError {
			return results.OutcomeInconclusive
		}
		return b
	}
	return a
}

// example names a failing rule's largest group, else its first finding.
func example(s results.RuleSection) string {
	if len(s.Groups) > 0 {
		g := s.Groups[0]
		return fmt.Sprintf("%s: %d", g.Key, g.Count)
	}
	if len(s.Findings) == 0 {
		return ""
	}
	if m := s.Findings[0].Message; m != "" {
		return m
	}
	return s.Findings[0].Entity
}
