package analyze

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

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
	meta, err := w.Commit(ctx, snapshot.StatusComplete, "15.0", "")
	must(b, err)
	return meta.ID
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
		if r.Outcome == OutcomeError || r.Outcome == OutcomeInconclusive {
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
