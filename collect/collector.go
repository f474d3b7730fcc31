// Package collect runs one collection of a CUCM cluster: AXL configuration and RisPort70
// registration, streamed into one snapshot transaction with honest coverage of what could not be
// read. Configuration comes from the environment (ConfigFromEnv) or a YAML file (LoadConfigFile).
package collect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cucm-audit/cucm-audit/collect/axl"
	"github.com/cucm-audit/cucm-audit/collect/risport"
	"github.com/cucm-audit/cucm-audit/collect/soap"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// Collector collects snapshots of one cluster.
type Collector struct {
	cfg     Config
	log     *slog.Logger
	axlSOAP *soap.Client
	risSOAP *soap.Client
	axl     *axl.Client
	ris     *risport.Client
	limiter *risport.Limiter
	// progress is the line of the Run under way (nil between runs): the rate-limit hooks,
	// called from request goroutines, show their waits on it.
	progress atomic.Pointer[progressLine]
	summary  string
	last     RunInfo
}

// RunInfo describes the last Run in figures (for benchmarks and the summary).
type RunInfo struct {
	AXLDevices      int
	RisPortRequests int64
	RisPortEntries  int // per-node device rows stored
	RisPortDevices  int // distinct device names RisPort reported
	RisPortDuration time.Duration
	Duration        time.Duration
}

// LastRun returns the figures of the last Run.
func (c *Collector) LastRun() RunInfo { return c.last }

// New builds a collector. It fails (with ErrConfig) when the configuration is invalid or the CA
// file unusable; it does not touch the network.
func New(cfg Config, log *slog.Logger) (*Collector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Collector{cfg: cfg, log: log, limiter: risport.NewLimiter(cfg.RisRateLimit, cfg.RisRateWindow)}
	base := soap.Options{
		User: cfg.User, Password: cfg.Password.Reveal(), VerifyTLS: cfg.VerifyTLS, CAFile: cfg.CAFile,
		Timeout: cfg.Timeout, Retries: cfg.Retries, InitialBackoff: cfg.InitialBackoff, Logger: log,
		MaxWait: cfg.MaxWait,
	}
	if cfg.InitialBackoff > 0 {
		base.MaxBackoff = 50 * cfg.InitialBackoff
	}
	ao := base
	ao.RetryFault = axl.IsThrottle
	var err error
	if c.axlSOAP, err = soap.New(ao); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	ro := base
	ro.QuietTLS = true // the TLS warning is logged once, by the AXL client
	ro.WaitFault = func(f *soap.Fault) (time.Duration, bool) {
		if risport.IsRateControl(f) {
			return cfg.RisRateWindow, true
		}
		return 0, false
	}
	ro.OnWait = func(d time.Duration) { c.showWait("waiting for the RisPort window after a rate-control fault", d) }
	c.limiter.OnWait = func(d time.Duration) { c.showWait("waiting for the RisPort window", d) }
	ro.BeforeAttempt = c.limiter.Wait
	if c.risSOAP, err = soap.New(ro); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	c.axl = axl.New(c.axlSOAP, axl.Options{URL: cfg.AXLURL, PageSize: cfg.AXLPageSize})
	c.ris = risport.New(c.risSOAP, cfg.RisPortURL)
	return c, nil
}

// showWait shows a rate-limit wait on the progress line of the Run under way.
func (c *Collector) showWait(what string, d time.Duration) {
	if p := c.progress.Load(); p != nil {
		p.wait(what, d)
	}
}

// Config returns the configuration in force (with defaults filled).
func (c *Collector) Config() Config { return c.cfg }

// Summary is the one-line summary of the last Run, for stderr.
func (c *Collector) Summary() string { return c.summary }

