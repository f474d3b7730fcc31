package soap

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestOnWait: each wait a rate-control fault starts is told to OnWait before the client sleeps,
// with its length (a progress line shows it).
func TestOnWait(t *testing.T) {
	rate := fixture(t, "ratecontrol-fault_cucm-api-2.4.xml")
	srv, n := script(t, step{status: 500, body: rate}, step{status: 500, body: rate}, step{status: 200, body: okBody})
	var waits []time.Duration
	c, _ := newClient(t, 0, func(o *Options) {
		o.WaitFault = func(f *Fault) (time.Duration, bool) {
			return 3 * time.Millisecond, strings.Contains(f.Code, "RateControl")
		}
		o.OnWait = func(d time.Duration) { waits = append(waits, d) }
	})
	var got string
	if err := c.Call(context.Background(), Request{URL: srv.URL + "/risport", Body: []byte("<x/>")}, versionDecoder(&got)); err != nil {
		t.Fatal(err)
	}
	if want := []time.Duration{3 * time.Millisecond, 3 * time.Millisecond}; !slices.Equal(waits, want) || n.Load() != 3 {
		t.Errorf("waits %v over %d requests, want %v over 3", waits, n.Load(), want)
	}
}
