package analyze

import (
	"context"
	"time"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// ReportOptions tunes BuildReport.
type ReportOptions struct {
	// Rules supplies the rule texts (description, remediation, ...). Nil loads the built-ins plus
	// the rule folders the analysis itself used.
	Rules *RuleSet
	// TrendPoints is how many snapshots the trend shows (0: DefaultTrendPoints, <0: none).
	TrendPoints int
	// TopRisks is how many rules the summary names as top risks (0: 5).
	TopRisks int
	// Now stamps the report (zero: time.Now()).
	Now time.Time
	// ToolVersion is printed on the report.
	ToolVersion string
	// AnalysisID picks the analysis (0: the newest of the whole rule set, see ReportAnalysis).
	AnalysisID int64
	// Packs narrows the report to the rules of these packs (report --pack); nil keeps all.
	Packs []string
}

// BuildReport assembles the audit report of one snapshot from the snapshot and one analysis of
// it (opts.AnalysisID, by default the newest of the whole rule set), with the rules' texts. It
// fails with results.ErrNoAnalysis when the snapshot was never analysed.
func BuildReport(ctx context.Context, store *snapshot.Store, snapshotID int64, opts ReportOptions) (*results.Report, error) {
	meta, err := store.Get(ctx, snapshotID)
	if err != nil {
		return nil, err
	}
	an, err := results.ReportAnalysis(ctx, store, snapshotID, opts.AnalysisID)
	if err != nil {
		return nil, err
	}
	set := opts.Rules
	if set == nil {
		if set, err = LoadRules(an.RuleDirs...); err != nil {
			// The analysis ran with folders that have since moved: fall back to the stored texts.
			if set, err = LoadRules(); err != nil {
				return nil, err
			}
		}
	}
	if err := keepPacks(an, set, opts.Packs); err != nil {
		return nil, err
	}
	infos := map[string]results.RuleInfo{}
	for _, sr := range an.Rules {
		if r := set.Get(sr.ID); r != nil {
			infos[sr.ID] = r.Info(nil)
		}
	}
	rep, err := results.Assemble(ctx, store, meta, an, results.AssembleOptions{
		Rules: infos, Available: len(set.Rules), TrendPoints: opts.TrendPoints, TopRisks: opts.TopRisks,
		Now: opts.Now, ToolVersion: opts.ToolVersion,
	})
	if err != nil {
		return nil, err
	}
	rep.Compliance = compliance(rep, set)
	rep.Summary.Narrative = Narrate(rep)
	return rep, nil
}
