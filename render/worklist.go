package render

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
)

// The All findings sheet: one row per open finding, with the columns a team edits. Its header
// names are a contract: ReadWorklist finds the team's edits of an earlier workbook by them.
const (
	sheetAll      = "All findings"
	colStatus     = "Status"
	colAssignee   = "Assignee"
	colNotes      = "Notes"
	colSince      = "Since last worklist"
	colFinger     = "Fingerprint"
	markNew       = "new"
	markOpen      = "open before"
	markGone      = "gone"
	goneNoteLabel = "no longer found"
)

// Worklist is the team's edits of an earlier workbook's All findings sheet, by fingerprint.
type Worklist struct {
	Source  string // the file's base name, as the new workbook cites it
	Entries map[string]WorklistEntry
	Order   []string // fingerprints in the sheet's order
}

// WorklistEntry is one row of an earlier All findings sheet.
type WorklistEntry struct {
	Rule, Severity, Entity, Group string
	Status, Assignee, Notes       string
	Mark                          string // the earlier workbook's "Since last worklist" value
}

// edited reports whether the team wrote anything on the row.
func (e WorklistEntry) edited() bool { return e.Status != "" || e.Assignee != "" || e.Notes != "" }

// ErrNotWorklist says a workbook has no All findings sheet with a Fingerprint column.
var ErrNotWorklist = errors.New("not a cucm-audit worklist")

// ReadWorklist reads the Status, Assignee and Notes the team wrote in the All findings sheet of
// a workbook that `cucm-audit report` wrote (and Excel, LibreOffice or openpyxl saved again).
func ReadWorklist(path string) (*Worklist, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading worklist %s: %w", path, err)
	}
	defer f.Close()
	rows, err := f.Rows(sheetAll)
	if err != nil {
		return nil, fmt.Errorf("reading worklist %s: no sheet %q (%w): give the XLSX of an earlier cucm-audit report", path, sheetAll, ErrNotWorklist)
	}
	defer rows.Close()
	wl := &Worklist{Source: filepath.Base(path), Entries: map[string]WorklistEntry{}}
	col := map[string]int{}
	first := true
	for rows.Next() {
		row, err := rows.Columns()
		if err != nil {
			return nil, fmt.Errorf("reading worklist %s: %w", path, err)
		}
		if first {
			first = false
			for i, h := range row {
				col[strings.TrimSpace(h)] = i
			}
			if _, ok := col[colFinger]; !ok {
				return nil, fmt.Errorf("reading worklist %s: sheet %q has no %q column (%w)", path, sheetAll, colFinger, ErrNotWorklist)
			}
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(row) {
				return strings.TrimSpace(row[i])
			}
			return ""
		}
		fp := get(colFinger)
		if fp == "" {
			continue
		}
		if _, dup := wl.Entries[fp]; !dup {
			wl.Order = append(wl.Order, fp)
		}
		wl.Entries[fp] = WorklistEntry{
			Rule: get("Rule"), Severity: get("Severity"), Entity: get("Entity"), Group: get("Group"),
			Status: get(colStatus), Assignee: get(colAssignee), Notes: get(colNotes), Mark: get(colSince),
		}
	}
	if err := rows.Error(); err != nil {
		return nil, fmt.Errorf("reading worklist %s: %w", path, err)
	}
	if first {
		return nil, fmt.Errorf("reading worklist %s: sheet %q is empty (%w)", path, sheetAll, ErrNotWorklist)
	}
	return wl, nil
}
