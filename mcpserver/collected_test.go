package mcpserver

// Tests on snapshots collected for real: the simulated CUCM (collect/cucmsim) on a shipped
// scenario, the collector, the built-in rules. Only the tests import the collector; the server
// package itself never does (TestNoCollectorImport).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/collect"
	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/examples"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// distinctivePassword is the AXL password the collections use: no answer may contain it.
const distinctivePassword = "Kx7-DISTINCTIVE-pa55-Qw9"

var collected struct {
	sync.Mutex
	dbs map[string]string
}

// collectScenario collects a shipped scenario once per test binary (with distinctivePassword as
// the cluster's password), analyses it with the built-in rules and returns the database path.
func collectScenario(t *testing.T, name string) string {
	t.Helper()
	collected.Lock()
	defer collected.Unlock()
	if p, ok := collected.dbs[name]; ok {
		return p
	}
	ctx := context.Background()
	data, err := examples.Scenario(name)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := cucmsim.ParseScenario(name, data)
	if err != nil {
		t.Fatal(err)
	}
	sc.Credentials.Password = distinctivePassword
	hs, _ := testtool.Sim(t, sc)
	c, err := collect.New(collect.Config{
		Cluster: name, AXLURL: hs.URL + "/axl/", User: sc.Credentials.User, Password: collect.Secret(distinctivePassword),
		VerifyTLS: true, Retries: 4, Timeout: 30 * time.Second, RisRateLimit: 1000, RisRateWindow: time.Second,
		RisMaxDevices: 1000, InitialBackoff: time.Millisecond, ToolVersion: "test",
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	// The database outlives the test that first asks for it, so it is not in t.TempDir().
	path := filepath.Join(collectDir(t), name+".db")
	store, err := snapshot.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	meta, err := c.Run(ctx, store, io.Discard)
	if err != nil {
		t.Fatalf("collecting %s: %v", name, err)
	}
	if _, err := analyze.Run(ctx, store, meta.ID, analyze.Options{ToolVersion: "test"}); err != nil {
		t.Fatalf("analysing %s: %v", name, err)
	}
	if collected.dbs == nil {
		collected.dbs = map[string]string{}
	}
	collected.dbs[name] = path
	return path
}

// collectDirOnce holds the collected databases for the whole test binary; TestMain removes it.
var collectDirOnce struct {
	sync.Once
	dir string
	err error
}

func collectDir(t *testing.T) string {
	collectDirOnce.Do(func() { collectDirOnce.dir, collectDirOnce.err = os.MkdirTemp("", "cucm-audit-mcp-collected-") })
	if collectDirOnce.err != nil {
		t.Fatal(collectDirOnce.err)
	}
	return collectDirOnce.dir
}

// everyCall exercises every tool with ordinary and odd arguments.
var everyCall = []struct {
	tool string
	args map[string]any
}{
	{"snapshot_summary", nil},
	{"list_snapshots", nil},
	{"list_findings", map[string]any{"include_waived": true, "with_evidence": true, "page_size": 500}},
	{"list_rules", map[string]any{"with_text": true, "page_size": 500}},
	{"device_registration_summary", nil},
	{"device_registration_status", map[string]any{"page_size": 500}},
	{"device_registration_status", map[string]any{"status": "Rejected", "page_size": 500}},
	{"diff_snapshots", nil},
	{"dial", map[string]any{"css": "CSS_Internal", "digits": "911"}},
	{"device", map[string]any{"name": "nope"}},
	{"list_findings", map[string]any{"severity": "bogus"}},
	{"explain_finding", map[string]any{"fingerprint": "x"}},
}

// TestNoCredentialInAnswers collects with a distinctive password and greps every answer for it.
func TestNoCredentialInAnswers(t *testing.T) {
	for _, name := range []string{"tiny", "demo"} {
		t.Run(name, func(t *testing.T) {
			if testing.Short() {
				t.Skip("demo collection skipped in -short mode")
			}
			cs := connect(t, collectScenario(t, name), nil)
			check := func(what, text string) {
				t.Helper()
				if strings.Contains(text, distinctivePassword) {
					t.Errorf("%s: answer contains the AXL password", what)
				}
			}
			for _, c := range everyCall {
				text, _, out := call(t, cs, c.tool, c.args)
				check(c.tool, text)
				raw, _ := json.Marshal(out)
				check(c.tool, string(raw))
			}
			// Every device in full, and every finding explained.
			_, _, m := call(t, cs, "device_registration_status", map[string]any{"page_size": 500})
			for i, d := range decode[RegistrationOut](t, m).Devices {
				if i >= 50 {
					break
				}
				text, _, _ := call(t, cs, "device", map[string]any{"name": d.Name})
				check("device "+d.Name, text)
			}
			_, _, m = call(t, cs, "list_findings", map[string]any{"include_waived": true, "page_size": 500})
			for i, f := range decode[ListFindingsOut](t, m).Findings {
				if i >= 50 {
					break
				}
				text, _, _ := call(t, cs, "explain_finding", map[string]any{"fingerprint": f.Fingerprint})
				check("explain "+f.Fingerprint, text)
			}
			res, err := cs.GetPrompt(context.Background(), &mcp.GetPromptParams{Name: "quarterly_audit_summary"})
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := json.Marshal(res)
			check("prompt", string(raw))
		})
	}
}

// TestTokenNeverInOutput serves the tiny collected snapshot over HTTP with a distinctive token
// and debug logs on, calls every tool, reads every resource and prompt, knocks with near-miss
// tokens, and searches the answers, the 401 bodies and the server's logs for the token.
func TestTokenNeverInOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("collection skipped in -short mode")
	}
	const token = "Tq8-DISTINCTIVE-mcp-token-Zr4"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := snapshot.OpenReadOnly(ctx, collectScenario(t, "tiny"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var logs syncBuffer
	srv, err := New(Options{Store: st, Version: "test", Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- srv.ListenAndServe(ctx, "127.0.0.1:0", token, func(a net.Addr) { addrc <- a.String() })
	}()
	var url string
	select {
	case a := <-addrc:
		url = "http://" + a + "/"
	case err := <-done:
		t.Fatalf("ListenAndServe: %v", err)
	}

	var seen []string
	for _, auth := range []string{"", "Bearer " + token[:len(token)-1], "Bearer " + token + "x", "Basic " + token, token} {
		resp, body := postAuth(t, url, auth)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("Authorization %.12q...: status %d, want 401", auth, resp.StatusCode)
		}
		seen = append(seen, fmt.Sprint(resp.Header), body)
	}

	hc := &http.Client{Transport: bearer{token, http.DefaultTransport}}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "1"}, nil).
		Connect(ctx, &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: hc}, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen = append(seen, fmt.Sprint(cs.InitializeResult()))
	for _, c := range everyCall {
		text, _, out := call(t, cs, c.tool, c.args)
		raw, _ := json.Marshal(out)
		seen = append(seen, text, string(raw))
	}
	for _, c := range e2eCalls { // the bad arguments too: their errors quote arguments back
		text, _, _ := call(t, cs, c.name, c.args)
		seen = append(seen, text)
	}
	rs, err := cs.ListResources(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs.Resources {
		res, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: r.URI})
		raw, _ := json.Marshal(res)
		seen = append(seen, string(raw), fmt.Sprint(err))
	}
	ps, err := cs.ListPrompts(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps.Prompts {
		res, err := cs.GetPrompt(ctx, &mcp.GetPromptParams{Name: p.Name})
		raw, _ := json.Marshal(res)
		seen = append(seen, string(raw), fmt.Sprint(err))
	}
	cs.Close()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("ListenAndServe: %v", err)
	}
	seen = append(seen, logs.String())
	if !strings.Contains(logs.String(), "serving MCP over streamable HTTP") {
		t.Errorf("the debug logs were not captured: %q", logs.String())
	}
	for i, s := range seen {
		if strings.Contains(s, token) || strings.Contains(s, token[:len(token)-1]) {
			t.Errorf("output %d of %d contains the token: %.300s", i, len(seen), s)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the server's concurrent log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestDemoFigures checks the answers against the demo cluster's known shape (DESIGN.md): 85
// gateways of which 41 registered and 44 rejected; 22 SIP trunks, 18 registered.
func TestDemoFigures(t *testing.T) {
	if testing.Short() {
		t.Skip("demo collection skipped in -short mode")
	}
	cs := connect(t, collectScenario(t, "demo"), nil)
	_, isErr, m := call(t, cs, "device_registration_status", map[string]any{"device_class": "Gateway", "status": "Rejected", "page_size": 10})
	out := decode[RegistrationOut](t, m)
	if isErr || out.Total != 44 || len(out.Devices) != 10 || !out.Truncated || out.NextOffset != 10 || out.ByStatus["Registered"] != 41 {
		t.Errorf("rejected gateways: total %d returned %d truncated %v by status %v", out.Total, len(out.Devices), out.Truncated, out.ByStatus)
	}
	rr, err := cs.ReadResource(context.Background(), &mcp.ReadResourceParams{URI: LatestReportURI})
	if err != nil {
		t.Fatalf("latest report rendered in memory: %v", err)
	}
	md := rr.Contents[0].Text
	if !strings.HasPrefix(md, "# ") || !strings.Contains(md, "demo") || strings.Contains(md, distinctivePassword) {
		t.Errorf("latest report:\n%.600s", md)
	}
	_, _, m = call(t, cs, "device_registration_summary", nil)
	byClass := map[string]ClassRegistration{}
	for _, c := range decode[RegistrationSummaryOut](t, m).Classes {
		byClass[c.DeviceClass] = c
	}
	for _, want := range []ClassRegistration{
		{DeviceClass: "Gateway", Configured: 85, Registered: 41, Rejected: 44},
		{DeviceClass: "SIPTrunk", Configured: 22, Registered: 18, UnRegistered: 4},
		{DeviceClass: "Phone", Configured: 1377, Seen: 803, Registered: 679, UnRegistered: 123, Rejected: 1},
		{DeviceClass: "HuntList", Configured: 28, Registered: 28},
	} {
		got := byClass[want.DeviceClass]
		if got.Configured != want.Configured || got.Registered != want.Registered || got.Rejected != want.Rejected ||
			got.UnRegistered != want.UnRegistered || (want.Seen != 0 && got.Seen != want.Seen) {
			t.Errorf("%s: got %+v", want.DeviceClass, got)
		}
	}
}

// TestNoCollectorImport keeps the server unable to reach a cluster: neither it nor anything it
// imports may depend on the collector.
func TestNoCollectorImport(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not on PATH")
	}
	out, err := exec.Command(goBin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/cucm-audit/cucm-audit/collect") {
			t.Errorf("mcpserver depends on %s", dep)
		}
	}
}

