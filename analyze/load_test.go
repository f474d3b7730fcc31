package analyze

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// good is a valid rule; the broken cases below change one thing in it.
const good = `schema: 1
rules:
  - id: TST-001
    title: Test rule
    severity: low
    category: test
    description: A test.
    remediation: Fix it.
    requires: ["axl:devices"]
    params:
      days:
        type: int
        default: 30
    query: |
      SELECT name AS entity, model FROM devices WHERE is_active = :days
`

func TestLoadBadRules(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"unknown key", strings.Replace(good, "query:", "qurey:", 1),
			"x.yaml:14: rule TST-001: field qurey not found"},
		{"no schema", strings.Replace(good, "schema: 1\n", "", 1),
			"x.yaml:1: missing schema: 1 at the top of the pack"},
		{"schema 2", strings.Replace(good, "schema: 1", "schema: 2", 1),
			"x.yaml:1: schema 2 is not supported (this cucm-audit reads schema: 1)"},
		{"bad severity", strings.Replace(good, "severity: low", "severity: urgent", 1),
			`x.yaml:5: rule TST-001: severity "urgent" is not one of info, low, medium, high, critical`},
		{"severity case", strings.Replace(good, "severity: low", "severity: LOW", 1),
			`x.yaml:5: rule TST-001: severity "LOW" is not one of info, low, medium, high, critical`},
		{"missing title", strings.Replace(good, "    title: Test rule\n", "", 1),
			"x.yaml:3: rule TST-001: missing field title"},
		{"missing id", strings.Replace(good, "id: TST-001\n    title", "title", 1),
			"x.yaml:3: rule #1: missing field id"},
		{"bad id", strings.Replace(good, "TST-001", "tst1", 1),
			"x.yaml:3: rule tst1: id must look like AREA-NNN in capitals (e.g. REG-001)"},
		{"missing query", good[:strings.Index(good, "    query:")],
			"x.yaml:3: rule TST-001: missing field query"},
		{"bad param type", strings.Replace(good, "type: int", "type: integer", 1),
			`x.yaml:11: rule TST-001: param days: type "integer" is not one of int, float, string, bool`},
		{"bad default", strings.Replace(good, "default: 30", "default: thirty", 1),
			`x.yaml:13: rule TST-001: param days: default "thirty" is not an int`},
		{"missing default", strings.Replace(good, "        default: 30\n", "", 1),
			"x.yaml:11: rule TST-001: param days: missing default"},
		{"undeclared param", strings.Replace(good, ":days", ":weeks", 1),
			"x.yaml:14: rule TST-001: query uses parameter :weeks which is not declared under params"},
		{"bad requires", strings.Replace(good, "axl:devices", "risport:Phones", 1),
			`x.yaml:9: rule TST-001: requires "risport:Phones": unknown RisPort class Phones (want * or one of Phone, Gateway, H323, Cti, VoiceMail, MediaResources, SIPTrunk, HuntList, Unknown)`},
		{"requires without source", strings.Replace(good, "axl:devices", "devices", 1),
			`x.yaml:9: rule TST-001: requires "devices": want axl:ITEM or risport:CLASS (e.g. axl:devices, risport:Phone, risport:*)`},
		{"list for a string", strings.Replace(good, "category: test", "category: [a, b]", 1),
			"x.yaml:6: rule TST-001: cannot unmarshal !!seq into string"},
		{"duplicate id", good + strings.Replace(good[strings.Index(good, "  - id:"):], "title: Test rule", "title: Again", 1),
			"x.yaml:16: rule TST-001: duplicate id (first defined at x.yaml:3); ids are never reused"},
		{"delete", strings.Replace(good, "SELECT name AS entity, model FROM devices WHERE is_active = :days", "DELETE FROM axl_device", 1),
			"x.yaml:14: rule TST-001: query must be one SELECT statement, not DELETE"},
		{"update", strings.Replace(good, "SELECT name AS entity, model FROM devices WHERE is_active = :days", "UPDATE axl_device SET name = 'x'", 1),
			"x.yaml:14: rule TST-001: query must be one SELECT statement, not UPDATE"},
		{"attach", strings.Replace(good, "SELECT name AS entity, model FROM devices WHERE is_active = :days", "ATTACH DATABASE '/tmp/x.db' AS x", 1),
			"x.yaml:14: rule TST-001: query must be one SELECT statement, not ATTACH"},
		{"pragma", strings.Replace(good, "SELECT name AS entity, model FROM devices WHERE is_active = :days", "PRAGMA query_only = 0", 1),
			"x.yaml:14: rule TST-001: query must be one SELECT statement, not PRAGMA"},
		{"second statement", strings.Replace(good, "WHERE is_active = :days", "WHERE is_active = :days; DELETE FROM axl_device", 1),
			"x.yaml:14: rule TST-001: query must be one SELECT statement (found text after ;)"},
		{"bad template", good + "    message: \"{{.entity\"\n",
			`x.yaml:16: rule TST-001: message template: TST-001:1: unclosed action`},
		{"yaml syntax", "schema: 1\nrules:\n  - id: [\n",
			"x.yaml:3: did not find expected node content"},
		{"no rules", "schema: 1\n",
			"x.yaml:1: no rules (a pack needs a rules: list)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePack("x.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("error:\n got %s\nwant %s", err, tc.want)
			}
		})
	}
}

