package collect

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigFromEnv(t *testing.T) {
	dir := t.TempDir()
	passFile := filepath.Join(dir, "pass")
	os.WriteFile(passFile, []byte(testPass+"\n"), 0o600)
	base := func() map[string]string {
		return map[string]string{"AXL_URL": "https://cucm-pub.example.com:8443/axl/", "AXL_USER": "axlaudit", "AXL_PASS": testPass}
	}
	good, err := ConfigFromEnv(envOf(base()))
	if err != nil {
		t.Fatal(err)
	}
	if good.RisPortURL != "https://cucm-pub.example.com:8443/realtimeservice2/services/RISService70" || good.Cluster != "cucm-pub.example.com" ||
		!good.VerifyTLS || good.Retries != 3 || good.RisRateLimit != 15 || good.RisMaxDevices != 1000 {
		t.Errorf("defaults: %+v", good)
	}
	m := base()
	delete(m, "AXL_PASS")
	m["AXL_PASS_FILE"] = passFile
	if c, err := ConfigFromEnv(envOf(m)); err != nil || c.Password.Reveal() != testPass {
		t.Errorf("AXL_PASS_FILE: %v", err)
	}
	tests := []struct {
		name string
		set  map[string]string
		want string
	}{
		{"missing AXL_URL", map[string]string{"AXL_URL": ""}, "AXL_URL is not set"},
		{"not a URL", map[string]string{"AXL_URL": "cucm-pub:8443"}, "AXL_URL \"cucm-pub:8443\" must start with https://"},
		{"credentials in URL", map[string]string{"AXL_URL": "https://u:" + testPass + "@h:8443/axl/"},
			"AXL_URL must not carry credentials (user:password@): give the user in AXL_USER and the password in AXL_PASS or AXL_PASS_FILE"},
		{"credentials in RISPORT_URL", map[string]string{"RISPORT_URL": "https://u:" + testPass + "@h:8443/realtimeservice2/services/RISService70"},
			"RISPORT_URL must not carry credentials"},
		{"credentials without scheme", map[string]string{"AXL_URL": "u:" + testPass + "@h:8443"}, "AXL_URL must not carry credentials"},
		{"credentials in an unparsable URL", map[string]string{"AXL_URL": "https://u:" + testPass + "%zz@h:8443/axl/"}, "AXL_URL must not carry credentials"},
		{"credentials and no host", map[string]string{"AXL_URL": "https:u:" + testPass + "@h"}, "AXL_URL must not carry credentials"},
		{"password with a slash", map[string]string{"AXL_URL": "https://u:pa/" + testPass + "@h:8443/axl/"}, "AXL_URL must not carry credentials"},
		{"password with a slash and a numeric head", map[string]string{"AXL_URL": "https://u:12/" + testPass + "@h:8443/axl/"}, "AXL_URL must not carry credentials"},
		{"unparsable URL", map[string]string{"AXL_URL": "https://cucm-pub:84x3/axl/"},
			"AXL_URL is not a valid URL (the part after ':' in the host is not a port number); its text is not repeated here, as it may hold a password: write it as https://cucm-pub.example.com:8443/axl/"},
		{"bad escape", map[string]string{"RISPORT_URL": "https://cucm-pub:8443/x%zz"}, "RISPORT_URL is not a valid URL (a '%' not followed by two hexadecimal digits)"},
		{"plain http to a remote host", map[string]string{"AXL_URL": "http://cucm-pub.example.com:8080/axl/"},
			"AXL_URL \"http://cucm-pub.example.com:8080/axl/\" uses plain http:// to cucm-pub.example.com: use https:// (CUCM serves AXL on https://host:8443/axl/)"},
		{"plain http to a remote address", map[string]string{"AXL_URL": "http://10.1.2.3/axl/"}, "AXL_URL \"http://10.1.2.3/axl/\" uses plain http:// to 10.1.2.3: use https://"},
		{"plain http RisPort to a remote host", map[string]string{"RISPORT_URL": "http://cucm-sub.example.com/realtimeservice2/services/RISService70"},
			"RISPORT_URL \"http://cucm-sub.example.com/realtimeservice2/services/RISService70\" uses plain http:// to cucm-sub.example.com: use https://"},
		{"plain http to a name that only starts like loopback", map[string]string{"AXL_URL": "http://127.0.0.1.example.com/axl/"}, "uses plain http:// to 127.0.0.1.example.com"},
		{"missing user", map[string]string{"AXL_USER": ""}, "AXL_USER is not set"},
		{"missing password", map[string]string{"AXL_PASS": ""}, "set AXL_PASS or AXL_PASS_FILE"},
		{"both passwords", map[string]string{"AXL_PASS_FILE": passFile}, "AXL_PASS and AXL_PASS_FILE are both set"},
		{"bad verify", map[string]string{"AXL_VERIFY_TLS": "nope"}, "AXL_VERIFY_TLS=\"nope\": want true or false"},
		{"bad retries", map[string]string{"AXL_RATE_LIMIT_RETRIES": "-1"}, "AXL_RATE_LIMIT_RETRIES=\"-1\": want a whole number ≥ 0"},
		{"bad window", map[string]string{"RISPORT_RATE_WINDOW": "60"}, "RISPORT_RATE_WINDOW=\"60\": want a positive Go duration"},
		{"bad limit", map[string]string{"RISPORT_RATE_LIMIT": "0"}, "RISPORT_RATE_LIMIT=\"0\": want a whole number ≥ 1"},
		{"missing CA file", map[string]string{"AXL_CA_FILE": filepath.Join(dir, "nope.pem")}, "AXL_CA_FILE " + filepath.Join(dir, "nope.pem") + " cannot be read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			for k, v := range tc.set {
				m[k] = v
			}
			_, err := ConfigFromEnv(envOf(m))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrConfig) {
				t.Fatalf("err = %v, want %q (ErrConfig)", err, tc.want)
			}
			if strings.Contains(err.Error(), testPass) {
				t.Fatal("password in the error")
			}
		})
	}
}

