package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/deliver"
	"github.com/cucm-audit/cucm-audit/examples/demo"
	"github.com/cucm-audit/cucm-audit/internal/cli"
)

// TestUsageErrorsWrap: a usage error made from another error wraps it (%w), so the cause stays
// reachable with errors.Is and errors.As instead of being flattened to text.
func TestUsageErrorsWrap(t *testing.T) {
	tests := []struct {
		name string
		err  func() error
		want string
	}{
		{"sim unknown scenario", func() error {
			_, _, err := demo.LoadScenario("no-such-scenario")
			return err
		}, `sim: --scenario "no-such-scenario" is neither a file nor a shipped scenario: no shipped scenario "no-such-scenario"`},
		{"mail bad address", func() error {
			fs := cli.NewFlagSet("report", "report", &bytes.Buffer{})
			m := deliver.AddMailer(fs)
			if err := cli.Parse(fs, []string{"--mail-to", "nobody"}, false); err != nil {
				t.Fatal(err)
			}
			return m.Prepare(func(string) string { return "" })
		}, `--mail-to "nobody" is not an e-mail address: mail: missing '@' or angle-addr`},
		{"diff bad format", func() error {
			return writeDiffReport(context.Background(), nil, diffOptions{format: "txt", out: t.TempDir()}, io.Discard)
		}, `diff: --format: unknown report format "txt": want pdf, xlsx, md, json or html`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err()
			if code := exitCode(err, io.Discard); code != exitUsage {
				t.Fatalf("exit code %d, want %d (%v)", code, exitUsage, err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err = %v\nwant  %s", err, tt.want)
			}
			// codeError -> the message -> its cause: flattened with %v, the chain ends at the message.
			if errors.Unwrap(errors.Unwrap(err)) == nil {
				t.Errorf("%v does not wrap its cause", err)
			}
		})
	}
}
