package render

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// HTML renders the report as one self-contained page: inline CSS, charts as inline SVG, a small
// inline script that makes the tables sortable and filterable, and nothing fetched from anywhere
// (a Content-Security-Policy forbids it). The page is whole without the script: every row of
// every table is in the document. Every value from the cluster goes through html/template's
// contextual escaping; the only trusted content is the page's own CSS and script.
type HTML struct{}

// Format implements Renderer.
func (*HTML) Format() Format { return FormatHTML }

//go:embed html/report.html.tmpl
var htmlTemplateText string

//go:embed html/report.css
var htmlCSS string

//go:embed html/report.js
var htmlJS string

// htmlTemplate is parsed once; it is never changed after, so sharing it is safe.
var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"sevClass": sevClass,
	"svgNum":   svgNum,
	"paras":    htmlText,
	"sevName":  sevName,
	"num":      num,
}).Parse(htmlTemplateText + htmlComplianceText))

// htmlCSP is the page's Content-Security-Policy: nothing loads from anywhere, and only the
// page's own style and script (by hash) run.
var htmlCSP = "default-src 'none'; style-src '" + cspHash(htmlCSS) + "'; script-src '" + cspHash(htmlJS) +
	"'; img-src data:; base-uri 'none'; form-action 'none'"

func cspHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(h[:])
}

// Render implements Renderer.
func (*HTML) Render(w io.Writer, r *results.Report) error {
	if err := htmlTemplate.Execute(w, newHTMLView(r)); err != nil {
		return fmt.Errorf("executing html template: %w", err)
	}
	return nil
}

// htmlView is what the template sees: text and tables built here, escaped by the template.
type htmlView struct {
	R            *results.Report
	Title        string
	Cluster      string
	ChangeWindow bool
	CSP          string
	CSS          template.CSS // the page's own, never data
	JS           template.JS  // the page's own, never data
	Facts        [][2]string
	Banner       string
	Nav          []htmlLink

	// Audit report.
	Narrative []string
	Tiles     []htmlTile
	Scores    *htmlTable
	SevChart  *svgChart
	RegChart  *svgChart
	RegTable  *htmlTable
	TopRisks  *htmlTable
	Change    *htmlTable
	ChangeFYI string
	Trend     *htmlTable

	Selection    string
	CoverageText string
	Gaps         *htmlTable
	Nodes        *htmlTable
	Inconclusive *htmlTable
	Errors       *htmlTable

	Compliance *htmlCompliance

	Rules []htmlRule

	Waived        *htmlTable
	WaiversLapsed *htmlTable

	AppendixRules  *htmlTable
	AppendixModels *htmlTable

	// Change-window report (and an audit's change section when the report carries a diff).
	Diff *htmlDiff
}

type htmlLink struct{ Anchor, Text string }

type htmlTile struct {
	Value, Label, Class string
}

// htmlRule is one failing rule: what, why, its groups and every finding.
type htmlRule struct {
	Anchor   string
	Info     results.RuleInfo
	Sev      results.Severity
	Total    int
	Groups   *htmlTable
	Findings *htmlTable
	Params   string
}

type htmlDiff struct {
	Title       string
	Verdict     string
	Broke       int
	Counts      *htmlTable
	NotCompared string
	Notes       []string
	Chart       *svgChart
	Lists       []htmlList
	IgnoredText string
}

type htmlList struct {
	Anchor, Title, Intro, None string
	Table                      *htmlTable
}

// htmlTable is a table the script makes sortable and filterable; without script it is a plain
// table with every row.
type htmlTable struct {
	ID      string
	Caption string
	Cols    []htmlCol
	Rows    []htmlRow
}

type htmlCol struct {
	Head string
	Num  bool
}

type htmlRow struct {
	Class string // a severity or state class, from this file's constants
	Cells []string
}

// htmlTables hands out table ids unique within one page.
type htmlTables struct{ n int }

func (t *htmlTables) table(cols []string, num []bool, rows [][]string) *htmlTable {
	t.n++
	tb := &htmlTable{ID: "t" + strconv.Itoa(t.n), Cols: make([]htmlCol, len(cols)), Rows: make([]htmlRow, len(rows))}
	for i, c := range cols {
		tb.Cols[i] = htmlCol{Head: c, Num: i < len(num) && num[i]}
	}
	for i, r := range rows {
		cells := make([]string, len(r))
		for j, c := range r {
			cells[j] = cleanText(c)
		}
		tb.Rows[i] = htmlRow{Cells: cells}
	}
	return tb
}

