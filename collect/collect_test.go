package collect

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/examples"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
	"github.com/cucm-audit/cucm-audit/snapshot"
	"github.com/google/go-cmp/cmp"
)

const testPass = "Zq9-UNIQUE-p4ssw0rd-xyz"

// sim starts the simulator on the small scenario with the faults changed by mod.
func sim(t testing.TB, scenario string, mod func(*cucmsim.Faults), wrap func(http.Handler) http.Handler) (*cucmsim.Server, string) {
	t.Helper()
	sc, err := cucmsim.LoadScenario(scenario)
	if err != nil {
		t.Fatal(err)
	}
	if mod != nil {
		mod(&sc.Faults)
	}
	s, err := cucmsim.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	hs := httptest.NewServer(h)
	t.Cleanup(func() { hs.Close(); s.Close() })
	return s, hs.URL
}

func testConfig(url string) Config {
	return Config{
		Cluster: "small", AXLURL: url + "/axl/", User: "axladmin", Password: Secret(testPass), VerifyTLS: true,
		Retries: 4, Timeout: 10 * time.Second, RisRateLimit: 1000, RisRateWindow: time.Second,
		RisMaxDevices: 1000, InitialBackoff: time.Millisecond, ToolVersion: "test",
	}
}

type result struct {
	meta snapshot.Meta
	err  error
	logs string
	db   string
}

