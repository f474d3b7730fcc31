package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
)

// flat folds every run of white space into one space, so a sentence that pdftotext wrapped
// across lines can be searched.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// pdfText renders rep as a PDF, checks it with qpdf and returns what pdftotext -layout reads.
func pdfText(t *testing.T, rep *results.Report, opts Options) string {
	t.Helper()
	pdftotext := testtool.Need(t, "pdftotext")
	qpdf := testtool.Need(t, "qpdf")
	path := renderTo(t, rep, FormatPDF, opts)
	if out := run(t, qpdf, "--check", path); !bytes.Contains(out, []byte("No syntax or stream encoding errors")) {
		t.Errorf("qpdf --check:\n%s", out)
	}
	return string(run(t, pdftotext, "-layout", path, "-"))
}

// rowWith returns the first line of text holding every one of fields, "" when none does.
func rowWith(text string, fields ...string) string {
	for _, l := range strings.Split(text, "\n") {
		ok := true
		for _, f := range fields {
			if !strings.Contains(l, f) {
				ok = false
				break
			}
		}
		if ok {
			return l
		}
	}
	return ""
}

// sheetsOf returns the sheets of an openpyxl dump by name.
func sheetsOf(d xlsxDump) (names []string, byName map[string]int) {
	byName = map[string]int{}
	for i, s := range d.Sheets {
		names = append(names, s.Name)
		byName[s.Name] = i
	}
	return names, byName
}

// hasRow reports whether some row of rows starts with the cells want.
func hasRow(rows [][]*string, want ...string) bool {
	for _, r := range rows {
		got := deref(r)
		if len(got) < len(want) {
			continue
		}
		if cmp.Equal(got[:len(want)], want) {
			return true
		}
	}
	return false
}

