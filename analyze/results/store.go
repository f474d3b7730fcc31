package results

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

// RunOptions is the JSON kept in analysis.options: what the run used, and the waiver notes.
type RunOptions struct {
	RuleDirs    []string          `json:"rule_dirs,omitempty"`
	RuleFiles   []string          `json:"rule_files,omitempty"`
	Only        []string          `json:"only,omitempty"`
	Skip        []string          `json:"skip,omitempty"`
	Packs       []string          `json:"packs,omitempty"`
	Available   int               `json:"available,omitempty"` // rules loaded before the selection
	Params      map[string]string `json:"params,omitempty"`
	WaiversFile string            `json:"waivers_file,omitempty"`
	EOLFile     string            `json:"eol_file,omitempty"`
	Waivers     WaiverNotes       `json:"waiver_notes"`
	DurationMS  int64             `json:"duration_ms"`
}

// NewAnalysis is one evaluation of the rules on a snapshot, as SaveAnalysis stores it.
type NewAnalysis struct {
	SnapshotID  int64
	StartedAt   time.Time
	ToolVersion string
	Options     RunOptions
	// Rules are the rule results (StoredRule.Findings counts the rule's findings, waived
	// included); Findings are every rule's findings, waived ones with their waiver.
	Rules    []StoredRule
	Findings []Finding
}

