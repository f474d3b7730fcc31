package mcpserver

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/render"
)

// LatestReportURI is the resource holding the latest Markdown report.
const LatestReportURI = "cucm-audit://reports/latest.md"

func (s *Server) addResources() {
	s.mcp.AddResource(&mcp.Resource{
		URI:         LatestReportURI,
		Name:        "latest-report",
		Title:       "Latest audit report (Markdown)",
		Description: "The newest Markdown audit report: summary, coverage, findings by rule, waivers.",
		MIMEType:    "text/markdown",
	}, s.readLatestReport)
}

func (s *Server) readLatestReport(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	text, err := s.latestReport(ctx)
	if err != nil {
		s.log.Info("latest report unavailable", "error", err)
		return nil, err
	}
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: LatestReportURI, MIMEType: "text/markdown", Text: string(text)}}}, nil
}

// latestReport reads the newest *.md under ReportsDir, else renders one in memory.
func (s *Server) latestReport(ctx context.Context) ([]byte, error) {
	if s.opts.ReportsDir != "" {
		path, err := newestMarkdown(s.opts.ReportsDir)
		if err != nil {
			return nil, err
		}
		if path != "" {
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("reading report %s: %w", path, err)
			}
			return b, nil
		}
	}
	render := s.opts.Markdown
	if render == nil {
		render = s.renderMarkdown
	}
	b, err := render(ctx)
	if err != nil {
		if s.opts.ReportsDir != "" {
			return nil, fmt.Errorf("no Markdown report under %s, and rendering one failed: %w", s.opts.ReportsDir, err)
		}
		return nil, fmt.Errorf("rendering the latest report: %w", err)
	}
	return b, nil
}

// renderMarkdown builds the latest snapshot's report from its newest analysis and lays it out
// with the Markdown renderer, in memory (nothing is written).
func (s *Server) renderMarkdown(ctx context.Context) ([]byte, error) {
	m, err := s.resolveIn(ctx, "latest", "")
	if err != nil {
		return nil, err
	}
	rep, err := analyze.BuildReport(ctx, s.opts.Store, m.ID, analyze.ReportOptions{ToolVersion: s.opts.Version})
	if err != nil {
		return nil, err
	}
	md, err := render.NewMarkdown("", 0)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := md.Render(&buf, rep); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// newestMarkdown finds the most recently modified .md file under dir ("" when none).
func newestMarkdown(dir string) (string, error) {
	var best string
	var bestTime time.Time
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.EqualFold(filepath.Ext(path), ".md") {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if best == "" || info.ModTime().After(bestTime) || (info.ModTime().Equal(bestTime) && path > best) {
			best, bestTime = path, info.ModTime()
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("searching reports in %s: %w", dir, err)
	}
	return best, nil
}

func (s *Server) addPrompts() {
	s.mcp.AddPrompt(&mcp.Prompt{
		Name:        "quarterly_audit_summary",
		Title:       "Quarterly audit summary",
		Description: "Guides a quarterly CUCM compliance summary for management from the stored snapshot, with evidence and honest limits.",
		Arguments: []*mcp.PromptArgument{
			{Name: "snapshot", Description: `snapshot to summarise: "latest" (default), "latest~N" or an id`},
			{Name: "audience", Description: "who reads it (default: IT management and the auditors)"},
		},
	}, quarterlyPrompt)
}

func quarterlyPrompt(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	snap, audience := "latest", "IT management and the auditors"
	if req.Params != nil {
		if v := strings.TrimSpace(req.Params.Arguments["snapshot"]); v != "" {
			snap = v
		}
		if v := strings.TrimSpace(req.Params.Arguments["audience"]); v != "" {
			audience = v
		}
	}
	text := fmt.Sprintf(`Write the quarterly compliance summary of our Cisco Unified Communications Manager cluster for %[2]s,
from snapshot %[1]q, using only the cucm-audit tools (they read stored snapshots; nothing touches the cluster).

Steps:
1. Call snapshot_summary (snapshot=%[1]q). State the cluster, CUCM version, when the snapshot was taken and
   its status. If data_complete is false, say first and plainly which sources could not be read
   (coverage_gaps) and that conclusions about them are missing, not clean.
2. Call device_registration_summary. Give per device class: configured, registered, unregistered,
   rejected, never seen, and the registration rate. Name classes whose RisPort coverage is incomplete.
3. Call list_findings with severity=high (then medium if space allows). Group by rule; give counts and
   two or three example entities per rule. For the most serious rules call explain_finding to quote the
   rationale, the remediation and the controls concerned.
4. Report every inconclusive or errored rule (inconclusive_rules) by id and reason: an inconclusive
   rule is NOT a pass. Never present missing data as compliance.
5. Call diff_snapshots (before="latest~1", after=%[1]q) if an earlier snapshot exists: new and resolved
   findings, registration changes. If there is none, say this is the first audit.
6. Mention waived findings (list_findings include_waived=true) separately, with owner and expiry when
   the waiver says so.

Output: a one-paragraph executive summary, a table of findings by severity, the top risks with
remediation, the data-quality caveats, and the next steps. Quote figures exactly as the tools return
them; do not estimate.`, snap, audience)
	return &mcp.GetPromptResult{
		Description: "Quarterly CUCM audit summary",
		Messages:    []*mcp.PromptMessage{{Role: "user", Content: &mcp.TextContent{Text: text}}},
	}, nil
}
