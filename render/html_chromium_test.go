package render

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/internal/testtool"
)

// chromiumFlags run Debian's chromium headless with nothing of its own on the network, and every
// host name unresolvable, so a request the page made would fail and show in the log.
func chromiumFlags(profile string) []string {
	return []string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--disable-default-apps", "--mute-audio",
		"--user-data-dir=" + profile, "--host-resolver-rules=MAP * ~NOTFOUND"}
}

// writeHTML renders r into a file of its own and returns its path and file:// URL.
func writeHTML(t *testing.T, r *results.Report) (string, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, renderHTML(t, r), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, "file://" + path
}

// cdp is a minimal Chrome DevTools Protocol client over --remote-debugging-pipe: JSON messages
// separated by NUL bytes, commands written to the browser's fd 3, answers and events read from
// its fd 4. Calls are synchronous; events read meanwhile are kept in order.
type cdp struct {
	t      *testing.T
	cmd    *exec.Cmd
	w      *os.File
	rf     *os.File
	r      *bufio.Reader
	id     int
	events []cdpMessage
}

type cdpMessage struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

func startCDP(t *testing.T, chromium string, flags ...string) *cdp {
	t.Helper()
	toBrowser, ourW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ourR, fromBrowser, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	args := append(append(chromiumFlags(t.TempDir()), flags...), "--remote-debugging-pipe", "about:blank")
	cmd := exec.Command(chromium, args...)
	cmd.ExtraFiles = []*os.File{toBrowser, fromBrowser} // fd 3, fd 4
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	toBrowser.Close()
	fromBrowser.Close()
	c := &cdp{t: t, cmd: cmd, w: ourW, rf: ourR, r: bufio.NewReader(ourR)}
	t.Cleanup(func() {
		c.w.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		c.rf.Close()
		if t.Failed() {
			t.Logf("chromium stderr:\n%s", stderr.String())
		}
	})
	return c
}

// read returns the next message, failing the test after 30 s of silence.
func (c *cdp) read() cdpMessage {
	c.t.Helper()
	c.rf.SetReadDeadline(time.Now().Add(30 * time.Second))
	b, err := c.r.ReadBytes(0)
	if err != nil {
		c.t.Fatalf("reading from chromium: %v", err)
	}
	var m cdpMessage
	if err := json.Unmarshal(b[:len(b)-1], &m); err != nil {
		c.t.Fatalf("message from chromium: %v: %s", err, b)
	}
	return m
}

// call sends one command (to the browser, or to a page when session is set) and returns its result.
func (c *cdp) call(session, method string, params any) json.RawMessage {
	c.t.Helper()
	c.id++
	msg := map[string]any{"id": c.id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	b, err := json.Marshal(msg)
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := c.w.Write(append(b, 0)); err != nil {
		c.t.Fatalf("writing to chromium: %v", err)
	}
	for {
		m := c.read()
		if m.ID == 0 {
			c.events = append(c.events, m)
			continue
		}
		if m.ID != c.id {
			continue
		}
		if m.Error != nil {
			c.t.Fatalf("%s: %s", method, m.Error.Message)
		}
		return m.Result
	}
}

// open opens url in a new page, with the network, console and log watched, and returns the
// page's session once it has loaded.
func (c *cdp) open(url string) string {
	c.t.Helper()
	var target struct{ TargetID string }
	json.Unmarshal(c.call("", "Target.createTarget", map[string]any{"url": "about:blank"}), &target)
	var att struct{ SessionID string }
	json.Unmarshal(c.call("", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}), &att)
	s := att.SessionID
	for _, domain := range []string{"Network", "Page", "Runtime", "Log"} {
		c.call(s, domain+".enable", nil)
	}
	c.call(s, "Page.navigate", map[string]any{"url": url})
	c.waitEvent("Page.loadEventFired")
	return s
}

// waitEvent reads until the event method arrives (or was already read).
func (c *cdp) waitEvent(method string) {
	c.t.Helper()
	for _, e := range c.events {
		if e.Method == method {
			return
		}
	}
	for {
		m := c.read()
		if m.ID == 0 {
			c.events = append(c.events, m)
			if m.Method == method {
				return
			}
		}
	}
}

