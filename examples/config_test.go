package examples_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/collect"
)

// TestExampleConfigLoads: examples/cucm-audit.yaml loads strictly, both clusters and the
// analysis block, and every key it sets is commented.
func TestExampleConfigLoads(t *testing.T) {
	dir := t.TempDir()
	pass := filepath.Join(dir, "axl.pass")
	if err := os.WriteFile(pass, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("cucm-audit.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The example's absolute paths point at /etc; here they point at files that exist.
	text := strings.ReplaceAll(string(data), "/etc/cucm-audit/axl.pass", pass)
	text = strings.ReplaceAll(text, "ca_file: /etc/cucm-audit/cucm-ca.pem", "ca_file: ''")
	cfgPath := filepath.Join(dir, "cucm-audit.yaml")
	if err := os.WriteFile(cfgPath, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"BRANCH_AXL_PASS": "other"}
	for _, name := range []string{"hq", "branch"} {
		cfg, err := collect.LoadConfigFile(cfgPath, name, func(k string) string { return env[k] })
		if err != nil {
			t.Fatalf("cluster %s: %v", name, err)
		}
		if cfg.Cluster != name || cfg.User != "audit-ro" || cfg.Password == "" {
			t.Errorf("cluster %s: %+v", name, cfg)
		}
	}
	if _, err := collect.LoadAnalysisConfig(cfgPath); err != nil {
		t.Errorf("analysis block: %v", err)
	}
	// Every key is commented where it first appears (the second cluster repeats keys of the first).
	commented := map[string]bool{}
	for i, l := range strings.Split(string(data), "\n") {
		line := strings.TrimPrefix(strings.TrimSpace(l), "- ")
		key, _, ok := strings.Cut(line, ":")
		if !ok || strings.HasPrefix(line, "#") || strings.HasSuffix(line, ":") {
			continue
		}
		if strings.Contains(line, "#") {
			commented[key] = true
		} else if !commented[key] {
			t.Errorf("cucm-audit.yaml:%d: key %s without a comment", i+1, key)
		}
	}
}