// TestChangeWindowReport renders a before/after report (only the identity and the diff) and
// reads it back with the third-party readers: what broke and recovered, devices added, removed
// and changed field by field, findings new, resolved, persisting and unconfirmed, registration
// by class before and after, and the fields ignored as volatile, in every format.
func TestChangeWindowReport(t *testing.T) {
	rep := changeWindowReport()
	t.Run("pdf", func(t *testing.T) {
		text := pdfText(t, rep, Options{})
		for _, want := range []string{"CUCM Change-Window Report", "Change-window report", "Changes from snapshot #41 to #42", "Compared with",
			"What broke (1)", "What recovered (1)", "Devices added (1)", "Devices removed (1)", "Devices changed, field by field (4)",
			"New findings (1)", "Resolved findings (1)", "Earlier findings not confirmed resolved (1)",
			"Registration by class, before and after (2)", "Fields ignored as volatile",
			"TRK-PSTN-Zürich", "SEP00DD00000001", "DP-Ελλάδα-Athens", "<script>alert(1)</script>"} {
			if !strings.Contains(text, want) {
				t.Errorf("PDF lacks %q", want)
			}
		}
		for _, row := range [][]string{
			{"SEP00AA00001001", "Cisco 7841", "DP-Zürich-OG2", "cucm-sub1", "10.20.30.41", "UnRegistered"},
			{"GW-VG007", "Cisco VG400", "Rejected"},
			{"SEP00AA00001002", "status", "UnRegistered", "Rejected (ConfigurationMismatch)"}, // "(CallManagerReset)" wraps
			{"SEP00EE00000001", "Phone", "Cisco 8845"},
			{"SEP00EE00000002", "Phone", "Cisco 7965"},
			{"SEP00AA00001000", "active_load", "sip88xx.14-1-1", "sip88xx.14-3-1"},
			{"Phone", "1,682", "1,679", "-3", "1,805", "1,803", "2,377"},
			{"Gateway", "40", "41", "+1"},
			{"Persisting findings", "780"},
			{"Devices that broke (registered before, not now)", "1"},
			{"Other devices changed (4 field changes)", "2"},
		} {
			if rowWith(text, row...) == "" {
				t.Errorf("PDF has no line with %q", row)
			}
		}
		if !strings.Contains(flat(text), "Ignored as volatile, never counted as a change: registration_attempts, status_reason, timestamp.") {
			t.Error("PDF does not list the ignored fields")
		}
		if strings.Contains(text, "not compared") {
			t.Error("PDF says findings were not compared")
		}
		for _, absent := range []string{"Executive summary", "Data quality", "Appendix"} {
			if strings.Contains(text, absent) {
				t.Errorf("change-window PDF has an empty %q section", absent)
			}
		}
	})
	t.Run("md", func(t *testing.T) {
		buf := renderMD(t, rep, 0)
		html := checkTables(t, buf.Bytes())
		for _, want := range []string{
			"<h1>CUCM change window: HOSP-Zürich/Main</h1>",
			"<h2>Changes from snapshot #41 to #42</h2>",
			"<h3>What broke (1)</h3>", "<h3>What recovered (1)</h3>", "<h3>Devices added (1)</h3>", "<h3>Devices removed (1)</h3>",
			"<h3>Devices changed, field by field (4)</h3>", "<h3>New findings (1)</h3>", "<h3>Resolved findings (1)</h3>",
			"<h3>Earlier findings not confirmed resolved (1)</h3>", "<h3>Registration by class, before and after (2)</h3>",
			"<h3>Fields ignored as volatile</h3>",
			"<td>SEP00AA00001001</td>\n<td>Cisco 7841</td>\n<td>DP-Zürich-OG2</td>\n<td>cucm-sub1</td>\n<td>10.20.30.41</td>\n<td>Pflege Station 4</td>\n<td>UnRegistered (KeepAliveTimeout)</td>",
			"<td>GW-VG007</td>\n<td>Cisco VG400</td>\n<td></td>\n<td></td>\n<td></td>\n<td></td>\n<td>Rejected (ConfigurationMismatch)</td>",
			"<strong>Verdict: 1 device broke, 1 recovered. Registered by class, before → after: Gateway 40 → 41 (+1); Phone 1,682 → 1,679 (-3).</strong>",
			"<td>SEP00EE00000002</td>\n<td>Phone</td>\n<td>Cisco 7965</td>",
			"<td>active_load</td>\n<td>sip88xx.14-1-1</td>\n<td>sip88xx.14-3-1</td>",
			"<td>Phone</td>\n<td align=\"right\">1682</td>\n<td align=\"right\">1679</td>\n<td align=\"right\">-3</td>",
			"<td>Persisting findings</td>\n<td align=\"right\">780</td>",
			"Ignored as volatile, never counted as a change: registration_attempts, status_reason, timestamp.",
			"&lt;script&gt;",
		} {
			if !strings.Contains(html, want) {
				t.Errorf("markdown lacks %q", want)
			}
		}
		if strings.Contains(html, "Executive summary") || strings.Contains(html, "not compared") {
			t.Error("change-window markdown has an empty summary or says findings were not compared")
		}
		golden(t, "change-window.md", scrub(buf.Bytes()))
	})
	t.Run("xlsx", func(t *testing.T) {
		d := dumpXLSX(t, renderTo(t, rep, FormatXLSX, Options{}), 40)
		names, at := sheetsOf(d)
		want := []string{"Summary", "Broke", "Recovered", "Devices added", "Devices removed", "Devices changed",
			"New findings", "Resolved findings", "Unconfirmed findings", "Registration change", "Ignored fields"}
		if diff := cmp.Diff(want, names); diff != "" {
			t.Fatalf("sheet names (-want +got):\n%s", diff)
		}
		rows := map[string]int{"Broke": 1, "Recovered": 1, "Devices added": 1, "Devices removed": 1, "Devices changed": 4,
			"New findings": 1, "Resolved findings": 1, "Unconfirmed findings": 1, "Registration change": 2,
			"Ignored fields": len(results.DiffFields())}
		for name, n := range rows {
			s := d.Sheets[at[name]]
			if s.Rows != n+1 {
				t.Errorf("sheet %s has %d rows, want header + %d", name, s.Rows, n)
			}
			if len(s.Tables) != 1 || s.Freeze == nil || *s.Freeze != "A2" {
				t.Errorf("sheet %s: tables %v, frozen %v; want one table and a frozen header", name, s.Tables, s.Freeze)
			}
		}
		sheet := func(name string) [][]*string { return d.Sheets[at[name]].Head }
		for _, c := range []struct {
			sheet string
			row   []string
		}{
			{"Broke", []string{"Device", "Class", "Model", "Device pool", "Node", "IP", "Description", "Status before", "Status after", "Also changed"}},
			{"Broke", []string{"SEP00AA00001001", "Phone", "Cisco 7841", "DP-Zürich-OG2", "cucm-sub1", "10.20.30.41", "Pflege Station 4", "Registered", "UnRegistered (KeepAliveTimeout)"}},
			{"Recovered", []string{"GW-VG007", "Gateway", "Cisco VG400", "", "", "", "", "Rejected (ConfigurationMismatch)", "Registered"}},
			{"Summary", []string{"Verdict", "1 device broke, 1 recovered. Registered by class, before → after: Gateway 40 → 41 (+1); Phone 1,682 → 1,679 (-3)."}},
			{"Devices added", []string{"SEP00EE00000001", "Phone", "Cisco 8845"}},
			{"Devices removed", []string{"SEP00EE00000002", "Phone", "Cisco 7965"}},
			{"Devices changed", []string{"SEP00AA00001000", "Phone", "Cisco 8845", "description", "Empfang Zürich"}},
			{"Devices changed", []string{"SEP00AA00001000", "Phone", "Cisco 8845", "device_pool", "DP-Berlin", "DP-Ελλάδα-Athens"}},
			{"New findings", []string{"REG-003", "Critical", "TRK-PSTN-Zürich", "Trunk is down", "status=UnRegistered", "REG-003:TRK-PSTN-Zürich"}},
			{"Resolved findings", []string{"REG-002", "High", "GW-VG007"}},
			{"Unconfirmed findings", []string{"REG-010", "Medium", "SEP00DD00000001"}},
			{"Registration change", []string{"Phone", "1682", "1679", "-3", "1805", "1803", "2377", "2377"}},
			{"Ignored fields", []string{"registration_attempts", "ignored: never counted as a change"}},
			{"Ignored fields", []string{"active_load", "compared"}},
			{"Summary", []string{"CUCM change-window report"}},
			{"Summary", []string{"Persisting findings", "780"}},
			{"Summary", []string{"Devices that recovered (registered now, not before)", "1"}},
			{"Summary", []string{"Ignored fields", "Ignored as volatile, never counted as a change: registration_attempts, status_reason, timestamp. The list is set with cucm-audit diff --ignore-fields."}},
		} {
			if !hasRow(sheet(c.sheet), c.row...) {
				t.Errorf("sheet %s has no row %q", c.sheet, c.row)
			}
		}
	})
	t.Run("json", func(t *testing.T) {
		var buf bytes.Buffer
		if err := (&JSON{}).Render(&buf, rep); err != nil {
			t.Fatal(err)
		}
		var back results.Report
		if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(rep, &back); diff != "" {
			t.Errorf("change-window JSON does not round-trip (-want +got):\n%s", diff)
		}
		var raw struct {
			Diff map[string]any `json:"diff"`
		}
		if err := json.Unmarshal(buf.Bytes(), &raw); err != nil {
			t.Fatal(err)
		}
		if raw.Diff["findings_compared"] != true || raw.Diff["findings_persisting"] != 780.0 {
			t.Errorf("diff JSON: findings_compared %v, findings_persisting %v", raw.Diff["findings_compared"], raw.Diff["findings_persisting"])
		}
	})
}

