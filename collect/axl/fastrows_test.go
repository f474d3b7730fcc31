package axl_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/collect/axl"
	"github.com/cucm-audit/cucm-audit/collect/soap"
	"github.com/google/go-cmp/cmp"
)

// widePage is an executeSQLQuery answer of rows × 61 columns shaped like a numplan page of the
// collection manifest: keys, foreign keys, short numbers, flags, masks and many empty columns.
func widePage(rows int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version='1.0' encoding='utf-8'?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><ns:executeSQLQueryResponse sequence="7" xmlns:ns="http://www.cisco.com/AXL/API/15.0"><return>`)
	for r := range rows {
		b.WriteString("<row>")
		for c := range 61 {
			name := fmt.Sprintf("column%02d", c)
			switch {
			case c == 0 || c%10 == 1:
				fmt.Fprintf(&b, "<%s>%08x-a749-b5ef-e27a-%012x</%s>", name, r*61+c, r, name)
			case c%3 == 0:
				fmt.Fprintf(&b, "<%s/>", name)
			case c%3 == 1:
				fmt.Fprintf(&b, "<%s>%d</%s>", name, (r*c)%1000, name)
			case c%5 == 2:
				fmt.Fprintf(&b, "<%s>+1 408 555 %04d &amp; Zürich</%s>", name, r, name)
			default:
				fmt.Fprintf(&b, "<%s>f</%s>", name, name)
			}
		}
		b.WriteString("</row>")
	}
	b.WriteString(`</return></ns:executeSQLQueryResponse></soapenv:Body></soapenv:Envelope>`)
	return []byte(b.String())
}

// TestFastRowsSamples: the simulator's row answers and a wide page are read by the fast path
// to the rows encoding/xml reads.
func TestFastRowsSamples(t *testing.T) {
	for name, data := range map[string][]byte{
		"axl_sql":        corpusEntry(t, "testdata/fuzz/FuzzQuery/seed-axl_sql.xml"),
		"axl_sql_norows": corpusEntry(t, "testdata/fuzz/FuzzQuery/seed-axl_sql_norows.xml"),
		"wide page":      widePage(50),
	} {
		t.Run(name, func(t *testing.T) {
			fast, n := queryCounting(t, data, false)
			slow, _ := queryCounting(t, data, true)
			if n != 1 {
				t.Errorf("not read by the fast path")
			}
			if diff := cmp.Diff(slow, fast); diff != "" {
				t.Errorf("(-encoding/xml +fast):\n%s", diff)
			}
		})
	}
}

func queryCounting(tb testing.TB, data []byte, noFast bool) ([]axl.Row, int64) {
	sc, err := soap.New(soap.Options{User: "u", Password: "p", VerifyTLS: true, Transport: canned{200, data}, NoFast: noFast})
	if err != nil {
		tb.Fatal(err)
	}
	var rows []axl.Row
	if _, err := axl.New(sc, axl.Options{URL: "http://cucm.invalid/axl/"}).Query(context.Background(), "SELECT 1", func(r axl.Row) error {
		rows = append(rows, r)
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	return rows, sc.Stats().Fast
}

// BenchmarkQueryPage reads one full page of the widest mirrored table (2000 rows × 61
// columns, 5 MB) through the whole client, with the fast path and with encoding/xml alone:
//
//	go test ./collect/axl -run '^$' -bench QueryPage -count 5
func BenchmarkQueryPage(b *testing.B) {
	body := widePage(2000)
	for _, mode := range []struct {
		name   string
		noFast bool
	}{{"encoding-xml", true}, {"fast", false}} {
		b.Run(mode.name, func(b *testing.B) {
			sc, err := soap.New(soap.Options{User: "u", Password: "p", VerifyTLS: true, Transport: canned{200, body}, NoFast: mode.noFast})
			if err != nil {
				b.Fatal(err)
			}
			c := axl.New(sc, axl.Options{URL: "http://cucm.invalid/axl/"})
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				n, err := c.Query(context.Background(), "SELECT 1", func(axl.Row) error { return nil })
				if err != nil || n != 2000 {
					b.Fatal(n, err)
				}
			}
		})
	}
}

// pages answers each request with the next of its bodies.
type pages struct{ bodies [][]byte }

func (p *pages) RoundTrip(r *http.Request) (*http.Response, error) {
	body := p.bodies[0]
	p.bodies = p.bodies[1:]
	return canned{200, body}.RoundTrip(r)
}

// TestPagedReuse: a keyset read with Query.Reuse gives the rows a read without it gives, and
// hands a page's maps to the next page's rows (no map per row for the mirrored tables).
func TestPagedReuse(t *testing.T) {
	page := func(keys ...string) []byte {
		var b strings.Builder
		b.WriteString(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><ns:executeSQLQueryResponse xmlns:ns="http://www.cisco.com/AXL/API/15.0"><return>`)
		for _, k := range keys {
			fmt.Fprintf(&b, "<row><pkid>%s</pkid><dnorpattern>%s00</dnorpattern><extra>x</extra></row>", k, k)
		}
		b.WriteString(`</return></ns:executeSQLQueryResponse></soapenv:Body></soapenv:Envelope>`)
		return []byte(b.String())
	}
	read := func(reuse bool) (got []string, maps map[string]int) {
		// The last page's rows lack a column: a reused map must not keep the last row's value.
		last := bytes.ReplaceAll(page("e"), []byte("<extra>x</extra>"), nil)
		sc, err := soap.New(soap.Options{User: "u", Password: "p", VerifyTLS: true, Transport: &pages{[][]byte{page("a", "b"), page("c", "d"), last}}})
		if err != nil {
			t.Fatal(err)
		}
		c := axl.New(sc, axl.Options{URL: "http://cucm.invalid/axl/", PageSize: 2})
		maps = map[string]int{}
		var keep []axl.Row // so that a freed map's address is not handed to a new one
		q := axl.Query{Columns: "x.pkid, x.dnorpattern, x.extra", From: "numplan x", Key: "x.pkid", KeyName: "pkid", Reuse: reuse}
		if _, err := c.Paged(context.Background(), q, func(r axl.Row) error {
			extra, ok := r["extra"]
			got = append(got, fmt.Sprintf("%s=%s extra=%q %v", r["pkid"], r["dnorpattern"], extra, ok))
			maps[fmt.Sprintf("%p", r)]++
			keep = append(keep, r)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		runtime.KeepAlive(keep)
		return got, maps
	}
	want, fresh := read(false)
	got, reused := read(true)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows with Reuse (-without +with):\n%s", diff)
	}
	if len(fresh) != 5 || len(reused) != 2 {
		t.Errorf("maps for 5 rows over pages of 2: %d without Reuse, %d with it; want 5 and 2", len(fresh), len(reused))
	}
}