// sevClass is a severity's CSS class.
func sevClass(s results.Severity) string {
	switch s {
	case results.SeverityCritical:
		return "sev-critical"
	case results.SeverityHigh:
		return "sev-high"
	case results.SeverityMedium:
		return "sev-medium"
	case results.SeverityLow:
		return "sev-low"
	}
	return "sev-info"
}

func htmlTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 MST")
}

func newHTMLView(r *results.Report) *htmlView {
	tabs := &htmlTables{}
	v := &htmlView{R: r, Cluster: oneLine(r.Snapshot.ClusterID), ChangeWindow: r.Kind == kindChangeWindow,
		CSP: htmlCSP, CSS: template.CSS(htmlCSS), JS: template.JS(htmlJS), Banner: PartialBanner(r)}
	v.Title = "CUCM audit report"
	if v.ChangeWindow {
		v.Title = "CUCM change-window report"
	}
	facts := reportFacts(r, htmlTime)
	for _, f := range facts {
		if f[1] != "" {
			v.Facts = append(v.Facts, [2]string{f[0], oneLine(f[1])})
		}
	}
	if !v.ChangeWindow {
		v.Nav = []htmlLink{{"summary", "Summary"}, {"quality", "Data quality"}, {"findings", "Findings"}, {"waived", "Waived"}}
		v.summary(tabs)
		v.quality(tabs)
		if v.Compliance = newHTMLCompliance(r, tabs); v.Compliance != nil {
			v.Nav = slices.Insert(v.Nav, 2, htmlLink{"compliance", complianceTitle})
		}
		v.findings(tabs)
		v.waived(tabs)
	}
	if r.Diff != nil {
		v.diff(tabs)
		v.Nav = append(v.Nav, htmlLink{"changes", "Changes"})
	}
	if !v.ChangeWindow {
		v.appendix(tabs)
		v.Nav = append(v.Nav, htmlLink{"appendix", "Appendix"})
	}
	return v
}

func (v *htmlView) summary(tabs *htmlTables) {
	r := v.R
	v.Narrative = r.Summary.Narrative
	open, critHigh := summaryOpenFindings(r)
	regText, regOf := regTotal(r.Summary.Registration)
	gapClass := "good"
	if dataQualityTroubled(r) {
		gapClass = "bad"
	}
	v.Tiles = []htmlTile{
		{num(open), "open findings", ""},
		{num(critHigh), "critical or high", "sev-high"},
		{regText, "devices registered (" + regOf + ")", ""},
		{num(r.DataQuality.Gaps), fmt.Sprintf("data gaps · %d inconclusive rules", len(r.DataQuality.Inconclusive)), gapClass},
	}
	if len(r.Summary.Scores) > 0 {
		var rows [][]string
		for _, s := range r.Summary.Scores {
			rows = append(rows, []string{s.Area, strconv.Itoa(s.Score), fmt.Sprintf("%d of %d", s.Failing, s.Rules),
				strconv.Itoa(s.Inconclusive), scoreTrend(s.Trend)})
		}
		v.Scores = tabs.table([]string{"Area", "Score", "Rules failing", "Rules without verdict", "Trend"},
			[]bool{false, true, false, true}, rows)
	}
	v.SevChart = severityChart(r.Summary.FindingsBySeverity)
	if len(r.Summary.Registration) > 0 {
		v.RegChart = registrationChart(r.Summary.Registration)
		var rows [][]string
		for _, c := range r.Summary.Registration {
			complete := "yes"
			if !c.Complete {
				complete = "no: counts are bounds"
			}
			rows = append(rows, append(append([]string{c.Class}, regRow(c, num)...), complete))
		}
		v.RegTable = tabs.table([]string{"Class", "Configured (AXL)", "Seen (RisPort)", "Registered", "Unregistered", "Rejected",
			"Partially registered", "Unknown", "Never seen", "Registration rate", "RisPort complete"},
			[]bool{false, true, true, true, true, true, true, true, true, true}, rows)
	}
	if len(r.Summary.TopRisks) > 0 {
		var rows [][]string
		for _, t := range r.Summary.TopRisks {
			rows = append(rows, []string{sevName(t.Severity), t.RuleID, t.Title, num(t.Count)})
		}
		v.TopRisks = tabs.table([]string{"Severity", "Rule", "Title", "Open findings"}, []bool{false, false, false, true}, rows)
		for i, t := range r.Summary.TopRisks {
			v.TopRisks.Rows[i].Class = sevClass(t.Severity)
		}
	}
	if c := r.Summary.Change; c != nil {
		newF, resF := num(c.NewFindings), num(c.ResolvedFindings)
		if c.FindingsNotCompared {
			newF, resF = "not compared", "not compared"
			v.ChangeFYI = changeNotCompared(c)
		}
		v.Change = tabs.table([]string{"Measure", "Change"}, []bool{false, true}, [][]string{
			{"New findings", newF},
			{"Resolved findings", resF},
			{"Registered devices", signed(c.RegisteredDelta)},
			{"Devices added to the configuration", num(c.DevicesAdded)},
			{"Devices removed from the configuration", num(c.DevicesRemoved)},
		})
		v.Change.Caption = fmt.Sprintf("Change since the previous snapshot (#%d)", c.PreviousID)
	}
	if len(r.Trend) >= 2 {
		header, rows := TrendTable(r.Trend)
		nums := make([]bool, len(header))
		for i := 2; i < len(nums); i++ {
			nums[i] = true
		}
		v.Trend = tabs.table(header, nums, rows)
	}
}

