package collect_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cucm-audit/cucm-audit/analyze"
	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/collect"
	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// hmCase is one hostile answer: a reverse proxy between the collector and the simulator
// rewrites the answers to the requests it matches.
type hmCase struct {
	name string
	api  string // "risport" or "axl"
	// match picks the requests of api whose answers are rewritten (nil: all of them).
	match   func(body string) bool
	rewrite func(resp *http.Response, orig []byte)
	cfg     func(*collect.Config)
	// want is "partial" (incomplete lists the coverage items, as in the fault matrix) or "fail"
	// (an error containing errText).
	want       string
	incomplete []string
	errText    string
	// reason must appear in an incomplete item's reason (or in the error of a failure).
	reason string
	// within bounds the case's duration (0: the matrix default).
	within time.Duration
}

const (
	hmEnv  = `<?xml version='1.0' encoding='utf-8'?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>`
	hmEnd  = `</soapenv:Body></soapenv:Envelope>`
	hmRis  = `<ns1:selectCmDeviceResponse xmlns:ns1="http://schemas.cisco.com/ast/soap">`
	hmRate = `<soapenv:Fault><faultcode>ns1:Server.RateControl</faultcode><faultstring>AxisFault: Exceeded allowed rate for Reatime information. Current allowed rate for realtime information is 15 requests per minute.</faultstring></soapenv:Fault>`
	// hmNested is how deep the nesting bomb goes.
	hmNested = 5_000_000
)

