package collect

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/snapshot"
	"github.com/cucm-audit/cucm-audit/snapshot/manifest"
)

// TestMirrorDemo collects the demo and checks that every table of the built-in manifest was
// read completely into its snapshot table.
func TestMirrorDemo(t *testing.T) {
	url := simScenario(t, "../examples/demo.yaml", nil)
	db := filepath.Join(t.TempDir(), "a.db")
	r := runCollect(t, context.Background(), testConfig(url), db)
	if r.err != nil {
		t.Fatalf("collect: %v\n%s", r.err, r.logs)
	}
	cov := coverage(t, db, r.meta.ID)
	for _, tb := range manifest.Builtin().Tables {
		c, ok := cov["axl "+tb.CoverageItem()]
		if !ok || !c.Complete {
			t.Errorf("%s: coverage %+v", tb.Name, c)
		}
		if tb.Name != "routefilter" && tb.Name != "routefiltermember" && c.Records == 0 {
			t.Errorf("%s: no rows mirrored", tb.Name)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM "+tb.SnapshotTable()+" WHERE snapshot_id = ?", r.meta.ID); n != c.Records {
			t.Errorf("%s: %d rows stored, coverage says %d", tb.Name, n, c.Records)
		}
	}
	if r.meta.Status != snapshot.StatusComplete {
		t.Errorf("status %s: %s", r.meta.Status, r.meta.Note)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM cucm_numplan WHERE blockenable = 1 AND snapshot_id = ?", r.meta.ID); n == 0 {
		t.Error("no blocked pattern stored as blockenable = 1")
	}
}

// TestMirrorDeniedAndMissing: a table the AXL user may not read is an incomplete coverage row
// naming it (the snapshot is partial, honestly); a table an older release lacks that the
// manifest marks optional is a note that leaves the status alone.
func TestMirrorDeniedAndMissing(t *testing.T) {
	url := simScenario(t, small, func(sc *cucmsim.Scenario) {
		sc.Faults.AXLTablesDenied = []string{"applicationuser"}
		sc.Version = "11.0.1.10000(10)" // before registrationdynamic
	})
	db := filepath.Join(t.TempDir(), "a.db")
	r := runCollect(t, context.Background(), testConfig(url), db)
	if r.err != nil {
		t.Fatalf("collect: %v\n%s", r.err, r.logs)
	}
	cov := coverage(t, db, r.meta.ID)
	c := cov["axl table:applicationuser"]
	if c.Complete || !strings.Contains(c.Reason, "may not read table applicationuser") || !strings.Contains(c.Reason, "No SELECT permission") {
		t.Errorf("applicationuser coverage: %+v", c)
	}
	if c := cov["axl table:registrationdynamic"]; c.Complete || !strings.Contains(c.Reason, "not in this CUCM release") {
		t.Errorf("registrationdynamic coverage: %+v", c)
	}
	if strings.Contains(r.meta.Note, "registrationdynamic") {
		t.Errorf("a table the release lacks made a gap: %s", r.meta.Note)
	}
	if !cov["axl table:numplan"].Complete || !cov["axl table:applicationuserdirgroupmap"].Complete {
		t.Error("other tables not complete")
	}
	if r.meta.Status != snapshot.StatusPartial || !strings.Contains(r.meta.Note, "table:applicationuser") {
		t.Errorf("status %s note %q", r.meta.Status, r.meta.Note)
	}
}

// TestMirrorUserManifest: a user's manifest adds a table and a column; an unknown optional
// column is dropped with a note.
func TestMirrorUserManifest(t *testing.T) {
	user, err := manifest.Parse("site.yaml", []byte(`schema: 1
tables:
  - table: numplan
    columns:
      - {name: iscallable, type: bool}
      - {name: nosuchcolumn, optional: true}
  - table: sipdevice
    columns: [{name: fkdevice}, {name: tktunneledprotocol, type: integer}]
`))
	if err != nil {
		t.Fatal(err)
	}
	m, err := manifest.Builtin().Merge(user)
	if err != nil {
		t.Fatal(err)
	}
	_, url := sim(t, small, nil, nil)
	db := filepath.Join(t.TempDir(), "a.db")
	cfg := testConfig(url)
	cfg.Manifest = m
	r := runCollect(t, context.Background(), cfg, db)
	if r.err != nil {
		t.Fatal(r.err)
	}
	cov := coverage(t, db, r.meta.ID)
	if c := cov["axl table:numplan"]; !c.Complete || !strings.Contains(c.Reason, "nosuchcolumn is not in this CUCM release") {
		t.Errorf("numplan coverage %+v", c)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM cucm_numplan WHERE iscallable = 1"); n == 0 {
		t.Error("iscallable not mirrored")
	}
	if n := count(t, db, "SELECT COUNT(*) FROM cucm_sipdevice"); n == 0 {
		t.Error("sipdevice not mirrored")
	}
}

// simScenario serves a scenario, changed by mod, with the tests' password.
func simScenario(t testing.TB, path string, mod func(*cucmsim.Scenario)) string {
	t.Helper()
	sc, err := cucmsim.LoadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	sc.Credentials.Password = testPass
	if mod != nil {
		mod(sc)
	}
	s, err := cucmsim.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() { hs.Close(); s.Close() })
	return hs.URL
}
