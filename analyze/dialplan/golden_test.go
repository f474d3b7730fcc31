package dialplan

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden pins the DNA-like text and the JSON of a call that crosses a translation, a line
// and a device CSS and a route list with mixed registration states.
func TestGolden(t *testing.T) {
	d := base(
		tp("9.@", "PT-Block", "Dev", ddi("PreDot"), mask(`+1XXXXXXXXXX`), cgMask("408555XXXX", "")),
		rp(`\+1!`, "PT-PSTN", "RL-PSTN", ddi("NoDigits")),
		rp(`\+1408XXXXXXX`, "PT-PSTN", "RL-PSTN"),
		rp(`\+1408XXXXXXX`, "PT-Internal", "GW-2"),
	)
	plan := NewPlan(d)
	r := Analyze(plan, Origin{LineCSS: "Line", DeviceCSS: "LineDup", CallingNumber: "1000", EnBloc: true}, "914085551234")
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]string{"translation_route.txt": r.Text(), "translation_route.json": string(js) + "\n"} {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("reading golden file (run go test -update): %v", err)
		}
		if diff := cmp.Diff(string(want), got); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
		}
	}
}
