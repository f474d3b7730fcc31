package analyze

import (
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/cucm-audit/cucm-audit/internal/yamlfile"
)

// The YAML shapes. Every field is a plain type so the strict decoder reports type errors with a
// line; meaning is checked afterwards with the line of the offending key.
type packFile struct {
	Schema      int           `yaml:"schema"`
	Pack        *packFileMeta `yaml:"pack"`
	Description string        `yaml:"description"`
	Rules       []ruleFile    `yaml:"rules"`
}

type ruleFile struct {
	ID          string               `yaml:"id"`
	Title       string               `yaml:"title"`
	Severity    string               `yaml:"severity"`
	Category    string               `yaml:"category"`
	Description string               `yaml:"description"`
	Rationale   string               `yaml:"rationale"`
	Remediation string               `yaml:"remediation"`
	References  []string             `yaml:"references"`
	Controls    []string             `yaml:"controls"`
	Requires    []string             `yaml:"requires"`
	Params      map[string]paramFile `yaml:"params"`
	Query       string               `yaml:"query"`
	Message     string               `yaml:"message"`
	GroupBy     []string             `yaml:"group_by"`
}

type paramFile struct {
	Type        string    `yaml:"type"`
	Default     yaml.Node `yaml:"default"`
	Description string    `yaml:"description"`
}

// packErrors gathers located errors of one file.
type packErrors struct {
	file string
	errs []error
}

func (p *packErrors) add(line int, rule, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	loc := p.file
	if line > 0 {
		loc = fmt.Sprintf("%s:%d", p.file, line)
	}
	if rule != "" {
		p.errs = append(p.errs, fmt.Errorf("%s: rule %s: %s", loc, rule, msg))
		return
	}
	p.errs = append(p.errs, fmt.Errorf("%s: %s", loc, msg))
}

func (p *packErrors) err() error { return errors.Join(p.errs...) }

// ruleNode locates one rule in the YAML tree, for lines and names in errors.
type ruleNode struct {
	node *yaml.Node
	name string // id, or "#N" when the id is missing
}

func (rn ruleNode) keyLine(key string) int {
	if k, _ := mapValue(rn.node, key); k != nil {
		return k.Line
	}
	return rn.node.Line
}

func mapValue(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

func (s *RuleSet) add(file string, data []byte) error {
	pe := &packErrors{file: file}
	var pf packFile
	root, decodeErr := yamlfile.Decode(file, data, &pf)
	if root == nil {
		return yamlErrors(pe, decodeErr, nil)
	}
	if len(root.Content) == 0 {
		pe.add(0, "", "empty rule pack (want schema: 1 and rules:)")
		return pe.err()
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		pe.add(doc.Line, "", "a rule pack is a mapping with schema: 1 and rules:")
		return pe.err()
	}
	var nodes []ruleNode
	if _, rs := mapValue(doc, "rules"); rs != nil && rs.Kind == yaml.SequenceNode {
		for i, r := range rs.Content {
			name := fmt.Sprintf("#%d", i+1)
			if _, id := mapValue(r, "id"); id != nil && id.Kind == yaml.ScalarNode && id.Value != "" {
				name = id.Value
			}
			nodes = append(nodes, ruleNode{node: r, name: name})
		}
	}
	ruleAt := func(line int) string {
		name := ""
		for _, rn := range nodes {
			if rn.node.Line <= line {
				name = rn.name
			}
		}
		return name
	}

	if decodeErr != nil {
		return yamlErrors(pe, decodeErr, ruleAt)
	}

	schemaKey, _ := mapValue(doc, "schema")
	switch {
	case schemaKey == nil:
		pe.add(doc.Line, "", "missing schema: 1 at the top of the pack")
	case pf.Schema != RulePackSchema:
		pe.add(schemaKey.Line, "", "schema %d is not supported (this cucm-audit reads schema: %d)", pf.Schema, RulePackSchema)
	}
	if len(pf.Rules) == 0 {
		pe.add(doc.Line, "", "no rules (a pack needs a rules: list)")
	}
	if len(nodes) != len(pf.Rules) {
		// A merge key (<<) or alias hid the list from the node walk: lines could not be named.
		pe.add(doc.Line, "", "write the rules: list itself in the pack (YAML merge keys and aliases are not supported there)")
	}
	if len(pe.errs) > 0 {
		return pe.err()
	}
	pack := s.addPack(pe, file, doc, pf.Pack)
	for i, rf := range pf.Rules {
		rn := nodes[i]
		if r := buildRule(pe, file, rn, rf); r != nil {
			r.Pack = pack
			if prev := s.Get(r.ID); prev != nil {
				if prev.builtin {
					// The embedded packs are named rules/*.yaml like the source folder: say which
					// one is meant, or a copy of that folder reads as a duplicate of itself.
					pe.add(rn.keyLine("id"), r.ID, "duplicate id: %s is a built-in rule (%s:%d, embedded in cucm-audit); a pack adds rules to the built-ins and cannot redefine one: give this rule an id of its own, and change a built-in rule through its params", r.ID, prev.File, prev.Line)
				} else {
					pe.add(rn.keyLine("id"), r.ID, "duplicate id (first defined at %s:%d); ids are never reused", prev.File, prev.Line)
				}
				continue
			}
			s.Rules = append(s.Rules, r)
		}
	}
	if len(pe.errs) > 0 {
		return pe.err()
	}
	s.Files = append(s.Files, file)
	return nil
}