// TestChangeWindowFindingsNotCompared: when one snapshot has no analysis, every format says
// the findings were not compared and why, and none shows 0 new or 0 resolved as if compared.
func TestChangeWindowFindingsNotCompared(t *testing.T) {
	rep := notComparedReport()
	const why = "Findings not compared: snapshot #41 (before) has not been analyzed, so no finding is reported new, resolved or persisting (the counts are unknown, not zero). Run cucm-audit analyze --snapshot 41, then compare again."
	t.Run("pdf", func(t *testing.T) {
		text := pdfText(t, rep, Options{})
		if !strings.Contains(flat(text), why) {
			t.Errorf("PDF does not say why findings were not compared:\n%s", text)
		}
		if rowWith(text, "Findings new, resolved, persisting", "not compared") == "" {
			t.Error("PDF count table lacks the not-compared row")
		}
		for _, absent := range []string{"New findings", "Resolved findings", "Persisting findings"} {
			if strings.Contains(text, absent) {
				t.Errorf("PDF shows %q although findings were not compared", absent)
			}
		}
		for _, want := range []string{"What broke (1)", "Devices changed, field by field (4)", "Fields ignored as volatile"} {
			if !strings.Contains(text, want) {
				t.Errorf("PDF lacks %q", want)
			}
		}
	})
	t.Run("md", func(t *testing.T) {
		buf := renderMD(t, rep, 0)
		html := checkTables(t, buf.Bytes())
		for _, want := range []string{"<strong>" + why + "</strong>", "<td>Findings new, resolved, persisting</td>\n<td align=\"right\"><strong>not compared</strong></td>",
			"<h3>What broke (1)</h3>"} {
			if !strings.Contains(html, want) {
				t.Errorf("markdown lacks %q", want)
			}
		}
		for _, absent := range []string{"New findings", "Resolved findings", "Persisting findings"} {
			if strings.Contains(html, absent) {
				t.Errorf("markdown shows %q although findings were not compared", absent)
			}
		}
	})
	t.Run("xlsx", func(t *testing.T) {
		d := dumpXLSX(t, renderTo(t, rep, FormatXLSX, Options{}), 60)
		names, at := sheetsOf(d)
		want := []string{"Summary", "Broke", "Recovered", "Devices added", "Devices removed", "Devices changed", "Registration change", "Ignored fields"}
		if diff := cmp.Diff(want, names); diff != "" {
			t.Errorf("sheet names (-want +got):\n%s", diff)
		}
		sum := d.Sheets[at["Summary"]].Head
		if !hasRow(sum, "Findings new, resolved, persisting", "not compared") || !hasRow(sum, "Findings not compared", why) {
			t.Error("Summary sheet does not say findings were not compared and why")
		}
		for _, absent := range []string{"New findings", "Resolved findings", "Persisting findings"} {
			if hasRow(sum, absent) {
				t.Errorf("Summary sheet has a %q row", absent)
			}
		}
	})
	t.Run("json", func(t *testing.T) {
		var buf bytes.Buffer
		if err := (&JSON{}).Render(&buf, rep); err != nil {
			t.Fatal(err)
		}
		var raw struct {
			Diff map[string]any `json:"diff"`
		}
		if err := json.Unmarshal(buf.Bytes(), &raw); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"findings_new", "findings_resolved", "findings_persisting"} {
			if v, ok := raw.Diff[k]; !ok || v != nil {
				t.Errorf("%s = %v (present %v), want null", k, v, ok)
			}
		}
		if raw.Diff["findings_compared"] != false || raw.Diff["after_analysis_id"] != 8.0 {
			t.Errorf("findings_compared %v, after_analysis_id %v", raw.Diff["findings_compared"], raw.Diff["after_analysis_id"])
		}
	})
}

