package results

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
	// analyze.ComplianceWorst of them.
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
	Controls []string `json:"controls,omitempty"` // control labels (analyze.ControlLabel)
}

// ControlStatus is one control and how the rules mapped to it ended.
type ControlStatus struct {
	Control string   `json:"control"` // the tag as the rules write it: "47CFR9.16"
	Label   string   `json:"label"`   // as a reader writes it: "47 CFR 9.16"
	Outcome Outcome  `json:"outcome"` // fail when one of its rules failed, else inconclusive, else pass
	Rules   []string `json:"rules"`   // ids of the evaluated rules mapped to it
}
