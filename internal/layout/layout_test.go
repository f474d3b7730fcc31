// Package layout holds the test that keeps imports flowing down the pipeline of DESIGN.md:
// collect → snapshot → analyze → render → deliver / mcpserver, with cmd on top.
package layout

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/cucm-audit/cucm-audit/"

// allowed lists, per package, the project packages its
// non-test code may import. Anything not listed is refused; a new package must be placed here.
var allowed = map[string][]string{
	"snapshot":          {},
	"snapshot/manifest": {"internal/yamlfile"},
	"collect/soap":      {"internal/scrub"},
	"collect/axl":       {"collect/soap"},
	"collect/risport":   {"collect/soap", "snapshot"},
	"collect/cucmsim":   {"internal/yamlfile", "snapshot"},
	"collect":           {"snapshot/manifest", "collect/axl", "collect/risport", "collect/soap", "snapshot", "internal/scrub", "internal/loopback", "internal/yamlfile", "internal/cli"},
	"analyze":           {"snapshot/manifest", "snapshot", "rules", "analyze/dialplan", "analyze/results", "internal/yamlfile", "internal/cli"},
	"analyze/dialplan":  {},
	"analyze/results":   {"snapshot"},
	// render lays out the read side's model; its text layouts of a fresh analysis and of a rule
	// (analyze.Result, analyze.Rule) take the rule engine's types, never the database.
	"render":            {"analyze", "analyze/results", "snapshot", "templates"},
	"deliver":           {"analyze/results", "render", "snapshot", "internal/scrub", "internal/loopback", "internal/cli"},
	"deliver/audit":     {"analyze", "analyze/results", "collect", "deliver", "internal/cli", "render", "snapshot"},
	"mcpserver":         {"analyze", "analyze/dialplan", "analyze/results", "render", "snapshot", "rules", "internal/loopback"},
	"rules":             {},
	"templates":         {},
	"examples":          {},
	"examples/demo":     {"analyze", "collect", "collect/cucmsim", "examples", "internal/cli", "render", "snapshot"},
	"internal/scrub":    {},
	"internal/loopback": {},
	"internal/yamlfile": {},
	"internal/cli":      {},
	"internal/testtool": {"collect/cucmsim"},
	"internal/layout":   {},
	"cmd/cucm-audit":    {"*"},
	"deliver/smtptest":  {},
}

// TestImportsFollowThePipeline fails when a package imports one above it in the pipeline.
func TestImportsFollowThePipeline(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(p.ImportPath, module)
		ok, known := allowed[name]
		if !known {
			t.Errorf("package %s is not placed in the pipeline: add it to allowed in internal/layout", name)
			continue
		}
		for _, imp := range p.Imports {
			dep, own := strings.CutPrefix(imp, module)
			if !own {
				continue
			}
			if !slices.Contains(ok, "*") && !slices.Contains(ok, dep) {
				t.Errorf("%s imports %s, against the pipeline (allowed: %s)", name, dep, strings.Join(ok, ", "))
			}
		}
	}
}
