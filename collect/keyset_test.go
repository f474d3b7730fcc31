package collect_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// TestKeysetPagingUnderChange changes the device table between two pages of the device read, as
// a change window does (a device added after the cursor and one before it, one deleted before
// it was read and one after, one edited before it was read) and shows that no row that existed
// for the whole read is lost or read twice. SKIP/FIRST over ORDER BY pkid would lose the row
// that slid onto the previous page after the deletion and read one row twice after an insert.
func TestKeysetPagingUnderChange(t *testing.T) {
	const page = 15
	type dev struct{ pkid, name, desc string }
	collectDevices := func(t *testing.T, mutate func(sql string) []string) ([]dev, map[string]snapshot.Coverage) {
		sc := fidelityScenario(t)
		hs, sim := testtool.Sim(t, sc)
		cfg := shapeConfig(hs.URL, sc)
		cfg.AXLPageSize = page
		if mutate != nil {
			sim.SetQueryHook(func(sql string, _ int) {
				if !strings.Contains(sql, "FROM device d LEFT JOIN typeclass") {
					return
				}
				if stmts := mutate(sql); len(stmts) > 0 {
					if err := sim.Mutate(context.Background(), stmts...); err != nil {
						t.Errorf("mutating between pages: %v", err)
					}
				}
			})
		}
		r := runShape(t, cfg)
		if r.meta.Status != snapshot.StatusComplete {
			t.Fatalf("status %s: %s", r.meta.Status, r.meta.Note)
		}
		store := openStore(t, r.db)
		defer store.Close()
		var out []dev
		for _, row := range rows(t, store, `SELECT pkid, name, description FROM axl_device WHERE snapshot_id = ? ORDER BY pkid`, r.meta.ID) {
			p := strings.SplitN(row, "|", 3)
			out = append(out, dev{p[0], p[1], p[2]})
		}
		slices.SortFunc(out, func(a, b dev) int { return strings.Compare(a.pkid, b.pkid) })
		cov := map[string]snapshot.Coverage{}
		cv, err := store.Coverage(context.Background(), r.meta.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cv {
			cov[c.Source+" "+c.Item] = c
		}
		return out, cov
	}

	base, _ := collectDevices(t, nil)
	if len(base) < 4*page {
		t.Fatalf("%d devices: too few for several pages of %d", len(base), page)
	}
	const (
		afterPKID, afterName   = "ffffffff-ffff-ffff-ffff-fffffffffff0", "SEPKEYSETAFTER01"
		beforePKID, beforeName = "00000000-0000-0000-0000-000000000001", "SEPKEYSETBEFORE1"
	)
	var deletedRead, deletedUnread, edited dev
	pages := 0
	lastRE := regexp.MustCompile(`d\.pkid > '([^']+)'`)
	got, cov := collectDevices(t, func(sql string) []string {
		pages++
		if pages != 3 {
			return nil
		}
		m := lastRE.FindStringSubmatch(sql)
		if m == nil {
			t.Fatalf("third device page is not keyed on pkid: %s", sql)
		}
		last := m[1]
		i := slices.IndexFunc(base, func(d dev) bool { return d.pkid > last })
		if i < 1 || i+3 >= len(base) {
			t.Fatalf("cursor %s at index %d of %d", last, i, len(base))
		}
		deletedRead, deletedUnread, edited = base[0], base[i+1], base[len(base)-2]
		copyRow := func(pkid, name string) []string {
			return []string{
				fmt.Sprintf(`CREATE TEMP TABLE keyset_copy AS SELECT * FROM device WHERE pkid = '%s'`, deletedRead.pkid),
				fmt.Sprintf(`UPDATE keyset_copy SET pkid = '%s', name = '%s', description = 'added between pages'`, pkid, name),
				`INSERT INTO device SELECT * FROM keyset_copy`,
				`DROP TABLE keyset_copy`,
			}
		}
		stmts := append(copyRow(afterPKID, afterName), copyRow(beforePKID, beforeName)...)
		return append(stmts,
			fmt.Sprintf(`DELETE FROM device WHERE pkid = '%s'`, deletedRead.pkid),
			fmt.Sprintf(`DELETE FROM device WHERE pkid = '%s'`, deletedUnread.pkid),
			fmt.Sprintf(`UPDATE device SET description = 'edited between pages' WHERE pkid = '%s'`, edited.pkid))
	})
	if pages < 4 {
		t.Fatalf("the device read took %d pages: the change was not made between two of them", pages)
	}
	// Expected: every row present for the whole read, once; the one deleted after it was read
	// stays (it was read); the one deleted before is gone; the edit is seen; the row added after
	// the cursor is read; the one added behind it belongs to the next snapshot.
	var want []dev
	for _, d := range base {
		switch d.pkid {
		case deletedUnread.pkid:
			continue
		case edited.pkid:
			d.desc = "edited between pages"
		}
		want = append(want, d)
	}
	want = append(want, dev{afterPKID, afterName, "added between pages"})
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(dev{})); diff != "" {
		t.Errorf("devices read across the change (-want +got):\n%s", diff)
	}
	if c := cov["axl devices"]; !c.Complete || c.Reason != "" {
		t.Errorf("devices coverage = %+v, want complete without notes", c)
	}
}

