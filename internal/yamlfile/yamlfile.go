// Package yamlfile decodes the project's YAML files (collection manifests, scenarios,
// configuration, rule packs, waivers, end-of-life data) strictly and in one error style: an
// unknown key or a value of the wrong kind is an error naming the file, the line and the field,
// in the words of the file ("lab.yaml:14: device_groups[0].count: want a whole number, got
// \"ten\""), never in the words of Go's types. Each loader adds its own checks on top.
package yamlfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrEmpty is returned (wrapped in an *Error) for a file with no YAML document.
var ErrEmpty = errors.New("empty document")

// Problem is one thing wrong in a file, at a line (0 when the decoder gave none).
type Problem struct {
	Line int
	Msg  string
}

// Error is the failure of Decode: the problems found in File, in the order of the file. It
// unwraps to the decoder's error (a *yaml.TypeError for keys and values) or to ErrEmpty.
type Error struct {
	File     string
	Problems []Problem
	Err      error
}

// Error gives one "file:line: message" line per problem.
func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Located(e.File)
	}
	return strings.Join(lines, "\n")
}

func (e *Error) Unwrap() error { return e.Err }

// Located gives the problem as "file:line: message" ("file: message" without a line).
func (p Problem) Located(file string) string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", file, p.Line, p.Msg)
	}
	return file + ": " + p.Msg
}

// Decode parses the first YAML document of data into v strictly: a key v has no field for and a
// value of the wrong kind are problems. file names the data in messages. It returns the
// document's node tree (nil when data is not YAML at all), for loaders that name lines of their
// own; on failure the error is an *Error.
func Decode(file string, data []byte, v any) (*yaml.Node, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &Error{File: file, Problems: []Problem{problem(nil, err.Error())}, Err: err}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(v)
	switch {
	case err == nil:
		return &root, nil
	case errors.Is(err, io.EOF):
		return &root, &Error{File: file, Problems: []Problem{{Msg: ErrEmpty.Error()}}, Err: ErrEmpty}
	}
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return &root, &Error{File: file, Problems: []Problem{problem(&root, err.Error())}, Err: err}
	}
	e := &Error{File: file, Err: err}
	for _, msg := range te.Errors {
		e.Problems = append(e.Problems, problem(&root, msg))
	}
	return &root, e
}

var (
	keyRE      = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)
	lineRE     = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	notFoundRE = regexp.MustCompile(`^(field \S+ not found) in type \S+$`)
	// cannot unmarshal !!str `ten` into int; the value is cut to 7 characters and "..."
	// past 10, and absent for lists and mappings.
	unmarshalRE = regexp.MustCompile("^cannot unmarshal (!!\\w+)(?: `(.*)`)? into (\\S+)$")
)

// problem rewords one decoder message, naming the field from the node tree.
func problem(root *yaml.Node, msg string) Problem {
	msg = strings.TrimPrefix(msg, "yaml: ")
	m := lineRE.FindStringSubmatch(msg)
	if m == nil {
		return Problem{Msg: msg}
	}
	line, _ := strconv.Atoi(m[1])
	msg = m[2]
	if sm := notFoundRE.FindStringSubmatch(msg); sm != nil {
		return Problem{line, sm[1]}
	}
	sm := unmarshalRE.FindStringSubmatch(msg)
	if sm == nil {
		return Problem{line, msg}
	}
	tag, cut, goType := sm[1], sm[2], sm[3]
	field, n := find(root, nil, line, tag, cut)
	got := kindOf(tag)
	if n != nil && n.Kind == yaml.ScalarNode {
		got = n.Value
		if tag == "!!str" {
			got = strconv.Quote(n.Value)
		}
	} else if tag != "!!seq" && tag != "!!map" {
		got = strconv.Quote(cut)
	}
	var b strings.Builder
	if field != "" {
		b.WriteString(field + ": ")
	}
	if want := wantOf(goType); want != "" {
		fmt.Fprintf(&b, "want %s, got %s", want, got)
	} else {
		fmt.Fprintf(&b, "%s does not fit here", got)
	}
	return Problem{line, b.String()}
}

// find returns the path ("device_groups[0].count") and node of the first, deepest value at line
// with tag whose value starts like cut: deepest, since a mapping that starts on a line shares it
// with its first value.
func find(n *yaml.Node, path []string, line int, tag, cut string) (string, *yaml.Node) {
	if n == nil {
		return "", nil
	}
	matches := func(v *yaml.Node) bool {
		if v.Line != line || v.ShortTag() != tag {
			return false
		}
		return v.Kind != yaml.ScalarNode || v.Value == cut || strings.HasPrefix(v.Value, strings.TrimSuffix(cut, "..."))
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if p, v := find(c, path, line, tag, cut); v != nil {
				return p, v
			}
			if matches(c) {
				return "", c
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			p := append(path[:len(path):len(path)], step(n.Content[i].Value))
			if p, v := find(n.Content[i+1], p, line, tag, cut); v != nil {
				return p, v
			}
			if v := n.Content[i+1]; matches(v) {
				return join(p), v
			}
		}
	case yaml.SequenceNode:
		for i, v := range n.Content {
			p := append(path[:len(path):len(path)], "["+strconv.Itoa(i)+"]")
			if p, v := find(v, p, line, tag, cut); v != nil {
				return p, v
			}
			if matches(v) {
				return join(p), v
			}
		}
	}
	return "", nil
}

// step is a key's part of a path: ".name", or ["REG-002.days"] for a key a dot would split.
func step(key string) string {
	if keyRE.MatchString(key) {
		return "." + key
	}
	return "[" + strconv.Quote(key) + "]"
}

func join(path []string) string { return strings.TrimPrefix(strings.Join(path, ""), ".") }

// kindOf names what a YAML tag holds.
func kindOf(tag string) string {
	switch tag {
	case "!!seq":
		return "a list"
	case "!!map":
		return "a mapping"
	case "!!null":
		return "nothing"
	}
	return "a value"
}

// wantOf names, in YAML's words, what a Go type takes; "" when the name says too little (a
// named type of the project may be a mapping, a string or a number).
func wantOf(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.HasPrefix(goType, "map["):
		return "a mapping"
	}
	switch strings.TrimPrefix(goType, "*") {
	case "string":
		return "a string"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "a whole number"
	case "float32", "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "time.Duration":
		return "a duration like 90s"
	case "time.Time":
		return "a time like 2026-11-20T07:00:00Z"
	}
	return ""
}