// Run collects one snapshot into store. Wrong credentials are detected by the first request,
// before anything is written. A failure after the snapshot has begun aborts its transaction and
// records a failed snapshot with a secret-free reason. The snapshot is complete when every
// coverage item is, partial otherwise. Progress goes to progress (nil for none).
//
// Reading stops at the collection deadline (Config.CollectTimeout): what was read is stored,
// what was not is incomplete coverage, and the snapshot is partial. Cancelling ctx (an
// interrupt) instead records a failed snapshot.
func (c *Collector) Run(ctx context.Context, store *snapshot.Store, progress io.Writer) (snapshot.Meta, error) {
	start := time.Now()
	deadline := start.Add(c.cfg.CollectTimeout)
	ctx = soap.WithReadDeadline(ctx, deadline, c.cfg.CollectTimeout)
	meta := snapshot.Meta{ClusterID: c.cfg.Cluster, AXLHost: c.cfg.AXLHost(), AXLUser: c.cfg.User, ToolVersion: c.cfg.ToolVersion, StartedAt: start}
	if progress == nil {
		progress = io.Discard
	}
	p := &progressLine{w: progress}
	c.progress.Store(p)
	defer c.progress.Store(nil)
	p.set("AXL: getCCMVersion")
	version, err := c.axl.CCMVersion(ctx)
	if err != nil {
		p.done()
		return meta, fmt.Errorf("reaching AXL: %w", err)
	}
	meta.CUCMVersion = version
	w, err := store.Begin(ctx, meta)
	if err != nil {
		p.done()
		return meta, err
	}
	r := newRun(c, w, p, start)
	err = r.collect(ctx, version)
	p.done()
	c.last = RunInfo{AXLDevices: r.axlDevices, RisPortRequests: r.risReqs, RisPortEntries: r.entries,
		RisPortDevices: len(r.seen), RisPortDuration: r.risElapsed, Duration: time.Since(start)}
	if err == nil {
		status := snapshot.StatusComplete
		note := ""
		if len(r.gaps) > 0 {
			status = snapshot.StatusPartial
			note = "incomplete: " + strings.Join(r.gaps, "; ")
			if len(note) > 1000 {
				note = note[:1000] + "…"
			}
		}
		var m snapshot.Meta
		m, err = w.Commit(ctx, status, version, note)
		if err == nil {
			c.summary = r.summary(m, time.Since(start))
			if status == snapshot.StatusPartial && !time.Now().Before(deadline) {
				c.log.Warn("collection deadline reached: what was not read by then is incomplete in the snapshot",
					"timeout", c.cfg.CollectTimeout, "snapshot", m.ID)
				c.summary += fmt.Sprintf("; reading stopped at the collection deadline (%s)", c.cfg.CollectTimeout)
			}
			return m, nil
		}
	}
	w.Abort()
	if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		// A cancelled context closes the transaction under whatever step was running: say why.
		err = fmt.Errorf("interrupted (%w): %w", ctx.Err(), err)
	}
	reason := err.Error()
	if ctx.Err() != nil && !strings.HasPrefix(reason, "interrupted") {
		reason = "interrupted: " + reason
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if m, ferr := store.RecordFailed(rctx, meta, reason); ferr == nil {
		meta = m
		c.summary = fmt.Sprintf("snapshot %d failed: %s", m.ID, reason)
	} else {
		c.log.Warn("could not record the failed snapshot", "err", ferr)
	}
	return meta, err
}

// CheckReport is what `cucm-audit check` prints.
type CheckReport struct {
	Cluster      string
	AXLURL       string
	RisPortURL   string
	CUCMVersion  string
	AXLSchema    string // AXL schema version in use, e.g. "14.0" after a CUCM 14 refused 15.0
	TLS          string // "verified", "verified with CA file X", "verification OFF"
	RetryPolicy  string
	RatePolicy   string
	AXLError     error // getCCMVersion
	SQLError     error // a one-row executeSQLQuery, the call collect makes for every table
	Roles        []string
	RolesError   error // the AXL user's roles could not be read (not a failure)
	RisPortError error
	RisNodes     []string
	// Partial lists what a collection now would not read completely, one line each: a node
	// that answered NodeNotResponding (or another error code) to the RisPort class read.
	Partial []string
}

