package mcpserver

// End-to-end tests: the built cucm-audit binary driven by real MCP clients we did not write,
// installed from npm with the lockfiles under e2e/ (`npm ci`, into e2e/node_modules and
// e2e/inspector/node_modules, both gitignored):
//   - the official TypeScript SDK client (@modelcontextprotocol/sdk 1.32.2, e2e/client.mjs),
//     over stdio and over streamable HTTP;
//   - the MCP Inspector CLI (@modelcontextprotocol/inspector 0.15.0).
// Without node/npm the tests skip, except under CI=true where they fail.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cucm-audit/cucm-audit/internal/testtool"
)

var npmMu sync.Mutex

// npmCI installs a package folder's locked dependencies when its node_modules is missing.
func npmCI(t *testing.T, dir string) {
	t.Helper()
	npmMu.Lock()
	defer npmMu.Unlock()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json")); err == nil {
		return
	}
	npm := testtool.Need(t, "npm")
	cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund", "--prefix", dir)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}
}

// buildBinary compiles cucm-audit into a temporary folder once per test binary run.
var buildOnce struct {
	sync.Once
	path string
	err  error
	out  []byte
}

func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cucm-audit-e2e-")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.path = filepath.Join(dir, "cucm-audit")
		goBin, err := exec.LookPath("go")
		if err != nil {
			buildOnce.err = fmt.Errorf("the go command is not on PATH: %w", err)
			return
		}
		cmd := exec.Command(goBin, "build", "-o", buildOnce.path, "../cmd/cucm-audit")
		buildOnce.out, buildOnce.err = cmd.CombinedOutput()
	})
	if buildOnce.err != nil {
		t.Fatalf("building cucm-audit: %v\n%s", buildOnce.err, buildOnce.out)
	}
	return buildOnce.path
}

// e2eSetup returns node, the binary and the e2e folder with the SDK installed.
func e2eSetup(t *testing.T) (node, bin, dir string) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	node = testtool.Need(t, "node")
	dir, err := filepath.Abs("e2e")
	if err != nil {
		t.Fatal(err)
	}
	npmCI(t, dir)
	return node, buildBinary(t), dir
}

