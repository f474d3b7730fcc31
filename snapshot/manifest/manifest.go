// Package manifest declares, as data, which CUCM tables and columns a snapshot mirrors beyond
// the inventory the collector reads itself (DESIGN.md, "The configuration is mirrored as data").
// A manifest names tables and columns by CUCM's data-dictionary names; the collector reads each
// table with keyset paging on its key and stores it as the snapshot table cucm_<table>, which
// the analyzer exposes to rules as a view named after the CUCM table.
//
// The built-in manifest (builtin.yaml) covers the dial plan, forwarding, users and rights,
// security profiles and registration history (CUCM-API.md sections A to I). A user adds tables
// or columns with their own manifest file (`--collect FILE`, or `collect:` in the config file);
// Merge folds it into the built-in one.
package manifest

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/cucm-audit/cucm-audit/internal/yamlfile"
)

// Schema is the manifest format version this build reads.
const Schema = 1

// Type is how a mirrored column is stored.
type Type string

// The column types. CUCM answers every value as text; bool reads Informix's t/f as 1/0 and
// integer parses a number (a value that does not parse is stored as NULL, with a note).
const (
	Text    Type = "text"
	Integer Type = "integer"
	Bool    Type = "bool"
)

// Column is one column of a mirrored table.
type Column struct {
	Name string `yaml:"name"`
	Type Type   `yaml:"type"`
	// Optional marks a column a release may lack, or whose name is not verified on a real
	// cluster: when CUCM answers that it does not exist, the table is read without it.
	Optional bool `yaml:"optional"`
	// Index asks for a snapshot index on the column: the views join on it from the other side
	// (devicenumplanmap.fknumplan, callingsearchspacemember.fkcallingsearchspace, ...).
	Index bool `yaml:"index"`
	line  int
}

// Table is one mirrored CUCM table.
type Table struct {
	Name string `yaml:"table"`
	// Key is the unique column the reads page on (default pkid).
	Key string `yaml:"key"`
	// Optional marks a table some releases do not have: its absence is a coverage note that
	// leaves the snapshot's status alone (rules that need it are still inconclusive).
	Optional    bool     `yaml:"optional"`
	Description string   `yaml:"description"`
	Columns     []Column `yaml:"columns"`
	line        int
}

// Manifest is a list of tables to mirror.
type Manifest struct {
	Schema int     `yaml:"schema"`
	Tables []Table `yaml:"tables"`
	file   string
}

//go:embed builtin.yaml
var builtinYAML []byte

// Builtin is the manifest shipped with cucm-audit. It panics only if the embedded file is
// broken, which a test rules out.
func Builtin() *Manifest {
	m, err := Parse("builtin.yaml", builtinYAML)
	if err != nil {
		panic(err)
	}
	return m
}

// Load reads a manifest file.
func Load(path string) (*Manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading collection manifest: %w", err)
	}
	return Parse(path, data)
}

var (
	identRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// Error is a manifest problem located by file and line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Parse decodes a manifest strictly (unknown keys and wrong types are errors) and validates
// it. name is used in messages: "site.yaml:12: tables[3].columns[0].type: ...".
func Parse(name string, data []byte) (*Manifest, error) {
	var m Manifest
	if _, err := yamlfile.Decode(name, data, &m); err != nil {
		if errors.Is(err, yamlfile.ErrEmpty) {
			return nil, &Error{name, 1, "empty manifest: it needs schema: 1 and tables"}
		}
		var ye *yamlfile.Error
		if !errors.As(err, &ye) {
			return nil, err
		}
		errs := make([]error, len(ye.Problems))
		for i, p := range ye.Problems {
			errs[i] = &Error{name, p.Line, p.Msg}
		}
		return nil, errors.Join(errs...)
	}
	m.file = name
	return &m, m.validate()
}

// UnmarshalYAML keeps the table's line for messages.
func (t *Table) UnmarshalYAML(n *yaml.Node) error {
	type plain Table
	var p plain
	if err := known(n, "table", "key", "optional", "description", "columns"); err != nil {
		return err
	}
	if err := n.Decode(&p); err != nil {
		return err
	}
	*t = Table(p)
	t.line = n.Line
	return nil
}

// UnmarshalYAML keeps the column's line for messages.
func (c *Column) UnmarshalYAML(n *yaml.Node) error {
	type plain Column
	var p plain
	if err := known(n, "name", "type", "optional", "index"); err != nil {
		return err
	}
	if err := n.Decode(&p); err != nil {
		return err
	}
	*c = Column(p)
	c.line = n.Line
	return nil
}

// known rejects keys of a mapping other than keys: a custom UnmarshalYAML decodes without the
// decoder's KnownFields, so a typo would otherwise pass silently.
func known(n *yaml.Node, keys ...string) error {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	var errs []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; !slices.Contains(keys, k.Value) {
			errs = append(errs, fmt.Sprintf("line %d: field %s not found", k.Line, k.Value))
		}
	}
	if errs != nil {
		return &yaml.TypeError{Errors: errs}
	}
	return nil
}

