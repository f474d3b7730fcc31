package analyze

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// demoDB is the collected demo cluster: collected once per test binary, copied per case.
var demoDB struct {
	once sync.Once
	dir  string
	path string
	id   int64
	err  string
}

// TestMain removes the once-collected demo database.
func TestMain(m *testing.M) {
	code := m.Run()
	if demoDB.dir != "" {
		os.RemoveAll(demoDB.dir)
	}
	os.Exit(code)
}

// demoCopy returns a store holding a private copy of the collected demo, and its snapshot id.
func demoCopy(t *testing.T) (*snapshot.Store, int64) {
	t.Helper()
	if testing.Short() {
		t.Skip("collects the demo cluster from the simulator")
	}
	demoDB.once.Do(func() {
		dir, err := os.MkdirTemp("", "cucm-audit-demo-")
		if err != nil {
			demoDB.err = err.Error()
			return
		}
		demoDB.dir = dir
		store, err := snapshot.Open(context.Background(), filepath.Join(dir, "collect.db"))
		if err != nil {
			demoDB.err = err.Error()
			return
		}
		defer store.Close()
		m := collectDemo(t, store, nil) // a failure here leaves path empty for every later case
		if _, err := store.DB().Exec(`VACUUM INTO ?`, filepath.Join(dir, "demo.db")); err != nil {
			demoDB.err = err.Error()
			return
		}
		demoDB.path, demoDB.id = filepath.Join(dir, "demo.db"), m.ID
	})
	if demoDB.err != "" || demoDB.path == "" {
		t.Fatalf("collecting the demo failed: %s", demoDB.err)
	}
	data, err := os.ReadFile(demoDB.path)
	must(t, err)
	path := filepath.Join(t.TempDir(), "audit.db")
	must(t, os.WriteFile(path, data, 0o644))
	s, err := snapshot.Open(context.Background(), path)
	must(t, err)
	t.Cleanup(func() { s.Close() })
	return s, demoDB.id
}

// packFire is a change to the mirrored tables (and RisPort rows) of the collected demo, as a
// real cluster would hold it, that makes rule find exactly want.
type packFire struct {
	name string
	rule string
	sql  []string // run in order in one transaction; $SID is the snapshot id
	want []string
}

// copyRow is the SQL that inserts a copy of the first row of table matching where (ordered by
// pkid), with the assignments set changed.
func copyRow(table, where, set string) []string {
	return []string{
		`DROP TABLE IF EXISTS temp.rowcopy`,
		`CREATE TEMP TABLE rowcopy AS SELECT * FROM ` + table + ` WHERE snapshot_id = $SID AND ` + where + ` ORDER BY pkid LIMIT 1`,
		`UPDATE temp.rowcopy SET ` + set,
		`INSERT INTO ` + table + ` SELECT * FROM temp.rowcopy`,
		`DROP TABLE temp.rowcopy`,
	}
}

func css(name string) string {
	return `(SELECT pkid FROM cucm_callingsearchspace WHERE name = '` + name + `')`
}

func partition(name string) string {
	return `(SELECT pkid FROM cucm_routepartition WHERE name = '` + name + `')`
}