func (v *htmlView) quality(tabs *htmlTables) {
	dq := v.R.DataQuality
	v.Selection = selectionText(dq.Selection)
	var gaps [][]string
	for _, c := range dq.Coverage {
		if !c.Complete {
			gaps = append(gaps, []string{c.Source, c.Item, num(c.Records), c.Reason})
		}
	}
	if len(gaps) == 0 {
		v.CoverageText = fmt.Sprintf("Every source was read completely (%d sources checked). Every rule could rely on its inputs.", len(dq.Coverage))
	} else {
		v.CoverageText = fmt.Sprintf("%d of %d sources could not be read completely. Rules that need them are reported as inconclusive "+
			"instead of producing findings, so nothing here is a guess based on missing data.", len(gaps), len(dq.Coverage))
		v.Gaps = tabs.table([]string{"Source", "Item", "Records read", "Reason"}, []bool{false, false, true}, gaps)
	}
	if len(dq.Nodes) > 0 {
		var rows [][]string
		for _, n := range dq.Nodes {
			rows = append(rows, []string{n.Name, nodeRoleText(n), n.RisPort})
		}
		v.Nodes = tabs.table([]string{"Node", "Role", "RisPort"}, nil, rows)
	}
	outcomes := func(os []results.RuleOutcome, why string) *htmlTable {
		if len(os) == 0 {
			return nil
		}
		var rows [][]string
		for _, o := range os {
			rows = append(rows, []string{o.Rule.ID, o.Rule.Title, o.Reason})
		}
		return tabs.table([]string{"Rule", "Title", why}, nil, rows)
	}
	v.Inconclusive = outcomes(dq.Inconclusive, "Why it could not conclude")
	v.Errors = outcomes(dq.Errors, "Error")
}

func (v *htmlView) findings(tabs *htmlTables) {
	for i, s := range v.R.Rules {
		hr := htmlRule{Anchor: "rule-" + strconv.Itoa(i+1), Info: s.Rule, Sev: s.Rule.Severity, Total: len(s.Findings),
			Params: paramList(s.Rule.Params)}
		if gcols, grows, _ := groupTable(s, -1); len(gcols) > 0 {
			nums := make([]bool, len(gcols))
			for j := len(s.Groups[0].Fields); j < len(nums); j++ {
				nums[j] = true
			}
			hr.Groups = tabs.table(gcols, nums, grows)
		}
		cols, rows := findingTable(s.Findings, -1)
		cols, rows = distinctColumns(cols, rows)
		for j := range cols {
			cols[j] = humanize(cols[j])
		}
		hr.Findings = tabs.table(cols, nil, rows)
		v.Rules = append(v.Rules, hr)
	}
}

