package cucmsim_test

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/examples"
)

// TestShippedScenarios loads every scenario in examples/ and builds all but the megacluster
// (which is built only without -short: it takes a few seconds).
func TestShippedScenarios(t *testing.T) {
	for _, name := range examples.Names() {
		t.Run(name, func(t *testing.T) {
			sc := loadShipped(t, name)
			if name == "megacluster" {
				total := 0
				for _, g := range sc.DeviceGroups {
					total += g.Count
				}
				if total != 80000 || len(sc.Nodes) != 9 { // 8 Unified CM nodes and an IM and Presence node
					t.Fatalf("megacluster: %d devices over %d nodes, want 80000 over 9", total, len(sc.Nodes))
				}
				if testing.Short() || os.Getenv("CUCMSIM_MEGA") == "" {
					t.Skip("building the megacluster takes seconds; set CUCMSIM_MEGA=1 (BenchmarkNewMegacluster builds it too)")
				}
			}
			sim, err := cucmsim.New(sc)
			if err != nil {
				t.Fatal(err)
			}
			defer sim.Close()
		})
	}
}

func BenchmarkNewMegacluster(b *testing.B) {
	sc := loadShipped(b, "megacluster")
	for b.Loop() {
		sim, err := cucmsim.New(sc)
		if err != nil {
			b.Fatal(err)
		}
		sim.Close()
	}
}

// TestDBFile: the file-backed database answers like the in-memory one.
func TestDBFile(t *testing.T) {
	sc := loadShipped(t, "tiny")
	sim, err := cucmsim.NewWithOptions(sc, cucmsim.Options{DBFile: filepath.Join(t.TempDir(), "sim.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	ts := httptest.NewServer(sim.Handler())
	defer ts.Close()
	if rows := axlSQL(t, sim, ts, "select name from device where tkclass = 1 or tkclass = 18"); len(rows) != 5 {
		t.Errorf("%d devices, want 5", len(rows))
	}
	u, p := sim.Credentials()
	r := post(t, ts.URL+cucmsim.AXLPath, "CUCM:DB ver=15.0 executeSQLQuery", sqlEnvelope("15.0", "select name from device where name in (select name from device)"), basic(u, p))
	if r.status != 200 {
		t.Errorf("HTTP %d", r.status)
	}
}
