package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// Paging limits shared by every list tool.
const (
	defaultPageSize = 50
	maxPageSize     = 500
)

// page validates page_size and offset and returns the effective size.
func page(size, offset int) (int, error) {
	switch {
	case size == 0:
		size = defaultPageSize
	case size < 1 || size > maxPageSize:
		return 0, fmt.Errorf("page_size %d is out of range: want 1 to %d (default %d)", size, maxPageSize, defaultPageSize)
	}
	if offset < 0 {
		return 0, fmt.Errorf("offset %d is negative: want 0 or the next_offset of the previous page", offset)
	}
	return size, nil
}

// Page tells where a list stands: how many rows match, whether more remain and where they start.
type Page struct {
	Total      int  `json:"total" jsonschema:"rows matching the filters"`
	Offset     int  `json:"offset" jsonschema:"index of the first row returned"`
	Returned   int  `json:"returned" jsonschema:"rows in this answer"`
	Truncated  bool `json:"truncated" jsonschema:"true when more rows match than were returned: call again with offset=next_offset"`
	NextOffset int  `json:"next_offset,omitempty" jsonschema:"offset of the next page, when truncated"`
}

// PageArgs are the paging arguments of every list tool.
type PageArgs struct {
	PageSize int `json:"page_size,omitempty" jsonschema:"rows per page, 1 to 500 (default 50)"`
	Offset   int `json:"offset,omitempty" jsonschema:"index of the first row, from next_offset of the previous page (default 0)"`
}

// slicePage cuts one page out of rows.
func slicePage[T any](rows []T, size, offset int) ([]T, Page) {
	p := Page{Total: len(rows), Offset: offset}
	if offset >= len(rows) {
		return []T{}, p
	}
	end := min(offset+size, len(rows))
	out := append(make([]T, 0, end-offset), rows[offset:end]...)
	p.Returned = len(out)
	if end < len(rows) {
		p.Truncated, p.NextOffset = true, end
	}
	return out, p
}

