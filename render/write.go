package render

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cucm-audit/cucm-audit/analyze"
)

// ManifestSchemaVersion is the version of the manifest JSON contract.
const ManifestSchemaVersion = 1

// Manifest records what one WriteAll call produced, so a file e-mailed or archived can be
// verified later with `sha256sum`.
type Manifest struct {
	SchemaVersion     int            `json:"schema_version"`
	Tool              string         `json:"tool"`
	ToolVersion       string         `json:"tool_version"`
	ClusterID         string         `json:"cluster_id"`
	SnapshotID        int64          `json:"snapshot_id"`
	SnapshotStartedAt time.Time      `json:"snapshot_started_at"`
	ReportGeneratedAt time.Time      `json:"report_generated_at"`
	Files             []ManifestFile `json:"files"`
	// Path is where the manifest itself was written (not part of the JSON).
	Path string `json:"-"`
}

// ManifestFile is one written report file.
type ManifestFile struct {
	Name   string `json:"name"` // base name, in the manifest's folder
	Format Format `json:"format"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// Path is the file's full path (not part of the JSON).
	Path string `json:"-"`
}

// BaseName is the file name stem of a report: cucm-audit_<cluster>_<YYYYMMDD-HHMMSS> with the
// snapshot's start time in UTC and the cluster id reduced to characters safe in any file system.
// A change-window report adds _change-<before>-<after> (snapshot ids), so it never replaces the
// audit report of the same snapshot.
func BaseName(rep *analyze.Report) string {
	base := "cucm-audit_" + SafeName(rep.Snapshot.ClusterID) + "_" + rep.Snapshot.StartedAt.UTC().Format("20060102-150405")
	if rep.Kind == kindChangeWindow && rep.Diff != nil {
		base += fmt.Sprintf("_change-%d-%d", rep.Diff.Before.ID, rep.Diff.After.ID)
	}
	return base
}

// SafeName reduces s to ASCII letters, digits, '.', '_' and '-' (other runs become one '-'),
// at most 64 bytes, never starting with '.' or '-'; "cluster" when nothing is left.
func SafeName(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		if t, ok := foldLatin(r); ok {
			b.WriteString(t)
			dash = false
			continue
		}
		ok := r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-')
		if ok {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 64 {
			break
		}
	}
	out := strings.Trim(b.String(), ".-")
	if out == "" {
		return "cluster"
	}
	return out
}

// foldLatin spells common accented Latin letters in ASCII for file names ("Zürich" → "Zurich").
func foldLatin(r rune) (string, bool) {
	for _, g := range [...]struct{ from, to string }{
		{"àáâãäå", "a"}, {"ÀÁÂÃÄÅ", "A"}, {"ç", "c"}, {"Ç", "C"}, {"èéêë", "e"}, {"ÈÉÊË", "E"},
		{"ìíîï", "i"}, {"ÌÍÎÏ", "I"}, {"ñ", "n"}, {"Ñ", "N"}, {"òóôõöø", "o"}, {"ÒÓÔÕÖØ", "O"},
		{"ùúûü", "u"}, {"ÙÚÛÜ", "U"}, {"ýÿ", "y"}, {"Ý", "Y"}, {"ß", "ss"},
	} {
		if strings.ContainsRune(g.from, r) {
			return g.to, true
		}
	}
	return "", false
}

// WriteAll renders rep in every format into outDir (created when missing) and writes the
// manifest beside them as <base>.manifest.json. Every file is written to a temporary file in
// outDir and renamed into place, so a reader never sees half a file; files are mode 0644.
// On error, files already renamed stay (they are complete) and the manifest is not written.
func WriteAll(ctx context.Context, rep *analyze.Report, formats Formats, outDir string, opts Options) (Manifest, error) {
	if rep == nil {
		return Manifest{}, errors.New("writing reports: no report")
	}
	if len(formats) == 0 {
		return Manifest{}, errors.New("writing reports: no format given")
	}
	// The renderers say "in the XLSX" only when this run writes one.
	opts.Formats = formats
	// Every renderer is made first, so a broken template fails before any file is written.
	renderers := make([]Renderer, len(formats))
	for i, f := range formats {
		r, err := New(f, opts)
		if err != nil {
			return Manifest{}, err
		}
		renderers[i] = r
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return Manifest{}, fmt.Errorf("creating report folder: %w", err)
	}
	base := BaseName(rep)
	m := Manifest{
		SchemaVersion:     ManifestSchemaVersion,
		Tool:              "cucm-audit",
		ToolVersion:       rep.ToolVersion,
		ClusterID:         rep.Snapshot.ClusterID,
		SnapshotID:        rep.Snapshot.ID,
		SnapshotStartedAt: rep.Snapshot.StartedAt,
		ReportGeneratedAt: rep.GeneratedAt,
	}
	for i, f := range formats {
		if err := ctx.Err(); err != nil {
			return Manifest{}, fmt.Errorf("writing reports: %w", err)
		}
		r := renderers[i]
		path := filepath.Join(outDir, base+"."+f.Ext())
		size, sum, err := writeAtomic(path, func(w io.Writer) error { return r.Render(w, rep) })
		if err != nil {
			return Manifest{}, fmt.Errorf("writing %s report %s: %w", f, path, err)
		}
		m.Files = append(m.Files, ManifestFile{Name: filepath.Base(path), Format: f, Size: size, SHA256: sum, Path: path})
	}
	m.Path = filepath.Join(outDir, base+".manifest.json")
	if _, _, err := writeAtomic(m.Path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(&m)
	}); err != nil {
		return Manifest{}, fmt.Errorf("writing manifest %s: %w", m.Path, err)
	}
	return m, nil
}

// writeAtomic writes path through a temporary file in the same folder, fsyncs it, sets mode
// 0644 and renames it into place. It returns the size and the hex SHA-256 of what was written.
func writeAtomic(path string, write func(io.Writer) error) (size int64, sum string, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, "", err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(tmp, h)}
	bw := bufio.NewWriterSize(cw, 256<<10)
	if err = write(bw); err != nil {
		return 0, "", err
	}
	if err = bw.Flush(); err != nil {
		return 0, "", err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return 0, "", err
	}
	if err = tmp.Sync(); err != nil {
		return 0, "", err
	}
	if err = tmp.Close(); err != nil {
		return 0, "", err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return 0, "", err
	}
	return cw.n, hex.EncodeToString(h.Sum(nil)), nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
