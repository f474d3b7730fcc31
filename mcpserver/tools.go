package mcpserver

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// addTool registers a read-only tool. Its output schema has no nullable types (portable to
// clients that map schemas onto a single-type dialect); in exchange every list and map of an
// answer is filled in, empty rather than null.
func addTool[In, Out any](s *Server, name, title, desc string, h mcp.ToolHandlerFor[In, Out]) {
	no := false
	schema, err := jsonschema.For[Out](nil)
	if err != nil {
		panic(fmt.Sprintf("mcpserver: output schema of tool %s: %v", name, err))
	}
	mcp.AddTool(s.mcp, &mcp.Tool{
		Name:         name,
		Title:        title,
		Description:  desc,
		OutputSchema: notNull(schema),
		Annotations:  &mcp.ToolAnnotations{Title: title, ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: &no, DestructiveHint: &no},
	}, func(ctx context.Context, req *mcp.CallToolRequest, in In) (*mcp.CallToolResult, Out, error) {
		res, out, err := h(ctx, req, in)
		if err != nil {
			s.log.Info("tool call refused", "tool", name, "error", err)
			return res, out, err
		}
		fillNil(reflect.ValueOf(&out).Elem())
		return res, out, nil
	})
}

// notNull turns every ["null", T] type of a derived schema into plain T.
func notNull(s *jsonschema.Schema) *jsonschema.Schema {
	if s == nil {
		return nil
	}
	if len(s.Types) == 2 && s.Types[0] == "null" {
		s.Type, s.Types = s.Types[1], nil
	}
	for _, p := range s.Properties {
		notNull(p)
	}
	notNull(s.Items)
	notNull(s.AdditionalProperties)
	for _, d := range s.Defs {
		notNull(d)
	}
	return s
}

// fillNil replaces every nil slice and map reachable from v by an empty one, so answers match
// the not-null output schema.
func fillNil(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			fillNil(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				fillNil(f)
			}
		}
	case reflect.Slice:
		if v.IsNil() {
			if v.CanSet() {
				v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			}
			return
		}
		for i := range v.Len() {
			fillNil(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() && v.CanSet() {
			v.Set(reflect.MakeMap(v.Type()))
		}
	}
}

func (s *Server) addTools() {
	addTool(s, "snapshot_summary", "Snapshot summary",
		"Overview of one snapshot: metadata, configured devices by class, RisPort registration by class and status, coverage gaps, findings by severity and rules that could not conclude. Start here.",
		s.snapshotSummary)
	addTool(s, "list_snapshots", "List snapshots",
		"The stored snapshots, newest first, with their status (complete, partial, failed), whether they were analysed and how many coverage gaps they have.",
		s.listSnapshots)
	addTool(s, "list_findings", "List findings",
		"Audit findings of a snapshot's newest analysis, most severe first, filtered by rule, minimum severity, category and entity pattern; waived findings only on request. Also names the rules that were inconclusive (no finding there does not mean compliant).",
		s.listFindings)
	addTool(s, "explain_finding", "Explain a finding",
		"One finding in full: the rule's description, rationale, remediation, references and controls, the evidence row, and any waiver. Pick it by fingerprint, or by rule and entity.",
		s.explainFinding)
	addTool(s, "device", "Device details",
		"One device by name: its AXL configuration, lines, device pool and CallManager group, the RisPort row of every node that reported it, and the findings about it.",
		s.device)
	addTool(s, "device_registration_status", "Device registration status",
		"Devices with their RisPort registration status, filtered by RisPort device class, status and name pattern, with each status and StatusReason code explained. Status NeverSeen lists devices configured in AXL that no node reported.",
		s.registrationStatus)
	addTool(s, "device_registration_summary", "Registration summary",
		"Per RisPort device class: devices configured in AXL, seen by RisPort, and how many are Registered, UnRegistered, Rejected, PartiallyRegistered, Unknown or never seen; with whether the class was read completely.",
		s.registrationSummary)
	addTool(s, "diff_snapshots", "Diff two snapshots",
		"What changed between two snapshots (change window): devices added, removed and changed, registration per class before and after, findings new and resolved.",
		s.diffSnapshots)
	addTool(s, "list_rules", "List rules",
		"The audit rules: id, title, severity, category, controls and, for the chosen snapshot, how each rule ended (pass, fail, inconclusive, error) with its finding count.",
		s.listRules)
	addTool(s, "dial", "Dial digits (Dialed Number Analyzer)",
		"Analyse dialed digits on a snapshot's dial plan as Cisco's Dialed Number Analyzer does, offline: the partitions searched (line CSS then device CSS), every matching pattern, the closest-match decision, translations and their transformations, and the route list, route groups and gateways or trunks with their registration, or why the call is blocked or unmatched.",
		s.dial)
}

