package collect_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/collect"
	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
	"github.com/cucm-audit/cucm-audit/snapshot"
	"github.com/google/go-cmp/cmp"
)

// fmScenario is the cluster of the fault matrix: three nodes, every tracked class, phones that
// are registered, unregistered, rejected, failed over, listed twice, and some never seen (so
// REG-001 fires on the clean run and a false orphan would show). Written for this test.
const fmScenario = `
seed: 11
cluster: {name: faultmatrix, id: faultmatrix}
version: 15.0.1.12900(234)
credentials: {user: axlaudit, password: Fm-Zebra-4471!}
nodes:
  - {name: cucm-pub, role: publisher, ip: 10.0.0.10}
  - {name: cucm-sub1, role: subscriber, ip: 10.0.0.11}
  - {name: cucm-sub2, role: subscriber, ip: 10.0.0.12}
cm_groups:
  - {name: CMG_A, nodes: [cucm-sub1, cucm-sub2]}
  - {name: CMG_B, nodes: [cucm-sub2, cucm-sub1]}
device_pools:
  - {name: DP_A, cm_group: CMG_A}
  - {name: DP_B, cm_group: CMG_B}
partitions: [PT_Internal]
calling_search_spaces:
  - {name: CSS_Internal, partitions: [PT_Internal]}
users: {extra: 2}
device_groups:
  - name: phones
    class: Phone
    count: 70
    name_pattern: "SEP{mac}"
    models: [{model: Cisco 8845, weight: 3}, {model: Cisco 7841, weight: 1}]
    device_pools: [DP_A, DP_B]
    calling_search_space: CSS_Internal
    owner_fraction: 0.5
    lines: 1
    dn_start: 3000
    partition: PT_Internal
    risport: {seen: 55, registered: 45, unregistered: 9, rejected: 1, failed_over: 4, duplicated: 6}
  - name: gateways
    class: Gateway
    count: 6
    name_pattern: "AN{n:03}"
    models: [{model: Cisco VG320, weight: 1}]
    device_pools: [DP_A]
    risport: {seen: 6, registered: 3, rejected: 3}
  - name: trunks
    class: SIPTrunk
    count: 3
    name_pattern: "SIP_TRUNK_{n}"
    models: [{model: SIP Trunk, weight: 1}]
    device_pools: [DP_A]
    risport: {seen: 3, registered: 2, unregistered: 1}
  - name: hunt
    class: HuntList
    count: 2
    name_pattern: "HL_{n}"
    models: [{model: Hunt List, weight: 1}]
    device_pools: [DP_B]
    risport: {seen: 2, registered: 2}
  - name: cti
    class: Cti
    count: 2
    name_pattern: "CTIRP{n}"
    models: [{model: CTI Route Point, weight: 1}]
    device_pools: [DP_B]
    risport: {seen: 2, registered: 2}
faults:
  risport_rate_limit: 0
`

const (
	fmUser = "axlaudit"
	fmPass = "Fm-Zebra-4471!"
	// fmNeverSeen is the rule that must never fire on a RisPort pass with a gap.
	fmNeverSeen = "REG-001"
	// fmCaseLimit bounds each case; the watchdog fails the test a little later.
	fmCaseLimit = 45 * time.Second
)

// fmCase is one fault of the matrix.
type fmCase struct {
	name   string
	faults func(*cucmsim.Faults)
	wrap   func(http.Handler) http.Handler
	cfg    func(*collect.Config)
	// server replaces the plain httptest server (TLS cases); it returns the base URL.
	server func(t *testing.T, h http.Handler) (url string, cfg func(*collect.Config))
	// want is the honest outcome: "identical" (complete, same data as the clean run),
	// "partial" (the listed coverage items incomplete, nothing else), or "fail" (an error
	// containing errText and no usable snapshot).
	want       string
	incomplete []string
	errText    string
	// quiet: the fault leaves no trace in the counters (NotFound is a normal answer; a TLS
	// refusal never reaches the simulator). Every other case must show it hit.
	quiet bool
}

// fmTally is what docs/reliability.md quotes.
type fmTally struct {
	cases, survived, lost int
}

