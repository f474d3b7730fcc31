package mcpserver

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
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
				if known, kerr := s.clusters(ctx); kerr == nil && !slices.Contains(known, cluster) {
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

func (s *Server) db() *sql.DB { return s.opts.Store.DB() }

// clusters lists the cluster ids that have snapshots.
func (s *Server) clusters(ctx context.Context) ([]string, error) {
	rows, err := s.db().QueryContext(ctx, `SELECT DISTINCT cluster_id FROM snapshot ORDER BY cluster_id`)
	if err != nil {
		return nil, fmt.Errorf("listing clusters: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("listing clusters: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
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
	var n int
	if err := s.db().QueryRowContext(ctx, `SELECT COUNT(DISTINCT cluster_id) FROM snapshot`).Scan(&n); err != nil || n < 2 {
		return nil
	}
	return []string{fmt.Sprintf("the database holds %d clusters: this answer is about cluster %q (snapshot %d); pass cluster to pick another", n, m.ClusterID, m.ID)}
}

// analysisRun is the newest rule evaluation of a snapshot.
type analysisRun struct {
	ID        int64  `json:"id" jsonschema:"analysis run id"`
	StartedAt string `json:"started_at" jsonschema:"when the rules were evaluated (RFC 3339)"`
}

// latestAnalysis returns the newest analysis of a snapshot, or nil when it was never analysed.
func (s *Server) latestAnalysis(ctx context.Context, snapID int64) (*analysisRun, error) {
	var a analysisRun
	err := s.db().QueryRowContext(ctx, `SELECT id, started_at FROM analysis WHERE snapshot_id = ? ORDER BY id DESC LIMIT 1`, snapID).
		Scan(&a.ID, &a.StartedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading analysis of snapshot %d: %w", snapID, err)
	}
	return &a, nil
}

// ruleResult is one rule's stored outcome.
type ruleResult struct {
	RuleID   string
	Title    string
	Severity string
	Category string
	Status   string
	Reason   string
	Findings int
	Params   string
}

func (s *Server) ruleResults(ctx context.Context, analysisID int64) ([]ruleResult, error) {
	rows, err := s.db().QueryContext(ctx, `SELECT rule_id, title, severity, category, status, reason, finding_count, params
		FROM rule_result WHERE analysis_id = ? ORDER BY rule_id`, analysisID)
	if err != nil {
		return nil, fmt.Errorf("reading rule results of analysis %d: %w", analysisID, err)
	}
	defer rows.Close()
	var out []ruleResult
	for rows.Next() {
		var r ruleResult
		if err := rows.Scan(&r.RuleID, &r.Title, &r.Severity, &r.Category, &r.Status, &r.Reason, &r.Findings, &r.Params); err != nil {
			return nil, fmt.Errorf("reading rule results of analysis %d: %w", analysisID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// storedFinding is one finding row with its rule's title and category.
type storedFinding struct {
	RuleID, Title, Severity, Category, Entity, Fingerprint, Message, Evidence, Waiver string
	Waived                                                                            bool
}

func (s *Server) findings(ctx context.Context, analysisID int64, where string, args ...any) ([]storedFinding, error) {
	q := `SELECT f.rule_id, COALESCE(r.title, ''), f.severity, COALESCE(r.category, ''), f.entity, f.fingerprint,
		f.message, f.evidence, f.waiver, f.waived
		FROM finding f LEFT JOIN rule_result r ON r.analysis_id = f.analysis_id AND r.rule_id = f.rule_id
		WHERE f.analysis_id = ?`
	if where != "" {
		q += " AND " + where
	}
	rows, err := s.db().QueryContext(ctx, q, append([]any{analysisID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("reading findings of analysis %d: %w", analysisID, err)
	}
	defer rows.Close()
	var out []storedFinding
	for rows.Next() {
		var f storedFinding
		if err := rows.Scan(&f.RuleID, &f.Title, &f.Severity, &f.Category, &f.Entity, &f.Fingerprint, &f.Message,
			&f.Evidence, &f.Waiver, &f.Waived); err != nil {
			return nil, fmt.Errorf("reading findings of analysis %d: %w", analysisID, err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := sevRank(out[i].Severity), sevRank(out[j].Severity)
		if a != b {
			return a > b
		}
		if out[i].RuleID != out[j].RuleID {
			return out[i].RuleID < out[j].RuleID
		}
		return out[i].Entity < out[j].Entity
	})
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

// evidenceFields decodes a finding's evidence JSON object keeping the column order.
func evidenceFields(raw string) []Field {
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return []Field{{Name: "evidence", Value: raw}}
	}
	var out []Field
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			break
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			break
		}
		name, _ := k.(string)
		out = append(out, Field{Name: name, Value: rawText(v)})
	}
	return out
}

// rawText renders one JSON value as plain text: strings unquoted, null empty, the rest as JSON.
func rawText(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return s
	}
	if string(v) == "null" {
		return ""
	}
	return string(v)
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
