package manifest

import (
	"strings"
	"testing"
)

func TestBuiltin(t *testing.T) {
	m := Builtin()
	for _, name := range []string{"routepartition", "callingsearchspace", "callingsearchspacemember", "numplan",
		"devicenumplanmap", "routelist", "routegroup", "routegroupdevicemap", "routefilter", "routefiltermember",
		"linegroup", "linegroupnumplanmap", "digitdiscardinstruction", "callforwarddynamic", "enduser",
		"applicationuser", "dirgroup", "functionrole", "functionroledirgroupmap", "enduserdirgroupmap",
		"applicationuserdirgroupmap", "securityprofile", "registrationdynamic", "device"} {
		tb, ok := m.Table(name)
		if !ok {
			t.Errorf("built-in manifest lacks %s", name)
			continue
		}
		if tb.Columns[0].Name != tb.Key {
			t.Errorf("%s: the key %s is not the first column", name, tb.Key)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown key", "schema: 1\ntables:\n  - table: numplan\n    colums: []\n", "site.yaml:4: field colums not found"},
		{"bad type", "schema: 1\ntables:\n  - table: numplan\n    columns:\n      - {name: x, type: date}\n", `site.yaml:5: tables[0].columns[0].type: "date" is not a column type`},
		{"schema", "schema: 2\ntables: [{table: x, columns: [{name: a}]}]\n", "site.yaml:1: schema: 2"},
		{"twice", "schema: 1\ntables:\n  - {table: x, columns: [{name: a}]}\n  - {table: x, columns: [{name: a}]}\n", "site.yaml:4: tables[1].table: x is listed twice"},
		{"bad name", "schema: 1\ntables:\n  - {table: \"x; drop\", columns: [{name: a}]}\n", `site.yaml:3: tables[0].table: "x; drop" is not a CUCM table name`},
		{"no columns", "schema: 1\ntables:\n  - {table: x}\n", "site.yaml:3: tables[0].columns: x lists no column"},
		{"empty", "", "site.yaml:1: empty manifest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("site.yaml", []byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	user, err := Parse("site.yaml", []byte("schema: 1\ntables:\n  - {table: numplan, columns: [{name: iscallable, type: bool}]}\n  - {table: timeschedule, columns: [{name: name}]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Builtin().Merge(user)
	if err != nil {
		t.Fatal(err)
	}
	np, _ := m.Table("numplan")
	if np.Columns[len(np.Columns)-1].Name != "iscallable" {
		t.Errorf("numplan did not gain iscallable")
	}
	if ts, ok := m.Table("timeschedule"); !ok || ts.Columns[0].Name != "pkid" {
		t.Errorf("timeschedule: %+v", ts)
	}
	bad, _ := Parse("site.yaml", []byte("schema: 1\ntables:\n  - {table: numplan, columns: [{name: blockenable}]}\n"))
	if _, err := Builtin().Merge(bad); err == nil || !strings.Contains(err.Error(), "site.yaml:3: table numplan column blockenable: type text differs from bool") {
		t.Errorf("got %v", err)
	}
}
