package collect_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/internal/scrub"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// TestNotesScrubbed: AXL values quoted into coverage reasons and the snapshot note pass through
// the same scrubber as SOAP errors: a hostile or careless server holding the AXL password in a
// column (here a device class and a line index) cannot write it into the database.
func TestNotesScrubbed(t *testing.T) {
	sc := fidelityScenario(t)
	hs, sim := testtool.Sim(t, sc)
	pass := sc.Credentials.Password
	q := strings.ReplaceAll(pass, "'", "''")
	if err := sim.Mutate(context.Background(),
		`UPDATE devicenumplanmap SET numplanindex = '`+q+`' WHERE pkid = (SELECT MIN(m.pkid) FROM devicenumplanmap m
			JOIN numplan n ON n.pkid = m.fknumplan WHERE n.tkpatternusage = 2)`,
		`UPDATE device SET tkclass = '`+q+`' WHERE pkid = (SELECT MIN(pkid) FROM device WHERE tkclass = 18)`); err != nil {
		t.Fatal(err)
	}
	r := runShape(t, shapeConfig(hs.URL, sc))
	store := openStore(t, r.db)
	defer store.Close()
	cv, err := store.Coverage(context.Background(), r.meta.ID)
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string]string{"snapshot note": r.meta.Note}
	for _, c := range cv {
		texts[c.Source+" "+c.Item] = c.Reason
	}
	for _, item := range []string{"snapshot note", "axl devices", "axl line_appearances"} {
		if !strings.Contains(texts[item], scrub.Mark) {
			t.Errorf("%s = %q, want the quoted password replaced by %s", item, texts[item], scrub.Mark)
		}
	}
	for item, text := range texts {
		for _, f := range scrub.Forms(sc.Credentials.User, pass) {
			if strings.Contains(text, f) {
				t.Errorf("%s holds the password (as %q): %s", item, f, text)
				break
			}
		}
	}
	if r.meta.Status != snapshot.StatusPartial {
		t.Errorf("status %s, want partial", r.meta.Status)
	}
}
