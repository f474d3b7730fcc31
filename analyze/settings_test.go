package analyze

import (
	"context"
	"errors"
	"flag"
	"io"
	"testing"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// TestFlagsOptions: the file's settings apply under the flags, a flag replaces them, and a
// mistake is told apart by where it was made: a flag's is a *FlagError (a usage error), the
// file's names its file, line and key.
func TestFlagsOptions(t *testing.T) {
	file := FileSettings{File: "cfg.yaml",
		Params: map[string]Setting[string]{"REG-002.days": {Value: "30", Line: 4}},
		FailOn: Setting[string]{Value: "high", Line: 5},
	}
	tests := []struct {
		name    string
		args    []string
		file    FileSettings
		days    string
		failOn  results.Severity
		err     string
		flagErr bool
	}{
		{name: "file applies", file: file, days: "30", failOn: results.SeverityHigh},
		{name: "flags win", args: []string{"--param", "REG-002.days=45", "--fail-on", "low"}, file: file, days: "45", failOn: results.SeverityLow},
		{name: "bad flag param", args: []string{"--param", "REG-002.days=abc"}, err: `param REG-002.days: "abc" is not an int`, flagErr: true},
		{name: "bad file param", file: FileSettings{File: "cfg.yaml", Params: map[string]Setting[string]{"REG-002.days": {Value: "abc", Line: 7}}},
			err: `cfg.yaml:7: analysis.params: REG-002.days: "abc" is not an int`},
		{name: "bad file fail_on", file: FileSettings{File: "cfg.yaml", FailOn: Setting[string]{Value: "severe", Line: 3}},
			err: `cfg.yaml:3: analysis.fail_on: unknown severity "severe": want info, low, medium, high or critical`},
		{name: "bad flag only", args: []string{"--only", "NOPE-999"}, flagErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			af := AddFlags(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			opts, err := af.Options(context.Background(), tt.file, "test")
			var fe *FlagError
			if got := errors.As(err, &fe); got != tt.flagErr {
				t.Errorf("FlagError = %v, want %v (%v)", got, tt.flagErr, err)
			}
			if tt.err != "" || tt.flagErr {
				if err == nil || tt.err != "" && err.Error() != tt.err {
					t.Fatalf("err = %v\nwant  %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if opts.Params["REG-002.days"] != tt.days || af.FailOn != tt.failOn || opts.ToolVersion != "test" {
				t.Errorf("params %v, fail-on %v, version %q", opts.Params, af.FailOn, opts.ToolVersion)
			}
		})
	}
}
