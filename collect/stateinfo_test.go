package collect

// Answers whose StateInfo is opaque, names only some nodes, or carries totals that disagree with
// the answer: the collector must neither lose rows nor report gaps that are not there.

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/collect/risport"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

var stateInfoRE = regexp.MustCompile(`(?s)<ns1:StateInfo>.*?</ns1:StateInfo>`)

// rewrite passes RisPort answers through fn.
func rewrite(fn func(body string) string) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != cucmsim.RisPortPath {
				h.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				if k != "Content-Length" {
					w.Header()[k] = v
				}
			}
			w.WriteHeader(rec.Code)
			w.Write([]byte(fn(rec.Body.String())))
		})
	}
}

// a cluster whose StateInfo is an opaque token (CUCM-API.md: "treat as opaque") and which
// cuts answers at the cap: nodes after the cut are absent from the capped answer -> gap.
func TestStateInfoOpaqueStateInfoCappedFalseGap(t *testing.T) {
	cl, _ := clean(t)
	want := count(t, cl.db, "SELECT count(*) FROM ris_device WHERE snapshot_id = ?", cl.meta.ID)
	for _, tok := range []string{"", "opaque-token-42"} {
		t.Run(fmt.Sprintf("token=%q", tok), func(t *testing.T) {
			_, url := sim(t, small, func(f *cucmsim.Faults) { f.RisPortMaxDevices = 40; f.RisPortEmptyNodes = "notfound" },
				rewrite(func(b string) string {
					return stateInfoRE.ReplaceAllString(b, "<ns1:StateInfo>"+tok+"</ns1:StateInfo>")
				}))
			cfg := testConfig(url)
			cfg.RisMaxDevices = 40
			r := runCollect(t, context.Background(), cfg, filepath.Join(t.TempDir(), "o.db"))
			if r.err != nil {
				t.Fatal(r.err)
			}
			got := count(t, r.db, "SELECT count(*) FROM ris_device WHERE snapshot_id = ?", r.meta.ID)
			t.Logf("rows %d of %d, status %s", got, want, r.meta.Status)
			for item, c := range coverage(t, r.db, r.meta.ID) {
				if !c.Complete {
					t.Errorf("%s incomplete: %s", item, c.Reason)
				}
			}
		})
	}
}

var nodeRE = regexp.MustCompile(`&lt;Node Name="[^"]*"[^/]*TotalItemsFound="(\d+)" TotalItemsReturned="(\d+)"/&gt;`)

// StateInfo like CUCM-API.md §2.3's example: it names only the nodes that returned items;
// empty nodes answer as the "nil" style (left out). Uncapped answers -> false gap.
func TestStateInfoStateInfoOnlyNodesWithItems(t *testing.T) {
	_, url := sim(t, small, func(f *cucmsim.Faults) { f.RisPortEmptyNodes = "nil" },
		rewrite(func(b string) string {
			return nodeRE.ReplaceAllStringFunc(b, func(m string) string {
				s := nodeRE.FindStringSubmatch(m)
				if s[2] == "0" {
					return ""
				}
				return m
			})
		}))
	r := runCollect(t, context.Background(), testConfig(url), filepath.Join(t.TempDir(), "n.db"))
	if r.err != nil {
		t.Fatal(r.err)
	}
	for item, c := range coverage(t, r.db, r.meta.ID) {
		if !c.Complete {
			t.Errorf("%s incomplete: %s", item, c.Reason)
		}
	}
}

// one odd answer (a node's StateInfo says Found = Returned+1 on an answer of 1 entry, e.g.
// a phone unregistering between count and listing) lowers the cap to 1 for the rest of the
// class: the class then fails or explodes in requests.
func TestStateInfoOneOddAnswerShrinksCap(t *testing.T) {
	cl, _ := clean(t)
	want := count(t, cl.db, "SELECT count(*) FROM ris_device WHERE snapshot_id = ? AND device_class='Phone'", cl.meta.ID)
	var injected atomic.Bool
	var reqs atomic.Int64
	_, url := sim(t, small, func(f *cucmsim.Faults) { f.RisPortMaxDevices = 40 },
		rewrite(func(b string) string {
			reqs.Add(1)
			if injected.Load() || !strings.Contains(b, "<ns1:DeviceClass>Phone</ns1:DeviceClass>") {
				return b
			}
			total := 0
			for _, s := range nodeRE.FindAllStringSubmatch(b, -1) {
				n, _ := strconv.Atoi(s[2])
				total += n
			}
			if total != 1 {
				return b
			}
			injected.Store(true)
			return nodeRE.ReplaceAllStringFunc(b, func(m string) string {
				s := nodeRE.FindStringSubmatch(m)
				if s[2] != "1" {
					return m
				}
				return strings.Replace(m, `TotalItemsFound="1"`, `TotalItemsFound="2"`, 1)
			})
		}))
	cfg := testConfig(url)
	cfg.RisMaxDevices = 40
	r := runCollect(t, context.Background(), cfg, filepath.Join(t.TempDir(), "c.db"))
	if r.err != nil {
		t.Fatal(r.err)
	}
	got := count(t, r.db, "SELECT count(*) FROM ris_device WHERE snapshot_id = ? AND device_class='Phone'", r.meta.ID)
	t.Logf("injected=%v requests=%d phone rows %d of %d status %s", injected.Load(), reqs.Load(), got, want, r.meta.Status)
	if c := coverage(t, r.db, r.meta.ID)["risport class:Phone"]; !c.Complete {
		t.Errorf("Phone incomplete after one odd answer: %s", c.Reason)
	}
	if r.meta.Status != snapshot.StatusComplete {
		t.Errorf("status %s: %s", r.meta.Status, r.meta.Note)
	}
}