// ---- snapshot_summary ----

// SummaryIn selects the snapshot to summarise.
type SummaryIn struct {
	SnapshotRef
}

// SeverityCount is the number of open findings of one severity.
type SeverityCount struct {
	Severity string `json:"severity"`
	Count    int    `json:"count"`
}

// RuleNote names a rule that did not conclude, and why.
type RuleNote struct {
	RuleID string `json:"rule_id"`
	Title  string `json:"title"`
	Reason string `json:"reason"`
}

// SummaryOut is the overview of one snapshot.
type SummaryOut struct {
	Snapshot           snapshot.Meta         `json:"snapshot"`
	DataComplete       bool                  `json:"data_complete"`
	Notes              []string              `json:"notes"`
	Totals             snapshot.Totals       `json:"totals"`
	ConfiguredByClass  []snapshot.ClassCount `json:"configured_by_class"`
	RisByClassStatus   []snapshot.ClassCount `json:"risport_by_class_status"`
	CoverageItems      int                   `json:"coverage_items"`
	CoverageGaps       []snapshot.Coverage   `json:"coverage_gaps"`
	Analysis           *analysisRun          `json:"analysis,omitempty"`
	FindingsBySeverity []SeverityCount       `json:"findings_by_severity"`
	OpenFindings       int                   `json:"open_findings"`
	WaivedFindings     int                   `json:"waived_findings"`
	RulesByOutcome     map[string]int        `json:"rules_by_outcome"`
	InconclusiveRules  []RuleNote            `json:"inconclusive_rules"`
	ErrorRules         []RuleNote            `json:"error_rules"`
}

