package yamlfile

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

type group struct {
	Name   string   `yaml:"name"`
	Count  int      `yaml:"count"`
	Models []string `yaml:"models"`
}

type doc struct {
	Seed   int64             `yaml:"seed"`
	Ratio  float64           `yaml:"ratio"`
	On     bool              `yaml:"on"`
	Window time.Duration     `yaml:"window"`
	Params map[string]string `yaml:"params"`
	Groups []group           `yaml:"groups"`
	Inner  struct {
		Path string `yaml:"path"`
	} `yaml:"inner"`
}

// TestDecodeBrokenInputs pins the one-line message of each kind of broken input: file, line
// and field, in YAML's words, no Go type names.
func TestDecodeBrokenInputs(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown key", "seed: 1\nsede: 2\n", "f.yaml:2: field sede not found"},
		{"unknown nested key", "groups:\n  - name: a\n    colour: red\n", "f.yaml:3: field colour not found"},
		{"string for a number", "groups:\n  - name: a\n    count: ten\n", `f.yaml:3: groups[0].count: want a whole number, got "ten"`},
		{"long string shown whole", "seed: twelvethousand\n", `f.yaml:1: seed: want a whole number, got "twelvethousand"`},
		{"string for a float", "ratio: half\n", `f.yaml:1: ratio: want a number, got "half"`},
		{"number for a bool", "on: 2\n", "f.yaml:1: on: want true or false, got 2"},
		{"bad duration", "window: soon\n", `f.yaml:1: window: want a duration like 90s, got "soon"`},
		{"list for a string", "inner:\n  path: [a, b]\n", "f.yaml:2: inner.path: want a string, got a list"},
		{"mapping for a string", "params:\n  x: {y: 1}\n", "f.yaml:2: params.x: want a string, got a mapping"},
		{"key with a dot", "params:\n  REG-002.days: [1]\n", `f.yaml:2: params["REG-002.days"]: want a string, got a list`},
		{"string for a list", "groups:\n  - name: a\n    models: registration\n", `f.yaml:3: groups[0].models: want a list, got "registration"`},
		{"number for a list of structs", "groups: 3\n", "f.yaml:1: groups: want a list, got 3"},
		{"list item of the wrong kind", "groups:\n  - [a]\n", "f.yaml:2: groups[0]: a list does not fit here"},
		{"scalar for the document", "hello\n", `f.yaml:1: "hello" does not fit here`},
		{"two problems", "seed: x\nsede: 2\n", "f.yaml:1: seed: want a whole number, got \"x\"\nf.yaml:2: field sede not found"},
		{"not yaml", "seed: [1\n", "f.yaml:1: did not find expected ',' or ']'"},
		{"bad indentation", "seed: 1\n  ratio: 2\n", "f.yaml:2: mapping values are not allowed in this context"},
		{"empty", "", "f.yaml: empty document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d doc
			_, err := Decode("f.yaml", []byte(tt.yaml), &d)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n got %q\nwant %q", err.Error(), tt.want)
			}
			var e *Error
			if !errors.As(err, &e) || e.File != "f.yaml" {
				t.Errorf("error %T is not an *Error of f.yaml", err)
			}
			for _, goWord := range []string{" in type ", "into ", "!!", "yaml: "} {
				if strings.Contains(strings.ReplaceAll(err.Error(), "f.yaml", ""), goWord) {
					t.Errorf("error %q speaks Go or the decoder: %q", err, goWord)
				}
			}
		})
	}
}

func TestDecodeKeepsCauses(t *testing.T) {
	var d doc
	_, err := Decode("f.yaml", []byte("seed: x\n"), &d)
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		t.Errorf("a type problem does not unwrap to *yaml.TypeError: %v", err)
	}
	if _, err := Decode("f.yaml", nil, &d); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty file: %v, want ErrEmpty", err)
	}
	root, err := Decode("f.yaml", []byte("seed: 7\ngroups:\n  - name: a\n"), &d)
	if err != nil || d.Seed != 7 || len(d.Groups) != 1 || root == nil || root.Content[0].Kind != yaml.MappingNode {
		t.Errorf("good file: %+v, %v, %v", d, root, err)
	}
}
