package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/deliver/smtptest"
	"github.com/cucm-audit/cucm-audit/examples"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// secretPass is the distinctive password of the secrets test.
const secretPass = "S3cr3t-Zebra-4471!"

// secretForms are the spellings of the password that must never appear anywhere: itself, the
// wrong password used once (which embeds it), the Basic auth header value with and without its
// padding, its URL encoding, the SMTP AUTH PLAIN blob (without and with an authorisation
// identity) and the AUTH LOGIN answer (the password's base64). The SMTP login uses the same
// user and password as AXL, so that one list covers both.
func secretForms(user string) map[string]string {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	return map[string]string{
		"password":                secretPass,
		"basic auth":              b64(user + ":" + secretPass),
		"basic auth, unpadded":    base64.RawStdEncoding.EncodeToString([]byte(user + ":" + secretPass)),
		"basic auth (wrong)":      b64(user + ":Wr0ng-" + secretPass),
		"password base64 (LOGIN)": b64(secretPass),
		"password URL-escape":     url.QueryEscape(secretPass),
		"SMTP AUTH PLAIN":         b64("\x00" + user + "\x00" + secretPass),
		"SMTP AUTH PLAIN (authz)": b64(user + "\x00" + user + "\x00" + secretPass),
		"SMTP AUTH PLAIN (wrong)": b64("\x00" + user + "\x00Wr0ng-" + secretPass),
		"password base64 (wrong)": b64("Wr0ng-" + secretPass),
	}
}

// TestNoSecretAnywhere runs the whole pipeline with a distinctive password and --verbose where
// the command has it: check, collect (twice, once with AXL_PASS_FILE), a wrong-password
// collect, snapshots, show, analyze, report in every format, diff, run, and every MCP tool,
// resource and prompt over stdio. Every stdout, stderr, written file (PDF through pdftotext,
// XLSX entry by entry), the database with its -wal and -shm, and every MCP answer is searched
// for the password in its plain, Basic-auth and URL-escaped forms.
func TestNoSecretAnywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs the whole pipeline")
	}
	bin := buildCLI(t)
	data, err := examples.Scenario("tiny")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := cucmsim.ParseScenario("tiny.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	sc.Credentials.Password = secretPass
	sim, err := cucmsim.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(sim.Handler())
	hs.Config.ErrorLog = log.New(io.Discard, "", 0)
	hs.StartTLS()
	t.Cleanup(func() { hs.Close(); sim.Close() })
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: hs.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	passFile := filepath.Join(t.TempDir(), "pass") // outside dir: it holds the password on purpose
	if err := os.WriteFile(passFile, []byte(secretPass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	user, _ := sim.Credentials()
	db := filepath.Join(dir, "audit.db")
	base := map[string]string{"AXL_URL": hs.URL + cucmsim.AXLPath, "AXL_USER": user, "AXL_PASS": secretPass,
		"AXL_CA_FILE": caFile, "RISPORT_RATE_LIMIT": "1000", "RISPORT_RATE_WINDOW": "1s", "AXL_RATE_LIMIT_RETRIES": "1"}
	envWith := func(kv ...string) []string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return childEnv(m)
	}

	var outputs []string // "what: text"
	exe := func(env []string, wantCodes []int, args ...string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		ok := false
		for _, c := range wantCodes {
			ok = ok || c == code
		}
		if !ok {
			t.Fatalf("%v: exit %d, want %v\nstdout: %s\nstderr: %s", args, code, wantCodes, stdout.String(), stderr.String())
		}
		outputs = append(outputs, strings.Join(args, " ")+" (stdout): "+stdout.String(), strings.Join(args, " ")+" (stderr): "+stderr.String())
	}
	okCodes := []int{exitOK, exitFindings, exitIncomplete}
	env := envWith()
	exe(env, []int{exitOK}, "check", "--verbose")
	exe(env, []int{exitOK}, "collect", "--db", db, "--verbose")
	exe(envWith("AXL_PASS", "", "AXL_PASS_FILE", passFile), []int{exitOK}, "collect", "--db", db, "--verbose")
	exe(envWith("AXL_PASS", "Wr0ng-"+secretPass), []int{exitError}, "collect", "--db", db, "--verbose")
	exe(envWith("AXL_PASS", "Wr0ng-"+secretPass), []int{exitError}, "check", "--verbose")
	exe(env, okCodes, "snapshots", "--db", db)
	exe(env, okCodes, "snapshots", "--db", db, "--format", "json")
	exe(env, okCodes, "show", "--db", db, "--snapshot", "latest", "--format", "json")
	exe(env, okCodes, "show", "--db", db)
	exe(env, okCodes, "analyze", "--db", db, "--snapshot", "latest~1")
	exe(env, okCodes, "analyze", "--db", db, "--format", "json")
	exe(env, okCodes, "report", "--db", db, "--format", "pdf,xlsx,md,json", "--out", filepath.Join(dir, "report"))
	exe(env, okCodes, "diff", "--db", db)
	exe(env, okCodes, "diff", "--db", db, "--format", "json")
	exe(env, okCodes, "diff", "--db", db, "--out", filepath.Join(dir, "diff"), "--format", "pdf,xlsx,md,json")
	exe(env, okCodes, "run", "--db", db, "--out", filepath.Join(dir, "run"), "--format", "pdf,xlsx,md,json")
	// E-mail through a real SMTP server with the same user and password (AUTH over STARTTLS),
	// once with the right password and once with a wrong one.
	ms := smtptest.NewServer(t, smtptest.Options{User: user, Pass: secretPass})
	smtpEnv := func(pass string) []string {
		return envWith("SMTP_HOST", ms.Host, "SMTP_PORT", ms.Port, "SMTP_USER", user, "SMTP_PASS", pass,
			"SMTP_FROM", "audit@example.org", "SMTP_CA_FILE", ms.CAFile, "SMTP_TIMEOUT", "20s")
	}
	exe(smtpEnv(secretPass), okCodes, "report", "--db", db, "--format", "md,pdf", "--out", filepath.Join(dir, "mailed"),
		"--mail-to", "voice-team@example.org", "--mail-attach", "md,pdf")
	exe(smtpEnv("Wr0ng-"+secretPass), []int{exitError}, "report", "--db", db, "--format", "md", "--out", filepath.Join(dir, "mailed-wrong"),
		"--mail-to", "voice-team@example.org", "--mail-attach", "md")
	if len(ms.Messages()) != 1 {
		t.Errorf("the SMTP server received %d messages, want 1", len(ms.Messages()))
	}
	// A hostile cluster that echoes the Authorization header (Basic user:password) in its SOAP
	// fault, and one that echoes it in an HTML error page.
	for _, hostile := range []struct{ name, ctype, body string }{
		{"fault", "text/xml", `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>refused %s for %s</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`},
		{"html", "text/html", `<html><body>Bad gateway: %s (password %s)</body></html>`},
		{"text", "text/plain", `upstream refused %s with password %s`},
	} {
		echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", hostile.ctype)
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, hostile.body, r.Header.Get("Authorization"), secretPass)
		}))
		echoEnv := envWith("AXL_URL", echo.URL+"/axl/", "AXL_RATE_LIMIT_RETRIES", "0")
		exe(echoEnv, []int{exitError}, "check", "--verbose")
		exe(echoEnv, []int{exitError}, "collect", "--db", filepath.Join(dir, "hostile-"+hostile.name+".db"), "--verbose")
		echo.Close()
	}
	answers := mcpAnswers(t, bin, envWith(), db)
	if !strings.Contains(strings.Join(answers, "\n"), "SEP0CD0F894A1B2") {
		t.Error("no MCP answer names a device: the MCP calls did not reach the data")
	}
	outputs = append(outputs, answers...)

	forms := secretForms(user)
	check := func(what string, b []byte) {
		t.Helper()
		for name, s := range forms {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds the %s form of the password", what, name)
			}
		}
	}
	for _, o := range outputs {
		what, text, _ := strings.Cut(o, ": ")
		check(what, []byte(text))
	}
	// The database (with -wal and -shm, while they exist) lives in dir: the walk reads it raw.
	files := 0
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		check(path, b)
		switch filepath.Ext(path) {
		case ".xlsx":
			zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Errorf("%s: %v", path, err)
				return nil
			}
			for _, f := range zr.File {
				rc, err := f.Open()
				if err != nil {
					t.Errorf("%s!%s: %v", path, f.Name, err)
					continue
				}
				eb, _ := io.ReadAll(rc)
				rc.Close()
				check(path+"!"+f.Name, eb)
			}
		case ".pdf":
			text, err := exec.Command(testtool.Need(t, "pdftotext"), path, "-").Output()
			if err != nil {
				t.Errorf("pdftotext %s: %v", path, err)
			}
			check(path+" (text)", text)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 10 {
		t.Errorf("only %d files written: the pipeline did not run", files)
	}
	t.Logf("secrets: outputs=%d files=%d forms=%d leaks=0", len(outputs), files, len(forms))
}