func (s *Server) snapshotSummary(ctx context.Context, _ *mcp.CallToolRequest, in SummaryIn) (*mcp.CallToolResult, SummaryOut, error) {
	var out SummaryOut
	m, notes, err := s.snapshotFor(ctx, in.SnapshotRef)
	if err != nil {
		return nil, out, err
	}
	out.Snapshot, out.Notes = m, notes
	if out.ConfiguredByClass, err = s.opts.Store.AXLCounts(ctx, m.ID); err != nil {
		return nil, out, err
	}
	if out.RisByClassStatus, err = s.opts.Store.RisCounts(ctx, m.ID); err != nil {
		return nil, out, err
	}
	if out.CoverageGaps, out.CoverageItems, err = s.coverageGaps(ctx, m.ID); err != nil {
		return nil, out, err
	}
	if out.Totals, err = s.opts.Store.Totals(ctx, m.ID); err != nil {
		return nil, out, err
	}
	out.DataComplete = m.Status == snapshot.StatusComplete && len(out.CoverageGaps) == 0 && out.CoverageItems > 0
	if m.Status != snapshot.StatusComplete {
		out.Notes = append(out.Notes, fmt.Sprintf("snapshot %d is %s: %s", m.ID, m.Status, nonEmpty(m.Note, "some sources could not be read")))
	}
	if out.CoverageItems == 0 {
		out.Notes = append(out.Notes, "no coverage was recorded for this snapshot: completeness is unknown")
	}
	for _, g := range out.CoverageGaps {
		out.Notes = append(out.Notes, fmt.Sprintf("coverage gap: %s %s not read completely (%s); rules needing it are inconclusive", g.Source, g.Item, nonEmpty(g.Reason, "no reason recorded")))
	}
	out.RulesByOutcome = map[string]int{}
	counts := map[string]int{}
	out.Analysis, err = s.latestAnalysis(ctx, m.ID)
	if err != nil {
		return nil, out, err
	}
	if out.Analysis == nil {
		out.Notes = append(out.Notes, fmt.Sprintf("snapshot %d has not been analysed: no findings yet (run `cucm-audit analyze`)", m.ID))
	} else {
		rrs, err := s.ruleResults(ctx, out.Analysis.ID)
		if err != nil {
			return nil, out, err
		}
		for _, r := range rrs {
			out.RulesByOutcome[r.Status]++
			switch r.Status {
			case string(results.OutcomeInconclusive):
				out.InconclusiveRules = append(out.InconclusiveRules, RuleNote{r.RuleID, r.Title, r.Reason})
			case string(results.OutcomeError):
				out.ErrorRules = append(out.ErrorRules, RuleNote{r.RuleID, r.Title, r.Reason})
			}
		}
		if n := len(out.InconclusiveRules); n > 0 {
			out.Notes = append(out.Notes, fmt.Sprintf("%d rule(s) inconclusive because their input data is incomplete: their absence of findings proves nothing", n))
		}
		open, waived, err := results.FindingCounts(ctx, s.opts.Store, out.Analysis.ID)
		if err != nil {
			return nil, out, err
		}
		out.WaivedFindings = waived
		for sev, n := range open {
			counts[sev] += n
			out.OpenFindings += n
		}
	}
	for _, sev := range results.Severities() {
		out.FindingsBySeverity = append(out.FindingsBySeverity, SeverityCount{sev.String(), counts[sev.String()]})
	}
	out.Notes, out.CoverageGaps = nonNil(out.Notes), nonNil(out.CoverageGaps)
	out.InconclusiveRules, out.ErrorRules = nonNil(out.InconclusiveRules), nonNil(out.ErrorRules)
	return nil, out, nil
}

func nonEmpty(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// ---- list_snapshots ----

// ListSnapshotsIn filters and pages the snapshot list.
type ListSnapshotsIn struct {
	Cluster string `json:"cluster,omitempty" jsonschema:"only snapshots of this cluster id (default: every cluster)"`
	PageArgs
}

// SnapshotRow is one stored snapshot.
type SnapshotRow struct {
	snapshot.Meta
	Analysed     bool `json:"analysed"`
	CoverageGaps int  `json:"coverage_gaps"`
}

// ListSnapshotsOut is one page of snapshots, newest first.
type ListSnapshotsOut struct {
	Page
	Snapshots []SnapshotRow `json:"snapshots"`
}

func (s *Server) listSnapshots(ctx context.Context, _ *mcp.CallToolRequest, in ListSnapshotsIn) (*mcp.CallToolResult, ListSnapshotsOut, error) {
	var out ListSnapshotsOut
	size, err := page(in.PageSize, in.Offset)
	if err != nil {
		return nil, out, err
	}
	all, err := s.opts.Store.List(ctx, in.Cluster)
	if err != nil {
		return nil, out, err
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].ID > all[j].ID })
	metas, p := slicePage(all, size, in.Offset)
	out.Page = p
	out.Snapshots = []SnapshotRow{}
	for _, m := range metas {
		row := SnapshotRow{Meta: m}
		var err error
		if row.Analysed, err = results.Analysed(ctx, s.opts.Store, m.ID); err != nil {
			return nil, out, fmt.Errorf("reading snapshot %d: %w", m.ID, err)
		}
		gaps, _, err := s.coverageGaps(ctx, m.ID)
		if err != nil {
			return nil, out, fmt.Errorf("reading snapshot %d: %w", m.ID, err)
		}
		row.CoverageGaps = len(gaps)
		out.Snapshots = append(out.Snapshots, row)
	}
	return nil, out, nil
}

