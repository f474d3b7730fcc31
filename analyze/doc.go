// Package analyze evaluates YAML rule packs over one snapshot, applies waivers and stores the
// results (through analyze/results, the read side, which also diffs two snapshots and holds
// the Report every renderer lays out); BuildReport adds the rules' texts and the narrative.
package analyze
