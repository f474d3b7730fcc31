package collect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cucm-audit/cucm-audit/collect/risport"
	"github.com/cucm-audit/cucm-audit/collect/soap"
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
	axlByRis   map[string][]string // RisPort class -> AXL device names
	axlCount   map[string]int      // RisPort class ("" for untracked) -> devices
	axlDevices int
	axlNodes   []string
	cmNodes    map[string]bool // nodes of CallManager groups: they run the CallManager service
	primaries  map[string]bool // nodes first in a CallManager group that a device pool with devices uses
	// How this cluster names nodes that found nothing, learned over the whole run: as NotFound
	// CmNode items, or in the StateInfo with TotalItemsFound 0. Absences are judged against it
	// at the end (absences holds them until then).
	emptyItems, emptyState bool
	absences               []absence
	cuts                   *cutDetector
	devicesOK              bool

	// RisPort side.
	stored     map[string]struct{} // node \x00 name already stored
	seen       map[string]struct{} // device names seen by RisPort
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
		axlByRis: map[string][]string{}, axlCount: map[string]int{},
		stored: map[string]struct{}{}, seen: map[string]struct{}{}, risNodes: map[string]*nodeState{},
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

// collectRisPort reads every tracked class. See risClass for the strategy.
func (r *run) collectRisPort(ctx context.Context) error {
	r.startWriter(ctx)
	defer r.stopWriter()
	r.risStart = time.Now()
	before := r.c.risSOAP.Stats().Requests
	maxDev := r.c.cfg.RisMaxDevices
	classes := risport.Classes()
	est := make([]int, len(classes))
	r.estLater = 0
	for i, cl := range classes {
		est[i] = 1 + (len(r.axlByRis[cl])+maxDev-1)/maxDev
		r.estLater += est[i]
	}
	for i, cl := range classes {
		r.estLater -= est[i]
		r.estClass = est[i]
		if err := r.risClass(ctx, cl); err != nil {
			return err
		}
		r.estClass = 0
	}
	r.risElapsed = time.Since(r.risStart)
	r.risReqs = r.c.risSOAP.Stats().Requests - before
	r.judgeAbsences()
	// Node coverage: every node RisPort or AXL named.
	names := map[string]bool{}
	for n := range r.risNodes {
		names[n] = true
	}
	for _, n := range r.axlNodes {
		if n != "" {
			names[n] = true
		}
	}
	for _, n := range slices.Sorted(maps.Keys(names)) {
		st := r.node(n)
		cv := snapshot.Coverage{Source: snapshot.SourceRisPort, Item: snapshot.NodeItem(n), Complete: true, Records: st.stored}
		var why []string
		if len(st.bad) > 0 {
			why = append(why, "node answered "+strings.Join(st.bad, ", "))
		}
		// Silence is not an empty node: a gap is a node left out of answers that name every node
		// that answered (see judgeAbsences), or, where the cluster never shows how it names empty
		// nodes, a node no answer mentioned although devices are configured to register to it first.
		var per []string
		for _, cl := range slices.Sorted(maps.Keys(st.missing)) {
			per = append(per, fmt.Sprintf("%s: %d", cl, st.missing[cl]))
		}
		silent := ""
		switch {
		case r.risDeadline && (len(per) > 0 || !st.heard):
			// Silence after the deadline stopped the reading says nothing about the node.
			silent = "the collection deadline stopped RisPort reading before this node was heard from completely: raise --timeout (COLLECT_TIMEOUT) to read everything"
		case len(per) > 0:
			silent = "RisPort answers that name every node that answered left this CallManager node out, without NotFound or NodeNotResponding (" +
				strings.Join(per, ", ") + " answers): it may be down or have gone down during the collection"
		case !st.heard && r.primaries[n]:
			silent = "no RisPort answer mentioned this node (no CmNode item, no StateInfo) although device pools name it their primary CallManager: it may be down"
		}
		switch {
		case silent != "" && r.risDeadline:
			cv.Complete = false
			cv.Reason = strings.Join(append(why, silent), "; ")
			r.gap(cv.Item, cv.Reason)
		case silent != "" || len(why) > 0:
			if silent != "" {
				why = append(why, silent)
			}
			cv.Complete = false
			cv.Reason = strings.Join(why, "; ") + "; its devices may be missing from this snapshot: check the node's CallManager and RIS Data Collector services and collect again"
			r.gap(cv.Item, cv.Reason)
		case st.stored == 0:
			cv.Reason = "RisPort listed no devices for this node"
		}
		cv.Reason = r.scrub.String(cv.Reason)
		if err := r.w.SetCoverage(ctx, cv); err != nil {
			return err
		}
	}
	return nil
}

