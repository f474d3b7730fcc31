package results

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

// AssembleOptions tunes Assemble.
type AssembleOptions struct {
	// Rules are the rules' texts by id (description, remediation, ...); a rule missing here is
	// shown with the texts stored with its result. Params always come from the result.
	Rules map[string]RuleInfo
	// Available is how many rules the rule set holds, for the selection note of an analysis
	// stored before that count was recorded.
	Available int
	// TrendPoints is how many snapshots the trend shows (0: DefaultTrendPoints, <0: none).
	TrendPoints int
	// TopRisks is how many rules the summary names as top risks (0: 5).
	TopRisks int
	// Now stamps the report (zero: time.Now()).
	Now time.Time
	// ToolVersion is printed on the report.
	ToolVersion string
}

// Assemble builds the report of a stored analysis (an) of snapshot meta: every section but the
// narrative, which the rule engine writes (analyze.Narrate).
func Assemble(ctx context.Context, store *snapshot.Store, meta snapshot.Meta, an *StoredAnalysis, opts AssembleOptions) (*Report, error) {
	snapshotID := meta.ID
	var err error
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	rep := &Report{
		SchemaVersion: ReportSchemaVersion,
		Kind:          "audit",
		GeneratedAt:   opts.Now.UTC(),
		ToolVersion:   opts.ToolVersion,
		Snapshot:      meta,
		Analysis:      AnalysisRef{ID: an.ID, StartedAt: an.StartedAt.UTC(), Selection: len(an.Only)+len(an.Skip)+len(an.Packs) > 0},
		Rules:         []RuleSection{},
		Waived:        []Finding{},
		Waivers:       an.Waivers,
	}
	infos := map[string]RuleInfo{}
	for _, sr := range an.Rules {
		info, ok := opts.Rules[sr.ID]
		if !ok {
			info = RuleInfo{ID: sr.ID, Title: sr.Title, Severity: sr.Severity, Category: sr.Category}
		}
		info.Params = sr.Params
		infos[sr.ID] = info
	}
	open := map[string][]Finding{}
	openBySev := map[Severity]int{}
	waivedByRule := map[string]int{}
	for _, f := range an.Findings {
		if f.Open() {
			open[f.RuleID] = append(open[f.RuleID], f)
			openBySev[f.Severity]++
			continue
		}
		rep.Waived = append(rep.Waived, f)
		waivedByRule[f.RuleID]++
	}

	if len(an.Only) > 0 || len(an.Skip) > 0 || len(an.Packs) > 0 {
		avail := an.Available
		if avail == 0 {
			avail = opts.Available // an analysis stored before the count was recorded
		}
		rep.DataQuality.Selection = &RuleSelection{Only: an.Only, Skip: an.Skip, Packs: an.Packs, Evaluated: len(an.Rules), Available: avail, Analysed: an.Analysed}
	}
	rep.DataQuality.Inconclusive = []RuleOutcome{}
	rep.DataQuality.Errors = []RuleOutcome{}
	rep.Appendix.Rules = []RuleOutcome{}
	for _, sr := range an.Rules {
		o := RuleOutcome{Rule: infos[sr.ID], Outcome: sr.Outcome, Reason: sr.Reason,
			Findings: len(open[sr.ID]), Waived: waivedByRule[sr.ID]}
		rep.Appendix.Rules = append(rep.Appendix.Rules, o)
		switch sr.Outcome {
		case OutcomeInconclusive:
			rep.DataQuality.Inconclusive = append(rep.DataQuality.Inconclusive, o)
		case OutcomeError:
			rep.DataQuality.Errors = append(rep.DataQuality.Errors, o)
		}
		if len(open[sr.ID]) > 0 {
			rep.Rules = append(rep.Rules, RuleSection{Rule: infos[sr.ID], Findings: open[sr.ID]})
		}
	}
	sort.SliceStable(rep.Rules, func(i, j int) bool {
		a, b := rep.Rules[i].Rule, rep.Rules[j].Rule
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		return a.ID < b.ID
	})

	if err := enrichFindings(ctx, store, snapshotID, rep); err != nil {
		return nil, err
	}
	for _, s := range Severities() {
		rep.Summary.FindingsBySeverity = append(rep.Summary.FindingsBySeverity, SeverityCount{Severity: s, Count: openBySev[s]})
	}
	top := opts.TopRisks
	if top == 0 {
		top = 5
	}
	risks := make([]TopRisk, 0, len(rep.Rules))
	for _, sec := range rep.Rules {
		risks = append(risks, TopRisk{RuleID: sec.Rule.ID, Title: sec.Rule.Title, Severity: sec.Rule.Severity, Count: len(sec.Findings)})
	}
	sort.SliceStable(risks, func(i, j int) bool {
		if risks[i].Severity != risks[j].Severity {
			return risks[i].Severity > risks[j].Severity
		}
		return risks[i].Count > risks[j].Count
	})
	if len(risks) > top {
		risks = risks[:top]
	}
	rep.Summary.TopRisks = risks

	if rep.DataQuality.Coverage, err = store.Coverage(ctx, snapshotID); err != nil {
		return nil, err
	}
	if rep.DataQuality.Coverage == nil {
		rep.DataQuality.Coverage = []snapshot.Coverage{}
	}
	for _, c := range rep.DataQuality.Coverage {
		if !c.Complete {
			rep.DataQuality.Gaps++
		}
	}
	if rep.DataQuality.Nodes, err = clusterNodes(ctx, store, snapshotID, rep.DataQuality.Coverage); err != nil {
		return nil, err
	}
	if rep.Summary.RisByClassStatus, err = store.RisCounts(ctx, snapshotID); err != nil {
		return nil, err
	}
	if rep.Summary.Registration, err = registration(ctx, store, snapshotID, rep.DataQuality.Coverage); err != nil {
		return nil, err
	}
	if rep.Appendix.ModelCounts, err = modelCounts(ctx, store, snapshotID); err != nil {
		return nil, err
	}

	if prev, ok, err := PreviousSnapshot(ctx, store, snapshotID); err != nil {
		return nil, err
	} else if ok {
		d, err := DiffSnapshots(ctx, store, prev.ID, snapshotID, DiffOptions{})
		if err != nil {
			return nil, fmt.Errorf("comparing with the previous snapshot %d: %w", prev.ID, err)
		}
		rep.Summary.Change = d.Summarize()
	}
	if opts.TrendPoints >= 0 {
		n := opts.TrendPoints
		if n == 0 {
			n = DefaultTrendPoints
		}
		if rep.Trend, err = TrendAt(ctx, store, snapshotID, n); err != nil {
			return nil, err
		}
	}
	rep.Summary.Scores = ScoreReport(rep)
	return rep, nil
}

