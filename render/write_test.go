package render

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/analyze/results"
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
	want := []string{base + ".html", base + ".json", base + ".manifest.json", base + ".md", base + ".pdf", base + ".xlsx"}
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
	if onDisk.SnapshotID != 42 || onDisk.ToolVersion != "v0.9.0-test" || onDisk.ClusterID != "HOSP-Zürich/Main" || len(onDisk.Files) != 5 {
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
			if err := r.Render(&cw, &results.Report{}); err != nil {
				t.Fatalf("rendering an empty report: %v", err)
			}
			if cw.n == 0 {
				t.Error("nothing written")
			}
		})
	}
}

// TestWriteAllNeverReplaces: writing a report whose files already exist with other content
// (the same snapshot reported again later, e.g. after re-analysing) writes the whole set under
// -2, -3, ... and leaves every earlier file, and so every earlier manifest, verifiable; the
// same content again is kept in place and adds nothing.
func TestWriteAllNeverReplaces(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	base := "cucm-audit_HOSP-Zurich-Main_20261124-073005"
	write := func(rep *results.Report, formats Formats) Manifest {
		t.Helper()
		m, err := WriteAll(ctx, rep, formats, dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	names := func(m Manifest) []string {
		out := []string{filepath.Base(m.Path)}
		for _, f := range m.Files {
			out = append(out, filepath.Base(f.Path))
			if f.Name != filepath.Base(f.Path) {
				t.Errorf("manifest names %s for file %s", f.Name, f.Path)
			}
		}
		return out
	}
	set := func(stem string, exts ...string) []string {
		out := []string{stem + ".manifest.json"}
		for _, e := range exts {
			out = append(out, stem+"."+e)
		}
		return out
	}
	// verify checks that every file of m still has the size and SHA-256 its manifest on disk says.
	verify := func(m Manifest) {
		t.Helper()
		b, err := os.ReadFile(m.Path)
		if err != nil {
			t.Fatal(err)
		}
		var onDisk Manifest
		if err := json.Unmarshal(b, &onDisk); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != m.SHA256 || int64(len(b)) != m.Size {
			t.Errorf("%s: returned size %d sha256 %s, file has %d bytes sha256 %x", m.Path, m.Size, m.SHA256, len(b), sum)
		}
		for _, f := range onDisk.Files {
			data, err := os.ReadFile(filepath.Join(dir, f.Name))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			if hex.EncodeToString(sum[:]) != f.SHA256 || int64(len(data)) != f.Size {
				t.Errorf("%s was replaced: its manifest %s says %d bytes sha256 %s; it has %d bytes sha256 %x",
					f.Name, filepath.Base(m.Path), f.Size, f.SHA256, len(data), sum)
			}
		}
	}
	// The XLSX is left out of the first set: excelize orders its zip entries differently from
	// one run to the next, so the same report never renders to the same XLSX bytes.
	firstFormats := Formats{FormatPDF, FormatMarkdown, FormatJSON}
	first := write(demoReport(), firstFormats)
	if diff := cmp.Diff(set(base, "pdf", "md", "json"), names(first)); diff != "" {
		t.Errorf("first run (-want +got):\n%s", diff)
	}

	kept, err := os.Stat(first.Files[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	again := write(demoReport(), firstFormats) // same report, same bytes: kept in place
	if now, err := os.Stat(first.Files[0].Path); err != nil || !os.SameFile(kept, now) {
		t.Errorf("an identical file was written again instead of kept (%v)", err)
	}
	if diff := cmp.Diff(names(first), names(again)); diff != "" {
		t.Errorf("same report again (-want +got):\n%s", diff)
	}

	later := demoReport()
	later.GeneratedAt = later.GeneratedAt.Add(time.Hour) // reported again an hour later: other bytes
	second := write(later, AllFormats())
	if diff := cmp.Diff(set(base+"-2", "pdf", "xlsx", "md", "json", "html"), names(second)); diff != "" {
		t.Errorf("changed report (-want +got):\n%s", diff)
	}
	later.GeneratedAt = later.GeneratedAt.Add(time.Hour)
	third := write(later, Formats{FormatJSON})
	if diff := cmp.Diff(set(base+"-3", "json"), names(third)); diff != "" {
		t.Errorf("third report (-want +got):\n%s", diff)
	}
	// Same JSON as the first run but a manifest listing one file: the first manifest is not
	// replaced either, and -2 and -3 hold other JSON, so the set goes to -4.
	fourth := write(demoReport(), Formats{FormatJSON})
	if diff := cmp.Diff(set(base+"-4", "json"), names(fourth)); diff != "" {
		t.Errorf("subset of the first report (-want +got):\n%s", diff)
	}
	// Something that is not a report file where one would go is never replaced.
	if err := os.Mkdir(filepath.Join(dir, base+"-5.md"), 0o755); err != nil {
		t.Fatal(err)
	}
	later.GeneratedAt = later.GeneratedAt.Add(time.Hour)
	sixth := write(later, Formats{FormatMarkdown})
	if diff := cmp.Diff(set(base+"-6", "md"), names(sixth)); diff != "" {
		t.Errorf("past a folder (-want +got):\n%s", diff)
	}
	for _, m := range []Manifest{first, second, third, fourth, sixth} {
		verify(m)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	want := append(append(append(append(append(set(base, "pdf", "md", "json"), set(base+"-2", "pdf", "xlsx", "md", "json", "html")...),
		set(base+"-3", "json")...), set(base+"-4", "json")...), base+"-5.md"), set(base+"-6", "md")...)
	sort.Strings(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("folder (-want +got; no temporary file may remain):\n%s", diff)
	}
}

// TestSameReportSameBytes: the PDF, the Markdown and the JSON of one report are the same bytes
// every time (fpdf sorts its resource catalogs), so WriteAll keeps them in place when the same
// report is written again. The XLSX is not: excelize orders its zip entries differently.
func TestSameReportSameBytes(t *testing.T) {
	for _, f := range []Format{FormatPDF, FormatMarkdown, FormatJSON} {
		t.Run(string(f), func(t *testing.T) {
			r, err := New(f, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var first []byte
			for i := 0; i < 5; i++ {
				var buf bytes.Buffer
				if err := r.Render(&buf, demoReport()); err != nil {
					t.Fatal(err)
				}
				if i == 0 {
					first = buf.Bytes()
				} else if !bytes.Equal(first, buf.Bytes()) {
					t.Fatalf("render %d differs from the first", i+1)
				}
			}
		})
	}
}

// TestWriteAllRemovesLitter: the temporary files a killed report left behind (named as
// writeTemp names them, untouched for longer than the grace period) are removed by the next
// WriteAll into the folder; a fresh one (another run still writing) and the user's own files,
// however named, stay.
func TestWriteAllRemovesLitter(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-time.Hour)
	write := func(name string, age time.Time) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("half a report"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, age, age); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// As a killed run leaves them: the real temporary names of a report and its manifest.
	litter := []string{
		write(".cucm-audit_HOSP-Zurich-Main_20261124-073005.pdf.1234567890.tmp", old),
		write(".cucm-audit_other-cluster_20260101-000000.manifest.json.42.tmp", old),
	}
	keep := []string{
		write(".cucm-audit_HOSP-Zurich-Main_20261124-073005.xlsx.987654321.tmp", time.Now()), // being written
		write("notes.tmp", old),
		write(".cucm-audit_mine.tmp", old),
		write(".cucm-audit_x.pdf.12ab.tmp", old),
		write("cucm-audit_x.pdf.123.tmp", old),
	}
	target := write("target", old)
	link := filepath.Join(dir, ".cucm-audit_link.pdf.77.tmp")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	keep = append(keep, link, target)
	if _, err := WriteAll(context.Background(), demoReport(), Formats{FormatMarkdown}, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range litter {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s is still there (%v)", filepath.Base(p), err)
		}
	}
	for _, p := range keep {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s was removed: %v", filepath.Base(p), err)
		}
	}
}
