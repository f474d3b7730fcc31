package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// NewFlagSet makes a subcommand's flag set; errors come back to the caller, never os.Exit.
func NewFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: cucm-audit %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// NewFlagSetHelp is NewFlagSet whose usage ends with help, a paragraph on the command.
func NewFlagSetHelp(name, usage, help string, stderr io.Writer) *flag.FlagSet {
	fs := NewFlagSet(name, usage, stderr)
	flags := fs.Usage
	fs.Usage = func() {
		flags()
		fmt.Fprint(stderr, "\n"+help)
	}
	return fs
}

// Parse parses args and turns a bad flag into a usage error (exit 2) of one line that names
// the flag, the value and what is wanted, without the usage around it; --help prints the usage
// and returns flag.ErrHelp (exit 0). Positional arguments are refused unless allowArgs.
func Parse(fs *flag.FlagSet, args []string, allowArgs bool) error {
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
		return WithCode(ExitUsage, fmt.Errorf("%s: %s", fs.Name(), flagErrorText(fs, err)))
	}
	if !allowArgs && fs.NArg() > 0 {
		return UsageErrorf("%s: unexpected argument %q (flags go before arguments; see --help)", fs.Name(), fs.Arg(0))
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
