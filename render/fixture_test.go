package render

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// Hostile values from issue 7 item 4: every renderer must lay them out safely.
var (
	hostileDescription = "Lobby | phone\nsecond line <script>alert(1)</script> 📞 東京 שלום עולם \x07bell\x1b[31m red \u202Eevil\u202C"
	formulaValue       = "=cmd|' /C calc'!A0"
	longValue          = strings.Repeat("0123456789", 1024) // 10 kB
)

var (
	snapTime = time.Date(2026, 11, 24, 7, 30, 5, 0, time.UTC)
	genTime  = time.Date(2026, 11, 24, 7, 41, 0, 0, time.UTC)
)

func rule(id, title string, sev results.Severity, category string) results.RuleInfo {
	return results.RuleInfo{
		ID: id, Title: title, Severity: sev, Category: category,
		Description: "The snapshot shows " + strings.ToLower(title) + ".\n\nThis matters for the audit because configuration and reality disagree.",
		Remediation: "Review each device listed below and fix it or delete it from CUCM.",
		References:  []string{"https://www.cisco.com/c/en/us/support/unified-communications/unified-communications-manager-callmanager/series.html"},
		Controls:    []string{"ISO27001:A.8.9", "CIS:4.1"},
		Params:      map[string]string{"min_days": "30"},
	}
}

func finding(ruleID string, sev results.Severity, entity string, ev ...string) results.Finding {
	f := results.Finding{RuleID: ruleID, Severity: sev, Entity: entity, Fingerprint: ruleID + ":" + entity}
	for i := 0; i+1 < len(ev); i += 2 {
		f.Evidence = append(f.Evidence, results.Field{Name: ev[i], Value: ev[i+1]})
	}
	return f
}

// demoReport is a hand-made report shaped like the demo hospital cluster, with its scores
// (and their trend) and its summary in words.
func demoReport() *results.Report {
	r := demoReportBare()
	r.Compliance = demoCompliance()
	for i, sc := range []map[string]int{nil, {"registration": 88, "lifecycle": 80}, {"registration": 86, "lifecycle": 78}} {
		r.Trend[i].Scores = sc
	}
	withSummary(r)
	r.Trend[3].Scores = map[string]int{}
	for _, sc := range r.Summary.Scores {
		r.Trend[3].Scores[sc.Area] = sc.Score
	}
	return withSummary(r)
}

