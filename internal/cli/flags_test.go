package cli

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"testing"
	"time"
)

// TestParseErrors: a bad flag is one line naming the flag, the value and what is wanted, with
// exit code 2; --help is exit 0 with the usage printed.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, want string
		args       []string
		allowArgs  bool
	}{
		{"unknown flag", "report: unknown flag --x (see cucm-audit report --help)", []string{"--x"}, false},
		{"missing value", "report: --out needs a value (see cucm-audit report --help)", []string{"--out"}, false},
		{"duration", "report: --timeout 5: want a duration such as 30s, 15m or 2h", []string{"--timeout", "5"}, false},
		{"number", "report: --top x: want a whole number", []string{"--top", "x"}, false},
		{"bool", "report: --quiet maybe: want true or false", []string{"--quiet=maybe"}, false},
		{"argument", `report: unexpected argument "extra" (flags go before arguments; see --help)`, []string{"extra"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			fs := NewFlagSet("report", "report", &stderr)
			fs.String("out", "", "")
			fs.Duration("timeout", time.Second, "")
			fs.Int("top", 5, "")
			QuietFlag(fs)
			err := Parse(fs, tt.args, tt.allowArgs)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Parse(%q) = %v, want %s", tt.args, err, tt.want)
			}
			if code := ExitCode(err, io.Discard); code != ExitUsage {
				t.Errorf("exit code %d, want %d", code, ExitUsage)
			}
			if stderr.Len() != 0 {
				t.Errorf("printed %q: a flag mistake is one line, without the usage", stderr.String())
			}
		})
	}
	var stderr bytes.Buffer
	fs := NewFlagSetHelp("prune", "prune --keep N", "Keeps snapshots.\n", &stderr)
	if err := Parse(fs, []string{"--help"}, false); !errors.Is(err, flag.ErrHelp) || ExitCode(err, io.Discard) != ExitOK {
		t.Errorf("--help = %v", err)
	}
	if want := "Usage: cucm-audit prune --keep N\n\nFlags:\n\nKeeps snapshots.\n"; stderr.String() != want {
		t.Errorf("usage = %q, want %q", stderr.String(), want)
	}
}
