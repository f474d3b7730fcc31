package analyze

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// writeMegacluster stores an 80,000-device snapshot directly (8 nodes, a realistic mix of
// classes, statuses, models, loads, owners and lines) and returns its id.
func writeMegacluster(b testing.TB, store *snapshot.Store, divisor int) int64 {
	ctx := context.Background()
	at := fixtureTime
	w, err := store.Begin(ctx, snapshot.Meta{ClusterID: "mega", StartedAt: at})
	must(b, err)
	nodes := []string{"cm-pub", "cm-sub1", "cm-sub2", "cm-sub3", "cm-sub4", "cm-sub5", "cm-sub6", "cm-sub7"}
	for i, n := range nodes {
		must(b, w.AddNode(ctx, snapshot.Node{Name: n, IsPublisher: i == 0, IsActive: true}))
		must(b, w.SetCoverage(ctx, snapshot.Coverage{Source: snapshot.SourceRisPort, Item: snapshot.NodeItem(n), Complete: true}))
	}
	for g := 0; g < 4; g++ {
		cmg := fmt.Sprintf("CMG-%d", g)
		must(b, w.AddCMGroupMember(ctx, snapshot.CMGroupMember{CMGroup: cmg, Node: nodes[1+g], Priority: 1}))
		must(b, w.AddCMGroupMember(ctx, snapshot.CMGroupMember{CMGroup: cmg, Node: nodes[5+g%3], Priority: 2}))
	}
	for p := 0; p < 40; p++ {
		must(b, w.AddDevicePool(ctx, snapshot.DevicePool{Name: fmt.Sprintf("DP-%02d", p), CMGroup: fmt.Sprintf("CMG-%d", p%4)}))
	}
	for _, it := range axlItems {
		must(b, w.SetCoverage(ctx, snapshot.Coverage{Source: snapshot.SourceAXL, Item: it, Complete: true}))
	}
	for _, cl := range []string{"Phone", "Gateway", "SIPTrunk", "HuntList", "Cti", "MediaResources", "VoiceMail"} {
		must(b, w.SetCoverage(ctx, snapshot.Coverage{Source: snapshot.SourceRisPort, Item: snapshot.ClassItem(cl), Complete: true}))
	}
	models := []string{"Cisco 8845", "Cisco 8865", "Cisco 7841", "Cisco 7821", "Cisco 8851", "Cisco 7945", "Cisco 7965", "Cisco 9861"}
	mix := []struct {
		class, ris string
		n          int
	}{
		{"Phone", "Phone", 70000}, {"CTI Port", "Cti", 4000}, {"Gateway", "Gateway", 1800}, {"Voice Mail", "VoiceMail", 2000},
		{"Trunk", "SIPTrunk", 200}, {"Route List", "HuntList", 1500}, {"Media Termination Point", "MediaResources", 500},
	}
	seq := 0
	for _, m := range mix {
		for i := 0; i < m.n/divisor; i++ {
			seq++
			name := fmt.Sprintf("%s%010d", map[string]string{"Phone": "SEP", "Cti": "CTI", "Gateway": "GW", "VoiceMail": "VM", "SIPTrunk": "TRK", "HuntList": "HL", "MediaResources": "MTP"}[m.ris], seq)
			pool := fmt.Sprintf("DP-%02d", seq%40)
			model := m.class
			owner := ""
			if m.ris == "Phone" {
				model = models[seq%len(models)]
				if seq%10 != 0 {
					owner = fmt.Sprintf("user%06d", seq)
				}
			}
			desc := "device " + name
			if seq%50 == 0 {
				desc = ""
			}
			must(b, w.AddDevice(ctx, snapshot.Device{Name: name, Class: m.class, RisClass: m.ris, Model: model, DevicePool: pool,
				Owner: owner, Description: desc, IsActive: seq%200 != 0}))
			if m.ris == "Phone" {
				dn := fmt.Sprintf("%07d", seq)
				must(b, w.AddLine(ctx, snapshot.Line{PKID: "pk" + dn, DN: dn, Partition: "PT-INT", Usage: "Device"}))
				if seq%97 != 0 {
					must(b, w.AddLineAppearance(ctx, snapshot.LineAppearance{Device: name, Index: 1, LinePKID: "pk" + dn, DN: dn, Partition: "PT-INT"}))
				}
				if owner != "" {
					must(b, w.AddUser(ctx, snapshot.User{UserID: owner}))
				}
			}
			if seq%7 == 0 { // never seen by RisPort
				continue
			}
			g := seq % 40 % 4
			node := nodes[1+g]
			if seq%23 == 0 {
				node = nodes[5+g%3] // failed over
			}
			status := "Registered"
			switch {
			case seq%11 == 0:
				status = "UnRegistered"
			case seq%401 == 0:
				status = "Rejected"
			}
			load := "load-" + model + "-1"
			if seq%31 == 0 {
				load = "load-" + model + "-0"
			}
			r := snapshot.RisDevice{Node: node, Name: name, DeviceClass: m.ris, Status: status, StatusReason: map[bool]int{true: 14}[status == "Rejected"],
				IPv4: fmt.Sprintf("10.%d.%d.%d", seq>>16&255, seq>>8&255, seq&255), ActiveLoad: load,
				TimeStamp: at.Unix() - int64(seq%90)*86400, LinesStatus: "1=Registered", RegistrationAttempts: seq % 13}
			must(b, w.AddRisDevice(ctx, r))
			if seq%53 == 0 { // a second, older entry on another node
				r.Node, r.TimeStamp, r.Status = nodes[0], r.TimeStamp-100, "UnRegistered"
				must(b, w.AddRisDevice(ctx, r))
			}
		}
	}
	for i := 0; i < 2000; i++ { // unassigned numbers
		must(b, w.AddLine(ctx, snapshot.Line{PKID: fmt.Sprintf("free%d", i), DN: fmt.Sprintf("9%06d", i), Partition: "PT-INT", Usage: "Device"}))
	}
	writeMegaDialPlan(b, w, divisor)
	meta, err := w.Commit(ctx, snapshot.StatusComplete, "15.0", "")
	must(b, err)
	return meta.ID
}

