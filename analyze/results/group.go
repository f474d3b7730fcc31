package results

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

// deviceAttrs are the device attributes a rule may group by without selecting them: Assemble
// looks them up by the finding's entity. "mgcp_gateway" falls back to the part of the entity
// after '@' (an MGCP endpoint is named AALN/S0/SU0/0@gateway).
var deviceAttrs = []string{"device_pool", "location", "owner", "node", "model", "protocol", "mgcp_gateway", "class", "load"}

// countable are the attributes whose population Assemble counts (FindingGroup.Of).
var countable = map[string]string{
	"device_pool": "device_pool", "location": "location", "owner": "owner", "model": "model",
	"protocol": "protocol", "mgcp_gateway": "mgcp_gateway", "class": "class",
}

// GroupContext lists the device attributes a rule's group_by may name besides its query's
// columns.
func GroupContext() []string { return append([]string(nil), deviceAttrs...) }

// device is what the snapshot knows of one device, by name.
type device struct {
	where                      Where
	protocol, mgcpGateway, cls string
	load                       string
}

func (d device) attr(name string) string {
	switch name {
	case "device_pool":
		return d.where.DevicePool
	case "location":
		return d.where.Location
	case "owner":
		return d.where.Owner
	case "node":
		return d.where.Node
	case "model":
		return d.where.Model
	case "protocol":
		return d.protocol
	case "mgcp_gateway":
		return d.mgcpGateway
	case "class":
		return d.cls
	case "load":
		return d.load
	}
	return ""
}

