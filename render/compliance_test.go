package render

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
)

// demoCompliance is the Compliance section of the demo fixture: a failing pack whose worst
// rule's example is hostile, a pack without a verdict, a passing pack and a pack with more
// failing rules than it names.
func demoCompliance() []results.PackCompliance {
	cfr := results.ControlStatus{Control: "47CFR9.16", Label: "47 CFR 9.16", Outcome: results.OutcomeFail, Rules: []string{"EMG-001", "EMG-002", "EMG-003"}}
	return []results.PackCompliance{
		{Pack: "emergency", Title: "Emergency calling", Outcome: results.OutcomeFail, Rules: 3, Pass: 1, Fail: 2, Findings: 4,
			Worst: []results.ComplianceRule{
				{RuleID: "EMG-001", Title: "Lines that cannot reach any emergency number", Severity: results.SeverityCritical,
					Outcome: results.OutcomeFail, Findings: 2, Example: hostileDescription, Controls: []string{"47 CFR 9.16", "ISO 27001 A.5.29"}},
				{RuleID: "EMG-003", Title: "Emergency number reachable only with an access code (Kari's Law)", Severity: results.SeverityHigh,
					Outcome: results.OutcomeFail, Findings: 2, Example: "SEP00EBD5EAA8CA/1 (6121): 911 is no-match but 9911 routes", Controls: []string{"47 CFR 9.16"}},
			},
			Unconcluded: []results.ComplianceRule{},
			Controls: []results.ControlStatus{cfr,
				{Control: "ISO27001:A.5.29", Label: "ISO 27001 A.5.29", Outcome: results.OutcomeFail, Rules: []string{"EMG-001"}}}},
		{Pack: "tollfraud", Title: "Toll fraud", Outcome: results.OutcomeInconclusive, Rules: 4, NotEvaluated: 1, Pass: 3, Inconclusive: 1,
			Worst: []results.ComplianceRule{},
			Unconcluded: []results.ComplianceRule{{RuleID: "TF-001", Title: "Forwards to international or premium numbers",
				Severity: results.SeverityHigh, Outcome: results.OutcomeInconclusive, Reason: "axl table:numplan incomplete: row cap"}},
			Controls: []results.ControlStatus{{Control: "ISO27001:A.8.20", Label: "ISO 27001 A.8.20", Outcome: results.OutcomeInconclusive, Rules: []string{"TF-001", "TF-002", "TF-003", "TF-004"}}}},
		{Pack: "access", Title: "Administrative rights", Outcome: results.OutcomePass, Rules: 2, Pass: 2,
			Worst: []results.ComplianceRule{}, Unconcluded: []results.ComplianceRule{},
			Controls: []results.ControlStatus{{Control: "ISO27001:A.5.15", Label: "ISO 27001 A.5.15", Outcome: results.OutcomePass, Rules: []string{"ACC-001", "ACC-002"}}}},
		{Pack: "lifecycle", Title: "Lifecycle", Outcome: results.OutcomeFail, Rules: 5, Pass: 1, Fail: 4, Findings: 230, MoreFailing: 1,
			Worst: []results.ComplianceRule{
				{RuleID: "EOL-001", Title: "End-of-life phone models still in service", Severity: results.SeverityHigh, Outcome: results.OutcomeFail, Findings: 120, Example: "Cisco 7965: 120", Controls: []string{"ISO 27001 A.8.8"}},
				{RuleID: "FW-003", Title: "Phones not running their intended firmware load", Severity: results.SeverityMedium, Outcome: results.OutcomeFail, Findings: 90, Controls: []string{"ISO 27001 A.8.8"}},
				{RuleID: "FW-001", Title: "Phone models running more than one firmware load", Severity: results.SeverityLow, Outcome: results.OutcomeFail, Findings: 12, Controls: []string{"ISO 27001 A.8.8"}},
			},
			Unconcluded: []results.ComplianceRule{},
			Controls:    []results.ControlStatus{{Control: "ISO27001:A.8.8", Label: "ISO 27001 A.8.8", Outcome: results.OutcomeFail, Rules: []string{"EOL-001", "FW-001", "FW-002", "FW-003"}}}},
	}
}