// eval evaluates a JavaScript expression in the page and decodes its value into out.
func (c *cdp) eval(session, expr string, out any) {
	c.t.Helper()
	res := c.call(session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true})
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(res, &r); err != nil {
		c.t.Fatal(err)
	}
	if r.Exception != nil {
		c.t.Fatalf("evaluating %s: %s", expr, r.Exception.Text)
	}
	if out != nil {
		if err := json.Unmarshal(r.Result.Value, out); err != nil {
			c.t.Fatalf("evaluating %s: %v (%s)", expr, err, r.Result.Value)
		}
	}
}

// click presses and releases the left mouse button on the centre of the element sel selects,
// scrolled into view, as a reader's click.
func (c *cdp) click(session, sel string) {
	c.t.Helper()
	var xy []float64
	c.eval(session, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.scrollIntoView({block: "center"});
		const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`, sel), &xy)
	for _, typ := range []string{"mousePressed", "mouseReleased"} {
		c.call(session, "Input.dispatchMouseEvent", map[string]any{"type": typ, "x": xy[0], "y": xy[1], "button": "left", "clickCount": 1})
	}
}

// TestHTMLInChromium opens the report in headless Chromium: every section is there, a click on
// a column head sorts the rows, typing into a filter box hides the rows without the text, and
// the page made no request but for itself.
func TestHTMLInChromium(t *testing.T) {
	chromium := testtool.Chromium(t)
	r := hostileReport()
	_, url := writeHTML(t, r)
	c := startCDP(t, chromium)
	s := c.open(url)

	var missing []string
	c.eval(s, `["summary", "quality", "findings", "waived", "appendix"].filter(id => !document.getElementById(id))`, &missing)
	if len(missing) > 0 {
		t.Errorf("sections missing: %v", missing)
	}
	var scripts int
	c.eval(s, `document.scripts.length`, &scripts)
	if scripts != 1 {
		t.Errorf("%d scripts in the DOM, want the page's one", scripts)
	}

	// The findings table of rule 2 (44 gateways): sort by the entity column, both ways.
	var id string
	c.eval(s, `(() => { const ts = document.querySelectorAll("#rule-2 table.data"); return ts[ts.length - 1].id; })()`, &id)
	table := "#" + id
	column := func() []string {
		var out []string
		c.eval(s, fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).filter(r => !r.hidden).map(r => r.cells[0].textContent)`, table+" tbody tr"), &out)
		return out
	}
	before := column()
	if len(before) != len(r.Rules[1].Findings) {
		t.Fatalf("rule 2 shows %d rows, want %d", len(before), len(r.Rules[1].Findings))
	}
	c.click(s, table+" th:first-child button")
	asc := column()
	c.click(s, table+" th:first-child button")
	desc := column()
	if !sortedStrings(asc, 1) || !sortedStrings(desc, -1) || len(asc) != len(before) || asc[0] == desc[0] {
		t.Errorf("clicking the Entity head does not sort: %q … then %q …", head(asc), head(desc))
	}
	var ariaSort string
	c.eval(s, fmt.Sprintf(`document.querySelector(%q).getAttribute("aria-sort")`, table+" th:first-child"), &ariaSort)
	if ariaSort != "descending" {
		t.Errorf("aria-sort %q after two clicks, want descending", ariaSort)
	}

	// Type into the table's filter box.
	want := r.Rules[1].Findings[len(r.Rules[1].Findings)-1].Entity // GW-VG044
	c.click(s, "#"+id+"-filter")
	c.call(s, "Input.insertText", map[string]any{"text": strings.ToLower(want)})
	shown := column()
	if len(shown) != 1 || shown[0] != want {
		t.Errorf("filtering for %q shows %q, want only it", want, shown)
	}
	var count string
	c.eval(s, fmt.Sprintf(`document.querySelector(%q).parentNode.querySelector(".count").textContent`, "#"+id+"-filter"), &count)
	if count != fmt.Sprintf("1 of %d rows", len(before)) {
		t.Errorf("filter count %q", count)
	}

	// No request but the page itself (and data: URLs); the page's own request proves the
	// listener hears them.
	self := false
	for _, e := range c.events {
		if e.Method != "Network.requestWillBeSent" {
			continue
		}
		var p struct {
			Request struct{ URL string } `json:"request"`
		}
		json.Unmarshal(e.Params, &p)
		self = self || p.Request.URL == url
		if p.Request.URL != url && !strings.HasPrefix(p.Request.URL, "data:") {
			t.Errorf("the page requested %s", p.Request.URL)
		}
	}
	if !self {
		t.Error("no Network.requestWillBeSent for the page itself: the network is not watched")
	}
	// And no script error or CSP violation.
	for _, e := range c.events {
		var p struct {
			Entry struct{ Level string } `json:"entry"`
		}
		json.Unmarshal(e.Params, &p)
		if e.Method == "Runtime.exceptionThrown" || (e.Method == "Log.entryAdded" && p.Entry.Level == "error") {
			t.Errorf("%s: %s", e.Method, e.Params)
		}
	}
	c.call("", "Browser.close", nil)
}

