package results

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

// AreaScore is one area's score, 0-100, with the formula of ScoreFormula.
type AreaScore struct {
	Area         string       `json:"area"`
	Score        int          `json:"score"`
	Rules        int          `json:"rules"`        // rules of the area evaluated
	Failing      int          `json:"failing"`      // of which with open findings
	Inconclusive int          `json:"inconclusive"` // of which could not conclude: the score is then an upper bound
	Trend        []ScorePoint `json:"trend,omitempty"`
}

// ScorePoint is an area's score on one earlier (or this) snapshot.
type ScorePoint struct {
	SnapshotID int64     `json:"snapshot_id"`
	At         time.Time `json:"at"`
	Score      int       `json:"score"`
}

// ScoreFormula says how an area's score is computed, for the reports and the README.
const ScoreFormula = "score = max(0, 100 - sum over the area's failing rules of weight x (1 + 4 x share)), " +
	"weight critical 10, high 5, medium 3, low 1, info 0, share = open findings / configured devices (at most 1)"

var scoreWeight = map[Severity]float64{SeverityCritical: 10, SeverityHigh: 5, SeverityMedium: 3, SeverityLow: 1, SeverityInfo: 0}

// areaOf maps a rule category to the area it scores in; "" for none (data quality is reported
// apart). Categories of other packs (compliance) are areas of their own.
func areaOf(category string) string {
	switch category {
	case "firmware", "lifecycle":
		return "lifecycle"
	case "dataquality", "data-quality", "":
		return ""
	}
	return category
}

var areaOrder = map[string]int{"registration": 0, "redundancy": 1, "lifecycle": 2, "inventory": 3}

// ruleTally is what a score needs of one rule's outcome.
type ruleTally struct {
	category string
	severity Severity
	outcome  Outcome
	open     int
}

// scoreAreas scores every area with at least one evaluated rule, in a fixed order.
func scoreAreas(rules []ruleTally, configured int) []AreaScore {
	by := map[string]*AreaScore{}
	penalty := map[string]float64{}
	for _, r := range rules {
		a := areaOf(r.category)
		if a == "" {
			continue
		}
		s := by[a]
		if s == nil {
			s = &AreaScore{Area: a}
			by[a] = s
		}
		s.Rules++
		switch r.outcome {
		case OutcomeInconclusive, OutcomeError:
			s.Inconclusive++
		case OutcomeFail:
			if r.open == 0 {
				continue // every finding waived
			}
			s.Failing++
			share := 1.0
			if configured > 0 {
				share = math.Min(1, float64(r.open)/float64(configured))
			}
			penalty[a] += scoreWeight[r.severity] * (1 + 4*share)
		}
	}
	out := make([]AreaScore, 0, len(by))
	for a, s := range by {
		s.Score = int(math.Max(0, math.Round(100-penalty[a])))
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool {
		oi, iok := areaOrder[out[i].Area]
		oj, jok := areaOrder[out[j].Area]
		switch {
		case iok && jok:
			return oi < oj
		case iok != jok:
			return iok
		}
		return out[i].Area < out[j].Area
	})
	return out
}

// ScoreReport scores the report's areas from its rule outcomes and configured devices.
func ScoreReport(r *Report) []AreaScore {
	configured := 0
	for _, c := range r.Summary.Registration {
		configured += c.Configured
	}
	tallies := make([]ruleTally, 0, len(r.Appendix.Rules))
	for _, o := range r.Appendix.Rules {
		tallies = append(tallies, ruleTally{o.Rule.Category, o.Rule.Severity, o.Outcome, o.Findings})
	}
	scores := scoreAreas(tallies, configured)
	for i := range scores {
		for _, p := range r.Trend {
			if v, ok := p.Scores[scores[i].Area]; ok {
				scores[i].Trend = append(scores[i].Trend, ScorePoint{SnapshotID: p.SnapshotID, At: p.At, Score: v})
			}
		}
	}
	return scores
}

// storedScores scores one stored analysis, for the trend.
func storedScores(ctx context.Context, store *snapshot.Store, snapshotID, analysisID int64) (map[string]int, error) {
	db := store.DB()
	var configured int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM axl_device WHERE snapshot_id = ? AND ris_class <> ''`, snapshotID).Scan(&configured); err != nil {
		return nil, fmt.Errorf("scoring snapshot %d: %w", snapshotID, err)
	}
	rows, err := db.QueryContext(ctx, `SELECT r.category, r.severity, r.status,
		(SELECT COUNT(*) FROM finding f WHERE f.analysis_id = r.analysis_id AND f.rule_id = r.rule_id AND f.waived = 0)
		FROM rule_result r WHERE r.analysis_id = ?`, analysisID)
	if err != nil {
		return nil, fmt.Errorf("scoring snapshot %d: %w", snapshotID, err)
	}
	defer rows.Close()
	var tallies []ruleTally
	for rows.Next() {
		var t ruleTally
		var sev, status string
		if err := rows.Scan(&t.category, &sev, &status, &t.open); err != nil {
			return nil, fmt.Errorf("scoring snapshot %d: %w", snapshotID, err)
		}
		if t.severity, err = ParseSeverity(sev); err != nil {
			return nil, fmt.Errorf("scoring snapshot %d: %w", snapshotID, err)
		}
		t.outcome = Outcome(status)
		tallies = append(tallies, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("scoring snapshot %d: %w", snapshotID, err)
	}
	var out map[string]int // nil when no rule scores
	for _, s := range scoreAreas(tallies, configured) {
		if out == nil {
			out = map[string]int{}
		}
		out[s.Area] = s.Score
	}
	return out, nil
}
