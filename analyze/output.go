package analyze

import (
	"context"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// Document builds the JSON contract of the result; failOn 0 means no threshold.
func (res *Result) Document(failOn results.Severity) results.ResultDocument {
	doc := results.ResultDocument{
		SchemaVersion: results.ResultSchemaVersion, AnalysisID: res.AnalysisID, Snapshot: res.Snapshot,
		StartedAt: res.StartedAt.UTC(), DurationMS: res.Duration.Milliseconds(), Waivers: res.Waivers,
		Rules: []results.RuleDocument{},
	}
	if failOn != 0 {
		doc.FailOn = failOn.String()
		doc.FailCount = res.CountAtLeast(failOn)
	}
	bySev := map[results.Severity]int{}
	for _, rr := range res.Rules {
		rd := results.RuleDocument{ID: rr.Rule.ID, Title: rr.Rule.Title, Severity: rr.Rule.Severity, Category: rr.Rule.Category,
			Outcome: rr.Outcome, Reason: rr.Reason, Params: rr.Rule.Info(rr.Params).Params, Findings: rr.Findings}
		if rd.Findings == nil {
			rd.Findings = []results.Finding{}
		}
		for _, f := range rr.Findings {
			if f.Open() {
				rd.Open++
				bySev[f.Severity]++
			} else {
				rd.Waived++
			}
		}
		doc.Findings += len(rr.Findings)
		doc.Summary.Open += rd.Open
		doc.Summary.Waived += rd.Waived
		doc.Summary.Rules++
		switch rr.Outcome {
		case results.OutcomePass:
			doc.Summary.Pass++
		case results.OutcomeFail:
			doc.Summary.Fail++
		case results.OutcomeInconclusive:
			doc.Summary.Inconclusive++
		case results.OutcomeError:
			doc.Summary.Error++
		}
		doc.Rules = append(doc.Rules, rd)
	}
	for _, s := range results.Severities() {
		doc.Open = append(doc.Open, results.SeverityCount{Severity: s, Count: bySev[s]})
	}
	return doc
}

// saveResult stores the result as the analysis the reports and the diff read back, and sets its
// id.
func saveResult(ctx context.Context, store *snapshot.Store, res *Result, opts Options) error {
	a := results.NewAnalysis{
		SnapshotID: res.Snapshot.ID, StartedAt: res.StartedAt, ToolVersion: opts.ToolVersion,
		Options: results.RunOptions{
			RuleDirs: opts.RuleDirs, Only: opts.Only, Skip: opts.Skip, Packs: opts.Packs, Available: res.Available, Params: opts.Params,
			WaiversFile: opts.WaiversFile, EOLFile: opts.EOLFile, Waivers: res.Waivers, DurationMS: res.Duration.Milliseconds(),
		},
	}
	if opts.Rules != nil {
		a.Options.RuleFiles = opts.Rules.Files
	}
	for _, rr := range res.Rules {
		a.Rules = append(a.Rules, results.StoredRule{ID: rr.Rule.ID, Title: rr.Rule.Title, Category: rr.Rule.Category,
			Severity: rr.Rule.Severity, Outcome: rr.Outcome, Reason: rr.Reason, Findings: len(rr.Findings),
			Params: rr.Rule.Info(rr.Params).Params})
		a.Findings = append(a.Findings, rr.Findings...)
	}
	id, err := results.SaveAnalysis(ctx, store, a)
	if err != nil {
		return err
	}
	res.AnalysisID = id
	return nil
}
