package deliver

import (
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// TestSubjectBodyFindingsNotCompared checks that a report whose findings were not compared
// (one side has no analysis) says so in the subject and body instead of "0 new findings".
func TestSubjectBodyFindingsNotCompared(t *testing.T) {
	taken := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	before := snapshot.Meta{ID: 3, ClusterID: "hq", StartedAt: taken.Add(-time.Hour), Status: snapshot.StatusComplete}
	after := snapshot.Meta{ID: 4, ClusterID: "hq", StartedAt: taken, Status: snapshot.StatusComplete}
	newFinding := results.Finding{RuleID: "REG-001", Entity: "SEP1", Severity: results.SeverityHigh}
	window := func(compared bool) *results.Report {
		d := &results.Diff{Before: before, After: after, FindingsCompared: compared}
		if compared {
			d.NewFindings = []results.Finding{newFinding}
			d.Persisting = 2
			d.BeforeAnalysis, d.AfterAnalysis = 1, 2
		} else {
			d.AfterAnalysis = 2
			d.Notes = []string{"snapshot 3 has not been analyzed: findings not compared (run `cucm-audit analyze --snapshot 3`)"}
		}
		return &results.Report{Kind: "change-window", Snapshot: after, Diff: d, ToolVersion: "test"}
	}
	audit := func(notCompared bool) *results.Report {
		c := &results.ChangeSummary{PreviousID: 3, RegisteredDelta: -1, DevicesAdded: 2, FindingsNotCompared: notCompared}
		if !notCompared {
			c.NewFindings, c.ResolvedFindings = 5, 1
		}
		return &results.Report{Kind: "audit", Snapshot: after, ToolVersion: "test", Summary: results.Summary{Change: c}}
	}
	tests := []struct {
		name      string
		rep       *results.Report
		subject   string
		bodyHas   []string
		bodyLacks []string
	}{
		{
			name:      "change window not compared",
			rep:       window(false),
			subject:   "cucm-audit hq: change window 3→4: 0 broke, 0 recovered, findings not compared",
			bodyHas:   []string{"  findings: not compared (new, resolved and persisting are unknown, not zero)\n", "note: snapshot 3 has not been analyzed"},
			bodyLacks: []string{"0 new", "new findings"},
		},
		{
			name:      "change window compared",
			rep:       window(true),
			subject:   "cucm-audit hq: change window 3→4: 0 broke, 0 recovered, 1 new findings",
			bodyHas:   []string{"  findings: 1 new, 0 resolved, 2 persisting\n"},
			bodyLacks: []string{"not compared"},
		},
		{
			name:      "audit change not compared",
			rep:       audit(true),
			subject:   "cucm-audit hq: audit of 2026-11-24: 0 findings (0 high or critical)",
			bodyHas:   []string{"Since snapshot 3: findings not compared (snapshot 3 has not been analyzed; run cucm-audit analyze --snapshot 3), registered -1, devices +2/-0\n"},
			bodyLacks: []string{"0 new findings", "0 resolved"},
		},
		{
			name:      "audit change compared",
			rep:       audit(false),
			subject:   "cucm-audit hq: audit of 2026-11-24: 0 findings (0 high or critical)",
			bodyHas:   []string{"Since snapshot 3: 5 new findings, 1 resolved, registered -1, devices +2/-0\n"},
			bodyLacks: []string{"not compared"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Subject(tt.rep); got != tt.subject {
				t.Errorf("Subject = %q, want %q", got, tt.subject)
			}
			body := Body(tt.rep, nil)
			for _, s := range tt.bodyHas {
				if !strings.Contains(body, s) {
					t.Errorf("body lacks %q:\n%s", s, body)
				}
			}
			for _, s := range tt.bodyLacks {
				if strings.Contains(body, s) {
					t.Errorf("body has %q:\n%s", s, body)
				}
			}
		})
	}
}

// TestAttachListsFresh: AttachFormats and DefaultAttach hand out new slices, so a caller that
// changes one cannot change what the next --mail-attach accepts or attaches by default.
func TestAttachListsFresh(t *testing.T) {
	a, d := AttachFormats(), DefaultAttach()
	a[0], d[0] = "docx", "docx"
	if diff := cmp.Diff([]string{"pdf", "xlsx", "md", "json", "html"}, AttachFormats()); diff != "" {
		t.Errorf("AttachFormats() (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"pdf", "xlsx"}, DefaultAttach()); diff != "" {
		t.Errorf("DefaultAttach() (-want +got):\n%s", diff)
	}
	fl := AddFlags(flag.NewFlagSet("t", flag.ContinueOnError))
	if fl.Attach != "pdf,xlsx" {
		t.Errorf("--mail-attach default = %q, want pdf,xlsx", fl.Attach)
	}
}