// writeMegaDialPlan mirrors a dial plan for the megacluster: every phone line with one of 40
// line CSSs (one per device pool) and one of 4 device CSSs, 911 and 9.911 to an emergency route
// list over gateways, national and international route patterns, forwards on a tenth of the
// lines, and every mirrored table the compliance packs require marked complete.
func writeMegaDialPlan(b testing.TB, w *snapshot.Writer, divisor int) {
	ctx := context.Background()
	table := func(name string, cols ...string) *snapshot.MirrorTable {
		mc := make([]snapshot.MirrorColumn, len(cols))
		for i, c := range cols {
			mc[i] = snapshot.MirrorColumn{Name: c, Type: snapshot.MirrorText, Index: i > 0 && strings.HasPrefix(c, "fk")}
			if strings.HasPrefix(c, "tk") || c == "enum" || strings.HasSuffix(c, "index") || c == "sortorder" || c == "selectionorder" ||
				c == "deviceselectionorder" || c == "blockenable" || c == "patternurgency" || strings.HasSuffix(c, "voicemailenabled") {
				mc[i].Type = snapshot.MirrorInteger
			}
		}
		t, err := w.MirrorTable(ctx, name, mc)
		must(b, err)
		must(b, w.SetCoverage(ctx, snapshot.Coverage{Source: snapshot.SourceAXL, Item: "table:" + name, Complete: true}))
		return t
	}
	add := func(t *snapshot.MirrorTable, v ...any) { must(b, t.Add(ctx, v...)) }
	tc := table("typeclass", "enum", "name")
	for _, c := range []struct {
		e int
		n string
	}{{1, "Phone"}, {2, "Gateway"}, {8, "Route List"}, {10, "CTI Route Point"}, {18, "Trunk"}, {254, "Device Profile"}} {
		add(tc, c.e, c.n)
	}
	tpu := table("typepatternusage", "enum", "name")
	for _, u := range []struct {
		e int
		n string
	}{{2, "Device"}, {3, "Translation"}, {5, "Route"}, {7, "Hunt Pilot"}} {
		add(tpu, u.e, u.n)
	}
	table("typedistributealgorithm", "enum", "name")
	table("typereleasecausevalue", "enum", "name")
	table("routefilter", "pkid", "name")
	table("routefiltermember", "pkid", "fkroutefilter")
	rp := table("routepartition", "pkid", "name")
	for _, p := range []string{"PT-INT", "PT-EMERGENCY", "PT-NATIONAL", "PT-INTL"} {
		add(rp, "rp-"+p, p)
	}
	css := table("callingsearchspace", "pkid", "name")
	csm := table("callingsearchspacemember", "pkid", "fkcallingsearchspace", "fkroutepartition", "sortorder")
	for i := 0; i < 40; i++ { // line CSSs, one per pool: national, every tenth international
		n := fmt.Sprintf("CSS-LINE-%02d", i)
		add(css, "css-"+n, n)
		parts := []string{"PT-EMERGENCY", "PT-NATIONAL"}
		if i%10 == 0 {
			parts = append(parts, "PT-INTL")
		}
		for k, p := range parts {
			add(csm, fmt.Sprintf("csm-%s-%d", n, k), "css-"+n, "rp-"+p, k+1)
		}
	}
	for i := 0; i < 4; i++ {
		n := fmt.Sprintf("CSS-DEV-%d", i)
		add(css, "css-"+n, n)
		add(csm, "csm-"+n, "css-"+n, "rp-PT-INT", 1)
	}
	add(css, "css-CSS-FWD", "CSS-FWD")
	add(csm, "csm-CSS-FWD", "css-CSS-FWD", "rp-PT-NATIONAL", 1)
	dev := table("device", "pkid", "name", "tkclass", "fkcallingsearchspace", "fkenduser")
	np := table("numplan", "pkid", "dnorpattern", "fkroutepartition", "tkpatternusage", "blockenable", "patternurgency",
		"fkdigitdiscardinstruction", "fkcallingsearchspace_sharedlineappear", "cfnadestination", "fkcallingsearchspace_cfna", "cfnavoicemailenabled")
	dnm := table("devicenumplanmap", "pkid", "fkdevice", "fknumplan", "numplanindex")
	table("callforwarddynamic", "pkid", "fknumplan")
	rl := table("routelist", "pkid", "fkdevice", "fkroutegroup", "selectionorder")
	rg := table("routegroup", "pkid", "name")
	rgm := table("routegroupdevicemap", "pkid", "fkroutegroup", "fkdevice", "deviceselectionorder")
	table("linegroup", "pkid", "name")
	table("linegroupnumplanmap", "pkid", "fklinegroup", "fknumplan")
	// Route lists and groups: emergency over the first gateways, PSTN over the next.
	gw := func(k int) string { return fmt.Sprintf("GW%010d", 70000/divisor+4000/divisor+k) } // as writeMegacluster numbers them
	for _, r := range []struct{ list, group, gw1, gw2 string }{{"RL-EMERGENCY", "RG-EMERGENCY", gw(1), gw(2)},
		{"RL-PSTN", "RG-PSTN", gw(3), gw(4)}} {
		add(dev, "dev-"+r.list, r.list, 8, nil, nil)
		add(rg, "rg-"+r.group, r.group)
		add(rl, "rl-"+r.list, "dev-"+r.list, "rg-"+r.group, 1)
		for k, g := range []string{r.gw1, r.gw2} {
			add(dev, "dev-"+g, g, 2, nil, nil)
			add(rgm, fmt.Sprintf("rgm-%s-%d", r.group, k), "rg-"+r.group, "dev-"+g, k+1)
		}
	}
	pattern := func(id, text, part string, usage, urgent int, discard, dest string) {
		add(np, id, text, "rp-"+part, usage, 0, urgent, discard, nil, nil, nil, 0)
		if dest != "" {
			add(dnm, "dnm-"+id, "dev-"+dest, id, 1)
		}
	}
	pattern("np-911", "911", "PT-EMERGENCY", 5, 1, "", "RL-EMERGENCY")
	pattern("np-9911", "9.911", "PT-EMERGENCY", 5, 1, "PreDot", "RL-EMERGENCY")
	pattern("np-nat", "9.[2-9]XX[2-9]XXXXXX", "PT-NATIONAL", 5, 0, "PreDot", "RL-PSTN")
	pattern("np-ld", "9.1[2-9]XX[2-9]XXXXXX", "PT-NATIONAL", 5, 0, "PreDot", "RL-PSTN")
	pattern("np-intl", "9.011!", "PT-INTL", 5, 0, "PreDot", "RL-PSTN")
	dc := table("digitdiscardinstruction", "pkid", "name")
	add(dc, "PreDot", "PreDot")
	// Phones and their lines (the megacluster's SEP devices, numbered as writeMegacluster does).
	for seq := 1; seq <= 70000/divisor; seq++ {
		name := fmt.Sprintf("SEP%010d", seq)
		var owner any
		if seq%10 != 0 {
			owner = fmt.Sprintf("eu-%06d", seq)
		}
		add(dev, "dev-"+name, name, 1, fmt.Sprintf("css-CSS-DEV-%d", seq%4), owner)
		dn := fmt.Sprintf("%07d", seq)
		var fwd, fwdCSS any
		if seq%10 == 3 {
			fwd, fwdCSS = "9"+fmt.Sprintf("212555%04d", seq%10000), "css-CSS-FWD"
		}
		add(np, "pk"+dn, dn, "rp-PT-INT", 2, 0, 0, nil, fmt.Sprintf("css-CSS-LINE-%02d", seq%40), fwd, fwdCSS, 0)
		if seq%97 != 0 {
			add(dnm, "dnm-"+dn, "dev-"+name, "pk"+dn, 1)
		}
	}
	for _, t := range []string{"enduser", "applicationuser", "dirgroup", "functionrole", "functionroledirgroupmap",
		"enduserdirgroupmap", "applicationuserdirgroupmap", "registrationdynamic"} {
		table(t, "pkid")
	}
}

