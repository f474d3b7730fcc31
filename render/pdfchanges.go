package render

import (
	"fmt"
	"strconv"
	"strings"
)

// diff draws a change-window comparison: the counts, why findings were not compared when they
// were not, the notes, every change list (each capped at MaxEntities rows with "N more", in the
// XLSX when one is written with it), and the fields ignored as volatile.
func (d *pdfDoc) diff() {
	v := newChangeView(d.rep.Diff)
	d.section(v.Title)
	verdictCol := colGood
	if v.Broke > 0 {
		verdictCol = colBad
	}
	d.para("Verdict: "+v.Verdict, "B", 11, verdictCol)
	var rows [][]string
	var unknown []bool
	for _, c := range v.Counts {
		val := num(c.N)
		if c.Text != "" {
			val = c.Text
		}
		rows = append(rows, []string{c.Label, val})
		unknown = append(unknown, c.Text != "")
	}
	d.table([]pdfCol{{"Measure", 70, "L"}, {"Count", 20, "R"}}, rows, func(row, col int) (rgb, bool) {
		if col == 1 && unknown[row] {
			return colBad, true
		}
		return rgb{}, false
	})
	if v.NotCompared != "" {
		d.para(v.NotCompared, "B", pdfBodySize, colBad)
	}
	for _, n := range v.Notes {
		d.para(n, "", 8.5, colMuted)
	}
	for _, l := range v.Lists {
		d.changeList(l)
	}
	d.heading("Fields ignored as volatile", 10)
	d.para(v.IgnoredText, "", pdfBodySize, colInk)
}

// pdfChangeRows is the least number of rows a change list shows: a change window's lists are
// the point of its report, so they are not cut to the few entities a rule section shows.
const pdfChangeRows = 50

// changeList draws one list of a change-window report, capped at pdfChangeRows rows (or
// d.max when larger; all when d.max < 0).
func (d *pdfDoc) changeList(l changeList) {
	d.heading(fmt.Sprintf("%s (%s)", l.Title, num(len(l.Rows))), 15)
	if len(l.Rows) == 0 {
		d.para(l.None, "", pdfBodySize, colInk)
		return
	}
	d.para(l.Intro, "", 8.5, colMuted)
	heads, rows := l.visible()
	shown := rows
	if lim := maxInt(d.max, pdfChangeRows); d.max >= 0 && len(rows) > lim {
		shown = rows[:lim]
	}
	var numCols []bool
	cols := make([]pdfCol, len(heads))
	for i, h := range heads {
		cols[i] = pdfCol{head: h, align: "L"} // width 0: sized from the content
	}
	j := 0
	for _, c := range l.Cols {
		if c.XLSXOnly {
			continue
		}
		numCols = append(numCols, c.Num)
		if c.Num {
			cols[j].align = "R"
		}
		j++
	}
	out := make([][]string, len(shown))
	for i, r := range shown {
		row := make([]string, len(r))
		for k, val := range r {
			row[k] = val
			if numCols[k] {
				// A bound from incomplete coverage ("≥ 1682", "≤ -2") keeps its sign in front.
				bound, raw := "", val
				for _, p := range []string{"≥ ", "≤ "} {
					if rest, ok := strings.CutPrefix(val, p); ok {
						bound, raw = p, rest
					}
				}
				if n, err := strconv.Atoi(raw); err == nil {
					if strings.HasPrefix(raw, "+") {
						row[k] = bound + signed(n)
					} else {
						row[k] = bound + num(n)
					}
				}
			}
		}
		out[i] = row
	}
	var style tableStyle
	if len(l.Sevs) == len(l.Rows) && len(l.Sevs) > 0 {
		style = sevStyle(l.Sevs, 1)
	}
	d.ensure(15)
	d.table(cols, out, style)
	if more := len(rows) - len(shown); more > 0 {
		d.para(fmt.Sprintf("Showing %s of %s %s: %s", num(len(shown)), num(len(rows)), l.Unit,
			d.more(more, "them all", l.Sheet)), "", 8.5, colMuted)
	}
}