func concat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// packFires are the firing cases of the compliance rules the demo's plants do not fire.
var packFires = []packFire{
	{
		// The US legacy site's 9.911 goes to its own route list over the local PRI only, and
		// the PRI is down: the two US legacy lines (6120, 6121) dial 9911 into a dead gateway.
		name: "EMG-002 legacy 9911 over a down PRI", rule: "EMG-002",
		sql: concat(
			copyRow("cucm_device", `name = 'RL_Emergency'`, `pkid = 'test-rl-us-legacy', name = 'RL_US_Legacy_Emergency'`),
			copyRow("cucm_routelist", `fkdevice = (SELECT pkid FROM cucm_device WHERE name = 'RL_Emergency') AND fkroutegroup = (SELECT pkid FROM cucm_routegroup WHERE name = 'RG_ISR_PRI')`,
				`pkid = 'test-rl-us-legacy-1', fkdevice = 'test-rl-us-legacy', selectionorder = 1`),
			[]string{
				`UPDATE cucm_devicenumplanmap SET fkdevice = 'test-rl-us-legacy'
				 WHERE fknumplan = (SELECT pkid FROM cucm_numplan WHERE dnorpattern = '9.911' AND fkroutepartition = ` + partition("PT_US_Legacy") + `)`,
				`UPDATE ris_device SET status = 'UnRegistered', status_reason = 1 WHERE snapshot_id = $SID AND name LIKE 'S0/SU1/DS1-_@isr4331-main.st-elisabeth.example'`,
			}),
		want: []string{"SEP00EBD5EAA8CA/1", "SEPA45630A055A8/1"},
	},
	{
		// A Cisco Emergency Responder route point whose forward on no answer (the PSTN failsafe)
		// uses a CSS with internal partitions only; its forward on unregistered routes.
		name: "EMG-004 CER route point failsafe", rule: "EMG-004",
		sql: concat(
			copyRow("cucm_device", `name = 'SEP00EBD59EC4AD'`, `pkid = 'test-cer-rp', name = 'CER_RP_911', tkclass = 10, fkcallingsearchspace = `+css("CSS_Line_National")),
			copyRow("cucm_numplan", `dnorpattern = '5100'`, `pkid = 'test-cer-dn', dnorpattern = '7911', fkroutepartition = `+partition("PT_Internal")+`,
				cfnadestination = '912065550100', fkcallingsearchspace_cfna = `+css("CSS_Internal")+`, cfnavoicemailenabled = 0,
				cfurdestination = '911', fkcallingsearchspace_cfur = `+css("CSS_Line_National")+`, cfurvoicemailenabled = 0`),
			copyRow("cucm_devicenumplanmap", `fkdevice = (SELECT pkid FROM cucm_device WHERE name = 'SEP00EBD59EC4AD')`,
				`pkid = 'test-cer-map', fkdevice = 'test-cer-rp', fknumplan = 'test-cer-dn', numplanindex = 1`),
		),
		want: []string{"CER_RP_911/1/cfna"},
	},
	{
		// The example of the review: a Call Forward All to a UK number with the international CSS.
		name: "TF-001 forward all abroad", rule: "TF-001",
		sql: []string{`UPDATE cucm_callforwarddynamic SET cfadestination = '900441632960960', cfavoicemailenabled = 0, fkcallingsearchspace_cfa = ` + css("CSS_Line_International") + `
			WHERE pkid = (SELECT pkid FROM cucm_callforwarddynamic WHERE snapshot_id = $SID AND fknumplan = (SELECT pkid FROM cucm_numplan WHERE dnorpattern = '2000') )`},
		want: []string{"2000 in PT_Internal/cfa"},
	},
	{
		// A line's forward-on-no-answer CSS is the international one: no destination set yet.
		name: "TF-002 international forward CSS", rule: "TF-002",
		sql:  []string{`UPDATE cucm_numplan SET fkcallingsearchspace_cfna = ` + css("CSS_Line_International") + ` WHERE snapshot_id = $SID AND dnorpattern = '2001'`},
		want: []string{"CSS_Line_International"},
	},
	{
		// PT_US_Legacy taken out of the legacy CSS: its 9.911 is in no CSS.
		name: "DP-001 partition in no CSS", rule: "DP-001",
		sql:  []string{`DELETE FROM cucm_callingsearchspacemember WHERE snapshot_id = $SID AND fkroutepartition = ` + partition("PT_US_Legacy")},
		want: []string{"PT_US_Legacy"},
	},
	{
		name: "DP-004 empty line group", rule: "DP-004",
		sql:  []string{`DELETE FROM cucm_linegroupnumplanmap WHERE snapshot_id = $SID AND fklinegroup = (SELECT pkid FROM cucm_linegroup WHERE name = 'LG_HL_Pharmacy')`},
		want: []string{"LG_HL_Pharmacy"},
	},
	{
		// Lab line 5100 configured again in PT_OnNet.
		name: "DP-005 DN in two partitions", rule: "DP-005",
		sql:  copyRow("cucm_numplan", `dnorpattern = '5100'`, `pkid = 'test-dup-5100', fkroutepartition = `+partition("PT_OnNet")),
		want: []string{"5100"},
	},
	{
		// Two translations in PT_Internal translating into each other, analysed with a CSS
		// holding PT_Internal.
		name: "DP-006 translation loop", rule: "DP-006",
		sql: concat(
			copyRow("cucm_numplan", `dnorpattern = '0' AND tkpatternusage = 3`, `pkid = 'test-loop-a', dnorpattern = '7770', calledpartytransformationmask = '7771',
				fkroutepartition = `+partition("PT_Internal")+`, fkcallingsearchspace_translation = `+css("CSS_Translation_Internal")),
			copyRow("cucm_numplan", `dnorpattern = '0' AND tkpatternusage = 3`, `pkid = 'test-loop-b', dnorpattern = '7771', calledpartytransformationmask = '7770',
				fkroutepartition = `+partition("PT_Internal")+`, fkcallingsearchspace_translation = `+css("CSS_Translation_Internal")),
		),
		want: []string{"7770 in PT_Internal", "7771 in PT_Internal"},
	},
	{
		// An end user added to Standard CCM Super Users.
		name: "ACC-001 end user super user", rule: "ACC-001",
		sql: copyRow("cucm_enduserdirgroupmap", `fkenduser = (SELECT pkid FROM cucm_enduser WHERE userid = 'ddubois')`,
			`pkid = 'test-acc-map', fkdirgroup = (SELECT pkid FROM cucm_dirgroup WHERE name = 'Standard CCM Super Users')`),
		want: []string{"ddubois"},
	},
}

