package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// A partial snapshot (a node that did not answer, a RisPort class cut short, an AXL table not
// read) never yields plain numbers: a count from an incomplete source is a bound. This file holds
// the one vocabulary every format uses for that, the same as the change-window report's (≥ N,
// ≤ N, unknown), and the banner that names what was not read at the top of every format.

// Bound kinds, as the JSON report spells them.
const (
	boundExact = "exact"
	boundLower = "lower" // the true figure is at least the one shown (≥)
	boundUpper = "upper" // the true figure is at most the one shown (≤)
)

// bannerMaxGaps is how many unread sources the banner names before "and N more".
const bannerMaxGaps = 4

// PartialBanner names what the snapshot did not read completely, for the top of every report;
// "" when every source was read.
func PartialBanner(r *results.Report) string {
	var gaps []string
	for _, c := range r.DataQuality.Coverage {
		if c.Complete {
			continue
		}
		g := gapName(c.Source, c.Item)
		if c.Reason != "" {
			g += " (" + truncate(c.Reason, 80) + ")"
		}
		gaps = append(gaps, g)
	}
	if len(gaps) == 0 {
		return ""
	}
	more := ""
	if len(gaps) > bannerMaxGaps {
		more = fmt.Sprintf("; and %d more (see Data quality)", len(gaps)-bannerMaxGaps)
		gaps = gaps[:bannerMaxGaps]
	}
	return "Partial snapshot: not read completely: " + strings.Join(gaps, "; ") + more +
		". Figures from these sources are bounds (≥ at least, ≤ at most) or unknown, never exact counts."
}

// gapName names a coverage item for a reader: "RisPort node cucm-sub2", "AXL table device".
func gapName(source, item string) string {
	src := source
	switch source {
	case "risport":
		src = "RisPort"
	case "axl":
		src = "AXL"
	}
	kind, name, ok := strings.Cut(item, ":")
	if !ok {
		return src + " " + item
	}
	return src + " " + kind + " " + name
}

// regField is one registration figure of a class as shown: its value and how it bounds the truth.
type regField struct {
	Key   string // JSON name in results.ClassRegistration
	N     int
	Bound string
}

// regFields lists a class's RisPort figures with their bounds. Configured comes from AXL and is
// exact; with RisPort's view of the class incomplete, every status count (and seen) is a lower
// bound, since the devices not returned may have any status, and never seen is an upper bound,
// since a device on a node that did not answer looks never seen.
func regFields(c results.ClassRegistration) []regField {
	lower, upper := boundExact, boundExact
	if !c.Complete {
		lower, upper = boundLower, boundUpper
	}
	return []regField{
		{"seen", c.Seen, lower}, {"registered", c.Registered, lower}, {"unregistered", c.UnRegistered, lower},
		{"rejected", c.Rejected, lower}, {"partially_registered", c.PartiallyRegistered, lower},
		{"unknown", c.Unknown, lower}, {"never_seen", c.NeverSeen, upper},
	}
}

// boundText prints a figure with its bound: "85", "≥ 85", "≤ 12", or "unknown" for a lower bound
// of 0 (nothing was read, so nothing is known).
func boundText(s string, zero bool, bound string) string {
	switch {
	case bound == boundLower && zero:
		return "unknown"
	case bound == boundLower:
		return "≥ " + s
	case bound == boundUpper:
		return "≤ " + s
	}
	return s
}

// regRow is a class's registration row as text: configured, seen, registered, unregistered,
// rejected, partially registered, unknown, never seen, then the registration rate, with numbers
// printed by n.
func regRow(c results.ClassRegistration, n func(int) string) []string {
	out := []string{n(c.Configured)}
	for _, f := range regFields(c) {
		out = append(out, boundText(n(f.N), f.N == 0, f.Bound))
	}
	return append(out, regRate(c))
}

// regRate prints a class's registration rate, "≥ 37.7 %" when the registered count is a bound.
func regRate(c results.ClassRegistration) string {
	b := boundExact
	if !c.Complete {
		b = boundLower
	}
	return boundText(strconv.FormatFloat(100*c.RegistrationRate, 'f', 1, 64)+" %", c.Registered == 0, b)
}

// regChartLabel labels a class's registration bar: "679 of 1,377 registered (49.3 %)", with
// bounds when the class was read incompletely.
func regChartLabel(c results.ClassRegistration) string {
	reg := num(c.Registered)
	if !c.Complete {
		reg = boundText(reg, c.Registered == 0, boundLower)
	}
	return reg + " of " + num(c.Configured) + " registered (" + regRate(c) + ")"
}

