package render

import (
	"fmt"
	"strings"

	"github.com/cucm-audit/cucm-audit/analyze"
)

// groupNoun names what a group's Of counts, by the group's first field.
func groupNoun(field string) string {
	switch field {
	case "mgcp_gateway":
		return "endpoints of the gateway"
	case "device_pool":
		return "devices in the pool"
	case "model":
		return "devices of the model"
	case "location":
		return "devices in the location"
	case "owner":
		return "devices of the user"
	case "protocol":
		return "devices on the protocol"
	case "class":
		return "devices of the class"
	}
	return "devices"
}

// groupSentence says one group in a line: "vg320-old: 34 of 44 endpoints of the gateway ·
// reason ConfigurationMismatch · node cucm-sub3".
func groupSentence(g analyze.FindingGroup) string {
	if len(g.Fields) == 0 {
		return fmt.Sprintf("%s findings", num(g.Count))
	}
	var b strings.Builder
	b.WriteString(g.Fields[0].Value)
	b.WriteString(": ")
	b.WriteString(num(g.Count))
	if g.Of > 0 {
		fmt.Fprintf(&b, " of %s %s", num(g.Of), groupNoun(g.Fields[0].Name))
	} else if g.Count == 1 {
		b.WriteString(" finding")
	} else {
		b.WriteString(" findings")
	}
	for _, f := range g.Fields[1:] {
		fmt.Fprintf(&b, " · %s %s", strings.ToLower(humanHeader(f.Name)), f.Value)
	}
	return b.String()
}

// groupTable lays out a section's groups: one column per group field, the findings, and how
// many configured devices share the first field. At most max groups (all when max < 0).
func groupTable(s analyze.RuleSection, max int) ([]string, [][]string, int) {
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
		cols = append(cols, "Of "+groupNoun(s.Groups[0].Fields[0].Name))
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
