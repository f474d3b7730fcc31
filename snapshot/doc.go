// Package snapshot is the SQLite store every stage shares: snapshots of a cluster's AXL
// configuration and RisPort registration, what could not be read (coverage), and the results of
// rule evaluation. Snapshots are history, never a cache: each collection is a new snapshot
// written in one transaction, and nothing overwrites an older one.
//
// The schema is versioned with PRAGMA user_version and migrated in code (schema.go); a database
// written by a newer cucm-audit is refused untouched.
package snapshot
