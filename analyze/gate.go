package analyze

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

// gate decides whether a rule's required inputs were read completely. It is the guard against
// the worst bug this product can have: a false orphan computed from a RisPort pass that failed.
type gate struct {
	cov       map[string]snapshot.Coverage // "source/item"
	classes   []string                     // RisPort classes with a coverage record or AXL devices
	nodes     []string                     // RisPort nodes with a coverage record
	axlNodes  []string                     // active Unified CM nodes in AXL, when the AXL node list is complete
	badAnswer map[string][]string          // class -> "node answered CODE"
}

func newGate(ctx context.Context, store *snapshot.Store, id int64, cov []snapshot.Coverage) (*gate, error) {
	g := &gate{cov: map[string]snapshot.Coverage{}, badAnswer: map[string][]string{}}
	for _, c := range cov {
		g.cov[c.Source+"/"+c.Item] = c
		if c.Source != snapshot.SourceRisPort {
			continue
		}
		if cl, ok := strings.CutPrefix(c.Item, "class:"); ok {
			g.classes = append(g.classes, cl)
		}
		if n, ok := strings.CutPrefix(c.Item, "node:"); ok {
			g.nodes = append(g.nodes, n)
		}
	}
	// Every RisPort class AXL has devices of must have been read for "risport:*".
	classes, err := store.RisClasses(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, cl := range classes {
		if !slices.Contains(g.classes, cl) {
			g.classes = append(g.classes, cl)
		}
	}
	sort.Strings(g.classes)
	if c, ok := g.cov["axl/nodes"]; ok && c.Complete {
		nodes, err := store.Nodes(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, n := range nodes {
			if n.IsActive && n.Role == snapshot.RoleUnifiedCM {
				g.axlNodes = append(g.axlNodes, n.Name)
			}
		}
	}
	answers, err := store.FailedAnswers(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, a := range answers {
		g.badAnswer[a.DeviceClass] = append(g.badAnswer[a.DeviceClass], fmt.Sprintf("risport node %s answered %s for class %s", a.Node, a.ReturnCode, a.DeviceClass))
	}
	return g, nil
}

// anyClass is the RisPort DeviceClass that selects every class.
const anyClass = "Any"

// check returns "" when every requirement is met, else why not, naming each coverage item.
func (g *gate) check(requires []string) string {
	var reasons []string
	add := func(r string) {
		for _, x := range reasons {
			if x == r {
				return
			}
		}
		reasons = append(reasons, r)
	}
	item := func(source, it string) {
		c, ok := g.cov[source+"/"+it]
		switch {
		case !ok:
			add(fmt.Sprintf("%s %s was not read (no coverage record)", source, it))
		case !c.Complete:
			why := c.Reason
			if why == "" {
				why = "incomplete"
			}
			add(fmt.Sprintf("%s %s incomplete: %s", source, it, why))
		}
	}
	for _, req := range requires {
		src, it, _ := strings.Cut(req, ":")
		if src == "axl" {
			item(snapshot.SourceAXL, it)
			continue
		}
		classes := []string{it}
		if it == "*" {
			classes = g.classes
			if len(classes) == 0 {
				add("risport was not read (no class coverage record)")
			}
		}
		for _, cl := range classes {
			item(snapshot.SourceRisPort, snapshot.ClassItem(cl))
		}
		if len(g.nodes) == 0 {
			add("risport nodes: no node coverage record, so it is unknown whether every node answered")
		}
		for _, n := range g.nodes {
			item(snapshot.SourceRisPort, snapshot.NodeItem(n))
		}
		for _, n := range g.axlNodes {
			if _, ok := g.cov[snapshot.SourceRisPort+"/"+snapshot.NodeItem(n)]; !ok {
				add(fmt.Sprintf("risport node:%s (a node in AXL) was not read (no coverage record)", n))
			}
		}
		for _, cl := range classes {
			for _, b := range g.badAnswer[cl] {
				add(b)
			}
			// A read with DeviceClass Any covers every class: its failed answer leaves each
			// class unknown on that node.
			if cl != anyClass {
				for _, b := range g.badAnswer[anyClass] {
					add(b)
				}
			}
		}
	}
	if len(reasons) > 6 {
		reasons = append(reasons[:6], fmt.Sprintf("and %d more", len(reasons)-6))
	}
	return strings.Join(reasons, "; ")
}
