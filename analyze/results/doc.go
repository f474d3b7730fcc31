// Package results is the read side: the report model every renderer lays out (Report, Finding,
// Diff, ...), the JSON documents with their schema versions (ReportSchemaVersion,
// ResultSchemaVersion, DiffSchemaVersion) and the one diff encoding, and every reader of what
// is stored beside a snapshot: analyses (written here too), findings and their evidence, rule
// results, trends, scores, diffs, devices and registrations.
//
// It imports only snapshot. Renderers, delivery, the MCP server and the command read stored
// results through it and issue no SQL of their own; the rule engine (package analyze) stores
// its results through SaveAnalysis and assembles reports with Assemble.
package results
