package analyze

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cucm-audit/cucm-audit/rules"
)

// LoadRules loads the built-in packs and then every pack of each folder in dirs, strictly: any
// problem in any file fails the whole load with the file, line and rule id. Queries are checked
// against the views by Check (and again by Run), not here.
func LoadRules(dirs ...string) (*RuleSet, error) {
	set := &RuleSet{}
	if err := set.addFS(rules.Packs(), "rules"); err != nil {
		return nil, err
	}
	for _, r := range set.Rules {
		r.builtin = true
	}
	for _, dir := range dirs {
		st, err := os.Stat(dir)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("rules folder %s does not exist (--rules takes a folder of *.yaml rule packs)", dir)
		case err != nil:
			return nil, fmt.Errorf("reading rules folder %s: %w", dir, err)
		case !st.IsDir():
			return nil, fmt.Errorf("rules folder %s is not a folder (--rules takes a folder of *.yaml rule packs)", dir)
		}
		before := len(set.Files)
		if err := set.addFS(os.DirFS(dir), filepath.Clean(dir)); err != nil {
			return nil, err
		}
		if len(set.Files) == before {
			// A typo'd or wrong folder must not silently load nothing.
			return nil, fmt.Errorf("rules folder %s holds no rule packs (*.yaml or *.yml files; %s is data, not a pack): check the path", dir, rules.EOLFile)
		}
	}
	return set, nil
}

// ParsePack parses one pack and returns its rules, checked on their own (not against other packs
// nor the database). file names the pack in error messages.
func ParsePack(file string, data []byte) ([]*Rule, error) {
	set := &RuleSet{}
	if err := set.add(file, data); err != nil {
		return nil, err
	}
	return set.Rules, nil
}

// addFS adds every *.yaml / *.yml pack at the top of fsys, in name order; shown is the folder
// name used in error messages.
func (s *RuleSet) addFS(fsys fs.FS, shown string) error {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return fmt.Errorf("reading rules folder %s: %w", shown, err)
	}
	names := []string{}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || n == rules.EOLFile || !(strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml")) {
			continue
		}
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return fmt.Errorf("reading rule pack %s: %w", path.Join(shown, n), err)
		}
		if err := s.add(path.Join(filepath.ToSlash(shown), n), data); err != nil {
			return err
		}
	}
	return nil
}