func head(s []string) []string {
	if len(s) > 3 {
		return s[:3]
	}
	return s
}

func sortedStrings(s []string, dir int) bool {
	for i := 1; i < len(s); i++ {
		a, b := strings.ToLower(s[i-1]), strings.ToLower(s[i])
		if (dir > 0 && a > b) || (dir < 0 && a < b) {
			return false
		}
	}
	return true
}

// TestHTMLWithoutScript: with script disabled the page still holds every row of every table, and
// a screenshot of the summary at 1280×800 is kept (copied to $CUCM_ARTIFACTS when set).
func TestHTMLWithoutScript(t *testing.T) {
	chromium := testtool.Chromium(t)
	r := demoReport()
	_, url := writeHTML(t, r)
	// Chromium's --dump-dom prints nothing with script disabled (it reads the DOM by script), so
	// the DOM is read through DevTools, which needs no page script.
	c := startCDP(t, chromium, "--blink-settings=scriptEnabled=false")
	s := c.open(url)
	var root struct {
		Root struct{ NodeID int } `json:"root"`
	}
	json.Unmarshal(c.call(s, "DOM.getDocument", map[string]any{"depth": 0}), &root)
	var outer struct{ OuterHTML string }
	json.Unmarshal(c.call(s, "DOM.getOuterHTML", map[string]any{"nodeId": root.Root.NodeID}), &outer)
	out := []byte(outer.OuterHTML)
	doc, err := html.Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, s := range r.Rules {
		want += len(s.Findings)
	}
	got := 0
	for _, art := range findAll(doc, "article") {
		tables := findAll(art, "table")
		got += len(findAll(tables[len(tables)-1], "tr")) - 1
	}
	if got != want {
		t.Errorf("without script the page shows %d finding rows, want %d", got, want)
	}
	if strings.Contains(string(out), `class="filter"`) {
		t.Error("the script ran although script was disabled")
	}
	for _, sec := range []string{`id="summary"`, `id="quality"`, `id="findings"`, `id="waived"`, `id="appendix"`} {
		if !strings.Contains(string(out), sec) {
			t.Errorf("without script the DOM lacks %s", sec)
		}
	}

	shot := filepath.Join(t.TempDir(), "html-summary-1280x800.png")
	args := append(chromiumFlags(t.TempDir()), "--hide-scrollbars", "--window-size=1280,800", "--screenshot="+shot, url)
	if b, err := exec.Command(chromium, args...).CombinedOutput(); err != nil {
		t.Fatalf("chromium --screenshot: %v\n%s", err, b)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 800 {
		t.Errorf("screenshot is %v, want 1280×800", b)
	}
	if dir := os.Getenv("CUCM_ARTIFACTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		f.Seek(0, io.SeekStart)
		dst, err := os.Create(filepath.Join(dir, filepath.Base(shot)))
		if err != nil {
			t.Fatal(err)
		}
		defer dst.Close()
		if _, err := io.Copy(dst, f); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot kept as %s", dst.Name())
	}
}
