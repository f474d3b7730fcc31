package render

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

func TestTrendTable(t *testing.T) {
	at := time.Date(2026, 10, 1, 6, 0, 0, 0, time.UTC)
	points := []results.TrendPoint{
		{SnapshotID: 3, At: at, RegisteredByClass: map[string]int{"Phone": 679, "Gateway": 41}, Analyzed: true,
			FindingsBySeverity: map[results.Severity]int{results.SeverityCritical: 1, results.SeverityHigh: 44, results.SeverityMedium: 0, results.SeverityLow: 3, results.SeverityInfo: 0}},
		{SnapshotID: 9, At: at.AddDate(0, 3, 0), RegisteredByClass: map[string]int{"Phone": 700, "Gateway": 40}},
	}
	header, rows := TrendTable(points)
	wantHeader := []string{"Snapshot", "Taken (UTC)", "Gateway registered", "Phone registered", "critical", "high", "medium", "low", "info"}
	wantRows := [][]string{
		{"#3", "2026-10-01 06:00", "41", "679", "1", "44", "0", "3", "0"},
		{"#9", "2027-01-01 06:00", "40", "700", "not analysed", "not analysed", "not analysed", "not analysed", "not analysed"},
	}
	if diff := cmp.Diff(wantHeader, header); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantRows, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if h, r := TrendTable(nil); h != nil || r != nil {
		t.Errorf("empty trend = %v, %v", h, r)
	}
}
