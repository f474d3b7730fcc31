package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ReportSet is one report set on disk: a manifest this tool wrote and the files it lists.
type ReportSet struct {
	Manifest   string   // path of the .manifest.json
	Files      []string // paths of the files it lists, all in the manifest's folder
	ClusterID  string
	SnapshotID int64
}

// FindReportSets walks dir for the manifests this tool wrote and returns the report sets that
// keep says to select. A manifest of another tool, or one that does not parse, is left alone;
// a listed name with a path in it is never followed.
func FindReportSets(dir string, keep func(cluster string, snapshot int64) bool) ([]ReportSet, error) {
	var sets []ReportSet
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !d.Type().IsRegular() || !strings.HasSuffix(d.Name(), ".manifest.json") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var m Manifest
		if err := json.Unmarshal(data, &m); err != nil || m.Tool != "cucm-audit" || !keep(m.ClusterID, m.SnapshotID) {
			return nil
		}
		s := ReportSet{Manifest: path, ClusterID: m.ClusterID, SnapshotID: m.SnapshotID}
		for _, f := range m.Files {
			if f.Name != "" && filepath.Base(f.Name) == f.Name {
				s.Files = append(s.Files, filepath.Join(filepath.Dir(path), f.Name))
			}
		}
		sets = append(sets, s)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading report folder %s: %w", dir, err)
	}
	return sets, nil
}

// Remove deletes the set's files and then its manifest; files already gone are fine.
func (s ReportSet) Remove() error {
	for _, f := range append(s.Files, s.Manifest) {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing %s: %w", f, err)
		}
	}
	return nil
}
