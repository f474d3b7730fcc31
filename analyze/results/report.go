package results

import (
	"time"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

// ReportSchemaVersion is the version of the JSON report contract. Bump it on any change that
// is not a pure addition.
const ReportSchemaVersion = 1

// Report is everything a renderer lays out: one model for PDF, XLSX, Markdown and JSON.
// Renderers never query the database; what is not in the Report is not in any report.
type Report struct {
	SchemaVersion int           `json:"schema_version"`
	Kind          string        `json:"kind"` // "audit" or "change-window"
	GeneratedAt   time.Time     `json:"generated_at"`
	ToolVersion   string        `json:"tool_version"`
	Snapshot      snapshot.Meta `json:"snapshot"`
	Analysis      AnalysisRef   `json:"analysis"` // the analysis whose results the report shows
	Summary       Summary       `json:"summary"`
	DataQuality   DataQuality   `json:"data_quality"`
	Rules         []RuleSection `json:"rules"` // rules with findings (fail), most severe first
	// Compliance is the Compliance section: one entry per compliance pack evaluated; absent
	// when the analysis evaluated none.
	Compliance []PackCompliance `json:"compliance,omitempty"`
	Waived     []Finding        `json:"waived"` // waived findings, apart
	Waivers    WaiverNotes      `json:"waivers"`
	Appendix   Appendix         `json:"appendix"`
	Diff       *Diff            `json:"diff,omitempty"` // change-window reports, and change since the previous snapshot
	Trend      []TrendPoint     `json:"trend,omitempty"`
}

// AnalysisRef names the analysis a report shows. By default it is the snapshot's newest analysis
// of the whole rule set; `report --analysis ID` picks another.
type AnalysisRef struct {
	ID        int64     `json:"id"`
	StartedAt time.Time `json:"started_at"`
	// Selection is set when the analysis evaluated only some rules (--only, --skip).
	Selection bool `json:"selection,omitempty"`
}

// Summary is the executive summary.
type Summary struct {
	FindingsBySeverity []SeverityCount       `json:"findings_by_severity"` // every severity, most serious first
	Registration       []ClassRegistration   `json:"registration"`         // per RisPort device class
	RisByClassStatus   []snapshot.ClassCount `json:"ris_by_class_status"`
	TopRisks           []TopRisk             `json:"top_risks"`
	Change             *ChangeSummary        `json:"change,omitempty"`
	// Narrative is the executive summary in words: three to five sentences for a reader who
	// reads nothing else (Narrate).
	Narrative []string `json:"narrative,omitempty"`
	// Scores are the areas' scores, 0-100 (ScoreFormula), with their trend.
	Scores []AreaScore `json:"scores,omitempty"`
}

// SeverityCount is the number of open (not waived) findings of one severity.
type SeverityCount struct {
	Severity Severity `json:"severity"`
	Count    int      `json:"count"`
}

// ClassRegistration compares AXL and RisPort for one device class.
type ClassRegistration struct {
	Class               string  `json:"class"`
	Configured          int     `json:"configured"` // devices in AXL
	Seen                int     `json:"seen"`       // devices RisPort returned
	Registered          int     `json:"registered"`
	UnRegistered        int     `json:"unregistered"`
	Rejected            int     `json:"rejected"`
	PartiallyRegistered int     `json:"partially_registered"`
	Unknown             int     `json:"unknown"`
	NeverSeen           int     `json:"never_seen"`        // in AXL, absent from RisPort
	RegistrationRate    float64 `json:"registration_rate"` // registered / configured, 0..1
	Complete            bool    `json:"complete"`          // RisPort coverage of the class was complete
}

// TopRisk is one rule among the most serious with open findings.
type TopRisk struct {
	RuleID   string   `json:"rule_id"`
	Title    string   `json:"title"`
	Severity Severity `json:"severity"`
	Count    int      `json:"count"`
}

// ChangeSummary is the change since the previous snapshot of the same cluster.
type ChangeSummary struct {
	PreviousID       int64 `json:"previous_id"`
	NewFindings      int   `json:"new_findings"`
	ResolvedFindings int   `json:"resolved_findings"`
	RegisteredDelta  int   `json:"registered_delta"`
	DevicesAdded     int   `json:"devices_added"`
	DevicesRemoved   int   `json:"devices_removed"`
	// FindingsNotCompared is set when the previous snapshot (or this one) has no analysis:
	// NewFindings and ResolvedFindings are then unknown, not zero.
	FindingsNotCompared bool `json:"findings_not_compared,omitempty"`
}

// DataQuality tells what the snapshot could not see and which rules could not conclude.
type DataQuality struct {
	Coverage     []snapshot.Coverage `json:"coverage"` // every source, gaps first
	Gaps         int                 `json:"gaps"`
	Nodes        []ClusterNode       `json:"nodes"` // every cluster node AXL lists, with what RisPort said of it
	Inconclusive []RuleOutcome       `json:"inconclusive"`
	Errors       []RuleOutcome       `json:"errors"`
	// Selection is set when the analysis ran a subset of the rules (--only, --skip): the report
	// then covers only those rules and must say so.
	Selection *RuleSelection `json:"selection,omitempty"`
}

// ClusterNode is one server of the cluster and what the snapshot's RisPort pass said of it. IM
// and Presence nodes run no call processing and answer no RisPort query: they are listed as
// such, never as a gap.
type ClusterNode struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Role        string `json:"role"` // "Unified CM" or "IM and Presence"
	Publisher   bool   `json:"publisher"`
	Active      bool   `json:"active"`
	// RisPort is "N devices listed", "no devices listed", "incomplete: <reason>", "not read" (no
	// coverage record) or "not applicable" (an IM and Presence node).
	RisPort string `json:"risport"`
}