// TestHostileMatrix sends the collector answers a hostile proxy could return: status-200 bodies
// that are not the answer asked for, nesting bombs, waits of a day, rate-control faults that do
// not end. Each case must end with a partial snapshot whose coverage names the read that failed
// (REG-001 inconclusive, no finding the clean run does not have), or fail cleanly; never a
// complete snapshot built from data that was not there, never a long sleep.
func TestHostileMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("collects 23 times")
	}
	rules, err := analyze.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	clean := fmRun(t, fmCase{name: "clean", want: "identical"}, rules)
	if clean.err != nil || clean.meta.Status != snapshot.StatusComplete || len(clean.findings[fmNeverSeen]) == 0 {
		t.Fatalf("clean run: %v %s, %d %s findings", clean.err, clean.meta.Status, len(clean.findings[fmNeverSeen]), fmNeverSeen)
	}

	body := func(status int, s string) func(*http.Response, []byte) {
		return func(resp *http.Response, _ []byte) { setBody(resp, status, s) }
	}
	replace := func(old, new string) func(*http.Response, []byte) {
		return func(resp *http.Response, orig []byte) {
			setBody(resp, resp.StatusCode, strings.ReplaceAll(string(orig), old, new))
		}
	}
	nested := func(op string) func(*http.Response, []byte) {
		return func(resp *http.Response, _ []byte) {
			setStream(resp, io.MultiReader(strings.NewReader(hmEnv+op),
				&repeatReader{s: "<a>", n: hmNested}, &repeatReader{s: "</a>", n: hmNested}, strings.NewReader(hmEnd)))
		}
	}
	wait := func(status int, s string) func(*http.Response, []byte) {
		return func(resp *http.Response, _ []byte) {
			setBody(resp, status, s)
			resp.Header.Set("Retry-After", "86400")
		}
	}
	sqlOp := func(b string) bool { return strings.Contains(b, "executeSQLQuery") }
	devicesQuery := func(b string) bool { return sqlOp(b) && strings.Contains(b, "FROM device d ") }
	versionOp := func(b string) bool { return strings.Contains(b, "getCCMVersion") }
	anyClass := func(b string) bool { return strings.Contains(b, "<soap:DeviceClass>Any</soap:DeviceClass>") }
	risAll := []string{"risport class:*", "?risport node:*"}
	// fast is far below the waits these answers ask for (24 h) and far above what a loaded shared
	// machine needs (18 s alone, 26 s beside six other builds): it proves the collector did not
	// wait or read without end, and is no timing target.
	fast := 90 * time.Second

	cases := []hmCase{
		{name: "RisPort: empty selectCmDeviceReturn", api: "risport", rewrite: body(200, hmEnv+hmRis+`<ns1:selectCmDeviceReturn/></ns1:selectCmDeviceResponse>`+hmEnd),
			want: "partial", incomplete: risAll, reason: "no SelectCmDeviceResult with CmNodes"},
		{name: "RisPort: <x/> body with status 200", api: "risport", rewrite: body(200, `<x/>`),
			want: "partial", incomplete: risAll, reason: "not a SOAP envelope"},
		{name: "RisPort: <x/> inside the SOAP Body", api: "risport", rewrite: body(200, hmEnv+`<x/>`+hmEnd),
			want: "partial", incomplete: risAll, reason: "the SOAP Body holds <x>"},
		{name: "RisPort: the DeviceClass Any answer is <x/>", api: "risport", match: anyClass, rewrite: body(200, hmEnv+`<x/>`+hmEnd),
			want: "partial", incomplete: risAll, reason: "the SOAP Body holds <x>"},
		{name: "RisPort: a getCCMVersionResponse to selectCmDevice", api: "risport",
			rewrite: body(200, hmEnv+`<ns:getCCMVersionResponse xmlns:ns="http://www.cisco.com/AXL/API/15.0"><return><componentVersion><version>15.0.1.12900(234)</version></componentVersion></return></ns:getCCMVersionResponse>`+hmEnd),
			want:    "partial", incomplete: risAll, reason: "holds <getCCMVersionResponse>"},
		{name: "RisPort: SOAP envelope with an empty Body", api: "risport", rewrite: body(200, hmEnv+hmEnd),
			want: "partial", incomplete: risAll, reason: "the SOAP Body is empty"},
		{name: "RisPort: 5,000,000 nested elements streamed", api: "risport", rewrite: nested(hmRis),
			want: "partial", incomplete: risAll, reason: "nested deeper than 64 levels", within: fast},
		{name: "RisPort: HTML page with status 200", api: "risport",
			rewrite: body(200, "<!DOCTYPE html><html><head><title>Sign in</title></head><body>Proxy login</body></html>"),
			want:    "partial", incomplete: risAll, reason: "answered an HTML page"},
		{name: "RisPort: truncated body", api: "risport", rewrite: func(resp *http.Response, orig []byte) {
			setBody(resp, 200, string(orig[:len(orig)/2]))
		}, want: "partial", incomplete: risAll, reason: "ended early"},
		{name: "RisPort: CmNodes in a wrong namespace", api: "risport", rewrite: replace("http://schemas.cisco.com/ast/soap", "http://example.com/not-risport"),
			want: "partial", incomplete: risAll, reason: "in namespace http://example.com/not-risport"},
		{name: "RisPort: CmNodes under another operation name", api: "risport", rewrite: replace("selectCmDeviceResponse", "selectCtiItemResponse"),
			want: "partial", incomplete: risAll, reason: "holds <selectCtiItemResponse>"},
		{name: "RisPort: Retry-After 86400 on a 503", api: "risport", rewrite: wait(503, "Service Unavailable"),
			want: "partial", incomplete: risAll, reason: "asked to wait 24h0m0s", within: fast},
		{name: "RisPort: RateControl fault asking to wait a day", api: "risport", rewrite: wait(500, hmEnv+hmRate+hmEnd),
			want: "partial", incomplete: risAll, reason: "asked to wait 24h0m0s", within: fast},
		{name: "RisPort: RateControl faults repeating beyond the cap", api: "risport", rewrite: body(500, hmEnv+hmRate+hmEnd),
			cfg:  func(c *collect.Config) { c.RisRateWindow = 20 * time.Millisecond },
			want: "partial", incomplete: risAll, reason: "still rate-limited after 5 waits", within: fast},
		{name: "AXL: devices query answers <x/>", api: "axl", match: devicesQuery, rewrite: body(200, `<x/>`),
			want: "partial", incomplete: []string{"axl devices", "axl load_overrides", "?risport node:*"}, reason: "not a SOAP envelope"},
		{name: "AXL: devices query answers executeSQLQueryResponse without return", api: "axl", match: devicesQuery,
			rewrite: body(200, hmEnv+`<ns:executeSQLQueryResponse xmlns:ns="http://www.cisco.com/AXL/API/15.0"/>`+hmEnd),
			want:    "partial", incomplete: []string{"axl devices", "axl load_overrides", "?risport node:*"}, reason: "no return element"},
		{name: "AXL: devices query answers an empty Body", api: "axl", match: devicesQuery, rewrite: body(200, hmEnv+hmEnd),
			want: "partial", incomplete: []string{"axl devices", "axl load_overrides", "?risport node:*"}, reason: "the SOAP Body is empty"},
		{name: "AXL: every query answers a getCCMVersionResponse", api: "axl", match: sqlOp,
			rewrite: body(200, hmEnv+`<ns:getCCMVersionResponse xmlns:ns="http://www.cisco.com/AXL/API/15.0"><return><componentVersion><version>15.0.1.12900(234)</version></componentVersion></return></ns:getCCMVersionResponse>`+hmEnd),
			want:    "partial", incomplete: []string{"axl *", "?risport node:*"}, reason: "holds <getCCMVersionResponse>"},
		{name: "AXL: every query streams 5,000,000 nested elements", api: "axl", match: sqlOp,
			rewrite: nested(`<ns:executeSQLQueryResponse xmlns:ns="http://www.cisco.com/AXL/API/15.0"><return><row>`),
			want:    "partial", incomplete: []string{"axl *", "?risport node:*"}, reason: "nested deeper than 64 levels", within: fast},
		{name: "AXL: getCCMVersion answers an executeSQLQueryResponse", api: "axl", match: versionOp,
			rewrite: body(200, hmEnv+`<ns:executeSQLQueryResponse xmlns:ns="http://www.cisco.com/AXL/API/15.0"><return/></ns:executeSQLQueryResponse>`+hmEnd),
			want:    "fail", errText: "unexpected answer from 127.0.0.1", reason: "holds <executeSQLQueryResponse>"},
		{name: "AXL: getCCMVersion without a version", api: "axl", match: versionOp,
			rewrite: body(200, hmEnv+`<ns:getCCMVersionResponse xmlns:ns="http://www.cisco.com/AXL/API/15.0"><return><componentVersion/></return></ns:getCCMVersionResponse>`+hmEnd),
			want:    "fail", errText: "unexpected answer from 127.0.0.1", reason: "no return/componentVersion/version"},
		{name: "AXL: Retry-After 86400 on a 503", api: "axl", rewrite: wait(503, "Service Unavailable"),
			want: "fail", errText: "asked to wait 24h0m0s", reason: "AXL_MAX_WAIT", within: fast},
	}

	var tally struct{ cases, partial, failed, complete, falseFindings, inconclusive int }
	var nestedAlloc []uint64
	for _, hc := range cases {
		tally.cases++
		t.Run(hc.name, func(t *testing.T) {
			var hits atomic.Int64
			fc := fmCase{name: hc.name, want: hc.want, incomplete: hc.incomplete, errText: hc.errText, cfg: hc.cfg,
				quiet: true, server: hostileProxy(hc, &hits)}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			got := fmRun(t, fc, rules)
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			if strings.Contains(hc.name, "nested") {
				nestedAlloc = append(nestedAlloc, (after.TotalAlloc-before.TotalAlloc)>>20)
			}
			switch {
			case got.err != nil:
				tally.failed++
			case got.meta.Status == snapshot.StatusPartial:
				tally.partial++
			default:
				tally.complete++
			}
			if got.err == nil && got.outcome[fmNeverSeen] != results.OutcomeInconclusive && len(got.findings[fmNeverSeen]) > 0 {
				tally.falseFindings++
			}
			if got.err == nil && got.outcome[fmNeverSeen] == results.OutcomeInconclusive {
				tally.inconclusive++
			}
			if hits.Load() == 0 {
				t.Fatal("the proxy rewrote no answer: the case tested nothing")
			}
			fmCheck(t, fc, clean, got)
			if hc.want == "partial" && got.outcome[fmNeverSeen] != results.OutcomeInconclusive {
				t.Errorf("%s is %s with %d findings, want inconclusive", fmNeverSeen, got.outcome[fmNeverSeen], len(got.findings[fmNeverSeen]))
			}
			if strings.Contains(hc.reason, "asked to wait") && !strings.Contains(got.logs, `level=WARN msg="the server asked to wait longer than the cap`) {
				t.Errorf("no WARN line for the refused wait:\n%s", tail(got.logs))
			}
			if !hmReasonSeen(got, hc.reason) {
				t.Errorf("no incomplete coverage reason (nor the error) says %q:\nerr: %v\nnote: %s", hc.reason, got.err, got.meta.Note)
			}
			limit := hc.within
			if limit == 0 {
				limit = fmCaseLimit
			}
			if elapsed > limit {
				t.Errorf("took %s, want at most %s", elapsed.Round(time.Millisecond), limit)
			}
			t.Logf("%s in %s, %d answers rewritten, %d MB allocated", outcomeOf(got), elapsed.Round(time.Millisecond), hits.Load(), (after.TotalAlloc-before.TotalAlloc)>>20)
		})
	}
	t.Logf("hostilematrix: cases=%d partial=%d failed=%d complete=%d false_findings=%d reg001_inconclusive=%d nested_alloc_mb=%v",
		tally.cases, tally.partial, tally.failed, tally.complete, tally.falseFindings, tally.inconclusive, nestedAlloc)
}

