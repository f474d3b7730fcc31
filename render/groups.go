package render

import (
	"strconv"
	"strings"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// groupTable lays out a section's groups: one column per group field, the findings, and how
// many configured devices share the first field. At most max groups (all when max < 0).
func groupTable(s results.RuleSection, max int) ([]string, [][]string, int) {
	if len(s.Groups) == 0 {
		return nil, nil, 0
	}
	var cols []string
	for _, f := range s.Groups[0].Fields {
		cols = append(cols, humanHeader(f.Name))
	}
	cols = append(cols, "Findings")
	withOf := false
	for _, g := range s.Groups {
		withOf = withOf || g.Of > 0
	}
	if withOf {
		cols = append(cols, "Of "+results.GroupNoun(s.Groups[0].Fields[0].Name))
	}
	gs := s.Groups
	more := 0
	if max >= 0 && len(gs) > max {
		more = len(gs) - max
		gs = gs[:max]
	}
	rows := make([][]string, 0, len(gs))
	for _, g := range gs {
		row := make([]string, 0, len(cols))
		for _, f := range g.Fields {
			row = append(row, f.Value)
		}
		row = append(row, num(g.Count))
		if withOf {
			of := ""
			if g.Of > 0 {
				of = num(g.Of)
			}
			row = append(row, of)
		}
		rows = append(rows, row)
	}
	return cols, rows, more
}

// distinctColumns drops the columns of a table whose every value repeats an earlier column's
// (a node shown twice, a message that restates the entity and the evidence).
func distinctColumns(cols []string, rows [][]string) ([]string, [][]string) {
	keep := make([]bool, len(cols))
	for i := range cols {
		keep[i] = true
		for j := 0; j < i && keep[i]; j++ {
			if !keep[j] {
				continue
			}
			same := true
			for _, r := range rows {
				if i >= len(r) || j >= len(r) || r[i] != r[j] {
					same = false
					break
				}
			}
			if same && len(rows) > 0 {
				keep[i] = false
			}
		}
	}
	return keepColumns(cols, rows, keep)
}

// withoutEntityParts drops the columns (after the first, the entity) whose every value is part
// of the row's entity: a composite entity such as "Cisco 7821 SIP: load A instead of load B"
// already says its model, protocol and loads.
func withoutEntityParts(cols []string, rows [][]string) ([]string, [][]string) {
	if len(rows) == 0 {
		return cols, rows
	}
	keep := make([]bool, len(cols))
	keep[0] = true
	for i := 1; i < len(cols); i++ {
		part := true
		for _, r := range rows {
			if i >= len(r) || len([]rune(r[i])) < 3 || !strings.Contains(r[0], r[i]) {
				part = false
				break
			}
		}
		keep[i] = !part
	}
	return keepColumns(cols, rows, keep)
}

// scoreTrend says an area's scores over the cluster's snapshots: "#39 70 → #40 68 → #42 62".
func scoreTrend(ps []results.ScorePoint) string {
	if len(ps) < 2 {
		return "—"
	}
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = "#" + strconv.FormatInt(p.SnapshotID, 10) + " " + strconv.Itoa(p.Score)
	}
	return strings.Join(parts, " → ")
}

// keepColumns returns the columns, and each row's cells, that keep marks.
func keepColumns(cols []string, rows [][]string, keep []bool) ([]string, [][]string) {
	var oc []string
	for i, c := range cols {
		if keep[i] {
			oc = append(oc, c)
		}
	}
	out := make([][]string, len(rows))
	for ri, r := range rows {
		for i, v := range r {
			if i < len(keep) && keep[i] {
				out[ri] = append(out[ri], v)
			}
		}
	}
	return oc, out
}
