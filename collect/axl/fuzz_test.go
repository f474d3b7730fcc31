package axl_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/collect/axl"
	"github.com/cucm-audit/cucm-audit/collect/soap"
	"github.com/google/go-cmp/cmp"
)

// canned answers every request with the same body: the AXL client's whole read path (SOAP
// envelope, fault, rows) runs on it without a network.
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

// queryResult is what one Query returns, as comparable values.
type queryResult struct {
	Rows    []axl.Row
	N       int
	Err     string
	Big     bool
	Suggest int
	Version string
	VErr    string
}

func query(t *testing.T, status int, data []byte) queryResult {
	return queryWith(t, status, data, soap.Options{})
}

// queryWith is query with the fast path off (opts.NoFast) or tighter XML bounds.
func queryWith(t *testing.T, status int, data []byte, opts soap.Options) queryResult {
	t.Helper()
	opts.User, opts.Password, opts.VerifyTLS, opts.Transport = "u", "p", true, canned{status, data}
	sc, err := soap.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	c := axl.New(sc, axl.Options{URL: "http://cucm.invalid/axl/"})
	var res queryResult
	res.N, err = c.Query(context.Background(), "SELECT 1", func(r axl.Row) error {
		res.Rows = append(res.Rows, r)
		return nil
	})
	if err != nil {
		res.Err = err.Error()
		res.Big, res.Suggest = axl.TooLarge(err)
	}
	v, err := c.CCMVersion(context.Background())
	res.Version = v
	if err != nil {
		res.VErr = err.Error()
	}
	return res
}

// FuzzQuery feeds arbitrary bytes, as a 200 and as a 500 answer, to the AXL client's
// executeSQLQuery and getCCMVersion read paths (SOAP envelope, fault, rows, "too large"
// detection): no panic, no hang, the same result every time, and consistent figures. It is
// also the differential test of the fast path: the same rows, or the same error, as the
// encoding/xml decoder alone, at the default XML bounds and at tight ones.
// Seeds: testdata/fuzz/FuzzQuery (row sets, empty sets, the devguide's faults, broken variants).
func FuzzQuery(f *testing.F) {
	f.Add([]byte(`<Envelope><Body><executeSQLQueryResponse xmlns="http://www.cisco.com/AXL/API/15.0"><return><row><a>1</a></row></return></executeSQLQueryResponse></Body></Envelope>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, status := range []int{200, 500} {
			a, b := query(t, status, data), query(t, status, data)
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("status %d: unstable result (-first +second):\n%s", status, cmp.Diff(a, b))
			}
			for _, opts := range []soap.Options{{}, {MaxDepth: 6, MaxTokens: 60, MaxTokenBytes: 80}} {
				fast := queryWith(t, status, data, opts)
				opts.NoFast = true
				if slow := queryWith(t, status, data, opts); !reflect.DeepEqual(fast, slow) {
					t.Fatalf("status %d, bounds %d/%d/%d: the fast path differs (-encoding/xml +fast):\n%s",
						status, opts.MaxDepth, opts.MaxTokens, opts.MaxTokenBytes, cmp.Diff(slow, fast))
				}
			}
			if a.Err == "" && a.N != len(a.Rows) {
				t.Fatalf("Query returned n=%d for %d rows", a.N, len(a.Rows))
			}
			for _, r := range a.Rows {
				for k := range r {
					if k != strings.ToLower(k) {
						t.Fatalf("column %q not lower case", k)
					}
				}
			}
			if a.Suggest < 0 {
				t.Fatalf("negative suggested row fetch %d", a.Suggest)
			}
			if a.VErr == "" && a.Version == "" {
				t.Fatal("CCMVersion returned no version and no error")
			}
		}
	})
}

// TestQuerySeeds pins the valid seeds: a fuzz seed that stops decoding shows in normal runs.
func TestQuerySeeds(t *testing.T) {
	tests := []struct {
		file    string
		status  int
		rows    int
		big     bool
		suggest int
	}{
		{"testdata/fuzz/FuzzQuery/seed-axl_sql.xml", 200, 3, false, 0},
		{"testdata/fuzz/FuzzQuery/seed-axl_sql_norows.xml", 200, 0, false, 0},
		{"testdata/fuzz/FuzzQuery/seed-fault-query-request-too-large_axl-devguide.xml", 500, 0, true, 844},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			data := corpusEntry(t, tc.file)
			r := query(t, tc.status, data)
			if len(r.Rows) != tc.rows || r.Big != tc.big || r.Suggest != tc.suggest {
				t.Errorf("rows=%d big=%v suggest=%d err=%q, want %d %v %d", len(r.Rows), r.Big, r.Suggest, r.Err, tc.rows, tc.big, tc.suggest)
			}
		})
	}
}

// corpusEntry reads the single []byte value of a go-fuzz v1 corpus file.
func corpusEntry(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	_, lit, ok := strings.Cut(string(b), "\n[]byte(")
	if !ok {
		t.Fatalf("%s: not a go test fuzz v1 file", file)
	}
	lit = strings.TrimSuffix(strings.TrimSpace(lit), ")")
	s, err := strconv.Unquote(lit)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return []byte(s)
}