// TestPlainHTTPLoopback: plain http is accepted to loopback (the simulator), and the collector
// then says there is no TLS instead of claiming a verified certificate.
func TestPlainHTTPLoopback(t *testing.T) {
	const plain = "plain HTTP (loopback simulator), no TLS"
	tests := []struct {
		name, axl, ris string
		verify         string
		tls            string
	}{
		{name: "IPv4 loopback", axl: "http://127.0.0.1:8443/axl/", tls: plain},
		{name: "other 127/8 address", axl: "http://127.1.2.3:8443/axl/", tls: plain},
		{name: "IPv6 loopback", axl: "http://[::1]:8443/axl/", tls: plain},
		{name: "localhost", axl: "http://localhost:8443/axl/", tls: plain},
		{name: "LOCALHOST.", axl: "http://LOCALHOST.:8443/axl/", tls: plain},
		{name: "https", axl: "https://cucm-pub.example.com:8443/axl/", tls: "verified against the system roots"},
		{name: "https, verification off", axl: "https://cucm-pub.example.com:8443/axl/", verify: "false",
			tls: "verification OFF (AXL_VERIFY_TLS=false): the cluster's identity is not checked"},
		{name: "AXL plain, RisPort https", axl: "http://127.0.0.1:8443/axl/", ris: "https://127.0.0.1:8443" + RisPortPath,
			tls: "AXL: " + plain + "; RisPort: verified against the system roots"},
		{name: "AXL https, RisPort plain", axl: "https://127.0.0.1:8443/axl/", ris: "http://127.0.0.1:8443" + RisPortPath,
			tls: "AXL: verified against the system roots; RisPort: " + plain},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ConfigFromEnv(envOf(map[string]string{"AXL_URL": tc.axl, "RISPORT_URL": tc.ris, "AXL_USER": "u",
				"AXL_PASS": testPass, "AXL_VERIFY_TLS": tc.verify}))
			if err != nil {
				t.Fatal(err)
			}
			c, err := New(cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.TLSStatus(); got != tc.tls {
				t.Errorf("TLSStatus() = %q, want %q", got, tc.tls)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://cucm:8443/axl/":                    "https://cucm:8443/axl/",
		"https://u:" + testPass + "@cucm:8443/axl/": "https://cucm:8443/axl/",
		"https://u@cucm/axl/":                       "https://cucm/axl/",
		"u:" + testPass + "@cucm:8443":              "cucm:8443",
		"https://u:" + testPass + "%zz@cucm/":       "https://cucm/",
		"cucm-pub:8443":                             "cucm-pub:8443",
	} {
		if got := redactURL(raw); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestSecretRedacts(t *testing.T) {
	c := Config{Password: Secret(testPass)}
	j, _ := json.Marshal(c)
	var logs strings.Builder
	slog.New(slog.NewTextHandler(&logs, nil)).Info("cfg", "cfg", c, "pass", c.Password)
	for _, s := range []string{fmt.Sprintf("%v %+v %#v %s", c, c, c, c.Password), string(j), logs.String()} {
		if strings.Contains(s, testPass) {
			t.Fatalf("secret leaked: %s", s)
		}
	}
}

func TestLoadConfigFile(t *testing.T) {
	dir := t.TempDir()
	passFile := filepath.Join(dir, "pass")
	os.WriteFile(passFile, []byte(testPass), 0o600)
	write := func(s string) string {
		p := filepath.Join(dir, "c.yaml")
		os.WriteFile(p, []byte(s), 0o600)
		return p
	}
	ok := "clusters:\n  - name: hq\n    axl_url: https://hq:8443/axl/\n    user: u\n    password_file: " + passFile +
		"\n  - name: br\n    axl_url: https://br:8443/axl/\n    user: u\n    password_env: BR_PASS\n    verify_tls: false\n"
	c, err := LoadConfigFile(write(ok), "br", envOf(map[string]string{"BR_PASS": testPass}))
	if err != nil || c.Cluster != "br" || c.VerifyTLS || c.Password.Reveal() != testPass {
		t.Fatalf("br: %+v %v", c, err)
	}
	tests := []struct{ name, yaml, cluster, want string }{
		{"unknown key", "clusters:\n  - name: hq\n    axl_ur: x\n", "hq", "field axl_ur not found"},
		{"inline password", "clusters:\n  - name: hq\n    password: x\n", "hq", "c.yaml:3: no password in the config file: use password_file (a file of mode 0600) or password_env (a variable's name)"},
		{"no cluster chosen", ok, "", "lists several clusters (hq, br): choose one with --cluster"},
		{"unknown cluster", ok, "nyc", "has no cluster \"nyc\" (it has hq, br)"},
		{"no password", "clusters:\n  - name: hq\n    axl_url: https://hq:8443/axl/\n    user: u\n", "hq", "give password_file or password_env"},
		{"env unset", ok, "br", "password_env names BR_PASS, which is not set"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadConfigFile(write(tc.yaml), tc.cluster, envOf(nil))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrConfig) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestLoadAnalysisConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, "config.yaml")
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	path := write(`clusters:
  - name: hq
    axl_url: https://hq:8443/axl/
analysis:
  rules: [site-rules, /etc/cucm-audit/rules]
  params:
    REG-002.days: 45
    REG-008.threshold: "0.2"
  waivers: waivers.yaml
  eol_models: eol.yaml
  only:
    - registration
  skip: [INV-004]
  fail_on: high
`)
	ac, err := LoadAnalysisConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	want := AnalysisConfig{
		File:  path,
		Rules: Setting[[]string]{Value: []string{"site-rules", "/etc/cucm-audit/rules"}, Line: 5},
		Params: map[string]Setting[string]{
			"REG-002.days": {Value: "45", Line: 7}, "REG-008.threshold": {Value: "0.2", Line: 8},
		},
		Waivers: Setting[string]{Value: "waivers.yaml", Line: 9}, EOLModels: Setting[string]{Value: "eol.yaml", Line: 10},
		Only: Setting[[]string]{Value: []string{"registration"}, Line: 12}, Skip: Setting[[]string]{Value: []string{"INV-004"}, Line: 13},
		FailOn: Setting[string]{Value: "high", Line: 14},
	}
	if diff := cmp.Diff(want, ac); diff != "" {
		t.Errorf("analysis block (-want +got):\n%s", diff)
	}
	// No block, no clusters: nothing set, not an error.
	ac, err = LoadAnalysisConfig(write("clusters: []\n"))
	if err != nil || ac.Rules.Line != 0 || ac.Params != nil || ac.File == "" {
		t.Errorf("no analysis block: %+v, %v", ac, err)
	}
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown key", "analysis:\n  param:\n    REG-002.days: 45\n", path + ":2: field param not found"},
		{"list for a path", "analysis:\n  waivers: [a, b]\n", path + ":2: analysis.waivers: want a string, got a list"},
		{"map for a param", "analysis:\n  params:\n    REG-002.days: {x: 1}\n", path + `:3: analysis.params["REG-002.days"]: want a string, got a mapping`},
		{"string for a list", "analysis:\n  only: registration\n", path + `:2: analysis.only: want a list, got "registration"`},
		{"missing file", "", "reading config file " + filepath.Join(dir, "nope.yaml")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, "nope.yaml")
			if tc.yaml != "" {
				p = write(tc.yaml)
			}
			_, err := LoadAnalysisConfig(p)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrConfig) {
				t.Fatalf("err = %v, want %q (ErrConfig)", err, tc.want)
			}
		})
	}
	// The cluster loader accepts a file with the block.
	pass := filepath.Join(dir, "pass")
	if err := os.WriteFile(pass, []byte(testPass), 0o600); err != nil {
		t.Fatal(err)
	}
	p := write("clusters:\n  - name: hq\n    axl_url: https://hq:8443/axl/\n    user: u\n    password_file: " + pass + "\nanalysis:\n  fail_on: high\n")
	if _, err := LoadConfigFile(p, "", envOf(nil)); err != nil {
		t.Errorf("LoadConfigFile with an analysis block: %v", err)
	}
}