func demoReportBare() *results.Report {
	pools := []string{"DP-Zürich-Main", "DP-Ελλάδα-Athens", "DP-Berlin", "DP-Default"}
	models := []string{"Cisco 8845", "Cisco 7841", "Cisco 7965", "Cisco 8865"}

	neverSeen := rule("REG-001", "Phones configured but never seen by RisPort", results.SeverityMedium, "registration")
	var neverSeenF []results.Finding
	for i := 0; i < 574; i++ {
		name := fmt.Sprintf("SEP00AA%08X", 0x1000+i)
		desc := fmt.Sprintf("Ward %d phone", i%40)
		switch i {
		case 0:
			desc = "Empfang Zürich"
		case 1:
			desc = "Γραφείο Ελλάδα"
		case 2:
			desc = hostileDescription
		case 3:
			desc = formulaValue
		case 4:
			desc = longValue
		case 5:
			desc = "+41 44 123 45 67"
		case 6:
			desc = "@SUM(A1:A2)"
		case 7:
			desc = "-2+3"
		case 8:
			desc = "\tcmd"
		}
		neverSeenF = append(neverSeenF, finding(neverSeen.ID, neverSeen.Severity, name,
			"model", models[i%len(models)], "device_pool", pools[i%len(pools)], "description", desc))
	}

	gwRejected := rule("REG-002", "Gateways rejected by the cluster", results.SeverityHigh, "registration")
	var gwF []results.Finding
	for i := 0; i < 44; i++ {
		gwF = append(gwF, finding(gwRejected.ID, gwRejected.Severity, fmt.Sprintf("GW-VG%03d", i+1),
			"node", fmt.Sprintf("cucm-sub%d", i%3+1), "status_reason", "DeviceNameUnresolveable", "ip", fmt.Sprintf("10.20.%d.%d", i/10, i+10)))
	}
	waived := finding(gwRejected.ID, gwRejected.Severity, "GW-LAB-01", "node", "cucm-sub1", "status_reason", "ConfigurationMismatch", "ip", "10.99.0.1")
	waived.Waiver = &results.Waiver{Rule: "REG-002", Entity: "GW-LAB-*", Statement: "Lab gateway, | not in production", Owner: "voice-team@example.org", Expires: "2027-03-31"}

	trunks := rule("REG-003", "SIP trunks not registered", results.SeverityCritical, "registration")
	var trunkF []results.Finding
	for i, n := range []string{"TRK-PSTN-Zürich", "TRK-SBC-Ελλάδα", "TRK-Unity", "TRK-CUBE-02"} {
		f := finding(trunks.ID, trunks.Severity, n, "status", "UnRegistered", "node", fmt.Sprintf("cucm-sub%d", i%2+1),
			"unregistered_since", fmt.Sprintf("2026-08-%02d 06:00:00", i+10), "days", fmt.Sprint(106-i))
		f.Message = "Trunk " + n + " is down: calls to the PSTN may fail"
		trunkF = append(trunkF, f)
	}

	eol := rule("EOL-001", "End-of-life phone models still in service", results.SeverityHigh, "lifecycle")
	var eolF []results.Finding
	for i := 0; i < 120; i++ {
		eolF = append(eolF, finding(eol.ID, eol.Severity, fmt.Sprintf("SEP00BB%08X", i), "model", "Cisco 7965", "end_of_support", "2020-05-31"))
	}
	owner := rule("CFG-004", "Phones without an owner user", results.SeverityLow, "configuration")
	var ownerF []results.Finding
	for i := 0; i < 31; i++ {
		ownerF = append(ownerF, finding(owner.ID, owner.Severity, fmt.Sprintf("SEP00CC%08X", i), "device_pool", pools[i%len(pools)], "description", "Spare"))
	}
	pool := rule("CFG-010", "Devices in the default device pool", results.SeverityInfo, "configuration")
	var poolF []results.Finding
	for i := 0; i < 12; i++ {
		poolF = append(poolF, finding(pool.ID, pool.Severity, fmt.Sprintf("CSF%03d", i), "device_pool", "Default"))
	}
	secondary := rule("REG-010", "Devices registered to a secondary node", results.SeverityMedium, "registration")
	passRule := rule("SEC-001", "Phones with web access enabled", results.SeverityMedium, "security")

	gwRejected.GroupBy = []string{"status_reason", "node"}
	eol.GroupBy = []string{"model", "end_of_support"}
	sections := []results.RuleSection{
		{Rule: trunks, Findings: trunkF},
		{Rule: gwRejected, Findings: gwF},
		{Rule: eol, Findings: eolF},
		{Rule: neverSeen, Findings: neverSeenF},
		{Rule: owner, Findings: ownerF},
		{Rule: pool, Findings: poolF},
	}
	for i := range sections {
		results.GroupSection(&sections[i])
	}
	var appendix []results.RuleOutcome
	for _, s := range sections {
		o := results.RuleOutcome{Rule: s.Rule, Outcome: results.OutcomeFail, Findings: len(s.Findings)}
		if s.Rule.ID == "REG-002" {
			o.Waived = 1
		}
		appendix = append(appendix, o)
	}
	inconclusive := results.RuleOutcome{Rule: secondary, Outcome: results.OutcomeInconclusive, Reason: "needs risport node:cucm-sub3, which answered NodeNotResponding"}
	appendix = append(appendix, inconclusive, results.RuleOutcome{Rule: passRule, Outcome: results.OutcomePass})

	return &results.Report{
		SchemaVersion: results.ReportSchemaVersion,
		Kind:          "audit",
		GeneratedAt:   genTime,
		Analysis:      results.AnalysisRef{ID: 7, StartedAt: genTime.Add(-time.Minute)},
		ToolVersion:   "v0.9.0-test",
		Snapshot: snapshot.Meta{
			ID: 42, ClusterID: "HOSP-Zürich/Main", AXLHost: "cucm-pub.example.org", CUCMVersion: "15.0.1.12900-234",
			ToolVersion: "v0.9.0-test", StartedAt: snapTime, FinishedAt: snapTime.Add(95 * time.Second), Status: snapshot.StatusPartial,
		},
		Summary: results.Summary{
			FindingsBySeverity: []results.SeverityCount{
				{Severity: results.SeverityCritical, Count: 4}, {Severity: results.SeverityHigh, Count: 164},
				{Severity: results.SeverityMedium, Count: 574}, {Severity: results.SeverityLow, Count: 31}, {Severity: results.SeverityInfo, Count: 12},
			},
			Registration: []results.ClassRegistration{
				{Class: "Phone", Configured: 1377, Seen: 803, Registered: 679, UnRegistered: 123, Rejected: 1, NeverSeen: 574, RegistrationRate: 679.0 / 1377, Complete: false},
				{Class: "Gateway", Configured: 85, Seen: 85, Registered: 41, Rejected: 44, RegistrationRate: 41.0 / 85, Complete: true},
				{Class: "SIPTrunk", Configured: 22, Seen: 22, Registered: 18, UnRegistered: 4, RegistrationRate: 18.0 / 22, Complete: true},
				{Class: "HuntList", Configured: 28, Seen: 28, Registered: 28, RegistrationRate: 1, Complete: true},
			},
			RisByClassStatus: []snapshot.ClassCount{
				{Class: "Gateway", Status: "Registered", Count: 41}, {Class: "Gateway", Status: "Rejected", Count: 44},
				{Class: "HuntList", Status: "Registered", Count: 28},
				{Class: "Phone", Status: "Registered", Count: 679}, {Class: "Phone", Status: "Rejected", Count: 1}, {Class: "Phone", Status: "UnRegistered", Count: 123},
				{Class: "SIPTrunk", Status: "Registered", Count: 18}, {Class: "SIPTrunk", Status: "UnRegistered", Count: 4},
			},
			TopRisks: []results.TopRisk{
				{RuleID: "REG-003", Title: trunks.Title, Severity: results.SeverityCritical, Count: 4},
				{RuleID: "REG-002", Title: gwRejected.Title, Severity: results.SeverityHigh, Count: 44},
				{RuleID: "EOL-001", Title: eol.Title, Severity: results.SeverityHigh, Count: 120},
				{RuleID: "REG-001", Title: neverSeen.Title, Severity: results.SeverityMedium, Count: 574},
			},
			Change: &results.ChangeSummary{PreviousID: 41, NewFindings: 12, ResolvedFindings: 5, RegisteredDelta: -3, DevicesAdded: 7, DevicesRemoved: 2},
		},
		DataQuality: results.DataQuality{
			Coverage: []snapshot.Coverage{
				{Source: "risport", Item: "node:cucm-sub3", Complete: false, Reason: "NodeNotResponding", Records: 0},
				{Source: "axl", Item: "devices", Complete: true, Records: 1512},
				{Source: "axl", Item: "lines", Complete: true, Records: 1650},
				{Source: "risport", Item: "class:Phone", Complete: true, Records: 803},
				{Source: "risport", Item: "node:cucm-sub1", Complete: true, Records: 512},
			},
			Gaps: 1,
			Nodes: []results.ClusterNode{
				{Name: "cucm-pub", Role: snapshot.RoleUnifiedCM, Publisher: true, Active: true, RisPort: "no devices listed"},
				{Name: "cucm-sub1", Role: snapshot.RoleUnifiedCM, Active: true, RisPort: "512 devices listed"},
				{Name: "cucm-sub3", Role: snapshot.RoleUnifiedCM, Active: true, RisPort: "incomplete: NodeNotResponding"},
				{Name: "imp-pub", Role: snapshot.RoleIMAndPresence, Active: true, RisPort: "not applicable"},
			},
			Inconclusive: []results.RuleOutcome{inconclusive},
		},
		Rules:  sections,
		Waived: []results.Finding{waived},
		Waivers: results.WaiverNotes{
			Expired: []results.Waiver{{Rule: "EOL-001", Entity: "SEP00BB*", Statement: "Replacement project Q3", Owner: "pm@example.org", Expires: "2026-09-30", Expired: true}},
		},
		Appendix: results.Appendix{
			Rules: appendix,
			ModelCounts: []results.ModelCount{
				{Class: "Phone", Model: "Cisco 8845", Count: 600}, {Class: "Phone", Model: "Cisco 7841", Count: 400},
				{Class: "Phone", Model: "Cisco 7965", Count: 250}, {Class: "Phone", Model: "Cisco 8865", Count: 127},
				{Class: "Gateway", Model: "Cisco VG400", Count: 85}, {Class: "SIPTrunk", Model: "SIP Trunk", Count: 22},
				{Class: "HuntList", Model: "Hunt List", Count: 28},
			},
		},
		Trend: []results.TrendPoint{
			{SnapshotID: 39, At: snapTime.AddDate(0, -7, 0), RegisteredByClass: map[string]int{"Phone": 695, "Gateway": 45}},
			{SnapshotID: 40, At: snapTime.AddDate(0, -6, 0), RegisteredByClass: map[string]int{"Phone": 690, "Gateway": 45}, FindingsBySeverity: map[results.Severity]int{results.SeverityCritical: 1, results.SeverityHigh: 150, results.SeverityMedium: 560}, Analyzed: true},
			{SnapshotID: 41, At: snapTime.AddDate(0, -3, 0), RegisteredByClass: map[string]int{"Phone": 682, "Gateway": 43}, FindingsBySeverity: map[results.Severity]int{results.SeverityCritical: 2, results.SeverityHigh: 158, results.SeverityMedium: 570}, Analyzed: true},
			{SnapshotID: 42, At: snapTime, RegisteredByClass: map[string]int{"Phone": 679, "Gateway": 41}, FindingsBySeverity: map[results.Severity]int{results.SeverityCritical: 4, results.SeverityHigh: 164, results.SeverityMedium: 574, results.SeverityLow: 31, results.SeverityInfo: 12}, Analyzed: true},
		},
	}
}

