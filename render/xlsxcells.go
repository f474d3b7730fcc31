package render

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// headerWords are the words of field names a reader spells otherwise.
var headerWords = map[string]string{
	"ip": "IP", "ipv4": "IPv4", "mac": "MAC", "dn": "DN", "axl": "AXL", "sip": "SIP", "mgcp": "MGCP",
	"cm": "CM", "css": "CSS", "id": "ID", "pct": "(%)", "risport": "RisPort", "url": "URL", "eol": "EOL",
	"cti": "CTI", "h323": "H.323", "os": "OS",
}

// headerNames are whole field names with a better header than their words.
var headerNames = map[string]string{
	"ipv4": "IP address", "ip": "IP address", "status_reason": "Status reason", "reason_code": "Reason code",
	"delta_pct": "Change (%)", "set_by": "Set by", "dir_number": "Directory number", "n": "Count",
}

// humanHeader turns a field name such as device_pool into a column header: "Device pool".
func humanHeader(name string) string {
	if h, ok := headerNames[name]; ok {
		return h
	}
	if name == "" || strings.ContainsAny(name, " ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		return name // already written for people
	}
	words := strings.Split(name, "_")
	for i, w := range words {
		if h, ok := headerWords[w]; ok {
			words[i] = h
			continue
		}
		if i == 0 && w != "" {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

// colKind is how a column of evidence values is stored.
type colKind int

const (
	kindText colKind = iota
	kindNumber
	kindDate
	kindDateTime
)

var (
	numberPattern   = regexp.MustCompile(`^-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,9})?$`)
	datePattern     = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	dateTimePattern = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2})?Z?$`)
)

// identifierWords mark fields whose values are names even when they are all digits: a
// directory number 1001 stays the text 1001.
var identifierWords = map[string]bool{"name": true, "names": true, "pattern": true, "dn": true, "number": true,
	"ip": true, "ipv4": true, "mac": true, "load": true, "loads": true, "version": true, "code": true, "entity": true,
	"id": true, "extension": true, "partition": true, "description": true, "phone": true, "model": true, "owner": true,
	"user": true, "label": true, "display": true, "prefix": true, "mask": true}

// columnKind decides how a column is stored: as numbers, dates or date-times when every
// non-empty value is one (and the field is not an identifier), as text otherwise.
func columnKind(field string, value func(i int) string, n int) colKind {
	for _, w := range strings.Split(field, "_") {
		if identifierWords[w] {
			return kindText
		}
	}
	kinds := []struct {
		k colKind
		p *regexp.Regexp
	}{{kindNumber, numberPattern}, {kindDate, datePattern}, {kindDateTime, dateTimePattern}}
	for _, c := range kinds {
		any, all := false, true
		for i := 0; i < n && all; i++ {
			v := value(i)
			if v == "" {
				continue
			}
			any = true
			all = c.p.MatchString(v)
		}
		if any && all {
			return c.k
		}
	}
	return kindText
}

// typedCell stores v as its column's kind, falling back to text when it does not parse.
func (b *xlsxBook) typedCell(k colKind, v string) any {
	switch k {
	case kindNumber:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
		if x, err := strconv.ParseFloat(v, 64); err == nil {
			return x
		}
	case kindDate:
		if t, err := time.Parse("2006-01-02", v); err == nil {
			return excelize.Cell{Value: t, StyleID: b.date}
		}
	case kindDateTime:
		for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05Z", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02T15:04"} {
			if t, err := time.Parse(layout, v); err == nil {
				return excelize.Cell{Value: t, StyleID: b.dateTime}
			}
		}
	}
	if v == "" {
		return nil
	}
	return excelize.Cell{Value: cellText(v)}
}

// whereOf locates a finding: the snapshot's facts of the device, else its evidence.
func whereOf(f results.Finding) results.Where {
	var w results.Where
	if f.Where != nil {
		w = *f.Where
	}
	ev := func(dst *string, names ...string) {
		if *dst != "" {
			return
		}
		for _, n := range names {
			if v := evidenceValue(f, n); v != "" {
				*dst = v
				return
			}
		}
	}
	ev(&w.DevicePool, "device_pool")
	ev(&w.Location, "location")
	ev(&w.Owner, "owner")
	ev(&w.Node, "node", "registered_node")
	ev(&w.Model, "model")
	ev(&w.Description, "description")
	ev(&w.IP, "ipv4", "ip")
	return w
}

// allFindings writes every open finding of every rule in one table, with where it is and the
// columns the team edits (Status, Assignee, Notes), carried from the worklist when one is
// given; findings of the worklist no longer found follow, marked gone.
func (b *xlsxBook) allFindings(sw *sheetRec, r *results.Report, wl *Worklist) error {
	headers := []string{"Rule", "Severity", "Entity", "Group", "Device pool", "Location", "Owner", "Node", "Model",
		"Description", colStatus, colAssignee, colNotes}
	if wl != nil {
		headers = append(headers, colSince)
	}
	headers = append(headers, "Rule title", colFinger)
	var rows [][]any
	seen := map[string]bool{}
	for _, s := range r.Rules {
		for _, f := range s.Findings {
			w := whereOf(f)
			var e WorklistEntry
			row := cells(f.RuleID, f.Severity.String(), f.Entity, f.Group, w.DevicePool, w.Location, w.Owner, w.Node, w.Model, w.Description)
			if wl != nil {
				var ok bool
				e, ok = wl.Entries[f.Fingerprint]
				mark := markNew
				if ok {
					mark = markOpen
				}
				seen[f.Fingerprint] = true
				row = append(row, cells(e.Status, e.Assignee, e.Notes, mark)...)
			} else {
				row = append(row, cells("", "", "")...)
			}
			row = append(row, cells(s.Rule.Title, f.Fingerprint)...)
			rows = append(rows, row)
		}
	}
	if wl != nil {
		for _, fp := range wl.Order {
			e := wl.Entries[fp]
			if seen[fp] || e.Mark == markGone {
				continue // open again, or already reported gone once
			}
			row := cells(e.Rule, e.Severity, e.Entity, e.Group, "", "", "", "", "", goneNoteLabel+" in this snapshot",
				e.Status, e.Assignee, e.Notes, markGone, "", fp)
			rows = append(rows, row)
		}
	}
	for i, row := range rows { // empty team columns stay empty cells, not empty strings
		for j, c := range row {
			if cc, ok := c.(excelize.Cell); ok && cc.Value == "" {
				rows[i][j] = nil
			}
		}
	}
	return b.table(sw, headers, rows)
}

// worklistCounts counts carried, new and gone findings for the Summary sheet.
func worklistCounts(r *results.Report, wl *Worklist) (carried, edited, fresh, gone int) {
	seen := map[string]bool{}
	for _, s := range r.Rules {
		for _, f := range s.Findings {
			seen[f.Fingerprint] = true
			if e, ok := wl.Entries[f.Fingerprint]; ok {
				carried++
				if e.edited() {
					edited++
				}
			} else {
				fresh++
			}
		}
	}
	for fp, e := range wl.Entries {
		if !seen[fp] && e.Mark != markGone {
			gone++
		}
	}
	return
}
