package cucmsim

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

var ouiRE = regexp.MustCompile(`^[0-9A-F]{6}$`)

// validator collects errors that name the file, the line and the field.
type validator struct {
	file string
	root *yaml.Node
	errs []string
}

// errorf reports an error at path (keys and indexes into the document).
func (v *validator) errorf(path []any, format string, args ...any) {
	field := pathString(path)
	msg := fmt.Sprintf(format, args...)
	if line := lineOf(v.root, path); line > 0 {
		v.errs = append(v.errs, fmt.Sprintf("%s:%d: %s: %s", v.file, line, field, msg))
		return
	}
	v.errs = append(v.errs, fmt.Sprintf("%s: %s", field, msg))
}

func pathString(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch p := p.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p)
		case int:
			fmt.Fprintf(&b, "[%d]", p)
		}
	}
	return b.String()
}

// lineOf finds the line of the deepest node of path that exists in the document.
func lineOf(root *yaml.Node, path []any) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, p := range path {
		var next *yaml.Node
		switch p := p.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == p {
						line = n.Content[i].Line
						next = n.Content[i+1]
						break
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && p < len(n.Content) {
				next = n.Content[p]
				line = next.Line
			}
		}
		if next == nil {
			return line
		}
		n = next
	}
	return line
}

var versionRE = regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+\(\d+\)$`)

func (v *validator) scenario(sc *Scenario) {
	if sc.Cluster.Name == "" {
		v.errorf([]any{"cluster", "name"}, "missing: name the cluster")
	}
	if sc.Cluster.ID == "" {
		sc.Cluster.ID = sc.Cluster.Name
	}
	if sc.Cluster.Domain == "" {
		sc.Cluster.Domain = "example.com"
	}
	if !versionRE.MatchString(sc.Version) {
		v.errorf([]any{"version"}, "%q is not a CUCM version like 15.0.1.12900(234)", sc.Version)
	}
	for i, av := range sc.AXLVersions {
		if _, err := strconv.ParseFloat(av, 64); err != nil || !strings.Contains(av, ".") {
			v.errorf([]any{"axl_versions", i}, "%q is not an AXL schema version like 15.0", av)
		}
	}
	if sc.Credentials.User == "" || sc.Credentials.Password == "" {
		v.errorf([]any{"credentials"}, "user and password must both be set")
	}

	// Nodes.
	nodes := map[string]bool{} // Unified CM nodes: the only ones in CallManager groups and RisPort
	allNodes := map[string]bool{}
	pubs := 0
	if len(sc.Nodes) == 0 {
		v.errorf([]any{"nodes"}, "missing: list at least the publisher")
	}
	for i, n := range sc.Nodes {
		p := []any{"nodes", i}
		if n.Name == "" {
			v.errorf(append(p, "name"), "missing")
		} else if allNodes[n.Name] {
			v.errorf(append(p, "name"), "duplicate node %q", n.Name)
		}
		allNodes[n.Name] = true
		switch n.Role {
		case "publisher":
			pubs++
			nodes[n.Name] = true
		case "subscriber":
			nodes[n.Name] = true
		case "im_and_presence":
		default:
			v.errorf(append(p, "role"), "%q is not publisher, subscriber or im_and_presence", n.Role)
		}
	}
	if len(sc.Nodes) > 0 && pubs != 1 {
		v.errorf([]any{"nodes"}, "want exactly one publisher, have %d", pubs)
	}

	groups := map[string]bool{}
	for i, g := range sc.CMGroups {
		p := []any{"cm_groups", i}
		if g.Name == "" || groups[g.Name] {
			v.errorf(append(p, "name"), "missing or duplicate name %q", g.Name)
		}
		groups[g.Name] = true
		if len(g.Nodes) == 0 || len(g.Nodes) > 3 {
			v.errorf(append(p, "nodes"), "a CallManager group has 1 to 3 nodes, have %d", len(g.Nodes))
		}
		for j, n := range g.Nodes {
			if allNodes[n] && !nodes[n] {
				v.errorf(append(p, "nodes", j), "node %q is an IM and Presence node: it runs no call processing", n)
			} else if !nodes[n] {
				v.errorf(append(p, "nodes", j), "unknown node %q", n)
			}
		}
	}
	locations := map[string]bool{"Hub_None": true}
	for _, l := range sc.Locations {
		locations[l] = true
	}
	pools := map[string]bool{}
	for i, d := range sc.DevicePools {
		p := []any{"device_pools", i}
		if d.Name == "" || pools[d.Name] {
			v.errorf(append(p, "name"), "missing or duplicate name %q", d.Name)
		}
		pools[d.Name] = true
		if !groups[d.CMGroup] {
			v.errorf(append(p, "cm_group"), "unknown CallManager group %q", d.CMGroup)
		}
		if d.Location != "" && !locations[d.Location] {
			v.errorf(append(p, "location"), "unknown location %q", d.Location)
		}
	}
	parts := map[string]bool{}
	for i, pt := range sc.Partitions {
		if pt == "" || parts[pt] {
			v.errorf([]any{"partitions", i}, "missing or duplicate partition %q", pt)
		}
		parts[pt] = true
	}
	css := map[string]bool{}
	for i, c := range sc.CallingSearchSpaces {
		p := []any{"calling_search_spaces", i}
		if c.Name == "" || css[c.Name] {
			v.errorf(append(p, "name"), "missing or duplicate name %q", c.Name)
		}
		css[c.Name] = true
		for j, pt := range c.Partitions {
			if !parts[pt] {
				v.errorf(append(p, "partitions", j), "unknown partition %q", pt)
			}
		}
	}
	if sc.Users.Extra < 0 {
		v.errorf([]any{"users", "extra"}, "negative count %d", sc.Users.Extra)
	}
	if sc.Users.InactiveOwners < 0 {
		v.errorf([]any{"users", "inactive_owners"}, "negative count %d", sc.Users.InactiveOwners)
	}
	if u := sc.UnassignedDNs; u.Count < 0 {
		v.errorf([]any{"unassigned_dns", "count"}, "negative count %d", u.Count)
	} else if u.Partition != "" && !parts[u.Partition] {
		v.errorf([]any{"unassigned_dns", "partition"}, "unknown partition %q", u.Partition)
	}

	for i := range sc.DeviceGroups {
		v.group(sc, i, nodes, pools, parts, css)
	}
	for i := range sc.Devices {
		v.device(sc, i, nodes, pools, parts, css)
	}
	v.fidelity(sc, pools, parts, css)
	v.faults(&sc.Faults, nodes, []any{"faults"})
}

func (v *validator) group(sc *Scenario, i int, nodes, pools, parts, css map[string]bool) {
	g := &sc.DeviceGroups[i]
	p := []any{"device_groups", i}
	if g.Name == "" {
		v.errorf(append(p, "name"), "missing")
	}
	if !knownRisClass(g.Class) {
		v.errorf(append(p, "class"), "unknown class %q (want one of %s)", g.Class, strings.Join(risClasses, ", "))
		return
	}
	if g.Count < 0 {
		v.errorf(append(p, "count"), "negative count %d", g.Count)
		return
	}
	if len(g.Names) > g.Count {
		v.errorf(append(p, "names"), "%d names for %d devices", len(g.Names), g.Count)
	}
	for k, o := range g.MACOUIs {
		if !ouiRE.MatchString(o) {
			v.errorf(append(p, "mac_ouis", k), "%q is not an OUI of 6 hex digits", o)
		}
	}
	if len(g.Names) < g.Count && g.NamePattern == "" {
		if g.Class != "Phone" {
			v.errorf(append(p, "name_pattern"), "missing: give names or a name_pattern for %d devices", g.Count)
		}
		g.NamePattern = "SEP{mac}"
	}
	if len(g.Models) == 0 {
		if m := defaultModel(g.Class); m != "" {
			g.Models = []Model{{Model: m, Weight: 1}}
		} else {
			v.errorf(append(p, "models"), "missing: list the models of the group")
		}
	}
	for j := range g.Models {
		m := &g.Models[j]
		mp := append(append([]any{}, p...), "models", j)
		info, ok := modelByName(m.Model)
		switch {
		case !ok:
			v.errorf(append(mp, "model"), "unknown model %q", m.Model)
		case info.risClass != g.Class:
			v.errorf(append(mp, "model"), "model %q is class %s, not %s", m.Model, info.risClass, g.Class)
		}
		if m.Weight < 0 {
			v.errorf(append(mp, "weight"), "negative weight %d", m.Weight)
		}
		if m.Weight == 0 {
			m.Weight = 1
		}
		for k := range m.Loads {
			if m.Loads[k].Weight < 0 {
				v.errorf(append(mp, "loads", k, "weight"), "negative weight %d", m.Loads[k].Weight)
			}
			if m.Loads[k].Weight == 0 {
				m.Loads[k].Weight = 1
			}
		}
	}
	if g.Protocol != "" {
		if _, _, ok := protocolByName(g.Protocol); !ok {
			v.errorf(append(p, "protocol"), "unknown protocol %q", g.Protocol)
		}
	}
	if len(g.DevicePools) == 0 {
		v.errorf(append(p, "device_pools"), "missing: list at least one device pool")
	}
	for j, dp := range g.DevicePools {
		if !pools[dp] {
			v.errorf(append(p, "device_pools", j), "unknown device pool %q", dp)
		}
	}
	if g.CSS != "" && !css[g.CSS] {
		v.errorf(append(p, "calling_search_space"), "unknown calling search space %q", g.CSS)
	}
	if g.Partition != "" && !parts[g.Partition] {
		v.errorf(append(p, "partition"), "unknown partition %q", g.Partition)
	}
	if g.OwnerFraction < 0 || g.OwnerFraction > 1 {
		v.errorf(append(p, "owner_fraction"), "%v is not between 0 and 1", g.OwnerFraction)
	}
	if g.ExtraLineFraction < 0 || g.ExtraLineFraction > 1 {
		v.errorf(append(p, "extra_line_fraction"), "%v is not between 0 and 1", g.ExtraLineFraction)
	}
	if g.Lines < 0 {
		v.errorf(append(p, "lines"), "negative count %d", g.Lines)
	}
	if g.NoLine < 0 || g.NoLine > g.Count {
		v.errorf(append(p, "no_line"), "%d is not between 0 and count %d", g.NoLine, g.Count)
	}
	r := &g.RisPort
	rp := append(append([]any{}, p...), "risport")
	for _, f := range []struct {
		name string
		n    int
	}{{"seen", r.Seen}, {"registered", r.Registered}, {"unregistered", r.UnRegistered}, {"rejected", r.Rejected},
		{"partially_registered", r.PartiallyRegistered}, {"unknown", r.Unknown}, {"failed_over", r.FailedOver}, {"duplicated", r.Duplicated},
		{"unregistered_spread_days", r.UnregisteredSpreadDays}} {
		if f.n < 0 {
			v.errorf(append(rp, f.name), "negative count %d", f.n)
			return
		}
	}
	if r.Seen > g.Count {
		v.errorf(append(rp, "seen"), "%d seen but the group has only %d devices", r.Seen, g.Count)
	}
	if sum := r.Registered + r.UnRegistered + r.Rejected + r.PartiallyRegistered + r.Unknown; sum != r.Seen {
		v.errorf(rp, "registered+unregistered+rejected+partially_registered+unknown = %d, want seen = %d", sum, r.Seen)
	}
	if r.Unknown < 0 {
		v.errorf(append(rp, "unknown"), "negative count %d", r.Unknown)
	}
	ra := g.RunOnAllNodes
	switch {
	case ra.Count < 0 || ra.Count > g.Count:
		v.errorf(append(p, "run_on_all_nodes", "count"), "%d is not between 0 and count %d", ra.Count, g.Count)
	case ra.Count > 0 && g.Class != "SIPTrunk":
		v.errorf(append(p, "run_on_all_nodes"), "only SIP trunks run on all nodes, not class %s", g.Class)
	}
	switch ra.RisPort {
	case "":
		g.RunOnAllNodes.RisPort = "one_node"
	case "one_node", "every_node":
	default:
		v.errorf(append(p, "run_on_all_nodes", "risport"), "%q is not one_node or every_node", ra.RisPort)
	}
	if g.MGCPCMGroup != "" {
		if g.Class != "Gateway" || g.Protocol != "MGCP" {
			v.errorf(append(p, "mgcp_cm_group"), "only MGCP gateway groups have an MGCP CallManager group")
		} else if !slices.ContainsFunc(sc.CMGroups, func(c CMGroup) bool { return c.Name == g.MGCPCMGroup }) {
			v.errorf(append(p, "mgcp_cm_group"), "unknown CallManager group %q", g.MGCPCMGroup)
		}
	}
	if g.NoLineGroup < 0 || g.NoLineGroup > g.Count {
		v.errorf(append(p, "no_line_group"), "%d is not between 0 and count %d", g.NoLineGroup, g.Count)
	} else if g.NoLineGroup > 0 && g.Class != "HuntList" {
		v.errorf(append(p, "no_line_group"), "only hunt lists have line groups, not class %s", g.Class)
	}
	if r.FailedOver > r.Registered {
		v.errorf(append(rp, "failed_over"), "%d failed over but only %d registered", r.FailedOver, r.Registered)
	}
	if r.Duplicated > r.Seen {
		v.errorf(append(rp, "duplicated"), "%d duplicated but only %d seen", r.Duplicated, r.Seen)
	}
	if (r.FailedOver > 0 || r.Duplicated > 0) && len(nodes) < 2 {
		v.errorf(rp, "failed_over and duplicated need at least two nodes")
	}
	for _, rs := range []struct {
		name string
		list []Reason
	}{{"unregistered_reasons", r.UnregisteredReasons}, {"rejected_reasons", r.RejectedReasons}} {
		for k, reason := range rs.list {
			if _, ok := snapshot.StatusReason(reason.Code); !ok {
				v.errorf(append(rp, rs.name, k, "code"), "unknown StatusReason %d", reason.Code)
			}
			if reason.Weight < 0 {
				v.errorf(append(rp, rs.name, k, "weight"), "negative weight %d", reason.Weight)
			}
		}
	}
	if r.UnregisteredSpreadDays == 0 {
		r.UnregisteredSpreadDays = 30
	}
}

var risStatuses = snapshot.RegStatuses()

func (v *validator) device(sc *Scenario, i int, nodes, pools, parts, css map[string]bool) {
	d := &sc.Devices[i]
	p := []any{"devices", i}
	if d.Name == "" {
		v.errorf(append(p, "name"), "missing")
	}
	if d.Class == "" {
		d.Class = "Phone"
	}
	if !knownRisClass(d.Class) {
		v.errorf(append(p, "class"), "unknown class %q (want one of %s)", d.Class, strings.Join(risClasses, ", "))
		return
	}
	if d.Model == "" {
		d.Model = defaultModel(d.Class)
		if d.Class == "Phone" {
			d.Model = "Cisco 8845"
		}
	}
	if info, ok := modelByName(d.Model); !ok {
		v.errorf(append(p, "model"), "unknown model %q", d.Model)
	} else if info.risClass != d.Class {
		v.errorf(append(p, "model"), "model %q is class %s, not %s", d.Model, info.risClass, d.Class)
	}
	if d.Protocol != "" {
		if _, _, ok := protocolByName(d.Protocol); !ok {
			v.errorf(append(p, "protocol"), "unknown protocol %q", d.Protocol)
		}
	}
	if !pools[d.DevicePool] {
		v.errorf(append(p, "device_pool"), "unknown device pool %q", d.DevicePool)
	}
	if d.CSS != "" && !css[d.CSS] {
		v.errorf(append(p, "calling_search_space"), "unknown calling search space %q", d.CSS)
	}
	if d.Partition != "" && !parts[d.Partition] {
		v.errorf(append(p, "partition"), "unknown partition %q", d.Partition)
	}
	for j, e := range d.RisPort {
		ep := append(append([]any{}, p...), "risport", j)
		if !nodes[e.Node] {
			v.errorf(append(ep, "node"), "unknown node %q", e.Node)
		}
		if !slices.Contains(risStatuses, e.Status) {
			v.errorf(append(ep, "status"), "unknown status %q (want one of %s)", e.Status, strings.Join(risStatuses, ", "))
		}
		if e.TimeStamp < 0 {
			v.errorf(append(ep, "timestamp"), "negative timestamp %d", e.TimeStamp)
		}
	}
}

func (v *validator) faults(f *Faults, nodes map[string]bool, p []any) {
	if f.RisPortRateLimit < 0 {
		v.errorf(append(p, "risport_rate_limit"), "negative limit %d (0 disables the limit)", f.RisPortRateLimit)
	}
	if f.RisPortRateWindow <= 0 {
		v.errorf(append(p, "risport_rate_window"), "window %v must be positive", f.RisPortRateWindow)
	}
	if f.RisPortMaxDevices <= 0 {
		v.errorf(append(p, "risport_max_devices"), "cap %d must be positive", f.RisPortMaxDevices)
	}
	switch f.RisPortEmptyNodes {
	case "":
		f.RisPortEmptyNodes = "notfound"
	case "nil", "notfound":
	default:
		v.errorf(append(p, "risport_empty_nodes"), "%q is not nil or notfound", f.RisPortEmptyNodes)
	}
	for _, l := range []struct {
		name string
		list []string
	}{{"nodes_not_responding", f.NodesNotResponding}, {"nodes_not_found", f.NodesNotFound}, {"nodes_silent", f.NodesSilent}} {
		for j, n := range l.list {
			if !nodes[n] {
				v.errorf(append(p, l.name, j), "unknown node %q", n)
			}
		}
	}
	for j, c := range f.ClassesFailing {
		if !knownRisClass(c) {
			v.errorf(append(p, "classes_failing", j), "unknown class %q (want one of %s)", c, strings.Join(risClasses, ", "))
		}
	}
	for _, r := range []struct {
		name string
		x    float64
	}{{"http_503_rate", f.HTTP503Rate}, {"truncate_body_rate", f.TruncateBodyRate}, {"html_error_rate", f.HTMLErrorRate}, {"axl_memory_fault_rate", f.AXLMemoryFaultRate}} {
		if r.x < 0 || r.x > 1 {
			v.errorf(append(p, r.name), "%v is not between 0 and 1", r.x)
		}
	}
	for _, d := range []struct {
		name string
		d    time.Duration
	}{{"slow_response", f.SlowResponse}, {"axl_session_timeout", f.AXLSessionTimeout}} {
		if d.d < 0 {
			v.errorf(append(p, d.name), "negative duration %v", d.d)
		}
	}
	for _, n := range []struct {
		name string
		n    int
	}{{"http_503_burst", f.HTTP503Burst}, {"axl_max_rows", f.AXLMaxRows}, {"axl_max_bytes", f.AXLMaxBytes}} {
		if n.n < 0 {
			v.errorf(append(p, n.name), "negative value %d", n.n)
		}
	}
}
