package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/cucm-audit/cucm-audit/collect"
)

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("check", "check [--config FILE --cluster NAME] [--verbose]", stderr)
	cf := addCollectorFlags(fs)
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	cfg, err := cf.loadConfig()
	if err != nil {
		return err
	}
	c, err := collect.New(cfg, newLogger(stderr, *cf.verbose))
	if err != nil {
		return err
	}
	rep, err := c.Check(ctx)
	cfg = c.Config()
	fmt.Fprintf(stdout, "cluster:   %s\n", cfg.Cluster)
	fmt.Fprintf(stdout, "AXL:       %s as %s\n", cfg.AXLURL, cfg.User)
	fmt.Fprintf(stdout, "RisPort:   %s\n", cfg.RisPortURL)
	fmt.Fprintf(stdout, "TLS:       %s\n", rep.TLS)
	fmt.Fprintf(stdout, "retries:   %s\n", rep.RetryPolicy)
	fmt.Fprintf(stdout, "rate:      %s\n", rep.RatePolicy)
	if rep.AXLError != nil {
		fmt.Fprintf(stdout, "AXL:       FAILED: %v\n", rep.AXLError)
	} else {
		fmt.Fprintf(stdout, "AXL:       ok, CUCM version %s, AXL schema %s\n", rep.CUCMVersion, rep.AXLSchema)
	}
	if rep.RisPortError != nil {
		fmt.Fprintf(stdout, "RisPort:   FAILED: %v\n", rep.RisPortError)
	} else {
		nodes := "no node listed"
		if len(rep.RisNodes) > 0 {
			nodes = "nodes: " + strings.Join(rep.RisNodes, ", ")
		}
		fmt.Fprintf(stdout, "RisPort:   ok (%s)\n", nodes)
	}
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	fmt.Fprintln(stdout, "check: ok")
	return nil
}
