package soap

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// scanEvents walks a whole document with the Scanner: one line per start (namespace and local
// name), per piece of character data (decoded) and per end, up to the root element's end.
func scanEvents(data []byte, maxDepth, maxTokens int, maxTokenBytes int64) ([]string, bool) {
	s := newScanner(data, maxDepth, maxTokens, maxTokenBytes)
	if !s.prolog() {
		return nil, false
	}
	var ev []string
	for depth := 1; depth > 0; {
		if depth == 1 && len(ev) == 0 {
			// the root, started by prolog
		} else {
			kind, t := s.next()
			switch kind {
			case kText, kCDATA:
				b, ok := s.text(nil, kind, t)
				if !ok {
					return nil, false
				}
				ev = append(ev, fmt.Sprintf("T %q", b))
				continue
			case kComment:
				continue
			case kEnd:
				depth--
				ev = append(ev, "E")
				continue
			case kStart:
				depth++
			default:
				return nil, false
			}
		}
		space, ok := s.Space()
		if !ok {
			return nil, false
		}
		ev = append(ev, fmt.Sprintf("S %s|%s", space, s.Local()))
	}
	return ev, true
}

// xmlEvents is scanEvents with encoding/xml under the client's bounds.
func xmlEvents(data []byte, maxDepth, maxTokens int, maxTokenBytes int64) ([]string, error) {
	d := newBoundedDecoder(bufio.NewReader(bytes.NewReader(data)), "h", maxDepth, maxTokens, maxTokenBytes)
	var ev []string
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			ev = append(ev, fmt.Sprintf("S %s|%s", t.Name.Space, t.Name.Local))
		case xml.EndElement:
			depth--
			ev = append(ev, "E")
			if depth == 0 {
				return ev, nil
			}
		case xml.CharData:
			if depth > 0 {
				ev = append(ev, fmt.Sprintf("T %q", []byte(t)))
			}
		}
	}
}

// FuzzScanner: whatever the Scanner accepts, encoding/xml (under the same bounds) accepts too
// and reads to the same elements, namespaces and character data. Seeds: every answer in the
// testdata of the collect packages, plus the cases below.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{
		`<a xmlns="u" xmlns:p='v'><p:b x="1" y = '&lt;&#65;&#x42;'>t&amp;&quot;&apos;&gt;<![CDATA[<x>&amp;]]>&#xD800;</p:b><c/></a>`,
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone='yes'?>\n<!-- c -->\r\n<a>x\r\ny\rz</a>",
		`<a><b>]]></b></a>`, `<a>&#0;</a>`, `<a>&#x110000;</a>`, `<a>&#X41;</a>`, `<a>&nbsp;</a>`, "<a>\x01</a>",
		"<a>\xff</a>", `<a:b:c/>`, `<a x="<"/>`, `<a x=1/>`, `<a><!-- -- --></a>`, `<a></b>`, `<p:a/>`,
		`<a xmlns:p="u"><p:b/></a><p:c/>`, `<a>é€😀</a>`, `<é/>`,
	} {
		f.Add([]byte(s))
	}
	for _, glob := range []string{"testdata/*.xml", "../../testdata/vendor/*.xml", "../../testdata/wire/*.xml"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, b := range []struct {
			depth, tokens int
			size          int64
		}{{64, 4_000_000, 1 << 20}, {4, 40, 64}} {
			got, ok := scanEvents(data, b.depth, b.tokens, b.size)
			if !ok {
				continue
			}
			want, err := xmlEvents(data, b.depth, b.tokens, b.size)
			if err != nil {
				t.Fatalf("bounds %v: the Scanner accepts what encoding/xml rejects (%v)", b, err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("bounds %v: the Scanner reads differently (-encoding/xml +Scanner):\n%s", b, diff)
			}
		}
	})
}

// TestScannerSamples: the vendor samples and simulator answers are read by the Scanner (not
// left to encoding/xml) and read the same.
func TestScannerSamples(t *testing.T) {
	var files []string
	for _, glob := range []string{"../../testdata/vendor/*.xml", "../../testdata/wire/axl_sql*.xml", "../../testdata/wire/ris_*.xml"} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	if len(files) < 8 {
		t.Fatalf("only %d samples", len(files))
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := scanEvents(data, DefaultMaxDepth, DefaultMaxTokens, DefaultMaxTokenBytes)
		want, err := xmlEvents(data, DefaultMaxDepth, DefaultMaxTokens, DefaultMaxTokenBytes)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			t.Errorf("%s: the Scanner declines it", file)
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-encoding/xml +Scanner):\n%s", file, diff)
		}
		if strings.Contains(file, "fault") {
			continue
		}
	}
}