// TestFaultMatrix runs a collection per fault against the simulator and checks each ends
// honestly: identical data to the clean run, or a partial snapshot whose coverage names the
// gap (with the never-registered rule inconclusive and no rule reporting a finding the clean
// run does not have), or a clear failure with no snapshot that reads as usable. Never a hang.
func TestFaultMatrix(t *testing.T) {
	rules, err := analyze.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	clean := fmRun(t, fmCase{name: "clean", want: "identical"}, rules)
	if clean.err != nil || clean.meta.Status != snapshot.StatusComplete {
		t.Fatalf("clean run: %v %s %s\n%s", clean.err, clean.meta.Status, clean.meta.Note, clean.logs)
	}
	if n := len(clean.findings[fmNeverSeen]); n == 0 {
		t.Fatalf("the clean run has no %s finding: the matrix could not see a false orphan", fmNeverSeen)
	}

	nth := func(every int, api string, fn func(w http.ResponseWriter, r *http.Request, h http.Handler)) func(http.Handler) http.Handler {
		return func(h http.Handler) http.Handler {
			var n atomic.Int64
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if (api == "" || apiOf(r) == api) && n.Add(1)%int64(every) == 0 {
					fn(w, r, h)
					return
				}
				h.ServeHTTP(w, r)
			})
		}
	}
	slow := func(d time.Duration) func(w http.ResponseWriter, r *http.Request, h http.Handler) {
		return func(w http.ResponseWriter, r *http.Request, h http.Handler) {
			// Read the request first: the server notices a client that gave up only then.
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
			h.ServeHTTP(w, r)
		}
	}
	retries := func(n int) func(*collect.Config) { return func(c *collect.Config) { c.Retries = n } }

	cases := []fmCase{
		{name: "503 burst", want: "identical", faults: func(f *cucmsim.Faults) { f.HTTP503Burst = 3 }},
		{name: "503 on 25% of requests", want: "identical", faults: func(f *cucmsim.Faults) { f.HTTP503Rate = 0.25 }, cfg: retries(10)},
		{name: "RateControl faults", want: "identical", faults: func(f *cucmsim.Faults) {
			f.RisPortRateLimit = 3
			f.RisPortRateWindow = 150 * time.Millisecond
		}, cfg: func(c *collect.Config) { c.RisRateLimit = 1000; c.RisRateWindow = 150 * time.Millisecond }},
		{name: "connection reset mid-body", want: "identical", wrap: nth(4, "", resetMidBody), cfg: retries(6)},
		{name: "truncated XML, proper HTTP framing", want: "identical", wrap: nth(5, "", truncateXML), cfg: retries(6)},
		{name: "truncated body, connection dropped (simulator)", want: "identical", faults: func(f *cucmsim.Faults) { f.TruncateBodyRate = 0.15 }, cfg: retries(8)},
		{name: "HTML error page with status 200", want: "identical", faults: func(f *cucmsim.Faults) { f.HTMLErrorRate = 0.3 }, cfg: retries(10)},
		{name: "HTML error page with status 200 (proxy)", want: "identical", wrap: nth(6, "", htmlProxy), cfg: retries(6)},
		{name: "some answers slower than the timeout", want: "identical", wrap: nth(7, "", slow(5*time.Second)),
			cfg: func(c *collect.Config) { c.Timeout = 1500 * time.Millisecond; c.Retries = 4 }},
		{name: "every RisPort answer slower than the timeout", want: "partial", wrap: nth(1, "risport", slow(10*time.Second)),
			cfg: func(c *collect.Config) { c.Timeout = 300 * time.Millisecond; c.Retries = 1 },
			// The short timeout applies to AXL too: on a loaded machine an AXL item may time out
			// as well, which is just as honest.
			incomplete: []string{"risport class:*", "?risport node:*", "?axl *"}},
		{name: "node answers NotFound", want: "identical", quiet: true, faults: func(f *cucmsim.Faults) { f.NodesNotFound = []string{"cucm-pub"} }},
		{name: "node answers NodeNotResponding", want: "partial", quiet: true, faults: func(f *cucmsim.Faults) { f.NodesNotResponding = []string{"cucm-sub2"} },
			incomplete: []string{"risport node:cucm-sub2"}},
		{name: "node says nothing at all (no CmNode, not in StateInfo)", want: "partial", quiet: true, faults: func(f *cucmsim.Faults) { f.NodesSilent = []string{"cucm-sub2"} },
			incomplete: []string{"risport node:cucm-sub2"}},
		{name: "Phone class answers 500", want: "partial", faults: func(f *cucmsim.Faults) { f.ClassesFailing = []string{"Phone"} },
			incomplete: []string{"risport class:Phone"}},
		{name: "Gateway class answers 500", want: "partial", faults: func(f *cucmsim.Faults) { f.ClassesFailing = []string{"Gateway"} },
			incomplete: []string{"risport class:Gateway"}},
		{name: "RisPort dies midway (503 from the 2nd request on)", want: "partial", wrap: afterN(1, "risport", unavailable),
			// Answers of 40 devices: the cluster takes several requests.
			faults: func(f *cucmsim.Faults) { f.RisPortMaxDevices = 40 },
			cfg:    func(c *collect.Config) { c.Retries, c.RisMaxDevices = 2, 40 }, incomplete: []string{"risport class:*", "?risport node:*"}},
		{name: "AXL row cap", want: "identical", faults: func(f *cucmsim.Faults) { f.AXLMaxRows = 17 }},
		{name: "AXL response byte cap", want: "identical", faults: func(f *cucmsim.Faults) { f.AXLMaxBytes = 6000 }},
		{name: "AXL memory-allocation faults", want: "identical", faults: func(f *cucmsim.Faults) { f.AXLMemoryFaultRate = 0.25 }, cfg: retries(10)},
		{name: "AXL memory-allocation fault on every query", want: "partial", faults: func(f *cucmsim.Faults) { f.AXLMemoryFaultRate = 1 },
			cfg: retries(2), incomplete: []string{"axl *"}},
		{name: "expired session cookie (404)", want: "identical", faults: func(f *cucmsim.Faults) { f.AXLSessionExpired = true }},
		{name: "wrong credentials", want: "fail", errText: "authentication failed at",
			cfg: func(c *collect.Config) { c.Password = collect.Secret(fmPass + "-wrong") }},
		{name: "wrong_credentials knob (every request 401)", want: "fail", errText: "authentication failed at",
			faults: func(f *cucmsim.Faults) { f.WrongCredentials = true }},
		{name: "self-signed certificate not trusted", want: "fail", errText: "AXL_CA_FILE", server: tlsServer(false), quiet: true},
		{name: "certificate for another host name", want: "fail", errText: "AXL_CA_FILE", server: tlsServer(true), quiet: true},
	}
	tally := fmTally{}
	for _, tc := range cases {
		tally.cases++
		ok := t.Run(tc.name, func(t *testing.T) {
			got := fmRun(t, tc, rules)
			lost := fmCheck(t, tc, clean, got)
			tally.lost += lost
		})
		if ok {
			tally.survived++
		}
	}
	t.Logf("faultmatrix: cases=%d survived=%d records_lost=%d", tally.cases, tally.survived, tally.lost)
}

