// Package rules holds the built-in audit rule packs and the end-of-life phone model data, both
// embedded in the binary. The format of both files is documented in README.md beside them; the
// analyze package loads and evaluates them.
package rules

import (
	"embed"
	"io/fs"
)

//go:embed *.yaml
var files embed.FS

// EOLFile is the name of the end-of-life model data file. In a rules folder (built-in or given
// with --rules) a file of this name is data, not a rule pack.
const EOLFile = "eol-models.yaml"

// Packs returns the built-in rule packs (every *.yaml except EOLFile) as a read-only file system.
func Packs() fs.FS { return files }

// EOLModels returns the built-in end-of-life model data (the content of eol-models.yaml).
func EOLModels() []byte {
	b, err := files.ReadFile(EOLFile)
	if err != nil {
		// The file is embedded at build time: a missing file is a build defect.
		panic("rules: embedded " + EOLFile + " missing: " + err.Error())
	}
	return b
}
