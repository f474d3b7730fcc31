package collect

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/examples"
)

func benchLogger() *slog.Logger {
	if os.Getenv("CUCM_BENCH_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return nil
}

// vmHWM is the process's peak resident set in MB (Linux), 0 elsewhere.
func vmHWM() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// benchScenario is the megacluster (or the file in CUCM_BENCH_SCENARIO) with the benchmark's
// RisPort limits: 15 requests per 1-second window, 1000 devices per answer.
func benchScenario(tb testing.TB) *cucmsim.Scenario {
	data, err := examples.Scenario("megacluster")
	if f := os.Getenv("CUCM_BENCH_SCENARIO"); f != "" {
		data, err = os.ReadFile(f)
	}
	if err != nil {
		tb.Fatal(err)
	}
	sc, err := cucmsim.ParseScenario("megacluster", data)
	if err != nil {
		tb.Fatal(err)
	}
	sc.Faults.RisPortRateLimit = 15
	sc.Faults.RisPortRateWindow = time.Second
	sc.Faults.RisPortMaxDevices = 1000
	return sc
}

// TestHelperSimProcess is not a test: BenchmarkMegacluster runs the simulator in a child
// process through it, so that the benchmark's memory figures are the collector's alone.
func TestHelperSimProcess(t *testing.T) {
	if os.Getenv("CUCM_HELPER_SIM") != "1" {
		t.Skip("helper process of BenchmarkMegacluster")
	}
	sc := benchScenario(t)
	if f := os.Getenv("CUCM_HELPER_SCENARIO"); f != "" {
		// A matrix shape (BenchmarkRisPortMatrix): its file and RisPort limits.
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sc = matrixScenario(t, string(data), os.Getenv("CUCM_HELPER_RISPORT"))
	}
	s, err := cucmsim.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", s.Handler())
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) { json.NewEncoder(w).Encode(s.Stats()) })
	// The devices the benchmark must find, from the simulator's ground truth.
	axl, seen := 0, 0
	for _, d := range s.Truth().Devices {
		if d.InAXL {
			axl++
		}
		if len(d.RisPort) > 0 {
			seen++
		}
	}
	mux.HandleFunc("GET /truth", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]int{"axl": axl, "seen": seen})
	})
	fmt.Printf("LISTEN http://%s\n", l.Addr())
	http.Serve(l, mux)
}

// startSimProcess runs the simulator in a child process (TestHelperSimProcess) with env added
// to its environment, and returns its URL and how to stop it.
func startSimProcess(b testing.TB, env ...string) (string, func()) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperSimProcess$", "-test.timeout=0")
	cmd.Env = append(append(os.Environ(), "CUCM_HELPER_SIM=1"), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	stop := func() { cmd.Process.Kill(); cmd.Wait() }
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if url, ok := strings.CutPrefix(sc.Text(), "LISTEN "); ok {
			go func() {
				for sc.Scan() {
				}
			}()
			return url, stop
		}
	}
	stop()
	b.Fatal("simulator process did not start")
	return "", nil
}

// BenchmarkMegacluster collects the megacluster scenario with the simulator (in a child
// process) at 15 RisPort requests per 1-second window and 1000-device answers. It fails unless
// every device is in the snapshot, no RateControl fault was provoked, the RisPort phase takes at
// most 1.25 × the floor (⌈device entries ÷ 1000⌉ requests at 15 per window, i.e. requests/15
// windows) and the collector's peak RSS stays under 200 MB.
//
//	go test ./collect -run '^$' -bench Megacluster -benchtime 1x
func BenchmarkMegacluster(b *testing.B) {
	sc := benchScenario(b)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		url, stop := startSimProcess(b)
		var want map[string]int
		if resp, err := http.Get(url + "/truth"); err == nil {
			json.NewDecoder(resp.Body).Decode(&want)
			resp.Body.Close()
		}
		wantAXL, wantSeen := want["axl"], want["seen"]
		if wantAXL == 0 {
			stop()
			b.Fatal("the simulator process gave no ground truth")
		}
		cfg := testConfig(url)
		cfg.Password = Secret(sc.Credentials.Password)
		cfg.User = sc.Credentials.User
		cfg.Timeout = 60 * time.Second
		cfg.RisRateLimit, cfg.RisRateWindow, cfg.RisMaxDevices = 15, time.Second, 1000
		c, err := New(cfg, benchLogger())
		if err != nil {
			b.Fatal(err)
		}
		store := openStore(b, filepath.Join(b.TempDir(), "mega.db"))
		b.StartTimer()
		m, err := c.Run(context.Background(), store, nil)
		b.StopTimer()
		store.Close()
		var st cucmsim.Stats
		if resp, gerr := http.Get(url + "/stats"); gerr == nil {
			json.NewDecoder(resp.Body).Decode(&st)
			resp.Body.Close()
		}
		stop()
		if err != nil {
			b.Fatal(err)
		}
		info := c.LastRun()
		floorReqs := math.Ceil(float64(info.RisPortEntries) / 1000)
		floor := floorReqs / 15 * float64(time.Second)
		ratio := float64(info.RisPortDuration) / floor
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		hwm := vmHWM()
		b.ReportMetric(info.RisPortDuration.Seconds(), "risport-s")
		b.ReportMetric(floor/float64(time.Second), "floor-s")
		b.ReportMetric(ratio, "ratio")
		b.ReportMetric(float64(info.RisPortRequests), "risport-reqs")
		b.ReportMetric(floorReqs, "floor-reqs")
		b.ReportMetric(float64(info.RisPortEntries), "entries")
		b.ReportMetric(float64(ms.Sys)/(1<<20), "go-sys-MB")
		b.ReportMetric(hwm, "peak-rss-MB")
		b.Logf("%s", c.Summary())
		b.Logf("RisPort %.2fs for %d requests, floor %.0f requests = %.2fs, ratio %.2f; %d RateControl faults; max %d requests in one sim window; peak RSS %.0f MB, Go sys %.0f MB",
			info.RisPortDuration.Seconds(), info.RisPortRequests, floorReqs, floor/float64(time.Second), ratio,
			st.RateControlFaults, st.MaxRisPortPerWindow(), hwm, float64(ms.Sys)/(1<<20))
		if info.AXLDevices != wantAXL || info.RisPortDevices != wantSeen {
			b.Fatalf("snapshot %d (%s: %s) has %d AXL devices (want %d) and %d RisPort devices (want %d)",
				m.ID, m.Status, m.Note, info.AXLDevices, wantAXL, info.RisPortDevices, wantSeen)
		}
		if st.RateControlFaults != 0 {
			b.Errorf("%d RateControl faults provoked", st.RateControlFaults)
		}
		if ratio > 1.25 {
			b.Errorf("RisPort phase %.2fs is %.2f × the floor %.2fs (limit 1.25)", info.RisPortDuration.Seconds(), ratio, floor/float64(time.Second))
		}
		if hwm >= 200 {
			b.Errorf("peak RSS %.0f MB ≥ 200 MB", hwm)
		}
	}
}