// fmResult is one collection and its analysis.
type fmResult struct {
	meta     snapshot.Meta
	err      error
	logs     string
	db       string
	dump     map[string][]string
	cov      map[string]snapshot.Coverage
	outcome  map[string]results.Outcome
	findings map[string][]string // rule id -> sorted entities
	status   []string            // status of every snapshot row in the database
	hits     int64               // faults seen: simulator faults sent, client retries and waits
}

func fmRun(t *testing.T, tc fmCase, rules *analyze.RuleSet) fmResult {
	t.Helper()
	sc, err := cucmsim.ParseScenario("faultmatrix.yaml", []byte(fmScenario))
	if err != nil {
		t.Fatal(err)
	}
	if tc.faults != nil {
		tc.faults(&sc.Faults)
	}
	sim, err := cucmsim.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	h := sim.Handler()
	if tc.wrap != nil {
		h = tc.wrap(h)
	}
	var url string
	var tlsCfg func(*collect.Config)
	if tc.server != nil {
		url, tlsCfg = tc.server(t, h)
	} else {
		hs := httptest.NewServer(h)
		t.Cleanup(hs.Close)
		url = hs.URL
	}
	cfg := collect.Config{
		Cluster: "faultmatrix", AXLURL: url + "/axl/", User: fmUser, Password: collect.Secret(fmPass), VerifyTLS: true,
		Retries: 4, Timeout: 5 * time.Second, RisRateLimit: 1000, RisRateWindow: time.Second, RisMaxDevices: 1000,
		InitialBackoff: time.Millisecond, ToolVersion: "faultmatrix",
	}
	if tlsCfg != nil {
		tlsCfg(&cfg)
	}
	if tc.cfg != nil {
		tc.cfg(&cfg)
	}
	db := filepath.Join(t.TempDir(), "fm.db")
	var logs bytes.Buffer
	c, err := collect.New(cfg, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	store, err := snapshot.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()

	ctx, cancel := context.WithTimeout(context.Background(), fmCaseLimit)
	defer cancel()
	type out struct {
		m   snapshot.Meta
		err error
	}
	done := make(chan out, 1)
	go func() {
		m, err := c.Run(ctx, store, nil)
		done <- out{m, err}
	}()
	var o out
	select {
	case o = <-done:
	case <-time.After(fmCaseLimit + 15*time.Second):
		t.Fatalf("collection still running %s after its deadline: a hang", 15*time.Second)
	}
	if errors.Is(o.err, context.DeadlineExceeded) {
		t.Fatalf("collection ran into the case deadline of %s: %v", fmCaseLimit, o.err)
	}
	r := fmResult{meta: o.m, err: o.err, logs: logs.String() + c.Summary(), db: db}
	st, cs := sim.Stats(), c.Stats()
	r.hits = cs.AXL.Retries + cs.AXL.Waits + cs.RisPort.Retries + cs.RisPort.Waits +
		int64(st.HTTP503+st.RateControlFaults+st.SOAPFaults+st.SessionExpired+st.Unauthorized)
	rows, err := store.DB().Query("SELECT status FROM snapshot ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		r.status = append(r.status, s)
	}
	rows.Close()
	if o.err != nil || o.m.Status == snapshot.StatusFailed {
		return r
	}
	r.dump = testtool.DumpSnapshot(t, store.DB(), o.m.ID)
	cv, err := store.Coverage(context.Background(), o.m.ID)
	if err != nil {
		t.Fatal(err)
	}
	r.cov = map[string]snapshot.Coverage{}
	for _, c := range cv {
		r.cov[c.Source+" "+c.Item] = c
	}
	res, err := analyze.Run(context.Background(), store, o.m.ID, analyze.Options{Rules: rules, Now: time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatalf("analyze: %v", err)
	}
	r.outcome, r.findings = map[string]results.Outcome{}, map[string][]string{}
	for _, rr := range res.Rules {
		r.outcome[rr.Rule.ID] = rr.Outcome
		for _, f := range rr.Findings {
			r.findings[rr.Rule.ID] = append(r.findings[rr.Rule.ID], f.Entity)
		}
		sort.Strings(r.findings[rr.Rule.ID])
	}
	return r
}

// fmCheck asserts the honest outcome and returns the number of records lost: rows of the clean
// run missing from a snapshot whose coverage claims they were read.
func fmCheck(t *testing.T, tc fmCase, clean, got fmResult) int {
	t.Helper()
	if strings.Contains(got.logs, fmPass) || got.err != nil && strings.Contains(got.err.Error(), fmPass) {
		t.Error("the password leaked into the logs or the error")
	}
	if !tc.quiet && tc.name != "clean" && got.hits == 0 {
		t.Errorf("the fault never hit: no simulator fault, retry or wait was counted\n%s", tail(got.logs))
	}
	switch tc.want {
	case "fail":
		if got.err == nil {
			t.Fatalf("collection succeeded (%s), want an error containing %q", got.meta.Status, tc.errText)
		}
		if !strings.Contains(got.err.Error(), tc.errText) || strings.Contains(got.err.Error(), "\n") {
			t.Errorf("error %q: want one line containing %q", got.err, tc.errText)
		}
		for i, s := range got.status {
			if s != string(snapshot.StatusFailed) {
				t.Errorf("snapshot row %d is %s after a failed collection", i+1, s)
			}
		}
		return 0
	}
	if got.err != nil {
		t.Fatalf("collection failed: %v\n%s", got.err, tail(got.logs))
	}
	lost := 0
	switch tc.want {
	case "identical":
		if got.meta.Status != snapshot.StatusComplete {
			t.Fatalf("status %s (%s), want complete", got.meta.Status, got.meta.Note)
		}
		if d := cmp.Diff(normalizeDump(clean.dump), normalizeDump(got.dump)); d != "" {
			t.Errorf("snapshot differs from the clean run (-clean +got):\n%s", d)
		}
		lost = missing(clean.dump, got.dump, func(string, string) bool { return true })
		if d := cmp.Diff(clean.outcome, got.outcome); d != "" {
			t.Errorf("rule outcomes differ from the clean run (-clean +got):\n%s", d)
		}
		if d := cmp.Diff(clean.findings, got.findings); d != "" {
			t.Errorf("findings differ from the clean run (-clean +got):\n%s", d)
		}
	case "partial":
		if got.meta.Status != snapshot.StatusPartial {
			t.Fatalf("status %s (%s), want partial", got.meta.Status, got.meta.Note)
		}
		var bad []string
		for item, c := range got.cov {
			if !c.Complete {
				bad = append(bad, item)
				if c.Reason == "" {
					t.Errorf("%s incomplete without a reason", item)
				}
			}
		}
		sort.Strings(bad)
		for _, want := range tc.incomplete {
			if strings.HasPrefix(want, "?") {
				continue // may be incomplete, need not be
			}
			if !slices.ContainsFunc(bad, func(b string) bool { return matchItem(want, b) }) {
				t.Errorf("coverage %s should be incomplete; incomplete: %v", want, bad)
			}
		}
		for _, b := range bad {
			if !slices.ContainsFunc(tc.incomplete, func(w string) bool { return matchItem(w, b) }) {
				t.Errorf("coverage %s is incomplete but the fault does not touch it", b)
			}
		}
		risGap := slices.ContainsFunc(bad, func(b string) bool {
			return strings.HasPrefix(b, "risport node:") || b == "risport class:Phone" || strings.HasPrefix(b, "axl ")
		})
		if risGap && got.outcome[fmNeverSeen] != results.OutcomeInconclusive {
			t.Errorf("%s is %s with %d findings on a snapshot whose RisPort/AXL coverage has a gap: a false finding",
				fmNeverSeen, got.outcome[fmNeverSeen], len(got.findings[fmNeverSeen]))
		}
		// No rule that ran may report a finding the clean run does not have.
		for id, fs := range got.findings {
			if strings.HasPrefix(id, "DQ-") || got.outcome[id] == results.OutcomeInconclusive {
				continue // data-quality rules report the gaps themselves
			}
			for _, e := range fs {
				if !slices.Contains(clean.findings[id], e) {
					t.Errorf("%s reports %s, which the clean run does not: a false finding", id, e)
				}
			}
		}
		// DQ-003 reports a call-processing node no answer mentioned; DQ-001 the others.
		if got.outcome["DQ-001"] != results.OutcomeFail && got.outcome["DQ-002"] != results.OutcomeFail && got.outcome["DQ-003"] != results.OutcomeFail {
			t.Errorf("none of DQ-001 (%s), DQ-002 (%s), DQ-003 (%s) reports the gap of a partial snapshot",
				got.outcome["DQ-001"], got.outcome["DQ-002"], got.outcome["DQ-003"])
		}
		// Rows missing from what coverage claims complete are lost records.
		lost = missing(clean.dump, got.dump, func(tbl, row string) bool {
			if tbl != "ris_device" {
				return tbl != "coverage" && tbl != "ris_node_answer" && allComplete(got.cov, "axl ")
			}
			node, class := field(row, "node"), field(row, "device_class")
			return complete(got.cov, "risport node:"+node) && complete(got.cov, "risport class:"+class)
		})
	default:
		t.Fatalf("unknown want %q", tc.want)
	}
	if lost > 0 {
		t.Errorf("%d records of the clean run are missing although coverage says they were read", lost)
	}
	return lost
}

// matchItem matches a coverage item against a pattern whose item may end in "*" (and that
// starts with "?" when the item may, but need not, be incomplete).
func matchItem(pattern, item string) bool {
	pattern = strings.TrimPrefix(pattern, "?")
	if p, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(item, p)
	}
	return pattern == item
}

func complete(cov map[string]snapshot.Coverage, item string) bool {
	c, ok := cov[item]
	return ok && c.Complete
}

func allComplete(cov map[string]snapshot.Coverage, prefix string) bool {
	for item, c := range cov {
		if strings.HasPrefix(item, prefix) && !c.Complete {
			return false
		}
	}
	return true
}

// missing counts rows of want absent from got in the tables and rows counted by keep.
func missing(want, got map[string][]string, keep func(tbl, row string) bool) int {
	n := 0
	for tbl, rows := range want {
		if tbl == "coverage" || tbl == "ris_node_answer" {
			continue
		}
		have := map[string]bool{}
		for _, r := range got[tbl] {
			have[r] = true
		}
		for _, r := range rows {
			if !have[r] && keep(tbl, r) {
				n++
			}
		}
	}
	return n
}

func field(row, name string) string {
	for _, p := range strings.Split(row, "|") {
		if v, ok := strings.CutPrefix(p, name+"="); ok {
			return v
		}
	}
	return ""
}

// normalizeDump drops what legitimately differs between two faithful collections: NotFound
// node answers and the wording of a complete item's reason.
func normalizeDump(d map[string][]string) map[string][]string {
	out := map[string][]string{}
	for tbl, rows := range d {
		var keep []string
		for _, row := range rows {
			switch {
			case tbl == "ris_node_answer" && strings.Contains(row, "return_code=NotFound"):
			case tbl == "coverage" && strings.Contains(row, "complete=1"):
				keep = append(keep, "source="+field(row, "source")+"|item="+field(row, "item")+"|records="+field(row, "records"))
			default:
				keep = append(keep, row)
			}
		}
		out[tbl] = keep
	}
	return out
}

func apiOf(r *http.Request) string {
	if strings.HasPrefix(r.URL.Path, cucmsim.RisPortPath) {
		return "risport"
	}
	return "axl"
}

// record runs the simulator into a recorder so a middleware can mangle the answer.
func record(r *http.Request, h http.Handler) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// resetMidBody announces the whole answer, sends half of it and resets the TCP connection.
func resetMidBody(w http.ResponseWriter, r *http.Request, h http.Handler) {
	rec := record(r, h)
	body := rec.Body.Bytes()
	conn, bw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	fmt.Fprintf(bw, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", rec.Code, http.StatusText(rec.Code), rec.Header().Get("Content-Type"), len(body))
	bw.Write(body[:len(body)/2])
	bw.Flush()
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0) // close with RST, not FIN
	}
	conn.Close()
}

