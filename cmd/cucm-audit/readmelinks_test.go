package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	mdLink    = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	mdHeading = regexp.MustCompile("(?m)^#{1,6} (.+)$")
	fence     = regexp.MustCompile("(?s)```.*?```")
)

// slug is GitHub's anchor of a heading: lower case, punctuation dropped, spaces as '-'.
func slug(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// anchors are the heading anchors of a Markdown file (code blocks left out).
func anchors(text string) map[string]bool {
	a := map[string]bool{}
	for _, m := range mdHeading.FindAllStringSubmatch(fence.ReplaceAllString(text, ""), -1) {
		a[slug(m[1])] = true
	}
	return a
}

// TestDocLinks: every relative link of README.md and docs/*.md names a file of the repository,
// and a link to a heading (#anchor) names one that exists, so moving a section cannot leave a
// dangling link behind.
func TestDocLinks(t *testing.T) {
	root := filepath.Join("..", "..")
	files, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	files = append([]string{filepath.Join(root, "README.md")}, files...)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		for _, m := range mdLink.FindAllStringSubmatch(fence.ReplaceAllString(text, ""), -1) {
			link := m[1]
			if strings.Contains(link, "://") || strings.HasPrefix(link, "mailto:") {
				continue
			}
			path, anchor, _ := strings.Cut(link, "#")
			target, targetText := f, text
			if path != "" {
				target = filepath.Join(filepath.Dir(f), path)
				b, err := os.ReadFile(target)
				if st, serr := os.Stat(target); serr != nil || err != nil && !st.IsDir() {
					t.Errorf("%s: link %s: no such file", f, link)
					continue
				}
				targetText = string(b)
			}
			if anchor != "" && strings.HasSuffix(target, ".md") && !anchors(targetText)[anchor] {
				t.Errorf("%s: link %s: %s has no heading #%s", f, link, target, anchor)
			}
		}
	}
}
