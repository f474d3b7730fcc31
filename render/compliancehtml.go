package render

import (
	_ "embed"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

//go:embed html/compliance.html.tmpl
var htmlComplianceText string

// htmlCompliance is the HTML report's Compliance section: the tables of complianceView,
// sortable and filterable like every other table, escaped by the template.
type htmlCompliance struct {
	Title, Intro, More string
	Packs              *htmlTable
	Worst              *htmlTable
	NoVerdict          *htmlTable
	Controls           *htmlTable
}

// newHTMLCompliance builds the section; nil when the report has no compliance pack.
func newHTMLCompliance(r *results.Report, tabs *htmlTables) *htmlCompliance {
	cv := newComplianceView(r, -1)
	if cv == nil {
		return nil
	}
	hc := &htmlCompliance{Title: cv.Title, Intro: cv.Intro, More: cv.More,
		Packs: tabs.table(cv.PackCols, cv.PackNum, cv.Packs)}
	if len(cv.Worst) > 0 {
		hc.Worst = tabs.table(cv.WorstCols, cv.WorstNum, cv.Worst)
		i := 0
		for _, p := range r.Compliance {
			for _, w := range p.Worst {
				hc.Worst.Rows[i].Class = sevClass(w.Severity) // the rows of complianceWorstRows, in order
				i++
			}
		}
	}
	if len(cv.NoVerdict) > 0 {
		hc.NoVerdict = tabs.table(cv.NoVerdictCols, nil, cv.NoVerdict)
	}
	if len(cv.ControlRow) > 0 {
		hc.Controls = tabs.table(cv.ControlCols, nil, cv.ControlRow)
	}
	return hc
}
