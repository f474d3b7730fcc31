package demo

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/cucm-audit/cucm-audit/internal/cli"
)

func TestLoadScenario(t *testing.T) {
	sc, src, err := LoadScenario("tiny")
	if err != nil || sc.Cluster.ID != "tiny-lab" || src != "shipped scenario tiny" {
		t.Fatalf("shipped: %v %q %v", sc, src, err)
	}
	path := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(path, []byte("seed: 1\nqurey: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = LoadScenario(path)
	if want := "sim: bad.yaml:2: field qurey not found"; err == nil || err.Error() != want {
		t.Errorf("broken file: %v, want %q", err, want)
	}
	if _, _, err := LoadScenario("no-such-scenario"); cli.ExitCode(err, io.Discard) != cli.ExitUsage {
		t.Errorf("unknown scenario: %v, want a usage error", err)
	}
}