// classResult accumulates one class's answers.
type classResult struct {
	class   string
	answers map[string]*snapshot.NodeAnswer
	records int
}

// record notes the node answers and queues the rows of ans for the writer. cut says the answer
// may hold less than the query matched.
func (r *run) record(cr *classResult, ans *risport.Answer, cut bool) {
	var batch []snapshot.RisDevice
	defer func() {
		if len(batch) > 0 {
			r.rows <- batch
		}
	}()
	r.noteAbsences(cr.class, ans, cut)
	for _, nd := range ans.Nodes {
		name := nd.Name
		na := cr.answers[name]
		if na == nil {
			na = &snapshot.NodeAnswer{DeviceClass: cr.class, Node: name}
			cr.answers[name] = na
		}
		na.ReturnCode = worseCode(na.ReturnCode, nd.ReturnCode)
		st := r.node(name)
		if nd.ReturnCode != risport.CodeOk && nd.ReturnCode != risport.CodeNotFound && nd.ReturnCode != "" {
			bad := cr.class + ": " + nd.ReturnCode
			if !slices.Contains(st.bad, bad) {
				st.bad = append(st.bad, bad)
			}
		}
		for _, d := range nd.Devices {
			if d.Name == "" {
				continue
			}
			d.Node = name
			key := name + "\x00" + d.Name
			if _, dup := r.stored[key]; dup {
				continue
			}
			r.stored[key] = struct{}{}
			r.seen[d.Name] = struct{}{}
			batch = append(batch, d)
			na.Devices++
			st.stored++
			cr.records++
		}
	}
	// A node the StateInfo names without a CmNode item answered too, with nothing to list in
	// this answer: record it, so node answers list every node RisPort mentioned.
	for _, sn := range ans.StateNodes() {
		if sn.Name == "" {
			continue
		}
		na := cr.answers[sn.Name]
		if na == nil {
			na = &snapshot.NodeAnswer{DeviceClass: cr.class, Node: sn.Name}
			cr.answers[sn.Name] = na
		}
		code := risport.CodeOk
		if sn.Found == 0 {
			code = risport.CodeNotFound
		}
		na.ReturnCode = worseCode(na.ReturnCode, code)
	}
	r.progressRis(cr.class)
}

// answered counts one RisPort request made, out of the current class's estimate.
func (r *run) answered() {
	r.done++
	if r.estClass > 0 {
		r.estClass--
	}
}

func (r *run) progressRis(class string) {
	elapsed := time.Since(r.risStart)
	total := r.done + r.estClass + r.estLater
	eta := ""
	if r.done > 0 && total > r.done {
		per := elapsed / time.Duration(r.done)
		if minPer := r.c.cfg.RisRateWindow / time.Duration(r.c.cfg.RisRateLimit); per < minPer {
			per = minPer
		}
		eta = fmt.Sprintf(", ETA %s", (per * time.Duration(total-r.done)).Round(time.Second))
	}
	r.p.set("RisPort %s: %d/%d requests, %s devices seen%s", class, r.done, total, thousands(len(r.seen)), eta)
}