// The pack table as every reader should see it (PDF, Markdown, HTML).
var wantComplianceRows = [][]string{
	{"Emergency calling", "fail", "3", "1", "2", "0", "4", "47 CFR 9.16, ISO 27001 A.5.29"},
	{"Toll fraud", "inconclusive", "4 of 5", "3", "0", "1", "0", "none"},
	{"Administrative rights", "pass", "2", "2", "0", "0", "0", "none"},
	{"Lifecycle", "fail", "5", "1", "4", "0", "230", "ISO 27001 A.8.8"},
}

func TestCompliancePDF(t *testing.T) {
	text := pdfText(t, demoReport(), Options{})
	i := strings.Index(text, "\nCompliance\n")
	j := strings.Index(text, "\nFindings by rule\n")
	if i < 0 || j < i {
		t.Fatalf("PDF has no Compliance section before Findings by rule:\n%s", text)
	}
	sec := text[i:j]
	for _, row := range wantComplianceRows {
		// The pack's title may wrap in its column: its first word starts the row.
		if want := []string{strings.Fields(row[0])[0], row[1], row[2]}; rowWith(sec, want...) == "" {
			t.Errorf("PDF Compliance lacks a row with %q", want)
		}
	}
	for _, want := range []string{"Worst failing rules", "EMG-001 (2), EMG-003 (2)", "47 CFR 9.16, ISO 27001", "Rules without a verdict", "TF-001",
		"axl table:numplan incomplete: row cap", "EOL-001 (120), FW-003", "FW-001 (12), +1 more"} {
		if !strings.Contains(flat(sec), want) {
			t.Errorf("PDF Compliance lacks %q", want)
		}
	}
	if !strings.Contains(flat(sec), "47 CFR 9.16") {
		t.Error("PDF Compliance names no control")
	}
	if contents := text[:strings.Index(text, "\f")]; !strings.Contains(contents, "Compliance") {
		t.Error("PDF contents do not list Compliance")
	}
}

func TestComplianceMarkdown(t *testing.T) {
	md := renderMD(t, demoReport(), 0).String()
	html := checkTables(t, []byte(md))
	i := strings.Index(html, "<h2>Compliance</h2>")
	j := strings.Index(html, "<h2>Findings by rule</h2>")
	if i < 0 || j < i {
		t.Fatalf("Markdown has no Compliance section before Findings by rule")
	}
	sec := html[i:j]
	for _, row := range wantComplianceRows {
		cells := "<td>" + strings.Join(row[:2], "</td>\n<td>") + "</td>"
		if !strings.Contains(sec, cells) {
			t.Errorf("Markdown Compliance lacks the row %q", row)
		}
	}
	for _, want := range []string{"<h3>Worst failing rules</h3>", "<h3>Rules without a verdict</h3>", "<h3>Controls</h3>",
		"<td>47 CFR 9.16</td>", "&lt;script&gt;"} {
		if !strings.Contains(sec, want) {
			t.Errorf("Markdown Compliance lacks %q", want)
		}
	}
	if strings.Contains(sec, "<script>") {
		t.Error("a hostile example reached the Markdown as live HTML")
	}
}

func TestComplianceHTML(t *testing.T) {
	page := renderHTML(t, demoReport())
	doc := checkDOM(t, page)
	var sec string
	for _, s := range findAll(doc, "section") {
		for _, a := range s.Attr {
			if a.Key == "id" && a.Val == "compliance" {
				sec = domText(s)
			}
		}
	}
	if sec == "" {
		t.Fatal("HTML has no section#compliance")
	}
	for _, want := range []string{"Emergency calling", "4 of 5", "Worst failing rules", "Rules without a verdict", "Controls",
		"47 CFR 9.16", "<script>alert(1)</script>", "axl table:numplan incomplete: row cap"} {
		if !strings.Contains(sec, want) {
			t.Errorf("HTML Compliance lacks %q (as text)", want)
		}
	}
	if !strings.Contains(string(page), `<tr class="sev-critical"><td>Emergency calling</td><td>EMG-001</td>`) {
		t.Error("HTML worst failing rules: EMG-001's row lacks its severity class")
	}
	if !strings.Contains(string(page), `<a href="#compliance">Compliance</a>`) {
		t.Error("HTML navigation lacks Compliance")
	}
}

