package cucmsim_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cucm-audit/cucm-audit/collect"
	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// TestCollectAXLVersions runs a whole collection against clusters that refuse AXL schema 15.0
// (HTTP 599 with their supported list): a CUCM 14.0 one completes on schema 14.0; one whose
// list holds nothing the client speaks fails at once, naming the host and the versions.
func TestCollectAXLVersions(t *testing.T) {
	base, err := os.ReadFile("testdata/tiny_cucm14.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		versions string // replaces the scenario's axl_versions line; "" keeps it
		wantErr  []string
	}{
		{name: "cucm 14"},
		{name: "nothing known", versions: `axl_versions: ["16.0", "17.0"]`,
			wantErr: []string{"127.0.0.1:", "16.0, 17.0", "HTTP 599"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := base
			if tc.versions != "" {
				data = []byte(strings.Replace(string(base), `axl_versions: ["11.5", "12.5", "14.0"]`, tc.versions, 1))
			}
			sc, err := cucmsim.ParseScenario("tiny_cucm14.yaml", data)
			if err != nil {
				t.Fatal(err)
			}
			sim, ts := startSim(t, sc)
			user, pass := sim.Credentials()
			cfg := collect.Config{
				Cluster: "tiny", AXLURL: ts.URL + cucmsim.AXLPath, User: user, Password: collect.Secret(pass), VerifyTLS: true,
				Retries: 2, Timeout: 10 * time.Second, RisRateLimit: 1000, RisRateWindow: time.Second,
				RisMaxDevices: 1000, InitialBackoff: time.Millisecond, ToolVersion: "test",
			}
			c, err := collect.New(cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			rep, checkErr := c.Check(context.Background())

			store, err := snapshot.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			meta, err := c.Run(context.Background(), store, &bytes.Buffer{})

			if tc.wantErr != nil {
				for _, e := range []error{err, checkErr} {
					if e == nil {
						t.Fatal("no error")
					}
					for _, w := range tc.wantErr {
						if !strings.Contains(e.Error(), w) {
							t.Errorf("err = %q, want it to contain %q", e, w)
						}
					}
				}
				return
			}
			if checkErr != nil {
				t.Fatalf("check: %v", checkErr)
			}
			if rep.AXLSchema != "14.0" || rep.CUCMVersion != "14.0.1.11900(132)" {
				t.Errorf("check: AXL schema %q, CUCM %q", rep.AXLSchema, rep.CUCMVersion)
			}
			if err != nil {
				t.Fatalf("collect: %v", err)
			}
			if meta.Status != snapshot.StatusComplete || meta.CUCMVersion != "14.0.1.11900(132)" {
				t.Fatalf("status %s, CUCM %q: %s", meta.Status, meta.CUCMVersion, meta.Note)
			}
			cov, err := store.Coverage(context.Background(), meta.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, cv := range cov {
				if !cv.Complete {
					t.Errorf("coverage %s %s incomplete: %s", cv.Source, cv.Item, cv.Reason)
				}
			}
			counts, err := store.AXLCounts(context.Background(), meta.ID)
			if err != nil {
				t.Fatal(err)
			}
			total := 0
			for _, n := range counts {
				total += n.Count
			}
			if total != 5 {
				t.Errorf("%d devices stored, want the scenario's 5: %v", total, counts)
			}
		})
	}
}