// TestConfigErrorsWrap: a configuration error keeps its cause reachable (errors.Is/As) as well
// as ErrConfig, instead of flattening it to text.
func TestConfigErrorsWrap(t *testing.T) {
	dir := t.TempDir()
	nope := filepath.Join(dir, "nope")
	badYAML := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badYAML, []byte("clusters: 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(kv ...string) func(string) string {
		m := map[string]string{"AXL_URL": "https://cucm:8443/axl/", "AXL_USER": "u", "AXL_PASS": testPass}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return envOf(m)
	}
	var escErr url.EscapeError
	var typeErr *yaml.TypeError
	tests := []struct {
		name  string
		err   func() error
		cause func(error) bool
	}{
		{"missing CA file", func() error { _, err := ConfigFromEnv(env("AXL_CA_FILE", nope)); return err },
			func(err error) bool { return errors.Is(err, fs.ErrNotExist) }},
		{"missing password file", func() error { _, err := ConfigFromEnv(env("AXL_PASS", "", "AXL_PASS_FILE", nope)); return err },
			func(err error) bool { return errors.Is(err, fs.ErrNotExist) }},
		// url.Parse's error is deliberately not wrapped: it quotes a piece of the URL, which
		// may be a piece of a password.
		{"bad URL escape", func() error { _, err := ConfigFromEnv(env("AXL_URL", "https://cucm:8443/a%zz/")); return err },
			func(err error) bool { return !errors.As(err, &escErr) && !strings.Contains(err.Error(), "zz") }},
		{"missing config file", func() error { _, err := LoadConfigFile(nope, "", envOf(nil)); return err },
			func(err error) bool { return errors.Is(err, fs.ErrNotExist) }},
		{"missing config file, analysis", func() error { _, err := LoadAnalysisConfig(nope); return err },
			func(err error) bool { return errors.Is(err, fs.ErrNotExist) }},
		{"config file of the wrong shape", func() error { _, err := LoadConfigFile(badYAML, "", envOf(nil)); return err },
			func(err error) bool { return errors.As(err, &typeErr) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err()
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("err = %v, want ErrConfig", err)
			}
			if !tt.cause(err) {
				t.Errorf("err = %v does not wrap its cause", err)
			}
		})
	}
}
