package collect

import (
	"bufio"
	"context"
	"log/slog"
	"math"
	"net/http/httptest"
	"os"
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

// vmHWM is the process's peak resident set (Linux), 0 elsewhere.
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

// BenchmarkMegacluster collects the megacluster scenario with the simulator at 15 RisPort
// requests per 1-second window and 1000-device answers. It fails unless every device is in the
// snapshot, no RateControl fault was provoked, the RisPort phase takes at most 1.25 × the floor
// (⌈device entries ÷ 1000⌉ requests at 15 per window, counted as requests/15 windows) and the
// process peak stays under 200 MB. The simulator runs in the same process, so the peak figures
// include it.
//
//	go test ./collect -run '^$' -bench Megacluster -benchtime 1x
func BenchmarkMegacluster(b *testing.B) {
	data, err := examples.Scenario("megacluster")
	if f := os.Getenv("CUCM_BENCH_SCENARIO"); f != "" {
		data, err = os.ReadFile(f)
	}
	if err != nil {
		b.Skip(err)
	}
	sc, err := cucmsim.ParseScenario("megacluster", data)
	if err != nil {
		b.Fatal(err)
	}
	sc.Faults.RisPortRateLimit = 15
	sc.Faults.RisPortRateWindow = time.Second
	sc.Faults.RisPortMaxDevices = 1000
	wantAXL, wantSeen := 0, 0
	for _, g := range sc.DeviceGroups {
		wantAXL += g.Count
		wantSeen += g.RisPort.Seen
	}
	for _, d := range sc.Devices {
		wantAXL++
		if len(d.RisPort) > 0 {
			wantSeen++
		}
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s, err := cucmsim.New(sc)
		if err != nil {
			b.Fatal(err)
		}
		hs := httptest.NewServer(s.Handler())
		cfg := testConfig(hs.URL)
		cfg.Password = Secret(sc.Credentials.Password)
		cfg.User = sc.Credentials.User
		cfg.RisRateLimit, cfg.RisRateWindow, cfg.RisMaxDevices = 15, time.Second, 1000
		c, err := New(cfg, benchLogger())
		if err != nil {
			b.Fatal(err)
		}
		store := openStore(b, filepath.Join(b.TempDir(), "mega.db"))
		b.StartTimer()
		m, err := c.Run(context.Background(), store, nil)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		info := c.LastRun()
		st := s.Stats()
		hs.Close()
		s.Close()
		store.Close()
		if info.AXLDevices != wantAXL || info.RisPortDevices != wantSeen {
			b.Fatalf("snapshot %d (%s: %s) has %d AXL devices (want %d) and %d RisPort devices (want %d)",
				m.ID, m.Status, m.Note, info.AXLDevices, wantAXL, info.RisPortDevices, wantSeen)
		}
		if st.RateControlFaults != 0 {
			b.Fatalf("%d RateControl faults provoked", st.RateControlFaults)
		}
		floorReqs := math.Ceil(float64(info.RisPortEntries) / 1000)
		floor := floorReqs / 15 * float64(time.Second)
		ratio := float64(info.RisPortDuration) / floor
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(info.RisPortDuration.Seconds(), "risport-s")
		b.ReportMetric(floor/float64(time.Second), "floor-s")
		b.ReportMetric(ratio, "ratio")
		b.ReportMetric(float64(info.RisPortRequests), "risport-reqs")
		b.ReportMetric(floorReqs, "floor-reqs")
		b.ReportMetric(float64(info.RisPortEntries), "entries")
		b.ReportMetric(float64(ms.Sys)/(1<<20), "go-sys-MB")
		b.ReportMetric(vmHWM(), "peak-rss-MB")
		b.Logf("snapshot %s: %s", m.Status, c.Summary())
		if ratio > 1.25 {
			b.Errorf("RisPort phase %.2fs is %.2f × the floor %.2fs (limit 1.25)", info.RisPortDuration.Seconds(), ratio, floor/float64(time.Second))
		}
		if hwm := vmHWM(); hwm >= 200 {
			b.Errorf("peak RSS %.0f MB ≥ 200 MB", hwm)
		}
	}
}
