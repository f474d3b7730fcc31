package risport_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/collect/risport"
	"github.com/cucm-audit/cucm-audit/collect/soap"
	"github.com/google/go-cmp/cmp"
)

// canned answers every request with the same body and status.
type canned struct {
	status int
	body   []byte
}

func (c canned) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: c.status, Header: http.Header{"Content-Type": {"text/xml;charset=UTF-8"}},
		Body: io.NopCloser(bytes.NewReader(c.body)), Request: r, ContentLength: int64(len(c.body)),
	}, nil
}

// selected is one SelectCmDevice through the whole client, as comparable values.
type selected struct {
	Answer *risport.Answer
	Err    string
	Fast   int64
}

func selectWith(tb testing.TB, data []byte, noFast bool, bounds ...int) selected {
	return selectOn(cannedClient(tb, data, noFast, bounds...))
}

func cannedClient(tb testing.TB, data []byte, noFast bool, bounds ...int) *soap.Client {
	opts := soap.Options{User: "u", Password: "p", VerifyTLS: true, Transport: canned{200, data}, NoFast: noFast}
	if len(bounds) == 3 {
		opts.MaxDepth, opts.MaxTokens, opts.MaxTokenBytes = bounds[0], bounds[1], int64(bounds[2])
	}
	sc, err := soap.New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	return sc
}

func selectOn(sc *soap.Client) selected {
	before := sc.Stats().Fast
	a, err := risport.New(sc, "http://cucm.invalid/ris").SelectCmDevice(context.Background(), risport.Criteria{Class: "Phone", Items: []string{"*"}, MaxDevices: 1000})
	s := selected{Answer: a, Fast: sc.Stats().Fast - before}
	if err != nil {
		s.Err = err.Error()
	}
	return s
}

// corpusSeeds are the vendor answers and the simulator's (top-level testdata) and the FuzzDecode corpus.
func corpusSeeds(tb testing.TB) map[string][]byte {
	seeds := map[string][]byte{}
	files, _ := filepath.Glob("../../testdata/vendor/selectCmDevice*.xml")
	more, _ := filepath.Glob("../../testdata/wire/ris_*.xml")
	for _, f := range append(files, more...) {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		seeds[f] = b
	}
	corpus, _ := filepath.Glob("testdata/fuzz/FuzzDecode/*")
	for _, f := range corpus {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		if _, lit, ok := strings.Cut(string(b), "\n[]byte("); ok {
			if s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimSpace(lit), ")")); err == nil {
				seeds[f] = []byte(s)
			}
		}
	}
	return seeds
}

// FuzzFastSelect is the differential test of the fast path: an answer read with it (falling
// back to encoding/xml on what it declines) gives the same answer, or the same error, as the
// encoding/xml decoder alone, at the default bounds and at tight ones.
func FuzzFastSelect(f *testing.F) {
	for _, b := range corpusSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, bounds := range [][]int{nil, {6, 60, 80}} {
			fast, slow := selectWith(t, data, false, bounds...), selectWith(t, data, true, bounds...)
			fast.Fast, slow.Fast = 0, 0
			if !reflect.DeepEqual(fast, slow) {
				t.Fatalf("bounds %v: fast path differs (-encoding/xml +fast):\n%s", bounds, cmp.Diff(slow, fast))
			}
		}
	})
}

// TestFastSelectSamples: the vendor samples and the simulator's answers are read by the fast
// path, to the answer encoding/xml reads; so is a full 1000-device answer.
func TestFastSelectSamples(t *testing.T) {
	seeds := corpusSeeds(t)
	seeds["answer1000"] = answer1000(t)
	for name, data := range seeds {
		if !strings.HasSuffix(name, ".xml") && name != "answer1000" || strings.Contains(name, "fault") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			fast, slow := selectWith(t, data, false), selectWith(t, data, true)
			if fast.Err != "" || fast.Fast != 1 {
				t.Errorf("not read by the fast path (err %q)", fast.Err)
			}
			fast.Fast = 0
			if diff := cmp.Diff(slow, fast); diff != "" {
				t.Errorf("(-encoding/xml +fast):\n%s", diff)
			}
		})
	}
}

// answer1000 is the §2.3 sample answer with its registered phone repeated 1000 times.
func answer1000(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile("../../testdata/vendor/selectCmDevice-risport70_cucm-api-2.3.xml")
	if err != nil {
		tb.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "<ns1:CmDevices>\n") + len("<ns1:CmDevices>\n")
	j := strings.Index(s, "</ns1:CmDevices>")
	return []byte(s[:i] + strings.Repeat(s[i:j], 1000) + s[j:])
}

// BenchmarkSelect1000 reads one full answer (1000 devices) through the whole client (one client,
// as the collector keeps it), with the fast path and with encoding/xml alone, in the same run:
//
//	go test ./collect/risport -run '^$' -bench Select1000 -count 5
func BenchmarkSelect1000(b *testing.B) {
	body := answer1000(b)
	for _, mode := range []struct {
		name   string
		noFast bool
	}{{"encoding-xml", true}, {"fast", false}} {
		b.Run(mode.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			sc := cannedClient(b, body, mode.noFast)
			for b.Loop() {
				if s := selectOn(sc); s.Err != "" || s.Answer.Entries() != 1000 {
					b.Fatalf("%d entries, %s", s.Answer.Entries(), s.Err)
				}
			}
		})
	}
}