// ---- list_findings ----

// ListFindingsIn filters and pages findings.
type ListFindingsIn struct {
	SnapshotRef
	Rule          string `json:"rule,omitempty" jsonschema:"rule id, or a pattern with * and ? (e.g. REG-*), ignoring case"`
	Severity      string `json:"severity,omitempty" jsonschema:"minimum severity: info, low, medium, high or critical"`
	Category      string `json:"category,omitempty" jsonschema:"rule category (see list_rules), ignoring case"`
	Entity        string `json:"entity,omitempty" jsonschema:"entity (device, line, user...) pattern with * and ? and [abc], ignoring case, e.g. SEP00*"`
	IncludeWaived bool   `json:"include_waived,omitempty" jsonschema:"also list waived (accepted-risk) findings; default false"`
	WithEvidence  bool   `json:"with_evidence,omitempty" jsonschema:"include each finding's evidence row (longer answers); default false, see explain_finding"`
	PageArgs
}

// FindingRow is one finding, compact.
type FindingRow struct {
	RuleID      string  `json:"rule_id"`
	Title       string  `json:"title"`
	Severity    string  `json:"severity"`
	Category    string  `json:"category,omitempty"`
	Entity      string  `json:"entity"`
	Fingerprint string  `json:"fingerprint"`
	Message     string  `json:"message,omitempty"`
	Waived      bool    `json:"waived,omitempty"`
	Evidence    []Field `json:"evidence,omitempty"`
}

// ListFindingsOut is one page of findings.
type ListFindingsOut struct {
	Page
	Snapshot          snapshot.Meta `json:"snapshot"`
	AnalysisID        int64         `json:"analysis_id"`
	Findings          []FindingRow  `json:"findings"`
	InconclusiveRules []RuleNote    `json:"inconclusive_rules"`
	Notes             []string      `json:"notes"`
}

func (s *Server) listFindings(ctx context.Context, _ *mcp.CallToolRequest, in ListFindingsIn) (*mcp.CallToolResult, ListFindingsOut, error) {
	var out ListFindingsOut
	size, err := page(in.PageSize, in.Offset)
	if err != nil {
		return nil, out, err
	}
	minSev := results.Severity(0)
	if in.Severity != "" {
		if minSev, err = results.ParseSeverity(in.Severity); err != nil {
			return nil, out, err
		}
	}
	var ruleRE, entityRE = anyMatch, anyMatch
	if in.Rule != "" {
		re, err := glob("rule", in.Rule)
		if err != nil {
			return nil, out, err
		}
		ruleRE = re.MatchString
	}
	if in.Entity != "" {
		re, err := glob("entity", in.Entity)
		if err != nil {
			return nil, out, err
		}
		entityRE = re.MatchString
	}
	m, notes, err := s.snapshotFor(ctx, in.SnapshotRef)
	if err != nil {
		return nil, out, err
	}
	out.Snapshot, out.Notes = m, notes
	run, err := s.latestAnalysis(ctx, m.ID)
	if err != nil {
		return nil, out, err
	}
	if run == nil {
		return nil, out, fmt.Errorf("snapshot %d has not been analysed yet, so it has no findings: run `cucm-audit analyze --snapshot %d`", m.ID, m.ID)
	}
	out.AnalysisID = run.ID
	rrs, err := s.ruleResults(ctx, run.ID)
	if err != nil {
		return nil, out, err
	}
	if err := s.checkFilters(rrs, in.Rule, ruleRE, in.Category); err != nil {
		return nil, out, err
	}
	for _, r := range rrs {
		if !ruleRE(r.RuleID) || (in.Category != "" && !strings.EqualFold(r.Category, in.Category)) {
			continue
		}
		switch r.Status {
		case string(results.OutcomeInconclusive), string(results.OutcomeError):
			out.InconclusiveRules = append(out.InconclusiveRules, RuleNote{r.RuleID, r.Title, r.Status + ": " + r.Reason})
		}
	}
	all, err := s.findings(ctx, run.ID, results.FindingFilter{})
	if err != nil {
		return nil, out, err
	}
	var rows []FindingRow
	waivedHidden := 0
	for _, f := range all {
		if !ruleRE(f.RuleID) || !entityRE(f.Entity) || (in.Category != "" && !strings.EqualFold(f.Category, in.Category)) {
			continue
		}
		if minSev != 0 && sevRank(f.Severity) < int(minSev) {
			continue
		}
		if f.Waived && !in.IncludeWaived {
			waivedHidden++
			continue
		}
		row := FindingRow{RuleID: f.RuleID, Title: f.Title, Severity: f.Severity, Category: f.Category, Entity: f.Entity,
			Fingerprint: f.Fingerprint, Message: f.Message, Waived: f.Waived}
		if in.WithEvidence {
			row.Evidence = f.Evidence
		}
		rows = append(rows, row)
	}
	out.Findings, out.Page = slicePage(rows, size, in.Offset)
	if waivedHidden > 0 {
		out.Notes = append(out.Notes, fmt.Sprintf("%d waived finding(s) matching the filters are hidden (include_waived=true shows them)", waivedHidden))
	}
	if n := len(out.InconclusiveRules); n > 0 {
		out.Notes = append(out.Notes, fmt.Sprintf("%d matching rule(s) could not conclude (incomplete data or error): they may hide findings", n))
	}
	if m.Status != snapshot.StatusComplete {
		out.Notes = append(out.Notes, fmt.Sprintf("snapshot %d is %s: findings stand only on the data that could be read", m.ID, m.Status))
	}
	out.Notes, out.InconclusiveRules = nonNil(out.Notes), nonNil(out.InconclusiveRules)
	return nil, out, nil
}

