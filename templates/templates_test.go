package templates

import (
	"io/fs"
	"testing"
)

func TestEntryEmbedded(t *testing.T) {
	b, err := fs.ReadFile(FS(), Entry)
	if err != nil {
		t.Fatalf("embedded templates lack %s: %v", Entry, err)
	}
	if len(b) == 0 {
		t.Fatalf("%s is empty", Entry)
	}
}
