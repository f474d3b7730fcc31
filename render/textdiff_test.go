package render

import (
	"strings"
	"testing"
)

func TestWriteDiffListLimit(t *testing.T) {
	var b strings.Builder
	line := func(s string) []string { return []string{"  " + s + "\tx\n"} }
	writeDiffList(&b, "What broke", []string{"a", "b", "c", "d"}, 2, " (--limit 0 or --format json for all)", line)
	writeDiffList(&b, "Devices added", []string{"e"}, 2, "", line)
	writeDiffList(&b, "Devices removed", nil, 2, "", line)
	want := "\nWhat broke (4):\n  a  x\n  b  x\n  ... and 2 more (--limit 0 or --format json for all)\n\nDevices added (1):\n  e  x\n"
	if got := b.String(); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
