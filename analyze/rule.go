package analyze

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"go.yaml.in/yaml/v3"

	"github.com/cucm-audit/cucm-audit/internal/yamlfile"
	"github.com/cucm-audit/cucm-audit/rules"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// RulePackSchema is the only rule pack schema this build reads (`schema: 1` in every pack).
const RulePackSchema = 1

// Rule is one audit rule: text for the reader, the inputs it needs complete, typed parameters
// and a read-only SQL query over the snapshot views (see rules/README.md).
type Rule struct {
	ID          string
	Title       string
	Severity    Severity
	Category    string
	Pack        string // the pack's name (Pack): its file's pack: block, else its file name
	Description string
	Rationale   string
	Remediation string
	References  []string
	Controls    []string
	Requires    []string
	Params      []Param // sorted by name
	Query       string
	Message     string // text/template source over the row, "" for none
	// GroupBy names the fields whose shared values are a finding's cause: columns of the
	// query, or the device attributes of GroupContext looked up by entity. Nil: no grouping.
	GroupBy []string

	File string // pack file the rule came from, as shown in errors
	Line int    // line of the rule in File

	msg     *template.Template
	builtin bool // from the packs embedded in the binary
}

// ParamType is the type of a rule parameter.
type ParamType string

// Parameter types.
const (
	ParamInt    ParamType = "int"
	ParamFloat  ParamType = "float"
	ParamString ParamType = "string"
	ParamBool   ParamType = "bool"
)

// Param is one typed rule parameter with its default value.
type Param struct {
	Name        string
	Type        ParamType
	Default     any // int64, float64, string or bool, per Type
	Description string
}

// Info is the rule's text as reports show it, with the parameter values in force.
func (r *Rule) Info(values map[string]any) RuleInfo {
	info := RuleInfo{
		ID: r.ID, Title: r.Title, Severity: r.Severity, Category: r.Category, Pack: r.Pack,
		Description: r.Description, Rationale: r.Rationale, Remediation: r.Remediation,
		References: r.References, Controls: r.Controls, GroupBy: r.GroupBy,
	}
	if len(r.Params) > 0 {
		info.Params = map[string]string{}
		for _, p := range r.Params {
			v, ok := values[p.Name]
			if !ok {
				v = p.Default
			}
			info.Params[p.Name] = formatParam(v)
		}
	}
	return info
}

func formatParam(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}

// parseParam reads a parameter value of type t from text.
func parseParam(t ParamType, text string) (any, error) {
	switch t {
	case ParamInt:
		v, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not an int", text)
		}
		return v, nil
	case ParamFloat:
		v, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a float", text)
		}
		return v, nil
	case ParamBool:
		v, err := strconv.ParseBool(strings.TrimSpace(text))
		if err != nil {
			return nil, fmt.Errorf("%q is not a bool", text)
		}
		return v, nil
	case ParamString:
		return text, nil
	}
	return nil, fmt.Errorf("unknown type %q", t)
}

// templateFuncs are the functions a message template may call.
var templateFuncs = template.FuncMap{
	"num": thousands,
}

