package collect

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cucm-audit/cucm-audit/collect/risport"
	"github.com/cucm-audit/cucm-audit/collect/soap"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// collectRisPort reads every tracked class. See risClass for the strategy.
func (r *run) collectRisPort(ctx context.Context) error {
	r.startWriter(ctx)
	defer r.stopWriter()
	r.risStart = time.Now()
	r.learnNever()
	before := r.c.risSOAP.Stats().Requests
	maxDev := r.c.cfg.RisMaxDevices
	classes := risport.Classes()
	est := make([]int, len(classes))
	r.estLater = 0
	for i, cl := range classes {
		est[i] = 1 + (len(r.axlByRis[cl])+maxDev-1)/maxDev
		r.estLater += est[i]
	}
	perClass := true
	if r.devicesOK {
		// Every class at once (DeviceClass Any), so that small classes and the remainders of big
		// ones share answers; read class by class only where the cluster refuses Any.
		var err error
		if perClass, err = r.risAll(ctx, classes); err != nil {
			return err
		}
	}
	for i, cl := range classes {
		if !perClass {
			break
		}
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

// classResult accumulates the answers of one class, or of every class (class Any).
type classResult struct {
	class   string
	answers map[string]*snapshot.NodeAnswer
	records int
	// Of an Any read: the classes stored (entries of other classes are not) and the entries
	// stored per class.
	tracked  map[string]bool
	perClass map[string]int
}

// classOf is the class an entry of this read is counted under: its own in an Any read, the
// class asked for otherwise.
func (cr *classResult) classOf(d *snapshot.RisDevice) string {
	if cr.tracked != nil {
		return d.DeviceClass
	}
	return cr.class
}

// entriesByGroup counts an answer's entries per planner group: the class (see classOf), or
// the class's group of AXL names that never registered (never, see neverRegistered).
func (cr *classResult) entriesByGroup(ans *risport.Answer, never map[string]struct{}) map[string]int {
	out := map[string]int{}
	for _, nd := range ans.Nodes {
		for i := range nd.Devices {
			d := &nd.Devices[i]
			g := cr.classOf(d)
			if _, ok := never[strings.ToUpper(d.Name)]; ok {
				g += neverGroup
			}
			out[g]++
		}
	}
	return out
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
			if d.Name == "" || cr.tracked != nil && !cr.tracked[d.DeviceClass] {
				continue
			}
			d.Node = name
			if !r.storeOnce(name, d.Name) {
				continue
			}
			batch = append(batch, d)
			na.Devices++
			st.stored++
			cr.records++
			if cr.perClass != nil {
				cr.perClass[d.DeviceClass]++
			}
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

// storeOnce reports whether the entry of device name on node is new, and notes it: a device
// is stored once per node that lists it, however many answers list it.
func (r *run) storeOnce(node, name string) bool {
	ni, ok := r.nodeIndex[node]
	if !ok {
		ni = len(r.nodeIndex)
		r.nodeIndex[node] = ni
	}
	nodes, known := r.seen[name]
	if ni < 64 {
		if nodes&(1<<ni) != 0 {
			return false
		}
		nodes |= 1 << ni
	} else {
		key := node + "\x00" + name
		if _, dup := r.storedMore[key]; dup {
			return false
		}
		r.storedMore[key] = struct{}{}
	}
	if !known {
		// A copy: the name shares one string with the device's other values (risport's fast
		// path), which the map would keep for the whole collection.
		name = strings.Clone(name)
	}
	r.seen[name] = nodes
	r.entries++
	return true
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
	classErr := r.readRis(ctx, cr, r.devicesOK && len(r.axlByRis[class]) >= r.cuts.cap)
	if classErr != nil {
		if fatal(ctx, classErr) {
			return classErr
		}
		r.c.log.Warn("RisPort class incomplete", "class", class, "err", classErr)
		classErr = fmt.Errorf("RisPort %s query failed: %w", class, classErr)
	}
	if err := r.store(ctx, cr, classErr); err != nil {
		return err
	}
	return r.coverage(ctx, snapshot.SourceRisPort, snapshot.ClassItem(class), cr.records, classErr)
}

// readRis reads what cr stands for (one class, or every class: Any): with one wildcard query
// unless big, then by name prefixes when that answer was cut or the reading was big from the
// start. It returns why the reading is incomplete (nil when it is not), or a fatal error.
func (r *run) readRis(ctx context.Context, cr *classResult, big bool) error {
	ratio := 0.0 // entries per distinct name in a wildcard answer; 0 = no sample
	ignoredBefore := r.cuts.ignored
	if !big {
		ans, err := r.c.ris.SelectCmDevice(ctx, risport.Criteria{Class: cr.class, Items: []string{"*"}, MaxDevices: r.c.cfg.RisMaxDevices})
		r.answered()
		if err != nil {
			return err
		}
		big = r.cuts.cut(ans, r.c.log)
		r.record(cr, ans, big)
		ratio = entriesPerName(ans)
	}
	if big {
		if err := r.byPrefix(ctx, cr, ratio); err != nil {
			return err
		}
	}
	if n := r.cuts.ignored - ignoredBefore; n > 0 {
		return fmt.Errorf("%d answers said they were cut below the %d devices asked for, at sizes that match no cap the cluster showed; what they left out was not read", n, r.c.cfg.RisMaxDevices)
	}
	return nil
}

// store waits until cr's rows are written, stores its node answers and notes a collection
// deadline that stopped the reading.
func (r *run) store(ctx context.Context, cr *classResult, readErr error) error {
	if err := r.flush(); err != nil {
		return err
	}
	if err := r.addNodeAnswers(ctx, cr); err != nil {
		return err
	}
	if de := (*soap.DeadlineError)(nil); errors.As(readErr, &de) {
		r.risDeadline = true
	}
	return nil
}

// risAll reads every class at once (DeviceClass Any, which CUCM answers with the devices of
// every class): one wildcard query when the cluster fits one answer, name prefixes sized to the
// cap otherwise, so that small classes and the remainders of big ones share answers and the
// requests approach ⌈entries ÷ cap⌉. Entries of classes the collector does not track (Unknown)
// count against the cap and are planned for, but not stored. It reports perClass when the
// cluster refused the first Any request with a SOAP fault (nothing was read): the classes are
// then read one by one, each with its own coverage.
func (r *run) risAll(ctx context.Context, classes []string) (perClass bool, err error) {
	cr := &classResult{class: risport.ClassAny, answers: map[string]*snapshot.NodeAnswer{},
		tracked: map[string]bool{}, perClass: map[string]int{}}
	names := 0
	for _, cl := range classes {
		cr.tracked[cl] = true
		names += len(r.axlByRis[cl])
	}
	r.estClass, r.estLater = 1+names/r.c.cfg.RisMaxDevices, 0
	readErr := r.readRis(ctx, cr, names >= r.cuts.cap)
	r.estClass = 0
	if readErr != nil {
		if fatal(ctx, readErr) {
			return false, readErr
		}
		if f := (*soap.Fault)(nil); errors.As(readErr, &f) && !risport.IsRateControl(f) && cr.records == 0 && len(cr.answers) == 0 {
			r.c.log.Warn("RisPort refused DeviceClass Any: reading class by class", "err", readErr)
			return true, nil
		}
		r.c.log.Warn("RisPort reading incomplete", "err", readErr)
	}
	if err := r.store(ctx, cr, readErr); err != nil {
		return false, err
	}
	for _, cl := range classes {
		var classErr error
		if readErr != nil {
			classErr = fmt.Errorf("RisPort %s query failed: %w", cl, readErr)
		}
		if err := r.coverage(ctx, snapshot.SourceRisPort, snapshot.ClassItem(cl), cr.perClass[cl], classErr); err != nil {
			return false, err
		}
	}
	return false, nil
}

// addNodeAnswers stores what each node answered to a class's (or Any's) queries.
func (r *run) addNodeAnswers(ctx context.Context, cr *classResult) error {
	for _, n := range slices.Sorted(maps.Keys(cr.answers)) {
		if err := r.w.AddNodeAnswer(ctx, *cr.answers[n]); err != nil {
			return err
		}
	}
	return nil
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

// neverGroup marks the planner group of a class's AXL names that registrationdynamic does not
// list: devices that never registered, which RisPort rarely lists.
const neverGroup = " (never registered)"

// learnNever sets never (see neverRegistered) from registrationdynamic, when it was read
// completely, and lets go of what it was learned from.
func (r *run) learnNever() {
	if r.registeredOK && len(r.registered) > 0 {
		r.never = map[string]struct{}{}
		for cl, list := range r.axlByRis {
			pkids := r.axlPKIDs[cl]
			if len(pkids) != len(list) {
				continue
			}
			for i, n := range list {
				if _, ok := r.registered[pkids[i]]; !ok {
					r.never[strings.ToUpper(n)] = struct{}{}
				}
			}
		}
	}
	r.registered, r.axlPKIDs = nil, nil
}

// neverRegistered splits names (AXL names per class) in place by what registrationdynamic
// says (learnNever): the names of devices it does not list move to the class's group
// class+neverGroup. Which AXL names RisPort lists is otherwise a coin toss per name for the
// planner, and the margin that keeps answers under the cap grows with it; with the groups
// apart, the planner learns how many entries each brings (whatever the cluster's
// registrationdynamic is worth: stale rows of devices long gone only bring the groups' ratios
// closer). It returns the upper-case names of the groups apart, for counting answers by group.
func (r *run) neverRegistered(names map[string][]string) map[string]struct{} {
	if r.never == nil {
		return nil
	}
	for _, cl := range slices.Collect(maps.Keys(names)) {
		list := names[cl]
		var reg, not []string
		for _, n := range list {
			if _, ok := r.never[strings.ToUpper(n)]; ok {
				not = append(not, n)
			} else {
				reg = append(reg, n)
			}
		}
		names[cl] = reg
		if len(not) > 0 {
			names[cl+neverGroup] = not
		}
	}
	return r.never
}

// pkidKey is a 64-bit hash of a pkid, case-insensitive (CUCM's pkids are UUIDs, in lower
// case; a reference to one may not be): it keys the planner's predictor in a few bytes per
// device. A collision only moves a name between planner groups, never what is read.
func pkidKey(pkid string) uint64 {
	h := uint64(14695981039346656037) // FNV-1a
	for i := 0; i < len(pkid); i++ {
		c := pkid[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h
}

// risInFlight is how many RisPort requests of one class may be under way at once: the limiter
// still decides when each starts; overlapping them lets one answer be decoded and stored while
// CUCM builds the next.
const risInFlight = 3

// byPrefix reads a class (or every class: Any) by name prefixes planned from AXL's names per
// class (when AXL could list them) and ratio, the entries per name of a capped wildcard answer
// (0 when there was none).
func (r *run) byPrefix(ctx context.Context, cr *classResult, ratio float64) error {
	names := map[string][]string{}
	switch {
	case !r.devicesOK:
		r.c.log.Warn("the AXL device list is incomplete: planning RisPort prefixes from answers alone (more requests)", "class", cr.class)
	case cr.tracked != nil:
		for cl := range cr.tracked {
			names[cl] = r.axlByRis[cl]
		}
	default:
		names[cr.class] = r.axlByRis[cr.class]
	}
	never := r.neverRegistered(names)
	maxDev := r.c.cfg.RisMaxDevices
	plan := newPrefixPlanner(names, r.cuts.cap, ratio)
	r.c.log.Debug("RisPort prefix plan ready", "class", cr.class, "after", time.Since(r.risStart).Round(time.Millisecond))

	type result struct {
		req        prefixRequest
		ans        *risport.Answer
		err        error
		start, end time.Time
	}
	qctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make(chan result, risInFlight)
	inFlight := 0
	unsure := false
	var firstErr error
	for {
		// A request whose estimate is a guess (no answer has shown yet how many entries its
		// names bring) goes alone: the next ones are planned from its answer. So does the
		// tail, after the answers under way (see tail).
		for firstErr == nil && inFlight < risInFlight && !unsure && plan.more() && (inFlight == 0 || !plan.tail()) {
			req := plan.next()
			unsure = req.unsure
			inFlight++
			go func() {
				start := time.Now()
				ans, err := r.c.ris.SelectCmDevice(qctx, risport.Criteria{Class: cr.class, Items: req.items, MaxDevices: maxDev})
				results <- result{req, ans, err, start, time.Now()}
			}()
		}
		if inFlight == 0 {
			return firstErr
		}
		res := <-results
		inFlight--
		if inFlight == 0 {
			unsure = false
		}
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
				"expected", int(res.req.expected), "axl_names", res.req.axlNames, "entries", res.ans.Entries(), "cut", cut,
				"unsure", res.req.unsure, "start", res.start.Sub(r.risStart).Round(time.Millisecond), "end", res.end.Sub(r.risStart).Round(time.Millisecond))
			plan.setCap(r.cuts.cap)
			if cut {
				if err := plan.atCap(res.req); err != nil {
					firstErr = err
					cancel()
				}
			} else {
				plan.answered(res.req, cr.entriesByGroup(res.ans, never))
			}
			r.estClass = inFlight + plan.remaining()
		}
	}
}
