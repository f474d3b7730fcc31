package main

import (
	"context"
	"io"
	"os"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/internal/cli"
	"github.com/cucm-audit/cucm-audit/mcpserver"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// runMCP serves the stored snapshots over MCP; on stdio, stdout carries the JSON-RPC stream, so
// logs go to stderr.
func runMCP(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("mcp", "mcp [--db FILE] [--http 127.0.0.1:PORT] [--rules DIR]... [--reports DIR]", stderr)
	db := cli.DBFlag(fs)
	addr := fs.String("http", "", "serve streamable HTTP on HOST:PORT instead of stdio; requires a bearer token in MCP_TOKEN\nor in the file MCP_TOKEN_FILE names (clients send \"Authorization: Bearer <token>\")")
	var ruleDirs []string
	fs.Func("rules", "extra rule pack folder whose rule text list_rules and explain_finding quote (repeatable)", func(s string) error {
		ruleDirs = append(ruleDirs, s)
		return nil
	})
	opts := mcpserver.Options{Version: toolVersion()}
	fs.StringVar(&opts.ReportsDir, "reports", "", "folder of rendered reports: the newest Markdown report a manifest of\ncucm-audit lists, unchanged since, is the latest-report resource\n(default: render the latest snapshot's report in memory)")
	verbose := fs.Bool("verbose", false, "debug logs on stderr")
	if err := cli.Parse(fs, args, false); err != nil {
		return err
	}
	var token string
	if *addr != "" {
		// Over stdio the token plays no part, so a stale MCP_TOKEN_FILE does not stop it.
		var err error
		if token, err = mcpserver.HTTPToken(*addr, os.Getenv); err != nil {
			return cli.UsageErrorf("mcp: %w", err)
		}
	}
	opts.Logger = cli.Logger(stderr, *verbose)
	store, err := snapshot.OpenReadOnly(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	opts.Store = store
	set, err := analyze.LoadRules(ruleDirs...)
	if err != nil {
		return err
	}
	for _, r := range set.Rules {
		opts.Rules = append(opts.Rules, r.Info(nil))
	}
	srv, err := mcpserver.New(opts)
	if err != nil {
		return err
	}
	if *addr != "" {
		return srv.ListenAndServe(ctx, *addr, token, nil)
	}
	return srv.RunStdio(ctx, os.Stdin, stdout)
}