// cpuTime is the user + system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBuiltinRules evaluates every built-in rule on the 80,000-device snapshot (views,
// all queries, storing the results). Run: go test -run XXX -bench BuiltinRules -benchtime 5x ./analyze/
func BenchmarkBuiltinRules(b *testing.B) {
	store := newStore(b)
	id := writeMegacluster(b, store, 1)
	set, err := LoadRules()
	must(b, err)
	ctx := context.Background()
	b.ResetTimer()
	cpu0 := cpuTime()
	var res *Result
	for i := 0; i < b.N; i++ {
		res, err = Run(ctx, store, id, Options{Rules: set, Now: fixtureTime})
		must(b, err)
	}
	b.StopTimer()
	// CPU seconds per run: the figure that stays honest on a machine shared with other work.
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	findings := 0
	for _, r := range res.Rules {
		findings += len(r.Findings)
		// The snapshot records no collecting account and the shipped end-of-life data no
		// release: ACC-003 and EOL-003 run their queries and conclude nothing, as they must.
		expected := r.Rule.ID == "EOL-003" && strings.HasPrefix(r.Reason, "no end-of-life data for release ") ||
			r.Rule.ID == "ACC-003" && strings.Contains(r.Reason, "collecting account (not recorded)")
		if r.Outcome == results.OutcomeError || r.Outcome == results.OutcomeInconclusive && !expected {
			b.Errorf("rule %s: %s %s", r.Rule.ID, r.Outcome, r.Reason)
		}
		if testing.Verbose() {
			b.Logf("%-8s %-12s %6d findings %8s", r.Rule.ID, r.Outcome, len(r.Findings), r.Duration.Round(time.Millisecond))
		}
	}
	b.ReportMetric(float64(findings), "findings")
}

// BenchmarkBuiltinRulesSmall is BenchmarkBuiltinRules on a tenth of the devices.
func BenchmarkBuiltinRulesSmall(b *testing.B) {
	store := newStore(b)
	id := writeMegacluster(b, store, 10)
	set, err := LoadRules()
	must(b, err)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := Run(context.Background(), store, id, Options{Rules: set, Now: fixtureTime})
		must(b, err)
		if testing.Verbose() && i == 0 {
			for _, r := range res.Rules {
				b.Logf("%-8s %-12s %6d findings %8s", r.Rule.ID, r.Outcome, len(r.Findings), r.Duration.Round(time.Millisecond))
			}
		}
	}
}

// BenchmarkBuildReport builds the report model of the 80,000-device snapshot after one analysis.
func BenchmarkBuildReport(b *testing.B) {
	store := newStore(b)
	id := writeMegacluster(b, store, 1)
	ctx := context.Background()
	_, err := Run(ctx, store, id, Options{Now: fixtureTime})
	must(b, err)
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		_, err := BuildReport(ctx, store, id, ReportOptions{Now: fixtureTime})
		must(b, err)
	}
	b.StopTimer()
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}
