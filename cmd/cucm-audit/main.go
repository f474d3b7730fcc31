// Command cucm-audit audits a Cisco Unified Communications Manager cluster: it snapshots AXL
// configuration and RisPort70 registration into SQLite, evaluates YAML rules over the snapshot
// and renders reports. Run `cucm-audit help` for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