// mcpAnswers starts `cucm-audit mcp --verbose` over stdio with the Go SDK client, calls every
// tool (without arguments and, for list_findings, with evidence), reads every resource and
// gets every prompt; it returns each answer as JSON and the server's stderr.
func mcpAnswers(t *testing.T, bin string, env []string, db string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.Command(bin, "mcp", "--db", db, "--verbose")
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "secrets-test", Version: "1"}, nil).Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatalf("mcp connect: %v (%s)", err, stderr.String())
	}
	var out []string
	add := func(what string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, "mcp "+what+": "+string(b))
	}
	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(tools.Tools) == 0 {
		t.Fatal("the MCP server lists no tools")
	}
	for _, tool := range tools.Tools {
		for _, args := range []map[string]any{{}, {"with_evidence": true, "page_size": 500}, {"snapshot": "latest~1"}} {
			res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool.Name, Arguments: args})
			if err != nil {
				out = append(out, "mcp "+tool.Name+" error: "+err.Error())
				continue
			}
			add(tool.Name, res)
		}
	}
	if rs, err := cs.ListResources(ctx, nil); err == nil {
		for _, r := range rs.Resources {
			if res, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: r.URI}); err == nil {
				add("resource "+r.URI, res)
			}
		}
	}
	if ps, err := cs.ListPrompts(ctx, nil); err == nil {
		for _, p := range ps.Prompts {
			if res, err := cs.GetPrompt(ctx, &mcp.GetPromptParams{Name: p.Name}); err == nil {
				add("prompt "+p.Name, res)
			}
		}
	}
	cs.Close()
	out = append(out, "mcp server (stderr): "+stderr.String())
	return out
}
