package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeSection is the text of one "## " section of README.md, without its heading.
func readmeSection(t *testing.T, heading string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README.md has no %q section", heading)
	}
	if i := strings.Index(rest, "\n## "); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// TestAuditYourCluster follows the README's "Audit your cluster" steps against the simulator
// over TLS, as a new user would: copy examples/cucm-audit.yaml, point it at the cluster, its CA
// file and a password file, then `check` and `run --out reports` with --config and --cluster in
// an empty folder, and find the reports where the README says they are.
func TestAuditYourCluster(t *testing.T) {
	steps := readmeSection(t, "## Audit your cluster")
	for _, want := range []string{"[examples/cucm-audit.yaml](examples/cucm-audit.yaml)", "`--config FILE --cluster NAME`",
		"`password_file`", "`ca_file`", "`cucm-audit check`", "exits 0 when all answer", "`cucm-audit run --out reports`",
		"PDF, XLSX, Markdown\n   and JSON reports", "prints their paths and the manifest", "exit code 3", "(`cucm-audit.db`, or\n   `--db`)"} {
		if !strings.Contains(steps, want) {
			t.Fatalf("README's Audit your cluster no longer says %q: update this test with it", want)
		}
	}

	// Step 1 is done in CUCM; the simulator's user stands for it.
	axlURL, _, caFile, sim := tinySim(t)
	user, pass := sim.Credentials()
	setCollectorEnv(t, nil) // nothing from the environment: the file says everything

	// Step 2: the example file, copied and pointed at this cluster.
	example, err := os.ReadFile(filepath.Join("..", "..", "examples", "cucm-audit.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	if err := os.WriteFile("axl.pass", []byte(pass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := string(example)
	for _, r := range []struct{ re, repl string }{
		{`axl_url: https://cucm-pub\.example\.org:8443/axl/`, "axl_url: " + axlURL},
		{`user: audit-ro( +# the AXL application user)`, "user: " + user + "$1"},
		{`password_file: /etc/cucm-audit/axl\.pass`, "password_file: axl.pass"},
		{`ca_file: /etc/cucm-audit/cucm-ca\.pem`, "ca_file: " + caFile},
	} {
		re := regexp.MustCompile(r.re)
		if !re.MatchString(cfg) {
			t.Fatalf("examples/cucm-audit.yaml has no %s: update this test with the example", r.re)
		}
		cfg = re.ReplaceAllString(cfg, r.repl)
	}
	if err := os.WriteFile("cucm-audit.yaml", []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	sel := []string{"--config", "cucm-audit.yaml", "--cluster", "hq"}

	// Step 3: check.
	code, stdout, stderr := runCLI(t, append([]string{"check"}, sel...)...)
	if code != exitOK {
		t.Fatalf("check: exit %d, want 0\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	for _, want := range []string{"verified against the system roots and CA file " + caFile, "executeSQLQuery ok", "check: ok"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("check does not say %q:\n%s", want, stdout)
		}
	}

	// Step 4: run. The example's fail_on is high and the tiny cluster has high findings:
	// exit 3, as the README says, with the reports written all the same.
	code, stdout, stderr = runCLI(t, append([]string{"run", "--out", "reports"}, sel...)...)
	if code != exitFindings || !regexp.MustCompile(`[1-9][0-9]* open finding\(s\) at or above high`).MatchString(stderr) {
		t.Fatalf("run: exit %d, want 3 naming the high findings\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if _, err := os.Stat("cucm-audit.db"); err != nil {
		t.Errorf("the database is not where the README says: %v", err)
	}
	listed := map[string]bool{}
	for _, f := range regexp.MustCompile(`\S*reports/\S+`).FindAllString(stdout, -1) {
		f = strings.TrimRight(f, ",;:)")
		if _, err := os.Stat(f); err != nil {
			t.Errorf("run lists %s, which does not exist: %v", f, err)
		}
		listed[filepath.Ext(f)] = true
	}
	for _, ext := range []string{".pdf", ".xlsx", ".md", ".json"} {
		if !listed[ext] {
			t.Errorf("run lists no %s report:\n%s", ext, stdout)
		}
	}
	if !strings.Contains(stdout, "manifest") {
		t.Errorf("run does not name the manifest:\n%s", stdout)
	}
}