// RuleSelection describes an analysis that evaluated only some of the available rules.
type RuleSelection struct {
	Only      []string `json:"only,omitempty"`  // --only ids or categories
	Skip      []string `json:"skip,omitempty"`  // --skip ids or categories
	Packs     []string `json:"packs,omitempty"` // --pack of the analysis or of the report
	Evaluated int      `json:"evaluated"`       // rules evaluated
	Available int      `json:"available"`       // rules loaded before the selection
	// Analysed is how many rules the analysis evaluated when report --pack shows only
	// Evaluated of them; absent otherwise.
	Analysed int `json:"analysed,omitempty"`
}

// RuleInfo is a rule's text as the reader needs it.
type RuleInfo struct {
	ID          string            `json:"id"`
	Title       string            `json:"title"`
	Severity    Severity          `json:"severity"`
	Category    string            `json:"category"`
	Pack        string            `json:"pack,omitempty"` // the rule's pack (rules/README.md)
	Description string            `json:"description"`
	Rationale   string            `json:"rationale,omitempty"`
	Remediation string            `json:"remediation"`
	References  []string          `json:"references,omitempty"`
	Controls    []string          `json:"controls,omitempty"`
	Params      map[string]string `json:"params,omitempty"` // values in force
	// GroupBy names the fields whose values together are the cause findings share
	// (Rule.GroupBy); empty when the rule's findings are not grouped.
	GroupBy []string `json:"group_by,omitempty"`
}

// Outcome is how one rule ended on one snapshot.
type Outcome string

// Rule outcomes.
const (
	OutcomePass         Outcome = "pass"
	OutcomeFail         Outcome = "fail"
	OutcomeInconclusive Outcome = "inconclusive"
	OutcomeError        Outcome = "error"
)

// RuleOutcome is one rule's result without its findings.
type RuleOutcome struct {
	Rule     RuleInfo `json:"rule"`
	Outcome  Outcome  `json:"outcome"`
	Reason   string   `json:"reason,omitempty"`
	Findings int      `json:"findings"` // open findings
	Waived   int      `json:"waived"`
}

// RuleSection is one failing rule with its open findings.
type RuleSection struct {
	Rule     RuleInfo  `json:"rule"`
	Findings []Finding `json:"findings"`
	// Groups are the findings grouped by the rule's GroupBy fields, largest first; empty when
	// the rule does not group. Every finding is in exactly one group (Finding.Group).
	Groups []FindingGroup `json:"groups,omitempty"`
}

// FindingGroup is the findings of one rule that share a cause: the same values of the rule's
// GroupBy fields.
type FindingGroup struct {
	Key    string  `json:"key"`    // the values joined by " · ", as Finding.Group
	Fields []Field `json:"fields"` // the GroupBy fields and their shared values
	Count  int     `json:"count"`  // open findings in the group
	// Of is how many configured devices share the group's first field (the endpoints of the
	// gateway, the devices of the pool or model) when that field is a device attribute; 0 when
	// unknown.
	Of      int      `json:"of,omitempty"`
	Members []string `json:"members"` // the first few entities, for a reader; the findings hold all
}

// Where locates a finding's entity when it is a configured device: what a team filters by
// site. Empty fields are unknown.
type Where struct {
	DevicePool  string `json:"device_pool,omitempty"`
	Location    string `json:"location,omitempty"`
	Owner       string `json:"owner,omitempty"`
	Node        string `json:"node,omitempty"` // the node RisPort saw the device on
	Model       string `json:"model,omitempty"`
	Description string `json:"description,omitempty"`
	IP          string `json:"ip,omitempty"`
}

// Finding is one affected entity.
type Finding struct {
	RuleID      string   `json:"rule_id"`
	Severity    Severity `json:"severity"`
	Entity      string   `json:"entity"`
	Fingerprint string   `json:"fingerprint"`
	Message     string   `json:"message,omitempty"`
	Evidence    []Field  `json:"evidence"` // in the rule query's column order
	Waiver      *Waiver  `json:"waiver,omitempty"`
	// Group is the key of the FindingGroup the finding belongs to ("" when its rule does not
	// group); Where locates the entity when it is a configured device. Both are filled by
	// BuildReport, not stored with the finding.
	Group string `json:"group,omitempty"`
	Where *Where `json:"where,omitempty"`
}

