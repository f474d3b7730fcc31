package collect

import (
	"github.com/cucm-audit/cucm-audit/collect/risport"
)

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