// glob compiles a shell-style pattern (* any run, ? one character, [abc] a class, [!abc] its
// complement), matched against the whole value, ignoring case.
func glob(field, pattern string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("(?is)^")
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '[':
			end := strings.IndexByte(pattern[i+1:], ']')
			if end < 0 {
				return nil, fmt.Errorf("bad %s pattern %q: '[' at position %d is never closed (use * and ? as wildcards, [abc] for a class)", field, pattern, i+1)
			}
			class := pattern[i+1 : i+1+end]
			if class == "" || class == "!" {
				return nil, fmt.Errorf("bad %s pattern %q: empty character class at position %d", field, pattern, i+1)
			}
			neg := strings.HasPrefix(class, "!")
			class = strings.TrimPrefix(class, "!")
			b.WriteByte('[')
			if neg {
				b.WriteByte('^')
			}
			b.WriteString(strings.NewReplacer(`\`, `\\`, `[`, `\[`, `^`, `\^`).Replace(class))
			b.WriteByte(']')
			i += end + 1
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("bad %s pattern %q: %w", field, pattern, err)
	}
	return re, nil
}

// SnapshotRef picks a snapshot; every tool that reads one snapshot takes it.
type SnapshotRef struct {
	Snapshot string `json:"snapshot,omitempty" jsonschema:"which snapshot: \"latest\" (default, the newest complete or partial one), \"latest~1\" (the one before), \"latest~N\", or a snapshot id from list_snapshots"`
	Cluster  string `json:"cluster,omitempty" jsonschema:"cluster id (list_snapshots shows them); only needed when the database holds several clusters, so that latest means that cluster's newest snapshot"`
}

// resolve turns a snapshot reference into a snapshot.
func (s *Server) resolve(ctx context.Context, ref SnapshotRef) (snapshot.Meta, error) {
	return s.resolveIn(ctx, ref.Snapshot, ref.Cluster)
}

// snapshotFor resolves the snapshot a tool reads, with the note naming its cluster when the
// database holds several.
func (s *Server) snapshotFor(ctx context.Context, ref SnapshotRef) (snapshot.Meta, []string, error) {
	m, err := s.resolve(ctx, ref)
	if err != nil {
		return snapshot.Meta{}, nil, err
	}
	return m, s.clusterNote(ctx, m, ref.Cluster), nil
}

// resolveIn resolves ref among the snapshots of cluster ("" any cluster).
func (s *Server) resolveIn(ctx context.Context, ref, cluster string) (snapshot.Meta, error) {
	m, err := s.opts.Store.Resolve(ctx, ref, cluster)
	if err == nil && cluster != "" && m.ClusterID != cluster {
		return snapshot.Meta{}, fmt.Errorf("snapshot %d belongs to cluster %q, not %q", m.ID, m.ClusterID, cluster)
	}
	if err != nil {
		if errors.Is(err, snapshot.ErrNotFound) {
			if cluster != "" {
				if known, kerr := s.opts.Store.Clusters(ctx); kerr == nil && !slices.Contains(known, cluster) {
					return snapshot.Meta{}, fmt.Errorf("no snapshot of cluster %q: the database holds %s; list_snapshots shows them", cluster, clusterList(known))
				}
			}
			return snapshot.Meta{}, fmt.Errorf("%w; list_snapshots shows the stored snapshots", err)
		}
		return snapshot.Meta{}, err
	}
	if m.Status == snapshot.StatusFailed {
		return snapshot.Meta{}, fmt.Errorf("snapshot %d failed and holds no data (%s); pick another with list_snapshots", m.ID, m.Note)
	}
	return m, nil
}

// clusterList names the clusters for an error message.
func clusterList(cs []string) string {
	if len(cs) == 0 {
		return "no snapshot at all"
	}
	q := make([]string, len(cs))
	for i, c := range cs {
		q[i] = fmt.Sprintf("%q", c)
	}
	if len(q) == 1 {
		return "cluster " + q[0]
	}
	return "clusters " + strings.Join(q, ", ")
}

// clusterNote warns, when the database holds several clusters and none was named, which
// cluster the answer is about.
func (s *Server) clusterNote(ctx context.Context, m snapshot.Meta, cluster string) []string {
	if cluster != "" {
		return nil
	}
	cs, err := s.opts.Store.Clusters(ctx)
	if err != nil || len(cs) < 2 {
		return nil
	}
	return []string{fmt.Sprintf("the database holds %d clusters: this answer is about cluster %q (snapshot %d); pass cluster to pick another", len(cs), m.ClusterID, m.ID)}
}

// analysisRun is the newest rule evaluation of a snapshot.
type analysisRun struct {
	ID        int64  `json:"id" jsonschema:"analysis run id"`
	StartedAt string `json:"started_at" jsonschema:"when the rules were evaluated (RFC 3339)"`
}

// latestAnalysis returns the newest analysis of a snapshot, or nil when it was never analysed.
func (s *Server) latestAnalysis(ctx context.Context, snapID int64) (*analysisRun, error) {
	r, err := results.LatestRun(ctx, s.opts.Store, snapID)
	if err != nil || r == nil {
		return nil, err
	}
	return &analysisRun{ID: r.ID, StartedAt: r.StartedAt}, nil
}

// ruleResult is one rule's stored outcome, as the tools show it.
type ruleResult struct {
	RuleID   string
	Title    string
	Severity string
	Category string
	Status   string
	Reason   string
	Findings int
	Params   []Field
}

func (s *Server) ruleResults(ctx context.Context, analysisID int64) ([]ruleResult, error) {
	stored, err := results.RuleResults(ctx, s.opts.Store, analysisID)
	if err != nil {
		return nil, err
	}
	out := make([]ruleResult, 0, len(stored))
	for _, r := range stored {
		out = append(out, ruleResult{RuleID: r.ID, Title: r.Title, Severity: severityName(r.Severity), Category: r.Category,
			Status: string(r.Outcome), Reason: r.Reason, Findings: r.Findings, Params: paramFields(r.Params)})
	}
	return out, nil
}

// storedFinding is one finding with its rule's title and category, as the tools show it.
type storedFinding struct {
	RuleID, Title, Severity, Category, Entity, Fingerprint, Message string
	Evidence, Waiver                                                []Field
	Waived                                                          bool
}

// findings reads the findings of an analysis that pass filter, most severe first.
func (s *Server) findings(ctx context.Context, analysisID int64, filter results.FindingFilter) ([]storedFinding, error) {
	recs, err := results.FindingRecords(ctx, s.opts.Store, analysisID, filter)
	if err != nil {
		return nil, err
	}
	out := make([]storedFinding, 0, len(recs))
	for _, f := range recs {
		out = append(out, storedFinding{RuleID: f.RuleID, Title: f.Title, Severity: f.Severity, Category: f.Category,
			Entity: f.Entity, Fingerprint: f.Fingerprint, Message: f.Message,
			Evidence: toFields(f.Evidence), Waiver: toFields(f.Waiver), Waived: f.Waived})
	}
	return out, nil
}

// sevRank orders severities; unknown names rank lowest.
func sevRank(name string) int {
	s, err := results.ParseSeverity(name)
	if err != nil {
		return 0
	}
	return int(s)
}

// Field is one named evidence value, in the rule query's column order.
type Field struct {
	Name  string `json:"name" jsonschema:"evidence column"`
	Value string `json:"value" jsonschema:"its value"`
}

// toFields copies stored fields into the tools' Field; nil stays nil.
func toFields(fs []results.Field) []Field {
	var out []Field
	for _, f := range fs {
		out = append(out, Field{f.Name, f.Value})
	}
	return out
}

// paramFields lists parameter values by name.
func paramFields(params map[string]string) []Field {
	var out []Field
	for _, k := range slices.Sorted(maps.Keys(params)) {
		out = append(out, Field{k, params[k]})
	}
	return out
}

// coverageGaps reads a snapshot's coverage and returns the incomplete items and the total.
func (s *Server) coverageGaps(ctx context.Context, snapID int64) ([]snapshot.Coverage, int, error) {
	all, err := s.opts.Store.Coverage(ctx, snapID)
	if err != nil {
		return nil, 0, err
	}
	var gaps []snapshot.Coverage
	for _, c := range all {
		if !c.Complete {
			gaps = append(gaps, c)
		}
	}
	return gaps, len(all), nil
}

// classCoverage tells, per RisPort class, whether RisPort read it completely: the class query
// is recorded complete and no node failed.
func classCoverage(all []snapshot.Coverage) func(class string) (bool, string) {
	classes := map[string]snapshot.Coverage{}
	var nodeGaps []string
	for _, c := range all {
		if c.Source != snapshot.SourceRisPort {
			continue
		}
		if name, ok := strings.CutPrefix(c.Item, "class:"); ok {
			classes[strings.ToLower(name)] = c
		}
		if name, ok := strings.CutPrefix(c.Item, "node:"); ok && !c.Complete {
			nodeGaps = append(nodeGaps, name+" ("+c.Reason+")")
		}
	}
	return func(class string) (bool, string) {
		c, ok := classes[strings.ToLower(class)]
		switch {
		case !ok:
			return false, "RisPort coverage of class " + class + " was not recorded"
		case !c.Complete:
			return false, "RisPort could not read class " + class + " completely: " + c.Reason
		case len(nodeGaps) > 0:
			return false, "RisPort nodes did not answer completely: " + strings.Join(nodeGaps, ", ")
		}
		return true, ""
	}
}

// epoch renders a RisPort TimeStamp as RFC 3339, "" when unset.
func epoch(sec int64) string {
	if sec <= 0 {
		return ""
	}
	return time.Unix(sec, 0).UTC().Format(time.RFC3339)
}

// ruleInfo finds a rule in the catalogue, ignoring case.
func (s *Server) ruleInfo(id string) (results.RuleInfo, bool) {
	for _, r := range s.opts.Rules {
		if strings.EqualFold(r.ID, id) {
			return r, true
		}
	}
	return results.RuleInfo{}, false
}
