package results

import (
	"time"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

// ResultSchemaVersion is the version of the `cucm-audit analyze --format json` contract
// (documented in rules/README.md). Bump it on any change that is not a pure addition.
const ResultSchemaVersion = 1

// ResultDocument is the JSON form of one analysis: `cucm-audit analyze --format json`.
type ResultDocument struct {
	SchemaVersion int             `json:"schema_version"`
	AnalysisID    int64           `json:"analysis_id"`
	Snapshot      snapshot.Meta   `json:"snapshot"`
	StartedAt     time.Time       `json:"started_at"`
	DurationMS    int64           `json:"duration_ms"`
	FailOn        string          `json:"fail_on,omitempty"`
	FailCount     int             `json:"fail_count"` // open findings at or above fail_on (0 without fail_on)
	Summary       ResultSummary   `json:"summary"`
	Rules         []RuleDocument  `json:"rules"`
	Waivers       WaiverNotes     `json:"waivers"`
	Findings      int             `json:"findings"` // every finding, waived included
	Open          []SeverityCount `json:"open_by_severity"`
}

// ResultSummary counts rules by outcome and findings by state.
type ResultSummary struct {
	Rules        int `json:"rules"`
	Pass         int `json:"pass"`
	Fail         int `json:"fail"`
	Inconclusive int `json:"inconclusive"`
	Error        int `json:"error"`
	Open         int `json:"open_findings"`
	Waived       int `json:"waived_findings"`
}

// RuleDocument is one rule's outcome with its findings (waived ones carry their waiver).
type RuleDocument struct {
	ID       string            `json:"id"`
	Title    string            `json:"title"`
	Severity Severity          `json:"severity"`
	Category string            `json:"category"`
	Outcome  Outcome           `json:"outcome"`
	Reason   string            `json:"reason,omitempty"`
	Params   map[string]string `json:"params,omitempty"`
	Open     int               `json:"open"`
	Waived   int               `json:"waived"`
	Findings []Finding         `json:"findings"`
}
