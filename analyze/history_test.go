package analyze

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestUnregisteredDaysUsesHistory: REG-002 dates an unregistration from the RisPort TimeStamp,
// corrected and completed by the earlier snapshots of the same cluster.
func TestUnregisteredDaysUsesHistory(t *testing.T) {
	day := 24 * time.Hour
	type sighting struct {
		ago    time.Duration
		status string
	}
	cases := []struct {
		name    string
		ts      time.Duration // age of the current TimeStamp; 0 = RisPort gave none
		history []sighting
		want    []string
	}{
		{"timestamp old", 40 * day, nil, []string{"SEP000000000001"}},
		{"timestamp recent", 10 * day, nil, nil},
		{"no timestamp, no history", 0, nil, nil},
		{"no timestamp, unregistered since 40 days", 0, []sighting{{40 * day, "UnRegistered"}, {35 * day, "UnRegistered"}}, []string{"SEP000000000001"}},
		{"no timestamp, registered in between", 0, []sighting{{40 * day, "UnRegistered"}, {20 * day, "Registered"}, {15 * day, "UnRegistered"}}, nil},
		{"old timestamp contradicted by history", 40 * day, []sighting{{5 * day, "Registered"}}, nil},
		{"other cluster ignored", 0, nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store := newStore(t)
			for _, h := range tc.history {
				f := healthy()
				f.at = fixtureTime.Add(-h.ago)
				f.risOf(t, "SEP000000000001").Status = h.status
				f.write(t, store)
			}
			if tc.name == "other cluster ignored" {
				f := healthy()
				f.cluster, f.at = "other", fixtureTime.Add(-60*day)
				f.risOf(t, "SEP000000000001").Status = "UnRegistered"
				f.write(t, store)
			}
			f := healthy()
			r := f.risOf(t, "SEP000000000001")
			r.Status, r.TimeStamp = "UnRegistered", 0
			if tc.ts > 0 {
				r.TimeStamp = fixtureTime.Add(-tc.ts).Unix()
			}
			id := f.write(t, store)
			res, err := Run(context.Background(), store, id, Options{Only: []string{"REG-002"}, Now: fixtureTime})
			must(t, err)
			if diff := cmp.Diff(tc.want, entities(res.Rules[0])); diff != "" {
				t.Errorf("REG-002 entities (-want +got):\n%s", diff)
			}
		})
	}
}