// registration compares AXL and RisPort per RisPort device class. A class is complete only when
// its own query and every node answered fully.
func registration(ctx context.Context, store *snapshot.Store, id int64, cov []snapshot.Coverage) ([]ClassRegistration, error) {
	// Not device_view: its join with ris_latest resolves every snapshot's RisPort rows before
	// filtering, so it slows down as the database accumulates history. Here RisPort is resolved
	// for this snapshot only, and only devices listed by several nodes are sorted.
	rows, err := store.DB().QueryContext(ctx, `
		WITH multi AS MATERIALIZED (
		       SELECT name FROM ris_device WHERE snapshot_id = ?1 GROUP BY name HAVING COUNT(*) > 1),
		     r AS MATERIALIZED (
		       SELECT name, device_class, status FROM ris_device
		       WHERE snapshot_id = ?1 AND name NOT IN (SELECT name FROM multi)
		       UNION ALL
		       SELECT name, device_class, status FROM (
		         SELECT x.name, x.device_class, x.status, ROW_NUMBER() OVER (PARTITION BY x.name
		                ORDER BY x.timestamp DESC, (x.status = 'Registered') DESC, x.node) AS rn
		         FROM multi m CROSS JOIN ris_device x ON x.snapshot_id = ?1 AND x.name = m.name)
		       WHERE rn = 1),
		     v AS (
		       SELECT d.ris_class AS c, 1 AS in_axl,
		              r.name IS NOT NULL AS in_ris, COALESCE(r.status, '') AS ris_status
		       FROM axl_device d LEFT JOIN r ON r.name = d.name WHERE d.snapshot_id = ?1 AND d.ris_class != ''
		       UNION ALL
		       SELECT r.device_class, 0, 1, r.status FROM axl_device d JOIN r ON r.name = d.name
		       WHERE d.snapshot_id = ?1 AND d.ris_class = ''
		       UNION ALL
		       SELECT r.device_class, 0, 1, r.status FROM r
		       WHERE r.name NOT IN (SELECT name FROM axl_device WHERE snapshot_id = ?1))
		SELECT c, SUM(in_axl), SUM(in_ris),
		       SUM(ris_status = 'Registered'), SUM(ris_status = 'UnRegistered'), SUM(ris_status = 'Rejected'),
		       SUM(ris_status = 'PartiallyRegistered'),
		       SUM(in_ris AND ris_status NOT IN ('Registered', 'UnRegistered', 'Rejected', 'PartiallyRegistered')),
		       SUM(in_axl AND NOT in_ris)
		FROM v GROUP BY c ORDER BY c`, id)
	if err != nil {
		return nil, fmt.Errorf("counting registration of snapshot %d: %w", id, err)
	}
	defer rows.Close()
	nodesComplete := true
	classComplete := map[string]bool{}
	for _, c := range cov {
		if c.Source != snapshot.SourceRisPort {
			continue
		}
		switch {
		case len(c.Item) > 5 && c.Item[:5] == "node:":
			nodesComplete = nodesComplete && c.Complete
		case len(c.Item) > 6 && c.Item[:6] == "class:":
			classComplete[c.Item[6:]] = c.Complete
		}
	}
	out := []ClassRegistration{}
	for rows.Next() {
		var r ClassRegistration
		if err := rows.Scan(&r.Class, &r.Configured, &r.Seen, &r.Registered, &r.UnRegistered, &r.Rejected,
			&r.PartiallyRegistered, &r.Unknown, &r.NeverSeen); err != nil {
			return nil, fmt.Errorf("counting registration of snapshot %d: %w", id, err)
		}
		if r.Configured > 0 {
			r.RegistrationRate = float64(r.Registered) / float64(r.Configured)
		}
		complete, queried := classComplete[r.Class]
		r.Complete = queried && complete && nodesComplete
		out = append(out, r)
	}
	return out, rows.Err()
}