// TestPagingWalk pages through three lists of the demo snapshot by next_offset, with a small
// page and with the largest (500): every page but the last says truncated and holds page_size
// rows, no row comes twice, and both walks give the same rows in the same order, total of them.
func TestPagingWalk(t *testing.T) {
	if testing.Short() {
		t.Skip("demo collection skipped in -short mode")
	}
	cs := connect(t, collectScenario(t, "demo"), nil)
	for _, tc := range []struct {
		tool      string
		args      map[string]any
		pageSize  int
		wantTotal int // 0: at least two pages' worth
		keys      func(m map[string]any) (Page, []string)
	}{
		{"device_registration_status", map[string]any{"device_class": "Gateway", "status": "Rejected"}, 10, 44, func(m map[string]any) (Page, []string) {
			out := decode[RegistrationOut](t, m)
			var k []string
			for _, d := range out.Devices {
				k = append(k, d.Name)
			}
			return out.Page, k
		}},
		{"list_findings", map[string]any{"include_waived": true}, 97, 0, func(m map[string]any) (Page, []string) {
			out := decode[ListFindingsOut](t, m)
			var k []string
			for _, f := range out.Findings {
				k = append(k, f.Fingerprint)
			}
			return out.Page, k
		}},
		{"list_rules", map[string]any{}, 4, 0, func(m map[string]any) (Page, []string) {
			out := decode[ListRulesOut](t, m)
			var k []string
			for _, r := range out.Rules {
				k = append(k, r.ID)
			}
			return out.Page, k
		}},
	} {
		t.Run(tc.tool, func(t *testing.T) {
			args := func(size, offset int) map[string]any {
				a := map[string]any{"page_size": size, "offset": offset}
				for k, v := range tc.args {
					a[k] = v
				}
				return a
			}
			walk := func(size int) (total int, keys []string) {
				seen := map[string]bool{}
				pages := 0
				for offset := 0; ; pages++ {
					text, isErr, m := call(t, cs, tc.tool, args(size, offset))
					p, page := tc.keys(m)
					if isErr || p.Offset != offset || p.Returned != len(page) || (total != 0 && p.Total != total) {
						t.Fatalf("page_size %d, page at %d: %+v (%d rows) %.200s", size, offset, p, len(page), text)
					}
					total = p.Total
					for _, k := range page {
						if seen[k] {
							t.Errorf("page_size %d: %s appears twice", size, k)
						}
						seen[k] = true
					}
					keys = append(keys, page...)
					if !p.Truncated {
						if p.NextOffset != 0 || offset+len(page) != total {
							t.Errorf("page_size %d, last page: %+v", size, p)
						}
						break
					}
					if len(page) != size || p.NextOffset != offset+size {
						t.Fatalf("page_size %d, truncated page at %d: %+v with %d rows", size, offset, p, len(page))
					}
					offset = p.NextOffset
				}
				if want := (total + size - 1) / size; pages+1 != want {
					t.Errorf("page_size %d: %d pages for %d rows, want %d", size, pages+1, total, want)
				}
				return total, keys
			}
			total, small := walk(tc.pageSize)
			_, large := walk(maxPageSize)
			if len(small) != total || (tc.wantTotal != 0 && total != tc.wantTotal) || total < 2*tc.pageSize {
				t.Errorf("%d rows of %d (want %d, at least two pages of %d)", len(small), total, tc.wantTotal, tc.pageSize)
			}
			if strings.Join(small, ",") != strings.Join(large, ",") {
				t.Errorf("page_size %d and %d walk different rows", tc.pageSize, maxPageSize)
			}
			t.Logf("%s: %d rows in pages of %d", tc.tool, total, tc.pageSize)
			// Past the end: an empty page, not an error.
			_, isErr, m := call(t, cs, tc.tool, args(tc.pageSize, total+5))
			if p, keys := tc.keys(m); isErr || len(keys) != 0 || p.Truncated {
				t.Errorf("past the end: %+v", p)
			}
		})
	}
}
