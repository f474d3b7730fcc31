package mcpserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
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

// latestReport serves the newest Markdown report listed in a manifest under ReportsDir that
// still matches it (see listedReports and readListed), else renders one in memory.
func (s *Server) latestReport(ctx context.Context) ([]byte, error) {
	if s.opts.ReportsDir != "" {
		reports, err := listedReports(s.opts.ReportsDir, s.log)
		if err != nil {
			return nil, err
		}
		for _, r := range reports {
			b, err := readListed(r)
			if err == nil {
				return b, nil
			}
			s.log.Warn("report not served: it does not match the manifest that lists it", "error", err)
		}
		s.log.Info("no report under the reports folder qualifies: rendering the latest in memory",
			"reports", s.opts.ReportsDir, "listed", len(reports))
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

// listedReport is a Markdown report as a manifest written by render.WriteAll lists it.
type listedReport struct {
	path        string // the manifest's folder joined with the listed name
	manifest    string
	size        int64
	sha256      string
	generatedAt time.Time
}

// maxManifest bounds the size of a manifest file read (a real one is a few hundred bytes).
const maxManifest = 1 << 20

// listedReports finds the manifests (*.manifest.json, regular files, never through a link)
// under dir and returns the Markdown reports they list, newest report first. The server serves
// only what the tool wrote: a Markdown file no manifest lists is never a candidate, and a
// listed name that is not a plain file name in the manifest's own folder ("../x", "a/b") is
// refused. Unreadable or foreign manifests are skipped with a log line.
//
// dir itself may be a link (the operator chose it, e.g. reports/current): it is resolved once,
// since WalkDir does not descend into a root that is a link.
func listedReports(dir string, log *slog.Logger) ([]listedReport, error) {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("searching reports in %s: %w", dir, err)
	}
	var out []listedReport
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// WalkDir does not follow links to folders; links to files are skipped here.
		if !d.Type().IsRegular() || !strings.HasSuffix(d.Name(), ".manifest.json") {
			return nil
		}
		m, err := readManifest(path)
		if err != nil {
			log.Warn("manifest skipped", "manifest", path, "error", err)
			return nil
		}
		for _, f := range m.Files {
			if f.Format != render.FormatMarkdown {
				continue
			}
			if !plainName(f.Name) {
				log.Warn("manifest skipped: it lists a file outside its folder", "manifest", path, "name", f.Name)
				continue
			}
			out = append(out, listedReport{path: filepath.Join(filepath.Dir(path), f.Name), manifest: path,
				size: f.Size, sha256: f.SHA256, generatedAt: m.ReportGeneratedAt})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("searching reports in %s: %w", dir, err)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].generatedAt.Equal(out[j].generatedAt) {
			return out[i].generatedAt.After(out[j].generatedAt)
		}
		return out[i].path > out[j].path
	})
	return out, nil
}

// readManifest reads a manifest written by cucm-audit.
func readManifest(path string) (render.Manifest, error) {
	var m render.Manifest
	f, err := os.Open(path)
	if err != nil {
		return m, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxManifest+1))
	if err != nil {
		return m, err
	}
	if len(b) > maxManifest {
		return m, fmt.Errorf("larger than %d bytes", maxManifest)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, err
	}
	if m.Tool != "cucm-audit" || m.SchemaVersion < 1 || m.SchemaVersion > render.ManifestSchemaVersion {
		return m, fmt.Errorf("not a cucm-audit manifest (tool %q, schema_version %d; want cucm-audit, 1 to %d)", m.Tool, m.SchemaVersion, render.ManifestSchemaVersion)
	}
	return m, nil
}

// plainName reports whether name is a file name without any folder part.
func plainName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, `/\`+"\x00") &&
		filepath.Base(name) == name && filepath.IsLocal(name)
}

// readListed reads a listed report when it is still what the manifest recorded: a regular file
// (not a link, checked on the open file too, so a file swapped for a link between the check and
// the open is refused) of the recorded size and SHA-256.
func readListed(r listedReport) ([]byte, error) {
	st, err := os.Lstat(r.path)
	if err != nil {
		return nil, fmt.Errorf("report %s (listed in %s): %w", r.path, r.manifest, err)
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("report %s (listed in %s) is a symbolic link: reports are served only as the regular files the tool wrote", r.path, r.manifest)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("report %s (listed in %s) is not a regular file", r.path, r.manifest)
	}
	f, err := os.Open(r.path)
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", r.path, err)
	}
	defer f.Close()
	fst, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", r.path, err)
	}
	if !os.SameFile(st, fst) {
		return nil, fmt.Errorf("report %s (listed in %s) changed while it was opened", r.path, r.manifest)
	}
	if fst.Size() != r.size {
		return nil, fmt.Errorf("report %s is %d bytes, its manifest %s says %d", r.path, fst.Size(), r.manifest, r.size)
	}
	b, err := io.ReadAll(io.LimitReader(f, r.size+1))
	if err != nil {
		return nil, fmt.Errorf("reading report %s: %w", r.path, err)
	}
	sum := sha256.Sum256(b)
	if int64(len(b)) != r.size || hex.EncodeToString(sum[:]) != r.sha256 {
		return nil, fmt.Errorf("report %s does not match the SHA-256 in its manifest %s: it was changed after it was written", r.path, r.manifest)
	}
	return b, nil
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
