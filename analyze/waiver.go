package analyze

import (
	"errors"
	"fmt"
	"os"
	"path"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/internal/yamlfile"
)

// WaiverFileSchema is the waiver file schema this build reads (`schema: 1`, optional).
const WaiverFileSchema = 1

const dateLayout = "2006-01-02"

type waiverFile struct {
	Schema  int          `yaml:"schema"`
	Waivers []waiverItem `yaml:"waivers"`
}

type waiverItem struct {
	Rule      string `yaml:"rule"`
	Entity    string `yaml:"entity"`
	Statement string `yaml:"statement"`
	Owner     string `yaml:"owner"`
	Expires   string `yaml:"expires"`
}

// WaiverEntry is one waiver with where it was written.
type WaiverEntry struct {
	results.Waiver
	File string
	Line int
}

// LoadWaivers reads a waiver file strictly (see rules/README.md): unknown keys, missing fields,
// a bad glob or a date that is not YYYY-MM-DD fail with the file and line.
func LoadWaivers(file string) ([]WaiverEntry, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading waivers: %w", err)
	}
	return ParseWaivers(file, data)
}

// ParseWaivers parses waiver file content; file names it in errors.
func ParseWaivers(file string, data []byte) ([]WaiverEntry, error) {
	pe := &packErrors{file: file}
	var wf waiverFile
	root, err := yamlfile.Decode(file, data, &wf)
	if err != nil {
		return nil, yamlErrors(pe, err, nil)
	}
	var items []*yaml.Node
	if len(root.Content) > 0 {
		doc := root.Content[0]
		if k, v := mapValue(doc, "schema"); k != nil && wf.Schema != WaiverFileSchema {
			pe.add(v.Line, "", "schema %d is not supported (this cucm-audit reads schema: %d)", wf.Schema, WaiverFileSchema)
		}
		if _, v := mapValue(doc, "waivers"); v != nil && v.Kind == yaml.SequenceNode {
			items = v.Content
		}
	}
	if len(items) != len(wf.Waivers) {
		// A merge key (<<) or alias hid the list from the node walk: lines could not be named.
		pe.add(root.Content[0].Line, "", "write the waivers: list itself in the file (YAML merge keys and aliases are not supported there)")
		return nil, pe.err()
	}
	var out []WaiverEntry
	for i, w := range wf.Waivers {
		n := items[i]
		line := func(key string) int {
			if k, _ := mapValue(n, key); k != nil {
				return k.Line
			}
			return n.Line
		}
		before := len(pe.errs)
		for _, f := range []struct{ key, val string }{
			{"rule", w.Rule}, {"entity", w.Entity}, {"statement", w.Statement}, {"owner", w.Owner}, {"expires", w.Expires},
		} {
			if strings.TrimSpace(f.val) == "" {
				pe.add(line(f.key), "", "waiver %d: missing field %s", i+1, f.key)
			}
		}
		if w.Entity != "" {
			if _, err := matchEntity(w.Entity, ""); err != nil {
				pe.add(line("entity"), "", "waiver %d: entity pattern %q: %v", i+1, w.Entity, err)
			}
		}
		if w.Expires != "" {
			if _, err := time.Parse(dateLayout, w.Expires); err != nil {
				pe.add(line("expires"), "", "waiver %d: expires %q is not a date YYYY-MM-DD", i+1, w.Expires)
			}
		}
		if len(pe.errs) > before {
			continue
		}
		out = append(out, WaiverEntry{
			Waiver: results.Waiver{Rule: w.Rule, Entity: w.Entity, Statement: strings.TrimSpace(w.Statement), Owner: w.Owner, Expires: w.Expires},
			File:   file, Line: n.Line,
		})
	}
	if err := pe.err(); err != nil {
		return nil, err
	}
	return out, nil
}

// yamlErrors adds the problems of a yamlfile.Decode error to pe; ruleAt, when given, names the
// rule a line belongs to.
func yamlErrors(pe *packErrors, err error, ruleAt func(line int) string) error {
	var ye *yamlfile.Error
	if !errors.As(err, &ye) {
		pe.add(0, "", "%s", err)
		return pe.err()
	}
	for _, p := range ye.Problems {
		rule := ""
		if ruleAt != nil {
			rule = ruleAt(p.Line)
		}
		pe.add(p.Line, rule, "%s", p.Msg)
	}
	return pe.err()
}

// matchEntity reports whether a waiver's entity pattern matches a finding's entity. The pattern
// is a path.Match glob in which * and ? also match '/': entities are names, not paths, and
// gateway endpoints (AALN/S0/SU0/1@vg.example) and "DN / partition" pairs hold slashes, so
// "*@vg.example" must waive every endpoint of that gateway.
func matchEntity(pattern, entity string) (bool, error) {
	const slash = "\x00" // a byte path.Match treats like any other
	return path.Match(strings.ReplaceAll(pattern, "/", slash), strings.ReplaceAll(entity, "/", slash))
}

// expiredOn reports whether the waiver w no longer applies on day now: a waiver is valid through
// its expiry day.
func expiredOn(w results.Waiver, now time.Time) bool {
	return now.Format(dateLayout) > w.Expires
}

