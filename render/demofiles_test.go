package render

import (
	"context"
	"os"
	"testing"

	"github.com/cucm-audit/cucm-audit/analyze"
)

// TestWriteDemoFiles writes the demo fixture's reports into $RENDER_DEMO_DIR, to look at them.
func TestWriteDemoFiles(t *testing.T) {
	dir := os.Getenv("RENDER_DEMO_DIR")
	if dir == "" {
		t.Skip("set RENDER_DEMO_DIR to write the demo fixture's reports there")
	}
	for _, rep := range []struct {
		r   *analyze.Report
		sub string
	}{{demoReport(), ""}, {changeWindowReport(), "cw"}} {
		d := dir + "/" + rep.sub
		if _, err := WriteAll(context.Background(), rep.r, AllFormats(), d, Options{}); err != nil {
			t.Fatal(err)
		}
	}
}