func TestFindingsNotComparedText(t *testing.T) {
	rep := notComparedReport()
	tests := []struct {
		name          string
		before, after int64
		want          string
	}{
		{"before missing", 0, 8, "snapshot #41 (before) has not been analyzed"},
		{"after missing", 7, 0, "snapshot #42 (after) has not been analyzed"},
		{"both missing", 0, 0, "snapshot #41 (before) and #42 (after) have not been analyzed"},
		{"ids given", 7, 8, "Findings not compared: the findings of one of the two snapshots were not available"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := *rep.Diff
			d.BeforeAnalysis, d.AfterAnalysis = tt.before, tt.after
			if got := findingsNotCompared(&d); !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want it to contain %q", got, tt.want)
			}
		})
	}
	if got := findingsNotCompared(changeWindowReport().Diff); got != "" {
		t.Errorf("compared diff: %q", got)
	}
}

// TestChangeWindowCaps: a big change window is capped in the PDF and the Markdown with "N more
// in the XLSX", and the XLSX has every row.
func TestChangeWindowCaps(t *testing.T) {
	const n = 120
	rep := bigChangeReport(n)
	t.Run("pdf", func(t *testing.T) {
		text := flat(pdfText(t, rep, Options{}))
		for _, want := range []string{
			`Showing 50 of 120 devices: 70 more in the XLSX, which lists them all on sheet "Broke".`,
			`Showing 50 of 240 field changes: 190 more in the XLSX, which lists them all on sheet "Devices changed".`,
			`Showing 50 of 120 devices: 70 more in the XLSX, which lists them all on sheet "Devices added".`,
			`Showing 50 of 120 findings: 70 more in the XLSX, which lists them all on sheet "New findings".`,
		} {
			if !strings.Contains(text, want) {
				t.Errorf("PDF lacks %q", want)
			}
		}
		if strings.Contains(text, fmt.Sprintf("SEP10%010X", 50)) {
			t.Error("PDF lists a device past the cap")
		}
	})
	t.Run("md", func(t *testing.T) {
		html := checkTables(t, renderMD(t, rep, 0).Bytes())
		if !strings.Contains(html, "Verdict: 120 devices broke, 0 recovered.") {
			t.Error("markdown lacks the verdict")
		}
		for _, want := range []string{
			"Showing 25 of 120 devices: 95 more in the XLSX (sheet Broke), which lists them all.",
			"Showing 25 of 240 field changes: 215 more in the XLSX (sheet Devices changed), which lists them all.",
		} {
			if !strings.Contains(html, want) {
				t.Errorf("markdown lacks %q", want)
			}
		}
		all := renderMD(t, rep, -1).String()
		if strings.Contains(all, "more in the XLSX") || !strings.Contains(all, fmt.Sprintf("SEP10%010X", n-1)) {
			t.Error("uncapped markdown is capped")
		}
	})
	t.Run("xlsx", func(t *testing.T) {
		d := dumpXLSX(t, renderTo(t, rep, FormatXLSX, Options{}), 1)
		_, at := sheetsOf(d)
		for name, rows := range map[string]int{"Broke": n, "Devices changed": 2 * n, "Devices added": n, "Devices removed": n, "New findings": n} {
			if got := d.Sheets[at[name]].Rows; got != rows+1 {
				t.Errorf("sheet %s has %d rows, want header + %d", name, got, rows)
			}
		}
	})
}