// regXLSXRow is a class's registration row for the XLSX: numbers where exact, text where a bound
// (a "≥ 85" cell must never be summed as 85).
func regXLSXRow(c results.ClassRegistration) []any {
	complete := "yes"
	if !c.Complete {
		complete = "no: counts are bounds"
	}
	if c.Complete {
		return cells(c.Class, c.Configured, c.Seen, c.Registered, c.UnRegistered, c.Rejected,
			c.PartiallyRegistered, c.Unknown, c.NeverSeen, c.RegistrationRate, complete)
	}
	vals := []any{c.Class}
	for _, s := range regRow(c, strconv.Itoa) {
		vals = append(vals, s)
	}
	vals[1] = c.Configured
	return cells(append(vals, complete)...)
}

// regTotal is the whole cluster's registration figure: "37.7 %" and "(1,234 of 3,270)", or bounds
// when any class was read incompletely.
func regTotal(regs []results.ClassRegistration) (rate, of string) {
	reg, conf, exact := 0, 0, true
	for _, c := range regs {
		reg += c.Registered
		conf += c.Configured
		exact = exact && c.Complete
	}
	if conf == 0 {
		return "—", "0 of 0"
	}
	rate = fmt.Sprintf("%.1f %%", 100*float64(reg)/float64(conf))
	of = num(reg) + " of " + num(conf)
	if !exact {
		rate, of = boundText(rate, reg == 0, boundLower), boundText(num(reg), reg == 0, boundLower)+" of "+num(conf)
	}
	return rate, of
}

// jsonClassRegistration is a class's registration in the JSON report: the model's fields plus
// exact and, when not exact, the bound of every figure ("lower": at least, "upper": at most).
type jsonClassRegistration struct {
	results.ClassRegistration
	Exact  bool              `json:"exact"`
	Bounds map[string]string `json:"bounds,omitempty"`
}

// jsonSummary is the summary with bounded registration figures.
type jsonSummary struct {
	results.Summary
	Registration []jsonClassRegistration `json:"registration"`
}

// jsonBounds fills the JSON report's partial_banner and registration bounds.
func jsonBounds(rep *jsonReport, r *results.Report) {
	rep.Banner = PartialBanner(r)
	rep.Summary = jsonSummary{Summary: r.Summary}
	if r.Summary.Registration != nil {
		rep.Summary.Registration = []jsonClassRegistration{}
	}
	for _, c := range r.Summary.Registration {
		jc := jsonClassRegistration{ClassRegistration: c, Exact: c.Complete}
		if !c.Complete {
			jc.Bounds = map[string]string{"configured": boundExact, "registration_rate": boundLower}
			for _, f := range regFields(c) {
				jc.Bounds[f.Key] = f.Bound
			}
		}
		rep.Summary.Registration = append(rep.Summary.Registration, jc)
	}
}

// banner draws the partial-snapshot banner on page 1 of the PDF, in red, when there is one.
func (d *pdfDoc) banner() {
	if s := PartialBanner(d.rep); s != "" {
		d.f.SetY(d.f.GetY() + 1)
		d.para(s, "B", 10, colBad)
		d.f.SetY(d.f.GetY() + 2)
	}
}

// AnalysisText names the analysis a report shows: "#12 of 2026-11-24 07:41 UTC, whole rule
// set"; "" for a report built without one.
func AnalysisText(r *results.Report) string {
	a := r.Analysis
	if a.ID == 0 {
		return ""
	}
	scope := "whole rule set"
	if a.Selection {
		scope = "a selection of the rules (see Data quality)"
	}
	return fmt.Sprintf("#%d of %s, %s", a.ID, fmtTime(a.StartedAt), scope)
}

// boundFuncs are the template functions for bounded figures: banner (the partial-snapshot
// banner, "" when complete), regRow (a class's figures as bounded text) and regTotal.
func boundFuncs() map[string]any {
	return map[string]any{
		"banner":   PartialBanner,
		"analysis": AnalysisText,
		"regRow":   func(c results.ClassRegistration) []string { return regRow(c, strconv.Itoa) },
	}
}

// summaryOpenFindings counts the report's open findings, and those critical or high: the two figures
// the PDF and HTML summaries lead with.
func summaryOpenFindings(r *results.Report) (open, critHigh int) {
	for _, s := range r.Summary.FindingsBySeverity {
		open += s.Count
		if s.Severity >= results.SeverityHigh {
			critHigh += s.Count
		}
	}
	return open, critHigh
}

// dataQualityTroubled says whether the data-quality figure is shown as a problem: a coverage gap,
// an inconclusive rule or a rule error.
func dataQualityTroubled(r *results.Report) bool {
	return r.DataQuality.Gaps > 0 || len(r.DataQuality.Inconclusive) > 0 || len(r.DataQuality.Errors) > 0
}
