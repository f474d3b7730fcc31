package mcpserver

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeMCP returns the fenced blocks of the README's "## MCP" section, by language.
func readmeMCP(t *testing.T) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "\n## MCP\n")
	if i < 0 {
		t.Fatal("README.md has no \"## MCP\" section")
	}
	s = s[i+1:]
	if j := strings.Index(s[3:], "\n## "); j >= 0 {
		s = s[:j+3]
	}
	blocks := map[string][]string{}
	for _, m := range regexp.MustCompile("(?s)```(\\w+)\n(.*?)```").FindAllStringSubmatch(s, -1) {
		blocks[m[1]] = append(blocks[m[1]], m[2])
	}
	return blocks
}

// readmeServer is one entry of an mcpServers map as the README writes it.
type readmeServer struct {
	Command string            `json:"command"`
	Args    []string          `json:"args"`
	Type    string            `json:"type"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
}

// replaceFlag sets the value that follows flag in args.
func replaceFlag(t *testing.T, args []string, flag, value string) {
	t.Helper()
	for i := range args[:len(args)-1] {
		if args[i] == flag {
			args[i+1] = value
			return
		}
	}
	t.Fatalf("the README's command line %q has no %s", args, flag)
}

// TestE2EReadmeSnippets runs the server as the README's MCP section says (stdio entry, then the
// shell lines and the HTTP entry with its Authorization header) and connects the official
// TypeScript SDK client with exactly those settings, the paths and port aside.
func TestE2EReadmeSnippets(t *testing.T) {
	blocks := readmeMCP(t)
	if len(blocks["json"]) != 2 || len(blocks["sh"]) != 1 {
		t.Fatalf("want two JSON snippets (stdio, HTTP) and one shell block in the README's MCP section, got %d and %d", len(blocks["json"]), len(blocks["sh"]))
	}
	var entries []readmeServer
	for i, js := range blocks["json"] {
		var cfg struct {
			MCPServers map[string]readmeServer `json:"mcpServers"`
		}
		dec := json.NewDecoder(strings.NewReader(js))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cfg); err != nil {
			t.Fatalf("README MCP JSON snippet %d: %v\n%s", i+1, err, js)
		}
		e, ok := cfg.MCPServers["cucm-audit"]
		if !ok || len(cfg.MCPServers) != 1 {
			t.Fatalf("README MCP JSON snippet %d: want one server named cucm-audit: %s", i+1, js)
		}
		entries = append(entries, e)
	}
	node, bin, dir := e2eSetup(t)
	db := buildFixture(t)
	call := []map[string]any{{"name": "device_registration_status", "arguments": map[string]any{"device_class": "Gateway", "status": "Rejected"}}}
	check := func(t *testing.T, res nodeResult, raw string, err error) {
		t.Helper()
		if err != nil || res.Error != "" {
			t.Fatalf("node client: %v %s", err, res.Error)
		}
		checkToolList(t, res)
		var out RegistrationOut
		if len(res.Calls) != 1 || res.Calls[0].IsError || json.Unmarshal(res.Calls[0].StructuredContent, &out) != nil || out.Total != 1 {
			t.Errorf("rejected gateways: %s", raw)
		}
	}

	t.Run("stdio", func(t *testing.T) {
		e := entries[0]
		if filepath.Base(e.Command) != "cucm-audit" || len(e.Args) == 0 || e.Args[0] != "mcp" || e.Type != "" {
			t.Fatalf("stdio snippet: want command .../cucm-audit with args mcp ...: %+v", e)
		}
		args := append([]string(nil), e.Args...)
		replaceFlag(t, args, "--db", db)
		replaceFlag(t, args, "--reports", t.TempDir())
		res, raw, err := runNode(t, node, dir, map[string]any{"transport": "stdio", "command": bin, "args": args, "calls": call})
		check(t, res, raw, err)
	})

	t.Run("http", func(t *testing.T) {
		e := entries[1]
		u, err := url.Parse(e.URL)
		if err != nil || e.Type != "http" || u.Scheme != "http" || u.Hostname() != "127.0.0.1" || e.Command != "" {
			t.Fatalf("http snippet: want type http and an http://127.0.0.1:PORT URL: %+v (%v)", e, err)
		}
		var line string
		for _, l := range strings.Split(blocks["sh"][0], "\n") {
			if strings.Contains(l, "cucm-audit mcp") {
				line = l
			}
		}
		// MCP_TOKEN_FILE=FILE cucm-audit mcp --http 127.0.0.1:PORT --db DB
		fields := strings.Fields(line)
		if len(fields) < 3 || !strings.HasPrefix(fields[0], "MCP_TOKEN_FILE=") || fields[1] != "cucm-audit" {
			t.Fatalf("the README's shell block does not start the server with MCP_TOKEN_FILE=...: %q", line)
		}
		args := fields[2:]
		replaceFlag(t, args, "--http", "127.0.0.1:0")
		replaceFlag(t, args, "--db", db)
		if !strings.Contains(line, "--http "+u.Host) {
			t.Errorf("the shell line listens elsewhere than the snippet's URL %s: %q", e.URL, line)
		}
		const token = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" // as openssl rand -hex 32
		tokenFile := filepath.Join(t.TempDir(), "mcp-token")
		must(t, os.WriteFile(tokenFile, []byte(token+"\n"), 0o600))
		addr, _ := startHTTPArgs(t, bin, args, "MCP_TOKEN=", "MCP_TOKEN_FILE="+tokenFile)
		bound, err := url.Parse(addr)
		if err != nil {
			t.Fatal(err)
		}
		u.Host = bound.Host
		headers := map[string]string{}
		for k, v := range e.Headers {
			headers[k] = os.Expand(v, func(name string) string {
				if name != "MCP_TOKEN" {
					t.Errorf("header %s names ${%s}, want ${MCP_TOKEN}", k, name)
				}
				return token
			})
		}
		if headers["Authorization"] != "Bearer "+token {
			t.Fatalf("the snippet's Authorization header expands to %q", headers["Authorization"])
		}
		res, raw, err := runNode(t, node, dir, map[string]any{"transport": "http", "url": u.String(), "headers": headers, "calls": call})
		check(t, res, raw, err)
		res, _, err = runNode(t, node, dir, map[string]any{"transport": "http", "url": u.String()})
		if err == nil || res.Error == "" || len(res.Tools) != 0 {
			t.Errorf("without the header the client got in: %+v", res)
		}
	})
}