func anyMatch(string) bool { return true }

// checkFilters refuses a rule or category that names nothing, so a typo is not read as "no
// findings".
func (s *Server) checkFilters(rrs []ruleResult, rule string, ruleRE func(string) bool, category string) error {
	if rule != "" && !strings.ContainsAny(rule, "*?[") {
		known := false
		for _, r := range rrs {
			known = known || ruleRE(r.RuleID)
		}
		for _, r := range s.opts.Rules {
			known = known || ruleRE(r.ID)
		}
		if !known {
			return fmt.Errorf("unknown rule %q: list_rules shows the rule ids", rule)
		}
	}
	if category != "" {
		cats := map[string]bool{}
		for _, r := range rrs {
			cats[r.Category] = true
		}
		for _, r := range s.opts.Rules {
			cats[r.Category] = true
		}
		for c := range cats {
			if strings.EqualFold(c, category) {
				return nil
			}
		}
		names := make([]string, 0, len(cats))
		for c := range cats {
			if c != "" {
				names = append(names, c)
			}
		}
		sort.Strings(names)
		return fmt.Errorf("unknown category %q: want one of %s", category, strings.Join(names, ", "))
	}
	return nil
}

// ---- explain_finding ----

// ExplainIn picks one finding.
type ExplainIn struct {
	SnapshotRef
	Fingerprint string `json:"fingerprint,omitempty" jsonschema:"the finding's fingerprint from list_findings (alternatively give rule and entity)"`
	Rule        string `json:"rule,omitempty" jsonschema:"rule id, with entity, when no fingerprint is given"`
	Entity      string `json:"entity,omitempty" jsonschema:"entity name (device, line, user...), with rule, when no fingerprint is given"`
}

// RuleText is a rule as the reader needs it.
type RuleText struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Severity    string   `json:"severity"`
	Category    string   `json:"category,omitempty"`
	Description string   `json:"description,omitempty"`
	Rationale   string   `json:"rationale,omitempty"`
	Remediation string   `json:"remediation,omitempty"`
	References  []string `json:"references,omitempty"`
	Controls    []string `json:"controls,omitempty"`
	Params      []Field  `json:"params,omitempty"`
}

