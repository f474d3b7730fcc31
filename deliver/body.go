package deliver

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// Subject is the default subject line: cluster, kind and the count that matters most.
func Subject(rep *results.Report) string {
	cluster := rep.Snapshot.ClusterID
	date := rep.Snapshot.StartedAt.UTC().Format("2006-01-02")
	if rep.Kind == "change-window" && rep.Diff != nil {
		broke, recovered := rep.Diff.StatusChanges()
		// Without an analysis on both sides the number of new findings is unknown, not zero.
		findings := "findings not compared"
		if rep.Diff.FindingsCompared {
			findings = fmt.Sprintf("%d new findings", len(rep.Diff.NewFindings))
		}
		return fmt.Sprintf("cucm-audit %s: change window %d→%d: %d broke, %d recovered, %s",
			cluster, rep.Diff.Before.ID, rep.Diff.After.ID, len(broke), len(recovered), findings)
	}
	open, serious := 0, 0
	for _, s := range rep.Summary.FindingsBySeverity {
		open += s.Count
		if s.Severity >= results.SeverityHigh {
			serious += s.Count
		}
	}
	return fmt.Sprintf("cucm-audit %s: audit of %s: %d findings (%d high or critical)", cluster, date, open, serious)
}

// Body is the short plain-text summary mailed with the report files.
func Body(rep *results.Report, files []File) string {
	var b strings.Builder
	m := rep.Snapshot
	kind := "Audit"
	if rep.Kind == "change-window" {
		kind = "Change-window report"
	}
	fmt.Fprintf(&b, "%s of CUCM cluster %s\n", kind, m.ClusterID)
	fmt.Fprintf(&b, "Snapshot %d taken %s (%s)", m.ID, m.StartedAt.UTC().Format("2006-01-02 15:04 UTC"), m.Status)
	if m.CUCMVersion != "" {
		fmt.Fprintf(&b, ", CUCM %s", m.CUCMVersion)
	}
	b.WriteString("\n\n")

	if d := rep.Diff; rep.Kind == "change-window" && d != nil {
		broke, recovered := d.StatusChanges()
		fmt.Fprintf(&b, "Between snapshot %d and %d:\n", d.Before.ID, d.After.ID)
		fmt.Fprintf(&b, "  broke (no longer registered): %d\n  recovered (registered again): %d\n", len(broke), len(recovered))
		fmt.Fprintf(&b, "  devices added: %d, removed: %d, changed: %d\n", len(d.Added), len(d.Removed), len(d.Changed))
		if d.FindingsCompared {
			fmt.Fprintf(&b, "  findings: %d new, %d resolved, %d persisting\n", len(d.NewFindings), len(d.Resolved), d.Persisting)
		} else {
			// The notes below say which snapshot has no analysis and what to run.
			b.WriteString("  findings: not compared (new, resolved and persisting are unknown, not zero)\n")
		}
		for _, n := range d.Notes {
			fmt.Fprintf(&b, "  note: %s\n", n)
		}
		b.WriteString("\n")
	} else {
		var parts []string
		for _, s := range rep.Summary.FindingsBySeverity {
			parts = append(parts, fmt.Sprintf("%s %d", s.Severity, s.Count))
		}
		if len(parts) > 0 {
			fmt.Fprintf(&b, "Open findings: %s", strings.Join(parts, ", "))
			if n := len(rep.Waived); n > 0 {
				fmt.Fprintf(&b, " (%d waived)", n)
			}
			b.WriteString("\n")
		}
		for i, r := range rep.Summary.TopRisks {
			if i == 0 {
				b.WriteString("Top risks:\n")
			}
			if i == 5 {
				break
			}
			fmt.Fprintf(&b, "  [%s] %s %s: %d\n", r.Severity, r.RuleID, r.Title, r.Count)
		}
		for i, c := range rep.Summary.Registration {
			if i == 0 {
				b.WriteString("Registration:\n")
			}
			fmt.Fprintf(&b, "  %-14s %d of %d registered (%.0f%%)", c.Class, c.Registered, c.Configured, 100*c.RegistrationRate)
			if !c.Complete {
				b.WriteString(", RisPort incomplete")
			}
			b.WriteString("\n")
		}
		if c := rep.Summary.Change; c != nil && c.FindingsNotCompared {
			fmt.Fprintf(&b, "Since snapshot %d: findings not compared (snapshot %d has not been analyzed; run cucm-audit analyze --snapshot %d), registered %+d, devices +%d/-%d\n",
				c.PreviousID, c.PreviousID, c.PreviousID, c.RegisteredDelta, c.DevicesAdded, c.DevicesRemoved)
		} else if c != nil {
			fmt.Fprintf(&b, "Since snapshot %d: %d new findings, %d resolved, registered %+d, devices +%d/-%d\n",
				c.PreviousID, c.NewFindings, c.ResolvedFindings, c.RegisteredDelta, c.DevicesAdded, c.DevicesRemoved)
		}
		if dq := rep.DataQuality; dq.Gaps > 0 || len(dq.Inconclusive) > 0 || len(dq.Errors) > 0 {
			fmt.Fprintf(&b, "Data quality: %d coverage gaps, %d inconclusive rules, %d rule errors (see the report)\n",
				dq.Gaps, len(dq.Inconclusive), len(dq.Errors))
		}
		b.WriteString("\n")
	}
	if len(files) > 0 {
		b.WriteString("Attached (SHA-256, as in the report's manifest):\n")
		for _, f := range files {
			fmt.Fprintf(&b, "  %s  %s\n", f.SHA256, filepath.Base(f.Path))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Sent by cucm-audit %s.\n", rep.ToolVersion)
	return b.String()
}
