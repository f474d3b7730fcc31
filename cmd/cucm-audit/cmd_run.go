package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/render"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

const runHelp = `Collect a snapshot, evaluate the rules and write the reports: the one command for a quarterly
audit or a cron job. Configuration as for "collect" (AXL_URL, AXL_USER, AXL_PASS or AXL_PASS_FILE, ...),
e-mail as for "report" (SMTP_HOST, ...; --mail-to). A partial snapshot is still analysed (rules
whose inputs are incomplete report inconclusive) and reported, then the exit code is 4; so is a
collection stopped by --timeout, which stores what it read.
Exit codes: 0 ok, 1 error, 2 usage, 3 findings at or above --fail-on, 4 snapshot incomplete.
`

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", "run [--db FILE] [--config FILE --cluster NAME] [--timeout DURATION] [analyze flags] [report flags] [--mail-to ADDRS] [--quiet]", stderr)
	usage := fs.Usage
	fs.Usage = func() {
		usage()
		fmt.Fprint(stderr, "\n"+runHelp)
	}
	db := dbFlag(fs)
	cf := addCollectorFlags(fs)
	timeout := timeoutFlag(fs)
	af := addAnalyzeFlags(fs)
	var ro reportOptions
	reportFlags(fs, &ro)
	mail := addMailFlags(fs)
	quiet := quietFlag(fs)
	profile := profileFlag(fs)
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	stopProfile, err := startProfile(*profile)
	if err != nil {
		return err
	}
	defer stopProfile()
	// Every configuration problem is found before the cluster is touched.
	aopts, err := af.options(ctx)
	if err != nil {
		return err
	}
	rOpts, err := ro.renderOptions()
	if err != nil {
		return err
	}
	if err := mail.prepare(os.Getenv); err != nil {
		return err
	}
	if err := mail.checkFormats(ro.formats); err != nil {
		return err
	}
	cfg, err := cf.loadConfig()
	if err != nil {
		return err
	}
	if err := applyTimeout(&cfg, *timeout); err != nil {
		return err
	}
	// --quiet: one line on stdout however the run ends, after what was done (errors go to stderr).
	var line runLine
	line.cluster = cfg.Cluster
	if *quiet {
		defer func() { fmt.Fprintln(stdout, line.String()) }()
	}
	store, meta, err := collectInto(ctx, cfg, *db, *cf.verbose, *quiet, stderr)
	if err != nil {
		return fmt.Errorf("run: collecting: %w", err)
	}
	defer store.Close()
	line.meta = meta
	res, err := analyze.Run(ctx, store, meta.ID, aopts)
	if err != nil {
		return fmt.Errorf("run: analysing snapshot %d: %w", meta.ID, err)
	}
	line.res = res
	if !*quiet {
		printAnalysisSummary(stderr, res)
	}
	rep, err := buildReport(ctx, store, meta, res.AnalysisID) // this run's analysis, whatever its selection
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	line.rep = rep
	m, err := render.WriteAll(ctx, rep, ro.formats, ro.out, rOpts)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	line.manifest = m.Path
	mailOut := stderr
	if *quiet {
		mailOut = io.Discard // a failed e-mail is still an error; "sent" and "not sent" are not news
	} else {
		printManifest(stdout, m)
	}
	if err := mail.send(ctx, store, rep, m, mailOut); err != nil {
		return err
	}
	if meta.Status != snapshot.StatusComplete {
		return withCode(exitIncomplete, errors.New("snapshot is incomplete (see the report's data quality section or `cucm-audit show`)"))
	}
	return af.failOnFindings(res)
}

// runLine is the one line `run --quiet` prints: what the run got to, whatever stopped it.
type runLine struct {
	cluster  string
	meta     snapshot.Meta
	res      *analyze.Result
	rep      *analyze.Report
	manifest string
}

func (l runLine) String() string {
	parts := []string{"cucm-audit run: " + l.cluster}
	if l.meta.ID == 0 {
		return parts[0] + ": no snapshot stored"
	}
	parts = append(parts, fmt.Sprintf("snapshot #%d %s", l.meta.ID, l.meta.Status))
	if l.res != nil {
		parts = append(parts, fmt.Sprintf("analysis #%d: %s", l.res.AnalysisID, openText(l.res)))
	}
	if l.rep != nil && l.rep.Summary.Change != nil {
		parts = append(parts, changeText(l.rep.Summary.Change))
	}
	if l.manifest != "" {
		parts = append(parts, "reports: "+l.manifest)
	}
	return strings.Join(parts, "; ")
}

// changeText says what changed since the previous snapshot, in a few words.
func changeText(c *analyze.ChangeSummary) string {
	var ch []string
	if !c.FindingsNotCompared && (c.NewFindings > 0 || c.ResolvedFindings > 0) {
		ch = append(ch, fmt.Sprintf("%d new and %d resolved findings", c.NewFindings, c.ResolvedFindings))
	}
	if c.DevicesAdded > 0 || c.DevicesRemoved > 0 {
		ch = append(ch, fmt.Sprintf("%d devices added, %d removed", c.DevicesAdded, c.DevicesRemoved))
	}
	if c.RegisteredDelta != 0 {
		ch = append(ch, fmt.Sprintf("registered %+d", c.RegisteredDelta))
	}
	if len(ch) == 0 {
		if c.FindingsNotCompared {
			return fmt.Sprintf("since #%d: no device change (findings not compared)", c.PreviousID)
		}
		return fmt.Sprintf("unchanged since #%d", c.PreviousID)
	}
	return fmt.Sprintf("since #%d: %s", c.PreviousID, strings.Join(ch, ", "))
}