// nodeResult is what e2e/client.mjs prints.
type nodeResult struct {
	Error string `json:"error"`
	Code  any    `json:"code"` // the SDK's error code: the HTTP status for a refused POST
	Tools []struct {
		Name         string          `json:"name"`
		InputSchema  json.RawMessage `json:"inputSchema"`
		OutputSchema json.RawMessage `json:"outputSchema"`
	} `json:"tools"`
	Calls []struct {
		IsError           bool            `json:"isError"`
		StructuredContent json.RawMessage `json:"structuredContent"`
		Content           []struct {
			Text string `json:"text"`
		} `json:"content"`
	} `json:"calls"`
	Resources []struct {
		URI string `json:"uri"`
	} `json:"resources"`
	Resource struct {
		Error    string `json:"error"`
		Contents []struct {
			Text string `json:"text"`
		} `json:"contents"`
	} `json:"resource"`
	Prompt struct {
		Messages []struct {
			Content struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"messages"`
	} `json:"prompt"`
}

// runNode runs the SDK client with spec and returns its parsed output and raw stdout.
func runNode(t *testing.T, node, dir string, spec map[string]any) (nodeResult, string, error) {
	t.Helper()
	specFile := filepath.Join(t.TempDir(), "spec.json")
	b, _ := json.Marshal(spec)
	must(t, os.WriteFile(specFile, b, 0o644))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(dir, "client.mjs"), specFile)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	var res nodeResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("node client printed no JSON (%v): %s\nstderr: %s", runErr, out, stderr.String())
	}
	return res, string(out), runErr
}

func callText(c struct {
	IsError           bool            `json:"isError"`
	StructuredContent json.RawMessage `json:"structuredContent"`
	Content           []struct {
		Text string `json:"text"`
	} `json:"content"`
}) string {
	var b strings.Builder
	for _, x := range c.Content {
		b.WriteString(x.Text)
	}
	return b.String()
}

// e2eCalls are the calls every client makes on the fixture, with what each must return.
var e2eCalls = []struct {
	name    string
	args    map[string]any
	wantErr string
	check   func(t *testing.T, raw json.RawMessage)
}{
	{name: "device_registration_status", args: map[string]any{"device_class": "Gateway", "status": "Rejected"}, check: func(t *testing.T, raw json.RawMessage) {
		var out RegistrationOut
		must(t, json.Unmarshal(raw, &out))
		if out.Total != 1 || out.Devices[0].Name != "GW-A" {
			t.Errorf("rejected gateways: %s", raw)
		}
	}},
	{name: "snapshot_summary", args: map[string]any{}, check: func(t *testing.T, raw json.RawMessage) {
		var out SummaryOut
		must(t, json.Unmarshal(raw, &out))
		if out.Snapshot.ID != 2 || out.DataComplete || len(out.CoverageGaps) != 1 || len(out.InconclusiveRules) != 1 {
			t.Errorf("summary: %s", raw)
		}
	}},
	{name: "list_findings", args: map[string]any{"severity": "urgent"}, wantErr: "unknown severity"},
	{name: "list_findings", args: map[string]any{"page_size": 1000}, wantErr: "page_size 1000 is out of range"},
	{name: "device_registration_status", args: map[string]any{"name_filter": "SEP[0"}, wantErr: "bad name_filter pattern"},
	{name: "snapshot_summary", args: map[string]any{"snapshot": "42"}, wantErr: "snapshot 42: snapshot not found"},
}

func checkNodeCalls(t *testing.T, res nodeResult) {
	t.Helper()
	if len(res.Calls) != len(e2eCalls) {
		t.Fatalf("got %d call results, want %d", len(res.Calls), len(e2eCalls))
	}
	for i, c := range e2eCalls {
		got := res.Calls[i]
		text := callText(got)
		if c.wantErr != "" {
			if !got.IsError || !strings.Contains(text, c.wantErr) {
				t.Errorf("%s %v: want isError with %q, got isError=%v %s", c.name, c.args, c.wantErr, got.IsError, text)
			}
			continue
		}
		if got.IsError {
			t.Errorf("%s %v: tool error %s", c.name, c.args, text)
			continue
		}
		c.check(t, got.StructuredContent)
	}
}

func checkToolList(t *testing.T, res nodeResult) {
	t.Helper()
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
		if !strings.Contains(string(tool.InputSchema), `"properties"`) || !strings.Contains(string(tool.InputSchema), `"description"`) || len(tool.OutputSchema) == 0 {
			t.Errorf("%s: schemas missing: %s", tool.Name, tool.InputSchema)
		}
	}
	sort.Strings(names)
	if strings.Join(names, ",") != strings.Join(allTools, ",") {
		t.Errorf("tools = %v", names)
	}
}

func specCalls() []map[string]any {
	var calls []map[string]any
	for _, c := range e2eCalls {
		calls = append(calls, map[string]any{"name": c.name, "arguments": c.args})
	}
	return calls
}

func TestE2ENodeSDKStdio(t *testing.T) {
	node, bin, dir := e2eSetup(t)
	db := buildFixture(t)
	reports := t.TempDir()
	writeReportSet(t, reports, "hospital-2", "# Audit of hospital\n", time.Date(2026, 9, 2, 8, 0, 0, 0, time.UTC))
	res, raw, err := runNode(t, node, dir, map[string]any{
		"transport": "stdio", "command": bin, "args": []string{"mcp", "--db", db, "--reports", reports},
		"env":   map[string]string{"AXL_PASS": testPassword},
		"calls": specCalls(), "resources": true, "prompt": "quarterly_audit_summary",
	})
	if err != nil || res.Error != "" {
		t.Fatalf("node client: %v %s", err, res.Error)
	}
	checkToolList(t, res)
	checkNodeCalls(t, res)
	if len(res.Resources) != 1 || len(res.Resource.Contents) != 1 || res.Resource.Contents[0].Text != "# Audit of hospital\n" {
		t.Errorf("resource: %+v", res.Resource)
	}
	if len(res.Prompt.Messages) != 1 || !strings.Contains(res.Prompt.Messages[0].Content.Text, "inconclusive") {
		t.Errorf("prompt: %+v", res.Prompt)
	}
	if strings.Contains(raw, testPassword) {
		t.Error("an answer contains the AXL password")
	}
}

// inspector runs the MCP Inspector CLI against the binary and returns its stdout.
func inspector(t *testing.T, dir, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(dir, "node_modules", ".bin", "mcp-inspector"), append([]string{"--cli", bin}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("mcp-inspector %v: %v\n%s\nstderr: %s", args, err, out, stderr.String())
	}
	return out
}

func TestE2EInspectorCLI(t *testing.T) {
	_, bin, dir := e2eSetup(t)
	idir := filepath.Join(dir, "inspector")
	npmCI(t, idir)
	db := buildFixture(t)

	var list nodeResult
	out := inspector(t, idir, bin, "mcp", "--db", db, "--method", "tools/list")
	if err := json.Unmarshal(out, &list); err != nil {
		t.Fatalf("tools/list: %v\n%s", err, out)
	}
	checkToolList(t, list)

	type callOut struct {
		IsError           bool            `json:"isError"`
		StructuredContent json.RawMessage `json:"structuredContent"`
		Content           []struct {
			Text string `json:"text"`
		} `json:"content"`
	}
	call := func(tool string, kv ...string) callOut {
		args := []string{"mcp", "--db", db, "--method", "tools/call", "--tool-name", tool}
		for _, a := range kv {
			args = append(args, "--tool-arg", a)
		}
		var c callOut
		out := inspector(t, idir, bin, args...)
		if err := json.Unmarshal(out, &c); err != nil {
			t.Fatalf("tools/call %s: %v\n%s", tool, err, out)
		}
		return c
	}
	c := call("device_registration_status", "device_class=Gateway", "status=Rejected")
	var reg RegistrationOut
	if c.IsError || json.Unmarshal(c.StructuredContent, &reg) != nil || reg.Total != 1 || reg.Devices[0].Name != "GW-A" {
		t.Errorf("rejected gateways: %+v", c)
	}
	c = call("device", "name=GW-A")
	var dev DeviceOut
	if c.IsError || json.Unmarshal(c.StructuredContent, &dev) != nil || dev.Status != "Rejected" || len(dev.Findings) != 1 {
		t.Errorf("device: %+v", c)
	}
	c = call("list_findings", "severity=urgent")
	if !c.IsError || len(c.Content) == 0 || !strings.Contains(c.Content[0].Text, `unknown severity "urgent"`) {
		t.Errorf("bad severity: %+v", c)
	}
	c = call("list_snapshots", "page_size=1")
	var snaps ListSnapshotsOut
	if c.IsError || json.Unmarshal(c.StructuredContent, &snaps) != nil || len(snaps.Snapshots) != 1 || !snaps.Truncated {
		t.Errorf("paged snapshots: %+v", c)
	}
}

// startHTTP runs `cucm-audit mcp --verbose --http 127.0.0.1:0` and returns its URL once it
// listens, and its stderr (debug logs included), which keeps filling until the test ends.
func startHTTP(t *testing.T, bin, db string, env ...string) (string, *syncBuffer) {
	t.Helper()
	return startHTTPArgs(t, bin, []string{"mcp", "--verbose", "--db", db, "--http", "127.0.0.1:0"}, env...)
}

// startHTTPArgs is startHTTP with the whole command line given.
func startHTTPArgs(t *testing.T, bin string, args []string, env ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	copied := make(chan struct{})
	t.Cleanup(func() {
		cancel()
		<-copied
		cmd.Wait()
	})
	addrRE := regexp.MustCompile(`addr=(127\.0\.0\.1:\d+)`)
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		fmt.Fprintln(logs, sc.Text())
		if m := addrRE.FindStringSubmatch(sc.Text()); m != nil {
			go func() { io.Copy(logs, stderr); close(copied) }()
			return "http://" + m[1] + "/", logs
		}
	}
	close(copied)
	t.Fatalf("cucm-audit mcp --http never said where it listens: %s", logs.String())
	return "", nil
}

// TestE2EHTTP serves the fixture over streamable HTTP with the token from MCP_TOKEN, then from
// MCP_TOKEN_FILE: no token and a wrong one are 401 (raw POST, the SDK client, the Inspector CLI),
// the right one works with the SDK client, and neither the answers nor the server's debug logs
// contain the token.
func TestE2EHTTP(t *testing.T) {
	node, bin, dir := e2eSetup(t)
	idir := filepath.Join(dir, "inspector")
	npmCI(t, idir)
	db := buildFixture(t)
	const token = "e2e-token-7f3a9c1d"
	tokenFile := filepath.Join(t.TempDir(), "mcp-token")
	must(t, os.WriteFile(tokenFile, []byte(token+"\n"), 0o600))
	for _, tc := range []struct {
		name string
		env  []string
	}{
		{"MCP_TOKEN", []string{"MCP_TOKEN=" + token, "MCP_TOKEN_FILE="}},
		{"MCP_TOKEN_FILE", []string{"MCP_TOKEN=", "MCP_TOKEN_FILE=" + tokenFile}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, logs := startHTTP(t, bin, db, tc.env...)
			var answers []string
			t.Run("no token is 401", func(t *testing.T) {
				resp, err := http.Post(url, "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
					t.Errorf("status %d, WWW-Authenticate %q, want 401 with a challenge", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
				}
				res, raw, err := runNode(t, node, dir, map[string]any{"transport": "http", "url": url})
				if err == nil || fmt.Sprint(res.Code) != "401" || !strings.Contains(res.Error, "unauthorized") || len(res.Tools) != 0 {
					t.Errorf("node client without token: err=%v code=%v %q", err, res.Code, res.Error)
				}
				out, err := inspectorRun(idir, url, "--transport", "http", "--method", "tools/list")
				if err == nil || !strings.Contains(string(out), "unauthorized: send Authorization: Bearer") || strings.Contains(string(out), `"tools"`) {
					t.Errorf("inspector without token: err=%v %s", err, out)
				}
				answers = append(answers, string(body), raw, string(out))
			})
			t.Run("wrong token is 401", func(t *testing.T) {
				res, raw, err := runNode(t, node, dir, map[string]any{"transport": "http", "url": url, "token": token + "0"})
				if err == nil || fmt.Sprint(res.Code) != "401" || len(res.Tools) != 0 {
					t.Errorf("node client with a wrong token: err=%v code=%v %q", err, res.Code, res.Error)
				}
				answers = append(answers, raw)
			})
			t.Run("right token works", func(t *testing.T) {
				res, raw, err := runNode(t, node, dir, map[string]any{"transport": "http", "url": url, "token": token,
					"calls": specCalls(), "resources": true, "prompt": "quarterly_audit_summary"})
				if err != nil || res.Error != "" {
					t.Fatalf("node client: %v %s", err, res.Error)
				}
				checkToolList(t, res)
				checkNodeCalls(t, res)
				answers = append(answers, raw)
			})
			if !strings.Contains(logs.String(), "session initialized") || !strings.Contains(logs.String(), "tool call refused") {
				t.Errorf("the server's verbose logs were not captured: %s", logs.String())
			}
			for i, a := range append(answers, logs.String()) {
				if strings.Contains(a, token) {
					t.Errorf("output %d contains the token: %.300s", i, a)
				}
			}
		})
	}
}

// inspectorRun runs the Inspector CLI and returns its combined output and error.
func inspectorRun(dir string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(dir, "node_modules", ".bin", "mcp-inspector"), append([]string{"--cli"}, args...)...)
	return cmd.CombinedOutput()
}

// TestE2EHTTPRefusedWithoutToken: HTTP never starts without a usable token, on loopback too;
// the error says which variable to set or which file is wrong, and the exit code is 2.
func TestE2EHTTPRefusedWithoutToken(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	bin := buildBinary(t)
	db := buildFixture(t)
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty-token")
	must(t, os.WriteFile(empty, nil, 0o600))
	missing := filepath.Join(dir, "no-such-token")
	for _, tc := range []struct {
		name, addr string
		env        []string
		want       string
	}{
		{"loopback", "127.0.0.1:0", nil, "cucm-audit: mcp: refusing to serve MCP over HTTP on 127.0.0.1:0 without a bearer token: set MCP_TOKEN to a secret string, or MCP_TOKEN_FILE to a file holding one"},
		{"any address", "0.0.0.0:0", nil, "cucm-audit: mcp: refusing to serve MCP over HTTP on 0.0.0.0:0 without a bearer token: set MCP_TOKEN"},
		{"empty token file", "127.0.0.1:0", []string{"MCP_TOKEN_FILE=" + empty}, "cucm-audit: mcp: MCP_TOKEN_FILE " + empty + " is empty: put the bearer token in it"},
		{"missing token file", "127.0.0.1:0", []string{"MCP_TOKEN_FILE=" + missing}, "cucm-audit: mcp: reading MCP_TOKEN_FILE " + missing + ": no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, "mcp", "--db", db, "--http", tc.addr)
			cmd.Env = append(append(os.Environ(), "MCP_TOKEN=", "MCP_TOKEN_FILE="), tc.env...)
			out, err := cmd.CombinedOutput()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != 2 || !strings.HasPrefix(string(out), tc.want) {
				t.Errorf("got %v: %s\nwant exit 2 and %q", err, out, tc.want)
			}
		})
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildOnce.path != "" {
		os.RemoveAll(filepath.Dir(buildOnce.path))
	}
	if collectDirOnce.dir != "" {
		os.RemoveAll(collectDirOnce.dir)
	}
	os.Exit(code)
}

// TestE2EDemo drives the demo cluster's snapshot (collected from the simulator) with both real
// clients: the figures must be the demo's, and no answer may carry the AXL password.
func TestE2EDemo(t *testing.T) {
	node, bin, dir := e2eSetup(t)
	db := collectScenario(t, "demo")
	res, raw, err := runNode(t, node, dir, map[string]any{
		"transport": "stdio", "command": bin, "args": []string{"mcp", "--db", db},
		"calls": []map[string]any{
			{"name": "device_registration_status", "arguments": map[string]any{"device_class": "Gateway", "status": "Rejected", "page_size": 100}},
			{"name": "device_registration_summary", "arguments": map[string]any{}},
			{"name": "list_findings", "arguments": map[string]any{"severity": "critical-ish"}},
			{"name": "snapshot_summary", "arguments": map[string]any{}},
			{"name": "list_rules", "arguments": map[string]any{"with_text": true, "page_size": 500}},
		},
		"resources": true, "prompt": "quarterly_audit_summary",
	})
	if err != nil || res.Error != "" {
		t.Fatalf("node client: %v %s", err, res.Error)
	}
	checkToolList(t, res)
	var reg RegistrationOut
	if res.Calls[0].IsError || json.Unmarshal(res.Calls[0].StructuredContent, &reg) != nil || reg.Total != 44 || len(reg.Devices) != 44 || reg.Truncated {
		t.Errorf("rejected gateways: %s", callText(res.Calls[0]))
	}
	var sum RegistrationSummaryOut
	must(t, json.Unmarshal(res.Calls[1].StructuredContent, &sum))
	for _, c := range sum.Classes {
		if c.DeviceClass == "Gateway" && (c.Configured != 85 || c.Registered != 41 || c.Rejected != 44) {
			t.Errorf("gateways: %+v", c)
		}
	}
	if !res.Calls[2].IsError || !strings.Contains(callText(res.Calls[2]), `unknown severity "critical-ish"`) {
		t.Errorf("bad severity: %s", callText(res.Calls[2]))
	}
	var rules ListRulesOut
	if res.Calls[4].IsError || json.Unmarshal(res.Calls[4].StructuredContent, &rules) != nil || len(rules.Rules) == 0 || rules.Rules[0].Remediation == "" {
		t.Errorf("list_rules without the built-in rule text: %s", callText(res.Calls[4]))
	}
	if len(res.Resource.Contents) != 1 || !strings.HasPrefix(res.Resource.Contents[0].Text, "# ") {
		t.Errorf("latest report resource (rendered in memory): %+v", res.Resource)
	}
	if strings.Contains(raw, distinctivePassword) {
		t.Error("an answer contains the AXL password")
	}

	idir := filepath.Join(dir, "inspector")
	npmCI(t, idir)
	out := inspector(t, idir, bin, "mcp", "--db", db, "--method", "tools/call", "--tool-name", "device_registration_status",
		"--tool-arg", "device_class=Gateway", "--tool-arg", "status=Rejected")
	var c struct {
		IsError           bool            `json:"isError"`
		StructuredContent json.RawMessage `json:"structuredContent"`
	}
	if err := json.Unmarshal(out, &c); err != nil {
		t.Fatalf("inspector: %v\n%s", err, out)
	}
	reg = RegistrationOut{}
	if c.IsError || json.Unmarshal(c.StructuredContent, &reg) != nil || reg.Total != 44 {
		t.Errorf("inspector: rejected gateways: %s", out)
	}
}

// TestE2EDemoCommand is the acceptance path as a user walks it: `cucm-audit demo` collects the
// simulated hospital cluster (password demo-password) and writes its reports, then
// `cucm-audit mcp --reports` serves them to the official SDK client.
func TestE2EDemoCommand(t *testing.T) {
	node, bin, dir := e2eSetup(t)
	out := t.TempDir()
	db := filepath.Join(out, "demo.db")
	if b, err := exec.Command(bin, "demo", "--db", db, "--out", out).CombinedOutput(); err != nil {
		t.Fatalf("cucm-audit demo: %v\n%s", err, b)
	}
	md, err := filepath.Glob(filepath.Join(out, "*.md"))
	if err != nil || len(md) != 1 {
		t.Fatalf("demo wrote %v markdown reports (%v)", md, err)
	}
	report, err := os.ReadFile(md[0])
	if err != nil {
		t.Fatal(err)
	}
	var calls []map[string]any
	for _, tool := range allTools {
		args := map[string]any{}
		switch tool {
		case "device_registration_status":
			args = map[string]any{"device_class": "Gateway", "status": "Rejected", "page_size": 500}
		case "device":
			args = map[string]any{"name": "no-such-device"}
		case "dial":
			args = map[string]any{"css": "CSS_Line_National", "digits": "911"}
		case "explain_finding":
			args = map[string]any{"rule": "REG-999", "entity": "x"}
		case "list_findings", "list_rules":
			args = map[string]any{"page_size": 500, "include_waived": true}
			if tool == "list_rules" {
				args = map[string]any{"page_size": 500, "with_text": true}
			}
		}
		calls = append(calls, map[string]any{"name": tool, "arguments": args})
	}
	res, raw, err := runNode(t, node, dir, map[string]any{
		"transport": "stdio", "command": bin, "args": []string{"mcp", "--db", db, "--reports", out},
		"calls": calls, "resources": true, "prompt": "quarterly_audit_summary",
	})
	if err != nil || res.Error != "" {
		t.Fatalf("node client: %v %s", err, res.Error)
	}
	checkToolList(t, res)
	for i, tool := range allTools {
		c := res.Calls[i]
		wantErr := tool == "device" || tool == "explain_finding" || tool == "diff_snapshots" // one snapshot only
		if c.IsError != wantErr {
			t.Errorf("%s: isError=%v: %.300s", tool, c.IsError, callText(c))
		}
		if tool == "device_registration_status" {
			var reg RegistrationOut
			if json.Unmarshal(c.StructuredContent, &reg) != nil || reg.Total != 44 {
				t.Errorf("rejected gateways: %.300s", callText(c))
			}
		}
	}
	if len(res.Resource.Contents) != 1 || res.Resource.Contents[0].Text != string(report) {
		t.Errorf("the latest-report resource is not the demo's Markdown report %s", md[0])
	}
	if strings.Contains(raw, "demo-password") {
		t.Error("an answer contains the demo cluster's AXL password")
	}
}
