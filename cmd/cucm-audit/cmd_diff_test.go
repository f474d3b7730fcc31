package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// diffDB writes two snapshots of cluster hq (a phone unregisters, a gateway is rejected, a phone
// is added) and one of cluster branch, and returns the database path.
func diffDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "d.db")
	s, err := snapshot.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	write := func(cluster string, devs []snapshot.Device, ris []snapshot.RisDevice) {
		w, err := s.Begin(ctx, snapshot.Meta{ClusterID: cluster})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range devs {
			if err := w.AddDevice(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		for _, r := range ris {
			if err := w.AddRisDevice(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.Commit(ctx, snapshot.StatusComplete, "15", ""); err != nil {
			t.Fatal(err)
		}
	}
	p1 := snapshot.Device{Name: "SEP1", Class: "Phone", RisClass: "Phone", Model: "Cisco 8845"}
	p2 := snapshot.Device{Name: "SEP2", Class: "Phone", RisClass: "Phone", Model: "Cisco 8845"}
	gw := snapshot.Device{Name: "GW1", Class: "Gateway", RisClass: "Gateway", Model: "Cisco ISR 4321"}
	write("hq", []snapshot.Device{p1, gw}, []snapshot.RisDevice{
		{Node: "sub1", Name: "SEP1", DeviceClass: "Phone", Status: "Registered", ActiveLoad: "A", TimeStamp: 1},
		{Node: "sub1", Name: "GW1", DeviceClass: "Gateway", Status: "Registered", TimeStamp: 1},
	})
	write("hq", []snapshot.Device{p1, p2, gw}, []snapshot.RisDevice{
		{Node: "sub1", Name: "SEP1", DeviceClass: "Phone", Status: "UnRegistered", StatusReason: 13, ActiveLoad: "A", TimeStamp: 2},
		{Node: "sub1", Name: "SEP2", DeviceClass: "Phone", Status: "Registered", ActiveLoad: "A", TimeStamp: 2},
		{Node: "sub1", Name: "GW1", DeviceClass: "Gateway", Status: "Rejected", StatusReason: 14, TimeStamp: 2},
	})
	write("branch", []snapshot.Device{p1}, nil)
	return path
}

func TestDiffCommand(t *testing.T) {
	db := diffDB(t)
	tests := []struct {
		name     string
		args     []string
		code     int
		contains []string
		stderr   string
	}{
		{
			name: "text", args: []string{"--cluster", "hq"}, code: exitOK,
			contains: []string{
				"Change window on cluster hq: snapshot 1 (",
				"What broke (2):",
				"GW1   Gateway  Cisco ISR 4321  Registered -> Rejected (ConfigurationMismatch)",
				"SEP1  Phone    Cisco 8845      Registered -> UnRegistered (KeepAliveTimeout)",
				"Devices added (1):\n  SEP2  Phone  Cisco 8845\n",
				"Findings: not compared (a snapshot has not been analyzed: see the notes)",
				"Notes:\n  - snapshot 1 has not been analyzed",
				"Ignored fields: download_status, inactive_load, login_user, registration_attempts, status_reason, timestamp\n",
			},
		},
		{
			name: "ids", args: []string{"--before", "1", "--after", "1"}, code: exitOK,
			contains: []string{"Nothing changed."},
		},
		{
			name: "ignore status", args: []string{"--before", "1", "--after", "2", "--ignore-fields", "+status"}, code: exitOK,
			contains: []string{"Ignored fields: download_status, inactive_load, login_user, registration_attempts, status, status_reason, timestamp\n"},
		},
		{
			name: "two clusters", args: []string{"--before", "1", "--after", "3"}, code: exitError,
			stderr: `cucm-audit: diff: snapshot 1 is of cluster "hq" and snapshot 3 of cluster "branch": refusing to compare snapshots of different clusters; pass --force to compare them anyway` + "\n",
		},
		{
			name: "two clusters forced", args: []string{"--before", "1", "--after", "3", "--force"}, code: exitOK,
			contains: []string{"forced comparison of two different clusters"},
		},
		{
			name: "no earlier snapshot", args: []string{"--cluster", "branch"}, code: exitError,
			stderr: "cucm-audit: diff: --before latest~1: cluster branch has no earlier snapshot to compare with (collect again after the change, or pass --before ID): snapshot latest~1: snapshot not found (run `cucm-audit collect` first)\n",
		},
		{
			name: "bad field", args: []string{"--ignore-fields", "colour"}, code: exitUsage,
			contains: nil,
		},
		{
			name: "pdf without out", args: []string{"--format", "pdf"}, code: exitUsage,
			stderr: "cucm-audit: diff: --format \"pdf\" writes files: give --out DIR, or use --format text or json for stdout\n",
		},
		{
			name: "unknown format without out", args: []string{"--format", "xml"}, code: exitUsage,
			stderr: "cucm-audit: diff: --format xml: unknown report format \"xml\": want pdf, xlsx, md, json or html (or text or json on stdout)\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), append([]string{"diff", "--db", db}, tt.args...), &out, &errb)
			if code != tt.code {
				t.Fatalf("exit code = %d, want %d; stderr:\n%s", code, tt.code, errb.String())
			}
			for _, c := range tt.contains {
				if !strings.Contains(out.String(), c) {
					t.Errorf("stdout lacks %q:\n%s", c, out.String())
				}
			}
			if tt.stderr != "" && errb.String() != tt.stderr {
				t.Errorf("stderr = %q\nwant     %q", errb.String(), tt.stderr)
			}
		})
	}
}

func TestDiffCommandJSON(t *testing.T) {
	db := diffDB(t)
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"diff", "--db", db, "--cluster", "hq", "--format", "json"}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var d results.Diff
	if err := json.Unmarshal(out.Bytes(), &d); err != nil {
		t.Fatalf("diff JSON does not parse: %v\n%s", err, out.String())
	}
	// The JSON is a contract: it says which version of it this is, first.
	var v struct {
		SchemaVersion *int `json:"schema_version"`
	}
	if err := json.Unmarshal(out.Bytes(), &v); err != nil || v.SchemaVersion == nil || *v.SchemaVersion != results.DiffSchemaVersion {
		t.Errorf("diff JSON schema_version = %v (err %v), want %d", v.SchemaVersion, err, results.DiffSchemaVersion)
	}
	if !strings.HasPrefix(out.String(), "{\n  \"schema_version\": ") {
		t.Errorf("diff JSON does not start with schema_version:\n%.80s", out.String())
	}
	if d.Before.ID != 1 || d.After.ID != 2 || len(d.Added) != 1 || len(d.Changed) != 2 {
		t.Errorf("diff JSON = %+v", d)
	}
	// Findings not compared read null, as in the report JSON, never 0.
	var raw map[string]any
	if err := json.Unmarshal(out.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	if p, ok := raw["findings_persisting"]; !ok || (p == nil) == d.FindingsCompared {
		t.Errorf("findings_persisting = %v (present %v) with findings_compared %v", p, ok, d.FindingsCompared)
	}
}

func TestDiffCommandReport(t *testing.T) {
	db := diffDB(t)
	out := t.TempDir()
	var stdout, errb bytes.Buffer
	code := run(context.Background(), []string{"diff", "--db", db, "--cluster", "hq", "--format", "pdf,xlsx,md,json", "--out", out}, &stdout, &errb)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 5 || !strings.HasSuffix(lines[4], ".manifest.json") {
		t.Fatalf("printed paths = %q", lines)
	}
	var rep results.Report
	b, err := os.ReadFile(lines[3])
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Kind != "change-window" || rep.Diff == nil || len(rep.Diff.Changed) != 2 {
		t.Errorf("report JSON kind %q diff %+v", rep.Kind, rep.Diff)
	}
	md, err := os.ReadFile(lines[2])
	if err != nil {
		t.Fatal(err)
	}
	// The change-window Markdown lists what broke, what was added, registration before and after
	// and the ignored fields, and says findings were not compared (neither snapshot is analysed)
	// instead of showing 0 new and 0 resolved.
	for _, s := range []string{
		"# CUCM change window: hq",
		"### What broke (2)",
		"**Verdict: 2 devices broke, 0 recovered.",
		"| GW1 | Cisco ISR 4321 |  | sub1 |  |  | Rejected (ConfigurationMismatch) |  |",
		"| SEP1 | Cisco 8845 |  | sub1 |  |  | UnRegistered (KeepAliveTimeout) |  |",
		"### What recovered (0)\n\nNo device registered again.",
		"### Devices added (1)",
		"| SEP2 | Phone | Cisco 8845 |",
		"### Devices removed (0)",
		"| Findings new, resolved, persisting | **not compared** |",
		"**Findings not compared: snapshot #1 (before) and #2 (after) have not been analyzed",
		"| Phone | 1 | 1 | 0 | 1 | 2 | 1 | 2 |",
		"Ignored as volatile, never counted as a change: download\\_status, inactive\\_load, login\\_user, registration\\_attempts, status\\_reason, timestamp.",
	} {
		if !strings.Contains(string(md), s) {
			t.Errorf("markdown lacks %q", s)
		}
	}
	for _, s := range []string{"| New findings |", "| Resolved findings |"} {
		if strings.Contains(string(md), s) {
			t.Errorf("markdown shows %q although no snapshot was analysed", s)
		}
	}
}

// TestDiffCommandReportCaps: --pdf-max-entities and --md-max-entities cap the change lists;
// a negative value is a usage error.
func TestDiffCommandReportCaps(t *testing.T) {
	db := diffDB(t)
	out := t.TempDir()
	var stdout, errb bytes.Buffer
	code := run(context.Background(), []string{"diff", "--db", db, "--cluster", "hq", "--format", "md", "--out", out, "--md-max-entities", "1"}, &stdout, &errb)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	md, err := os.ReadFile(strings.Split(stdout.String(), "\n")[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "Showing 1 of 2 devices: 1 more not shown: the XLSX report lists them all on sheet Broke (--format xlsx)") {
		t.Errorf("markdown not capped at 1:\n%s", md)
	}
	errb.Reset()
	if code := run(context.Background(), []string{"diff", "--db", db, "--format", "md", "--out", out, "--pdf-max-entities", "-1"}, &stdout, &errb); code != exitUsage {
		t.Errorf("negative cap: exit %d, want %d (%s)", code, exitUsage, errb.String())
	}
}

// TestDiffCommandIncompleteRegistration: the text output never prints registration counts by
// class from a snapshot whose RisPort coverage had a gap as exact numbers.
func TestDiffCommandIncompleteRegistration(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "d.db")
	s, err := snapshot.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	p1 := snapshot.Device{Name: "SEP1", Class: "Phone", RisClass: "Phone", Model: "Cisco 8845"}
	for i, gap := range []bool{false, true} {
		w, err := s.Begin(ctx, snapshot.Meta{ClusterID: "hq"})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.AddDevice(ctx, p1); err != nil {
			t.Fatal(err)
		}
		if !gap {
			if err := w.AddRisDevice(ctx, snapshot.RisDevice{Node: "sub1", Name: "SEP1", DeviceClass: "Phone", Status: "Registered", TimeStamp: int64(i + 1)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.SetCoverage(ctx, snapshot.Coverage{Source: snapshot.SourceRisPort, Item: snapshot.NodeItem("sub1"), Complete: !gap, Reason: "NodeNotResponding"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Commit(ctx, snapshot.StatusComplete, "15", ""); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"diff", "--db", db, "--cluster", "hq"}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"1 -> >=0", "(incomplete)", ">=N: RisPort coverage of the class had a gap in that snapshot"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "(-1)") {
		t.Errorf("stdout prints an exact change from incomplete coverage:\n%s", out.String())
	}
}

// TestDiffFailOn: --fail-on broke exits 3 when a device broke (the diff is still printed),
// --fail-on new-findings only when the findings were compared and some are new; an unknown
// value is a usage error.
func TestDiffFailOn(t *testing.T) {
	db := diffDB(t)
	for _, tc := range []struct {
		failOn string
		code   int
		stderr string
	}{
		{"", exitOK, ""},
		{"broke", exitFindings, "2 devices broke (--fail-on broke)"},
		{"broke,new-findings", exitFindings, "2 devices broke"},
		{"new-findings", exitOK, ""},
		{"brok", exitUsage, `--fail-on "brok": want broke, new-findings or both`},
	} {
		t.Run(tc.failOn, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"diff", "--db", db, "--cluster", "hq", "--fail-on", tc.failOn}, &stdout, &stderr)
			if code != tc.code || !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("exit %d, stderr %q; want exit %d with %q", code, stderr.String(), tc.code, tc.stderr)
			}
			if tc.code != exitUsage && !strings.Contains(stdout.String(), "What broke (2):") {
				t.Errorf("diff not printed:\n%s", stdout.String())
			}
		})
	}
}