// withSummary fills the report's scores and narrative as BuildReport does.
func withSummary(r *results.Report) *results.Report {
	r.Summary.Scores = results.ScoreReport(r)
	r.Summary.Narrative = analyze.Narrate(r)
	return r
}

// bigReport is a megacluster-sized report: rules × perRule findings with six evidence fields.
func bigReport(rules, perRule int) *results.Report {
	r := demoReport()
	r.Rules = nil
	r.Appendix.Rules = nil
	sevs := results.Severities()
	for i := 0; i < rules; i++ {
		ri := rule(fmt.Sprintf("BIG-%03d", i+1), fmt.Sprintf("Megacluster rule number %d with a realistic title", i+1), sevs[i%len(sevs)], "scale")
		fs := make([]results.Finding, perRule)
		for j := range fs {
			fs[j] = finding(ri.ID, ri.Severity, fmt.Sprintf("SEP%012X", i*perRule+j),
				"model", "Cisco 8845", "device_pool", fmt.Sprintf("DP-Site-%03d", j%300), "description", fmt.Sprintf("Ward %d room %d", j%50, j),
				"node", fmt.Sprintf("cucm-sub%d", j%8+1), "status", "UnRegistered", "ip", fmt.Sprintf("10.%d.%d.%d", i, j/256%256, j%256))
		}
		r.Rules = append(r.Rules, results.RuleSection{Rule: ri, Findings: fs})
		r.Appendix.Rules = append(r.Appendix.Rules, results.RuleOutcome{Rule: ri, Outcome: results.OutcomeFail, Findings: perRule})
	}
	return r
}

