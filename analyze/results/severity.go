package results

import (
	"fmt"
	"strings"
)

// Severity ranks a rule's findings. The zero value is invalid.
type Severity int

// Severities from least to most serious.
const (
	SeverityInfo Severity = iota + 1
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = map[Severity]string{
	SeverityInfo: "info", SeverityLow: "low", SeverityMedium: "medium", SeverityHigh: "high", SeverityCritical: "critical",
}

// Severities returns every severity, most serious first, the order reports use. The slice is
// fresh on every call: a caller may sort or change it without touching anyone else's.
func Severities() []Severity {
	return []Severity{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow, SeverityInfo}
}

// String is the lower-case name used in rule files, flags and JSON.
func (s Severity) String() string {
	if n, ok := severityNames[s]; ok {
		return n
	}
	return fmt.Sprintf("Severity(%d)", int(s))
}

// ParseSeverity reads a severity name.
func ParseSeverity(text string) (Severity, error) {
	for s, n := range severityNames {
		if strings.EqualFold(text, n) {
			return s, nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q: want info, low, medium, high or critical", text)
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) {
	if _, ok := severityNames[s]; !ok {
		return nil, fmt.Errorf("invalid severity %d", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler, so YAML, JSON and flags reject unknown names.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Set implements flag.Value.
func (s *Severity) Set(text string) error { return s.UnmarshalText([]byte(text)) }