func (m *Manifest) validate() error {
	var errs []error
	bad := func(line int, format string, args ...any) {
		errs = append(errs, &Error{m.file, line, fmt.Sprintf(format, args...)})
	}
	if m.Schema != Schema {
		bad(1, "schema: %d is not a manifest schema this cucm-audit reads (use schema: %d)", m.Schema, Schema)
	}
	if len(m.Tables) == 0 {
		bad(1, "tables: the manifest lists no table")
	}
	seen := map[string]bool{}
	for i := range m.Tables {
		t := &m.Tables[i]
		at := fmt.Sprintf("tables[%d]", i)
		t.Name = strings.ToLower(strings.TrimSpace(t.Name))
		if !identRE.MatchString(t.Name) {
			bad(t.line, "%s.table: %q is not a CUCM table name (lower-case letters, digits and _)", at, t.Name)
		}
		if seen[t.Name] {
			bad(t.line, "%s.table: %s is listed twice", at, t.Name)
		}
		seen[t.Name] = true
		if t.Key == "" {
			t.Key = "pkid"
		}
		t.Key = strings.ToLower(t.Key)
		cols := map[string]bool{}
		for j := range t.Columns {
			c := &t.Columns[j]
			cat := fmt.Sprintf("%s.columns[%d]", at, j)
			c.Name = strings.ToLower(strings.TrimSpace(c.Name))
			if !identRE.MatchString(c.Name) || c.Name == "snapshot_id" {
				bad(c.line, "%s.name: %q is not a CUCM column name", cat, c.Name)
			}
			if cols[c.Name] {
				bad(c.line, "%s.name: %s is listed twice in %s", cat, c.Name, t.Name)
			}
			cols[c.Name] = true
			switch c.Type {
			case "":
				c.Type = Text
			case Text, Integer, Bool:
			default:
				bad(c.line, "%s.type: %q is not a column type (text, integer or bool)", cat, c.Type)
			}
			if c.Name == t.Key && c.Optional {
				bad(c.line, "%s.optional: the key %s cannot be optional", cat, c.Name)
			}
		}
		if !cols[t.Key] && len(t.Columns) > 0 {
			t.Columns = append([]Column{{Name: t.Key, Type: Text, line: t.line}}, t.Columns...)
		}
		if len(t.Columns) == 0 {
			bad(t.line, "%s.columns: %s lists no column", at, t.Name)
		}
	}
	return errors.Join(errs...)
}

// Table returns the table named name.
func (m *Manifest) Table(name string) (Table, bool) {
	i := slices.IndexFunc(m.Tables, func(t Table) bool { return t.Name == name })
	if i < 0 {
		return Table{}, false
	}
	return m.Tables[i], true
}

// Merge returns m with the tables of others added: a table m already lists gains the columns it
// lacks (a column listed in both keeps m's type unless both agree), a new table is appended.
func (m *Manifest) Merge(others ...*Manifest) (*Manifest, error) {
	out := &Manifest{Schema: m.Schema, file: m.file, Tables: slices.Clone(m.Tables)}
	for i := range out.Tables {
		out.Tables[i].Columns = slices.Clone(out.Tables[i].Columns)
	}
	for _, o := range others {
		for _, t := range o.Tables {
			i := slices.IndexFunc(out.Tables, func(x Table) bool { return x.Name == t.Name })
			if i < 0 {
				out.Tables = append(out.Tables, t)
				continue
			}
			have := &out.Tables[i]
			if have.Key != t.Key {
				return nil, &Error{o.file, t.line, fmt.Sprintf("table %s: key %s differs from the key %s of %s", t.Name, t.Key, have.Key, m.file)}
			}
			for _, c := range t.Columns {
				j := slices.IndexFunc(have.Columns, func(x Column) bool { return x.Name == c.Name })
				if j < 0 {
					have.Columns = append(have.Columns, c)
					continue
				}
				if have.Columns[j].Type != c.Type {
					return nil, &Error{o.file, c.line, fmt.Sprintf("table %s column %s: type %s differs from %s in %s", t.Name, c.Name, c.Type, have.Columns[j].Type, m.file)}
				}
			}
		}
	}
	return out, nil
}

// Required are the columns every release must have (the ones not marked optional).
func (t Table) Required() []Column {
	return slices.DeleteFunc(slices.Clone(t.Columns), func(c Column) bool { return c.Optional })
}

// SnapshotTable is the snapshot's SQLite table holding the mirrored rows of t.
func (t Table) SnapshotTable() string { return "cucm_" + t.Name }

// CoverageItem is the coverage item of t's read, e.g. "table:numplan"; rules name it in
// requires as "axl:table:numplan".
func (t Table) CoverageItem() string { return "table:" + t.Name }
