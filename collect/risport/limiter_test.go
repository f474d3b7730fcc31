package risport

import (
	"context"
	"testing"
	"time"
)

// TestLimiterOnWait: a request over the window's allowance waits, and OnWait is told how long
// before the wait starts; requests within it are not.
func TestLimiterOnWait(t *testing.T) {
	l := NewLimiter(2, 100*time.Millisecond)
	var told []time.Duration
	l.OnWait = func(d time.Duration) { told = append(told, d) }
	start := time.Now()
	for range 3 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	took := time.Since(start)
	if len(told) != 1 || told[0] <= 50*time.Millisecond || told[0] > 105*time.Millisecond || took < told[0] {
		t.Errorf("told %v, took %v: want one wait of about the window (105ms with the margin)", told, took)
	}
}