func (v *htmlView) waived(tabs *htmlTables) {
	r := v.R
	if len(r.Waived) > 0 {
		var rows [][]string
		for _, f := range r.Waived {
			var st, owner, exp string
			if f.Waiver != nil {
				st, owner, exp = f.Waiver.Statement, f.Waiver.Owner, f.Waiver.Expires
			}
			rows = append(rows, []string{f.RuleID, sevName(f.Severity), f.Entity, st, owner, exp})
		}
		v.Waived = tabs.table([]string{"Rule", "Severity", "Entity", "Accepted risk", "Owner", "Expires"}, nil, rows)
		for i, f := range r.Waived {
			v.Waived.Rows[i].Class = sevClass(f.Severity)
		}
	}
	var rows [][]string
	for _, w := range r.Waivers.Expired {
		rows = append(rows, []string{"expired: its findings are open again", w.Rule, w.Entity, w.Statement, w.Owner, w.Expires})
	}
	for _, w := range r.Waivers.Stale {
		rows = append(rows, []string{"matched no finding", w.Rule, w.Entity, w.Statement, w.Owner, w.Expires})
	}
	if len(rows) > 0 {
		v.WaiversLapsed = tabs.table([]string{"State", "Rule", "Entity pattern", "Statement", "Owner", "Expires"}, nil, rows)
	}
}

func (v *htmlView) appendix(tabs *htmlTables) {
	r := v.R
	var rows [][]string
	for _, o := range r.Appendix.Rules {
		rows = append(rows, []string{o.Rule.ID, o.Rule.Title, sevName(o.Rule.Severity), string(o.Outcome), num(o.Findings),
			num(o.Waived), paramList(o.Rule.Params)})
	}
	v.AppendixRules = tabs.table([]string{"Rule", "Title", "Severity", "Outcome", "Open", "Waived", "Parameters"},
		[]bool{false, false, false, false, true, true}, rows)
	for i, o := range r.Appendix.Rules {
		v.AppendixRules.Rows[i].Class = sevClass(o.Rule.Severity)
	}
	rows = nil
	for _, m := range r.Appendix.ModelCounts {
		rows = append(rows, []string{m.Class, m.Model, num(m.Count)})
	}
	v.AppendixModels = tabs.table([]string{"Class", "Model", "Devices"}, []bool{false, false, true}, rows)
}

func (v *htmlView) diff(tabs *htmlTables) {
	cv := newChangeView(v.R.Diff)
	hd := &htmlDiff{Title: cv.Title, Verdict: cv.Verdict, Broke: cv.Broke, NotCompared: cv.NotCompared, Notes: cv.Notes,
		IgnoredText: cv.IgnoredText, Chart: changeChart(v.R.Diff.Registration)}
	var rows [][]string
	for _, c := range cv.Counts {
		val := num(c.N)
		if c.Text != "" {
			val = c.Text
		}
		rows = append(rows, []string{c.Label, val})
	}
	hd.Counts = tabs.table([]string{"Measure", "Count"}, []bool{false, true}, rows)
	for i, l := range cv.Lists {
		heads, rows := l.visible()
		var nums []bool
		for _, c := range l.Cols {
			if !c.XLSXOnly {
				nums = append(nums, c.Num)
			}
		}
		hl := htmlList{Anchor: "change-" + strconv.Itoa(i+1), Title: fmt.Sprintf("%s (%s)", l.Title, num(len(rows))),
			Intro: l.Intro, None: l.None}
		if len(rows) > 0 {
			hl.Table = tabs.table(heads, nums, rows)
			if len(l.Sevs) == len(rows) {
				for j, s := range l.Sevs {
					hl.Table.Rows[j].Class = sevClass(s)
				}
			}
		}
		hd.Lists = append(hd.Lists, hl)
	}
	v.Diff = hd
}

// svgChart is a chart drawn as inline SVG: rectangles and text only, coloured by CSS classes.
type svgChart struct {
	Label  string // the chart's accessible name
	W, H   int
	Bars   []svgBar
	Texts  []svgText
	Legend []svgLegend
}

type svgBar struct {
	X, Y, W, H float64
	Class      string
	Title      string
}

type svgText struct {
	X, Y   float64
	Anchor string // start, middle or end
	Class  string
	Text   string
}

type svgLegend struct{ Class, Text string }

// severityChart draws open findings by severity as horizontal bars.
func severityChart(counts []results.SeverityCount) *svgChart {
	if len(counts) == 0 {
		return nil
	}
	const labelW, barMax, rowH = 90.0, 520.0, 26.0
	maxN := 1
	for _, c := range counts {
		maxN = max(maxN, c.Count)
	}
	ch := &svgChart{Label: "Open findings by severity", W: 720, H: int(rowH*float64(len(counts)) + 8)}
	for i, c := range counts {
		y := 4 + rowH*float64(i)
		w := barMax * float64(c.Count) / float64(maxN)
		name := sevName(c.Severity)
		ch.Texts = append(ch.Texts, svgText{X: labelW - 8, Y: y + 16, Anchor: "end", Text: name})
		if c.Count > 0 {
			ch.Bars = append(ch.Bars, svgBar{X: labelW, Y: y + 3, W: max(w, 2), H: rowH - 8, Class: sevClass(c.Severity),
				Title: name + ": " + num(c.Count) + " open findings"})
		}
		ch.Texts = append(ch.Texts, svgText{X: labelW + max(w, 2) + 6, Y: y + 16, Anchor: "start", Text: num(c.Count)})
	}
	return ch
}

