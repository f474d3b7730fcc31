package layout

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// sqlHomes are the packages that may issue SQL against the snapshot database: the store itself
// and the read side (DESIGN.md, "One read side").
var sqlHomes = []string{"snapshot", "analyze/results"}

// sqlElsewhere are the other files that may import database/sql, and why.
var sqlElsewhere = map[string]string{
	// The rule engine runs the rules' SQL over its own read-only connection and views.
	"analyze/engine.go":      "rule engine",
	"analyze/confine.go":     "rule engine",
	"analyze/dialfuncs.go":   "rule engine",
	"analyze/dial.go":        "rule engine",
	"analyze/views.go":       "rule engine",
	"analyze/mirrorviews.go": "rule engine",
	// The simulated CUCM's own Informix stand-in, never the snapshot database.
	"collect/cucmsim/db.go":     "simulator",
	"collect/cucmsim/mirror.go": "simulator",
	"collect/cucmsim/server.go": "simulator",
	// A helper of tests (it dumps a database for a failing test), never linked into the binary.
	"internal/testtool/dump.go": "test helper",
}

// sqlViolations says how one non-test file of package pkg reaches the database when it should
// not: it imports database/sql or the SQLite driver, or calls a DB() method (snapshot.Store.DB).
func sqlViolations(pkg, file string, src []byte) ([]string, error) {
	if slices.Contains(sqlHomes, pkg) {
		return nil, nil
	}
	f, err := parser.ParseFile(token.NewFileSet(), file, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		switch {
		case path != "database/sql" && path != "github.com/mattn/go-sqlite3":
		case sqlElsewhere[pkg+"/"+filepath.Base(file)] != "":
		default:
			out = append(out, "imports "+path)
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && len(call.Args) == 0 {
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "DB" {
				out = append(out, "calls DB()")
			}
		}
		return true
	})
	return out, nil
}

// TestOnlyTheReadSideQueries fails when a package other than snapshot and analyze/results (and
// the files of sqlElsewhere) reaches the snapshot database: renderers, delivery, MCP and the
// command read stored results through analyze/results.
func TestOnlyTheReadSideQueries(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	checked := 0
	for dec.More() {
		var p struct {
			ImportPath, Dir string
			GoFiles         []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkg := strings.TrimPrefix(p.ImportPath, module)
		for _, name := range p.GoFiles {
			src, err := os.ReadFile(filepath.Join(p.Dir, name))
			if err != nil {
				t.Fatal(err)
			}
			bad, err := sqlViolations(pkg, name, src)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range bad {
				t.Errorf("%s/%s %s: only snapshot and analyze/results query the database (see sqlHomes)", pkg, name, b)
			}
			checked++
		}
	}
	if checked < 100 {
		t.Fatalf("checked only %d files: go list did not list the module", checked)
	}
}

// TestSQLGuardCatches keeps the guard honest: a query added to a renderer fails it.
func TestSQLGuardCatches(t *testing.T) {
	for _, tt := range []struct {
		name, pkg, file, src string
		want                 []string
	}{
		{"query in render", "render", "x.go", "package render\nfunc f(s *snapshot.Store) { s.DB().QueryContext(nil, `SELECT 1`) }\n", []string{"calls DB()"}},
		{"database/sql in deliver", "deliver", "x.go", "package deliver\nimport \"database/sql\"\nvar _ *sql.DB\n", []string{"imports database/sql"}},
		{"driver in mcpserver", "mcpserver", "x.go", "package mcpserver\nimport _ \"github.com/mattn/go-sqlite3\"\n", []string{"imports github.com/mattn/go-sqlite3"}},
		{"store in analyze outside the engine", "analyze", "build.go", "package analyze\nfunc f(s *snapshot.Store) { s.DB() }\n", []string{"calls DB()"}},
		{"engine file", "analyze", "engine.go", "package analyze\nimport \"database/sql\"\nvar _ *sql.DB\n", nil},
		{"read side", "analyze/results", "x.go", "package results\nimport \"database/sql\"\nfunc f(s *snapshot.Store) { s.DB() }\n", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sqlViolations(tt.pkg, tt.file, []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("violations = %q, want %q", got, tt.want)
			}
		})
	}
}
