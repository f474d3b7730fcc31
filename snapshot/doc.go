// Package snapshot is the SQLite store every stage shares: snapshots of a cluster's AXL
// configuration and RisPort registration, what could not be read (coverage), and the results of
// rule evaluation. Snapshots are history, never a cache: each collection is a new snapshot, and
// nothing overwrites an older one.
//
// A collection is staged in a file beside the database and published in one short transaction
// (Writer), so it never holds the database's write lock for long and a crash never leaves a
// complete-looking half snapshot. A per-cluster marker (running_collection) refuses a second
// collection of the cluster and is taken over once its process has ended.
//
// Databases are marked with ApplicationID; another application's SQLite file is refused
// untouched. Open creates a database, OpenExisting only opens one for writing, OpenReadOnly
// opens one without any write access, immutable when its folder is not writable.
//
// The schema is versioned with PRAGMA user_version and migrated in code (schema.go); a database
// written by a newer cucm-audit is refused untouched.
package snapshot