// TestBadRowsAreNotes: one bad row never fails a snapshot. A value that does not parse (a line
// index that is not a number) skips its row and makes the item incomplete, naming table and key;
// an unknown enum (a device class CUCM's typeclass does not list) keeps the row with a note.
func TestBadRowsAreNotes(t *testing.T) {
	sc := fidelityScenario(t)
	hs, sim := testtool.Sim(t, sc)
	if err := sim.Mutate(context.Background(),
		`UPDATE devicenumplanmap SET numplanindex = 'first' WHERE pkid = (SELECT MIN(m.pkid) FROM devicenumplanmap m
			JOIN numplan n ON n.pkid = m.fknumplan WHERE n.tkpatternusage = 2)`,
		`UPDATE device SET tkclass = 999 WHERE pkid = (SELECT MIN(pkid) FROM device WHERE tkclass = 18)`); err != nil {
		t.Fatal(err)
	}
	r := runShape(t, shapeConfig(hs.URL, sc))
	if r.meta.Status != snapshot.StatusPartial {
		t.Fatalf("status %s, want partial (a line appearance could not be used): %s", r.meta.Status, r.meta.Note)
	}
	store := openStore(t, r.db)
	defer store.Close()
	cv, err := store.Coverage(context.Background(), r.meta.ID)
	if err != nil {
		t.Fatal(err)
	}
	cov := map[string]snapshot.Coverage{}
	for _, c := range cv {
		cov[c.Source+" "+c.Item] = c
	}
	if c := cov["axl line_appearances"]; c.Complete || !strings.Contains(c.Reason, "devicenumplanmap") || !strings.Contains(c.Reason, `numplanindex "first" is not a number`) {
		t.Errorf("line appearances coverage = %+v, want incomplete naming devicenumplanmap and the value", c)
	}
	if c := cov["axl devices"]; !c.Complete || !strings.Contains(c.Reason, "unknown class \"999\"") {
		t.Errorf("devices coverage = %+v, want complete with a note of the unknown class", c)
	}
	if c := cov["axl pattern_destinations"]; !c.Complete {
		t.Errorf("pattern destinations coverage = %+v, want complete", c)
	}
}

// TestOlderReleaseColumns: a release without a column the collector reads optionally is read
// without it, and no rule judges as if the column were empty: every rule that fails reports
// exactly the ground truth, and the rules that need the column (the device's own load) are
// inconclusive with the reason.
func TestOlderReleaseColumns(t *testing.T) {
	set, err := analyze.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	eol, err := analyze.LoadEOL("")
	if err != nil {
		t.Fatal(err)
	}
	for _, col := range []string{"runonallnodes", "specialloadinformation", "fkprocessnode"} {
		t.Run(col, func(t *testing.T) {
			sc := fidelityScenario(t)
			hs, sim := testtool.Sim(t, sc)
			if err := sim.Mutate(context.Background(), "ALTER TABLE device DROP COLUMN "+col); err != nil {
				t.Fatal(err)
			}
			r := runShape(t, shapeConfig(hs.URL, sc))
			store := openStore(t, r.db)
			defer store.Close()
			res, err := analyze.Run(context.Background(), store, r.meta.ID, analyze.Options{Rules: set})
			if err != nil {
				t.Fatal(err)
			}
			want := expectedFindings(sc, sim.Truth(), eol, r.meta.StartedAt)
			if col == "specialloadinformation" {
				want["DQ-002"] = []string{"axl:load_overrides"} // the data-quality rule says what is missing
			}
			for _, rr := range res.Rules {
				switch {
				case noReleaseData(rr):
				case rr.Outcome == results.OutcomeInconclusive:
					if col != "specialloadinformation" || !strings.HasPrefix(rr.Rule.ID, "FW-00") || rr.Rule.ID == "FW-002" {
						t.Errorf("%s inconclusive: %s", rr.Rule.ID, rr.Reason)
					} else if !strings.Contains(rr.Reason, "specialloadinformation") {
						t.Errorf("%s inconclusive without naming the column: %s", rr.Rule.ID, rr.Reason)
					}
				case compliancePack(rr.Rule.Category):
					// Their findings do not read the dropped device columns; analyze's tests hold them.
				case rr.Outcome == results.OutcomeFail || rr.Outcome == results.OutcomePass:
					var got []string
					for _, f := range rr.Findings {
						got = append(got, f.Entity)
					}
					w := slices.Clone(want[rr.Rule.ID])
					slices.Sort(got)
					slices.Sort(w)
					if diff := cmp.Diff(w, got); diff != "" {
						t.Errorf("%s without device.%s (-want +got):\n%s", rr.Rule.ID, col, diff)
					}
				default:
					t.Errorf("%s %s: %s", rr.Rule.ID, rr.Outcome, rr.Reason)
				}
			}
		})
	}
}