// TestSummaryChangeNotCompared: an audit report whose previous snapshot was never analysed says
// so in its "change since the previous snapshot" instead of 0 new and 0 resolved findings.
func TestSummaryChangeNotCompared(t *testing.T) {
	rep := func() *results.Report {
		r := demoReport()
		r.Summary.Change = &results.ChangeSummary{PreviousID: 41, RegisteredDelta: -3, DevicesAdded: 7, DevicesRemoved: 2, FindingsNotCompared: true}
		return r
	}
	const why = "Findings not compared with snapshot #41: it has not been analyzed, so new and resolved findings are unknown, not zero (run cucm-audit analyze --snapshot 41)."
	t.Run("pdf", func(t *testing.T) {
		text := pdfText(t, rep(), Options{})
		for _, m := range []string{"New findings", "Resolved findings"} {
			if rowWith(text, m, "not compared") == "" {
				t.Errorf("PDF has no %q row saying not compared", m)
			}
		}
		if !strings.Contains(flat(text), why) {
			t.Error("PDF does not say why")
		}
	})
	t.Run("md", func(t *testing.T) {
		html := checkTables(t, renderMD(t, rep(), 0).Bytes())
		for _, want := range []string{"<td>New findings</td>\n<td align=\"right\"><strong>not compared</strong></td>",
			"<td>Resolved findings</td>\n<td align=\"right\"><strong>not compared</strong></td>", "<em>" + why + "</em>"} {
			if !strings.Contains(html, want) {
				t.Errorf("markdown lacks %q", want)
			}
		}
	})
	t.Run("xlsx", func(t *testing.T) {
		sum := dumpXLSX(t, renderTo(t, rep(), FormatXLSX, Options{}), 200).Sheets[0].Head
		if !hasRow(sum, "New findings", "not compared") || !hasRow(sum, "Resolved findings", "not compared") || !hasRow(sum, "Findings not compared", why) {
			t.Error("Summary sheet does not say findings were not compared")
		}
	})
	t.Run("json", func(t *testing.T) {
		var buf bytes.Buffer
		if err := (&JSON{}).Render(&buf, rep()); err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(buf.Bytes(), []byte(`"findings_not_compared": true`)) {
			t.Error("JSON lacks findings_not_compared")
		}
	})
}
