package render

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// hostileValues are planted in every kind of value the HTML report shows: markup, attribute
// breakers of both quotes, script URLs, and the end tags of the page's raw-text elements.
var hostileValues = []string{
	`<script>alert("entity")</script>`,
	`" onmouseover="alert(1)" x="`,
	`' onfocus='alert(2)' autofocus x='`,
	`javascript:alert(3)`,
	`</style><script>alert(4)</script><style>`,
	`</title><img src=x onerror=alert(5)>`,
	`<svg onload=alert(6)><a href="javascript:alert(7)">x</a></svg>`,
	`</textarea></script><iframe src="https://evil.example/"></iframe>`,
}

// hostileReport is the demo report with hostile values in the cluster name, a rule's texts and
// references, entities, evidence, groups, a registration class (drawn in the SVG chart), a
// node, a waiver and a model.
func hostileReport() *results.Report {
	r := demoReport()
	h := func(i int) string { return hostileValues[i%len(hostileValues)] }
	r.Snapshot.ClusterID = h(0)
	r.Snapshot.CUCMVersion = h(1)
	for i := range r.Rules {
		s := &r.Rules[i]
		s.Rule.Title = h(i) + " title"
		s.Rule.Description = h(i+1) + "\n\n" + h(i+2)
		s.Rule.Remediation = h(i + 3)
		s.Rule.References = []string{h(3), h(i + 4)}
		for j := range s.Findings {
			if j < len(hostileValues) {
				s.Findings[j].Entity = h(j)
				s.Findings[j].Message = h(j + 1)
				if len(s.Findings[j].Evidence) > 0 {
					s.Findings[j].Evidence[0].Value = h(j + 2)
				}
			}
		}
		for j := range s.Groups {
			if len(s.Groups[j].Fields) > 0 {
				s.Groups[j].Fields[0].Value = h(j + 5)
			}
		}
	}
	for i := range r.Summary.Registration {
		r.Summary.Registration[i].Class = h(i + 4)
	}
	for i := range r.DataQuality.Nodes {
		r.DataQuality.Nodes[i].Name = h(i + 6)
	}
	for i := range r.Waived {
		if r.Waived[i].Waiver != nil {
			r.Waived[i].Waiver.Statement = h(i + 7)
		}
	}
	for i := range r.Appendix.ModelCounts {
		r.Appendix.ModelCounts[i].Model = h(i)
	}
	for i := range r.Summary.Narrative {
		r.Summary.Narrative[i] += " " + h(i+2)
	}
	return r
}

// hostileChangeReport is the change-window fixture with hostile device names and locations.
func hostileChangeReport() *results.Report {
	r := changeWindowReport()
	for i := range r.Diff.Changed {
		c := &r.Diff.Changed[i]
		c.Name = hostileValues[i%len(hostileValues)]
		c.Where = &results.Where{DevicePool: hostileValues[(i+1)%len(hostileValues)], Description: hostileValues[(i+2)%len(hostileValues)],
			Node: hostileValues[(i+3)%len(hostileValues)], IP: hostileValues[(i+4)%len(hostileValues)]}
	}
	r.Diff.Registration[0].Class = hostileValues[5]
	return r
}

