package collect

import (
	"context"
	"errors"
	"time"

	"github.com/cucm-audit/cucm-audit/internal/scrub"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// run is the state of one collection.
type run struct {
	c     *Collector
	w     *snapshot.Writer
	p     *progressLine
	start time.Time
	gaps  []string

	// AXL side.
	axlByRis map[string][]string // RisPort class -> AXL device names
	axlPKIDs map[string][]uint64 // RisPort class -> pkidKey of axlByRis's devices, in order
	// What registrationdynamic says (see neverRegistered): the pkidKeys of devices that
	// registered at some time, and whether the table was read completely.
	registered   map[uint64]struct{}
	registeredOK bool
	never        map[string]struct{} // upper-case AXL names registrationdynamic does not list
	axlCount     map[string]int      // RisPort class ("" for untracked) -> devices
	axlDevices   int
	axlNodes     []string
	cmNodes      map[string]bool // nodes of CallManager groups: they run the CallManager service
	primaries    map[string]bool // nodes first in a CallManager group that a device pool with devices uses
	// How this cluster names nodes that found nothing, learned over the whole run: as NotFound
	// CmNode items, or in the StateInfo with TotalItemsFound 0. Absences are judged against it
	// at the end (absences holds them until then).
	emptyItems, emptyState bool
	absences               []absence
	cuts                   *cutDetector
	devicesOK              bool

	// RisPort side.
	// The entries stored (see storeOnce): per device name seen by RisPort, the nodes (by
	// nodeIndex, the first 64) that listed it; node \x00 name for the other nodes.
	seen       map[string]uint64
	nodeIndex  map[string]int
	storedMore map[string]struct{}
	entries    int
	risNodes   map[string]*nodeState
	risStart   time.Time
	risElapsed time.Duration
	risReqs    int64
	// risDeadline is set when the collection deadline stopped a RisPort class: node silence is
	// then no evidence about the node.
	risDeadline bool
	// RisPort requests made (done) and estimated still to make: for the class being read
	// (estClass) and for the classes after it (estLater). The total shown is their sum, so it
	// grows when a class needs more requests than estimated and is never below done.
	done, estClass, estLater int

	// RisPort rows are written by one goroutine so that storing an answer overlaps with the
	// next request; flush waits until every queued row is written.
	rows    chan []snapshot.RisDevice
	flushed chan error
	exited  chan struct{}

	// scrub removes the credentials from coverage reasons and notes, which quote what the
	// servers sent (AXL values, RisPort reasons) as the SOAP errors do.
	scrub *scrub.Scrubber
}

func (r *run) startWriter(ctx context.Context) {
	r.rows = make(chan []snapshot.RisDevice, 4)
	r.flushed = make(chan error)
	r.exited = make(chan struct{})
	go func() {
		defer close(r.exited)
		var err error
		for batch := range r.rows {
			if batch == nil {
				r.flushed <- err
				continue
			}
			for _, d := range batch {
				if err != nil {
					break
				}
				err = r.w.AddRisDevice(ctx, d)
			}
		}
	}()
}

// flush waits for the queued rows and returns the first write error.
func (r *run) flush() error {
	r.rows <- nil
	return <-r.flushed
}

// stopWriter ends the writer goroutine and waits for it, so nothing writes after it returns.
func (r *run) stopWriter() {
	close(r.rows)
	<-r.exited
}

type nodeState struct {
	bad     []string       // "Phone: NodeNotResponding"
	missing map[string]int // class → answers that named every node that answered, but not this one
	heard   bool           // some answer listed it (a CmNode item) or its StateInfo named it
	stored  int
}

// node is the state of one node, created on first use.
func (r *run) node(name string) *nodeState {
	st := r.risNodes[name]
	if st == nil {
		st = &nodeState{missing: map[string]int{}}
		r.risNodes[name] = st
	}
	return st
}

func newRun(c *Collector, w *snapshot.Writer, p *progressLine, start time.Time) *run {
	return &run{
		c: c, w: w, p: p, start: start,
		axlByRis: map[string][]string{}, axlPKIDs: map[string][]uint64{}, axlCount: map[string]int{},
		seen: map[string]uint64{}, nodeIndex: map[string]int{}, storedMore: map[string]struct{}{}, risNodes: map[string]*nodeState{},
		cmNodes: map[string]bool{}, primaries: map[string]bool{},
		cuts:  &cutDetector{cap: c.cfg.RisMaxDevices, seen: map[int]int{}},
		scrub: scrub.New(scrub.Credential{User: c.cfg.User, Pass: c.cfg.Password.Reveal()}),
	}
}

// fatal reports whether an error must stop the whole collection rather than leave a gap.
func fatal(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil
}

func (r *run) gap(item, reason string) {
	r.gaps = append(r.gaps, item+": "+r.scrub.String(reason))
}

func (r *run) coverage(ctx context.Context, source, item string, records int, err error) error {
	cv := snapshot.Coverage{Source: source, Item: item, Complete: err == nil, Records: records}
	if err != nil {
		cv.Reason = r.scrub.String(reasonOf(err))
		r.gap(source+" "+item, cv.Reason)
	}
	return r.w.SetCoverage(ctx, cv)
}

func (r *run) collect(ctx context.Context, version string) error {
	if err := r.coverage(ctx, snapshot.SourceAXL, "version", 1, nil); err != nil {
		return err
	}
	// The AXL user name is in the snapshot row: the access rules that judge the tool's own
	// account require this item, so that a snapshot collected before it was recorded leaves
	// them inconclusive.
	if err := r.coverage(ctx, snapshot.SourceAXL, "account", 1, nil); err != nil {
		return err
	}
	if err := r.collectAXL(ctx); err != nil {
		return err
	}
	return r.collectRisPort(ctx)
}
