package main

import (
	"flag"
	"strings"
)

// manifestFiles is the repeatable --collect flag: collection manifests added to the built-in one.
type manifestFiles []string

func (m *manifestFiles) String() string { return strings.Join(*m, ",") }

func (m *manifestFiles) Set(s string) error {
	*m = append(*m, s)
	return nil
}

func addManifestFlag(fs *flag.FlagSet) *manifestFiles {
	m := &manifestFiles{}
	fs.Var(m, "collect", "collection manifest (YAML) adding CUCM tables or columns to the built-in one; repeatable")
	return m
}
