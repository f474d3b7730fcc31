package analyze

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// ComplianceWorst is how many failing rules a pack of the Compliance section names as its worst.
const ComplianceWorst = 3

// PackCompliance is one compliance pack in the report's Compliance section: how its rules ended,
// its worst findings and the controls they map to.
type PackCompliance struct {
	Pack  string `json:"pack"`
	Title string `json:"title"`
	// Outcome is the pack's: fail when a rule failed, else inconclusive when a rule did not
	// conclude (inconclusive or error), else pass.
	Outcome      Outcome `json:"outcome"`
	Rules        int     `json:"rules"`         // rules of the pack evaluated
	NotEvaluated int     `json:"not_evaluated"` // rules of the pack the analysis left out (--only, --skip)
	Pass         int     `json:"pass"`
	Fail         int     `json:"fail"`
	Inconclusive int     `json:"inconclusive"`
	Error        int     `json:"error"`
	Findings     int     `json:"findings"` // open findings
	Waived       int     `json:"waived"`
	// Worst are the failing rules, most severe first, then most findings; the first
	// ComplianceWorst of them.
	Worst []ComplianceRule `json:"worst"`
	// MoreFailing is how many failing rules Worst leaves out.
	MoreFailing int `json:"more_failing,omitempty"`
	// Unconcluded are the rules that reached no verdict (inconclusive or error), with the reason.
	Unconcluded []ComplianceRule `json:"unconcluded"`
	// Controls are the control tags of the pack's evaluated rules, by label.
	Controls []ControlStatus `json:"controls"`
}

// ComplianceRule is one rule of a compliance pack as the section names it.
type ComplianceRule struct {
	RuleID   string   `json:"rule_id"`
	Title    string   `json:"title"`
	Severity Severity `json:"severity"`
	Outcome  Outcome  `json:"outcome"`
	Reason   string   `json:"reason,omitempty"` // why inconclusive or error
	Findings int      `json:"findings"`         // open findings
	// Example is the largest group of its findings ("vg320-old · Rejected: 44") or its first
	// finding's message; "" when it has none.
	Example  string   `json:"example,omitempty"`
	Controls []string `json:"controls,omitempty"` // control labels (ControlLabel)
}

// ControlStatus is one control and how the rules mapped to it ended.
type ControlStatus struct {
	Control string   `json:"control"` // the tag as the rules write it: "47CFR9.16"
	Label   string   `json:"label"`   // as a reader writes it: "47 CFR 9.16"
	Outcome Outcome  `json:"outcome"` // fail when one of its rules failed, else inconclusive, else pass
	Rules   []string `json:"rules"`   // ids of the evaluated rules mapped to it
}

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
func (a *StoredAnalysis) keepPacks(set *RuleSet, names []string) error {
	if len(names) == 0 {
		return nil
	}
	in, err := set.InPacks(names)
	if err != nil {
		return err
	}
	a.Rules = slices.DeleteFunc(a.Rules, func(r StoredRule) bool { return in.Get(r.ID) == nil })
	a.Findings = slices.DeleteFunc(a.Findings, func(f Finding) bool { return in.Get(f.RuleID) == nil })
	for _, n := range in.PackNames() {
		if !slices.Contains(a.Packs, n) {
			a.Packs = append(a.Packs, n)
		}
	}
	return nil
}

// compliance builds the report's Compliance section from its rule outcomes and failing rules:
// one entry per compliance pack of set with at least one rule evaluated, in load order.
func compliance(rep *Report, set *RuleSet) []PackCompliance {
	sections := map[string]RuleSection{}
	for _, s := range rep.Rules {
		sections[s.Rule.ID] = s
	}
	out := []PackCompliance{}
	for _, p := range set.Packs {
		if !p.Compliance {
			continue
		}
		pc := PackCompliance{Pack: p.Name, Title: p.Title, Worst: []ComplianceRule{}, Unconcluded: []ComplianceRule{}, Controls: []ControlStatus{}}
		controls := map[string]*ControlStatus{}
		var failing []ComplianceRule
		evaluated := map[string]bool{}
		for _, o := range rep.Appendix.Rules {
			if o.Rule.Pack != p.Name {
				continue
			}
			evaluated[o.Rule.ID] = true
			pc.Rules++
			pc.Findings += o.Findings
			pc.Waived += o.Waived
			cr := ComplianceRule{RuleID: o.Rule.ID, Title: o.Rule.Title, Severity: o.Rule.Severity, Outcome: o.Outcome,
				Reason: o.Reason, Findings: o.Findings}
			for _, c := range o.Rule.Controls {
				cr.Controls = append(cr.Controls, ControlLabel(c))
				cs := controls[c]
				if cs == nil {
					cs = &ControlStatus{Control: c, Label: ControlLabel(c), Outcome: OutcomePass}
					controls[c] = cs
				}
				cs.Rules = append(cs.Rules, o.Rule.ID)
				cs.Outcome = worseOutcome(cs.Outcome, o.Outcome)
			}
			switch o.Outcome {
			case OutcomePass:
				pc.Pass++
			case OutcomeFail:
				pc.Fail++
				cr.Example = example(sections[o.Rule.ID])
				failing = append(failing, cr)
			case OutcomeInconclusive:
				pc.Inconclusive++
				pc.Unconcluded = append(pc.Unconcluded, cr)
			case OutcomeError:
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
			pc.Outcome = OutcomeFail
		case pc.Inconclusive+pc.Error > 0:
			pc.Outcome = OutcomeInconclusive
		default:
			pc.Outcome = OutcomePass
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
func worseOutcome(a, b Outcome) Outcome {
	rank := func(o Outcome) int {
		switch o {
		case OutcomeFail:
			return 2
		case OutcomeInconclusive, OutcomeError:
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		if b == OutcomeError {
			return OutcomeInconclusive
		}
		return b
	}
	return a
}

// example names a failing rule's largest group, else its first finding.
func example(s RuleSection) string {
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