// truncateXML answers a well-framed HTTP response whose XML stops halfway.
func truncateXML(w http.ResponseWriter, r *http.Request, h http.Handler) {
	rec := record(r, h)
	body := rec.Body.Bytes()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(body)/2))
	w.WriteHeader(rec.Code)
	w.Write(body[:len(body)/2])
}

// htmlProxy answers a load balancer's maintenance page with status 200.
func htmlProxy(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
	w.Header().Set("Content-Type", "text/html")
	io.WriteString(w, "<html><head><title>Maintenance</title></head><body>Please try again later.</body></html>")
}

func unavailable(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
	http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
}

// afterN applies fn to every request of api after the first n.
func afterN(n int, api string, fn func(w http.ResponseWriter, r *http.Request, h http.Handler)) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		var seen atomic.Int64
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if apiOf(r) == api && seen.Add(1) > int64(n) {
				fn(w, r, h)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
}

// tlsServer serves the simulator over TLS with httptest's certificate (for 127.0.0.1 and
// example.com). trusted=false: the client does not trust it. trusted=true: the client trusts
// it (AXL_CA_FILE) but reaches it as "localhost", a name the certificate does not carry.
func tlsServer(trusted bool) func(t *testing.T, h http.Handler) (string, func(*collect.Config)) {
	return func(t *testing.T, h http.Handler) (string, func(*collect.Config)) {
		hs := httptest.NewUnstartedServer(h)
		hs.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
		hs.StartTLS()
		t.Cleanup(hs.Close)
		if !trusted {
			return hs.URL, nil
		}
		ca := filepath.Join(t.TempDir(), "ca.pem")
		pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: hs.Certificate().Raw})
		if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
			t.Fatal(err)
		}
		_, port, _ := net.SplitHostPort(hs.Listener.Addr().String())
		return "https://localhost:" + port, func(c *collect.Config) { c.CAFile = ca }
	}
}

func tail(s string) string {
	if len(s) > 3000 {
		return "…" + s[len(s)-3000:]
	}
	return s
}
