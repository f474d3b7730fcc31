package main

import (
	"context"
	"io"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/internal/cli"
	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// runDial answers a dialing question on a stored snapshot, offline, as Cisco's Dialed Number
// Analyzer would: the partitions searched, the candidates, the decision at each hop, the route.
func runDial(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("dial", "dial [--db FILE] [--snapshot ID|latest] (--from DEVICE[/LINE] | --css NAME | --no-css) [--en-bloc] [--format text|json] DIGITS", stderr)
	db := cli.DBFlag(fs)
	ref := fs.String("snapshot", "latest", "snapshot id, latest or latest~N")
	var req analyze.DialRequest
	fs.StringVar(&req.From, "from", "", "calling device, and its line by button index or DN: SEP001122334455/1")
	fs.StringVar(&req.CSS, "css", "", "analyse with this calling search space instead of the device's line and device CSSs")
	fs.BoolVar(&req.NoCSS, "no-css", false, "analyse as a caller with no calling search space (only the <None> partition): a forward whose CSS is not set")
	fs.BoolVar(&req.EnBloc, "en-bloc", false, "analyse the digits as one block (a SIP INVITE) instead of one at a time")
	var format render.Output
	fs.Var(&format, "format", "output format: text or json")
	if err := cli.Parse(fs, args, true); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return cli.UsageErrorf("dial: give the digits to dial, once (e.g. 911 or '+4930555 1234' without spaces)")
	}
	if req.From == "" && req.CSS == "" && !req.NoCSS {
		return cli.UsageErrorf("dial: say who dials: --from DEVICE[/LINE], --css NAME or --no-css")
	}
	req.Digits = fs.Arg(0)
	store, err := snapshot.OpenReadOnly(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	meta, err := store.Resolve(ctx, *ref, "")
	if err != nil {
		return err
	}
	plan, err := analyze.LoadDialPlan(ctx, store.Path(), meta)
	if err != nil {
		return err
	}
	ans, err := plan.Dial(req)
	if err != nil {
		return cli.UsageErrorf("dial: %w", err)
	}
	if why := ans.Invalid(); why != "" {
		return cli.UsageErrorf("dial: %s", why)
	}
	return format.Print(stdout, ans, render.DialText(ans))
}
