// Package templates embeds the text/template files the Markdown report is made from, so the
// binary is self-contained. `cucm-audit report --templates DIR` overrides them: every *.tmpl file
// in DIR is parsed after the embedded ones, so a file may redefine the whole report
// (report.md.tmpl) or only one of its named blocks ({{define "rule"}} …).
//
// Templates receive the view described in package render (type mdView) and these functions:
// cell (escape a value for a table cell), text (escape free text, keeping paragraphs), header,
// aheader and row (a whole table header or row, every cell escaped), sev, pct, date, join, add,
// params. A change-window report is the "diff" block, one "changelist" block per list.
package templates

import (
	"embed"
	"io/fs"
)

//go:embed *.tmpl
var files embed.FS

// Entry is the name of the template that renders a whole Markdown report.
const Entry = "report.md.tmpl"

// FS returns the embedded template files.
func FS() fs.FS { return files }
