package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPartialSnapshotBounds: the demo snapshot is partial (RisPort node cucm-sub3 answered
// NodeNotResponding, so the Phone class was read incompletely). No format shows its RisPort
// figures as plain numbers, and every format names what was not read at its top.
func TestPartialSnapshotBounds(t *testing.T) {
	rep := demoReport()
	const banner = "Partial snapshot: not read completely: RisPort node cucm-sub3 (NodeNotResponding)."
	// Class, configured, seen, registered, unregistered, rejected, partial, unknown, never seen, rate.
	phone := []string{"Phone", "1377", "≥ 803", "≥ 679", "≥ 123", "≥ 1", "unknown", "unknown", "≤ 574", "≥ 49.3 %"}
	gateway := []string{"Gateway", "85", "85", "41", "0", "44", "0", "0", "0"}

	t.Run("pdf", func(t *testing.T) {
		text := pdfText(t, rep, Options{})
		page1, _, _ := strings.Cut(text, "\f")
		if !strings.Contains(flat(page1), banner) {
			t.Errorf("page 1 lacks the banner %q:\n%s", banner, page1)
		}
		if !strings.Contains(text, "≥ 50.7 %") || !strings.Contains(flat(text), "devices registered (≥ 766 of") {
			t.Error("the registered tile is not a bound")
		}
		if rowWith(text, "≥ 679 of 1,377 registered (≥ 49.3 %)") == "" {
			t.Error("the Phone bar is not labelled with bounds")
		}
		if rowWith(text, "Phone", "1,377", "≥ 803", "≥ 679", "≥ 123", "unknown", "≤ 574", "≥ 49.3") == "" {
			t.Errorf("no bounded Phone row in the registration table")
		}
	})
	t.Run("md", func(t *testing.T) {
		md := renderMD(t, rep, 0).String()
		checkTables(t, []byte(md))
		head, _, _ := strings.Cut(md, "## Executive summary")
		if !strings.Contains(head, "**"+banner) {
			t.Errorf("markdown top lacks the banner:\n%s", head)
		}
		if want := "| " + strings.Join(phone, " | ") + " | **no**: counts are bounds |"; !strings.Contains(md, want) {
			t.Errorf("markdown lacks row %s", want)
		}
	})
	t.Run("xlsx", func(t *testing.T) {
		d := dumpXLSX(t, renderTo(t, rep, FormatXLSX, Options{}), 20)
		_, at := sheetsOf(d)
		sum := d.Sheets[at["Summary"]].Head
		if got := deref(sum[1]); len(got) < 2 || got[0] != "Partial snapshot" || !strings.HasPrefix(got[1], banner) {
			t.Errorf("Summary row 2 is %q, want the banner", got)
		}
		reg := d.Sheets[at["Registration"]].Head
		if !hasRow(reg, append(phone, "no: counts are bounds")...) {
			t.Errorf("Registration has no bounded Phone row %q", phone)
		}
		if !hasRow(reg, gateway...) {
			t.Errorf("Registration lost the exact Gateway row %q", gateway)
		}
	})
	t.Run("json", func(t *testing.T) {
		var buf bytes.Buffer
		if err := (&JSON{}).Render(&buf, rep); err != nil {
			t.Fatal(err)
		}
		var back struct {
			Banner  string `json:"partial_banner"`
			Summary struct {
				Registration []struct {
					Class  string            `json:"class"`
					Exact  bool              `json:"exact"`
					Bounds map[string]string `json:"bounds"`
				} `json:"registration"`
			} `json:"summary"`
		}
		if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(back.Banner, banner) {
			t.Errorf("partial_banner = %q", back.Banner)
		}
		want := map[string]string{"configured": "exact", "seen": "lower", "registered": "lower", "unregistered": "lower",
			"rejected": "lower", "partially_registered": "lower", "unknown": "lower", "never_seen": "upper", "registration_rate": "lower"}
		for _, c := range back.Summary.Registration {
			switch c.Class {
			case "Phone":
				if c.Exact {
					t.Error("Phone is marked exact")
				}
				if diff := cmp.Diff(want, c.Bounds); diff != "" {
					t.Errorf("Phone bounds (-want +got):\n%s", diff)
				}
			default:
				if !c.Exact || c.Bounds != nil {
					t.Errorf("%s: exact %v, bounds %v; want exact, none", c.Class, c.Exact, c.Bounds)
				}
			}
		}
	})
}

// TestPartialBannerComplete: a snapshot read completely has no banner.
func TestPartialBannerComplete(t *testing.T) {
	rep := demoReport()
	for i := range rep.DataQuality.Coverage {
		rep.DataQuality.Coverage[i].Complete = true
	}
	if s := PartialBanner(rep); s != "" {
		t.Errorf("banner on a complete snapshot: %q", s)
	}
}
