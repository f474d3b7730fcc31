package snapshot

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWriteAndResolve(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w, err := s.Begin(ctx, Meta{ClusterID: "c1", AXLHost: "h"})
	if err != nil {
		t.Fatal(err)
	}
	must(t, w.AddDevice(ctx, Device{Name: "SEP1", Class: "Phone", RisClass: "Phone"}))
	must(t, w.AddDevice(ctx, Device{Name: "SEP2", Class: "Phone", RisClass: "Phone"}))
	must(t, w.AddRisDevice(ctx, RisDevice{Node: "n1", Name: "SEP1", DeviceClass: "Phone", Status: "UnRegistered", TimeStamp: 10}))
	must(t, w.AddRisDevice(ctx, RisDevice{Node: "n2", Name: "SEP1", DeviceClass: "Phone", Status: "Registered", TimeStamp: 20}))
	must(t, w.AddRisDevice(ctx, RisDevice{Node: "n1", Name: "SEPX", DeviceClass: "Phone", Status: "Registered", TimeStamp: 5}))
	must(t, w.SetCoverage(ctx, Coverage{Source: SourceRisPort, Item: ClassItem("Phone"), Complete: true}))
	m, err := w.Commit(ctx, StatusComplete, "15.0.1", "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Resolve(ctx, "latest", "")
	if err != nil || got.ID != m.ID || got.Status != StatusComplete {
		t.Fatalf("Resolve latest = %v, %v", got, err)
	}
	ris, err := s.RisCounts(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]ClassCount{{Class: "Phone", Status: "Registered", Count: 2}}, ris); diff != "" {
		t.Errorf("RisCounts (-want +got):\n%s", diff)
	}
	var n int
	must(t, s.DB().QueryRow(`SELECT COUNT(*) FROM device_view WHERE snapshot_id = ? AND in_axl = 1 AND in_ris = 0`, m.ID).Scan(&n))
	if n != 1 {
		t.Errorf("devices in AXL only = %d, want 1", n)
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w, err := s.Begin(ctx, Meta{ClusterID: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	must(t, w.AddDevice(ctx, Device{Name: "SEP1", Class: "Phone"}))
	w.Abort()
	list, err := s.List(ctx, "")
	if err != nil || len(list) != 0 {
		t.Fatalf("List after abort = %v, %v; want none", list, err)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(ctx, path); err == nil {
		t.Fatal("Open of a newer schema succeeded")
	}
	if _, err := OpenReadOnly(ctx, path); err == nil {
		t.Fatal("OpenReadOnly of a newer schema succeeded")
	}
}

// TestSchemaVersion: SchemaVersion is a constant (no importer can change which schema this build
// claims to read) equal to the number of migrations, and a new database is created at it.
func TestSchemaVersion(t *testing.T) {
	const v = SchemaVersion // does not compile when SchemaVersion is a variable
	if v != len(migrations) {
		t.Fatalf("SchemaVersion = %d, want %d migrations", v, len(migrations))
	}
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got int
	if err := s.DB().QueryRow("PRAGMA user_version").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != v {
		t.Errorf("user_version of a new database = %d, want %d", got, v)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