func outcomeOf(r fmResult) string {
	if r.err != nil {
		return "failed (" + r.err.Error() + ")"
	}
	return string(r.meta.Status)
}

// hmReasonSeen reports whether reason appears in an incomplete coverage reason or the error.
func hmReasonSeen(r fmResult, reason string) bool {
	if r.err != nil {
		return strings.Contains(r.err.Error(), reason)
	}
	for _, c := range r.cov {
		if !c.Complete && strings.Contains(c.Reason, reason) {
			return true
		}
	}
	return false
}

type rewriteKey struct{}

// hostileProxy serves the simulator behind a reverse proxy that rewrites the answers to the
// requests hc matches, counting them in hits.
func hostileProxy(hc hmCase, hits *atomic.Int64) func(t *testing.T, h http.Handler) (string, func(*collect.Config)) {
	return func(t *testing.T, h http.Handler) (string, func(*collect.Config)) {
		backend := httptest.NewServer(h)
		t.Cleanup(backend.Close)
		u, err := url.Parse(backend.URL)
		if err != nil {
			t.Fatal(err)
		}
		rp := httputil.NewSingleHostReverseProxy(u)
		rp.ErrorLog = log.New(io.Discard, "", 0) // the client hangs up on a refused bomb
		rp.ModifyResponse = func(resp *http.Response) error {
			if resp.Request.Context().Value(rewriteKey{}) == nil {
				return nil
			}
			orig, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return err
			}
			hits.Add(1)
			hc.rewrite(resp, orig)
			return nil
		}
		front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(b))
			if apiOf(r) == hc.api && (hc.match == nil || hc.match(string(b))) {
				r = r.WithContext(context.WithValue(r.Context(), rewriteKey{}, true))
			}
			rp.ServeHTTP(w, r)
		}))
		t.Cleanup(front.Close)
		return front.URL, nil
	}
}