// TestCheckBadSQL covers the errors only the database can find, through `rules check`.
func TestCheckBadSQL(t *testing.T) {
	cases := []struct {
		name, query, want string
	}{
		{"unknown column", "SELECT name AS entity, colour FROM devices WHERE is_active = :days",
			"x.yaml:3: rule TST-001: query does not prepare against the views: no such column: colour"},
		{"unknown view", "SELECT name AS entity FROM phones WHERE 1 = :days",
			"x.yaml:3: rule TST-001: query does not prepare against the views: no such table: phones"},
		{"no entity", "SELECT name, model FROM devices WHERE is_active = :days",
			"x.yaml:3: rule TST-001: query returns no entity column (columns: name, model)"},
		{"with delete", "WITH x AS (SELECT 1) DELETE FROM axl_device WHERE 1 = :days",
			"x.yaml:3: rule TST-001: query does not prepare against the views: not authorized"},
		{"with insert", "WITH x AS (SELECT 1) INSERT INTO axl_user (snapshot_id, userid) SELECT :days, 'x'",
			"x.yaml:3: rule TST-001: query does not prepare against the views: not authorized"},
		{"load_extension", "SELECT load_extension('/tmp/x.so') AS entity WHERE 1 = :days",
			"x.yaml:3: rule TST-001: query does not prepare against the views: not authorized to use function: load_extension"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := strings.Replace(good, "SELECT name AS entity, model FROM devices WHERE is_active = :days", tc.query, 1)
			rules, err := ParsePack("x.yaml", []byte(data))
			must(t, err)
			err = Check(context.Background(), &RuleSet{Rules: rules})
			if err == nil || err.Error() != tc.want {
				t.Errorf("error:\n got %v\nwant %s", err, tc.want)
			}
		})
	}
}

func TestLoadRulesDirs(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "site.yaml"), []byte(good), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a pack"), 0o644))
	set, err := LoadRules(dir)
	must(t, err)
	if set.Get("TST-001") == nil {
		t.Fatal("TST-001 from the folder not loaded")
	}
	// The same id in a second folder is a duplicate across packs.
	dir2 := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir2, "again.yaml"), []byte(good), 0o644))
	_, err = LoadRules(dir, dir2)
	want := filepath.Join(dir2, "again.yaml") + ":3: rule TST-001: duplicate id (first defined at " + filepath.Join(dir, "site.yaml") + ":3); ids are never reused"
	if err == nil || err.Error() != want {
		t.Errorf("error:\n got %v\nwant %s", err, want)
	}
	// A built-in id is taken too.
	must(t, os.WriteFile(filepath.Join(dir2, "again.yaml"), []byte(strings.Replace(good, "TST-001", "REG-001", 1)), 0o644))
	_, err = LoadRules(dir2)
	if err == nil || !strings.Contains(err.Error(), "rule REG-001: duplicate id (first defined at rules/registration.yaml:") {
		t.Errorf("error = %v, want a duplicate of the built-in REG-001", err)
	}
	set, err = LoadRules()
	must(t, err)
	for _, tc := range []struct {
		only, skip []string
		want       int
		err        string
	}{
		{only: []string{"REG-001"}, want: 1},
		{only: []string{"redundancy"}, want: 3},
		{only: []string{"redundancy"}, skip: []string{"RED-003"}, want: 2},
		{only: []string{"NOPE-001"}, err: `no rule id or category "NOPE-001" (see ` + "`cucm-audit rules list`)"},
	} {
		got, err := set.Select(tc.only, tc.skip)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("Select(%v, %v) error = %v, want %s", tc.only, tc.skip, err, tc.err)
			}
			continue
		}
		if err != nil || len(got) != tc.want {
			t.Errorf("Select(%v, %v) = %d rules, %v; want %d", tc.only, tc.skip, len(got), err, tc.want)
		}
	}
}

func TestParams(t *testing.T) {
	set, err := LoadRules()
	must(t, err)
	sel, _ := set.Select([]string{"REG-002"}, nil)
	for _, tc := range []struct {
		over map[string]string
		want any
		err  string
	}{
		{over: nil, want: int64(30)},
		{over: map[string]string{"REG-002.days": "45"}, want: int64(45)},
		{over: map[string]string{"REG-002.days": "abc"}, err: `param REG-002.days: "abc" is not an int`},
		{over: map[string]string{"REG-002.weeks": "1"}, err: `param REG-002.weeks: rule REG-002 has no parameter "weeks" (it has: days)`},
		{over: map[string]string{"XYZ-001.days": "1"}, err: "param XYZ-001.days: no rule XYZ-001 (see `cucm-audit rules list`)"},
		{over: map[string]string{"days": "1"}, err: `param "days": want RULE-ID.name=value (e.g. REG-002.days=45)`},
	} {
		got, err := resolveParams(set, sel, tc.over)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("resolveParams(%v) error = %v, want %s", tc.over, err, tc.err)
			}
			continue
		}
		must(t, err)
		if got["REG-002"]["days"] != tc.want {
			t.Errorf("resolveParams(%v) = %v, want %v", tc.over, got["REG-002"]["days"], tc.want)
		}
	}
}
