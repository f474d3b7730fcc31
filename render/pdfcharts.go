package render

import (
	"fmt"
	"math"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// severityChart draws one horizontal bar per severity.
func (d *pdfDoc) severityChart() {
	f, r := d.f, d.rep
	max := 0
	for _, s := range r.Summary.FindingsBySeverity {
		max = maxInt(max, s.Count)
	}
	const labelW, barH, gap = 24.0, 5.5, 2.0
	barMax := d.width - labelW - 22
	for _, s := range r.Summary.FindingsBySeverity {
		d.ensure(barH + gap)
		y := f.GetY()
		d.font("", 8.5, colInk)
		f.SetXY(pdfMarginL, y)
		f.CellFormat(labelW, barH, sevName(s.Severity), "", 0, "L", false, 0, "")
		w := 0.0
		if max > 0 {
			w = barMax * float64(s.Count) / float64(max)
		}
		if s.Count > 0 && w < 0.8 {
			w = 0.8
		}
		d.fill(sevColor(s.Severity))
		if w > 0 {
			f.Rect(pdfMarginL+labelW, y+0.5, w, barH-1, "F")
		}
		d.font("B", 8.5, colInk)
		f.SetXY(pdfMarginL+labelW+w+1, y)
		f.CellFormat(20, barH, num(s.Count), "", 0, "L", false, 0, "")
		f.SetY(y + barH + gap)
	}
	f.SetY(f.GetY() + 2)
}

// registrationChart draws one 100 % stacked bar per class: registered, unregistered, rejected,
// partially registered, unknown, never seen.
func (d *pdfDoc) registrationChart() {
	f, r := d.f, d.rep
	type seg struct {
		label string
		c     rgb
	}
	segs := []seg{{"Registered", colGood}, {"Unregistered", rgb{240, 173, 78}}, {"Rejected", colBad},
		{"Partially registered", rgb{155, 89, 182}}, {"Unknown", rgb{160, 160, 160}}, {"Never seen by RisPort", rgb{215, 219, 224}}}
	const labelW, barH, gap = 24.0, 6.0, 2.5
	valueW := 46.0
	barW := d.width - labelW - valueW
	for _, c := range r.Summary.Registration {
		d.ensure(barH + gap)
		y := f.GetY()
		d.font("", 8.5, colInk)
		f.SetXY(pdfMarginL, y)
		f.CellFormat(labelW, barH, truncate(d.line1(c.Class), 18), "", 0, "L", false, 0, "")
		vals := []int{c.Registered, c.UnRegistered, c.Rejected, c.PartiallyRegistered, c.Unknown, c.NeverSeen}
		total := 0
		for _, v := range vals {
			total += v
		}
		x := pdfMarginL + labelW
		d.fill(rgb{240, 240, 240})
		f.Rect(x, y+0.5, barW, barH-1, "F")
		if total > 0 {
			for i, v := range vals {
				w := barW * float64(v) / float64(total)
				if v > 0 && w < 0.6 {
					w = 0.6
				}
				if x+w > pdfMarginL+labelW+barW {
					w = pdfMarginL + labelW + barW - x
				}
				if w <= 0 {
					continue
				}
				d.fill(segs[i].c)
				f.Rect(x, y+0.5, w, barH-1, "F")
				x += w
			}
		}
		d.font("", 7.5, colInk)
		f.SetXY(pdfMarginL+labelW+barW+1.5, y)
		f.CellFormat(valueW-1.5, barH, regChartLabel(c), "", 0, "L", false, 0, "")
		f.SetY(y + barH + gap)
	}
	// Legend.
	d.ensure(6)
	y := f.GetY() + 1
	x := pdfMarginL + labelW
	d.font("", 7, colMuted)
	for _, s := range segs {
		d.fill(s.c)
		f.Rect(x, y+0.8, 3, 3, "F")
		w := f.GetStringWidth(s.label) + 3
		f.SetXY(x+3.5, y)
		f.CellFormat(w, 4.5, s.label, "", 0, "L", false, 0, "")
		x += w + 6
	}
	f.SetY(y + 8)
}

// trendChart draws the open findings of each snapshot as stacked columns by severity.
func (d *pdfDoc) trendChart() {
	f, r := d.f, d.rep
	pts := r.Trend
	if len(pts) > 12 {
		pts = pts[len(pts)-12:]
	}
	const chartH = 42.0
	d.ensure(chartH + 14)
	top := f.GetY()
	axisX := pdfMarginL + 14
	base := top + chartH
	max := 0
	for _, p := range pts {
		t := 0
		for _, v := range p.FindingsBySeverity {
			t += v
		}
		max = maxInt(max, t)
	}
	if max == 0 {
		max = 1
	}
	scale := niceCeil(max)
	d.draw(colRule)
	f.SetLineWidth(0.1)
	d.font("", 7, colMuted)
	for i := 0; i <= 4; i++ {
		v := scale * i / 4
		y := base - chartH*float64(v)/float64(scale)
		f.Line(axisX, y, pdfMarginL+d.width, y)
		f.SetXY(pdfMarginL, y-2)
		f.CellFormat(12, 4, num(v), "", 0, "R", false, 0, "")
	}
	slot := (pdfMarginL + d.width - axisX) / float64(len(pts))
	bw := math.Min(slot*0.55, 18)
	for i, p := range pts {
		x := axisX + slot*float64(i) + (slot-bw)/2
		y := base
		if !p.Analyzed {
			d.font("", 6.5, colMuted)
			f.SetXY(x-8, base-8)
			f.CellFormat(bw+16, 3.5, "not analysed", "", 0, "C", false, 0, "")
		}
		total := 0
		sevs := results.Severities()
		for j := len(sevs) - 1; j >= 0; j-- {
			s := sevs[j]
			v := p.FindingsBySeverity[s]
			total += v
			h := chartH * float64(v) / float64(scale)
			if h <= 0 {
				continue
			}
			d.fill(sevColor(s))
			f.Rect(x, y-h, bw, h, "F")
			y -= h
		}
		if p.Analyzed {
			d.font("B", 7, colInk)
			f.SetXY(x-5, y-4.5)
			f.CellFormat(bw+10, 4, num(total), "", 0, "C", false, 0, "")
		}
		d.font("", 6.5, colMuted)
		f.SetXY(x-8, base+1)
		f.CellFormat(bw+16, 3.5, fmt.Sprintf("#%d", p.SnapshotID), "", 0, "C", false, 0, "")
		f.SetXY(x-8, base+4.5)
		f.CellFormat(bw+16, 3.5, p.At.UTC().Format("2006-01-02"), "", 0, "C", false, 0, "")
	}
	// Legend.
	y := base + 10
	x := axisX
	d.font("", 7, colMuted)
	for _, s := range results.Severities() {
		d.fill(sevColor(s))
		f.Rect(x, y+0.8, 3, 3, "F")
		f.SetXY(x+3.5, y)
		w := f.GetStringWidth(sevName(s)) + 3
		f.CellFormat(w, 4.5, sevName(s), "", 0, "L", false, 0, "")
		x += w + 6
	}
	f.SetY(y + 8)
}

// niceCeil rounds n up to 1, 2 or 5 times a power of ten, and to a multiple of 4.
func niceCeil(n int) int {
	p := 1
	for p*10 <= n {
		p *= 10
	}
	for _, m := range []int{1, 2, 5, 10} {
		if v := m * p; v >= n {
			if v%4 != 0 && v >= 4 {
				v += 4 - v%4
			}
			return maxInt(v, 4)
		}
	}
	return n
}
