// Package testtool is shared test support: Sim serves a simulated CUCM on loopback, and Need
// finds the third-party tools some tests read the program's output with
// (pdftotext, qpdf, cmark-gfm, /usr/bin/python3 with openpyxl, node, npm). A missing tool fails
// the test under CI=true, where scripts/test-deps.sh has installed everything, and skips it
// elsewhere. Only tests import it.
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// Python3 is the interpreter the XLSX tests run openpyxl with: Debian's, not a virtualenv's.
const Python3 = "/usr/bin/python3"

// installHint says where each known tool comes from.
func installHint(name string) string {
	switch name {
	case "pdftotext", "pdfinfo", "pdffonts", "pdftoppm":
		return "the poppler-utils package"
	case "node", "npm", "npx":
		return "Node.js 20+ and npm"
	}
	return "the " + name + " package"
}

// Need returns the path of the executable name, looked up on PATH.
func Need(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name+" not found on PATH: install "+installHint(name)+" (scripts/test-deps.sh): "+err.Error())
	}
	return p
}

// Openpyxl returns Python3 when it can import openpyxl.
func Openpyxl(t testing.TB) string {
	t.Helper()
	if err := exec.Command(Python3, "-c", "import openpyxl").Run(); err != nil {
		Missing(t, Python3+" with openpyxl not available: install python3-openpyxl (scripts/test-deps.sh): "+err.Error())
	}
	return Python3
}

// Missing reports a missing tool: t.Fatal under CI=true, t.Skip otherwise.
func Missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (required under CI=true)")
		return
	}
	t.Skip(msg)
}
