package main

import (
	"context"
	"fmt"
	"io"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/internal/cli"
	"github.com/cucm-audit/cucm-audit/render"
)

func runRules(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const usage = "rules list [--rules DIR]... [--format text|json] | rules show [--rules DIR]... ID | rules check [--eol FILE] [--waivers FILE] [DIR...]"
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		fmt.Fprintf(stderr, "Usage: cucm-audit %s\n", usage)
		if len(args) == 0 {
			return cli.UsageErrorf("rules: want a subcommand: list, show ID or check [DIR...]")
		}
		return nil
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "list":
		fs := cli.NewFlagSet("rules list", "rules list [--rules DIR]... [--format text|json]", stderr)
		var dirs []string
		analyze.AddRuleDirsFlag(fs, &dirs)
		var format render.Output
		fs.Var(&format, "format", "output format: text or json")
		if err := cli.Parse(fs, rest, false); err != nil {
			return err
		}
		set, err := analyze.LoadRules(dirs...)
		if err != nil {
			return err
		}
		list := set.List()
		return format.Print(stdout, list, render.RuleListText(list))
	case "show":
		fs := cli.NewFlagSet("rules show", "rules show [--rules DIR]... ID", stderr)
		var dirs []string
		analyze.AddRuleDirsFlag(fs, &dirs)
		if err := cli.Parse(fs, rest, true); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return cli.UsageErrorf("rules show: want one rule id (see `cucm-audit rules list`)")
		}
		set, err := analyze.LoadRules(dirs...)
		if err != nil {
			return err
		}
		r := set.Get(fs.Arg(0))
		if r == nil {
			return fmt.Errorf("rules show: no rule %s (see `cucm-audit rules list`)", fs.Arg(0))
		}
		return render.RuleText(r)(stdout)
	case "check":
		fs := cli.NewFlagSet("rules check", "rules check [--eol FILE] [--waivers FILE] [DIR...]", stderr)
		eol := fs.String("eol", "", "also check this end-of-life model data file")
		waivers := fs.String("waivers", "", "also check this waiver file against the rules")
		if err := cli.Parse(fs, rest, true); err != nil {
			return err
		}
		set, ws, err := analyze.CheckFiles(ctx, fs.Args(), *eol, *waivers)
		if err != nil {
			return err
		}
		return render.RulesCheckText(set, len(ws), *waivers)(stdout)
	}
	return cli.UsageErrorf("rules: unknown subcommand %q: want list, show ID or check [DIR...]", sub)
}