// ExplainOut is one finding with its rule and evidence.
type ExplainOut struct {
	Snapshot snapshot.Meta `json:"snapshot"`
	Finding  FindingRow    `json:"finding"`
	Rule     RuleText      `json:"rule"`
	Outcome  string        `json:"rule_outcome"`
	Waiver   []Field       `json:"waiver,omitempty"`
	Notes    []string      `json:"notes"`
}

func (s *Server) explainFinding(ctx context.Context, _ *mcp.CallToolRequest, in ExplainIn) (*mcp.CallToolResult, ExplainOut, error) {
	var out ExplainOut
	if in.Fingerprint == "" && (in.Rule == "" || in.Entity == "") {
		return nil, out, fmt.Errorf("give a fingerprint, or both rule and entity (list_findings shows them)")
	}
	m, notes, err := s.snapshotFor(ctx, in.SnapshotRef)
	if err != nil {
		return nil, out, err
	}
	out.Snapshot, out.Notes = m, notes
	run, err := s.latestAnalysis(ctx, m.ID)
	if err != nil {
		return nil, out, err
	}
	if run == nil {
		return nil, out, fmt.Errorf("snapshot %d has not been analysed yet, so it has no findings: run `cucm-audit analyze --snapshot %d`", m.ID, m.ID)
	}
	var found []storedFinding
	if in.Fingerprint != "" {
		found, err = s.findings(ctx, run.ID, results.FindingFilter{Fingerprint: in.Fingerprint})
	} else {
		found, err = s.findings(ctx, run.ID, results.FindingFilter{RuleID: in.Rule, Entity: in.Entity})
	}
	if err != nil {
		return nil, out, err
	}
	rrs, err := s.ruleResults(ctx, run.ID)
	if err != nil {
		return nil, out, err
	}
	if len(found) == 0 {
		what := "fingerprint " + in.Fingerprint
		if in.Fingerprint == "" {
			what = fmt.Sprintf("rule %s on entity %s", in.Rule, in.Entity)
			for _, r := range rrs {
				if strings.EqualFold(r.RuleID, in.Rule) {
					return nil, out, fmt.Errorf("no finding for %s in snapshot %d: the rule's outcome is %s%s", what, m.ID, r.Status, prefixed(": ", r.Reason))
				}
			}
		}
		return nil, out, fmt.Errorf("no finding for %s in snapshot %d; list_findings shows the findings", what, m.ID)
	}
	f := found[0]
	out.Finding = FindingRow{RuleID: f.RuleID, Title: f.Title, Severity: f.Severity, Category: f.Category, Entity: f.Entity,
		Fingerprint: f.Fingerprint, Message: f.Message, Waived: f.Waived, Evidence: f.Evidence}
	out.Waiver = f.Waiver
	out.Rule = RuleText{ID: f.RuleID, Title: f.Title, Severity: f.Severity, Category: f.Category}
	for _, r := range rrs {
		if r.RuleID == f.RuleID {
			out.Outcome = r.Status
			out.Rule.Params = r.Params
		}
	}
	if info, ok := s.ruleInfo(f.RuleID); ok {
		params := out.Rule.Params
		out.Rule = ruleText(info)
		out.Rule.Severity = f.Severity
		if len(params) > 0 {
			out.Rule.Params = params
		}
	} else {
		out.Notes = append(out.Notes, "the rule's full text is not in the loaded rule packs: only its stored title is shown")
	}
	if f.Waived {
		out.Notes = append(out.Notes, "this finding is waived (accepted risk): it is reported apart and does not count for exit codes")
	}
	out.Notes = nonNil(out.Notes)
	return nil, out, nil
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

func ruleText(r results.RuleInfo) RuleText {
	t := RuleText{ID: r.ID, Title: r.Title, Severity: severityName(r.Severity), Category: r.Category, Description: r.Description,
		Rationale: r.Rationale, Remediation: r.Remediation, References: r.References, Controls: r.Controls}
	t.Params = paramFields(r.Params)
	return t
}

func severityName(s results.Severity) string {
	if s == 0 {
		return ""
	}
	return s.String()
}
