package render

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/analyze"
)

func TestSafeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"HOSP-Zürich/Main", "HOSP-Zurich-Main"},
		{"cucm.example.org", "cucm.example.org"},
		{"../../etc/passwd", "etc-passwd"},
		{"Ελλάδα", "cluster"},
		{"a b\tc", "a-b-c"},
		{"", "cluster"},
		{".hidden", "hidden"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := SafeName(tt.in); got != tt.want {
				t.Errorf("SafeName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestWriteAll(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reports")
	rep := demoReport()
	m, err := WriteAll(context.Background(), rep, AllFormats(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	base := "cucm-audit_HOSP-Zurich-Main_20261124-073005"
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o644 {
			t.Errorf("%s has mode %v, want 0644", e.Name(), info.Mode().Perm())
		}
	}
	sort.Strings(names)
	want := []string{base + ".json", base + ".manifest.json", base + ".md", base + ".pdf", base + ".xlsx"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("files written (-want +got; no temporary file may remain):\n%s", diff)
	}
	if m.Path != filepath.Join(dir, base+".manifest.json") {
		t.Errorf("manifest path %s", m.Path)
	}
	// The manifest on disk verifies every file.
	b, err := os.ReadFile(m.Path)
	if err != nil {
		t.Fatal(err)
	}
	var onDisk Manifest
	if err := json.Unmarshal(b, &onDisk); err != nil {
		t.Fatal(err)
	}
	if onDisk.SnapshotID != 42 || onDisk.ToolVersion != "v0.9.0-test" || onDisk.ClusterID != "HOSP-Zürich/Main" || len(onDisk.Files) != 4 {
		t.Errorf("manifest = %+v", onDisk)
	}
	for _, f := range onDisk.Files {
		data, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != f.SHA256 || int64(len(data)) != f.Size {
			t.Errorf("%s: manifest says %d bytes sha256 %s; file has %d bytes sha256 %x", f.Name, f.Size, f.SHA256, len(data), sum)
		}
	}
}

func TestBaseName(t *testing.T) {
	if got, want := BaseName(demoReport()), "cucm-audit_HOSP-Zurich-Main_20261124-073005"; got != want {
		t.Errorf("audit: %q, want %q", got, want)
	}
	if got, want := BaseName(changeWindowReport()), "cucm-audit_HOSP-Zurich-Main_20261124-073005_change-41-42"; got != want {
		t.Errorf("change window: %q, want %q", got, want)
	}
}

func TestWriteAllCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	if _, err := WriteAll(ctx, demoReport(), AllFormats(), dir, Options{}); err == nil {
		t.Fatal("WriteAll with a cancelled context succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("cancelled WriteAll left %d files", len(entries))
	}
}

func TestWriteAllBadTemplatesLeavesNoHalfFile(t *testing.T) {
	tmpl := t.TempDir()
	for name, tmplText := range map[string]string{
		"fails while rendering": `{{template "nope" .}}`,
		"fails while parsing":   `{{if}}`,
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(filepath.Join(tmpl, "report.md.tmpl"), []byte(tmplText), 0o644); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			formats := Formats{FormatMarkdown}
			if name == "fails while parsing" {
				formats = Formats{FormatJSON, FormatMarkdown} // nothing written, not even the JSON
			}
			_, err := WriteAll(context.Background(), demoReport(), formats, dir, Options{TemplatesDir: tmpl})
			if err == nil {
				t.Fatal("a broken template rendered")
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 0 {
				t.Errorf("failed render left files: %v", entries)
			}
		})
	}
}

// TestEmptyReport renders a report with nothing in it: every format must still be whole.
func TestEmptyReport(t *testing.T) {
	for _, f := range AllFormats() {
		t.Run(string(f), func(t *testing.T) {
			r, err := New(f, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var cw countWriter
			cw.w = discard{}
			if err := r.Render(&cw, &analyze.Report{}); err != nil {
				t.Fatalf("rendering an empty report: %v", err)
			}
			if cw.n == 0 {
				t.Error("nothing written")
			}
		})
	}
}
