package risport_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"reflect"
	"testing"

	"github.com/cucm-audit/cucm-audit/collect/risport"
	"github.com/google/go-cmp/cmp"
)

// decodeBody walks a SOAP envelope to the first element inside its Body and decodes it with
// risport.Decode, the way the transport hands it over. It returns (nil, nil) when the Body holds
// no element.
func decodeBody(data []byte) (*risport.Answer, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	inBody := false
	for {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, nil
			}
			return nil, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			if !inBody {
				inBody = se.Name.Local == "Body"
				continue
			}
			return risport.Decode(d, se)
		}
	}
}

// FuzzDecode feeds arbitrary bytes to the RisPort answer decoder: it must never panic, never
// loop, and decode the same bytes to the same answer every time. Whatever it accepts must be
// self-consistent: every device carries the name of the node that listed it and a status.
// Seeds: testdata/fuzz/FuzzDecode (both answer shapes, NotFound/nil nodes, node states, a
// RateControl fault, broken variants), each a few kB at most: the fuzzer minimises every new
// input, and large seeds would spend the fuzzing time there.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`<Envelope><Body><selectCmDeviceResponse xmlns="http://schemas.cisco.com/ast/soap"><SelectCmDeviceResult><TotalDevicesFound>0</TotalDevicesFound><CmNodes/></SelectCmDeviceResult></selectCmDeviceResponse></Body></Envelope>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a1, err1 := decodeBody(data)
		a2, err2 := decodeBody(data)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("unstable error: %v then %v", err1, err2)
		}
		if !reflect.DeepEqual(a1, a2) {
			t.Fatalf("unstable answer (-first +second):\n%s", cmp.Diff(a1, a2))
		}
		if err1 != nil || a1 == nil {
			return
		}
		n := 0
		for _, node := range a1.Nodes {
			for _, dev := range node.Devices {
				n++
				if dev.Node != node.Name {
					t.Fatalf("device %q of node %q carries node %q", dev.Name, node.Name, dev.Node)
				}
				if dev.Status == "" {
					t.Fatalf("device %q has no status", dev.Name)
				}
			}
		}
		if n != a1.Entries() {
			t.Fatalf("Entries() = %d, counted %d", a1.Entries(), n)
		}
	})
}

// TestDecodeSeeds pins the decoder on the valid seeds of the corpus: the same answer as the
// fixtures' own tests, so a fuzz seed that stops decoding is noticed in normal test runs.
func TestDecodeSeeds(t *testing.T) {
	tests := []struct {
		file            string
		nodes, total, n int
	}{
		{"../../testdata/vendor/selectCmDevice-risport70_cucm-api-2.3.xml", 2, 2, 1},
		{"../../testdata/vendor/selectCmDevice-legacy-shape_cucm-api-2.3.xml", 1, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			a, err := decodeBody(data)
			if err != nil || a == nil {
				t.Fatalf("decode: %v (%v)", err, a)
			}
			if len(a.Nodes) != tc.nodes || a.TotalDevicesFound != tc.total || a.Entries() != tc.n {
				t.Errorf("nodes=%d total=%d entries=%d, want %d %d %d", len(a.Nodes), a.TotalDevicesFound, a.Entries(), tc.nodes, tc.total, tc.n)
			}
		})
	}
}
