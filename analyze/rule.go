package analyze

import (
	"fmt"
	"strconv"
	"strings"
	"text/template"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// RulePackSchema is the only rule pack schema this build reads (`schema: 1` in every pack).
const RulePackSchema = 1

// Rule is one audit rule: text for the reader, the inputs it needs complete, typed parameters
// and a read-only SQL query over the snapshot views (see rules/README.md).
type Rule struct {
	ID          string
	Title       string
	Severity    results.Severity
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
func (r *Rule) Info(values map[string]any) results.RuleInfo {
	info := results.RuleInfo{
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
	s := results.ValueText(v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if _, err := strconv.ParseInt(s, 10, 64); err != nil {
		return results.ValueText(v)
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
