package render

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
)

// xlsxDump is what testdata/xlsx_dump.py (openpyxl) reports.
type xlsxDump struct {
	Sheets []struct {
		Name   string      `json:"name"`
		Rows   int         `json:"rows"`
		Freeze *string     `json:"freeze"`
		Tables []string    `json:"tables"`
		Head   [][]*string `json:"head"`
	} `json:"sheets"`
	Risky []struct {
		Sheet, Cell, Value string
		DataType           string `json:"data_type"`
	} `json:"risky"`
}

func dumpXLSX(t *testing.T, path string, maxRows int) xlsxDump {
	t.Helper()
	py := testtool.Openpyxl(t)
	out := run(t, py, "testdata/xlsx_dump.py", path, fmt.Sprint(maxRows))
	var d xlsxDump
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatalf("decoding openpyxl dump: %v", err)
	}
	return d
}

func TestXLSXOpenpyxl(t *testing.T) {
	rep := demoReport()
	path := renderTo(t, rep, FormatXLSX, Options{})
	d := dumpXLSX(t, path, 12)

	var names []string
	for _, s := range d.Sheets {
		names = append(names, s.Name)
	}
	want := []string{"Summary", "All findings", "REG-003", "REG-002", "EOL-001", "REG-001", "CFG-004", "CFG-010",
		"Compliance", "Waived", "Registration", "Inventory", "Coverage", "Inconclusive", "Rules", "Trend"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Fatalf("sheet names (-want +got):\n%s", diff)
	}
	for i, s := range d.Sheets[2:8] {
		sec := rep.Rules[i]
		t.Run(s.Name, func(t *testing.T) {
			if s.Rows != len(sec.Findings)+1 {
				t.Errorf("%d rows, want header + %d findings", s.Rows, len(sec.Findings))
			}
			if len(s.Tables) != 1 || !strings.HasPrefix(s.Tables[0], "Table") {
				t.Errorf("tables %v, want one", s.Tables)
			}
			if s.Freeze == nil || *s.Freeze != "A2" {
				t.Errorf("frozen pane %v, want A2", s.Freeze)
			}
			head := deref(s.Head[0])
			if head[0] != "Rule" || head[1] != "Severity" || head[2] != "Entity" || head[len(head)-1] != "Fingerprint" {
				t.Errorf("header %v", head)
			}
		})
	}
	// Every formula-looking value is a string cell holding exactly the value.
	wantRisky := map[string]bool{formulaValue: false, "+41 44 123 45 67": false, "@SUM(A1:A2)": false, "-2+3": false, "\tcmd": false}
	for _, c := range d.Risky {
		if c.DataType != "s" {
			t.Errorf("%s!%s %q has data_type %q, want s (text)", c.Sheet, c.Cell, c.Value, c.DataType)
		}
		if _, ok := wantRisky[c.Value]; ok {
			wantRisky[c.Value] = true
		}
	}
	for v, seen := range wantRisky {
		if !seen {
			t.Errorf("value %q not found unchanged in any cell", v)
		}
	}
	// Hostile description: control characters gone, the rest intact; the 10 kB value whole.
	var long, hostile bool
	full := dumpXLSX(t, path, 1000)
	for _, s := range full.Sheets {
		if s.Name != "REG-001" {
			continue
		}
		for _, row := range s.Head {
			for _, c := range deref(row) {
				if c == longValue {
					long = true
				}
				if strings.HasPrefix(c, "Lobby | phone\nsecond line <script>") {
					hostile = true
					if strings.ContainsAny(c, "\x07\x1b\u202E") {
						t.Errorf("control characters kept: %q", c)
					}
					if !strings.Contains(c, "📞 東京 שלום עולם") {
						t.Errorf("hostile description mangled: %q", c)
					}
				}
			}
		}
	}
	if !long || !hostile {
		t.Errorf("REG-001 sheet: 10 kB value found %v, hostile description found %v", long, hostile)
	}
	t.Run("golden", func(t *testing.T) {
		var b strings.Builder
		for _, s := range d.Sheets {
			fmt.Fprintf(&b, "== %s: %d rows, frozen %v, tables %v\n", s.Name, s.Rows, deref([]*string{s.Freeze})[0], s.Tables)
			for _, row := range s.Head {
				line, err := json.Marshal(row)
				if err != nil {
					t.Fatal(err)
				}
				b.Write(line)
				b.WriteByte('\n')
			}
		}
		golden(t, "demo.xlsx.txt", scrub([]byte(b.String())))
	})
}

func deref(row []*string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		if c != nil {
			out[i] = *c
		}
	}
	return out
}

func TestRuleSheetNames(t *testing.T) {
	mk := func(ids ...string) []string {
		rep := demoReport()
		rep.Rules = rep.Rules[:0]
		for _, id := range ids {
			s := demoReport().Rules[0]
			s.Rule.ID = id
			rep.Rules = append(rep.Rules, s)
		}
		return ruleSheetNames(rep.Rules)
	}
	tests := []struct {
		name string
		ids  []string
		want []string
	}{
		{"plain", []string{"REG-001", "SEC-002"}, []string{"REG-001", "SEC-002"}},
		{"forbidden characters", []string{"a[b]:c*d?e/f\\g"}, []string{"a_b__c_d_e_f_g"}},
		{"too long", []string{strings.Repeat("X", 40)}, []string{strings.Repeat("X", 31)}},
		{"duplicates after cutting", []string{strings.Repeat("Y", 35) + "1", strings.Repeat("Y", 35) + "2"}, []string{strings.Repeat("Y", 31), strings.Repeat("Y", 29) + "~2"}},
		{"fixed sheet names", []string{"Summary", "waived"}, []string{"Summary~2", "waived~2"}},
		{"case-insensitive", []string{"abc", "ABC"}, []string{"abc", "ABC~2"}},
		{"apostrophes", []string{"'quoted'"}, []string{"quoted"}},
		{"empty", []string{""}, []string{"Rule"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, mk(tt.ids...)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestXLSXUsedRange reads every sheet with openpyxl in read-only mode (which trusts each
// sheet's <dimension ref>), fully loaded, and with pandas: all see every row.
func TestXLSXUsedRange(t *testing.T) {
	for name, rep := range map[string]*results.Report{"demo": demoReport(), "change-window": changeWindowReport()} {
		t.Run(name, func(t *testing.T) {
			path := renderTo(t, rep, FormatXLSX, Options{})
			py := testtool.Pandas(t)
			var got map[string]struct {
				ReadOnly  int    `json:"read_only"`
				Full      int    `json:"full"`
				Pandas    int    `json:"pandas"`
				Dimension string `json:"dimension"`
			}
			if err := json.Unmarshal(run(t, py, "testdata/xlsx_rows.py", path), &got); err != nil {
				t.Fatal(err)
			}
			if len(got) < 5 {
				t.Fatalf("%d sheets", len(got))
			}
			for sheet, c := range got {
				if c.ReadOnly != c.Full || c.Pandas != c.Full || c.Full < 2 {
					t.Errorf("sheet %q: read-only sees %d rows, pandas %d, full load %d (dimension %s)", sheet, c.ReadOnly, c.Pandas, c.Full, c.Dimension)
				}
			}
		})
	}
}
