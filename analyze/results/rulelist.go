package results

// RuleListSchemaVersion versions `rules list --format json`. Version 2 groups the rules by pack
// (version 1, before packs, was a bare list of rules).
const RuleListSchemaVersion = 2

// RuleList is `rules list` as JSON: the rules grouped by pack, with counts.
type RuleList struct {
	SchemaVersion int        `json:"schema_version"`
	Rules         int        `json:"rules"`
	Packs         []PackList `json:"packs"`
}

// PackList is one pack of `rules list`.
type PackList struct {
	Name       string     `json:"name"`
	Title      string     `json:"title"`
	Compliance bool       `json:"compliance"`
	File       string     `json:"file"`
	Count      int        `json:"count"`
	Rules      []RuleInfo `json:"rules"`
}
