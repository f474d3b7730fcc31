package mcpserver

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// ---- diff_snapshots ----

// DiffIn names the two snapshots.
type DiffIn struct {
	Before   string `json:"before,omitempty" jsonschema:"the earlier snapshot: latest~1 (default), latest~N or an id"`
	After    string `json:"after,omitempty" jsonschema:"the later snapshot: latest (default), latest~N or an id"`
	Cluster  string `json:"cluster,omitempty" jsonschema:"cluster id, when the database holds several (default: the cluster of the newest snapshot); before is taken from the same cluster as after"`
	PageSize int    `json:"page_size,omitempty" jsonschema:"maximum entries per list (devices added, removed, changed, findings new, resolved), 1 to 500 (default 50)"`
}

// DiffFinding is one new or resolved finding.
type DiffFinding struct {
	RuleID      string `json:"rule_id"`
	Severity    string `json:"severity"`
	Entity      string `json:"entity"`
	Fingerprint string `json:"fingerprint"`
	Message     string `json:"message,omitempty"`
}

// DiffCounts are the full sizes of the lists, before paging.
type DiffCounts struct {
	DevicesAdded       int `json:"devices_added"`
	DevicesRemoved     int `json:"devices_removed"`
	DevicesChanged     int `json:"devices_changed"`
	FindingsNew        int `json:"findings_new"`
	FindingsResolved   int `json:"findings_resolved"`
	FindingsPersisting int `json:"findings_persisting"`
	// FindingsUnconfirmed are earlier findings absent after, whose rule did not conclude on the
	// later snapshot: not claimed resolved.
	FindingsUnconfirmed int `json:"findings_unconfirmed"`
}

// DiffOut is the change between two snapshots.
type DiffOut struct {
	Before        snapshot.Meta          `json:"before"`
	After         snapshot.Meta          `json:"after"`
	Counts        DiffCounts             `json:"counts"`
	Truncated     bool                   `json:"truncated"`
	Registration  []results.ClassDelta   `json:"registration"`
	Added         []results.DeviceRef    `json:"devices_added"`
	Removed       []results.DeviceRef    `json:"devices_removed"`
	Changed       []results.DeviceChange `json:"devices_changed"`
	NewFindings   []DiffFinding          `json:"findings_new"`
	Resolved      []DiffFinding          `json:"findings_resolved"`
	Unconfirmed   []DiffFinding          `json:"findings_unconfirmed"`
	Compared      bool                   `json:"findings_compared"`
	IgnoredFields []string               `json:"ignored_fields"`
	Notes         []string               `json:"notes"`
}

