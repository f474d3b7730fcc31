package render

import (
	"strconv"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// TrendTable lays out a report's trend (the cluster's last snapshots, oldest first) as one
// table for every format that shows it as a table (Markdown, XLSX) and as the data behind the
// PDF charts: one row per snapshot with the registered devices of every RisPort class and the
// open findings of every severity, most serious first. A snapshot that was never analysed shows
// "not analysed" under the severities instead of zeros that would read as "no findings".
func TrendTable(points []results.TrendPoint) (header []string, rows [][]string) {
	if len(points) == 0 {
		return nil, nil
	}
	classes := results.TrendClasses(points)
	header = []string{"Snapshot", "Taken (UTC)"}
	for _, c := range classes {
		header = append(header, c+" registered")
	}
	for _, s := range results.Severities() {
		header = append(header, s.String())
	}
	for _, p := range points {
		row := []string{"#" + strconv.FormatInt(p.SnapshotID, 10), p.At.UTC().Format("2006-01-02 15:04")}
		for _, c := range classes {
			row = append(row, strconv.Itoa(p.RegisteredByClass[c]))
		}
		for _, s := range results.Severities() {
			v := "not analysed"
			if p.Analyzed {
				v = strconv.Itoa(p.FindingsBySeverity[s])
			}
			row = append(row, v)
		}
		rows = append(rows, row)
	}
	return header, rows
}
