// Package cli is the plumbing every subcommand of cucm-audit shares, so each command file holds
// only its flags, its one package call and its renderer: exit codes carried by errors, flag sets
// whose mistakes read as one line naming the flag, the shared --db and --quiet flags, the logger
// and the terminal test for progress. Like govulncheck's internal/scan, it prints nothing itself
// but through the writers it is given, and never exits.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
)

// Exit codes, documented in the README and in `cucm-audit help`.
const (
	ExitOK         = 0
	ExitError      = 1
	ExitUsage      = 2
	ExitFindings   = 3
	ExitIncomplete = 4
)

// CodeError carries an exit code through the error chain.
type CodeError struct {
	Code int
	Err  error
}

func (e *CodeError) Error() string { return e.Err.Error() }
func (e *CodeError) Unwrap() error { return e.Err }

// ExitCode is the code the error carries.
func (e *CodeError) ExitCode() int { return e.Code }

// WithCode attaches an exit code to an error; nil stays nil.
func WithCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &CodeError{Code: code, Err: err}
}

// UsageErrorf is a usage error: exit code 2.
func UsageErrorf(format string, args ...any) error {
	return WithCode(ExitUsage, fmt.Errorf(format, args...))
}

// coded is an error that says its exit code: a *CodeError, or a package's own kind of error
// such as analyze.FlagError (a usage error).
type coded interface {
	error
	ExitCode() int
}

// ExitCode is the exit code of a command's error, printed to stderr as "cucm-audit: ..." unless
// it is an exit 3 or 4 with nothing to say: nil and --help are 0, an error saying its code (an
// ExitCode method) has that code, any other error 1.
func ExitCode(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	code := ExitError
	var c coded
	if errors.As(err, &c) {
		code = c.ExitCode()
	}
	if code != ExitFindings && code != ExitIncomplete || c.Error() != "" {
		fmt.Fprintf(stderr, "cucm-audit: %v\n", err)
	}
	return code
}

// DBFlag registers the shared --db flag.
func DBFlag(fs *flag.FlagSet) *string {
	def := os.Getenv("CUCM_AUDIT_DB")
	if def == "" {
		def = "cucm-audit.db"
	}
	return fs.String("db", def, "SQLite database file (env CUCM_AUDIT_DB)")
}

// QuietFlag registers --quiet of collect, analyze, report and run: for cron, which mails whatever
// is printed.
func QuietFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("quiet", false, "print errors, warnings and one summary line only (for cron: send stdout to a log and let cron mail stderr)")
}

// Logger logs to stderr; verbose (--verbose) lowers the level to debug.
func Logger(stderr io.Writer, verbose bool) *slog.Logger {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
}

// IsTerminal reports whether w is a terminal, so progress is drawn only for people.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Version is the tool's version: set, when the build set it (-ldflags "-X main.version=v1.2.3"),
// else the module version of the binary, else "dev".
func Version(set string) string {
	if set != "" {
		return set
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