// phones AXL does not list (big=false): the wildcard answer is cut at the cap in node
// order; with an opaque StateInfo the node after the cut is absent from that capped answer.
func TestStateInfoCappedWildcardOpaqueStateInfo(t *testing.T) {
	for _, tok := range []string{"", "opaque-token-42", "keep"} {
		t.Run(fmt.Sprintf("token=%q", tok), func(t *testing.T) {
			_, url := sim(t, "testdata/rogue.yaml", func(f *cucmsim.Faults) { f.RisPortMaxDevices = 40; f.RisPortEmptyNodes = "notfound" },
				rewrite(func(b string) string {
					if tok == "keep" {
						return b
					}
					return stateInfoRE.ReplaceAllString(b, "<ns1:StateInfo>"+tok+"</ns1:StateInfo>")
				}))
			cfg := testConfig(url)
			cfg.RisMaxDevices = 40
			r := runCollect(t, context.Background(), cfg, filepath.Join(t.TempDir(), "o.db"))
			if r.err != nil {
				t.Fatal(r.err)
			}
			got := count(t, r.db, "SELECT count(*) FROM ris_device WHERE snapshot_id = ? AND device_class='Phone'", r.meta.ID)
			t.Logf("phone rows %d, status %s", got, r.meta.Status)
			for item, c := range coverage(t, r.db, r.meta.ID) {
				if !c.Complete {
					t.Errorf("%s incomplete: %s", item, c.Reason)
				}
			}
		})
	}
}

// a cluster whose StateInfo TotalItemsFound is not per-query (always > Returned on a node
// that listed something): how many requests and what result.
func TestStateInfoAlwaysTruncated(t *testing.T) {
	for _, mode := range []string{"once-small", "always"} {
		t.Run(mode, func(t *testing.T) {
			var reqs, odd atomic.Int64
			_, url := sim(t, small, func(f *cucmsim.Faults) { f.RisPortMaxDevices = 40 },
				rewrite(func(b string) string {
					reqs.Add(1)
					if !strings.Contains(b, "<ns1:DeviceClass>Phone</ns1:DeviceClass>") {
						return b
					}
					total := 0
					for _, s := range nodeRE.FindAllStringSubmatch(b, -1) {
						n, _ := strconv.Atoi(s[2])
						total += n
					}
					if mode == "once-small" && (odd.Load() > 0 || total > 8) {
						return b
					}
					odd.Add(1)
					return nodeRE.ReplaceAllStringFunc(b, func(m string) string {
						s := nodeRE.FindStringSubmatch(m)
						if s[2] == "0" {
							return m
						}
						f, _ := strconv.Atoi(s[1])
						return strings.Replace(m, `TotalItemsFound="`+s[1]+`"`, `TotalItemsFound="`+strconv.Itoa(f+1)+`"`, 1)
					})
				}))
			cfg := testConfig(url)
			cfg.RisMaxDevices = 40
			r := runCollect(t, context.Background(), cfg, filepath.Join(t.TempDir(), "c.db"))
			if r.err != nil {
				t.Fatal(r.err)
			}
			got := count(t, r.db, "SELECT count(*) FROM ris_device WHERE snapshot_id = ? AND device_class='Phone'", r.meta.ID)
			c := coverage(t, r.db, r.meta.ID)["risport class:Phone"]
			t.Logf("odd answers %d, RisPort requests %d, phone rows %d, status %s, Phone: %v %s", odd.Load(), reqs.Load(), got, r.meta.Status, c.Complete, c.Reason)
		})
	}
}

// TestCutDetector: a lower cap is believed once two cut answers agree on it; StateInfo totals
// that keep disagreeing are set aside, and every answer whose claim was set aside is counted so
// that its class is reported incomplete, never complete.
func TestCutDetector(t *testing.T) {
	answer := func(returned, found int) *risport.Answer {
		devs := make([]snapshot.RisDevice, returned)
		for i := range devs {
			devs[i].Name = fmt.Sprintf("SEP%012d", i)
		}
		return &risport.Answer{Nodes: []risport.Node{{Name: "cucm-sub1", ReturnCode: "Ok", Devices: devs}},
			StateInfo: fmt.Sprintf(`<StateInfo><Node Name="cucm-sub1" TotalItemsFound="%d" TotalItemsReturned="%d"/></StateInfo>`, found, returned)}
	}
	log := slog.New(slog.DiscardHandler)
	c := &cutDetector{cap: 1000, seen: map[int]int{}}
	for i, want := range []bool{true, true} {
		if got := c.cut(answer(150, 400), log); got != want {
			t.Fatalf("answer %d: cut = %v", i, got)
		}
	}
	if c.cap != 150 || c.ignored != 0 {
		t.Fatalf("cap %d ignored %d, want 150 and 0", c.cap, c.ignored)
	}
	if c.cut(answer(90, 90), log) || !c.cut(answer(150, 150), log) {
		t.Fatal("an answer under the learned cap is whole; one at it is cut")
	}

	c = &cutDetector{cap: 1000, seen: map[int]int{}}
	for _, n := range []int{150, 140, 130, 120, 150, 150} {
		c.cut(answer(n, n+50), log)
	}
	if c.cap != 1000 || !c.distrust || c.ignored != 3 {
		t.Fatalf("cap %d distrust %v ignored %d, want 1000, true, 3", c.cap, c.distrust, c.ignored)
	}
	if c.cut(answer(10, 10), log) || c.ignored != 3 {
		t.Fatal("a whole answer counted as a claim set aside")
	}
}
