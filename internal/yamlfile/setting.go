package yamlfile

import "go.yaml.in/yaml/v3"

// AnalysisSettings is the analysis: block of the configuration file: the rule settings that
// analyze, report and run apply unless a flag overrides them. Values are as written (paths
// relative to the working directory, like the other paths of the file); analyze checks
// them against the rules and names File, the line and the key when one is wrong.
//
//	analysis:
//	  rules: [/etc/cucm-audit/rules]        # --rules
//	  params: {REG-002.days: 45}            # --param REG-002.days=45
//	  waivers: /etc/cucm-audit/waivers.yaml # --waivers
//	  eol_models: /etc/cucm-audit/eol.yaml  # --eol
//	  packs: [emergency, tollfraud]         # --pack
//	  only: [registration]                  # --only
//	  skip: [INV-004]                       # --skip
//	  fail_on: high                         # --fail-on
//	  rule_timeout: 60s                     # --rule-timeout
//	  rule_max_rows: 100000                 # --rule-max-rows
type AnalysisSettings struct {
	File      string                     `yaml:"-"`
	Rules     Setting[[]string]          `yaml:"rules"`
	Params    map[string]Setting[string] `yaml:"params"`
	Waivers   Setting[string]            `yaml:"waivers"`
	EOLModels Setting[string]            `yaml:"eol_models"`
	Packs     Setting[[]string]          `yaml:"packs"`
	Only      Setting[[]string]          `yaml:"only"`
	Skip      Setting[[]string]          `yaml:"skip"`
	FailOn    Setting[string]            `yaml:"fail_on"`
	// RuleTimeout (a Go duration) and RuleMaxRows (a whole number) are the limits of one
	// rule, as text: analyze checks them and names the line when one is wrong.
	RuleTimeout Setting[string] `yaml:"rule_timeout"`
	RuleMaxRows Setting[string] `yaml:"rule_max_rows"`
}

// Setting is one value of the configuration file with the line it was written on; Line is 0
// when the file does not set it.
type Setting[T any] struct {
	Value T
	Line  int
}

// UnmarshalYAML records the line and decodes the value (a scalar, for a string, whatever its
// YAML type: 30 and "30" are both "30").
func (s *Setting[T]) UnmarshalYAML(n *yaml.Node) error {
	s.Line = n.Line
	return n.Decode(&s.Value)
}
