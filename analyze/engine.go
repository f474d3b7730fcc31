package analyze

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// Options selects the rules, parameters, waivers and data of one analysis.
type Options struct {
	// RuleDirs are folders of extra packs loaded after the built-ins (--rules, repeatable).
	RuleDirs []string
	// Rules, when set, replaces loading built-ins and RuleDirs (tests, callers that loaded them).
	Rules *RuleSet
	// Only and Skip select rules by id or category (--only, --skip).
	Only, Skip []string
	// Packs, when set, keeps only the rules of these packs (--pack); Only and Skip then select
	// among them.
	Packs []string
	// Params override rule parameters: "REG-002.days" -> "45" (--param, config file).
	Params map[string]string
	// WaiversFile is the waiver YAML (--waivers); "" for none.
	WaiversFile string
	// EOLFile replaces the built-in end-of-life model data (--eol); "" for the built-in.
	EOLFile string
	// Now decides which waivers have expired; zero means time.Now().
	Now time.Time
	// ToolVersion is stored with the analysis.
	ToolVersion string
	// RuleTimeout bounds one rule's query (--rule-timeout, analysis.rule_timeout); 0 means
	// DefaultRuleTimeout. A rule past it is an error result; the other rules still run.
	RuleTimeout time.Duration
	// RuleMaxRows bounds the rows one rule's query may return (--rule-max-rows,
	// analysis.rule_max_rows); 0 means DefaultRuleMaxRows. A rule past it is an error result.
	RuleMaxRows int
	// RuleMaxBytes bounds the bytes of the values one rule's query may return, all rows
	// together; 0 means DefaultRuleMaxBytes. A rule past it is an error result.
	RuleMaxBytes int
}

// Limits of one rule, so that a runaway query (a recursive CTE without an end, a cross join, a
// few huge values) cannot take the process down: it stops with an error result and the other
// rules still run. Each evidence value is also cut at MaxEvidenceValue bytes.
const (
	DefaultRuleTimeout  = 60 * time.Second
	DefaultRuleMaxRows  = 100_000
	DefaultRuleMaxBytes = 32 << 20
	MaxEvidenceValue    = 4 << 10
)

// ruleLimits are the limits in force for every rule of a run.
type ruleLimits struct {
	timeout  time.Duration
	maxRows  int
	maxBytes int
}

// limits returns the rule limits in force.
func (o Options) limits() ruleLimits {
	l := ruleLimits{timeout: o.RuleTimeout, maxRows: o.RuleMaxRows, maxBytes: o.RuleMaxBytes}
	if l.timeout <= 0 {
		l.timeout = DefaultRuleTimeout
	}
	if l.maxRows <= 0 {
		l.maxRows = DefaultRuleMaxRows
	}
	if l.maxBytes <= 0 {
		l.maxBytes = DefaultRuleMaxBytes
	}
	return l
}

// Errors of a rule whose query returned more rows, or more bytes, than its limit.
var (
	errRowLimit  = errors.New("row limit")
	errSizeLimit = errors.New("size limit")
)

// Result is one stored analysis of one snapshot.
type Result struct {
	AnalysisID int64
	Snapshot   snapshot.Meta
	StartedAt  time.Time
	Rules      []RuleResult // in rule order
	Available  int          // rules loaded before --only / --skip selected Rules
	Waivers    results.WaiverNotes
	Duration   time.Duration
}

// RuleResult is how one rule ended, with its findings (waived ones included, flagged).
type RuleResult struct {
	Rule     *Rule
	Outcome  results.Outcome
	Reason   string         // why inconclusive or error
	Params   map[string]any // values in force
	Findings []results.Finding
	Duration time.Duration
}

// OpenFindings counts the rule's findings that are not waived.
func (r RuleResult) OpenFindings() int {
	n := 0
	for _, f := range r.Findings {
		if f.Open() {
			n++
		}
	}
	return n
}

// CountAtLeast counts open findings at or above severity min, the figure behind --fail-on.
func (res *Result) CountAtLeast(min results.Severity) int {
	n := 0
	for _, r := range res.Rules {
		for _, f := range r.Findings {
			if f.Open() && f.Severity >= min {
				n++
			}
		}
	}
	return n
}

