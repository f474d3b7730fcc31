package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// TestChangeWindowRegistrationIncomplete: registration counts by class from a snapshot whose
// RisPort coverage of the class had a gap are never shown as plain numbers: every format marks
// them (≥ N, the change as a bound or unknown, a RisPort coverage column; flags in the JSON),
// and a class read completely on both sides says so.
func TestChangeWindowRegistrationIncomplete(t *testing.T) {
	rep := changeWindowReport()
	rep.Diff.Registration[0].IncompleteAfter = true                                                  // Gateway: snapshot #42 missed part of it
	rep.Diff.Registration[1].IncompleteBefore, rep.Diff.Registration[1].IncompleteAfter = true, true // Phone: both sides
	rep.Diff.Registration = append(rep.Diff.Registration, results.ClassDelta{Class: "SIPTrunk", RegisteredBefore: 20,
		RegisteredAfter: 18, SeenBefore: 22, SeenAfter: 22, ConfiguredBefore: 22, ConfiguredAfter: 22, IncompleteBefore: true})
	rep.Diff.Registration = append(rep.Diff.Registration, results.ClassDelta{Class: "HuntList", RegisteredBefore: 5,
		RegisteredAfter: 5, SeenBefore: 5, SeenAfter: 5, ConfiguredBefore: 5, ConfiguredAfter: 5})
	rows := [][]string{
		{"Gateway", "40", "≥ 41", "≥ +1", "85", "≥ 85", "85", "85", "incomplete in #42 (after): its counts are lower bounds"},
		{"Phone", "≥ 1682", "≥ 1679", "unknown", "≥ 1805", "≥ 1803", "2377", "2377", "incomplete in #41 and #42: counts are lower bounds, change unknown"},
		{"SIPTrunk", "≥ 20", "18", "≤ -2", "≥ 22", "22", "22", "22", "incomplete in #41 (before): its counts are lower bounds"},
		{"HuntList", "5", "5", "0", "5", "5", "5", "5", "complete"},
	}

	t.Run("pdf", func(t *testing.T) {
		text := pdfText(t, rep, Options{})
		pdfRows := [][]string{ // numbers with thousands separators, as the PDF prints them
			{"Gateway", "40", "≥ 41", "≥ +1", "85", "≥ 85", "85", "85", "incomplete"},
			{"Phone", "≥ 1,682", "≥ 1,679", "unknown", "≥ 1,805", "≥ 1,803", "2,377", "2,377", "incomplete"},
			{"SIPTrunk", "≥ 20", "18", "≤ -2", "≥ 22", "22", "22", "22", "incomplete"},
			{"HuntList", "5", "5", "0", "5", "5", "5", "5", "complete"},
		}
		for _, r := range pdfRows {
			// pdftotext lays the table out in columns; the note may wrap, its first word does not.
			if line := rowWith(text, r...); line == "" {
				t.Errorf("PDF has no line with %q", r)
			}
		}
		if !strings.Contains(flat(text), "that snapshot's registered and seen counts are lower bounds (≥ N)") {
			t.Error("PDF does not explain the ≥ counts")
		}
	})
	t.Run("md", func(t *testing.T) {
		md := renderMD(t, rep, 0).String()
		checkTables(t, []byte(md))
		for _, r := range rows {
			if want := "| " + strings.Join(r, " | ") + " |"; !strings.Contains(md, want) {
				t.Errorf("markdown lacks row %s", want)
			}
		}
	})
	t.Run("xlsx", func(t *testing.T) {
		d := dumpXLSX(t, renderTo(t, rep, FormatXLSX, Options{}), 10)
		_, at := sheetsOf(d)
		sheet := d.Sheets[at["Registration change"]].Head
		if !hasRow(sheet, "Class", "Registered before", "Registered after", "Change", "Seen before", "Seen after",
			"Configured before", "Configured after", "RisPort coverage") {
			t.Errorf("Registration change header: %q", deref(sheet[0]))
		}
		for _, r := range rows {
			if !hasRow(sheet, r...) {
				t.Errorf("sheet Registration change has no row %q", r)
			}
		}
	})
	t.Run("json", func(t *testing.T) {
		var buf bytes.Buffer
		if err := (&JSON{}).Render(&buf, rep); err != nil {
			t.Fatal(err)
		}
		var back struct {
			Diff struct {
				Registration []map[string]any `json:"registration"`
			} `json:"diff"`
		}
		if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
			t.Fatal(err)
		}
		var got [][2]any
		for _, c := range back.Diff.Registration {
			got = append(got, [2]any{c["incomplete_before"], c["incomplete_after"]})
		}
		want := [][2]any{{false, true}, {true, true}, {true, false}, {false, false}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("incomplete_before, incomplete_after per class (-want +got):\n%s", diff)
		}
	})
}