func runCollect(t testing.TB, ctx context.Context, cfg Config, db string) result {
	t.Helper()
	var logs bytes.Buffer
	c, err := New(cfg, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	store, err := snapshot.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var progress bytes.Buffer
	m, err := c.Run(ctx, store, &progress)
	logs.WriteString(progress.String())
	logs.WriteString(c.Summary())
	return result{meta: m, err: err, logs: logs.String(), db: db}
}

// dump reads every table of a snapshot as sorted text rows, without the snapshot id.
func dump(t testing.TB, db string, id int64) map[string][]string {
	t.Helper()
	store, err := snapshot.OpenReadOnly(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	return testtool.DumpSnapshot(t, store.DB(), id)
}

func coverage(t testing.TB, db string, id int64) map[string]snapshot.Coverage {
	t.Helper()
	store, err := snapshot.OpenReadOnly(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cv, err := store.Coverage(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]snapshot.Coverage{}
	for _, c := range cv {
		m[c.Source+" "+c.Item] = c
	}
	return m
}

func count(t testing.TB, db, q string, args ...any) int {
	t.Helper()
	store, err := snapshot.OpenReadOnly(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var n int
	if err := store.DB().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func noSecret(t testing.TB, r result) {
	t.Helper()
	if r.err != nil && strings.Contains(r.err.Error(), testPass) {
		t.Fatal("password in the error")
	}
	if strings.Contains(r.logs, testPass) {
		t.Fatal("password in the logs")
	}
	for _, f := range []string{r.db, r.db + "-wal"} {
		b, err := os.ReadFile(f)
		if err == nil && bytes.Contains(b, []byte(testPass)) {
			t.Fatalf("password in %s", f)
		}
	}
}

const small = "testdata/small.yaml"

// clean collects the small scenario without faults: the reference for the fault cases.
func clean(t *testing.T) (result, map[string][]string) {
	t.Helper()
	_, url := sim(t, small, nil, nil)
	r := runCollect(t, context.Background(), testConfig(url), filepath.Join(t.TempDir(), "clean.db"))
	if r.err != nil {
		t.Fatalf("clean run: %v\n%s", r.err, r.logs)
	}
	return r, dump(t, r.db, r.meta.ID)
}

func TestCollectClean(t *testing.T) {
	r, d := clean(t)
	if r.meta.Status != snapshot.StatusComplete {
		t.Fatalf("status %s: %s", r.meta.Status, r.meta.Note)
	}
	if r.meta.CUCMVersion != "15.0.1.12900(234)" {
		t.Errorf("version %q", r.meta.CUCMVersion)
	}
	want := map[string]int{"axl_device": 287, "axl_node": 3}
	for tbl, n := range want {
		if len(d[tbl]) != n {
			t.Errorf("%s: %d rows, want %d", tbl, len(d[tbl]), n)
		}
	}
	if n := count(t, r.db, "SELECT count(*) FROM ris_latest WHERE snapshot_id = ?", r.meta.ID); n != 252 {
		t.Errorf("RisPort devices after dedup = %d, want 227 known to AXL + 25 not", n)
	}
	if n := count(t, r.db, "SELECT count(*) FROM ris_device WHERE snapshot_id = ?", r.meta.ID); n != 282 {
		t.Errorf("RisPort per-node rows = %d, want 252 + 30 duplicates", n)
	}
	if n := count(t, r.db, `SELECT count(*) FROM ris_latest l WHERE snapshot_id = ?
		AND NOT EXISTS (SELECT 1 FROM axl_device a WHERE a.snapshot_id = l.snapshot_id AND a.name = l.name)`, r.meta.ID); n != 25 {
		t.Errorf("RisPort devices AXL does not have = %d, want 25", n)
	}
	for item, c := range coverage(t, r.db, r.meta.ID) {
		if !c.Complete {
			t.Errorf("%s incomplete: %s", item, c.Reason)
		}
	}
	for _, cl := range []string{"Phone", "Gateway", "SIPTrunk", "HuntList", "Cti", "MediaResources"} {
		if n := count(t, r.db, "SELECT count(*) FROM axl_device WHERE snapshot_id = ? AND ris_class = ?", r.meta.ID, cl); n == 0 {
			t.Errorf("no AXL device mapped to RisPort class %s", cl)
		}
	}
	if !strings.Contains(r.logs, "complete: 260 phones, 12 gateways, 5 SIP trunks, 4 hunt lists") {
		t.Errorf("summary: %s", r.logs)
	}
	noSecret(t, r)
}

// TestFaultsGiveIdenticalData: every fault the cluster can throw that a polite, retrying
// client can ride out must leave the snapshot identical to a clean run.
func TestFaultsGiveIdenticalData(t *testing.T) {
	_, want := clean(t)
	tests := []struct {
		name    string
		faults  func(*cucmsim.Faults)
		cfg     func(*Config)
		partial []string // coverage items allowed (and required) to be incomplete
	}{
		{name: "legacy shape", faults: func(f *cucmsim.Faults) { f.RisPortLegacyShape = true }},
		{name: "nil empty nodes", faults: func(f *cucmsim.Faults) { f.RisPortEmptyNodes = "nil" }},
		{name: "503 on 20% of requests", faults: func(f *cucmsim.Faults) { f.HTTP503Rate = 0.2 }, cfg: func(c *Config) { c.Retries = 8 }},
		{name: "503 burst", faults: func(f *cucmsim.Faults) { f.HTTP503Burst = 3 }},
		{name: "AXL row cap", faults: func(f *cucmsim.Faults) { f.AXLMaxRows = 37 }},
		{name: "AXL byte cap", faults: func(f *cucmsim.Faults) { f.AXLMaxBytes = 20000 }},
		{name: "AXL memory fault", faults: func(f *cucmsim.Faults) { f.AXLMemoryFaultRate = 0.2 }, cfg: func(c *Config) { c.Retries = 8 }},
		{name: "session cookie expired", faults: func(f *cucmsim.Faults) { f.AXLSessionExpired = true }},
		{name: "truncated bodies", faults: func(f *cucmsim.Faults) { f.TruncateBodyRate = 0.1 }, cfg: func(c *Config) { c.Retries = 8 }},
		{name: "HTML page with 200", faults: func(f *cucmsim.Faults) { f.HTMLErrorRate = 0.1 }, cfg: func(c *Config) { c.Retries = 8 }},
		{name: "capped answers with StateInfo paging", faults: func(f *cucmsim.Faults) {
			f.RisPortMaxDevices = 40
			f.RisPortStateInfoPaging = true
		}, cfg: func(c *Config) { c.RisMaxDevices = 40 }},
		{name: "capped answers without StateInfo", faults: func(f *cucmsim.Faults) {
			f.RisPortMaxDevices = 40
		}, cfg: func(c *Config) { c.RisMaxDevices = 40 }},
		{name: "capped answers, legacy shape", faults: func(f *cucmsim.Faults) {
			f.RisPortMaxDevices = 40
			f.RisPortLegacyShape = true
		}, cfg: func(c *Config) { c.RisMaxDevices = 40 }},
		{name: "capped answers under rate control", faults: func(f *cucmsim.Faults) {
			f.RisPortMaxDevices = 40
			f.RisPortRateLimit = 3
			f.RisPortRateWindow = 100 * time.Millisecond
		}, cfg: func(c *Config) { c.RisMaxDevices = 40; c.RisRateLimit = 100; c.RisRateWindow = 100 * time.Millisecond }},
		{name: "rate control faults", faults: func(f *cucmsim.Faults) {
			f.RisPortRateLimit = 3
			f.RisPortRateWindow = 100 * time.Millisecond
		}, cfg: func(c *Config) { c.RisRateLimit = 100; c.RisRateWindow = 100 * time.Millisecond }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, url := sim(t, small, tc.faults, nil)
			cfg := testConfig(url)
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			r := runCollect(t, context.Background(), cfg, filepath.Join(t.TempDir(), "f.db"))
			if r.err != nil {
				t.Fatalf("run: %v\n%s", r.err, r.logs)
			}
			got := dump(t, r.db, r.meta.ID)
			cv := coverage(t, r.db, r.meta.ID)
			for _, item := range tc.partial {
				if c, ok := cv[item]; !ok || c.Complete {
					t.Errorf("%s should be incomplete: %+v", item, c)
				}
			}
			got = normalize(got)
			wantStatus := snapshot.StatusComplete
			if len(tc.partial) > 0 {
				wantStatus = snapshot.StatusPartial
			}
			if r.meta.Status != wantStatus {
				t.Errorf("status %s, want %s (%s)", r.meta.Status, wantStatus, r.meta.Note)
			}
			if d := cmp.Diff(normalize(want), got); d != "" {
				t.Errorf("snapshot differs from the clean run (-clean +got):\n%s", d)
			}
			noSecret(t, r)
		})
	}
}

// normalize drops what legitimately differs between answer shapes: NotFound node answers (a
// nil CmNodes lists no node at all) and the reason of a node that listed nothing.
func normalize(d map[string][]string) map[string][]string {
	out := map[string][]string{}
	for tbl, rows := range d {
		var keep []string
		for _, row := range rows {
			switch {
			case tbl == "ris_node_answer" && strings.Contains(row, "return_code=NotFound"):
			default:
				keep = append(keep, strings.Replace(row, "reason=RisPort listed no devices for this node", "reason=", 1))
			}
		}
		out[tbl] = keep
	}
	return out
}

// idleBackupScenario is the small scenario with a third subscriber that backs up CMG_B and has
// no device registered.
func idleBackupScenario(t *testing.T) string {
	data, err := os.ReadFile(small)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(data), "  - {name: cucm-sub2, role: subscriber, ip: 10.0.0.12}\n",
		"  - {name: cucm-sub2, role: subscriber, ip: 10.0.0.12}\n  - {name: cucm-sub3, role: subscriber, ip: 10.0.0.13}\n", 1)
	s = strings.Replace(s, "{name: CMG_B, nodes: [cucm-sub2, cucm-sub1]}", "{name: CMG_B, nodes: [cucm-sub2, cucm-sub1, cucm-sub3]}", 1)
	if !strings.Contains(s, "cucm-sub3]") || !strings.Contains(s, "10.0.0.13") {
		t.Fatal("small.yaml changed: idleBackupScenario no longer applies")
	}
	path := filepath.Join(t.TempDir(), "idle-backup.yaml")
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestGaps(t *testing.T) {
	tests := []struct {
		name       string
		scenario   func(t *testing.T) string // default: small
		faults     func(*cucmsim.Faults)
		cfg        func(*Config)
		status     snapshot.Status
		incomplete []string
		check      func(t *testing.T, r result)
	}{
		{name: "node not responding", faults: func(f *cucmsim.Faults) { f.NodesNotResponding = []string{"cucm-sub2"} },
			status: snapshot.StatusPartial, incomplete: []string{"risport node:cucm-sub2"},
			check: func(t *testing.T, r result) {
				if n := count(t, r.db, "SELECT count(*) FROM ris_device WHERE snapshot_id = ? AND node = 'cucm-sub2'", r.meta.ID); n != 0 {
					t.Errorf("%d rows from the node that did not respond", n)
				}
			}},
		{name: "node not found is no gap", faults: func(f *cucmsim.Faults) { f.NodesNotFound = []string{"cucm-pub"} },
			status: snapshot.StatusComplete},
		// A CallManager node no answer mentions, not even as NotFound, and no StateInfo names:
		// its phones must not read as never registered.
		{name: "silent node", faults: func(f *cucmsim.Faults) { f.NodesSilent = []string{"cucm-sub2"} },
			status: snapshot.StatusPartial, incomplete: []string{"risport node:cucm-sub2"}},
		// A backup node with no device, in a cluster that leaves empty nodes out of its answers:
		// the StateInfo still names it, so it answered and has nothing.
		{name: "idle backup node left out of answers", scenario: idleBackupScenario,
			faults: func(f *cucmsim.Faults) { f.RisPortEmptyNodes = "nil" }, status: snapshot.StatusComplete,
			check: func(t *testing.T, r result) {
				if n := count(t, r.db, "SELECT count(*) FROM ris_device WHERE snapshot_id = ? AND node = 'cucm-sub3'", r.meta.ID); n != 0 {
					t.Errorf("the idle node has %d rows", n)
				}
			}},
		// A cluster that pages with StateInfo (empty on the last page) and leaves nodes with nothing
		// to list out of its answers: a node left out of answers of a class it has no device of is
		// idle there, not silent.
		{name: "StateInfo paging with empty nodes left out", faults: func(f *cucmsim.Faults) {
			f.RisPortMaxDevices = 40
			f.RisPortStateInfoPaging = true
			f.RisPortEmptyNodes = "nil"
		}, cfg: func(c *Config) { c.RisMaxDevices = 40 },
			status: snapshot.StatusComplete,
			check: func(t *testing.T, r result) {
				if n := count(t, r.db, "SELECT count(*) FROM ris_device WHERE snapshot_id = ?", r.meta.ID); n != 282 {
					t.Errorf("%d RisPort rows, want all 282", n)
				}
			}},
		{name: "class failing", faults: func(f *cucmsim.Faults) { f.ClassesFailing = []string{"Gateway"} },
			status: snapshot.StatusPartial, incomplete: []string{"risport class:Gateway"},
			check: func(t *testing.T, r result) {
				// The device RisPort did not return is not stored as if RisPort had answered:
				// no row, and the coverage of its class says why.
				n := count(t, r.db, `SELECT count(*) FROM device_view v JOIN coverage c ON c.snapshot_id = v.snapshot_id
					AND c.source = 'risport' AND c.item = 'class:' || v.ris_class
					WHERE v.snapshot_id = ? AND v.ris_class = 'Gateway' AND v.in_ris = 0 AND c.complete = 0`, r.meta.ID)
				if n != 12 {
					t.Errorf("gateways without RisPort data under an incomplete class = %d, want 12", n)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			scenario := small
			if tc.scenario != nil {
				scenario = tc.scenario(t)
			}
			_, url := sim(t, scenario, tc.faults, nil)
			cfg := testConfig(url)
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			r := runCollect(t, context.Background(), cfg, filepath.Join(t.TempDir(), "g.db"))
			if r.err != nil {
				t.Fatalf("run: %v\n%s", r.err, r.logs)
			}
			if r.meta.Status != tc.status {
				t.Errorf("status %s, want %s (%s)", r.meta.Status, tc.status, r.meta.Note)
			}
			cv := coverage(t, r.db, r.meta.ID)
			var bad []string
			for item, c := range cv {
				if !c.Complete {
					bad = append(bad, item)
					if c.Reason == "" {
						t.Errorf("%s incomplete without a reason", item)
					}
				}
			}
			sort.Strings(bad)
			if d := cmp.Diff(tc.incomplete, bad, cmp.Comparer(func(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") })); d != "" {
				t.Errorf("incomplete items (-want +got):\n%s", d)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
			noSecret(t, r)
		})
	}
}

func TestWrongPassword(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults func(*cucmsim.Faults)
		pass   string
	}{
		{name: "wrong password", pass: testPass + "-wrong"},
		{name: "wrong_credentials fault", faults: func(f *cucmsim.Faults) { f.WrongCredentials = true }, pass: testPass},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, url := sim(t, small, tc.faults, nil)
			cfg := testConfig(url)
			cfg.Password = Secret(tc.pass)
			r := runCollect(t, context.Background(), cfg, filepath.Join(t.TempDir(), "w.db"))
			host := strings.TrimPrefix(url, "http://")
			if r.err == nil || !strings.Contains(r.err.Error(), "authentication failed at "+host+" (HTTP 401)") || strings.Contains(r.err.Error(), "\n") {
				t.Fatalf("err = %v", r.err)
			}
			if n := count(t, r.db, "SELECT count(*) FROM snapshot"); n != 0 {
				t.Errorf("%d snapshots written", n)
			}
			if st := s.Stats(); st.Requests["axl"] != 1 || st.Requests["risport"] != 0 {
				t.Errorf("requests after a 401: %v", st.Requests)
			}
			if strings.Contains(r.err.Error(), tc.pass) || strings.Contains(r.logs, tc.pass) {
				t.Fatal("password leaked")
			}
			noSecret(t, r)
		})
	}
}

func TestCancelMidway(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ris atomic.Int64
	armed := atomic.Bool{}
	// Answers of 40 devices: RisPort takes several requests.
	_, url := sim(t, small, func(f *cucmsim.Faults) { f.RisPortMaxDevices = 40 }, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, cucmsim.RisPortPath) && armed.Load() && ris.Add(1) == 3 {
				cancel()
			}
			h.ServeHTTP(w, r)
		})
	})
	db := filepath.Join(t.TempDir(), "c.db")
	cfg := testConfig(url)
	cfg.RisMaxDevices = 40
	first := runCollect(t, context.Background(), cfg, db)
	if first.err != nil {
		t.Fatal(first.err)
	}
	before := dump(t, db, first.meta.ID)
	armed.Store(true)
	r := runCollect(t, ctx, cfg, db)
	if !errors.Is(r.err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", r.err)
	}
	if d := cmp.Diff(before, dump(t, db, first.meta.ID)); d != "" {
		t.Errorf("earlier snapshot changed:\n%s", d)
	}
	if n := count(t, db, "SELECT count(*) FROM snapshot WHERE status <> 'failed' AND id <> ?", first.meta.ID); n != 0 {
		t.Errorf("%d interrupted snapshots read as complete or partial", n)
	}
	if n := count(t, db, "SELECT count(*) FROM ris_device WHERE snapshot_id <> ?", first.meta.ID); n != 0 {
		t.Errorf("%d rows of the interrupted snapshot were kept", n)
	}
}

func openStore(t testing.TB, path string) *snapshot.Store {
	t.Helper()
	s, err := snapshot.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDemoCounts collects the shipped demo scenario and reads the acceptance counts back from
// the stored snapshot.
func TestDemoCounts(t *testing.T) {
	data, err := examples.Scenario("demo")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := cucmsim.ParseScenario("demo", data)
	if err != nil {
		t.Fatal(err)
	}
	hs, s := testtool.Sim(t, sc)
	cfg := testConfig(hs.URL)
	cfg.User, cfg.Password = sc.Credentials.User, Secret(sc.Credentials.Password)
	cfg.RisRateLimit, cfg.RisRateWindow = sc.Faults.RisPortRateLimit, sc.Faults.RisPortRateWindow
	r := runCollect(t, context.Background(), cfg, filepath.Join(t.TempDir(), "demo.db"))
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.meta.Status != snapshot.StatusComplete {
		t.Fatalf("status %s: %s", r.meta.Status, r.meta.Note)
	}
	got := map[string]int{}
	store := openStore(t, r.db)
	defer store.Close()
	rows, err := store.DB().Query(`SELECT ris_class, ris_status, count(*) FROM device_view WHERE snapshot_id = ? AND in_axl = 1
		GROUP BY ris_class, ris_status`, r.meta.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var cl, st string
		var n int
		rows.Scan(&cl, &st, &n)
		got[cl+"/"+st] = n
	}
	rows.Close()
	want := map[string]int{
		"Phone/Registered": 679, "Phone/UnRegistered": 123, "Phone/Rejected": 1, "Phone/": 1377 - 803,
		"Gateway/Registered": 41, "Gateway/Rejected": 44,
		"SIPTrunk/Registered": 18, "SIPTrunk/UnRegistered": 4,
		"HuntList/Registered": 28,
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s = %d, want %d", k, got[k], n)
		}
	}
	if st := s.Stats(); st.RateControlFaults != 0 {
		t.Errorf("%d RateControl faults", st.RateControlFaults)
	}
	t.Log(r.logs[strings.LastIndex(r.logs, "snapshot"):])
}