// thousands writes an integer with comma separators: 1377 -> "1,377".
func thousands(v any) string {
	s := valueText(v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if _, err := strconv.ParseInt(s, 10, 64); err != nil {
		return valueText(v)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// RuleSet is a validated set of rules with unique ids, in load order (built-ins first, then the
// packs of each --rules folder in file-name order).
type RuleSet struct {
	Rules []*Rule
	Files []string // the pack files loaded
	Packs []*Pack  // the packs the files declare, in load order
}

// Get returns the rule with the given id, or nil.
func (s *RuleSet) Get(id string) *Rule {
	for _, r := range s.Rules {
		if strings.EqualFold(r.ID, id) {
			return r
		}
	}
	return nil
}

// Select keeps the rules named by only (ids or categories; empty keeps all) minus those named by
// skip. A name that matches no rule id or category is an error, so a typo never silently runs
// nothing.
func (s *RuleSet) Select(only, skip []string) ([]*Rule, error) {
	match := func(r *Rule, name string) bool {
		return strings.EqualFold(r.ID, name) || strings.EqualFold(r.Category, name)
	}
	for _, list := range [][]string{only, skip} {
		for _, name := range list {
			found := false
			for _, r := range s.Rules {
				if match(r, name) {
					found = true
					break
				}
			}
			if !found {
				return nil, fmt.Errorf("no rule id or category %q (see `cucm-audit rules list`)", name)
			}
		}
	}
	var out []*Rule
	for _, r := range s.Rules {
		keep := len(only) == 0
		for _, name := range only {
			keep = keep || match(r, name)
		}
		for _, name := range skip {
			if match(r, name) {
				keep = false
			}
		}
		if keep {
			out = append(out, r)
		}
	}
	return out, nil
}

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

var (
	ruleIDPattern    = regexp.MustCompile(`^[A-Z][A-Z0-9]*-[0-9]{3}$`)
	paramNamePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// RisClasses are the RisPort70 device classes a rule may require.
var risClasses = snapshot.DeviceClasses()

// axlItems are the AXL coverage items a rule may require.
var axlItems = []string{"devices", "lines", "line_appearances", "pattern_destinations", "users", "device_pools",
	"cm_groups", "nodes", "mgcp_gateways", "default_loads", "load_overrides", "version", "account"}

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

func buildRule(pe *packErrors, file string, rn ruleNode, rf ruleFile) *Rule {
	before := len(pe.errs)
	name := rn.name
	r := &Rule{
		ID: rf.ID, Title: strings.TrimSpace(rf.Title), Category: rf.Category,
		Description: strings.TrimSpace(rf.Description), Rationale: strings.TrimSpace(rf.Rationale),
		Remediation: strings.TrimSpace(rf.Remediation), References: rf.References, Controls: rf.Controls,
		Requires: rf.Requires, Query: strings.TrimSpace(rf.Query), Message: strings.TrimSpace(rf.Message),
		GroupBy: rf.GroupBy, File: file, Line: rn.node.Line,
	}
	for _, f := range []struct{ key, val string }{
		{"id", rf.ID}, {"title", r.Title}, {"severity", rf.Severity}, {"category", rf.Category},
		{"description", r.Description}, {"remediation", r.Remediation}, {"query", r.Query},
	} {
		if strings.TrimSpace(f.val) == "" {
			pe.add(rn.keyLine(f.key), name, "missing field %s", f.key)
		}
	}
	if rf.ID != "" && !ruleIDPattern.MatchString(rf.ID) {
		pe.add(rn.keyLine("id"), name, "id must look like AREA-NNN in capitals (e.g. REG-001)")
	}
	if rf.Severity != "" {
		sev, err := ParseSeverity(rf.Severity)
		if err != nil || rf.Severity != sev.String() {
			pe.add(rn.keyLine("severity"), name, "severity %q is not one of info, low, medium, high, critical", rf.Severity)
		}
		r.Severity = sev
	}
	for _, req := range rf.Requires {
		if msg := checkRequirement(req); msg != "" {
			pe.add(rn.keyLine("requires"), name, "requires %q: %s", req, msg)
		}
	}
	_, paramsNode := mapValue(rn.node, "params")
	names := make([]string, 0, len(rf.Params))
	for n := range rf.Params {
		names = append(names, n)
	}
	sort.Strings(names)
	declared := map[string]bool{}
	for _, n := range names {
		pf := rf.Params[n]
		line := rn.keyLine("params")
		if k, _ := mapValue(paramsNode, n); k != nil {
			line = k.Line
		}
		declared[n] = true
		if !paramNamePattern.MatchString(n) {
			pe.add(line, name, "param %s: name must be lower case letters, digits and _", n)
			continue
		}
		p := Param{Name: n, Type: ParamType(pf.Type), Description: pf.Description}
		switch p.Type {
		case ParamInt, ParamFloat, ParamString, ParamBool:
		case "":
			pe.add(line, name, "param %s: missing type (int, float, string or bool)", n)
			continue
		default:
			pe.add(line, name, "param %s: type %q is not one of int, float, string, bool", n, pf.Type)
			continue
		}
		if pf.Default.Kind == 0 {
			pe.add(line, name, "param %s: missing default", n)
			continue
		}
		if pf.Default.Kind != yaml.ScalarNode {
			pe.add(pf.Default.Line, name, "param %s: default must be a single %s value", n, p.Type)
			continue
		}
		v, err := parseParam(p.Type, pf.Default.Value)
		if err != nil {
			pe.add(pf.Default.Line, name, "param %s: default %s", n, err)
			continue
		}
		p.Default = v
		r.Params = append(r.Params, p)
	}
	if r.Query != "" {
		if msg := checkQueryText(r.Query, declared); msg != "" {
			pe.add(rn.keyLine("query"), name, "query %s", msg)
		}
	}
	seenGroup := map[string]bool{}
	for _, g := range rf.GroupBy {
		switch {
		case !paramNamePattern.MatchString(g):
			pe.add(rn.keyLine("group_by"), name, "group_by %q: a field name is lower case letters, digits and _", g)
		case seenGroup[g]:
			pe.add(rn.keyLine("group_by"), name, "group_by %q: named twice", g)
		case g == "entity":
			pe.add(rn.keyLine("group_by"), name, "group_by entity: every finding has its own entity, so nothing would group")
		}
		seenGroup[g] = true
	}
	if r.Message != "" {
		t, err := template.New(r.ID).Option("missingkey=error").Funcs(templateFuncs).Parse(r.Message)
		if err != nil {
			pe.add(rn.keyLine("message"), name, "message template: %s", strings.TrimPrefix(err.Error(), "template: "))
		}
		r.msg = t
	}
	if len(pe.errs) > before {
		return nil
	}
	return r
}

func checkRequirement(req string) string {
	src, item, ok := strings.Cut(req, ":")
	switch {
	case !ok:
		return "want axl:ITEM or risport:CLASS (e.g. axl:devices, risport:Phone, risport:*)"
	case src == "axl" && strings.HasPrefix(item, "table:"):
		return checkMirrorRequirement(strings.TrimPrefix(item, "table:"))
	case src == "axl":
		for _, a := range axlItems {
			if item == a {
				return ""
			}
		}
		return "unknown AXL item " + item + " (want one of " + strings.Join(axlItems, ", ") + ")"
	case src == "risport":
		if item == "*" {
			return ""
		}
		for _, c := range risClasses {
			if item == c {
				return ""
			}
		}
		return "unknown RisPort class " + item + " (want * or one of " + strings.Join(risClasses, ", ") + ")"
	}
	return "unknown source " + src + " (want axl or risport)"
}

// checkQueryText checks what can be checked without a database: one statement, a SELECT (or
// WITH … SELECT), and only declared parameters. Preparing against the views (Check, Run) does
// the rest; the read-only connection and its authorizer are the real guard.
func checkQueryText(q string, declared map[string]bool) string {
	toks := scanSQL(q)
	if len(toks.words) == 0 {
		return "is empty"
	}
	first := strings.ToUpper(toks.words[0])
	if first != "SELECT" && first != "WITH" && first != "VALUES" {
		return fmt.Sprintf("must be one SELECT statement, not %s", first)
	}
	if toks.extraStatement {
		return "must be one SELECT statement (found text after ;)"
	}
	for _, p := range toks.params {
		if !declared[p[1:]] {
			return fmt.Sprintf("uses parameter %s which is not declared under params", p)
		}
	}
	return ""
}

type sqlTokens struct {
	words          []string // bare words, upper-cased order preserved
	params         []string // :name, @name, $name
	extraStatement bool
}

// scanSQL is a small SQLite lexer: it skips string literals, quoted identifiers and comments so
// that parameters and statement ends are found only in code.
func scanSQL(q string) sqlTokens {
	var t sqlTokens
	afterSemi := false
	isIdent := func(c byte) bool {
		return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '\'' || c == '"' || c == '`' || c == '[':
			end := c
			if c == '[' {
				end = ']'
			}
			j := i + 1
			for j < len(q) {
				if q[j] == end {
					if end != ']' && j+1 < len(q) && q[j+1] == end {
						j += 2
						continue
					}
					break
				}
				j++
			}
			if afterSemi {
				t.extraStatement = true
			}
			i = j + 1
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			for i < len(q) && q[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			j := strings.Index(q[i+2:], "*/")
			if j < 0 {
				i = len(q)
			} else {
				i += j + 4
			}
		case c == ';':
			afterSemi = true
			i++
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case (c == ':' || c == '@' || c == '$') && i+1 < len(q) && isIdent(q[i+1]):
			j := i + 1
			for j < len(q) && isIdent(q[j]) {
				j++
			}
			t.params = append(t.params, q[i:j])
			if afterSemi {
				t.extraStatement = true
			}
			i = j
		case isIdent(c):
			j := i
			for j < len(q) && isIdent(q[j]) {
				j++
			}
			t.words = append(t.words, q[i:j])
			if afterSemi {
				t.extraStatement = true
			}
			i = j
		default:
			if afterSemi {
				t.extraStatement = true
			}
			i++
		}
	}
	return t
}