// Fingerprint identifies a finding across snapshots: a stable hash of rule id and entity.
func Fingerprint(ruleID, entity string) string {
	sum := sha256.Sum256([]byte(ruleID + "\x00" + entity))
	return hex.EncodeToString(sum[:16])
}

func namedArgs(vals map[string]any) []any {
	names := make([]string, 0, len(vals))
	for n := range vals {
		names = append(names, n)
	}
	sort.Strings(names)
	args := make([]any, 0, len(names))
	for _, n := range names {
		args = append(args, sql.Named(n, vals[n]))
	}
	return args
}

// prepared is one rule ready to run on the evaluator connection.
type prepared struct {
	rule *Rule
	stmt *sql.Stmt
	args []any
}

// prepare compiles every rule on e and checks it reads only the views and returns an entity
// column; a failure names the file, line and rule, like any other load error.
func (e *evaluator) prepare(ctx context.Context, selected []*Rule, params map[string]map[string]any) ([]prepared, error) {
	var out []prepared
	var errs []error
	conf, err := e.newConfiner(ctx)
	if err != nil {
		return nil, err
	}
	defer conf.Close()
	for _, r := range selected {
		args := namedArgs(params[r.ID])
		st, err := e.conn.PrepareContext(ctx, r.Query)
		if err != nil {
			// The evaluator refuses schema and pragma tables: say which, not just "not authorized".
			if rel, denied, _ := conf.check(ctx, r.Query); denied {
				errs = append(errs, outsideViewsError(r, rel))
			} else {
				errs = append(errs, fmt.Errorf("%s:%d: rule %s: query does not prepare against the views: %w", r.File, r.Line, r.ID, err))
			}
			continue
		}
		if rel, _, err := conf.check(ctx, r.Query); err != nil || rel != "" {
			st.Close()
			if err != nil {
				errs = append(errs, fmt.Errorf("%s:%d: rule %s: checking which views the query reads: %w", r.File, r.Line, r.ID, err))
			} else {
				errs = append(errs, outsideViewsError(r, rel))
			}
			continue
		}
		// The driver takes the first step of a query eagerly: ask for the columns through a
		// LIMIT 0 wrapper, which SQLite answers without computing a row.
		rows, err := e.conn.QueryContext(ctx, "SELECT * FROM (\n"+r.Query+"\n) LIMIT 0", args...)
		if err != nil {
			st.Close()
			errs = append(errs, fmt.Errorf("%s:%d: rule %s: query does not prepare against the views: %w", r.File, r.Line, r.ID, err))
			continue
		}
		cols, _ := rows.Columns()
		rows.Close()
		hasEntity := false
		for _, c := range cols {
			hasEntity = hasEntity || c == "entity"
		}
		if !hasEntity {
			st.Close()
			errs = append(errs, fmt.Errorf("%s:%d: rule %s: query returns no entity column (columns: %s)", r.File, r.Line, r.ID, strings.Join(cols, ", ")))
			continue
		}
		if bad := unknownGroupFields(r.GroupBy, cols); len(bad) > 0 {
			st.Close()
			errs = append(errs, fmt.Errorf("%s:%d: rule %s: group_by %s: neither a column of the query (%s) nor a device attribute (%s)",
				r.File, r.Line, r.ID, strings.Join(bad, ", "), strings.Join(cols, ", "), strings.Join(results.GroupContext(), ", ")))
			continue
		}
		out = append(out, prepared{rule: r, stmt: st, args: args})
	}
	if len(errs) > 0 {
		for _, p := range out {
			p.stmt.Close()
		}
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// minParallelRules is how many rules that do not dial make a second connection worth its setup
// (its views and resolved RisPort table, a fraction of a second on a megacluster).
const minParallelRules = 8

// Run evaluates the selected rules over one snapshot, applies the waivers and stores the
// results as a new analysis of the snapshot. Rules whose required inputs are incomplete are
// inconclusive and report nothing; a rule failing at run time is an error result while the
// others still run. Load problems (rules, waivers, EOL data, parameters) fail the whole run
// before anything is stored.
func Run(ctx context.Context, store *snapshot.Store, snapshotID int64, opts Options) (*Result, error) {
	start := time.Now()
	now := opts.Now
	if now.IsZero() {
		now = start
	}
	meta, err := store.Get(ctx, snapshotID)
	if err != nil {
		return nil, err
	}
	if meta.Status == snapshot.StatusFailed {
		return nil, fmt.Errorf("snapshot %d failed to collect and holds no data (%s); collect again", meta.ID, meta.Note)
	}
	set := opts.Rules
	if set == nil {
		if set, err = LoadRules(opts.RuleDirs...); err != nil {
			return nil, err
		}
	}
	inPacks, err := set.InPacks(opts.Packs)
	if err != nil {
		return nil, err
	}
	selected, err := selectInPacks(set, inPacks, opts.Packs, opts.Only, opts.Skip)
	if err != nil {
		return nil, err
	}
	params, err := resolveParams(set, selected, opts.Params)
	if err != nil {
		return nil, err
	}
	var waivers []WaiverEntry
	if opts.WaiversFile != "" {
		if waivers, err = LoadWaivers(opts.WaiversFile); err != nil {
			return nil, err
		}
		for _, w := range waivers {
			if set.Get(w.Rule) == nil {
				return nil, fmt.Errorf("%s:%d: waiver for unknown rule %s (see `cucm-audit rules list`)", w.File, w.Line, w.Rule)
			}
		}
	}
	eol, err := LoadEOL(opts.EOLFile)
	if err != nil {
		return nil, err
	}
	releases, err := LoadEOLReleases(opts.EOLFile)
	if err != nil {
		return nil, err
	}
	history, err := earlierSnapshots(ctx, store, meta)
	if err != nil {
		return nil, err
	}
	cov, err := store.Coverage(ctx, meta.ID)
	if err != nil {
		return nil, err
	}
	gate, err := newGate(ctx, store, meta.ID, cov)
	if err != nil {
		return nil, err
	}

	e, err := openEvaluator(ctx, store.Path(), meta, history, eol, releases)
	if err != nil {
		return nil, err
	}
	ps, err := e.prepare(ctx, selected, params)
	if err != nil {
		e.Close()
		return nil, err
	}
	// The rules that dial run in their order on this connection once the dial plan, loading on
	// a connection of its own meanwhile, is ready. The other rules are shared with a second
	// evaluator on the same snapshot, whichever connection is free taking the next one; the
	// results keep the rules' order.
	var order, dialing []int
	for i, p := range ps {
		if usesDial(p.rule.Query) {
			dialing = append(dialing, i)
			if gate.check(p.rule.Requires) == "" {
				e.prefetchDial(ctx, store.Path(), meta.ID)
			}
			continue
		}
		order = append(order, i)
	}
	res := &Result{Snapshot: meta, StartedAt: start, Available: len(set.Rules), Rules: make([]RuleResult, len(ps))}
	limits := opts.limits()
	runOne := func(e *evaluator, p prepared) RuleResult {
		rr := RuleResult{Rule: p.rule, Params: params[p.rule.ID]}
		t0 := time.Now()
		if reason := gate.check(p.rule.Requires); reason != "" {
			rr.Outcome, rr.Reason = results.OutcomeInconclusive, reason
		} else if err := e.dialFor(ctx, p.rule); err != nil {
			rr.Outcome, rr.Reason = results.OutcomeError, err.Error()
		} else if err := e.derivedFor(ctx, p.rule); err != nil {
			rr.Outcome, rr.Reason = results.OutcomeError, err.Error()
		} else if fs, err := runLimited(ctx, p, limits); err != nil {
			rr.Outcome, rr.Reason = results.OutcomeError, err.Error()
			var inc inconclusiveRow
			if errors.As(err, &inc) {
				rr.Outcome, rr.Reason = results.OutcomeInconclusive, inc.reason
			}
		} else {
			rr.Findings = fs
			rr.Outcome = results.OutcomePass
			if len(fs) > 0 {
				rr.Outcome = results.OutcomeFail
			}
		}
		rr.Duration = time.Since(t0)
		return rr
	}
	var next atomic.Int64 // the next index of order to run
	take := func() (int, bool) {
		k := int(next.Add(1)) - 1
		if k >= len(order) || ctx.Err() != nil {
			return 0, false
		}
		return order[k], true
	}
	var wg sync.WaitGroup
	if len(order) >= minParallelRules {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e2, err := openEvaluator(ctx, store.Path(), meta, history, eol, releases)
			if err != nil {
				return // this connection runs every rule: slower, the same results
			}
			defer e2.Close()
			for i, ok := take(); ok; i, ok = take() {
				p := ps[i]
				st, err := e2.conn.PrepareContext(ctx, p.rule.Query)
				if err != nil {
					res.Rules[i] = RuleResult{Rule: p.rule, Params: params[p.rule.ID], Outcome: results.OutcomeError,
						Reason: fmt.Sprintf("preparing the query on the second connection: %v", err)}
					continue
				}
				res.Rules[i] = runOne(e2, prepared{rule: p.rule, stmt: st, args: p.args})
				st.Close()
			}
		}()
	}
	// This connection takes rules that do not dial until the dial plan is ready, then runs the
	// dialling rules, then helps with what is left: both cores stay busy to the end.
	for !e.dial.ready() {
		i, ok := take()
		if !ok {
			break
		}
		res.Rules[i] = runOne(e, ps[i])
	}
	for _, i := range dialing {
		if ctx.Err() != nil {
			break
		}
		res.Rules[i] = runOne(e, ps[i])
	}
	for i, ok := take(); ok; i, ok = take() {
		res.Rules[i] = runOne(e, ps[i])
	}
	wg.Wait()
	for _, p := range ps {
		p.stmt.Close()
	}
	if ctx.Err() != nil {
		e.Close()
		return nil, fmt.Errorf("analysing snapshot %d: %w", meta.ID, ctx.Err())
	}
	e.Close()
	res.Waivers = applyWaivers(res.Rules, waivers, now)
	res.Duration = time.Since(start)
	if err := saveResult(ctx, store, res, opts); err != nil {
		return nil, err
	}
	return res, nil
}

// earlierSnapshots lists the usable snapshots of the same cluster taken before meta.
func earlierSnapshots(ctx context.Context, store *snapshot.Store, meta snapshot.Meta) ([]snapshot.Meta, error) {
	all, err := store.List(ctx, meta.ClusterID)
	if err != nil {
		return nil, err
	}
	var out []snapshot.Meta
	for _, m := range all {
		if m.ID < meta.ID && m.Status != snapshot.StatusFailed {
			out = append(out, m)
		}
	}
	return out, nil
}

// runLimited runs one rule within the time limit (the driver interrupts SQLite when the
// context ends), the row limit and the size limit, and says which limit stopped it.
func runLimited(ctx context.Context, p prepared, l ruleLimits) ([]results.Finding, error) {
	rctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	fs, err := runRule(rctx, p, l)
	switch {
	case err == nil:
		return fs, nil
	case errors.Is(err, errRowLimit):
		return nil, fmt.Errorf("more than %d rows: row limit (raise it with --rule-max-rows or analysis.rule_max_rows if the rule is right)", l.maxRows)
	case errors.Is(err, errSizeLimit):
		return nil, fmt.Errorf("more than %s of results: size limit (a rule returns short evidence, not bulk data)", byteSize(l.maxBytes))
	case ctx.Err() == nil && rctx.Err() != nil:
		return nil, fmt.Errorf("stopped after %s: time limit (raise it with --rule-timeout or analysis.rule_timeout if the rule is right)", l.timeout)
	}
	return nil, err
}

// byteSize spells n bytes in MB when it is a whole number of them.
func byteSize(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// runRule runs one rule's query; more than l.maxRows rows fail with errRowLimit, more than
// l.maxBytes bytes of values with errSizeLimit.
func runRule(ctx context.Context, p prepared, l ruleLimits) (findings []results.Finding, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("rule %s: %v", p.rule.ID, r)
		}
	}()
	rows, err := p.stmt.QueryContext(ctx, p.args...)
	if err != nil {
		return nil, fmt.Errorf("running query: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, fmt.Errorf("running query: %w", err)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	seen := map[string]bool{}
	n, size := 0, 0
	for rows.Next() {
		if n++; n > l.maxRows {
			return nil, errRowLimit
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("reading row: %w", err)
		}
		f := results.Finding{RuleID: p.rule.ID, Severity: p.rule.Severity}
		row := make(map[string]any, len(cols))
		for i, c := range cols {
			v := vals[i]
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			text := results.ValueText(v)
			if size += len(text); size > l.maxBytes {
				return nil, errSizeLimit
			}
			switch c {
			case "entity":
				f.Entity = text
			case "message":
				f.Message = text
			case InconclusiveColumn: // the rule's own verdict, not evidence
			default:
				text = cutEvidence(text)
				if _, ok := v.(string); ok {
					v = text // the message template sees the cut value too
				}
				f.Evidence = append(f.Evidence, results.Field{Name: c, Value: text})
			}
			row[c] = v
		}
		if reason := results.ValueText(row[InconclusiveColumn]); reason != "" {
			return nil, inconclusiveRow{reason}
		}
		if f.Entity == "" {
			return nil, fmt.Errorf("a row has an empty entity (every row must name what it is about)")
		}
		if seen[f.Entity] {
			continue // one finding per entity: the first row wins
		}
		seen[f.Entity] = true
		if p.rule.msg != nil {
			var sb strings.Builder
			if err := p.rule.msg.Execute(&sb, row); err != nil {
				return nil, fmt.Errorf("message template: %w", err)
			}
			f.Message = sb.String()
		}
		f.Fingerprint = Fingerprint(f.RuleID, f.Entity)
		findings = append(findings, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("running query: %w", err)
	}
	return findings, nil
}

// InconclusiveColumn names the column by which a rule says its data cannot decide: a row with
// a non-empty value in it makes the whole rule inconclusive with that value as the reason,
// whatever the other rows (for conditions the requires: coverage cannot see, such as the
// collecting account missing from the users read).
const InconclusiveColumn = "inconclusive"

// inconclusiveRow is a rule's own verdict that its data cannot decide.
type inconclusiveRow struct{ reason string }

func (e inconclusiveRow) Error() string { return "inconclusive: " + e.reason }

// cutEvidence cuts an evidence value longer than MaxEvidenceValue bytes (at a character
// boundary), saying so and how long it was: a finding holds evidence, not bulk data.
func cutEvidence(s string) string {
	if len(s) <= MaxEvidenceValue {
		return s
	}
	cut := MaxEvidenceValue
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (truncated, %d bytes)", s[:cut], len(s))
}

// applyWaivers marks findings matched by a waiver: a valid waiver waives them, an expired one
// leaves them open and flagged. It returns the expired waivers and the valid ones that matched
// nothing on a rule that ran (stale).
func applyWaivers(rules []RuleResult, waivers []WaiverEntry, now time.Time) results.WaiverNotes {
	notes := results.WaiverNotes{Expired: []results.Waiver{}, Stale: []results.Waiver{}}
	for _, we := range waivers {
		w := we.Waiver
		w.Expired = expiredOn(w, now)
		matched, ran := false, false
		for ri := range rules {
			rr := &rules[ri]
			if !strings.EqualFold(rr.Rule.ID, w.Rule) {
				continue
			}
			ran = rr.Outcome == results.OutcomePass || rr.Outcome == results.OutcomeFail
			for fi := range rr.Findings {
				f := &rr.Findings[fi]
				if ok, _ := matchEntity(w.Entity, f.Entity); !ok {
					continue
				}
				matched = true
				if f.Waiver == nil || (f.Waiver.Expired && !w.Expired) {
					wc := w
					f.Waiver = &wc
				}
			}
		}
		switch {
		case w.Expired:
			notes.Expired = append(notes.Expired, w)
		case !matched && ran:
			notes.Stale = append(notes.Stale, w)
		}
	}
	return notes
}

// unknownGroupFields returns the group_by names that are neither columns nor device attributes.
func unknownGroupFields(groupBy, cols []string) []string {
	known := map[string]bool{}
	for _, c := range cols {
		known[c] = true
	}
	for _, a := range results.GroupContext() {
		known[a] = true
	}
	var bad []string
	for _, g := range groupBy {
		if !known[g] {
			bad = append(bad, g)
		}
	}
	return bad
}
