// Package examples ships the simulator's scenarios (demo, megacluster and small ones for
// tests) inside the binary. Load one with Scenario("demo") and hand it to cucmsim.ParseScenario.
package examples

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed *.yaml
var files embed.FS

// configExample is the commented configuration file beside the scenarios: no scenario.
const configExample = "cucm-audit.yaml"

// Scenario returns the YAML of a shipped scenario, by name with or without ".yaml".
func Scenario(name string) ([]byte, error) {
	file := name
	if !strings.HasSuffix(file, ".yaml") {
		file += ".yaml"
	}
	data, err := files.ReadFile(file)
	if err != nil || file == configExample {
		return nil, fmt.Errorf("no shipped scenario %q (have %s)", name, strings.Join(Names(), ", "))
	}
	return data, nil
}

// Names lists the shipped scenarios without their ".yaml" suffix, sorted.
func Names() []string {
	entries, _ := fs.ReadDir(files, ".")
	var out []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok && e.Name() != configExample {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}
