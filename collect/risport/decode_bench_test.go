package risport

import (
	"bytes"
	"encoding/xml"
	"os"
	"strings"
	"testing"
)

// answer1000 is the §2.3 sample answer with its registered phone repeated 1000 times: the size
// of one full RisPort answer.
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

func decodeBody(tb testing.TB, body []byte) *Answer {
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := d.Token()
		if err != nil {
			tb.Fatal(err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "selectCmDeviceResponse" {
			a, err := Decode(d, se)
			if err != nil {
				tb.Fatal(err)
			}
			return a
		}
	}
}

// BenchmarkDecode1000 decodes one full answer (1000 device entries); the collector decodes one
// per RisPort request, so this bounds how fast it can follow the rate limit.
//
//	go test ./collect/risport -run '^$' -bench Decode1000
func BenchmarkDecode1000(b *testing.B) {
	body := answer1000(b)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if a := decodeBody(b, body); a.Entries() != 1000 {
			b.Fatalf("%d entries", a.Entries())
		}
	}
}
