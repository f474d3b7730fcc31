package main

import (
	"context"
	"io"
	"net"
	"os"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/mcpserver"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// mcpOptions are the flags of `cucm-audit mcp`.
type mcpOptions struct {
	db       string
	http     string
	rules    []string
	reports  string
	verbose  bool
	getenv   func(string) string
	stdin    io.ReadCloser
	listened func(net.Addr)
}

func runMCP(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("mcp", "mcp [--db FILE] [--http 127.0.0.1:PORT] [--rules DIR]... [--reports DIR]", stderr)
	o := mcpOptions{getenv: os.Getenv, stdin: os.Stdin}
	dbPath := dbFlag(fs)
	fs.StringVar(&o.http, "http", "", "serve streamable HTTP on HOST:PORT instead of stdio; requires a bearer token in MCP_TOKEN\nor in the file MCP_TOKEN_FILE names (clients send \"Authorization: Bearer <token>\")")
	fs.Func("rules", "extra rule pack folder whose rule text list_rules and explain_finding quote (repeatable)", func(s string) error {
		o.rules = append(o.rules, s)
		return nil
	})
	fs.StringVar(&o.reports, "reports", "", "folder of rendered reports: the newest Markdown report a manifest of\ncucm-audit lists, unchanged since, is the latest-report resource\n(default: render the latest snapshot's report in memory)")
	fs.BoolVar(&o.verbose, "verbose", false, "debug logs on stderr")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	o.db = *dbPath
	return serveMCP(ctx, o, stdout, stderr)
}

// serveMCP runs the server; stdout carries the JSON-RPC stream on stdio, so logs go to stderr.
func serveMCP(ctx context.Context, o mcpOptions, stdout, stderr io.Writer) error {
	var token string
	if o.http != "" {
		// Over stdio the token plays no part, so a stale MCP_TOKEN_FILE does not stop it.
		var err error
		if token, err = mcpserver.TokenFromEnv(o.getenv); err != nil {
			return usageErrorf("mcp: %w", err)
		}
		if err := mcpserver.CheckHTTPAccess(o.http, token); err != nil {
			return usageErrorf("mcp: %w", err)
		}
	}
	log := newLogger(stderr, o.verbose)
	store, err := snapshot.OpenReadOnly(ctx, o.db)
	if err != nil {
		return err
	}
	defer store.Close()
	opts := mcpserver.Options{Store: store, ReportsDir: o.reports, Version: toolVersion(), Logger: log}
	if err := mcpExtras(ctx, &opts, o); err != nil {
		return err
	}
	srv, err := mcpserver.New(opts)
	if err != nil {
		return err
	}
	if o.http != "" {
		return srv.ListenAndServe(ctx, o.http, token, o.listened)
	}
	return srv.RunStdio(ctx, o.stdin, nopWriteCloser{stdout})
}

// mcpExtras wires the rule catalogue (built-in packs plus --rules folders) and the in-memory
// Markdown report.
func mcpExtras(_ context.Context, opts *mcpserver.Options, o mcpOptions) error {
	set, err := analyze.LoadRules(o.rules...)
	if err != nil {
		return err
	}
	for _, r := range set.Rules {
		opts.Rules = append(opts.Rules, r.Info(nil))
	}
	return nil
}

// nopWriteCloser keeps the caller's stdout open when the transport closes.
type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
