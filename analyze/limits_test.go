package analyze

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// TestRuleLimits: a recursive CTE without an end, a cross join that runs for ever, a recursive
// CTE holding a growing set and a string that doubles each stop with an error result naming
// the limit, quickly, and the other rules still run.
func TestRuleLimits(t *testing.T) {
	store := newStore(t)
	id := healthy().write(t, store)
	rule := func(rid, query string) string {
		return `  - id: ` + rid + `
    title: t
    severity: low
    category: test
    description: d
    remediation: r
    query: "` + query + `"
`
	}
	pack := "schema: 1\nrules:\n" +
		rule("LIM-001", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x AS entity FROM c") +
		rule("LIM-002", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x AS entity FROM c WHERE x < 0") +
		rule("LIM-003", "WITH RECURSIVE c(x) AS (SELECT 1 UNION SELECT x + 1 FROM c) SELECT max(x) AS entity FROM c") +
		rule("LIM-004", "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) SELECT a.i || '-' || b.i AS entity FROM n a, n b, n c WHERE a.i * b.i * c.i < 0") +
		rule("LIM-006", "SELECT name AS entity FROM devices WHERE class = 'Gateway'")
	rules, err := ParsePack("limits.yaml", []byte(pack))
	must(t, err)
	start := time.Now()
	res, err := Run(context.Background(), store, id, Options{Rules: &RuleSet{Rules: rules}, RuleTimeout: 300 * time.Millisecond, RuleMaxRows: 1000})
	must(t, err)
	took := time.Since(start)
	got := byRule(res)
	want := map[string]string{
		"LIM-001": "more than 1000 rows: row limit (raise it with --rule-max-rows or analysis.rule_max_rows if the rule is right)",
		"LIM-002": "stopped after 300ms: time limit (raise it with --rule-timeout or analysis.rule_timeout if the rule is right)",
		"LIM-003": "stopped after 300ms: time limit",
		"LIM-004": "stopped after 300ms: time limit",
	}
	for rid, reason := range want {
		if r := got[rid]; r.Outcome != results.OutcomeError || !strings.Contains(r.Reason, reason) || len(r.Findings) != 0 {
			t.Errorf("%s = %s %q (%d findings), want error %q", rid, r.Outcome, r.Reason, len(r.Findings), reason)
		}
	}
	if r := got["LIM-006"]; r.Outcome != results.OutcomeFail || len(r.Findings) != 1 {
		t.Errorf("LIM-006 after the runaway rules = %s %v, want one finding", r.Outcome, entities(r))
	}
	// Three rules may use their 300 ms each; the rest is setup.
	if took > 10*time.Second {
		t.Errorf("the analysis took %s", took)
	}
	t.Logf("limits: %d rules in %s", len(res.Rules), took.Round(time.Millisecond))

	// A string that doubles at each step stops at the size limit, long before the time limit.
	pack = "schema: 1\nrules:\n" +
		rule("LIM-005", "WITH RECURSIVE s(v) AS (SELECT 'x' UNION ALL SELECT v || v FROM s) SELECT length(v) AS entity FROM s WHERE length(v) < 0")
	rules, err = ParsePack("limits.yaml", []byte(pack))
	must(t, err)
	res, err = Run(context.Background(), store, id, Options{Rules: &RuleSet{Rules: rules}, RuleTimeout: time.Minute})
	must(t, err)
	if r := res.Rules[0]; r.Outcome != results.OutcomeError || !strings.Contains(r.Reason, "string or blob too big") || r.Duration > 20*time.Second {
		t.Errorf("LIM-005 = %s %q after %s, want error string or blob too big", r.Outcome, r.Reason, r.Duration)
	}
	t.Logf("limits: a doubling string stopped after %s", res.Rules[0].Duration.Round(time.Millisecond))
}

func TestRuleLimitDefaults(t *testing.T) {
	l := Options{}.limits()
	if l.timeout != 60*time.Second || l.maxRows != 100_000 || l.maxBytes != 32<<20 {
		t.Errorf("defaults = %s, %d rows, %d bytes; want 60s, 100000, 32 MB", l.timeout, l.maxRows, l.maxBytes)
	}
}

// TestRuleResultSize: a rule returning a few huge values stops at the size limit with an error
// result instead of holding them all (12 × 6 MB here; the same query with 30 MB blobs took 2 GB
// before), and a long evidence value is cut with a visible mark.
func TestRuleResultSize(t *testing.T) {
	store := newStore(t)
	id := healthy().write(t, store)
	pack := `schema: 1
rules:
  - id: SIZE-001
    title: t
    severity: low
    category: test
    description: d
    remediation: r
    query: "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<12) SELECT i AS entity, hex(randomblob(3000000)) AS ev FROM c"
  - id: SIZE-002
    title: t
    severity: low
    category: test
    description: d
    remediation: r
    query: "SELECT 'big' AS entity, replace(hex(zeroblob(2500)), '0', 'a') AS ev, 'short' AS note"
    message: "{{.ev}}"
`
	rules, err := ParsePack("size.yaml", []byte(pack))
	must(t, err)
	res, err := Run(context.Background(), store, id, Options{Rules: &RuleSet{Rules: rules}})
	must(t, err)
	got := byRule(res)
	if r := got["SIZE-001"]; r.Outcome != results.OutcomeError || r.Reason != "more than 32 MB of results: size limit (a rule returns short evidence, not bulk data)" || len(r.Findings) != 0 {
		t.Errorf("SIZE-001 = %s %q (%d findings), want the size limit", r.Outcome, r.Reason, len(r.Findings))
	}
	r := got["SIZE-002"]
	if r.Outcome != results.OutcomeFail || len(r.Findings) != 1 {
		t.Fatalf("SIZE-002 = %s %q, want one finding", r.Outcome, r.Reason)
	}
	f := r.Findings[0]
	want := strings.Repeat("a", 4096) + "… (truncated, 5000 bytes)"
	if len(f.Evidence) != 2 || f.Evidence[0].Value != want || f.Evidence[1].Value != "short" {
		t.Errorf("evidence = %.80q…, want the value cut at 4096 bytes with the mark, and the short one whole", f.Evidence)
	}
	if f.Message != want {
		t.Errorf("message from the long value has %d bytes, want it cut like the evidence", len(f.Message))
	}

	// A lower limit, as the Options field sets it.
	res, err = Run(context.Background(), store, id, Options{Rules: &RuleSet{Rules: rules[:1]}, RuleMaxBytes: 1 << 20})
	must(t, err)
	if r := res.Rules[0]; r.Outcome != results.OutcomeError || !strings.HasPrefix(r.Reason, "more than 1 MB of results: size limit") {
		t.Errorf("SIZE-001 with 1 MB = %s %q, want the size limit", r.Outcome, r.Reason)
	}
}
