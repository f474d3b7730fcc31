package main

import (
	"io"

	"github.com/cucm-audit/cucm-audit/internal/cli"
)

// The exit codes and their reading under the short names the command's tests use.
const (
	exitOK         = cli.ExitOK
	exitError      = cli.ExitError
	exitUsage      = cli.ExitUsage
	exitFindings   = cli.ExitFindings
	exitIncomplete = cli.ExitIncomplete
)

func exitCode(err error, stderr io.Writer) int { return cli.ExitCode(err, stderr) }