func TestComplianceXLSX(t *testing.T) {
	path := renderTo(t, demoReport(), FormatXLSX, Options{})
	var got struct {
		Dimension string       `json:"dimension"`
		Rows      [][][]string `json:"rows"`
	}
	if err := json.Unmarshal(run(t, testtool.Openpyxl(t), "testdata/xlsx_types.py", path, "Compliance"), &got); err != nil {
		t.Fatal(err)
	}
	if got.Dimension != "A1:P5" || len(got.Rows) != 5 {
		t.Fatalf("Compliance sheet: used range %s, %d rows; want A1:P5 (a header and 4 packs)", got.Dimension, len(got.Rows))
	}
	head := make([]string, len(got.Rows[0]))
	for i, c := range got.Rows[0] {
		head[i] = c[1]
	}
	col := func(name string) int {
		for i, h := range head {
			if h == name {
				return i
			}
		}
		t.Fatalf("Compliance sheet has no column %q: %q", name, head)
		return -1
	}
	emg := got.Rows[1]
	for name, want := range map[string][]string{
		"Pack":                {"str", "Emergency calling"},
		"Verdict":             {"str", "fail"},
		"Rules evaluated":     {"int", "3"},
		"Fail":                {"int", "2"},
		"Open findings":       {"int", "4"},
		"Controls failing":    {"str", "47 CFR 9.16, ISO 27001 A.5.29"},
		"Worst failing rules": {"str", "EMG-001 (critical, 2): Lines that cannot reach any emergency number; EMG-003 (high, 2): Emergency number reachable only with an access code (Kari's Law)"},
	} {
		if d := cmp.Diff(want, emg[col(name)]); d != "" {
			t.Errorf("Emergency calling %s (-want +got):\n%s", name, d)
		}
	}
	if d := cmp.Diff([]string{"str", "TF-001: axl table:numplan incomplete: row cap"}, got.Rows[2][col("Rules without a verdict")]); d != "" {
		t.Errorf("Toll fraud without a verdict (-want +got):\n%s", d)
	}
}

func TestComplianceJSON(t *testing.T) {
	path := renderTo(t, demoReport(), FormatJSON, Options{})
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		SchemaVersion int                      `json:"schema_version"`
		Compliance    []results.PackCompliance `json:"compliance"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(demoCompliance(), doc.Compliance); d != "" || doc.SchemaVersion != results.ReportSchemaVersion {
		t.Errorf("JSON compliance (schema %d) (-want +got):\n%s", doc.SchemaVersion, d)
	}
}

func TestSelectionTextPacks(t *testing.T) {
	got := selectionText(&results.RuleSelection{Packs: []string{"emergency", "tollfraud"}, Skip: []string{"TF-001"}, Evaluated: 7, Available: 45})
	want := "This report covers 7 of 45 rules (--pack emergency,tollfraud --skip TF-001); findings of other rules are not included."
	if got != want {
		t.Errorf("selectionText:\n got %s\nwant %s", got, want)
	}
}

// TestComplianceIntroPacks: the section's first sentence names the packs the report holds, not
// every pack there is (report --pack emergency names emergency calling only).
func TestComplianceIntroPacks(t *testing.T) {
	got := complianceIntro([]results.PackCompliance{{Pack: "emergency", Title: "Emergency calling"}})
	if !strings.HasPrefix(got, "One entry per compliance pack (emergency calling): ") {
		t.Errorf("intro %q", got)
	}
	got = complianceIntro([]results.PackCompliance{{Pack: "access", Title: "Administrative rights"}, {Pack: "site"}})
	if !strings.HasPrefix(got, "One entry per compliance pack (administrative rights, site): ") {
		t.Errorf("intro %q", got)
	}
}
