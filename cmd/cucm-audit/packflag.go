package main

import (
	"flag"
	"fmt"
	"slices"
	"strings"

	"github.com/cucm-audit/cucm-audit/analyze"
)

// packFlag is --pack NAME[,NAME] of analyze, report and run: the rule packs to keep
// (rules/README.md). Set refuses a name that is not a built-in pack when the command line is
// parsed, naming the packs there are; packs of a configuration file's own folders are selected
// with its analysis.packs instead, checked once the folders are loaded.
type packFlag struct{ names []string }

func (p *packFlag) String() string { return strings.Join(p.names, ",") }

// Set adds the comma-separated pack names of one --pack (repeatable).
func (p *packFlag) Set(s string) error {
	names := splitList(s)
	if len(names) == 0 {
		return fmt.Errorf("want pack names, comma-separated (see cucm-audit rules list)")
	}
	set, err := analyze.LoadRules()
	if err != nil {
		return err
	}
	if err := set.CheckPacks(names); err != nil {
		return err
	}
	for _, n := range names {
		n = set.Pack(n).Name
		if !slices.Contains(p.names, n) {
			p.names = append(p.names, n)
		}
	}
	return nil
}

// addPackFlag registers --pack on fs.
func addPackFlag(fs *flag.FlagSet, p *packFlag) {
	fs.Var(p, "pack", "evaluate or report only the rules of these packs, comma-separated (emergency, tollfraud, access, dialplan, lifecycle, ...; see rules list)")
}
