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
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/cucm-audit/cucm-audit/analyze/results"
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
	// Path is where the manifest itself was written; Size and SHA256 are the manifest file's
	// own (none of the three is part of the JSON).
	Path   string `json:"-"`
	Size   int64  `json:"-"`
	SHA256 string `json:"-"`
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
func BaseName(rep *results.Report) string {
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
// manifest beside them as <base>.manifest.json. Every file is rendered to a temporary file in
// outDir first, so a reader never sees half a file and a failed render leaves nothing behind;
// files are mode 0644.
//
// A report file is never silently replaced by a different one, so a file e-mailed or archived
// earlier stays verifiable against its manifest: when a file of the set (the manifest included)
// already exists with other content, the whole set is written as <base>-2.<ext> (then -3, ...)
// instead. A file that exists with the same content is kept as it is, so writing the same
// report again in PDF, Markdown or JSON writes nothing new (an XLSX is never the same bytes
// twice: excelize orders its zip entries differently, so a set with one goes to a new version).
// The returned Manifest has the real paths.
func WriteAll(ctx context.Context, rep *results.Report, formats Formats, outDir string, opts Options) (Manifest, error) {
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
	removeStaleTemps(outDir, time.Now())
	base := BaseName(rep)
	var temps []*tempFile
	defer func() {
		for _, t := range temps {
			os.Remove(t.path)
		}
	}()
	for i, f := range formats {
		if err := ctx.Err(); err != nil {
			return Manifest{}, fmt.Errorf("writing reports: %w", err)
		}
		r := renderers[i]
		path := filepath.Join(outDir, base+"."+f.Ext())
		t, err := writeTemp(path, func(w io.Writer) error { return r.Render(w, rep) })
		if err != nil {
			return Manifest{}, fmt.Errorf("writing %s report %s: %w", f, path, err)
		}
		temps = append(temps, t)
	}
	for n := 1; n <= maxVersions; n++ {
		name := base
		if n > 1 {
			name = fmt.Sprintf("%s-%d", base, n)
		}
		m := Manifest{
			SchemaVersion:     ManifestSchemaVersion,
			Tool:              "cucm-audit",
			ToolVersion:       rep.ToolVersion,
			ClusterID:         rep.Snapshot.ClusterID,
			SnapshotID:        rep.Snapshot.ID,
			SnapshotStartedAt: rep.Snapshot.StartedAt,
			ReportGeneratedAt: rep.GeneratedAt,
			Path:              filepath.Join(outDir, name+".manifest.json"),
		}
		set := make([]placement, 0, len(formats)+1)
		for i, f := range formats {
			path := filepath.Join(outDir, name+"."+f.Ext())
			m.Files = append(m.Files, ManifestFile{Name: filepath.Base(path), Format: f, Size: temps[i].size, SHA256: temps[i].sum, Path: path})
			set = append(set, placement{tmp: temps[i], path: path})
		}
		mt, err := writeTemp(m.Path, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(&m)
		})
		if err != nil {
			return Manifest{}, fmt.Errorf("writing manifest %s: %w", m.Path, err)
		}
		temps = append(temps, mt)
		m.Size, m.SHA256 = mt.size, mt.sum
		set = append(set, placement{tmp: mt, path: m.Path})
		placed, err := placeSet(set)
		if err != nil {
			return Manifest{}, fmt.Errorf("writing reports into %s: %w", outDir, err)
		}
		if placed {
			return m, nil
		}
	}
	return Manifest{}, fmt.Errorf("writing reports into %s: %s.* and %d later versions (-2 ... -%d) already exist with other content: move or delete old reports, or pick another --out folder",
		outDir, base, maxVersions-1, maxVersions)
}

// maxVersions bounds the -N versions WriteAll tries before it gives up.
const maxVersions = 999

// tempFile is a file rendered next to its target, not yet in place.
type tempFile struct {
	path string
	size int64
	sum  string // hex SHA-256
}

