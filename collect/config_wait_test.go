package collect

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWaitSettings: AXL_MAX_WAIT and COLLECT_TIMEOUT (max_wait and collect_timeout in a
// configuration file) default to 2m and 2h, are read as Go durations, and a bad value names the
// variable or the file and key.
func TestWaitSettings(t *testing.T) {
	base := map[string]string{"AXL_URL": "https://cucm-pub.example.com:8443/axl/", "AXL_USER": "axlaudit", "AXL_PASS": testPass}
	with := func(k, v string) map[string]string {
		m := map[string]string{k: v}
		for bk, bv := range base {
			m[bk] = bv
		}
		return m
	}
	c, err := ConfigFromEnv(envOf(base))
	if err != nil || c.MaxWait != 2*time.Minute || c.CollectTimeout != 2*time.Hour {
		t.Fatalf("defaults: max wait %s, collect timeout %s, %v", c.MaxWait, c.CollectTimeout, err)
	}
	c, err = ConfigFromEnv(envOf(with("AXL_MAX_WAIT", "90s")))
	if err != nil || c.MaxWait != 90*time.Second {
		t.Errorf("AXL_MAX_WAIT=90s: %s %v", c.MaxWait, err)
	}
	c, err = ConfigFromEnv(envOf(with("COLLECT_TIMEOUT", "45m")))
	if err != nil || c.CollectTimeout != 45*time.Minute {
		t.Errorf("COLLECT_TIMEOUT=45m: %s %v", c.CollectTimeout, err)
	}
	for k, want := range map[string]string{
		"AXL_MAX_WAIT":    `AXL_MAX_WAIT="120": want a positive Go duration`,
		"COLLECT_TIMEOUT": `COLLECT_TIMEOUT="120": want a positive Go duration`,
	} {
		if _, err := ConfigFromEnv(envOf(with(k, "120"))); err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, ErrConfig) {
			t.Errorf("%s=120: err = %v, want %q", k, err, want)
		}
	}

	m := with("RISPORT_RATE_WINDOW", "5m")
	m["AXL_MAX_WAIT"] = "2m"
	if _, err := ConfigFromEnv(envOf(m)); err == nil || !strings.Contains(err.Error(), "RISPORT_RATE_WINDOW=5m0s is longer than AXL_MAX_WAIT=2m0s") {
		t.Errorf("window over the cap: err = %v", err)
	}

	dir := t.TempDir()
	passFile := filepath.Join(dir, "pass")
	if err := os.WriteFile(passFile, []byte(testPass), 0o600); err != nil {
		t.Fatal(err)
	}
	file := func(extra string) string {
		p := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(p, []byte("clusters:\n  - name: hq\n    axl_url: https://hq:8443/axl/\n    user: u\n    password_file: "+passFile+"\n"+extra), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	c, err = LoadConfigFile(file(""), "", envOf(nil))
	if err != nil || c.MaxWait != 2*time.Minute || c.CollectTimeout != 2*time.Hour {
		t.Fatalf("file defaults: %s %s %v", c.MaxWait, c.CollectTimeout, err)
	}
	c, err = LoadConfigFile(file("    max_wait: 90s\n    collect_timeout: 30m\n"), "", envOf(nil))
	if err != nil || c.MaxWait != 90*time.Second || c.CollectTimeout != 30*time.Minute {
		t.Errorf("file: %s %s %v", c.MaxWait, c.CollectTimeout, err)
	}
	want := `cluster "hq": collect_timeout "soon": want a positive Go duration`
	if _, err := LoadConfigFile(file("    collect_timeout: soon\n"), "", envOf(nil)); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("bad collect_timeout: err = %v, want %q", err, want)
	}
}