// SaveAnalysis stores one analysis with its rule results and findings in one transaction and
// returns its id.
func SaveAnalysis(ctx context.Context, store *snapshot.Store, a NewAnalysis) (int64, error) {
	optJSON, err := json.Marshal(a.Options)
	if err != nil {
		return 0, fmt.Errorf("storing analysis: %w", err)
	}
	tx, err := store.DB().BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("storing analysis of snapshot %d: %w", a.SnapshotID, err)
	}
	defer tx.Rollback()
	r, err := tx.ExecContext(ctx, `INSERT INTO analysis (snapshot_id, started_at, tool_version, options) VALUES (?,?,?,?)`,
		a.SnapshotID, a.StartedAt.UTC().Format(time.RFC3339Nano), a.ToolVersion, string(optJSON))
	if err != nil {
		return 0, fmt.Errorf("storing analysis of snapshot %d: %w", a.SnapshotID, err)
	}
	id, err := r.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("storing analysis of snapshot %d: %w", a.SnapshotID, err)
	}
	rrStmt, err := tx.PrepareContext(ctx, `INSERT INTO rule_result (analysis_id, rule_id, title, severity, category, status,
		reason, finding_count, params) VALUES (?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return 0, fmt.Errorf("storing analysis: %w", err)
	}
	defer rrStmt.Close()
	for _, rr := range a.Rules {
		pj, err := json.Marshal(rr.Params)
		if err != nil {
			return 0, fmt.Errorf("storing analysis: %w", err)
		}
		if string(pj) == "null" {
			pj = []byte("{}")
		}
		if _, err := rrStmt.ExecContext(ctx, id, rr.ID, rr.Title, rr.Severity.String(), rr.Category,
			string(rr.Outcome), rr.Reason, rr.Findings, string(pj)); err != nil {
			return 0, fmt.Errorf("storing result of rule %s: %w", rr.ID, err)
		}
	}
	if err := saveFindings(ctx, tx, id, a.Findings); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("storing analysis of snapshot %d: %w", a.SnapshotID, err)
	}
	return id, nil
}

// findingBatch is how many findings one INSERT statement stores: one statement per row costs
// more in the driver than SQLite spends storing the row.
const findingBatch = 64

// saveFindings stores the findings of analysis id in the order of the finding table's key
// (analysis_id, fingerprint), so that SQLite appends to the table instead of splitting pages
// all over it, findingBatch rows per statement.
func saveFindings(ctx context.Context, tx *sql.Tx, id int64, findings []Finding) error {
	fs := slices.Clone(findings)
	slices.SortFunc(fs, func(a, b Finding) int { return strings.Compare(a.Fingerprint, b.Fingerprint) })
	const cols = 9
	row := "(?" + strings.Repeat(",?", cols-1) + ")"
	stmts := map[int]*sql.Stmt{} // by rows: findingBatch, and the last batch's
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	args := make([]any, 0, findingBatch*cols)
	for len(fs) > 0 {
		n := min(len(fs), findingBatch)
		st := stmts[n]
		if st == nil {
			var err error
			st, err = tx.PrepareContext(ctx, `INSERT INTO finding (analysis_id, rule_id, severity, entity, fingerprint, message,
				evidence, waived, waiver) VALUES `+row+strings.Repeat(","+row, n-1))
			if err != nil {
				return fmt.Errorf("storing analysis: %w", err)
			}
			stmts[n] = st
		}
		args = args[:0]
		for _, f := range fs[:n] {
			waiver := ""
			if f.Waiver != nil {
				b, _ := json.Marshal(f.Waiver)
				waiver = string(b)
			}
			args = append(args, id, f.RuleID, f.Severity.String(), f.Entity, f.Fingerprint, f.Message,
				evidenceJSON(f.Evidence), !f.Open(), waiver)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			if n == 1 {
				return fmt.Errorf("storing finding %s of rule %s: %w", fs[0].Entity, fs[0].RuleID, err)
			}
			return fmt.Errorf("storing findings of rules %s: %w", strings.Join(batchRules(fs[:n]), ", "), err)
		}
		fs = fs[n:]
	}
	return nil
}

// batchRules are the rule ids of a batch of findings, sorted, each once.
func batchRules(fs []Finding) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.RuleID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// evidenceJSON writes the evidence as a JSON object whose keys keep the query's column order.
func evidenceJSON(ev []Field) string {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range ev {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, f.Name)
		b.WriteByte(':')
		writeJSONString(&b, f.Value)
	}
	b.WriteByte('}')
	return b.String()
}

// writeJSONString writes s as a JSON string, as json.Marshal writes it: quoted as it is when it
// holds only printable ASCII that needs no escape (most evidence), else by json.Marshal.
func writeJSONString(b *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			b.Write(q)
			return
		}
	}
	b.WriteByte('"')
	b.WriteString(s)
	b.WriteByte('"')
}

// parseEvidence reads evidenceJSON back in key order. Evidence is always an object of strings
// (evidenceJSON writes nothing else), so a small scanner does what json.Decoder's token stream
// would, several times faster on reports with tens of thousands of findings.
func parseEvidence(s string) []Field {
	i := 0
	skip := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
	}
	str := func() (string, bool) {
		skip()
		if i >= len(s) || s[i] != '"' {
			return "", false
		}
		start, escaped := i, false
		for i++; i < len(s); i++ {
			switch s[i] {
			case '\\':
				escaped = true
				i++
			case '"':
				i++
				if !escaped {
					return s[start+1 : i-1], true
				}
				var v string
				if json.Unmarshal([]byte(s[start:i]), &v) != nil {
					return "", false
				}
				return v, true
			}
		}
		return "", false
	}
	skip()
	if i >= len(s) || s[i] != '{' {
		return nil
	}
	i++
	var out []Field
	for {
		skip()
		if i < len(s) && s[i] == '}' {
			return out
		}
		k, ok := str()
		if skip(); !ok || i >= len(s) || s[i] != ':' {
			return parseEvidenceJSON(s)
		}
		i++
		v, ok := str()
		if !ok {
			return parseEvidenceJSON(s) // numbers, booleans, null or nesting: the general path
		}
		out = append(out, Field{Name: k, Value: v})
		if skip(); i < len(s) && s[i] == ',' {
			i++
		}
	}
}

// parseEvidenceJSON reads any JSON object in key order, values as text.
func parseEvidenceJSON(s string) []Field {
	dec := json.NewDecoder(strings.NewReader(s))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var out []Field
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return out
		}
		k, _ := kt.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return out
		}
		out = append(out, Field{Name: k, Value: ValueText(v)})
	}
	return out
}

// StoredAnalysis is an analysis read back from the database.
type StoredAnalysis struct {
	ID         int64
	SnapshotID int64
	StartedAt  time.Time
	Rules      []StoredRule
	Findings   []Finding // all findings, waived ones with their waiver; rule id then entity
	Waivers    WaiverNotes
	RuleDirs   []string
	// Only and Skip are the --only / --skip of the run; Available is how many rules were loaded
	// before them (0 when the analysis predates recording it).
	Only, Skip []string
	Packs      []string // the --pack of the run
	// Analysed is how many rules the analysis evaluated when report --pack shows fewer of them
	// (0 otherwise).
	Analysed  int
	Available int
}

// StoredRule is one rule_result row.
type StoredRule struct {
	ID, Title, Category string
	Severity            Severity
	Outcome             Outcome
	Reason              string
	Findings            int
	Params              map[string]string
}

// ErrNoAnalysis is returned when a snapshot has never been analysed.
var ErrNoAnalysis = errors.New("snapshot has not been analysed")

// LatestAnalysis reads the newest analysis of a snapshot.
func LatestAnalysis(ctx context.Context, store *snapshot.Store, snapshotID int64) (*StoredAnalysis, error) {
	return readAnalysis(ctx, store.DB(), snapshotID, `SELECT snapshot_id, id, started_at, options FROM analysis WHERE snapshot_id = ? ORDER BY id DESC LIMIT 1`, snapshotID)
}

// ReportAnalysis reads the analysis a report of the snapshot uses: analysisID when not 0 (it
// must be an analysis of that snapshot), else the newest that evaluated the whole rule set, so
// that an ad-hoc `analyze --only X` does not narrow the next report; the newest of all when
// every analysis was a selection (the report then says so).
func ReportAnalysis(ctx context.Context, store *snapshot.Store, snapshotID, analysisID int64) (*StoredAnalysis, error) {
	db := store.DB()
	if analysisID != 0 {
		a, err := readAnalysis(ctx, db, snapshotID, `SELECT snapshot_id, id, started_at, options FROM analysis WHERE id = ?`, analysisID)
		if err == nil && a.SnapshotID != snapshotID {
			return nil, fmt.Errorf("analysis %d is of snapshot %d, not %d: give --snapshot %d, or an analysis of snapshot %d (`cucm-audit snapshots` lists them)",
				analysisID, a.SnapshotID, snapshotID, a.SnapshotID, snapshotID)
		}
		if errors.Is(err, ErrNoAnalysis) {
			return nil, fmt.Errorf("no analysis %d in the database", analysisID)
		}
		return a, err
	}
	rows, err := db.QueryContext(ctx, `SELECT id, options FROM analysis WHERE snapshot_id = ? ORDER BY id DESC`, snapshotID)
	if err != nil {
		return nil, fmt.Errorf("reading analyses of snapshot %d: %w", snapshotID, err)
	}
	full := int64(0)
	for rows.Next() {
		var id int64
		var opts string
		if err := rows.Scan(&id, &opts); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading analyses of snapshot %d: %w", snapshotID, err)
		}
		var so RunOptions
		if json.Unmarshal([]byte(opts), &so) == nil && len(so.Only) == 0 && len(so.Skip) == 0 && len(so.Packs) == 0 {
			full = id
			break
		}
	}
	rows.Close()
	if full == 0 {
		return LatestAnalysis(ctx, store, snapshotID)
	}
	return readAnalysis(ctx, db, snapshotID, `SELECT snapshot_id, id, started_at, options FROM analysis WHERE id = ?`, full)
}

// readAnalysis reads the analysis row that query (snapshot_id, id, started_at, options) selects, with its
// rule results and findings.
func readAnalysis(ctx context.Context, db *sql.DB, snapshotID int64, query string, arg int64) (*StoredAnalysis, error) {
	a := &StoredAnalysis{SnapshotID: snapshotID}
	var started, opts string
	err := db.QueryRowContext(ctx, query, arg).Scan(&a.SnapshotID, &a.ID, &started, &opts)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("snapshot %d: %w (run `cucm-audit analyze --snapshot %d`)", snapshotID, ErrNoAnalysis, snapshotID)
	}
	if err != nil {
		return nil, fmt.Errorf("reading analysis of snapshot %d: %w", snapshotID, err)
	}
	if a.SnapshotID != snapshotID {
		return a, nil // the caller refuses it, naming both
	}
	a.StartedAt, _ = time.Parse(time.RFC3339Nano, started)
	var so RunOptions
	if json.Unmarshal([]byte(opts), &so) == nil {
		a.Waivers = so.Waivers
		a.RuleDirs = so.RuleDirs
		a.Only, a.Skip, a.Packs, a.Available = so.Only, so.Skip, so.Packs, so.Available
	}
	if a.Waivers.Expired == nil {
		a.Waivers.Expired = []Waiver{}
	}
	if a.Waivers.Stale == nil {
		a.Waivers.Stale = []Waiver{}
	}
	if a.Rules, err = readRules(ctx, db, a.ID); err != nil {
		return nil, err
	}
	fs, err := readFindings(ctx, db, a.ID)
	if err != nil {
		return nil, err
	}
	a.Findings = fs
	return a, nil
}

func readFindings(ctx context.Context, db *sql.DB, analysisID int64) ([]Finding, error) {
	rows, err := db.QueryContext(ctx, `SELECT rule_id, severity, entity, fingerprint, message, evidence, waiver
		FROM finding WHERE analysis_id = ? ORDER BY rule_id, entity`, analysisID)
	if err != nil {
		return nil, fmt.Errorf("reading findings of analysis %d: %w", analysisID, err)
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		var f Finding
		var sev, ev, waiver string
		if err := rows.Scan(&f.RuleID, &sev, &f.Entity, &f.Fingerprint, &f.Message, &ev, &waiver); err != nil {
			return nil, fmt.Errorf("reading findings of analysis %d: %w", analysisID, err)
		}
		f.Severity, _ = ParseSeverity(sev)
		f.Evidence = parseEvidence(ev)
		if waiver != "" {
			var w Waiver
			if json.Unmarshal([]byte(waiver), &w) == nil {
				f.Waiver = &w
			}
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// ValueText is the text of one evidence value as a finding stores and shows it: SQL and JSON
// values alike, nil as "".
func ValueText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	}
	return fmt.Sprint(v)
}

// OpenFingerprints returns the fingerprints of the open (not waived) findings of a snapshot's
// newest analysis, sorted; analyzed is false when the snapshot has no analysis.
func OpenFingerprints(ctx context.Context, store *snapshot.Store, snapshotID int64) (fps []string, analyzed bool, err error) {
	db := store.DB()
	analysis, err := newestAnalysis(ctx, db, snapshotID)
	if err != nil || analysis == 0 {
		return nil, false, err
	}
	rows, err := db.QueryContext(ctx, `SELECT fingerprint FROM finding WHERE analysis_id = ? AND waived = 0 ORDER BY fingerprint`, analysis)
	if err != nil {
		return nil, false, fmt.Errorf("reading findings of analysis %d: %w", analysis, err)
	}
	defer rows.Close()
	fps = []string{}
	for rows.Next() {
		var fp string
		if err := rows.Scan(&fp); err != nil {
			return nil, false, fmt.Errorf("reading findings of analysis %d: %w", analysis, err)
		}
		fps = append(fps, fp)
	}
	return fps, true, rows.Err()
}

// newestAnalysis returns the id of a snapshot's newest analysis run, 0 when it has none.
func newestAnalysis(ctx context.Context, db *sql.DB, snapshotID int64) (int64, error) {
	var id int64
	err := db.QueryRowContext(ctx, `SELECT id FROM analysis WHERE snapshot_id = ? ORDER BY id DESC LIMIT 1`, snapshotID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading analysis of snapshot %d: %w", snapshotID, err)
	}
	return id, nil
}

// readRules reads the rule results of an analysis, by rule id.
func readRules(ctx context.Context, db *sql.DB, analysisID int64) ([]StoredRule, error) {
	rows, err := db.QueryContext(ctx, `SELECT rule_id, title, severity, category, status, reason, finding_count, params
		FROM rule_result WHERE analysis_id = ? ORDER BY rule_id`, analysisID)
	if err != nil {
		return nil, fmt.Errorf("reading rule results of analysis %d: %w", analysisID, err)
	}
	defer rows.Close()
	var out []StoredRule
	for rows.Next() {
		var r StoredRule
		var sev, params string
		if err := rows.Scan(&r.ID, &r.Title, &sev, &r.Category, &r.Outcome, &r.Reason, &r.Findings, &params); err != nil {
			return nil, fmt.Errorf("reading rule results of analysis %d: %w", analysisID, err)
		}
		r.Severity, _ = ParseSeverity(sev)
		_ = json.Unmarshal([]byte(params), &r.Params)
		out = append(out, r)
	}
	return out, rows.Err()
}

// RuleResults reads the rule results of an analysis, by rule id.
func RuleResults(ctx context.Context, store *snapshot.Store, analysisID int64) ([]StoredRule, error) {
	return readRules(ctx, store.DB(), analysisID)
}

// StoredRun names one analysis: its id and when it started, as stored (RFC 3339).
type StoredRun struct {
	ID        int64
	StartedAt string
}

// LatestRun returns the newest analysis of a snapshot, or nil when it was never analysed.
func LatestRun(ctx context.Context, store *snapshot.Store, snapshotID int64) (*StoredRun, error) {
	var r StoredRun
	err := store.DB().QueryRowContext(ctx, `SELECT id, started_at FROM analysis WHERE snapshot_id = ? ORDER BY id DESC LIMIT 1`, snapshotID).
		Scan(&r.ID, &r.StartedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading analysis of snapshot %d: %w", snapshotID, err)
	}
	return &r, nil
}

// FindingRecord is a stored finding with its rule's title and category, its severity as stored
// and its waiver's fields in stored order (nil when none).
type FindingRecord struct {
	RuleID, Title, Severity, Category, Entity, Fingerprint, Message string
	Evidence, Waiver                                                []Field
	Waived                                                          bool
}

// FindingFilter narrows FindingRecords; an empty field matches every finding. Rule and entity
// ignore case; the fingerprint does not.
type FindingFilter struct {
	RuleID, Entity, Fingerprint string
}

// FindingRecords reads the findings of an analysis that pass filter, most severe first, then by
// rule and entity; a severity it does not know ranks lowest.
func FindingRecords(ctx context.Context, store *snapshot.Store, analysisID int64, filter FindingFilter) ([]FindingRecord, error) {
	q := `SELECT f.rule_id, COALESCE(r.title, ''), f.severity, COALESCE(r.category, ''), f.entity, f.fingerprint,
		f.message, f.evidence, f.waiver, f.waived
		FROM finding f LEFT JOIN rule_result r ON r.analysis_id = f.analysis_id AND r.rule_id = f.rule_id
		WHERE f.analysis_id = ?`
	args := []any{analysisID}
	for _, c := range []struct{ cond, value string }{
		{" AND f.fingerprint = ?", filter.Fingerprint},
		{" AND f.rule_id = ? COLLATE NOCASE", filter.RuleID},
		{" AND f.entity = ? COLLATE NOCASE", filter.Entity},
	} {
		if c.value != "" {
			q += c.cond
			args = append(args, c.value)
		}
	}
	rows, err := store.DB().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading findings of analysis %d: %w", analysisID, err)
	}
	defer rows.Close()
	var out []FindingRecord
	for rows.Next() {
		var f FindingRecord
		var ev, waiver string
		if err := rows.Scan(&f.RuleID, &f.Title, &f.Severity, &f.Category, &f.Entity, &f.Fingerprint, &f.Message,
			&ev, &waiver, &f.Waived); err != nil {
			return nil, fmt.Errorf("reading findings of analysis %d: %w", analysisID, err)
		}
		f.Evidence = parseEvidence(ev)
		if strings.TrimSpace(waiver) != "" {
			f.Waiver = parseEvidence(waiver)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rank := func(name string) int {
		s, _ := ParseSeverity(name)
		return int(s)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := rank(out[i].Severity), rank(out[j].Severity)
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

// FindingCounts counts an analysis's open findings by severity (lower-case, as stored) and its
// waived findings.
func FindingCounts(ctx context.Context, store *snapshot.Store, analysisID int64) (open map[string]int, waived int, err error) {
	db := store.DB()
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM finding WHERE analysis_id = ? AND waived = 1`, analysisID).Scan(&waived); err != nil {
		return nil, 0, fmt.Errorf("counting waived findings: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT severity, COUNT(*) FROM finding WHERE analysis_id = ? AND waived = 0 GROUP BY severity`, analysisID)
	if err != nil {
		return nil, 0, fmt.Errorf("counting findings: %w", err)
	}
	defer rows.Close()
	open = map[string]int{}
	for rows.Next() {
		var sev string
		var n int
		if err := rows.Scan(&sev, &n); err != nil {
			return nil, 0, fmt.Errorf("counting findings: %w", err)
		}
		open[strings.ToLower(sev)] += n
	}
	return open, waived, nil
}

// Analysed reports whether a snapshot has at least one analysis.
func Analysed(ctx context.Context, store *snapshot.Store, snapshotID int64) (bool, error) {
	id, err := newestAnalysis(ctx, store.DB(), snapshotID)
	return id != 0, err
}