// EOLModel is one end-of-life phone model from the EOL data file.
type EOLModel struct {
	Model        string `yaml:"model" json:"model"` // AXL model name, e.g. "Cisco 7945"
	EndOfSale    string `yaml:"end_of_sale" json:"end_of_sale,omitempty"`
	EndOfSupport string `yaml:"end_of_support" json:"end_of_support,omitempty"` // last date of support
	Replacement  string `yaml:"replacement" json:"replacement,omitempty"`
	Reference    string `yaml:"reference" json:"reference,omitempty"`
}

// EOLRelease is one Cisco Unified CM release past (or approaching) its end of software
// maintenance or support, from the releases: list of the EOL data file.
type EOLRelease struct {
	Release            string `yaml:"release" json:"release"` // "12.5": matches versions 12.5.x
	EndOfSale          string `yaml:"end_of_sale" json:"end_of_sale,omitempty"`
	EndOfSWMaintenance string `yaml:"end_of_sw_maintenance" json:"end_of_sw_maintenance,omitempty"`
	EndOfSupport       string `yaml:"end_of_support" json:"end_of_support,omitempty"` // last date of support
	Reference          string `yaml:"reference" json:"reference"`                     // the Cisco bulletin (title and URL)
}

type eolFile struct {
	Schema   int          `yaml:"schema"`
	Models   []EOLModel   `yaml:"models"`
	Releases []EOLRelease `yaml:"releases"`
}

// ParseEOLReleases parses the releases: list of end-of-life data: each needs a release
// (MAJOR.MINOR), a date and the bulletin it comes from.
func ParseEOLReleases(file string, data []byte) ([]EOLRelease, error) {
	if _, err := ParseEOL(file, data); err != nil {
		return nil, err
	}
	pe := &packErrors{file: file}
	var ef eolFile
	root, err := yamlfile.Decode(file, data, &ef)
	if err != nil {
		return nil, yamlErrors(pe, err, nil)
	}
	items, err := listItems(pe, root, "releases", len(ef.Releases))
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, r := range ef.Releases {
		line := items[i].Line
		switch {
		case !releasePattern.MatchString(r.Release):
			pe.add(line, "", "release %d: %q is not a release MAJOR.MINOR (e.g. 12.5)", i+1, r.Release)
		case seen[r.Release]:
			pe.add(line, "", "release %q listed twice", r.Release)
		case r.EndOfSale == "" && r.EndOfSWMaintenance == "" && r.EndOfSupport == "":
			pe.add(line, "", "release %q: give end_of_sale, end_of_sw_maintenance or end_of_support", r.Release)
		case r.Reference == "":
			pe.add(line, "", "release %q: name the Cisco bulletin the dates come from in reference", r.Release)
		}
		seen[r.Release] = true
		for _, d := range []string{r.EndOfSale, r.EndOfSWMaintenance, r.EndOfSupport} {
			if _, err := time.Parse(dateLayout, d); d != "" && err != nil {
				pe.add(line, "", "release %q: %q is not a date YYYY-MM-DD", r.Release, d)
			}
		}
	}
	if err := pe.err(); err != nil {
		return nil, err
	}
	return ef.Releases, nil
}

// listItems returns the nodes of the top-level list key of an end-of-life data document, which
// decoded into n entries; a merge key (<<) or alias that hid the list from the node walk (its
// lines could not be named) is an error.
func listItems(pe *packErrors, root *yaml.Node, key string, n int) ([]*yaml.Node, error) {
	var items []*yaml.Node
	if len(root.Content) > 0 {
		if _, v := mapValue(root.Content[0], key); v != nil && v.Kind == yaml.SequenceNode {
			items = v.Content
		}
	}
	if len(items) != n {
		pe.add(root.Content[0].Line, "", "write the %s: list itself in the file (YAML merge keys and aliases are not supported there)", key)
		return nil, pe.err()
	}
	return items, nil
}

// releasePattern is a Unified CM release as the releases: list names it.
var releasePattern = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)

// ParseEOL parses end-of-life model data (rules/eol-models.yaml or a file given with --eol).
func ParseEOL(file string, data []byte) ([]EOLModel, error) {
	pe := &packErrors{file: file}
	var ef eolFile
	root, err := yamlfile.Decode(file, data, &ef)
	if err != nil {
		return nil, yamlErrors(pe, err, nil)
	}
	if len(root.Content) > 0 {
		doc := root.Content[0]
		if k, v := mapValue(doc, "schema"); k == nil || ef.Schema != 1 {
			line := doc.Line
			if v != nil {
				line = v.Line
			}
			pe.add(line, "", "want schema: 1 at the top of the end-of-life data")
		}
	}
	items, err := listItems(pe, root, "models", len(ef.Models))
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, m := range ef.Models {
		line := items[i].Line
		switch {
		case m.Model == "":
			pe.add(line, "", "model %d: missing field model", i+1)
		case seen[m.Model]:
			pe.add(line, "", "model %q listed twice", m.Model)
		case m.EndOfSale == "" && m.EndOfSupport == "":
			pe.add(line, "", "model %q: give end_of_sale or end_of_support", m.Model)
		}
		seen[m.Model] = true
		for _, d := range []string{m.EndOfSale, m.EndOfSupport} {
			if _, err := time.Parse(dateLayout, d); d != "" && err != nil {
				pe.add(line, "", "model %q: %q is not a date YYYY-MM-DD", m.Model, d)
			}
		}
	}
	if err := pe.err(); err != nil {
		return nil, err
	}
	return ef.Models, nil
}