// setBody replaces an answer's status and body.
func setBody(resp *http.Response, status int, body string) {
	resp.StatusCode = status
	resp.Status = fmt.Sprintf("%d %s", status, http.StatusText(status))
	resp.Body = io.NopCloser(strings.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", fmt.Sprint(len(body)))
	if strings.HasPrefix(body, "<!DOCTYPE html") {
		resp.Header.Set("Content-Type", "text/html")
	}
}

// setStream replaces an answer's body with r, sent chunked.
func setStream(resp *http.Response, r io.Reader) {
	resp.StatusCode = http.StatusOK
	resp.Body = io.NopCloser(r)
	resp.ContentLength = -1
	resp.Header.Del("Content-Length")
}

// repeatReader yields s n times without holding them in memory.
type repeatReader struct {
	s   string
	n   int
	off int // bytes of the current copy already read
}

func (r *repeatReader) Read(p []byte) (int, error) {
	k := 0
	for k < len(p) && r.n > 0 {
		c := copy(p[k:], r.s[r.off:])
		k += c
		r.off += c
		if r.off == len(r.s) {
			r.off = 0
			r.n--
		}
	}
	if k == 0 {
		return 0, io.EOF
	}
	return k, nil
}

// TestCollectionDeadline: a cluster too slow for the collection deadline ends with a partial
// snapshot, committed soon after the deadline, holding what was read before it; what was not
// read is incomplete with the deadline as its reason and REG-001 is inconclusive.
func TestCollectionDeadline(t *testing.T) {
	rules, err := analyze.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	clean := fmRun(t, fmCase{name: "clean", want: "identical"}, rules)
	const timeout = 700 * time.Millisecond
	fc := fmCase{name: "deadline", want: "partial", quiet: true,
		faults:     func(f *cucmsim.Faults) { f.SlowResponse = 100 * time.Millisecond },
		cfg:        func(c *collect.Config) { c.CollectTimeout = timeout },
		incomplete: []string{"?axl *", "risport class:*", "?risport node:*"}}
	start := time.Now()
	got := fmRun(t, fc, rules)
	elapsed := time.Since(start)
	fmCheck(t, fc, clean, got)
	if got.outcome[fmNeverSeen] != results.OutcomeInconclusive {
		t.Errorf("%s is %s, want inconclusive", fmNeverSeen, got.outcome[fmNeverSeen])
	}
	if !hmReasonSeen(got, "collection deadline (700ms) reached before this was read to the end: raise --timeout") {
		t.Errorf("no coverage reason names the deadline: %s", got.meta.Note)
	}
	t.Logf("%s after %s: %s", outcomeOf(got), elapsed.Round(time.Millisecond), got.meta.Note)
	if len(got.dump["axl_node"]) == 0 {
		t.Error("nothing read before the deadline was stored")
	}
	if elapsed > timeout+5*time.Second {
		t.Errorf("the collection ended %s after its deadline", elapsed-timeout)
	}
	if !strings.Contains(got.logs, `level=WARN msg="collection deadline reached`) || !strings.Contains(got.logs, "reading stopped at the collection deadline (700ms)") {
		t.Errorf("no WARN line or summary for the deadline:\n%s", tail(got.logs))
	}
}

// TestWaitCapCollect: a Retry-After above the configured cap (AXL_MAX_WAIT) fails that read at
// once with the reason and a WARN line; the rest of the collection goes on.
func TestWaitCapCollect(t *testing.T) {
	rules, err := analyze.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	clean := fmRun(t, fmCase{name: "clean", want: "identical"}, rules)
	var hits atomic.Int64
	hc := hmCase{api: "risport", match: func(b string) bool { return strings.Contains(b, "<soap:DeviceClass>Any</soap:DeviceClass>") },
		rewrite: func(resp *http.Response, _ []byte) {
			setBody(resp, http.StatusServiceUnavailable, "Service Unavailable")
			resp.Header.Set("Retry-After", "5")
		}}
	fc := fmCase{name: "wait cap", want: "partial", quiet: true, server: hostileProxy(hc, &hits),
		cfg:        func(c *collect.Config) { c.MaxWait = time.Second },
		incomplete: []string{"risport class:*", "?risport node:*"}}
	start := time.Now()
	got := fmRun(t, fc, rules)
	elapsed := time.Since(start)
	fmCheck(t, fc, clean, got)
	if hits.Load() != 1 {
		t.Errorf("%d Any answers rewritten, want 1 (no retry after a refused wait)", hits.Load())
	}
	if !hmReasonSeen(got, "asked to wait 5s before the next request, longer than the 1s cucm-audit waits (AXL_MAX_WAIT)") {
		t.Errorf("no coverage reason names the refused wait: %s", got.meta.Note)
	}
	if !strings.Contains(got.logs, `level=WARN msg="the server asked to wait longer than the cap: not waiting, the read fails"`) ||
		!strings.Contains(got.logs, "wait=5s max_wait=1s") {
		t.Errorf("no WARN line for the refused wait:\n%s", tail(got.logs))
	}
	if elapsed > 4*time.Second {
		t.Errorf("took %s: the collector waited", elapsed)
	}
}
