package testtool

import (
	"os/exec"
	"testing"
)

// Pandas returns Python3 when it can import pandas (Debian's python3-pandas).
func Pandas(t testing.TB) string {
	t.Helper()
	if err := exec.Command(Python3, "-c", "import pandas").Run(); err != nil {
		Missing(t, Python3+" with pandas not available: install python3-pandas (scripts/test-deps.sh): "+err.Error())
	}
	return Python3
}

// Chromium returns the path of Debian's chromium, run headless by the HTML report's tests.
func Chromium(t testing.TB) string {
	t.Helper()
	return Need(t, "chromium")
}
