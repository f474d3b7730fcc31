package main

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/cucm-audit/cucm-audit/internal/cli"
)

// command is one subcommand: its one-line summary and the function that runs it.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands is the registry of subcommands; each lives in its own file beside this one.
func commands() map[string]command {
	return map[string]command{
		"collect":   {"collect one snapshot of a cluster (AXL + RisPort70) into the database", runCollect},
		"snapshots": {"list the stored snapshots", runSnapshots},
		"show":      {"show one snapshot: metadata, coverage, counts", runShow},
		"check":     {"check configuration and reach both APIs before a change window", runCheck},
		"sim":       {"run the simulated CUCM on a scenario", runSim},
		"demo":      {"audit the built-in simulated hospital cluster end to end", runDemo},
		"analyze":   {"evaluate the rules over a snapshot and store the findings", runAnalyze},
		"rules":     {"list, show or check rule packs", runRules},
		"report":    {"render reports (pdf, xlsx, md, json, html) for a snapshot", runReport},
		"run":       {"collect + analyze + report in one go (for cron)", runRun},
		"diff":      {"compare two snapshots (change window)", runDiff},
		"dial":      {"analyse dialed digits on a snapshot's dial plan, as Dialed Number Analyzer does", runDial},
		"mcp":       {"serve the stored snapshots to an LLM over MCP, read-only", runMCP},
		"prune":     {"keep the newest N snapshots per cluster, with their analyses and report sets", runPrune},
		"version":   {"print the version", runVersion},
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		if len(args) > 1 {
			if c, ok := cmds[args[1]]; ok {
				return cli.ExitCode(c.run(ctx, []string{"--help"}, stdout, stderr), stderr)
			}
		}
		printUsage(stdout, cmds)
		if len(args) == 0 {
			return cli.ExitUsage
		}
		return cli.ExitOK
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "cucm-audit: unknown command %q; run `cucm-audit help` for the list\n", args[0])
		return cli.ExitUsage
	}
	return cli.ExitCode(c.run(ctx, args[1:], stdout, stderr), stderr)
}

func printUsage(w io.Writer, cmds map[string]command) {
	fmt.Fprintf(w, "cucm-audit %s: audit a Cisco Unified Communications Manager cluster\n\nUsage: cucm-audit COMMAND [flags]\n\nCommands:\n", toolVersion())
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprint(w, `
Run "cucm-audit COMMAND --help" for the flags of a command.

Exit codes: 0 ok, 1 error, 2 usage, 3 findings at or above --fail-on, 4 snapshot incomplete.
`)
}

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func toolVersion() string { return cli.Version(version) }

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("version", "version", stderr)
	if err := cli.Parse(fs, args, false); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "cucm-audit %s\n", toolVersion())
	return nil
}
