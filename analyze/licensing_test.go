package analyze

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// evidence is a finding's evidence by name.
func evidence(f results.Finding) map[string]string {
	ev := map[string]string{}
	for _, e := range f.Evidence {
		ev[e.Name] = e.Value
	}
	return ev
}

// TestLicensingOnDemo checks the licensing pack on the collected demo against rules that decide
// the same facts another way: no owner has several devices (LIC-001 silent: the demo's owners
// each own one phone), LIC-002's phones are INV-001's phones without an owner, and
// LIC-003's holders are the owners of the phones REG-002 finds unregistered for 90 days.
func TestLicensingOnDemo(t *testing.T) {
	ctx := context.Background()
	store, id := demoCopy(t)
	res, err := Run(ctx, store, id, Options{Now: fixtureTime, Only: []string{"licensing", "INV-001", "REG-002"},
		Params: map[string]string{"REG-002.days": "90"}})
	must(t, err)
	rules := byRule(res)
	for _, r := range res.Rules {
		if r.Outcome != results.OutcomeFail && r.Rule.ID != "LIC-001" {
			t.Errorf("%s: %s (%s), want fail", r.Rule.ID, r.Outcome, r.Reason)
		}
	}
	owners := map[string]bool{}
	var ownedPhones int
	rows, err := store.DB().Query(`SELECT owner, count(*) FROM axl_device WHERE snapshot_id = ? AND ris_class = 'Phone' AND owner <> '' GROUP BY owner`, id)
	must(t, err)
	for rows.Next() {
		var o string
		var n int
		must(t, rows.Scan(&o, &n))
		owners[o], ownedPhones = true, ownedPhones+n
	}
	must(t, rows.Err())
	rows.Close()
	if len(owners) != ownedPhones {
		t.Fatalf("the demo has %d owners of %d phones: this test expects one phone each", len(owners), ownedPhones)
	}
	if r := rules["LIC-001"]; r.Outcome != results.OutcomePass {
		t.Errorf("LIC-001 on the demo (one phone per owner): %s %v, want pass", r.Outcome, entities(r))
	}
	if got, want := entities(rules["LIC-002"]), entities(rules["INV-001"]); !slices.Equal(got, want) || len(got) == 0 {
		t.Errorf("LIC-002 %d phones, INV-001 (phones without an owner) %d: want the same phones", len(got), len(want))
	}
	// REG-002's phones unregistered for 90 days, by their licence holder.
	holders := map[string]bool{}
	for _, f := range rules["REG-002"].Findings {
		var class, owner string
		err := store.DB().QueryRow(`SELECT ris_class, owner FROM axl_device WHERE snapshot_id = ? AND name = ?`, id, f.Entity).Scan(&class, &owner)
		if err != nil || class != "Phone" {
			continue
		}
		if owner == "" {
			owner = f.Entity
		}
		holders[owner] = true
	}
	got := map[string]bool{}
	for _, f := range rules["LIC-003"].Findings {
		got[f.Entity] = true
		if ev := evidence(f); ev["tier"] != "Enhanced" || ev["tier_after"] != "" {
			t.Errorf("LIC-003 %s: tier %q after %q, want Enhanced reclaimable", f.Entity, ev["tier"], ev["tier_after"])
		}
	}
	if diff := cmp.Diff(holders, got); diff != "" || len(got) == 0 {
		t.Errorf("LIC-003 holders vs REG-002's phones at 90 days (-want +got):\n%s", diff)
	}

	// Silent when nothing is stale or unowned.
	res, err = Run(ctx, store, id, Options{Now: fixtureTime, Only: []string{"LIC-003"}, Params: map[string]string{"LIC-003.days": "100000"}})
	must(t, err)
	if r := res.Rules[0]; r.Outcome != results.OutcomePass {
		t.Errorf("LIC-003 at 100,000 days: %s %v, want pass", r.Outcome, entities(r))
	}
	_, err = store.DB().Exec(`UPDATE axl_device SET owner = 'shared' || name WHERE snapshot_id = ? AND owner = ''`, id)
	must(t, err)
	res, err = Run(ctx, store, id, Options{Now: fixtureTime, Only: []string{"LIC-002"}})
	must(t, err)
	if r := res.Rules[0]; r.Outcome != results.OutcomePass {
		t.Errorf("LIC-002 with every phone owned: %s %v, want pass", r.Outcome, entities(r))
	}
}