func renderHTML(t *testing.T, r *results.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := (&HTML{}).Render(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// htmlElements are the only elements the report's template writes.
var htmlElements = map[string]bool{
	"html": true, "head": true, "meta": true, "title": true, "style": true, "body": true, "header": true, "main": true,
	"footer": true, "section": true, "article": true, "nav": true, "ul": true, "li": true, "a": true, "h1": true, "h2": true,
	"h3": true, "h4": true, "p": true, "strong": true, "span": true, "div": true, "table": true, "thead": true,
	"tbody": true, "tr": true, "th": true, "td": true, "figure": true, "figcaption": true, "svg": true, "rect": true,
	"text": true, "script": true,
}

// htmlAnchor is the only URL the report writes: a link to a section of the page itself.
var htmlAnchor = regexp.MustCompile(`^#[a-z]+(-[0-9]+)?$`)

// checkDOM parses a report as a browser does and fails on any element, attribute or URL the
// template did not write: an injected element, an event handler, a link anywhere but the page.
func checkDOM(t *testing.T, page []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	scripts, styles := 0, 0
	var walk func(n *html.Node, inSVG bool)
	walk = func(n *html.Node, inSVG bool) {
		if n.Type == html.ElementNode {
			name := n.Data
			if !htmlElements[name] && !(inSVG && name == "title") {
				t.Errorf("injected element <%s>", name)
			}
			for _, a := range n.Attr {
				k := strings.ToLower(a.Key)
				switch {
				case strings.HasPrefix(k, "on"):
					t.Errorf("<%s> has an event handler %s=%q", name, a.Key, a.Val)
				case k == "href":
					if !htmlAnchor.MatchString(a.Val) {
						t.Errorf("<%s> links to %q", name, a.Val)
					}
				case k == "src", k == "srcdoc", k == "action", k == "formaction", k == "xlink:href", k == "data", k == "autofocus":
					t.Errorf("<%s> has %s=%q", name, a.Key, a.Val)
				case k == "xmlns":
					if a.Val != "http://www.w3.org/2000/svg" {
						t.Errorf("<%s> has xmlns %q", name, a.Val)
					}
				}
				if strings.Contains(strings.ToLower(a.Val), "javascript:") {
					t.Errorf("<%s %s=%q> holds a script URL", name, a.Key, a.Val)
				}
			}
			switch name {
			case "script":
				scripts++
				if n.FirstChild == nil || n.FirstChild.Data != htmlJS {
					t.Error("a script other than the report's own")
				}
			case "style":
				styles++
				if n.FirstChild == nil || n.FirstChild.Data != htmlCSS {
					t.Error("a style other than the report's own")
				}
			}
			inSVG = inSVG || name == "svg"
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inSVG)
		}
	}
	walk(doc, false)
	if scripts != 1 || styles != 1 {
		t.Errorf("%d scripts and %d styles, want the page's one of each", scripts, styles)
	}
	return doc
}

// domText is the text content of n.
func domText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode && (n.Parent == nil || (n.Parent.Data != "script" && n.Parent.Data != "style")) {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// TestHTMLHostileValues: hostile values from the cluster never become markup, attributes or
// URLs; they are shown as the text they are.
func TestHTMLHostileValues(t *testing.T) {
	for name, r := range map[string]*results.Report{"audit": hostileReport(), "change window": hostileChangeReport()} {
		t.Run(name, func(t *testing.T) {
			page := renderHTML(t, r)
			doc := checkDOM(t, page)
			text := domText(doc)
			for _, v := range hostileValues[:4] {
				if !strings.Contains(text, v) {
					t.Errorf("the page does not show %q as text", v)
				}
			}
			if !bytes.Contains(page, []byte(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;`)) {
				t.Error("the page has no Content-Security-Policy forbidding every load")
			}
		})
	}
}

// TestHTMLSections: every section of the audit report is there, every finding of every rule is a
// row, and the change window's verdict comes first.
func TestHTMLSections(t *testing.T) {
	r := demoReport()
	doc := checkDOM(t, renderHTML(t, r))
	ids := map[string]*html.Node{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for _, a := range n.Attr {
			if a.Key == "id" {
				ids[a.Val] = n
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, id := range []string{"summary", "quality", "findings", "waived", "appendix"} {
		if ids[id] == nil {
			t.Errorf("no section #%s", id)
		}
	}
	for i, s := range r.Rules {
		art := ids["rule-"+strconv.Itoa(i+1)]
		if art == nil {
			t.Fatalf("no article for rule %s", s.Rule.ID)
		}
		tables := findAll(art, "table")
		rows := len(findAll(tables[len(tables)-1], "tr")) - 1
		if rows != len(s.Findings) {
			t.Errorf("rule %s: %d rows, want every finding (%d)", s.Rule.ID, rows, len(s.Findings))
		}
	}
	sum := domText(ids["summary"])
	for _, want := range []string{r.Summary.Narrative[0], "Registration by device class", "Open findings by severity", "Top risks"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	if len(findAll(ids["summary"], "svg")) < 2 {
		t.Error("summary has fewer than two charts")
	}

	cw := checkDOM(t, renderHTML(t, changeWindowReport()))
	main := findAll(cw, "main")[0]
	first := main.FirstChild
	for first != nil && first.Type != html.ElementNode {
		first = first.NextSibling
	}
	if first == nil || !strings.HasPrefix(domText(first), "Verdict: 1 device broke, 1 recovered.") {
		t.Errorf("the change window does not start with its verdict")
	}
}

func findAll(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}