// placement is one file of a set: its rendered temporary file and where it goes.
type placement struct {
	tmp  *tempFile
	path string
}

// placeSet puts every file of a set in place, or none: when a target exists with other content
// it reports false and leaves the folder as it found it. A target with the same content is kept
// as it is. New files are hard links to their temporary file, made only when nothing is there
// (no existing file is ever replaced, even one another process wrote meanwhile).
func placeSet(set []placement) (bool, error) {
	fresh := make([]bool, len(set))
	for i, p := range set {
		same, exists, err := sameContent(p.path, p.tmp)
		if err != nil {
			return false, err
		}
		if exists && !same {
			return false, nil
		}
		fresh[i] = !exists
	}
	var created []string
	undo := func() {
		for _, c := range created {
			os.Remove(c)
		}
	}
	for i, p := range set {
		if !fresh[i] {
			continue
		}
		err := linkOrCopy(p.tmp.path, p.path)
		if errors.Is(err, fs.ErrExist) {
			// Written by someone else since the check: keep it when it is the same.
			same, _, serr := sameContent(p.path, p.tmp)
			if serr != nil {
				undo()
				return false, serr
			}
			if same {
				continue
			}
			undo()
			return false, nil
		}
		if err != nil {
			undo()
			return false, err
		}
		created = append(created, p.path)
	}
	return true, nil
}

// sameContent reports whether path exists and holds exactly what t holds (size and SHA-256).
// Anything but a regular file there counts as different.
func sameContent(path string, t *tempFile) (same, exists bool, err error) {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	if !st.Mode().IsRegular() || st.Size() != t.size {
		return false, true, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return false, true, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false, true, fmt.Errorf("reading %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)) == t.sum, true, nil
}

// linkOrCopy makes dst a hard link to src, failing with fs.ErrExist when dst exists. On a file
// system without hard links it copies src into a dst created exclusively (O_EXCL) instead.
func linkOrCopy(src, dst string) error {
	err := os.Link(src, dst)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err = io.Copy(out, in); err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
	}
	return err
}

// staleTempAge is how long a temporary report file may sit untouched before the next WriteAll
// into its folder takes it for the leftover of a killed run: a file still being rendered is
// written to all the time, and one rendered is placed within moments.
const staleTempAge = 10 * time.Minute

// tempName matches the names writeTemp gives: "." + a report's file name (every report's
// base name starts with cucm-audit_) + "." + os.CreateTemp's random digits + ".tmp".
var tempName = regexp.MustCompile(`^\.cucm-audit_[A-Za-z0-9._-]+\.[0-9]+\.tmp$`)

// removeStaleTemps removes, best effort, the temporary files a killed WriteAll left in dir:
// regular files named as writeTemp names them and not modified for staleTempAge. Nothing else
// is touched: not a user's file, not a link, not a temporary file another run is writing.
func removeStaleTemps(dir string, now time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !tempName.MatchString(e.Name()) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		st, err := os.Lstat(path)
		if err != nil || !st.Mode().IsRegular() || now.Sub(st.ModTime()) < staleTempAge {
			continue
		}
		os.Remove(path)
	}
}

// writeTemp writes a temporary file beside path (a hidden name in the same folder), fsynced and
// mode 0644, and returns it with its size and hex SHA-256. The caller removes it; a file a
// killed run left behind is removed by a later WriteAll (removeStaleTemps).
func writeTemp(path string, write func(io.Writer) error) (t *tempFile, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
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
		return nil, err
	}
	if err = bw.Flush(); err != nil {
		return nil, err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return nil, err
	}
	if err = tmp.Sync(); err != nil {
		return nil, err
	}
	if err = tmp.Close(); err != nil {
		return nil, err
	}
	return &tempFile{path: tmp.Name(), size: cw.n, sum: hex.EncodeToString(h.Sum(nil))}, nil
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
