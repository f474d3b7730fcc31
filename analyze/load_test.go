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

// withQuery is the good pack with another query.
func withQuery(q string) string {
	return strings.Replace(good, "SELECT name AS entity, model FROM devices WHERE is_active = :days", q, 1)
}

// TestLoadBadRules maps broken rule packs to their exact errors: first loading (what the YAML
// alone tells), then checking against the views (what only the database tells), as
// `cucm-audit rules check` does. before, when set, is a pack loaded first (a.yaml).
func TestLoadBadRules(t *testing.T) {
	views := "snapshot, devices, ris, ris_devices, device_status, lines, line_appearances, pattern_destinations, users, " +
		"device_pools, cm_group_members, nodes, mgcp_gateways, default_loads, coverage, node_answers, status_reasons, " +
		"eol_models, eol_releases, history_snapshots, history"
	outside := func(rel string) string {
		return "x.yaml:3: rule TST-001: query reads " + rel + ", which is not one of the rule views; " +
			"a rule reads only the views of one snapshot: " + views + " (see rules/README.md)"
	}
	cases := []struct {
		name, before, yaml, want string
	}{
		// Loading.
		{"unknown key", "", strings.Replace(good, "query:", "qurey:", 1),
			"x.yaml:14: rule TST-001: field qurey not found"},
		{"no schema", "", strings.Replace(good, "schema: 1\n", "", 1),
			"x.yaml:1: missing schema: 1 at the top of the pack"},
		{"schema 2", "", strings.Replace(good, "schema: 1", "schema: 2", 1),
			"x.yaml:1: schema 2 is not supported (this cucm-audit reads schema: 1)"},
		{"bad severity", "", strings.Replace(good, "severity: low", "severity: urgent", 1),
			`x.yaml:5: rule TST-001: severity "urgent" is not one of info, low, medium, high, critical`},
		{"severity case", "", strings.Replace(good, "severity: low", "severity: LOW", 1),
			`x.yaml:5: rule TST-001: severity "LOW" is not one of info, low, medium, high, critical`},
		{"missing title", "", strings.Replace(good, "    title: Test rule\n", "", 1),
			"x.yaml:3: rule TST-001: missing field title"},
		{"missing id", "", strings.Replace(good, "id: TST-001\n    title", "title", 1),
			"x.yaml:3: rule #1: missing field id"},
		{"bad id", "", strings.Replace(good, "TST-001", "tst1", 1),
			"x.yaml:3: rule tst1: id must look like AREA-NNN in capitals (e.g. REG-001)"},
		{"missing query", "", good[:strings.Index(good, "    query:")],
			"x.yaml:3: rule TST-001: missing field query"},
		{"blank query", "", good[:strings.Index(good, "    query:")] + "    query: \"\"\n",
			"x.yaml:14: rule TST-001: missing field query"},
		{"query only a comment", "", withQuery("-- SELECT name AS entity FROM devices"),
			"x.yaml:14: rule TST-001: query is empty"},
		{"bad param type", "", strings.Replace(good, "type: int", "type: integer", 1),
			`x.yaml:11: rule TST-001: param days: type "integer" is not one of int, float, string, bool`},
		{"bad default", "", strings.Replace(good, "default: 30", "default: thirty", 1),
			`x.yaml:13: rule TST-001: param days: default "thirty" is not an int`},
		{"param without default", "", strings.Replace(good, "        default: 30\n", "", 1),
			"x.yaml:11: rule TST-001: param days: missing default"},
		{"undeclared param", "", strings.Replace(good, ":days", ":weeks", 1),
			"x.yaml:14: rule TST-001: query uses parameter :weeks which is not declared under params"},
		{"unknown RisPort class", "", strings.Replace(good, "axl:devices", "risport:Phones", 1),
			`x.yaml:9: rule TST-001: requires "risport:Phones": unknown RisPort class Phones (want * or one of Phone, Gateway, H323, Cti, VoiceMail, MediaResources, SIPTrunk, HuntList, Unknown)`},
		{"unknown AXL input", "", strings.Replace(good, "axl:devices", "axl:phones", 1),
			`x.yaml:9: rule TST-001: requires "axl:phones": unknown AXL item phones (want one of devices, lines, line_appearances, pattern_destinations, users, device_pools, cm_groups, nodes, mgcp_gateways, default_loads, load_overrides, version, account)`},
		{"unknown input source", "", strings.Replace(good, "axl:devices", "cdr:calls", 1),
			`x.yaml:9: rule TST-001: requires "cdr:calls": unknown source cdr (want axl or risport)`},
		{"requires without source", "", strings.Replace(good, "axl:devices", "devices", 1),
			`x.yaml:9: rule TST-001: requires "devices": want axl:ITEM or risport:CLASS (e.g. axl:devices, risport:Phone, risport:*)`},
		{"list for a string", "", strings.Replace(good, "category: test", "category: [a, b]", 1),
			"x.yaml:6: rule TST-001: rules[0].category: want a string, got a list"},
		{"duplicate id", "", good + strings.Replace(good[strings.Index(good, "  - id:"):], "title: Test rule", "title: Again", 1),
			"x.yaml:16: rule TST-001: duplicate id (first defined at x.yaml:3); ids are never reused"},
		{"duplicate id across packs", good, good,
			"x.yaml:3: rule TST-001: duplicate id (first defined at a.yaml:3); ids are never reused"},
		{"delete", "", withQuery("DELETE FROM axl_device"),
			"x.yaml:14: rule TST-001: query must be one SELECT statement, not DELETE"},
		{"update", "", withQuery("UPDATE axl_device SET name = 'x'"),
			"x.yaml:14: rule TST-001: query must be one SELECT statement, not UPDATE"},
		{"attach", "", withQuery("ATTACH DATABASE '/tmp/x.db' AS x"),
			"x.yaml:14: rule TST-001: query must be one SELECT statement, not ATTACH"},
		{"pragma", "", withQuery("PRAGMA query_only = 0"),
			"x.yaml:14: rule TST-001: query must be one SELECT statement, not PRAGMA"},
		{"second statement", "", strings.Replace(good, "WHERE is_active = :days", "WHERE is_active = :days; DELETE FROM axl_device", 1),
			"x.yaml:14: rule TST-001: query must be one SELECT statement (found text after ;)"},
		{"bad template", "", good + "    message: \"{{.entity\"\n",
			`x.yaml:16: rule TST-001: message template: TST-001:1: unclosed action`},
		{"unknown template function", "", good + "    message: \"{{upper .entity}}\"\n",
			`x.yaml:16: rule TST-001: message template: TST-001:1: function "upper" not defined`},
		{"yaml syntax", "", "schema: 1\nrules:\n  - id: [\n",
			"x.yaml:3: did not find expected node content"},
		{"no rules", "", "schema: 1\n",
			"x.yaml:1: no rules (a pack needs a rules: list)"},
		{"not a mapping", "", "- schema: 1\n",
			"x.yaml:1: a rule pack is a mapping with schema: 1 and rules:"},
		{"pack name", "", strings.Replace(good, "schema: 1\n", "schema: 1\npack:\n  name: Site Rules\n", 1),
			`x.yaml:2: pack name "Site Rules": want a lower case word of letters, digits and - (e.g. emergency)`},
		{"pack unknown key", "", strings.Replace(good, "schema: 1\n", "schema: 1\npack:\n  name: site\n  complianse: true\n", 1),
			"x.yaml:4: field complianse not found"},
		{"pack compliance not a bool", "", strings.Replace(good, "schema: 1\n", "schema: 1\npack:\n  name: site\n  compliance: yes please\n", 1),
			`x.yaml:4: pack.compliance: want true or false, got "yes please"`},
		{"pack contradicts another file", strings.NewReplacer("schema: 1\n", "schema: 1\npack:\n  name: site\n  compliance: true\n", "TST-001", "TST-002").Replace(good),
			strings.Replace(good, "schema: 1\n", "schema: 1\npack:\n  name: site\n  compliance: false\n", 1),
			"x.yaml:2: pack site: compliance false, but a.yaml:2 declares it true (leave compliance out to add rules to the pack)"},
		// Checking against the views.
		{"unknown column", "", withQuery("SELECT name AS entity, colour FROM devices WHERE is_active = :days"),
			"x.yaml:3: rule TST-001: query does not prepare against the views: no such column: colour"},
		{"unknown view", "", withQuery("SELECT name AS entity FROM phones WHERE 1 = :days"),
			"x.yaml:3: rule TST-001: query does not prepare against the views: no such table: phones"},
		{"no entity", "", withQuery("SELECT name, model FROM devices WHERE is_active = :days"),
			"x.yaml:3: rule TST-001: query returns no entity column (columns: name, model)"},
		{"base table", "", withQuery("SELECT name AS entity FROM axl_device WHERE is_active = :days"),
			outside("axl_device")},
		{"base table in a subquery", "", withQuery("SELECT name AS entity FROM devices WHERE name IN (SELECT name FROM ris_device WHERE 1 = :days)"),
			outside("ris_device")},
		{"main schema", "", withQuery("SELECT name AS entity FROM main.axl_device WHERE is_active = :days"),
			outside("main.axl_device")},
		{"main view of every snapshot", "", withQuery("SELECT name AS entity FROM device_view WHERE 1 = :days"),
			outside("device_view")},
		{"engine working table", "", withQuery("SELECT name AS entity FROM temp.ris_multi WHERE 1 = :days"),
			outside("temp.ris_multi")},
		{"schema table", "", withQuery("SELECT name AS entity FROM sqlite_master WHERE 1 = :days"),
			outside("sqlite_master")},
		{"temp schema table", "", withQuery("SELECT name AS entity FROM temp.sqlite_temp_master WHERE 1 = :days"),
			outside("sqlite_temp_master")},
		{"pragma table", "", withQuery("SELECT name AS entity FROM pragma_table_info('axl_device') WHERE 1 = :days"),
			outside("pragma_table_info")},
		{"with delete", "", withQuery("WITH x AS (SELECT 1) DELETE FROM axl_device WHERE 1 = :days"),
			"x.yaml:3: rule TST-001: query does not prepare against the views: not authorized"},
		{"with insert", "", withQuery("WITH x AS (SELECT 1) INSERT INTO axl_user (snapshot_id, userid) SELECT :days, 'x'"),
			"x.yaml:3: rule TST-001: query does not prepare against the views: not authorized"},
		{"group_by unknown field", "", good + "    group_by: [model, site]\n",
			"x.yaml:3: rule TST-001: group_by site: neither a column of the query (entity, model) nor a device attribute " +
				"(device_pool, location, owner, node, model, protocol, mgcp_gateway, class, load)"},
		{"group_by entity", "", good + "    group_by: [entity]\n",
			"x.yaml:16: rule TST-001: group_by entity: every finding has its own entity, so nothing would group"},
		{"load_extension", "", withQuery("SELECT load_extension('/tmp/x.so') AS entity WHERE 1 = :days"),
			"x.yaml:3: rule TST-001: query does not prepare against the views: not authorized to use function: load_extension"},
	}
	if len(cases) < 15 {
		t.Fatalf("%d broken packs, the issue asks for at least 15", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set := &RuleSet{}
			if tc.before != "" {
				must(t, set.add("a.yaml", []byte(tc.before)))
			}
			err := set.add("x.yaml", []byte(tc.yaml))
			if err == nil {
				err = Check(context.Background(), &RuleSet{Rules: set.Rules[len(set.Rules)-1:]})
			}
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("error:\n got %s\nwant %s", err, tc.want)
			}
		})
	}
}