// OK reports whether both APIs answered fully.
func (r CheckReport) OK() bool {
	return r.AXLError == nil && r.SQLError == nil && r.RisPortError == nil && len(r.Partial) == 0
}

// ErrCheckPartial is Check's error when both APIs answer but a collection would be partial.
var ErrCheckPartial = errors.New("a collection now would be partial")

// checkSQL is the smallest executeSQLQuery that proves the user may read the tables collect reads.
const checkSQL = "SELECT FIRST 1 pkid FROM device"

// rolesSQL lists the functionrole names of an application user through its access control
// groups (applicationuser → applicationuserdirgroupmap → dirgroup → functionroledirgroupmap →
// functionrole).
const rolesSQL = `SELECT DISTINCT fr.name AS role FROM applicationuser au
 JOIN applicationuserdirgroupmap m ON m.fkapplicationuser = au.pkid
 JOIN dirgroup dg ON dg.pkid = m.fkdirgroup
 JOIN functionroledirgroupmap fm ON fm.fkdirgroup = dg.pkid
 JOIN functionrole fr ON fr.pkid = fm.fkfunctionrole
 WHERE au.name = '%s' ORDER BY fr.name`

// Check makes the calls a collection depends on, one of each: getCCMVersion, a one-row
// executeSQLQuery, the AXL user's roles (read when the user may, reported when not), and a
// RisPort read of one class (one device) whose per-node return codes tell whether a collection
// would be partial. The error is non-nil when any of them failed (ErrCheckPartial when only a
// node did not answer); the report holds each failure once, and the error only summarises.
func (c *Collector) Check(ctx context.Context) (CheckReport, error) {
	rep := CheckReport{
		Cluster: c.cfg.Cluster, AXLURL: c.cfg.AXLURL, RisPortURL: c.cfg.RisPortURL,
		RetryPolicy: c.RetryPolicy(), RatePolicy: c.RatePolicy(), TLS: c.TLSStatus(),
	}
	rep.CUCMVersion, rep.AXLError = c.axl.CCMVersion(ctx)
	rep.AXLSchema = c.axl.Version()
	if rep.AXLError == nil {
		if _, err := c.axl.Query(ctx, checkSQL, func(axl.Row) error { return nil }); err != nil {
			rep.SQLError = fmt.Errorf("executeSQLQuery %q: %w", checkSQL, err)
		}
		user := strings.ReplaceAll(c.cfg.User, "'", "''")
		_, err := c.axl.Query(ctx, fmt.Sprintf(rolesSQL, user), func(r axl.Row) error {
			rep.Roles = append(rep.Roles, r["role"])
			return nil
		})
		if err != nil {
			rep.Roles, rep.RolesError = nil, err
		}
	}
	ans, err := c.ris.SelectCmDevice(ctx, risport.Criteria{Class: "Phone", Items: []string{"*"}, MaxDevices: 1})
	if err != nil {
		rep.RisPortError = fmt.Errorf("selectCmDevice: %w", err)
	} else {
		for _, n := range ans.Nodes {
			rep.RisNodes = append(rep.RisNodes, n.Name+" "+n.ReturnCode)
			if n.ReturnCode != risport.CodeOk && n.ReturnCode != risport.CodeNotFound && n.ReturnCode != "" {
				rep.Partial = append(rep.Partial, fmt.Sprintf("RisPort node %s answered %s: its devices would be missing from the snapshot", n.Name, n.ReturnCode))
			}
		}
	}
	if err := checkFailure(rep); err != nil {
		return rep, err
	}
	if len(rep.Partial) > 0 {
		return rep, ErrCheckPartial
	}
	return rep, nil
}

