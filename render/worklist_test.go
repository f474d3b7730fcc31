package render

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
)

type worklistRead struct {
	Rows  map[string]map[string]string
	Types map[string]struct{ Type, Format string }
}

func readWorklistPy(t *testing.T, path string) worklistRead {
	t.Helper()
	var w worklistRead
	if err := json.Unmarshal(run(t, testtool.Openpyxl(t), "testdata/xlsx_worklist.py", "read", path), &w); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestWorklistCarryOver edits Status, Assignee and Notes in a report's XLSX with openpyxl, renders
// the next report with that workbook as its worklist, and finds the edits on the same findings,
// the new findings blank and marked new, and the resolved ones marked gone with their notes.
func TestWorklistCarryOver(t *testing.T) {
	first := demoReport()
	path := renderTo(t, first, FormatXLSX, Options{})
	edits := map[string][3]string{
		"REG-003:TRK-Unity":       {"In progress", "alice", "SBC certificate renewed, waiting for carrier"},
		"REG-002:GW-VG007":        {"Done", "bob", "re-homed to cucm-sub2"},
		"EOL-001:SEP00BB00000003": {"Accepted", "", "+41 44 555 01 01: replace in Q2"}, // a note that looks like a number stays text
	}
	b, _ := json.Marshal(edits)
	editsFile := filepath.Join(t.TempDir(), "edits.json")
	if err := os.WriteFile(editsFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, testtool.Openpyxl(t), "testdata/xlsx_worklist.py", "edit", path, editsFile)

	wl, err := ReadWorklist(path)
	if err != nil {
		t.Fatal(err)
	}
	// Next quarter: GW-VG007 is fixed (gone), a new trunk finding appears.
	next := demoReport()
	for i := range next.Rules {
		s := &next.Rules[i]
		switch s.Rule.ID {
		case "REG-002":
			var keep []results.Finding
			for _, f := range s.Findings {
				if f.Entity != "GW-VG007" {
					keep = append(keep, f)
				}
			}
			s.Findings = keep
			results.GroupSection(s)
		case "REG-003":
			s.Findings = append(s.Findings, finding("REG-003", results.SeverityCritical, "TRK-NEW-01", "status", "UnRegistered", "node", "cucm-sub1"))
		}
	}
	out := renderTo(t, next, FormatXLSX, Options{Worklist: wl})
	got := readWorklistPy(t, out)

	check := func(fp, status, assignee, notes, mark string) {
		t.Helper()
		row, ok := got.Rows[fp]
		if !ok {
			t.Errorf("%s: no row in All findings", fp)
			return
		}
		want := map[string]string{"Status": status, "Assignee": assignee, "Notes": notes, "Since last worklist": mark}
		have := map[string]string{}
		for k := range want {
			have[k] = row[k]
		}
		if d := cmp.Diff(want, have); d != "" {
			t.Errorf("%s (-want +got):\n%s", fp, d)
		}
	}
	check("REG-003:TRK-Unity", "In progress", "alice", "SBC certificate renewed, waiting for carrier", "open before")
	check("EOL-001:SEP00BB00000003", "Accepted", "", "+41 44 555 01 01: replace in Q2", "open before")
	check("REG-003:TRK-PSTN-Zürich", "", "", "", "open before")
	check("REG-003:TRK-NEW-01", "", "", "", "new")
	check("REG-002:GW-VG007", "Done", "bob", "re-homed to cucm-sub2", "gone")
	total := 0
	for _, s := range next.Rules {
		total += len(s.Findings)
	}
	if len(got.Rows) != total+1 {
		t.Errorf("All findings has %d rows, want %d findings + 1 gone", len(got.Rows), total)
	}

	// A third report from the second workbook: the gone finding is not reported gone again,
	// and the carried edits carry once more.
	wl2, err := ReadWorklist(out)
	if err != nil {
		t.Fatal(err)
	}
	third := readWorklistPy(t, renderTo(t, next, FormatXLSX, Options{Worklist: wl2}))
	if _, ok := third.Rows["REG-002:GW-VG007"]; ok {
		t.Error("a finding reported gone once is reported gone again")
	}
	if r := third.Rows["REG-003:TRK-Unity"]; r["Assignee"] != "alice" {
		t.Errorf("second carry lost the assignee: %v", r)
	}
}

// TestXLSXTypedCells: numbers, dates and percentages are typed cells with number formats.
func TestXLSXTypedCells(t *testing.T) {
	got := readWorklistPy(t, renderTo(t, demoReport(), FormatXLSX, Options{}))
	want := map[string]struct{ Type, Format string }{
		"REG-003!Days":                   {"int", "General"},
		"REG-003!Unregistered since":     {"datetime", "yyyy-mm-dd hh:mm:ss"},
		"EOL-001!End of support":         {"datetime", "yyyy-mm-dd"},
		"Registration!Registration rate": {"float", "0.00%"},
		"Waived!Expires":                 {"datetime", "yyyy-mm-dd"},
	}
	if d := cmp.Diff(want, got.Types); d != "" {
		t.Errorf("cell types (-want +got):\n%s", d)
	}
}

func TestReadWorklistRefusesOtherWorkbooks(t *testing.T) {
	rep := changeWindowReport()
	rep.Rules = nil
	path := renderTo(t, rep, FormatXLSX, Options{})
	if _, err := ReadWorklist(path); err == nil || !errors.Is(err, ErrNotWorklist) {
		t.Errorf("ReadWorklist of a change-window workbook: %v, want ErrNotWorklist", err)
	}
	if _, err := ReadWorklist(filepath.Join(t.TempDir(), "missing.xlsx")); err == nil {
		t.Error("ReadWorklist of a missing file: no error")
	}
}
