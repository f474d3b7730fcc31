package testtool

import (
	"net/http/httptest"
	"testing"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
)

// Sim serves the scenario's simulated CUCM on a loopback HTTP server for the rest of the test.
func Sim(tb testing.TB, sc *cucmsim.Scenario) (*httptest.Server, *cucmsim.Server) {
	tb.Helper()
	sim, err := cucmsim.New(sc)
	if err != nil {
		tb.Fatal(err)
	}
	hs := httptest.NewServer(sim.Handler())
	tb.Cleanup(func() { hs.Close(); sim.Close() })
	return hs, sim
}
