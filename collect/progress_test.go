package collect

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
)

// lockedBuffer is a bytes.Buffer safe for the progress line's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// frames are the states a progress line drew, in order.
func frames(out string) []string {
	var fs []string
	for _, f := range strings.Split(out, "\r\033[K") {
		if f != "" {
			fs = append(fs, f)
		}
	}
	return fs
}

// TestProgressWaitCountsDown: a wait is shown after the line and counted down once a second,
// then the line is drawn without it; nothing is drawn after done.
func TestProgressWaitCountsDown(t *testing.T) {
	var out lockedBuffer
	p := &progressLine{w: &out}
	p.set("RisPort Phone: %d/%d requests", 3, 9)
	p.wait("waiting for the RisPort window", 2500*time.Millisecond)
	time.Sleep(2700 * time.Millisecond)
	p.done()
	// Under load a tick may come late; the countdown must still start at the wait, go down, and
	// end with the line alone.
	got := frames(out.String())
	base, wait := "RisPort Phone: 3/9 requests", "RisPort Phone: 3/9 requests; waiting for the RisPort window (%d s)"
	ok := len(got) >= 4 && got[0] == base && got[1] == fmt.Sprintf(wait, 3) && got[len(got)-1] == base
	prev := 3
	for _, f := range got[min(2, len(got)):max(2, len(got)-1)] {
		var left int
		if _, err := fmt.Sscanf(f, wait, &left); err != nil || left >= prev {
			ok = false
		}
		prev = left
	}
	if !ok {
		t.Errorf("frames:\n%s\nwant the line, then the wait counted down from 3 s, then the line", strings.Join(got, "\n"))
	}
	n := len(out.String())
	p.wait("waiting for the RisPort window", time.Second)
	time.Sleep(50 * time.Millisecond)
	if len(out.String()) != n {
		t.Errorf("drawn after done: %q", out.String()[n:])
	}
}

var requestsRE = regexp.MustCompile(`(\d+)/(\d+) requests`)

// TestProgressTellsTheTruth collects a cluster whose RisPort pacing makes the collector wait and
// whose phones need more requests than the AXL estimate: the line shows the waits, never a
// request counter above its total, and the AXL rows read per table.
func TestProgressTellsTheTruth(t *testing.T) {
	_, url := sim(t, "testdata/small.yaml", nil, nil)
	cfg := testConfig(url)
	cfg.RisRateLimit, cfg.RisRateWindow, cfg.RisMaxDevices = 3, time.Second, 40
	c, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	store := openStore(t, filepath.Join(t.TempDir(), "p.db"))
	var out lockedBuffer
	if _, err := c.Run(context.Background(), store, &out); err != nil {
		t.Fatal(err)
	}
	fs := frames(out.String())
	var waits, counters int
	for _, f := range fs {
		if strings.Contains(f, "waiting for the RisPort window (") {
			waits++
		}
		for _, m := range requestsRE.FindAllStringSubmatch(f, -1) {
			counters++
			n, _ := strconv.Atoi(m[1])
			total, _ := strconv.Atoi(m[2])
			if n > total {
				t.Errorf("counter above its total: %q", f)
			}
		}
	}
	if waits == 0 || counters == 0 {
		t.Errorf("%d frames with a RisPort wait and %d with a request counter, want both:\n%s", waits, counters, strings.Join(fs, "\n"))
	}
	if !slices.Contains(fs, "AXL: numplan 260 rows") || !slices.Contains(fs, "AXL: device 287 rows") {
		t.Errorf("no AXL rows per table:\n%s", strings.Join(fs, "\n"))
	}
}

// TestProgressShowsFaultWaits: a cluster that answers RateControl faults (its limit is lower
// than the collector was told) makes the collector wait a window; the line says so.
func TestProgressShowsFaultWaits(t *testing.T) {
	_, url := sim(t, "testdata/small.yaml", func(f *cucmsim.Faults) {
		// Answers of 40 devices: RisPort takes more requests than the limit.
		f.RisPortRateLimit, f.RisPortRateWindow, f.RisPortMaxDevices = 4, time.Second, 40
	}, nil)
	cfg := testConfig(url)
	cfg.RisMaxDevices = 40
	c, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	store := openStore(t, filepath.Join(t.TempDir(), "p.db"))
	var out lockedBuffer
	if _, err := c.Run(context.Background(), store, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "waiting for the RisPort window after a rate-control fault (1 s)") {
		t.Errorf("no fault wait on the line:\n%s", strings.Join(frames(out.String()), "\n"))
	}
}
