package analyze

import (
	"context"
	"strings"
	"testing"
	"time"
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
		if r := got[rid]; r.Outcome != OutcomeError || !strings.Contains(r.Reason, reason) || len(r.Findings) != 0 {
			t.Errorf("%s = %s %q (%d findings), want error %q", rid, r.Outcome, r.Reason, len(r.Findings), reason)
		}
	}
	if r := got["LIM-006"]; r.Outcome != OutcomeFail || len(r.Findings) != 1 {
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
	if r := res.Rules[0]; r.Outcome != OutcomeError || !strings.Contains(r.Reason, "string or blob too big") || r.Duration > 20*time.Second {
		t.Errorf("LIM-005 = %s %q after %s, want error string or blob too big", r.Outcome, r.Reason, r.Duration)
	}
	t.Logf("limits: a doubling string stopped after %s", res.Rules[0].Duration.Round(time.Millisecond))
}

func TestRuleLimitDefaults(t *testing.T) {
	timeout, rows := Options{}.limits()
	if timeout != 60*time.Second || rows != 100_000 {
		t.Errorf("defaults = %s, %d; want 60s, 100000", timeout, rows)
	}
}