// TestCheckAllowsViewsOnly: the reads a rule may do (views, CTEs, table-valued JSON functions,
// a view qualified with temp.) pass the check.
func TestCheckAllowsViewsOnly(t *testing.T) {
	for _, q := range []string{
		"SELECT name AS entity FROM devices WHERE is_active = :days",
		"SELECT 1 AS entity FROM devices WHERE 1 = :days",
		"WITH axl_device AS (SELECT name FROM devices) SELECT name AS entity FROM axl_device WHERE 1 = :days",
		"SELECT d.name AS entity FROM temp.devices d JOIN ris r ON r.name = d.name WHERE 1 = :days",
		"SELECT value AS entity FROM json_each('[1,2]') WHERE 1 = :days",
		"SELECT h.name AS entity FROM history h JOIN history_snapshots s USING (snapshot_id) WHERE 1 = :days",
	} {
		rules, err := ParsePack("x.yaml", []byte(withQuery(q)))
		must(t, err)
		if err := Check(context.Background(), &RuleSet{Rules: rules}); err != nil {
			t.Errorf("%s: %v", q, err)
		}
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
	want = filepath.Join(dir2, "again.yaml") + ":3: rule REG-001: duplicate id: REG-001 is a built-in rule (rules/registration.yaml:7, embedded in cucm-audit); a pack adds rules to the built-ins and cannot redefine one: give this rule an id of its own, and change a built-in rule through its params"
	if err == nil || err.Error() != want {
		t.Errorf("error:\n got %v\nwant %s", err, want)
	}
	// A wrong folder never silently loads nothing: missing, a file, or holding no packs.
	empty := t.TempDir()
	must(t, os.WriteFile(filepath.Join(empty, "README.txt"), []byte("notes"), 0o644))
	must(t, os.WriteFile(filepath.Join(empty, "eol-models.yaml"), []byte("models: []\n"), 0o644))
	must(t, os.Mkdir(filepath.Join(empty, "sub.yaml"), 0o755))
	file := filepath.Join(dir, "site.yaml")
	missing := filepath.Join(dir, "nope")
	for _, tc := range []struct{ dir, want string }{
		{empty, "rules folder " + empty + " holds no rule packs (*.yaml or *.yml files; eol-models.yaml is data, not a pack): check the path"},
		{missing, "rules folder " + missing + " does not exist (--rules takes a folder of *.yaml rule packs)"},
		{file, "rules folder " + file + " is not a folder (--rules takes a folder of *.yaml rule packs)"},
	} {
		if _, err := LoadRules(dir, tc.dir); err == nil || err.Error() != tc.want {
			t.Errorf("LoadRules(%s) error:\n got %v\nwant %s", tc.dir, err, tc.want)
		}
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
