package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// TestPackFlag: --pack on analyze, report and run refuses an unknown pack of the loaded rule
// set (exit 2, one line naming the packs there are), accepts a pack of a --rules folder, keeps
// only the packs' rules, and is read from the configuration file's analysis.packs (an unknown
// one exit 2 as well).
func TestPackFlag(t *testing.T) {
	db := analyzeDB(t)
	valid := "want one of access, dataquality, dialplan, emergency, inventory, licensing, lifecycle, redundancy, registration, tollfraud"
	if code, _, errOut := runCLI(t, "analyze", "--db", db); code != 0 {
		t.Fatalf("analyze: exit %d: %s", code, errOut)
	}
	for _, cmd := range []string{"analyze", "report", "run"} {
		code, out, errOut := runCLI(t, cmd, "--db", db, "--pack", "emergency,licence")
		want := "cucm-audit: " + `--pack emergency,licence: unknown pack "licence": ` + valid + "\n"
		if cmd == "report" {
			want = "cucm-audit: report: " + want[len("cucm-audit: "):]
		}
		if code != exitUsage || out != "" || errOut != want {
			t.Errorf("%s --pack licence: exit %d, stdout %q, stderr\n%q\nwant exit 2 and\n%q", cmd, code, out, errOut, want)
		}
	}

	// A pack of an added folder is selectable; unknown names list the loaded set's packs.
	site := filepath.Join(t.TempDir(), "custom")
	if err := os.MkdirAll(site, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(site, "site.yaml"), []byte("schema: 1\nrules:\n  - id: SIT-001\n    title: Site rule\n    severity: info\n    category: site\n"+
		"    description: d\n    remediation: r\n    query: SELECT name AS entity FROM devices\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCLI(t, "analyze", "--db", db, "--rules", site, "--pack", "site"); code != 0 || !strings.Contains(out, ": 1 rules in") {
		t.Errorf("analyze --rules custom --pack site: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, "analyze", "--db", db, "--rules", site, "--pack", "nope"); code != exitUsage ||
		errOut != "cucm-audit: --pack nope: unknown pack \"nope\": want one of access, dataquality, dialplan, emergency, inventory, licensing, lifecycle, redundancy, registration, tollfraud, site\n" {
		t.Errorf("analyze --rules custom --pack nope: exit %d, %q", code, errOut)
	}

	code, out, errOut := runCLI(t, "analyze", "--db", db, "--pack", "registration", "--format", "json")
	if code != 0 {
		t.Fatalf("analyze --pack registration: exit %d: %s", code, errOut)
	}
	var doc struct {
		Rules []struct {
			ID string `json:"id"`
		} `json:"rules"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	for _, r := range doc.Rules {
		if !strings.HasPrefix(r.ID, "REG-") {
			t.Errorf("analyze --pack registration ran %s", r.ID)
		}
	}
	if len(doc.Rules) != 12 {
		t.Errorf("analyze --pack registration ran %d rules, want the 12 REG rules", len(doc.Rules))
	}
	if code, _, errOut := runCLI(t, "analyze", "--db", db, "--pack", "registration", "--only", "INV-001"); code != exitUsage ||
		errOut != "cucm-audit: INV-001 is not in the selected packs (registration)\n" {
		t.Errorf("--pack registration --only INV-001: exit %d, %s", code, errOut)
	}

	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(cfg, []byte("analysis:\n  packs: [inventory]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCLI(t, "analyze", "--db", db, "--config", cfg)
	if code != 0 || !strings.Contains(out, ": 6 rules in") {
		t.Errorf("analysis.packs [inventory]: exit %d\n%s%s", code, out, errOut)
	}
	// report --pack of packs the analysis does not hold refuses to write an empty report.
	m := regexp.MustCompile(`Analysis #(\d+): 6 rules`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no analysis id in %q", out)
	}
	code, out, errOut = runCLI(t, "report", "--db", db, "--analysis", m[1], "--pack", "emergency", "--out", t.TempDir())
	if want := "cucm-audit: report: --pack emergency: analysis #" + m[1] + " holds no rule of these packs; it holds the packs inventory\n"; code != exitUsage || out != "" || errOut != want {
		t.Errorf("report --pack emergency of an inventory analysis: exit %d, stdout %q, stderr %q, want exit 2 and %q", code, out, errOut, want)
	}
	if err := os.WriteFile(cfg, []byte("analysis:\n  packs: [inventory, nope]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCLI(t, "analyze", "--db", db, "--config", cfg)
	if want := cfg + `:2: analysis.packs: unknown pack "nope": ` + valid; code != exitUsage || !strings.Contains(errOut, want) {
		t.Errorf("analysis.packs [nope]: exit %d, %s, want %s", code, errOut, want)
	}
}

// TestRulesListByPack: `rules list` groups the rules by pack with counts, in text and JSON.
func TestRulesListByPack(t *testing.T) {
	code, out, errOut := runCLI(t, "rules", "list")
	if code != 0 {
		t.Fatalf("rules list: exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"emergency: Emergency calling (4 rules, compliance)\n  EMG-001  critical  emergency  Lines that cannot reach any emergency number\n",
		"registration: Registration (12 rules)\n",
		"\n51 rules in 10 packs (6 compliance packs: --pack selects packs)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("rules list lacks %q:\n%s", want, out)
		}
	}
	if code, out, _ := runCLI(t, "rules", "show", "EMG-001"); code != 0 || !strings.Contains(out, "category: emergency   pack: emergency   defined in rules/emergency.yaml:") {
		t.Errorf("rules show EMG-001 does not name its pack:\n%s", out)
	}
	code, out, _ = runCLI(t, "rules", "list", "--format", "json")
	var l results.RuleList
	if err := json.Unmarshal([]byte(out), &l); code != 0 || err != nil {
		t.Fatalf("rules list --format json: exit %d, %v", code, err)
	}
	n := 0
	for _, p := range l.Packs {
		if p.Count != len(p.Rules) {
			t.Errorf("pack %s: count %d, %d rules", p.Name, p.Count, len(p.Rules))
		}
		for _, r := range p.Rules {
			if r.Pack != p.Name {
				t.Errorf("%s in pack %s says pack %q", r.ID, p.Name, r.Pack)
			}
		}
		n += p.Count
	}
	if l.SchemaVersion != 2 || n != l.Rules || n != 51 || len(l.Packs) != 10 {
		t.Errorf("rules list json: schema %d, %d rules counted, %d declared, %d packs", l.SchemaVersion, n, l.Rules, len(l.Packs))
	}
}
