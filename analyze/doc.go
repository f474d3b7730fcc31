// Package analyze evaluates YAML rule packs over one snapshot, applies waivers, stores the
// results, diffs two snapshots and builds the Report every renderer lays out.
package analyze
