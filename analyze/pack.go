package analyze

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Pack is a named set of rules, declared by the `pack:` block of its files (rules/README.md):
// the unit `--pack` selects, `rules list` groups by and, for compliance packs, the report's
// Compliance section counts. Several files may add rules to one pack.
type Pack struct {
	Name  string // lower case word, e.g. "emergency"
	Title string // what the reader sees, e.g. "Emergency calling"; the name when not given
	// Compliance marks the packs the report's Compliance section covers (emergency, toll
	// fraud, access, licensing, dial-plan hygiene, lifecycle among the built-ins).
	Compliance bool
	File       string // the file that declared it first
	Line       int    // line of its pack: key there (0 when the name came from the file name)
}

// packFileMeta is the YAML shape of a pack file's `pack:` block.
type packFileMeta struct {
	Name       string `yaml:"name"`
	Title      string `yaml:"title"`
	Compliance *bool  `yaml:"compliance"`
}

var (
	packNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	packNameUnsafe  = regexp.MustCompile(`[^a-z0-9-]+`)
)

// packFromFileName is the pack of a file that declares none: its base name, lower case, with
// runs of other characters as "-" ("Site Rules.yaml" -> "site-rules").
func packFromFileName(file string) string {
	n := strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(path.Base(file), ".yaml"), ".yml"))
	n = strings.Trim(packNameUnsafe.ReplaceAllString(n, "-"), "-")
	if n == "" || !packNamePattern.MatchString(n) {
		n = "pack-" + n
	}
	return n
}

// addPack checks the pack: block of one file (doc is its root mapping) against the packs
// already declared and returns the pack's name, recording a new pack in s.Packs.
func (s *RuleSet) addPack(pe *packErrors, file string, doc *yaml.Node, meta *packFileMeta) string {
	key, _ := mapValue(doc, "pack")
	if key == nil || meta == nil {
		name := packFromFileName(file)
		if s.Pack(name) == nil {
			s.Packs = append(s.Packs, &Pack{Name: name, Title: name, File: file})
		}
		return name
	}
	line := key.Line
	if !packNamePattern.MatchString(meta.Name) {
		pe.add(line, "", "pack name %q: want a lower case word of letters, digits and - (e.g. emergency)", meta.Name)
		return ""
	}
	p := s.Pack(meta.Name)
	if p == nil {
		p = &Pack{Name: meta.Name, Title: strings.TrimSpace(meta.Title), File: file, Line: line}
		if p.Title == "" {
			p.Title = p.Name
		}
		if meta.Compliance != nil {
			p.Compliance = *meta.Compliance
		}
		s.Packs = append(s.Packs, p)
		return p.Name
	}
	// A second file adds rules to the pack: it may repeat the pack's title and compliance, not
	// contradict them.
	if t := strings.TrimSpace(meta.Title); t != "" && t != p.Title {
		pe.add(line, "", "pack %s: title %q, but %s declares it %q (leave title out to add rules to the pack)", p.Name, t, packAt(p), p.Title)
	}
	if meta.Compliance != nil && *meta.Compliance != p.Compliance {
		pe.add(line, "", "pack %s: compliance %t, but %s declares it %t (leave compliance out to add rules to the pack)", p.Name, *meta.Compliance, packAt(p), p.Compliance)
	}
	return p.Name
}

func packAt(p *Pack) string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return p.File
}

// Pack returns the pack named name, or nil.
func (s *RuleSet) Pack(name string) *Pack {
	for _, p := range s.Packs {
		if strings.EqualFold(p.Name, name) {
			return p
		}
	}
	return nil
}

// PackNames lists the names of the packs in load order.
func (s *RuleSet) PackNames() []string {
	out := make([]string, 0, len(s.Packs))
	for _, p := range s.Packs {
		out = append(out, p.Name)
	}
	return out
}

// PackRules returns the rules of one pack, in load order.
func (s *RuleSet) PackRules(name string) []*Rule {
	var out []*Rule
	for _, r := range s.Rules {
		if strings.EqualFold(r.Pack, name) {
			out = append(out, r)
		}
	}
	return out
}

// CheckPacks fails when a name is not a pack of the set, with one line listing the packs.
func (s *RuleSet) CheckPacks(names []string) error {
	for _, n := range names {
		if s.Pack(n) == nil {
			return fmt.Errorf("unknown pack %q: want one of %s", n, strings.Join(s.PackNames(), ", "))
		}
	}
	return nil
}

// InPacks returns the rule set narrowed to the rules of the named packs (all of them when names
// is empty); an unknown name is an error (CheckPacks).
func (s *RuleSet) InPacks(names []string) (*RuleSet, error) {
	if len(names) == 0 {
		return s, nil
	}
	if err := s.CheckPacks(names); err != nil {
		return nil, err
	}
	out := &RuleSet{Files: s.Files}
	for _, p := range s.Packs {
		for _, n := range names {
			if strings.EqualFold(p.Name, n) {
				out.Packs = append(out.Packs, p)
				break
			}
		}
	}
	for _, r := range s.Rules {
		if out.Pack(r.Pack) != nil {
			out.Rules = append(out.Rules, r)
		}
	}
	return out, nil
}

// BuiltinPacks lists the packs embedded in the binary: what `--pack` accepts.
func BuiltinPacks() ([]*Pack, error) {
	set, err := LoadRules()
	if err != nil {
		return nil, err
	}
	return set.Packs, nil
}
