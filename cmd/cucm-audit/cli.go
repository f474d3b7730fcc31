package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/cucm-audit/cucm-audit/analyze"
)

// Exit codes, documented in the README and in `cucm-audit help`.
const (
	exitOK         = 0
	exitError      = 1
	exitUsage      = 2
	exitFindings   = 3
	exitIncomplete = 4
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

// exitError carries an exit code through the error chain.
type codeError struct {
	code int
	err  error
}

func (e *codeError) Error() string { return e.err.Error() }
func (e *codeError) Unwrap() error { return e.err }

// withCode attaches an exit code to an error.
func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &codeError{code: code, err: err}
}

// usageErrorf is a usage error: exit code 2.
func usageErrorf(format string, args ...any) error {
	return withCode(exitUsage, fmt.Errorf(format, args...))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		if len(args) > 1 {
			if c, ok := cmds[args[1]]; ok {
				return exitCode(c.run(ctx, []string{"--help"}, stdout, stderr), stderr)
			}
		}
		printUsage(stdout, cmds)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "cucm-audit: unknown command %q; run `cucm-audit help` for the list\n", args[0])
		return exitUsage
	}
	return exitCode(c.run(ctx, args[1:], stdout, stderr), stderr)
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	code := exitError
	var ce *codeError
	var fe *analyze.FlagError
	switch {
	case errors.As(err, &ce):
		code = ce.code
	case errors.As(err, &fe):
		code = exitUsage
	}
	if code != exitFindings && code != exitIncomplete || ce.err.Error() != "" {
		fmt.Fprintf(stderr, "cucm-audit: %v\n", err)
	}
	return code
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

// newFlagSet makes a subcommand's flag set; errors come back to the caller, never os.Exit.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: cucm-audit %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and turns a bad flag into a usage error (exit 2) of one line that names
// the flag, the value and what is wanted, without the usage around it; --help prints the usage
// and returns flag.ErrHelp (exit 0). Positional arguments are refused unless allowArgs.
func parseFlags(fs *flag.FlagSet, args []string, allowArgs bool) error {
	usage, out := fs.Usage, fs.Output()
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.Usage = usage
	fs.SetOutput(out)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage()
			return err
		}
		return withCode(exitUsage, fmt.Errorf("%s: %s", fs.Name(), flagErrorText(fs, err)))
	}
	if !allowArgs && fs.NArg() > 0 {
		return usageErrorf("%s: unexpected argument %q (flags go before arguments; see --help)", fs.Name(), fs.Arg(0))
	}
	return nil
}

// flagValueError matches the flag package's message for a value its flag.Value refused.
var flagValueError = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for (?:flag )?-([^:]+): (.*)$`)

// flagErrorText rewrites the flag package's error in our words: `--format pfd: unknown report
// format "pfd": want pdf, ...`, `unknown flag --x (see cucm-audit report --help)`.
func flagErrorText(fs *flag.FlagSet, err error) string {
	msg, cmd := err.Error(), fs.Name()
	if m := flagValueError.FindStringSubmatch(msg); m != nil {
		why := m[3]
		if why == "parse error" || why == "value out of range" {
			why = "not a valid value; see cucm-audit " + cmd + " --help"
			if g, ok := fs.Lookup(m[2]).Value.(flag.Getter); ok {
				switch g.Get().(type) {
				case time.Duration:
					why = "want a duration such as 30s, 15m or 2h"
				case int, int64, uint, uint64:
					why = "want a whole number"
				case bool:
					why = "want true or false"
				}
			}
		}
		return fmt.Sprintf("--%s %s: %s", m[2], m[1], why)
	}
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return fmt.Sprintf("unknown flag --%s (see cucm-audit %s --help)", name, cmd)
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return fmt.Sprintf("--%s needs a value (see cucm-audit %s --help)", name, cmd)
	}
	return msg
}

// dbFlag registers the shared --db flag.
func dbFlag(fs *flag.FlagSet) *string {
	def := os.Getenv("CUCM_AUDIT_DB")
	if def == "" {
		def = "cucm-audit.db"
	}
	return fs.String("db", def, "SQLite database file (env CUCM_AUDIT_DB)")
}

// quietFlag registers --quiet of collect, analyze, report and run: for cron, which mails whatever
// is printed.
func quietFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("quiet", false, "print errors, warnings and one summary line only (for cron: send stdout to a log and let cron mail stderr)")
}

// newLogger logs to stderr; --verbose lowers the level to debug.
func newLogger(stderr io.Writer, verbose bool) *slog.Logger {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
}

// isTerminal reports whether w is a terminal, so progress is drawn only for people.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func toolVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "version", stderr)
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "cucm-audit %s\n", toolVersion())
	return nil
}