// changeWindowReport is a before/after report as `cucm-audit diff --out` builds it: identity and
// the diff only. It has a device that broke, one that recovered, one whose status changed
// without touching Registered, one added, one removed, field changes (a hostile description, a
// firmware load), findings new, resolved and unconfirmed, and volatile fields ignored.
func changeWindowReport() *results.Report {
	before := snapshot.Meta{ID: 41, ClusterID: "HOSP-Zürich/Main", CUCMVersion: "15.0.1.12900-234", StartedAt: snapTime.Add(-2 * time.Hour), Status: snapshot.StatusComplete}
	after := before
	after.ID, after.StartedAt = 42, snapTime
	f := finding("REG-003", results.SeverityCritical, "TRK-PSTN-Zürich", "status", "UnRegistered")
	f.Message = "Trunk is down"
	gone := finding("REG-002", results.SeverityHigh, "GW-VG007")
	unconfirmed := finding("REG-010", results.SeverityMedium, "SEP00DD00000001")
	return &results.Report{
		SchemaVersion: results.ReportSchemaVersion, Kind: "change-window", GeneratedAt: genTime, ToolVersion: "v0.9.0-test",
		Snapshot: after,
		Diff: &results.Diff{
			Before: before, After: after,
			Added:   []results.DeviceRef{{Name: "SEP00EE00000001", Class: "Phone", Model: "Cisco 8845"}},
			Removed: []results.DeviceRef{{Name: "SEP00EE00000002", Class: "Phone", Model: "Cisco 7965"}},
			Changed: []results.DeviceChange{
				{DeviceRef: results.DeviceRef{Name: "GW-VG007", Class: "Gateway", Model: "Cisco VG400"}, Fields: []results.FieldChange{
					{Field: "status", Before: "Rejected (ConfigurationMismatch)", After: "Registered"}}},
				{DeviceRef: results.DeviceRef{Name: "SEP00AA00001000", Class: "Phone", Model: "Cisco 8845"}, Fields: []results.FieldChange{
					{Field: "description", Before: "Empfang Zürich", After: hostileDescription},
					{Field: "device_pool", Before: "DP-Berlin", After: "DP-Ελλάδα-Athens"},
					{Field: "active_load", Before: "sip88xx.14-1-1", After: "sip88xx.14-3-1"}}},
				{DeviceRef: results.DeviceRef{Name: "SEP00AA00001001", Class: "Phone", Model: "Cisco 7841"}, Fields: []results.FieldChange{
					{Field: "status", Before: "Registered", After: "UnRegistered (KeepAliveTimeout)"}},
					Where: &results.Where{DevicePool: "DP-Zürich-OG2", Node: "cucm-sub1", IP: "10.20.30.41", Description: "Pflege Station 4", Model: "Cisco 7841"}},
				{DeviceRef: results.DeviceRef{Name: "SEP00AA00001002", Class: "Phone", Model: "Cisco 7841"}, Fields: []results.FieldChange{
					{Field: "status", Before: "UnRegistered (CallManagerReset)", After: "Rejected (ConfigurationMismatch)"}}},
			},
			NewFindings: []results.Finding{f}, Resolved: []results.Finding{gone}, Unconfirmed: []results.Finding{unconfirmed},
			Persisting: 780,
			Registration: []results.ClassDelta{
				{Class: "Gateway", RegisteredBefore: 40, RegisteredAfter: 41, SeenBefore: 85, SeenAfter: 85, ConfiguredBefore: 85, ConfiguredAfter: 85},
				{Class: "Phone", RegisteredBefore: 1682, RegisteredAfter: 1679, SeenBefore: 1805, SeenAfter: 1803, ConfiguredBefore: 2377, ConfiguredAfter: 2377},
			},
			Ignored:          []string{"registration_attempts", "status_reason", "timestamp"},
			FindingsCompared: true, BeforeAnalysis: 7, AfterAnalysis: 8,
			Notes: []string{"REG-010 was inconclusive on snapshot #42: its findings are not claimed resolved"},
		},
	}
}

