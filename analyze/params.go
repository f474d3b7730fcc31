package analyze

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/cucm-audit/cucm-audit/rules"
)

// LoadEOL returns the end-of-life model data: file when given, else the built-in data.
func LoadEOL(file string) ([]EOLModel, error) {
	name, data, err := eolData(file)
	if err != nil {
		return nil, err
	}
	return ParseEOL(name, data)
}

// eolData is the end-of-life data file's name and content: file when given, else the built-in.
func eolData(file string) (string, []byte, error) {
	if file == "" {
		return "rules/" + rules.EOLFile, rules.EOLModels(), nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return "", nil, fmt.Errorf("reading end-of-life data: %w", err)
	}
	return file, data, nil
}

// LoadEOLReleases returns the Unified CM releases of the end-of-life data (its releases:
// list): file when given, else the built-in data.
func LoadEOLReleases(file string) ([]EOLRelease, error) {
	name, data, err := eolData(file)
	if err != nil {
		return nil, err
	}
	return ParseEOLReleases(name, data)
}

// CheckParams checks parameter overrides ("ID.name" -> text) against the rules: the rule and
// parameter exist and the value has the parameter's type.
func CheckParams(set *RuleSet, overrides map[string]string) error {
	_, err := resolveParams(set, set.Rules, overrides)
	return err
}

// CheckParam checks one override, key "ID.name" and its value as text, against the rules. Its
// error does not repeat the key, so that a caller can say where the override was written.
func CheckParam(set *RuleSet, key, value string) error {
	_, _, _, err := lookupParam(set, key, value)
	return err
}

// lookupParam finds the rule and parameter of key "ID.name" and parses value with its type.
func lookupParam(set *RuleSet, key, value string) (*Rule, string, any, error) {
	id, name, ok := strings.Cut(key, ".")
	if !ok {
		return nil, "", nil, errors.New("want RULE-ID.name=value (e.g. REG-002.days=45)")
	}
	r := set.Get(id)
	if r == nil {
		return nil, "", nil, fmt.Errorf("no rule %s (see `cucm-audit rules list`)", id)
	}
	var p *Param
	for i := range r.Params {
		if r.Params[i].Name == name {
			p = &r.Params[i]
		}
	}
	if p == nil {
		if len(r.Params) == 0 {
			return nil, "", nil, fmt.Errorf("rule %s has no parameters", r.ID)
		}
		var names []string
		for _, q := range r.Params {
			names = append(names, q.Name)
		}
		return nil, "", nil, fmt.Errorf("rule %s has no parameter %q (it has: %s)", r.ID, name, strings.Join(names, ", "))
	}
	v, err := parseParam(p.Type, value)
	if err != nil {
		return nil, "", nil, err
	}
	return r, name, v, nil
}

// resolveParams applies overrides ("ID.name" -> text) to the selected rules' defaults.
func resolveParams(set *RuleSet, selected []*Rule, overrides map[string]string) (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	for _, r := range selected {
		vals := map[string]any{}
		for _, p := range r.Params {
			vals[p.Name] = p.Default
		}
		out[r.ID] = vals
	}
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		r, name, v, err := lookupParam(set, k, overrides[k])
		if err != nil {
			if !strings.Contains(k, ".") {
				k = strconv.Quote(k)
			}
			return nil, fmt.Errorf("param %s: %w", k, err)
		}
		if vals, ok := out[r.ID]; ok {
			vals[name] = v
		}
	}
	return out, nil
}