// Open reports whether the finding still counts: not waived (an expired waiver does not count).
func (f Finding) Open() bool { return f.Waiver == nil || f.Waiver.Expired }

// Field is one named evidence value.
type Field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Waiver is an accepted risk.
type Waiver struct {
	Rule      string `json:"rule"`
	Entity    string `json:"entity"` // glob pattern
	Statement string `json:"statement"`
	Owner     string `json:"owner"`
	Expires   string `json:"expires"` // YYYY-MM-DD
	Expired   bool   `json:"expired,omitempty"`
}

// WaiverNotes lists waivers that no longer apply or match nothing.
type WaiverNotes struct {
	Expired []Waiver `json:"expired"` // their findings are back among the open ones
	Stale   []Waiver `json:"stale"`   // matched no finding
}

// Appendix holds the reference material at the end of a report.
type Appendix struct {
	Rules       []RuleOutcome `json:"rules"` // every rule evaluated, with parameters
	ModelCounts []ModelCount  `json:"model_counts"`
}

// ModelCount is the number of configured devices of one model.
type ModelCount struct {
	Class string `json:"class"`
	Model string `json:"model"`
	Count int    `json:"count"`
}

// TrendPoint is one snapshot in the cluster's history.
type TrendPoint struct {
	SnapshotID         int64            `json:"snapshot_id"`
	At                 time.Time        `json:"at"`
	RegisteredByClass  map[string]int   `json:"registered_by_class"`
	FindingsBySeverity map[Severity]int `json:"findings_by_severity"` // open findings; nil when not analyzed
	Analyzed           bool             `json:"analyzed"`             // the snapshot has an analysis run
	Scores             map[string]int   `json:"scores,omitempty"`     // area scores (AreaScore); nil when not analyzed
}

// DiffSchemaVersion versions the JSON of `cucm-audit diff --format json`: a Diff with
// "schema_version" beside its fields. Fields are only ever added within a version.
const DiffSchemaVersion = 1

// Diff compares two snapshots of the same cluster.
type Diff struct {
	Before       snapshot.Meta  `json:"before"`
	After        snapshot.Meta  `json:"after"`
	Added        []DeviceRef    `json:"devices_added"`
	Removed      []DeviceRef    `json:"devices_removed"`
	Changed      []DeviceChange `json:"devices_changed"`
	NewFindings  []Finding      `json:"findings_new"`
	Resolved     []Finding      `json:"findings_resolved"`
	Persisting   int            `json:"findings_persisting"`
	Registration []ClassDelta   `json:"registration"`
	Ignored      []string       `json:"ignored_fields"` // volatile fields that never count as a change
	// Unconfirmed are earlier findings absent after whose rule did not conclude on the later
	// snapshot (inconclusive, error, not evaluated): not claimed resolved.
	Unconfirmed      []Finding `json:"findings_unconfirmed,omitempty"`
	FindingsCompared bool      `json:"findings_compared"` // false when either snapshot has no analysis
	BeforeAnalysis   int64     `json:"before_analysis_id,omitempty"`
	AfterAnalysis    int64     `json:"after_analysis_id,omitempty"`
	Notes            []string  `json:"notes,omitempty"` // what could not be compared, and why
}

// DeviceRef names a device.
type DeviceRef struct {
	Name  string `json:"name"`
	Class string `json:"class"`
	Model string `json:"model,omitempty"`
}

// DeviceChange lists what changed on one device.
type DeviceChange struct {
	DeviceRef
	Fields []FieldChange `json:"fields"`
	// Where locates the device (device pool, node, IP, description, model), so a device that
	// broke in a change window can be found; nil when nothing is known of it.
	Where *Where `json:"where,omitempty"`
}

// FieldChange is one field's before and after values.
type FieldChange struct {
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// ClassDelta compares registration counts of one class before and after.
type ClassDelta struct {
	Class            string `json:"class"`
	RegisteredBefore int    `json:"registered_before"`
	RegisteredAfter  int    `json:"registered_after"`
	SeenBefore       int    `json:"seen_before"`
	SeenAfter        int    `json:"seen_after"`
	ConfiguredBefore int    `json:"configured_before"`
	ConfiguredAfter  int    `json:"configured_after"`
	// IncompleteBefore and IncompleteAfter say that RisPort's view of the class had a gap in that
	// snapshot (its class query or a node did not answer fully): that side's registered and seen
	// counts are lower bounds, not exact, and so is the change between the sides. The configured
	// counts come from AXL and stay exact.
	IncompleteBefore bool `json:"incomplete_before"`
	IncompleteAfter  bool `json:"incomplete_after"`
}