// notComparedReport is changeWindowReport where the earlier snapshot was never analyzed, as
// DiffSnapshots leaves it: no finding lists, FindingsCompared false, only the after analysis id.
func notComparedReport() *results.Report {
	r := changeWindowReport()
	d := r.Diff
	d.NewFindings, d.Resolved, d.Unconfirmed, d.Persisting = nil, nil, nil, 0
	d.FindingsCompared, d.BeforeAnalysis = false, 0
	d.Notes = []string{"snapshot 41 has not been analyzed: findings not compared (run `cucm-audit analyze --snapshot 41`)"}
	return r
}

// bigChangeReport is a change window of n changed, n added and n removed devices and n new
// findings, to check the caps of the PDF and the Markdown and that the XLSX has every row.
func bigChangeReport(n int) *results.Report {
	r := changeWindowReport()
	d := r.Diff
	d.Changed, d.Added, d.Removed, d.NewFindings = nil, nil, nil, nil
	for i := 0; i < n; i++ {
		d.Changed = append(d.Changed, results.DeviceChange{
			DeviceRef: results.DeviceRef{Name: fmt.Sprintf("SEP10%010X", i), Class: "Phone", Model: "Cisco 8845"},
			Fields: []results.FieldChange{{Field: "status", Before: "Registered", After: "UnRegistered (KeepAliveTimeout)"},
				{Field: "active_load", Before: "sip88xx.14-1-1", After: "sip88xx.14-3-1"}}},
			results.DeviceChange{
				DeviceRef: results.DeviceRef{Name: fmt.Sprintf("SEP50%010X", i), Class: "Phone", Model: "Cisco 8845"},
				Fields: []results.FieldChange{{Field: "description", Before: "old", After: "new"},
					{Field: "active_load", Before: "sip88xx.14-1-1", After: "sip88xx.14-3-1"}}})
		d.Added = append(d.Added, results.DeviceRef{Name: fmt.Sprintf("SEP20%010X", i), Class: "Phone", Model: "Cisco 7841"})
		d.Removed = append(d.Removed, results.DeviceRef{Name: fmt.Sprintf("SEP30%010X", i), Class: "Phone", Model: "Cisco 7965"})
		d.NewFindings = append(d.NewFindings, finding("REG-001", results.SeverityMedium, fmt.Sprintf("SEP40%010X", i)))
	}
	return r
}

// collectedDemoReport is the report of the real demo (`cucm-audit demo`: the shipped scenario
// collected from the simulator and analysed), as its JSON report wrote it. The end-to-end test
// of cmd/cucm-audit checks that the file still matches what the demo produces and rewrites it
// (go test ./cmd/cucm-audit -run TestReportDemoEndToEnd -update-demo-report); render cannot
// collect a cluster itself.
func collectedDemoReport(t *testing.T) *results.Report {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "demo-collected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r results.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("decoding testdata/demo-collected.json: %v", err)
	}
	return &r
}
