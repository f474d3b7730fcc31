package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

// analyzeDB holds one complete snapshot with one phone RisPort never saw (REG-001, high) and
// one registered phone.
func analyzeDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a.db")
	s, err := snapshot.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w, err := s.Begin(ctx, snapshot.Meta{ClusterID: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	add := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	add(w.AddNode(ctx, snapshot.Node{Name: "sub1", IsActive: true}))
	add(w.AddUser(ctx, snapshot.User{UserID: "alice"}))
	for _, n := range []string{"SEPAAAAAAAAAAAA", "SEPBBBBBBBBBBBB"} {
		add(w.AddDevice(ctx, snapshot.Device{Name: n, Class: "Phone", RisClass: "Phone", Model: "Cisco 8845", Owner: "alice", Description: "d", IsActive: true}))
		add(w.AddLineAppearance(ctx, snapshot.LineAppearance{Device: n, Index: 1, DN: "1" + n[3:6]}))
	}
	add(w.AddRisDevice(ctx, snapshot.RisDevice{Node: "sub1", Name: "SEPBBBBBBBBBBBB", DeviceClass: "Phone", Status: "Registered"}))
	for _, it := range []string{"devices", "lines", "line_appearances", "users", "device_pools", "cm_groups", "nodes"} {
		add(w.SetCoverage(ctx, snapshot.Coverage{Source: snapshot.SourceAXL, Item: it, Complete: true}))
	}
	add(w.SetCoverage(ctx, snapshot.Coverage{Source: snapshot.SourceRisPort, Item: snapshot.ClassItem("Phone"), Complete: true}))
	add(w.SetCoverage(ctx, snapshot.Coverage{Source: snapshot.SourceRisPort, Item: snapshot.NodeItem("sub1"), Complete: true}))
	if _, err := w.Commit(ctx, snapshot.StatusComplete, "15.0", ""); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAnalyzeCommand(t *testing.T) {
	db := analyzeDB(t)
	dir := t.TempDir()
	waivers := filepath.Join(dir, "w.yaml")
	if err := os.WriteFile(waivers, []byte("waivers:\n  - rule: REG-001\n    entity: SEPAAAA*\n    statement: spare\n    owner: voice\n    expires: 2999-12-31\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	badPack := filepath.Join(dir, "bad")
	if err := os.MkdirAll(badPack, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(badPack, "x.yaml"), []byte("schema: 1\nrules:\n  - id: X-001\n    qurey: SELECT 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	emptyDir := filepath.Join(dir, "empty")
	if err := os.MkdirAll(emptyDir, 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		args     []string
		code     int
		stdout   string // substring
		stderr   string // substring
		jsonOpen int    // when >= 0 with --format json: open findings in the summary
	}{
		{"fail-on high", []string{"analyze", "--db", db, "--fail-on", "high"}, 3, "REG-001", "1 open finding(s) at or above high", -1},
		{"fail-on critical", []string{"analyze", "--db", db, "--fail-on", "critical"}, 0, "Phones configured but never seen by RisPort", "", -1},
		{"waived never counts", []string{"analyze", "--db", db, "--fail-on", "high", "--waivers", waivers}, 0, "Waived: 1", "", -1},
		{"json", []string{"analyze", "--db", db, "--format", "json", "--only", "REG-001"}, 0, `"schema_version": 1`, "", 1},
		{"bad fail-on", []string{"analyze", "--db", db, "--fail-on", "urgent"}, 2, "", `unknown severity "urgent"`, -1},
		{"bad rule-timeout", []string{"analyze", "--db", db, "--rule-timeout", "soon"}, exitUsage, "", `want a positive Go duration such as 60s or 5m, got "soon"`, -1},
		{"bad rule-max-rows", []string{"analyze", "--db", db, "--rule-max-rows", "0"}, exitUsage, "", `want a whole number ≥ 1, got "0"`, -1},
		{"rule limits", []string{"analyze", "--db", db, "--rule-timeout", "30s", "--rule-max-rows", "5000"}, 0, "REG-001", "", -1},
		{"bad param", []string{"analyze", "--db", db, "--param", "REG-002.days=soon"}, exitUsage, "", `param REG-002.days: "soon" is not an int`, -1},
		{"unknown only", []string{"analyze", "--db", db, "--only", "NOPE"}, exitUsage, "",
			`no rule id or category "NOPE"`, -1},
		{"unknown skip", []string{"analyze", "--db", db, "--skip", "REG-001,NOPE-002"}, exitUsage, "",
			`no rule id or category "NOPE-002"`, -1},
		{"unknown param rule", []string{"analyze", "--db", db, "--param", "REG-099.days=3"}, exitUsage, "",
			"param REG-099.days: no rule REG-099", -1},
		{"unknown param name", []string{"analyze", "--db", db, "--param", "REG-002.weeks=3"}, exitUsage, "",
			`param REG-002.weeks: rule REG-002 has no parameter "weeks" (it has: days)`, -1},
		{"rules list", []string{"rules", "list"}, 0, "REG-001", "", -1},
		{"rules show", []string{"rules", "show", "REG-002"}, 0, "--param REG-002.NAME=VALUE", "", -1},
		{"rules show unknown", []string{"rules", "show", "REG-999"}, 1, "", "no rule REG-999", -1},
		{"rules check", []string{"rules", "check"}, 0, "ok: 51 rules", "", -1},
		{"rules check bad", []string{"rules", "check", badPack}, 1, "", filepath.Join(badPack, "x.yaml") + ":4: rule X-001: field qurey not found", -1},
		{"rules no subcommand", []string{"rules"}, 2, "", "want a subcommand", -1},
		{"rules check empty folder", []string{"rules", "check", emptyDir}, 1, "", "rules folder " + emptyDir + " holds no rule packs", -1},
		{"rules check missing folder", []string{"rules", "check", filepath.Join(dir, "nope")}, 1, "", "rules folder " + filepath.Join(dir, "nope") + " does not exist", -1},
		{"analyze --rules empty folder", []string{"analyze", "--db", db, "--rules", emptyDir}, 1, "", "rules folder " + emptyDir + " holds no rule packs", -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
			if !strings.Contains(out, tc.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tc.stdout, out)
			}
			if !strings.Contains(errOut, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, errOut)
			}
			if tc.jsonOpen >= 0 {
				var doc struct {
					SchemaVersion int `json:"schema_version"`
					Summary       struct {
						Open int `json:"open_findings"`
					} `json:"summary"`
					Rules []struct {
						ID       string `json:"id"`
						Findings []struct {
							Entity string `json:"entity"`
						} `json:"findings"`
					} `json:"rules"`
				}
				if err := json.Unmarshal([]byte(out), &doc); err != nil {
					t.Fatal(err)
				}
				if doc.Summary.Open != tc.jsonOpen || len(doc.Rules) != 1 || doc.Rules[0].Findings[0].Entity != "SEPAAAAAAAAAAAA" {
					t.Errorf("json document = %+v", doc)
				}
			}
		})
	}
}

// TestAnalyzeConfigFile: the analysis: block of --config sets what the flags set, flags win, and
// a wrong setting names the file, line and key.
func TestAnalyzeConfigFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	waivers := write("w.yaml", "waivers:\n  - rule: REG-001\n    entity: SEPAAAA*\n    statement: spare\n    owner: voice\n    expires: 2999-12-31\n")
	rulesDir := filepath.Join(dir, "site")
	if err := os.MkdirAll(rulesDir, 0o755); err != nil {
		t.Fatal(err)
	}
	write("site/site.yaml", "schema: 1\nrules:\n  - id: SIT-001\n    title: Site rule\n    severity: info\n    category: site\n"+
		"    description: d\n    remediation: r\n    query: SELECT name AS entity FROM devices\n")
	cfg := func(body string) string { return write("config.yaml", "clusters: []\nanalysis:\n"+body) }
	missing := filepath.Join(dir, "nope")

	cases := []struct {
		name   string
		config string
		flags  []string
		code   int
		stdout string // substring
		stderr string // substring
	}{
		{"fail_on from the file", "  fail_on: high\n", nil, 3, "REG-001", "1 open finding(s) at or above high"},
		{"--fail-on overrides", "  fail_on: high\n", []string{"--fail-on", "critical"}, 0, "REG-001", ""},
		{"waivers from the file", "  fail_on: high\n  waivers: " + waivers + "\n", nil, 0, "Waived: 1", ""},
		{"only from the file", "  only: [REG-001, REG-002]\n", nil, 0, ": 2 rules in", ""},
		{"--only overrides", "  only: [REG-001, REG-002]\n", []string{"--only", "REG-001"}, 0, ": 1 rules in", ""},
		{"skip from the file", "  only: [registration]\n  skip: [REG-001]\n", []string{"--fail-on", "high"}, 0, "", ""},
		{"rules from the file", "  rules: [" + rulesDir + "]\n  only: [SIT-001]\n", nil, 0, "SIT-001", ""},
		{"unknown rule in params", "  params:\n    REG-099.days: 30\n", nil, 1, "",
			"config.yaml:4: analysis.params: REG-099.days: no rule REG-099 (see `cucm-audit rules list`)"},
		{"unknown param", "  params:\n    REG-002.weeks: 3\n", nil, 1, "",
			`config.yaml:4: analysis.params: REG-002.weeks: rule REG-002 has no parameter "weeks" (it has: days)`},
		{"rule without params", "  params:\n    REG-001.days: 3\n", nil, 1, "",
			`config.yaml:4: analysis.params: REG-001.days: rule REG-001 has no parameters`},
		{"bad param value", "  params: {REG-002.days: soon}\n", nil, 1, "",
			`config.yaml:3: analysis.params: REG-002.days: "soon" is not an int`},
		{"param without rule", "  params: {days: 3}\n", nil, 1, "",
			`config.yaml:3: analysis.params: days: want RULE-ID.name=value (e.g. REG-002.days=45)`},
		{"bad fail_on", "  fail_on: urgent\n", nil, 1, "",
			`config.yaml:3: analysis.fail_on: unknown severity "urgent": want info, low, medium, high or critical`},
		{"unknown only", "  only:\n    - NOPE\n", nil, 1, "",
			"config.yaml:4: analysis.only: no rule id or category \"NOPE\""},
		{"unknown skip", "  skip: [NOPE]\n", nil, 1, "",
			"config.yaml:3: analysis.skip: no rule id or category \"NOPE\""},
		{"missing rules folder", "  rules: [" + missing + "]\n", nil, 1, "",
			"config.yaml:3: analysis.rules: rules folder " + missing + " does not exist"},
		{"missing waivers", "  waivers: " + missing + "\n", nil, 1, "",
			"config.yaml:3: analysis.waivers: "},
		{"missing eol data", "  eol_models: " + missing + "\n", nil, 1, "",
			"config.yaml:3: analysis.eol_models: reading end-of-life data"},
		{"unknown key", "  fail-on: high\n", nil, 1, "", "config.yaml:3: field fail-on not found"},
		{"rule limits from the file", "  rule_timeout: 30s\n  rule_max_rows: 5000\n", nil, 0, "REG-001", ""},
		{"bad rule_timeout", "  rule_timeout: soon\n", nil, 1, "",
			`config.yaml:3: analysis.rule_timeout: "soon": want a positive Go duration such as 60s or 5m`},
		{"bad rule_max_rows", "  rule_max_rows: -5\n", nil, 1, "",
			`config.yaml:3: analysis.rule_max_rows: "-5": want a whole number ≥ 1`},
		{"--rule-timeout overrides", "  rule_timeout: soon\n", []string{"--rule-timeout", "30s"}, 0, "REG-001", ""},
		{"--rules overrides", "  rules: [" + missing + "]\n", []string{"--rules", rulesDir, "--only", "SIT-001"}, 0, "SIT-001", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := analyzeDB(t)
			args := append([]string{"analyze", "--db", db, "--config", cfg(tc.config)}, tc.flags...)
			code, out, errOut := runCLI(t, args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
			if !strings.Contains(out, tc.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tc.stdout, out)
			}
			if !strings.Contains(errOut, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, errOut)
			}
		})
	}

	// --param replaces the file's value of the same parameter, the others stay; the analysis
	// records the values in force.
	db := analyzeDB(t)
	path := cfg("  params:\n    REG-002.days: 10\n    REG-008.threshold_pct: 12.5\n")
	if code, out, errOut := runCLI(t, "analyze", "--db", db, "--config", path, "--param", "REG-002.days=20"); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	store, err := snapshot.OpenReadOnly(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	got := map[string]string{}
	for _, id := range []string{"REG-002", "REG-008"} {
		var p string
		if err := store.DB().QueryRow(`SELECT params FROM rule_result WHERE rule_id = ?`, id).Scan(&p); err != nil {
			t.Fatal(err)
		}
		got[id] = p
	}
	want := map[string]string{"REG-002": `{"days":"20"}`, "REG-008": `{"threshold_pct":"12.5"}`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("params in force (-want +got):\n%s", diff)
	}

	// run reads the block of its --config and checks it before touching any cluster; report
	// reads its rule folders for the texts.
	bad := cfg("  fail_on: urgent\n")
	if code, _, errOut := runCLI(t, "run", "--db", filepath.Join(dir, "run.db"), "--config", bad); code != 1 ||
		!strings.Contains(errOut, "config.yaml:3: analysis.fail_on: unknown severity") {
		t.Errorf("run with a bad analysis block: exit %d, %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "run.db")); err == nil {
		t.Error("run created a database despite the bad configuration")
	}
	if code, _, errOut := runCLI(t, "report", "--db", db, "--out", filepath.Join(dir, "out"), "--format", "json",
		"--config", cfg("  rules: ["+missing+"]\n")); code != 1 || !strings.Contains(errOut, "config.yaml:3: analysis.rules: rules folder") {
		t.Errorf("report with a missing rules folder in the config: exit %d, %s", code, errOut)
	}
}
