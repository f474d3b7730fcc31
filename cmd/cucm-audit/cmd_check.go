package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/cucm-audit/cucm-audit/collect"
	"github.com/cucm-audit/cucm-audit/internal/cli"
	"github.com/cucm-audit/cucm-audit/render"
)

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("check", "check [--config FILE --cluster NAME] [--verbose]", stderr)
	cf := collect.AddFlags(fs, false)
	if err := cli.Parse(fs, args, false); err != nil {
		return err
	}
	cfg, err := cf.Config(os.Getenv, toolVersion())
	if err != nil {
		return err
	}
	c, err := collect.New(cfg, cli.Logger(stderr, cf.Verbose))
	if err != nil {
		return err
	}
	rep, err := c.Check(ctx)
	cfg = c.Config()
	rep.WriteText(stdout, cfg)
	switch {
	case errors.Is(err, collect.ErrCheckPartial):
		return cli.WithCode(cli.ExitIncomplete, fmt.Errorf("check: %w (%d %s above)", err, len(rep.Partial), render.Plural(len(rep.Partial), "gap", "gaps")))
	case err != nil:
		return fmt.Errorf("check: %w", err)
	}
	fmt.Fprintln(stdout, "check: ok")
	return nil
}