// TestLicensingTiers: a user owning two phones holds Enhanced Plus, three CUWL (a user with one
// device is not listed; an analog port is an Essential device for LIC-002); deleting a stale phone of a CUWL user leaves Enhanced Plus; past ten devices
// CUWL needs a licence per extra device.
func TestLicensingTiers(t *testing.T) {
	ctx := context.Background()
	store, id := demoCopy(t)
	var phones []string
	rows, err := store.DB().Query(`SELECT name FROM axl_device WHERE snapshot_id = ? AND ris_class = 'Phone' AND owner <> ''
		AND name IN (SELECT name FROM ris_device WHERE snapshot_id = ? AND status = 'Registered') ORDER BY name LIMIT 17`, id, id)
	must(t, err)
	for rows.Next() {
		var n string
		must(t, rows.Scan(&n))
		phones = append(phones, n)
	}
	rows.Close()
	own := func(user string, names ...string) {
		for _, n := range names {
			_, err := store.DB().Exec(`UPDATE axl_device SET owner = ? WHERE snapshot_id = ? AND name = ?`, user, id, n)
			must(t, err)
		}
	}
	own("two", phones[0], phones[1])
	own("three", phones[2], phones[3], phones[4])
	own("eleven", phones[5:16]...)
	_, err = store.DB().Exec(`UPDATE axl_device SET model = 'Cisco ATA 190', owner = '' WHERE snapshot_id = ? AND name = ?`, id, phones[16])
	must(t, err)
	// One of three's phones was last seen registered 200 days before the snapshot.
	stale := phones[4]
	_, err = store.DB().Exec(`DELETE FROM ris_device WHERE snapshot_id = ? AND name = ?`, id, stale)
	must(t, err)
	m, err := store.Get(ctx, id)
	must(t, err)
	then := m.StartedAt.Unix() - 200*86400
	_, err = store.DB().Exec(`UPDATE cucm_registrationdynamic SET lastseen = ?, datetimestamp = ? WHERE snapshot_id = ?
		AND fkdevice = (SELECT pkid FROM cucm_device WHERE snapshot_id = ? AND name = ?)`, then, then, id, id, stale)
	must(t, err)
	var rd int
	must(t, store.DB().QueryRow(`SELECT count(*) FROM cucm_registrationdynamic WHERE snapshot_id = ? AND fkdevice = (SELECT pkid FROM cucm_device WHERE snapshot_id = ? AND name = ?)`, id, id, stale).Scan(&rd))
	if rd != 1 {
		t.Fatalf("%s has %d registrationdynamic rows, want 1", stale, rd)
	}
	res, err := Run(ctx, store, id, Options{Now: fixtureTime, Only: []string{"LIC-001", "LIC-002", "LIC-003"}})
	must(t, err)
	rules := byRule(res)
	got := map[string]string{}
	for _, f := range rules["LIC-001"].Findings {
		ev := evidence(f)
		got[f.Entity] = ev["devices"] + " " + ev["tier"] + " +" + ev["extra_device_licences"]
	}
	for _, f := range rules["LIC-002"].Findings {
		if f.Entity == phones[16] {
			got[f.Entity] = evidence(f)["tier"]
		}
	}
	want := map[string]string{"two": "2 Enhanced Plus +0", "three": "3 CUWL +0", "eleven": "11 CUWL +1", phones[16]: "Essential"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LIC-001 tiers (-want +got):\n%s", diff)
	}
	found := false
	for _, f := range rules["LIC-003"].Findings {
		if f.Entity != "three" {
			continue
		}
		found = true
		ev := evidence(f)
		if ev["tier"] != "CUWL" || ev["tier_after"] != "Enhanced Plus" || ev["stale"] != "1" || !strings.Contains(ev["stale_devices"], stale) {
			t.Errorf("LIC-003 three: %v, want CUWL -> Enhanced Plus for %s", ev, stale)
		}
		if d, _ := strconv.Atoi(ev["days_unregistered"]); d != 200 {
			t.Errorf("LIC-003 three: %s days, want 200 (registrationdynamic lastseen)", ev["days_unregistered"])
		}
	}
	if !found {
		t.Errorf("LIC-003 did not find user three's phone %s, last seen 200 days ago", stale)
	}
}

// TestLicensingDefaultKinds: by Cisco's device classification the 3905 and 6901 are Essential,
// the 6911 and 6921 Basic (the default essential_models and basic_models), any other phone
// Enhanced.
func TestLicensingDefaultKinds(t *testing.T) {
	store, id := demoCopy(t)
	var phones []string
	rows, err := store.DB().Query(`SELECT name FROM axl_device WHERE snapshot_id = ? AND ris_class = 'Phone' ORDER BY name LIMIT 5`, id)
	must(t, err)
	for rows.Next() {
		var n string
		must(t, rows.Scan(&n))
		phones = append(phones, n)
	}
	rows.Close()
	models := []string{"Cisco 3905", "Cisco 6901", "Cisco 6911", "Cisco 6921", "Cisco 8845"}
	want := map[string]string{}
	for i, m := range models {
		_, err := store.DB().Exec(`UPDATE axl_device SET model = ?, owner = '' WHERE snapshot_id = ? AND name = ?`, m, id, phones[i])
		must(t, err)
		want[phones[i]] = m + " " + []string{"Essential", "Essential", "Basic", "Basic", "Enhanced"}[i]
	}
	res, err := Run(context.Background(), store, id, Options{Now: fixtureTime, Only: []string{"LIC-002"}})
	must(t, err)
	got := map[string]string{}
	for _, f := range res.Rules[0].Findings {
		if slices.Contains(phones, f.Entity) {
			got[f.Entity] = evidence(f)["model"] + " " + evidence(f)["tier"]
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LIC-002 kinds (-want +got):\n%s", diff)
	}
}