func modelCounts(ctx context.Context, store *snapshot.Store, id int64) ([]ModelCount, error) {
	rows, err := store.DB().QueryContext(ctx, `
		SELECT `+snapshot.ClassLabelSQL("")+` AS c, model, COUNT(*)
		FROM axl_device WHERE snapshot_id = ? GROUP BY c, model ORDER BY c, COUNT(*) DESC, model`, id)
	if err != nil {
		return nil, fmt.Errorf("counting models of snapshot %d: %w", id, err)
	}
	defer rows.Close()
	out := []ModelCount{}
	for rows.Next() {
		var m ModelCount
		if err := rows.Scan(&m.Class, &m.Model, &m.Count); err != nil {
			return nil, fmt.Errorf("counting models of snapshot %d: %w", id, err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// clusterNodes lists the snapshot's nodes with what RisPort said of each, from its coverage.
func clusterNodes(ctx context.Context, store *snapshot.Store, id int64, cov []snapshot.Coverage) ([]ClusterNode, error) {
	nodes, err := store.Nodes(ctx, id)
	if err != nil {
		return nil, err
	}
	byItem := map[string]snapshot.Coverage{}
	for _, c := range cov {
		if c.Source == snapshot.SourceRisPort {
			byItem[c.Item] = c
		}
	}
	out := []ClusterNode{}
	for _, n := range nodes {
		cn := ClusterNode{Name: n.Name, Description: n.Description, Role: n.Role, Publisher: n.IsPublisher, Active: n.IsActive}
		c, ok := byItem[snapshot.NodeItem(n.Name)]
		switch {
		case n.Role == snapshot.RoleIMAndPresence:
			cn.RisPort = "not applicable"
		case !ok:
			cn.RisPort = "not read"
		case !c.Complete:
			cn.RisPort = "incomplete: " + c.Reason
		case c.Records > 0:
			cn.RisPort = fmt.Sprintf("%d devices listed", c.Records)
		default:
			cn.RisPort = "no devices listed"
		}
		out = append(out, cn)
	}
	return out, nil
}

// ChangeWindow is the report model of a change window, as `cucm-audit diff --out` renders it:
// the later snapshot's identity and the diff, nothing else.
func ChangeWindow(d *Diff, toolVersion string) *Report {
	return &Report{
		SchemaVersion: ReportSchemaVersion,
		Kind:          "change-window",
		GeneratedAt:   time.Now().UTC(),
		ToolVersion:   toolVersion,
		Snapshot:      d.After,
		Diff:          d,
	}
}
