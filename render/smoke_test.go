package render

import (
	"context"
	"os"
	"testing"
)

func TestSmokeWrite(t *testing.T) {
	dir := os.Getenv("RENDER_SMOKE_DIR")
	if dir == "" {
		t.Skip("set RENDER_SMOKE_DIR")
	}
	m, err := WriteAll(context.Background(), demoReport(), AllFormats, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Files {
		t.Log(f.Path, f.Size)
	}
}