// worseCode keeps the most telling return code of a node over several answers.
func worseCode(a, b string) string {
	rank := func(c string) int {
		switch c {
		case "":
			return 0
		case risport.CodeNotFound:
			return 1
		case risport.CodeOk:
			return 2
		}
		return 3
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// risClass reads one class exactly.
//
// Strategy: a class that fits one answer is read with one wildcard query ("*"): every device of
// the class, known to AXL or not, on every node. A class whose wildcard answer fills the cap (or
// that AXL already says is too big for one answer) is read by name prefixes that together match
// every possible name (see prefixplan.go), so devices AXL does not know are read too. StateInfo
// is never followed: whether a cluster continues an answer with it is not known, and the prefix
// reading is exact either way.
func (r *run) risClass(ctx context.Context, class string) error {
	cr := &classResult{class: class, answers: map[string]*snapshot.NodeAnswer{}}
	maxDev := r.c.cfg.RisMaxDevices
	var classErr error
	ratio := 0.0 // entries per distinct name in a wildcard answer; 0 = no sample
	big := r.devicesOK && len(r.axlByRis[class]) >= r.cuts.cap
	ignoredBefore := r.cuts.ignored
	if !big {
		ans, err := r.c.ris.SelectCmDevice(ctx, risport.Criteria{Class: class, Items: []string{"*"}, MaxDevices: maxDev})
		r.answered()
		switch {
		case err != nil:
			if fatal(ctx, err) {
				return err
			}
			classErr = err
		default:
			big = r.cuts.cut(ans, r.c.log)
			r.record(cr, ans, big)
			ratio = entriesPerName(ans)
		}
	}
	if big && classErr == nil {
		if err := r.byPrefix(ctx, cr, ratio); err != nil {
			if fatal(ctx, err) {
				return err
			}
			classErr = err
		}
	}
	if n := r.cuts.ignored - ignoredBefore; n > 0 && classErr == nil {
		classErr = fmt.Errorf("%d answers said they were cut below the %d devices asked for, at sizes that match no cap the cluster showed; what they left out was not read", n, r.c.cfg.RisMaxDevices)
	}
	if classErr != nil {
		r.c.log.Warn("RisPort class incomplete", "class", class, "err", classErr)
		classErr = fmt.Errorf("RisPort %s query failed: %w", class, classErr)
	}
	if err := r.flush(); err != nil {
		return err
	}
	// Node answers.
	nodes := make([]string, 0, len(cr.answers))
	for n := range cr.answers {
		nodes = append(nodes, n)
	}
	sort.Strings(nodes)
	for _, n := range nodes {
		if err := r.w.AddNodeAnswer(ctx, *cr.answers[n]); err != nil {
			return err
		}
	}
	if de := (*soap.DeadlineError)(nil); errors.As(classErr, &de) {
		r.risDeadline = true
	}
	return r.coverage(ctx, snapshot.SourceRisPort, snapshot.ClassItem(class), cr.records, classErr)
}

// absence is a CallManager node an answer did not name.
type absence struct {
	node, class string
	inItems     bool // left out of the CmNode items of an uncut answer
	inState     bool // left out of a StateInfo that names nodes
}

// noteAbsences records the CallManager nodes an answer does not name: not as a CmNode item (Ok,
// NotFound, NodeNotResponding...) and not in its StateInfo. A cut answer's items stop at the
// cut, so only its StateInfo counts.
func (r *run) noteAbsences(class string, ans *risport.Answer, cut bool) {
	items, state := map[string]bool{}, map[string]bool{}
	for _, nd := range ans.Nodes {
		items[nd.Name] = true
		r.node(nd.Name).heard = true
		if len(nd.Devices) == 0 && nd.ReturnCode == risport.CodeNotFound {
			r.emptyItems = true
		}
	}
	for _, sn := range ans.StateNodes() {
		state[sn.Name] = true
		r.node(sn.Name).heard = true
		if sn.Found == 0 {
			r.emptyState = true
		}
	}
	for n := range r.cmNodes {
		if items[n] || state[n] {
			continue
		}
		a := absence{node: n, class: class, inState: len(state) > 0}
		a.inItems = !cut && len(items) > 0
		if a.inItems || a.inState {
			r.absences = append(r.absences, a)
		}
	}
}

// judgeAbsences counts, per node and class, the absences that say something: from the CmNode
// items of a cluster that lists empty nodes as NotFound, or from the StateInfo of a cluster
// whose StateInfo names nodes that found nothing. A cluster that does neither may leave an idle
// node out of both, so its absences say nothing.
func (r *run) judgeAbsences() {
	for _, a := range r.absences {
		if a.inItems && r.emptyItems || a.inState && r.emptyState {
			r.node(a.node).missing[a.class]++
		}
	}
}

// cutDetector decides whether a RisPort answer may hold less than its query matched. An answer
// as big as the cap is cut. An answer below the cap that says it was cut (its StateInfo shows a
// node that found more than it returned) is taken as cut too, and once two such answers have
// the same size, that size is the cluster's real cap (below the MaxReturnedDevices asked for).
// A cluster whose StateInfo totals keep disagreeing with its answers in other ways is not
// believed any more: the answer size alone decides, and each answer whose claim is set aside
// is counted in ignored, so that its class is reported incomplete rather than complete.
type cutDetector struct {
	cap      int
	seen     map[int]int // sizes of answers below the cap that said they were cut
	distrust bool
	ignored  int
}

func (c *cutDetector) cut(ans *risport.Answer, log *slog.Logger) bool {
	e := ans.Entries()
	if e >= c.cap {
		return true
	}
	if e == 0 || !ans.Truncated() {
		return false
	}
	if c.distrust {
		c.ignored++
		return false
	}
	c.seen[e]++
	if c.seen[e] >= 2 {
		if e < c.cap {
			log.Warn("RisPort answers are cut below the MaxReturnedDevices asked for: planning with the cluster's real cap", "asked", c.cap, "cap", e)
			c.cap = e
		}
		return true
	}
	if len(c.seen) > 3 {
		c.distrust = true
		c.ignored++
		log.Warn("RisPort StateInfo totals do not match the answers; judging answers by their size only")
		return false
	}
	return true
}

// entriesPerName is an answer's entries per distinct device name (devices several nodes list
// count more than once).
func entriesPerName(ans *risport.Answer) float64 {
	distinct := map[string]bool{}
	for _, nd := range ans.Nodes {
		for _, d := range nd.Devices {
			distinct[d.Name] = true
		}
	}
	if len(distinct) == 0 {
		return 0
	}
	return float64(ans.Entries()) / float64(len(distinct))
}

// risInFlight is how many RisPort requests of one class may be under way at once: the limiter
// still decides when each starts; overlapping them lets one answer be decoded and stored while
// CUCM builds the next.
const risInFlight = 3

// byPrefix reads a class by name prefixes planned from its AXL names (when AXL could list them)
// and ratio, the entries per name of a capped wildcard answer (0 when there was none).
func (r *run) byPrefix(ctx context.Context, cr *classResult, ratio float64) error {
	var names []string
	if r.devicesOK {
		names = r.axlByRis[cr.class]
	} else {
		r.c.log.Warn("the AXL device list is incomplete: planning RisPort prefixes from answers alone (more requests)", "class", cr.class)
	}
	maxDev := r.c.cfg.RisMaxDevices
	plan := newPrefixPlanner(names, r.cuts.cap, ratio)

	type result struct {
		req prefixRequest
		ans *risport.Answer
		err error
	}
	qctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make(chan result, risInFlight)
	inFlight := 0
	var firstErr error
	for {
		for firstErr == nil && inFlight < risInFlight && plan.more() {
			req := plan.next()
			inFlight++
			go func() {
				ans, err := r.c.ris.SelectCmDevice(qctx, risport.Criteria{Class: cr.class, Items: req.items, MaxDevices: maxDev})
				results <- result{req, ans, err}
			}()
		}
		if inFlight == 0 {
			return firstErr
		}
		res := <-results
		inFlight--
		r.answered()
		switch {
		case firstErr != nil:
		case res.err != nil:
			firstErr = res.err
			cancel()
		default:
			// A cut answer is asked again, narrower; its rows are real and kept.
			cut := r.cuts.cut(res.ans, r.c.log)
			r.record(cr, res.ans, cut)
			r.c.log.Debug("RisPort prefix answer", "class", cr.class, "items", len(res.req.items),
				"expected", int(res.req.expected), "entries", res.ans.Entries(), "cut", cut)
			plan.setCap(r.cuts.cap)
			if cut {
				if err := plan.atCap(res.req); err != nil {
					firstErr = err
					cancel()
				}
			} else {
				plan.answered(res.req, res.ans.Entries())
			}
			r.estClass = inFlight + plan.remaining()
		}
	}
}

// summary is the one-line result for stderr.
func (r *run) summary(m snapshot.Meta, elapsed time.Duration) string {
	labels := []struct{ class, label string }{
		{"Phone", "phones"}, {"Gateway", "gateways"}, {"SIPTrunk", "SIP trunks"}, {"H323", "H.323 devices"},
		{"HuntList", "hunt lists"}, {"Cti", "CTI devices"}, {"VoiceMail", "voice mail ports"},
		{"MediaResources", "media resources"}, {"", "other devices"},
	}
	var parts []string
	for _, l := range labels {
		if n := r.axlCount[l.class]; n > 0 {
			parts = append(parts, thousands(n)+" "+l.label)
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "no devices")
	}
	nodes := 0
	for _, st := range r.risNodes {
		if st.stored > 0 {
			nodes++
		}
	}
	waits := ""
	if st := r.c.risSOAP.Stats(); st.Waits > 0 || st.Retries > 0 {
		// Said, so that a slow run explains itself (another RisPort client shares the cluster's
		// per-minute budget; a node or proxy failed transiently).
		waits = fmt.Sprintf(", %d rate-control waits and %d retries", st.Waits, st.Retries)
	}
	return fmt.Sprintf("snapshot %d %s: %s in AXL; %s devices seen by RisPort on %d nodes; %d RisPort requests in %.1fs%s (total %.1fs)",
		m.ID, m.Status, strings.Join(parts, ", "), thousands(len(r.seen)), nodes, r.risReqs,
		r.risElapsed.Seconds(), waits, elapsed.Seconds())
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	return b.String()
}
