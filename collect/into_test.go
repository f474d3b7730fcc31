package collect

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
)

// TestRunIntoFirstRunLeavesNoFile: a first collection that stores nothing removes the database
// it created; one into an existing database leaves it, and a good one keeps the file open.
func TestRunIntoFirstRunLeavesNoFile(t *testing.T) {
	_, url := sim(t, small, nil, nil)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	run := func(path, pass string) error {
		cfg := testConfig(url)
		cfg.Password = Secret(pass)
		c, err := New(cfg, quiet)
		if err != nil {
			t.Fatal(err)
		}
		store, _, err := c.RunInto(context.Background(), path, nil)
		if err == nil {
			store.Close()
		}
		return err
	}
	dir := t.TempDir()
	fresh := filepath.Join(dir, "fresh.db")
	if err := run(fresh, testPass+"-wrong"); err == nil {
		t.Fatal("a wrong password collected")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a failed first run left %v", entries)
	}
	if err := run(fresh, testPass); err != nil {
		t.Fatal(err)
	}
	if err := run(fresh, testPass+"-wrong"); err == nil {
		t.Fatal("a wrong password collected")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a failed run removed a database holding a snapshot: %v", err)
	}
}