// devicesByName reads the AXL and RisPort facts of the named devices of one snapshot.
func devicesByName(ctx context.Context, store *snapshot.Store, id int64, names map[string]bool) (map[string]device, error) {
	out := map[string]device{}
	if len(names) == 0 {
		return out, nil
	}
	rows, err := store.DB().QueryContext(ctx, `
SELECT d.name, d.device_pool, COALESCE(NULLIF(d.location, ''), dp.location, ''), d.owner, d.model,
       d.description, d.protocol, d.mgcp_gateway, d.class
FROM axl_device d LEFT JOIN axl_device_pool dp ON dp.snapshot_id = d.snapshot_id AND dp.name = d.device_pool
WHERE d.snapshot_id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("reading devices of snapshot %d: %w", id, err)
	}
	for rows.Next() {
		var name string
		var d device
		if err := rows.Scan(&name, &d.where.DevicePool, &d.where.Location, &d.where.Owner, &d.where.Model,
			&d.where.Description, &d.protocol, &d.mgcpGateway, &d.cls); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading devices of snapshot %d: %w", id, err)
		}
		if names[name] {
			out[name] = d
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading devices of snapshot %d: %w", id, err)
	}
	// The node a device is on: a registered answer first, then the newest.
	rows, err = store.DB().QueryContext(ctx, `
SELECT name, node, ipv4, active_load, description, device_class FROM ris_device WHERE snapshot_id = ?
ORDER BY name, (status = 'Registered') DESC, timestamp DESC, node`, id)
	if err != nil {
		return nil, fmt.Errorf("reading registrations of snapshot %d: %w", id, err)
	}
	defer rows.Close()
	last := ""
	for rows.Next() {
		var name, node, ip, load, desc, cls string
		if err := rows.Scan(&name, &node, &ip, &load, &desc, &cls); err != nil {
			return nil, fmt.Errorf("reading registrations of snapshot %d: %w", id, err)
		}
		if name == last || !names[name] {
			continue
		}
		last = name
		d, ok := out[name]
		d.where.Node, d.where.IP, d.load = node, ip, load
		if !ok {
			d.where.Description, d.cls = desc, cls
		}
		out[name] = d
	}
	return out, rows.Err()
}

// attrCounts counts the configured devices of one snapshot per value of a countable attribute.
func attrCounts(ctx context.Context, store *snapshot.Store, id int64, attr string) (map[string]int, error) {
	col, ok := countable[attr]
	if !ok {
		return nil, nil
	}
	rows, err := store.DB().QueryContext(ctx, "SELECT "+col+", COUNT(*) FROM axl_device WHERE snapshot_id = ? GROUP BY "+col, id)
	if err != nil {
		return nil, fmt.Errorf("counting devices by %s: %w", attr, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var v string
		var n int
		if err := rows.Scan(&v, &n); err != nil {
			return nil, fmt.Errorf("counting devices by %s: %w", attr, err)
		}
		out[v] = n
	}
	return out, rows.Err()
}

// GroupMembersShown is how many member entities a FindingGroup names.
const GroupMembersShown = 5

// groupValue is the value of one group_by field for a finding: its evidence column, else the
// device attribute, else (mgcp_gateway) the part of the entity after '@'.
func groupValue(f Finding, name string, devs map[string]device) string {
	for _, e := range f.Evidence {
		if e.Name == name {
			return e.Value
		}
	}
	if d, ok := devs[f.Entity]; ok {
		if v := d.attr(name); v != "" {
			return v
		}
	}
	if name == "mgcp_gateway" {
		if i := strings.LastIndexByte(f.Entity, '@'); i >= 0 {
			return f.Entity[i+1:]
		}
	}
	return ""
}

// NoValue stands for an empty group field.
const NoValue = "(none)"

// GroupSection groups a section's findings by their evidence alone (no snapshot at hand):
// see groupFindings.
func GroupSection(sec *RuleSection) { groupFindings(sec, nil, nil) }

// groupFindings sets Finding.Group on every finding of sec by the rule's GroupBy fields and
// fills sec.Groups, largest first. devs and counts (per first field) may be nil.
func groupFindings(sec *RuleSection, devs map[string]device, counts map[string]int) {
	sec.Groups = nil
	if len(sec.Rule.GroupBy) == 0 {
		return
	}
	idx := map[string]int{}
	for i := range sec.Findings {
		f := &sec.Findings[i]
		fields := make([]Field, len(sec.Rule.GroupBy))
		vals := make([]string, len(sec.Rule.GroupBy))
		for j, g := range sec.Rule.GroupBy {
			v := groupValue(*f, g, devs)
			if v == "" {
				v = NoValue
			}
			fields[j] = Field{Name: g, Value: v}
			vals[j] = v
		}
		key := strings.Join(vals, " · ")
		f.Group = key
		gi, ok := idx[key]
		if !ok {
			gi = len(sec.Groups)
			idx[key] = gi
			g := FindingGroup{Key: key, Fields: fields, Members: []string{}}
			if counts != nil && fields[0].Value != NoValue {
				g.Of = counts[fields[0].Value]
			}
			sec.Groups = append(sec.Groups, g)
		}
		g := &sec.Groups[gi]
		g.Count++
		if len(g.Members) < GroupMembersShown {
			g.Members = append(g.Members, f.Entity)
		}
	}
	sort.SliceStable(sec.Groups, func(i, j int) bool {
		if sec.Groups[i].Count != sec.Groups[j].Count {
			return sec.Groups[i].Count > sec.Groups[j].Count
		}
		return sec.Groups[i].Key < sec.Groups[j].Key
	})
}

// locate fills Finding.Where for the findings whose entity is a known device.
func locate(fs []Finding, devs map[string]device) {
	for i := range fs {
		if d, ok := devs[fs[i].Entity]; ok {
			w := d.where
			fs[i].Where = &w
		}
	}
}

// enrichFindings locates every open and waived finding and groups every section's findings.
func enrichFindings(ctx context.Context, store *snapshot.Store, id int64, rep *Report) error {
	names := map[string]bool{}
	for _, s := range rep.Rules {
		for _, f := range s.Findings {
			names[f.Entity] = true
		}
	}
	for _, f := range rep.Waived {
		names[f.Entity] = true
	}
	devs, err := devicesByName(ctx, store, id, names)
	if err != nil {
		return err
	}
	counted := map[string]map[string]int{}
	for i := range rep.Rules {
		s := &rep.Rules[i]
		locate(s.Findings, devs)
		if len(s.Rule.GroupBy) == 0 {
			continue
		}
		first := s.Rule.GroupBy[0]
		if _, ok := counted[first]; !ok {
			if counted[first], err = attrCounts(ctx, store, id, first); err != nil {
				return err
			}
		}
		groupFindings(s, devs, counted[first])
	}
	locate(rep.Waived, devs)
	return nil
}

// GroupNoun names what a FindingGroup's Of counts, by the group's first field.
func GroupNoun(field string) string {
	switch field {
	case "mgcp_gateway":
		return "endpoints of the gateway"
	case "device_pool":
		return "devices in the pool"
	case "model":
		return "devices of the model"
	case "location":
		return "devices in the location"
	case "owner":
		return "devices of the user"
	case "protocol":
		return "devices on the protocol"
	case "class":
		return "devices of the class"
	}
	return "devices"
}
