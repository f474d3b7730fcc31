package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateDialGolden = flag.Bool("update-dial", false, "rewrite testdata/dial.*.golden")

// TestDialGolden pins what `dial` answers on the demo snapshot, in text and JSON: a phone
// dialing 911 reaches the emergency route list and its PRI gateway; a lobby phone dialing an
// international number is blocked; a +E.164 number of the hospital's own DID range is
// translated to the extension.
func TestDialGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("collects the demo cluster")
	}
	out := t.TempDir()
	if code, _, errOut := runCLI(t, "demo", "--out", out); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errOut)
	}
	db := filepath.Join(out, "demo.db")
	for _, tc := range []struct{ name, from, digits, want string }{
		{"emergency", "SEP2C31241C4C46", "911", "RL_Emergency -> RG_ISR_PRI -> S0/SU1/DS1-0@isr4331-main"},
		{"lobby_international", "SEPE0D173A6D334/1", "9004412345678", "Result: Blocked: Translation pattern 9.00! in PT_Block_International"},
		{"e164_did", "SEP2C31241C4C46/2000", "+49305552010", `Translation \+4930555XXXX in PT_E164: called +49305552010 -> 2010`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, format := range []string{"text", "json"} {
				code, got, errOut := runCLI(t, "dial", "--db", db, "--from", tc.from, "--format", format, tc.digits)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				got = scrubAnalysis(got)
				if format == "text" && !strings.Contains(got, tc.want) {
					t.Errorf("text lacks %q:\n%s", tc.want, got)
				}
				if format == "json" {
					var doc struct {
						SchemaVersion int `json:"schema_version"`
					}
					if err := json.Unmarshal([]byte(got), &doc); err != nil || doc.SchemaVersion != 1 {
						t.Errorf("json: schema_version %d, %v", doc.SchemaVersion, err)
					}
				}
				path := filepath.Join("testdata", "dial."+tc.name+"."+format+".golden")
				if *updateDialGolden {
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with -update-dial to create it)", err)
				}
				if got != string(want) {
					t.Errorf("output differs from %s (run with -update-dial if intended):\n%s", path, got)
				}
			}
		})
	}
	// Usage errors: no caller, an unknown device.
	if code, _, errOut := runCLI(t, "dial", "--db", db, "911"); code != exitUsage || !strings.Contains(errOut, "--from DEVICE[/LINE], --css NAME or --no-css") {
		t.Errorf("no caller: exit %d: %s", code, errOut)
	}
	// Digits no phone can send are a usage error, not an answer a script would read as one.
	if code, _, errOut := runCLI(t, "dial", "--db", db, "--no-css", "9[1"); code != exitUsage || !strings.Contains(errOut, "9[1") {
		t.Errorf("invalid digits: exit %d: %s", code, errOut)
	}
	// A forward without a CSS reaches the <None> partition only, and says so.
	if code, out, errOut := runCLI(t, "dial", "--db", db, "--no-css", "--en-bloc", "8888"); code != exitOK || !strings.Contains(out, "<None>") {
		t.Errorf("--no-css: exit %d: %s%s", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, "dial", "--db", db, "--from", "SEPNOPE", "911"); code == 0 || !strings.Contains(errOut, `device "SEPNOPE" is not in snapshot`) {
		t.Errorf("unknown device: exit %d: %s", code, errOut)
	}
}