// checkFailure is Check's error: every failed call, each cause once ("AXL and RisPort: <cause>"
// when both APIs failed the same way, as with an untrusted certificate or a wrong password).
func checkFailure(rep CheckReport) error {
	type failure struct {
		names []string
		err   error
	}
	var fs []*failure
	byCause := map[string]*failure{}
	for _, f := range []struct {
		name string
		err  error
	}{{"AXL", rep.AXLError}, {"AXL SQL", rep.SQLError}, {"RisPort", rep.RisPortError}} {
		if f.err == nil {
			continue
		}
		cause := f.err
		if u := errors.Unwrap(cause); u != nil {
			cause = u // the operation's name differs between the APIs, the cause may not
		}
		if prev, ok := byCause[cause.Error()]; ok {
			prev.names = append(prev.names, f.name)
			prev.err = cause
			continue
		}
		byCause[cause.Error()] = &failure{names: []string{f.name}, err: f.err}
		fs = append(fs, byCause[cause.Error()])
	}
	var errs []error
	for _, f := range fs {
		errs = append(errs, fmt.Errorf("%s: %w", strings.Join(f.names, " and "), f.err))
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return fmt.Errorf("%w; %w", errs[0], errors.Join(errs[1:]...))
}

// TLSStatus describes the TLS verification in force. Plain http (accepted to loopback only, for
// the simulator) is said to have no TLS at all rather than claimed verified.
func (c *Collector) TLSStatus() string {
	const plain = "plain HTTP (loopback simulator), no TLS"
	axlPlain, risPlain := isPlainHTTP(c.cfg.AXLURL), isPlainHTTP(c.cfg.RisPortURL)
	if axlPlain && risPlain {
		return plain
	}
	var tls string
	switch {
	case !c.cfg.VerifyTLS:
		tls = "verification OFF (AXL_VERIFY_TLS=false): the cluster's identity is not checked"
	case c.cfg.CAFile != "":
		tls = "verified against the system roots and CA file " + c.cfg.CAFile
	default:
		tls = "verified against the system roots"
	}
	switch {
	case axlPlain:
		return "AXL: " + plain + "; RisPort: " + tls
	case risPlain:
		return "AXL: " + tls + "; RisPort: " + plain
	}
	return tls
}

// RetryPolicy describes retries in force.
func (c *Collector) RetryPolicy() string {
	bounds := fmt.Sprintf("timeout %s per request; waits the cluster asks for obeyed up to %s (AXL_MAX_WAIT); reading stops after %s (--timeout)",
		c.cfg.Timeout, c.cfg.MaxWait, c.cfg.CollectTimeout)
	if c.cfg.Retries == 0 {
		return "no retries (AXL_RATE_LIMIT_RETRIES=0); " + bounds
	}
	return fmt.Sprintf("up to %d retries on HTTP 502/503/504, timeouts, dropped connections and throttle faults, exponential backoff with jitter, Retry-After honoured; %s", c.cfg.Retries, bounds)
}

// RatePolicy describes the RisPort pacing in force.
func (c *Collector) RatePolicy() string {
	return fmt.Sprintf("RisPort: %s, %d devices per answer; on a RateControl fault wait one window and continue", c.limiter, c.cfg.RisMaxDevices)
}

// Stats are the request counters of both APIs.
type Stats struct {
	AXL     soap.Stats
	RisPort soap.Stats
}

// Stats returns the request counters so far.
func (c *Collector) Stats() Stats {
	return Stats{AXL: c.axlSOAP.Stats(), RisPort: c.risSOAP.Stats()}
}

// reasonOf is a coverage reason for an error: one line, no secrets (errors never carry them).
func reasonOf(err error) string {
	if err == nil {
		return ""
	}
	var de *soap.DeadlineError
	if errors.As(err, &de) {
		return fmt.Sprintf("collection deadline (%s) reached before this was read to the end: raise --timeout (COLLECT_TIMEOUT) to read everything", de.Limit)
	}
	var f *soap.Fault
	if errors.As(err, &f) && risport.IsRateControl(f) {
		return "rate-limited by CUCM: " + err.Error()
	}
	return strings.ReplaceAll(err.Error(), "\n", " ")
}