// packFiringTests names, per compliance rule, the test in which it fires with exact entities;
// TestBuiltinRules fails for a compliance rule missing here.
var packFiringTests = func() map[string]string {
	m := map[string]string{"DP-002": "TestCompliancePlantsRemoved",
		"LIC-001": "TestLicensingTiers", "LIC-002": "TestLicensingOnDemo", "LIC-003": "TestLicensingTiers", "EOL-003": "TestEOLRelease"}
	for id := range demoCompliancePlants {
		m[id] = "TestCompliancePacksOnDemo"
	}
	for _, c := range packFires {
		m[c.rule] = "TestComplianceFires/" + c.name
	}
	return m
}()

// TestComplianceFires: each change of the collected demo makes its rule find exactly its
// entities; the demo as collected makes none of these rules find anything.
func TestComplianceFires(t *testing.T) {
	var rules []string
	for _, c := range packFires {
		rules = append(rules, c.rule)
	}
	t.Run("demo as collected", func(t *testing.T) {
		store, id := demoCopy(t)
		res, err := Run(context.Background(), store, id, Options{Now: fixtureTime, Only: rules})
		must(t, err)
		for _, r := range res.Rules {
			if r.Outcome != results.OutcomePass {
				t.Errorf("%s on the demo: %s (%s) %v, want pass", r.Rule.ID, r.Outcome, r.Reason, entities(r))
			}
		}
	})
	for _, c := range packFires {
		t.Run(c.name, func(t *testing.T) {
			store, id := demoCopy(t)
			tx, err := store.DB().Begin()
			must(t, err)
			for _, q := range c.sql {
				if _, err := tx.Exec(strings.ReplaceAll(q, "$SID", strconv.FormatInt(id, 10))); err != nil {
					tx.Rollback()
					t.Fatalf("%s: %v", q, err)
				}
			}
			must(t, tx.Commit())
			res, err := Run(context.Background(), store, id, Options{Now: fixtureTime, Only: []string{c.rule}})
			must(t, err)
			r := res.Rules[0]
			if r.Outcome != results.OutcomeFail {
				t.Fatalf("%s: %s (%s), want fail", c.rule, r.Outcome, r.Reason)
			}
			if diff := cmp.Diff(c.want, entities(r)); diff != "" {
				t.Errorf("%s entities (-want +got):\n%s", c.rule, diff)
			}
			// The path in the evidence is the path `cucm-audit dial` prints for the replay command.
			var plan *DialPlan
			for _, f := range r.Findings {
				ev := map[string]string{}
				for _, e := range f.Evidence {
					ev[e.Name] = e.Value
				}
				if ev["replay"] == "" {
					if strings.HasPrefix(c.rule, "EMG-") || strings.HasPrefix(c.rule, "TF-") || c.rule == "DP-006" {
						t.Errorf("%s: no replay command in the evidence", f.Entity)
					}
					continue
				}
				if plan == nil {
					m, err := store.Get(context.Background(), id)
					must(t, err)
					plan, err = LoadDialPlan(context.Background(), store.Path(), m)
					must(t, err)
				}
				a, err := plan.Dial(replayRequest(t, ev["replay"]))
				if err != nil {
					t.Errorf("%s: replaying %q: %v", f.Entity, ev["replay"], err)
				} else if a.Path != ev["path"] {
					t.Errorf("%s: replay path\n  %s\nwant (evidence)\n  %s", f.Entity, a.Path, ev["path"])
				}
			}
		})
	}
}