func (s *Server) diffSnapshots(ctx context.Context, _ *mcp.CallToolRequest, in DiffIn) (*mcp.CallToolResult, DiffOut, error) {
	var out DiffOut
	size, err := page(in.PageSize, 0)
	if err != nil {
		return nil, out, err
	}
	if in.Before == "" {
		in.Before = "latest~1"
	}
	if in.After == "" {
		in.After = "latest"
	}
	// The later snapshot picks the cluster, so latest~1 is the same cluster's previous one.
	after, err := s.resolveIn(ctx, in.After, in.Cluster)
	if err != nil {
		return nil, out, fmt.Errorf("after: %w", err)
	}
	before, err := s.resolveIn(ctx, in.Before, after.ClusterID)
	if err != nil {
		return nil, out, fmt.Errorf("before: %w", err)
	}
	if before.ID == after.ID {
		return nil, out, fmt.Errorf("before and after are the same snapshot (%d): pick two different ones", before.ID)
	}
	diff := s.opts.Diff
	if diff == nil {
		diff = func(ctx context.Context, before, after snapshot.Meta) (*results.Diff, error) {
			return results.DiffSnapshots(ctx, s.opts.Store, before.ID, after.ID, results.DiffOptions{})
		}
	}
	d, err := diff(ctx, before, after)
	if err != nil {
		return nil, out, fmt.Errorf("comparing snapshots %d and %d: %w", before.ID, after.ID, err)
	}
	out.Before, out.After = before, after
	out.Counts = DiffCounts{len(d.Added), len(d.Removed), len(d.Changed), len(d.NewFindings), len(d.Resolved), d.Persisting, len(d.Unconfirmed)}
	out.Compared = d.FindingsCompared
	out.Registration = nonNil(d.Registration)
	out.IgnoredFields = nonNil(d.Ignored)
	cut := func(n int) int {
		if n > size {
			out.Truncated = true
			return size
		}
		return n
	}
	out.Added = nonNil(d.Added[:cut(len(d.Added))])
	out.Removed = nonNil(d.Removed[:cut(len(d.Removed))])
	out.Changed = nonNil(d.Changed[:cut(len(d.Changed))])
	out.NewFindings = diffFindings(d.NewFindings[:cut(len(d.NewFindings))])
	out.Resolved = diffFindings(d.Resolved[:cut(len(d.Resolved))])
	out.Unconfirmed = diffFindings(d.Unconfirmed[:cut(len(d.Unconfirmed))])
	out.Notes = append([]string{}, d.Notes...)
	if out.Truncated {
		out.Notes = append(out.Notes, fmt.Sprintf("lists are cut at %d entries (counts give the full sizes); raise page_size up to %d for more", size, maxPageSize))
	}
	for _, m := range []snapshot.Meta{before, after} {
		if m.Status != snapshot.StatusComplete {
			out.Notes = append(out.Notes, fmt.Sprintf("snapshot %d is %s: devices missing from it may show as removed or added", m.ID, m.Status))
		}
	}
	return nil, out, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func diffFindings(fs []results.Finding) []DiffFinding {
	out := make([]DiffFinding, 0, len(fs))
	for _, f := range fs {
		out = append(out, DiffFinding{RuleID: f.RuleID, Severity: severityName(f.Severity), Entity: f.Entity, Fingerprint: f.Fingerprint, Message: f.Message})
	}
	return out
}

// ---- list_rules ----

// ListRulesIn filters and pages the rules.
type ListRulesIn struct {
	SnapshotRef
	Category string `json:"category,omitempty" jsonschema:"only rules of this category, ignoring case"`
	Severity string `json:"severity,omitempty" jsonschema:"minimum severity: info, low, medium, high or critical"`
	WithText bool   `json:"with_text,omitempty" jsonschema:"include description, rationale, remediation, references and parameters (longer answers); default false"`
	PageArgs
}

// RuleRow is one rule with its outcome on the snapshot.
type RuleRow struct {
	RuleText
	Outcome  string `json:"outcome,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Findings int    `json:"findings"`
}

// ListRulesOut is one page of rules.
type ListRulesOut struct {
	Page
	SnapshotID int64     `json:"snapshot_id,omitempty"`
	AnalysisID int64     `json:"analysis_id,omitempty"`
	Rules      []RuleRow `json:"rules"`
	Notes      []string  `json:"notes"`
}

func (s *Server) listRules(ctx context.Context, _ *mcp.CallToolRequest, in ListRulesIn) (*mcp.CallToolResult, ListRulesOut, error) {
	var out ListRulesOut
	size, err := page(in.PageSize, in.Offset)
	if err != nil {
		return nil, out, err
	}
	var minSev results.Severity
	if in.Severity != "" {
		if minSev, err = results.ParseSeverity(in.Severity); err != nil {
			return nil, out, err
		}
	}
	out.Notes = []string{}
	var rrs []ruleResult
	m, err := s.resolve(ctx, in.SnapshotRef)
	switch {
	case err != nil && (in.Snapshot != "" || in.Cluster != ""):
		return nil, out, err
	case err != nil:
		out.Notes = append(out.Notes, "no snapshot is stored yet: rules are listed without outcomes")
	default:
		out.SnapshotID = m.ID
		out.Notes = append(out.Notes, s.clusterNote(ctx, m, in.Cluster)...)
		run, err := s.latestAnalysis(ctx, m.ID)
		if err != nil {
			return nil, out, err
		}
		if run == nil {
			out.Notes = append(out.Notes, fmt.Sprintf("snapshot %d has not been analysed: rules are listed without outcomes", m.ID))
		} else {
			out.AnalysisID = run.ID
			if rrs, err = s.ruleResults(ctx, run.ID); err != nil {
				return nil, out, err
			}
		}
	}
	if in.Category != "" {
		if err := s.checkFilters(rrs, "", nil, in.Category); err != nil {
			return nil, out, err
		}
	}
	byID := map[string]ruleResult{}
	for _, r := range rrs {
		byID[r.RuleID] = r
	}
	var rows []RuleRow
	seen := map[string]bool{}
	add := func(row RuleRow) {
		if in.Category != "" && !strings.EqualFold(row.Category, in.Category) {
			return
		}
		if minSev != 0 && sevRank(row.Severity) < int(minSev) {
			return
		}
		if !in.WithText {
			row.Description, row.Rationale, row.Remediation, row.References, row.Params = "", "", "", nil, nil
		}
		rows = append(rows, row)
	}
	for _, info := range s.opts.Rules {
		row := RuleRow{RuleText: ruleText(info)}
		if r, ok := byID[info.ID]; ok {
			row.Outcome, row.Reason, row.Findings = r.Status, r.Reason, r.Findings
			row.Severity = nonEmpty(r.Severity, row.Severity)
			if len(r.Params) > 0 {
				row.Params = r.Params
			}
		} else if len(rrs) > 0 {
			row.Outcome = "not evaluated"
		}
		seen[info.ID] = true
		add(row)
	}
	for _, r := range rrs {
		if seen[r.RuleID] {
			continue
		}
		add(RuleRow{RuleText: RuleText{ID: r.RuleID, Title: r.Title, Severity: r.Severity, Category: r.Category, Params: r.Params},
			Outcome: r.Status, Reason: r.Reason, Findings: r.Findings})
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].ID < rows[j].ID })
	out.Rules, out.Page = slicePage(rows, size, in.Offset)
	if len(s.opts.Rules) == 0 {
		out.Notes = append(out.Notes, "no rule pack is loaded in this server: only rules stored with the analysis are listed, without their full text")
	}
	return nil, out, nil
}
