package cucmsim

import (
	"slices"
	"strings"
)

// fidelity validates the dial plan, firmware, templates, software media resources and
// application users. Names of generated devices (route group members, pattern destinations,
// override groups) are checked when the cluster is built.
func (v *validator) fidelity(sc *Scenario, pools, parts, css map[string]bool) {
	dp := &sc.DialPlan
	p := []any{"dial_plan"}
	cssRef := func(path []any, name string) {
		if name != "" && !css[name] {
			v.errorf(path, "unknown calling search space %q", name)
		}
	}
	partRef := func(path []any, name string) {
		if name != "" && !parts[name] {
			v.errorf(path, "unknown partition %q", name)
		}
	}
	discardRef := func(path []any, name string) {
		if name != "" && !slices.Contains(digitDiscardInstructions, name) {
			v.errorf(path, "unknown discard digits instruction %q (want one of %s)", name, strings.Join(digitDiscardInstructions, ", "))
		}
	}
	cssRef(append(p, "line_css"), dp.LineCSS)
	cssRef([]any{"dial_plan", "forwarding", "css"}, dp.Forwarding.CSS)
	for i, r := range dp.LineCSSRanges {
		rp := []any{"dial_plan", "line_css_ranges", i}
		if r.CSS == "" {
			v.errorf(append(rp, "line_css"), "no line CSS")
		}
		cssRef(append(rp, "line_css"), r.CSS)
		if r.To < r.From {
			v.errorf(append(rp, "to"), "%d is below from (%d)", r.To, r.From)
		}
	}
	if f := dp.Forwarding.VoicemailFraction; f < 0 || f > 1 {
		v.errorf([]any{"dial_plan", "forwarding", "voicemail_fraction"}, "%v is not between 0 and 1", f)
	}
	if dp.Forwarding.CFAll < 0 {
		v.errorf([]any{"dial_plan", "forwarding", "cfa"}, "negative count %d", dp.Forwarding.CFAll)
	}
	rgs := map[string]bool{}
	for i := range dp.RouteGroups {
		g := &dp.RouteGroups[i]
		gp := []any{"dial_plan", "route_groups", i}
		if g.Name == "" || rgs[g.Name] {
			v.errorf(append(gp, "name"), "missing or duplicate name %q", g.Name)
		}
		rgs[g.Name] = true
		switch g.Algorithm {
		case "":
			g.Algorithm = "Circular"
		case "Top Down", "Circular":
		default:
			v.errorf(append(gp, "algorithm"), "%q is not Top Down or Circular", g.Algorithm)
		}
		if len(g.Members) == 0 {
			v.errorf(append(gp, "members"), "missing: list the trunks or gateways of the route group")
		}
	}
	rls := map[string]bool{}
	for i, l := range dp.RouteLists {
		lp := []any{"dial_plan", "route_lists", i}
		if l.Name == "" || rls[l.Name] {
			v.errorf(append(lp, "name"), "missing or duplicate name %q", l.Name)
		}
		rls[l.Name] = true
		if !pools[l.DevicePool] {
			v.errorf(append(lp, "device_pool"), "unknown device pool %q", l.DevicePool)
		}
		for j, g := range l.RouteGroups {
			if !rgs[g] {
				v.errorf(append(lp, "route_groups", j), "unknown route group %q", g)
			}
		}
	}
	for i := range dp.RoutePatterns {
		r := &dp.RoutePatterns[i]
		rp := []any{"dial_plan", "route_patterns", i}
		if r.Pattern == "" {
			v.errorf(append(rp, "pattern"), "missing")
		}
		if r.Count < 0 {
			v.errorf(append(rp, "count"), "negative count %d", r.Count)
		}
		if r.Count == 0 {
			r.Count = 1
		}
		if r.Destination == "" {
			v.errorf(append(rp, "destination"), "missing: name a route list, trunk or gateway")
		}
		partRef(append(rp, "partition"), r.Partition)
		discardRef(append(rp, "discard"), r.Discard)
	}
	for i := range dp.TranslationPatterns {
		t := &dp.TranslationPatterns[i]
		tp := []any{"dial_plan", "translation_patterns", i}
		if t.Count < 0 {
			v.errorf(append(tp, "count"), "negative count %d", t.Count)
		}
		if t.Count == 0 {
			t.Count = 1
		}
		partRef(append(tp, "partition"), t.Partition)
		cssRef(append(tp, "calling_search_space"), t.CSS)
		discardRef(append(tp, "discard"), t.Discard)
	}
	if h := dp.HuntPilots; h.Count < 0 {
		v.errorf([]any{"dial_plan", "hunt_pilots", "count"}, "negative count %d", h.Count)
	} else if h.Count > 0 && !slices.ContainsFunc(sc.DeviceGroups, func(g DeviceGroup) bool { return g.Class == "HuntList" && g.Count > 0 }) &&
		!slices.ContainsFunc(sc.Devices, func(d Device) bool { return d.Class == "HuntList" }) {
		v.errorf([]any{"dial_plan", "hunt_pilots", "count"}, "%d hunt pilots but the scenario has no hunt list", h.Count)
	}
	partRef([]any{"dial_plan", "hunt_pilots", "partition"}, dp.HuntPilots.Partition)

	for i, d := range sc.Firmware.Defaults {
		fp := []any{"firmware", "defaults", i}
		if _, ok := modelByName(d.Model); !ok {
			v.errorf(append(fp, "model"), "unknown model %q", d.Model)
		}
		if _, _, ok := protocolByName(d.Protocol); d.Protocol != "" && !ok {
			v.errorf(append(fp, "protocol"), "unknown protocol %q", d.Protocol)
		}
		if d.Load == "" {
			v.errorf(append(fp, "load"), "missing")
		}
	}
	for i, o := range sc.Firmware.Overrides {
		op := []any{"firmware", "overrides", i}
		if !slices.ContainsFunc(sc.DeviceGroups, func(g DeviceGroup) bool { return g.Name == o.Group }) {
			v.errorf(append(op, "group"), "unknown device group %q", o.Group)
		}
		if _, ok := modelByName(o.Model); !ok {
			v.errorf(append(op, "model"), "unknown model %q", o.Model)
		}
		if o.Load == "" {
			v.errorf(append(op, "load"), "missing")
		}
		if o.Count < 0 {
			v.errorf(append(op, "count"), "negative count %d", o.Count)
		}
	}

	t := &sc.Templates
	if t.UniversalDeviceTemplates < 0 {
		v.errorf([]any{"templates", "universal_device_templates"}, "negative count %d", t.UniversalDeviceTemplates)
	}
	for _, tg := range []struct {
		key  string
		list []TemplateGroup
	}{{"device_profiles", t.DeviceProfiles}, {"phone_templates", t.PhoneTemplates}} {
		for i, g := range tg.list {
			gp := []any{"templates", tg.key, i}
			if info, ok := modelByName(g.Model); !ok || info.risClass != "Phone" {
				v.errorf(append(gp, "model"), "%q is not a phone model", g.Model)
			}
			if g.Count < 0 {
				v.errorf(append(gp, "count"), "negative count %d", g.Count)
			}
			if g.DNStart != 0 && tg.key != "device_profiles" {
				v.errorf(append(gp, "dn_start"), "only device profiles have lines")
			}
			partRef(append(gp, "partition"), g.Partition)
		}
	}
	if m := sc.SoftwareMediaResources; m.DevicePool != "" && !pools[m.DevicePool] {
		v.errorf([]any{"software_media_resources", "device_pool"}, "unknown device pool %q", m.DevicePool)
	} else if m.DevicePool == "" && m.RisPort {
		v.errorf([]any{"software_media_resources", "device_pool"}, "missing: software media resources need a device pool")
	}
	for j, r := range sc.Credentials.Roles {
		if !slices.Contains(standardRoles, r) {
			v.errorf([]any{"credentials", "roles", j}, "unknown role %q", r)
		}
	}
	apps := map[string]bool{sc.Credentials.User: true}
	for _, a := range standardAppUsers {
		apps[a] = true
	}
	for i, a := range sc.ApplicationUsers {
		ap := []any{"application_users", i}
		if a.Name == "" || apps[a.Name] {
			v.errorf(append(ap, "name"), "missing or duplicate application user %q", a.Name)
		}
		apps[a.Name] = true
		for j, r := range a.Roles {
			if !slices.Contains(standardRoles, r) {
				v.errorf(append(ap, "roles", j), "unknown role %q", r)
			}
		}
	}
}