// registrationChart draws each RisPort class as one bar of its configured devices, split by
// state: registered, unregistered, rejected, other (partially registered, unknown), never seen.
func registrationChart(regs []results.ClassRegistration) *svgChart {
	const labelW, barMax, rowH = 130.0, 560.0, 44.0
	ch := &svgChart{Label: "Registration by device class", W: 720, H: int(rowH*float64(len(regs)) + 8)}
	ch.Legend = []svgLegend{{"reg-registered", "registered"}, {"reg-unregistered", "unregistered"},
		{"reg-rejected", "rejected"}, {"reg-other", "partially registered or unknown"}, {"reg-never", "never seen"}}
	for i, c := range regs {
		y := 4 + rowH*float64(i)
		total := max(c.Configured, c.Seen+c.NeverSeen, 1)
		ch.Texts = append(ch.Texts, svgText{X: labelW - 8, Y: y + 15, Anchor: "end", Text: truncate(oneLine(c.Class), 18)})
		x := labelW
		for _, part := range []struct {
			n     int
			class string
			what  string
		}{
			{c.Registered, "reg-registered", "registered"},
			{c.UnRegistered, "reg-unregistered", "unregistered"},
			{c.Rejected, "reg-rejected", "rejected"},
			{c.PartiallyRegistered + c.Unknown, "reg-other", "partially registered or unknown"},
			{c.NeverSeen, "reg-never", "never seen"},
		} {
			if part.n <= 0 {
				continue
			}
			w := barMax * float64(part.n) / float64(total)
			ch.Bars = append(ch.Bars, svgBar{X: x, Y: y + 2, W: w, H: 18, Class: part.class,
				Title: oneLine(c.Class) + ": " + num(part.n) + " " + part.what})
			x += w
		}
		ch.Texts = append(ch.Texts, svgText{X: labelW, Y: y + 36, Anchor: "start", Class: "small", Text: regChartLabel(c)})
	}
	return ch
}

// changeChart draws registered devices per class before and after a change as pairs of bars.
func changeChart(deltas []results.ClassDelta) *svgChart {
	if len(deltas) == 0 {
		return nil
	}
	const labelW, barMax, rowH = 130.0, 480.0, 40.0
	maxN := 1
	for _, c := range deltas {
		maxN = max(maxN, c.RegisteredBefore, c.RegisteredAfter)
	}
	ch := &svgChart{Label: "Registered devices by class, before and after", W: 720, H: int(rowH*float64(len(deltas)) + 8)}
	ch.Legend = []svgLegend{{"chg-before", "registered before"}, {"chg-after", "registered after"}}
	for i, c := range deltas {
		y := 4 + rowH*float64(i)
		ch.Texts = append(ch.Texts, svgText{X: labelW - 8, Y: y + 20, Anchor: "end", Text: truncate(oneLine(c.Class), 18)})
		for j, side := range []struct {
			n          int
			incomplete bool
			class      string
			when       string
		}{{c.RegisteredBefore, c.IncompleteBefore, "chg-before", "before"}, {c.RegisteredAfter, c.IncompleteAfter, "chg-after", "after"}} {
			by := y + 2 + float64(j)*16
			w := max(barMax*float64(side.n)/float64(maxN), 1)
			n := atLeastNum(side.n, side.incomplete)
			ch.Bars = append(ch.Bars, svgBar{X: labelW, Y: by, W: w, H: 14, Class: side.class,
				Title: oneLine(c.Class) + " registered " + side.when + ": " + n})
			ch.Texts = append(ch.Texts, svgText{X: labelW + w + 6, Y: by + 11, Anchor: "start", Class: "small", Text: n})
		}
	}
	return ch
}

// svgNum prints a coordinate for an SVG attribute.
func svgNum(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// htmlText splits free text into paragraphs for the template.
func htmlText(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.TrimSpace(cleanText(s)), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
