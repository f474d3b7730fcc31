package render

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkWriteAllMegacluster renders all five formats for a megacluster-sized report:
// 24 rules × 2,500 findings = 60,000 findings with six evidence fields each (80,000 devices).
// It reports the peak resident memory of the process (VmHWM) as peak-RSS-MB.
//
//	go test ./render -run '^$' -bench WriteAllMegacluster -benchtime 3x
func BenchmarkWriteAllMegacluster(b *testing.B) {
	rep := bigReport(24, 2500)
	dir := b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := WriteAll(context.Background(), rep, AllFormats(), dir, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.Sys)/(1<<20), "go-sys-MB")
	if hwm := vmHWM(); hwm > 0 {
		b.ReportMetric(hwm/1024, "peak-RSS-MB")
	}
}

// BenchmarkRender renders each format alone for the same report.
func BenchmarkRender(b *testing.B) {
	rep := bigReport(24, 2500)
	for _, f := range AllFormats() {
		b.Run(string(f), func(b *testing.B) {
			r, err := New(f, Options{})
			if err != nil {
				b.Fatal(err)
			}
			for i := 0; i < b.N; i++ {
				var cw countWriter
				cw.w = discard{}
				if err := r.Render(&cw, rep); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(cw.n)/(1<<20), "MB-out")
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// vmHWM is the process's peak resident set in kB, from /proc/self/status (0 elsewhere).
func vmHWM() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			v, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return v
		}
	}
	return 0
}
