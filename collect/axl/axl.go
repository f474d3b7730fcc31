// Package axl is a read-only client for CUCM's AXL SOAP API: getCCMVersion and executeSQLQuery,
// paged with Informix SKIP/FIRST so that no query trips CUCM's response cap, shrinking the page
// when CUCM still answers "Query request too large", with one request in flight at a time.
package axl

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/cucm-audit/cucm-audit/collect/soap"
)

// DefaultVersion is the AXL schema version requested.
const DefaultVersion = "15.0"

// DefaultPageSize is the number of rows asked per executeSQLQuery page.
const DefaultPageSize = 2000

// Client talks to the AXL service of one publisher.
type Client struct {
	soap     *soap.Client
	url      string
	version  string
	pageSize int
	mu       sync.Mutex // one in-flight AXL request at a time (Cisco's guidance)
	seq      int
}

// Options configures a Client.
type Options struct {
	URL      string // https://host:8443/axl/
	Version  string // schema version, DefaultVersion when empty
	PageSize int    // rows per page, DefaultPageSize when zero
}

// New builds an AXL client over a SOAP transport.
func New(sc *soap.Client, opts Options) *Client {
	if opts.Version == "" {
		opts.Version = DefaultVersion
	}
	if opts.PageSize <= 0 {
		opts.PageSize = DefaultPageSize
	}
	return &Client{soap: sc, url: opts.URL, version: opts.Version, pageSize: opts.PageSize}
}

// IsThrottle reports whether an AXL fault is a transient throttle worth retrying with backoff:
// "Maximum AXL Memory Allocation Consumed". "Query request too large" is not: the pager shrinks
// the page instead.
func IsThrottle(f *soap.Fault) bool {
	s := strings.ToLower(f.String + " " + f.AXLMessage)
	return strings.Contains(s, "maximum axl memory allocation consumed")
}

var suggestRe = regexp.MustCompile(`(?i)suggest\w*\s+row\s+fetch:\s*less than\s*(\d+)`)

// TooLarge reports whether err is the "Query request too large" fault and the row count CUCM
// suggests (0 when it gave none).
func TooLarge(err error) (bool, int) {
	var f *soap.Fault
	if !errors.As(err, &f) {
		return false, 0
	}
	s := f.String + " " + f.AXLMessage
	if !strings.Contains(strings.ToLower(s), "query request too large") {
		return false, 0
	}
	if m := suggestRe.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		return true, n
	}
	return true, 0
}

func (c *Client) call(ctx context.Context, op, inner string, decode soap.DecodeFunc) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	body := `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns="http://www.cisco.com/AXL/API/` +
		c.version + `"><soapenv:Header/><soapenv:Body><ns:` + op + ` sequence="` + strconv.Itoa(c.seq) + `">` + inner +
		`</ns:` + op + `></soapenv:Body></soapenv:Envelope>`
	return c.soap.Call(ctx, soap.Request{URL: c.url, SOAPAction: "CUCM:DB ver=" + c.version + " " + op, Body: []byte(body)}, decode)
}

// CCMVersion returns the cluster's version, e.g. "15.0.1.12900(234)".
func (c *Client) CCMVersion(ctx context.Context) (string, error) {
	var version string
	err := c.call(ctx, "getCCMVersion", "<processNodeName></processNodeName>", func(d *xml.Decoder, start xml.StartElement) error {
		version = ""
		depth := 0
		for {
			tok, err := d.Token()
			if err != nil {
				return err
			}
			switch t := tok.(type) {
			case xml.StartElement:
				if t.Name.Local == "version" {
					s, err := soap.Text(d)
					if err != nil {
						return err
					}
					version = strings.TrimSpace(s)
					continue
				}
				depth++
			case xml.EndElement:
				if depth == 0 {
					return nil
				}
				depth--
			}
		}
	})
	if err != nil {
		return "", fmt.Errorf("getCCMVersion: %w", err)
	}
	if version == "" {
		return "", fmt.Errorf("getCCMVersion: %w", &soap.PayloadError{Host: c.url, Msg: "no version in the answer"})
	}
	return version, nil
}

// Row is one executeSQLQuery row: column (lower case) → text. NULL reads as "".
type Row map[string]string

// Query runs one SQL statement and calls fn for each row (no paging). Use Paged for tables
// that may be large.
func (c *Client) Query(ctx context.Context, sql string, fn func(Row) error) (int, error) {
	var rows []Row
	err := c.call(ctx, "executeSQLQuery", "<sql>"+soap.Escape(sql)+"</sql>", func(d *xml.Decoder, start xml.StartElement) error {
		rows = rows[:0]
		return readRows(d, func(r Row) { rows = append(rows, r) })
	})
	if err != nil {
		return 0, err
	}
	for _, r := range rows {
		if err := fn(r); err != nil {
			return 0, err
		}
	}
	return len(rows), nil
}

// readRows reads <return><row><col>v</col>...</row>...</return> by local names.
func readRows(d *xml.Decoder, fn func(Row)) error {
	depth := 0
	var row Row
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 2 && t.Name.Local == "row":
				row = Row{}
			case depth == 3 && row != nil:
				s, err := soap.Text(d)
				if err != nil {
					return err
				}
				row[strings.ToLower(t.Name.Local)] = s
				depth--
			}
		case xml.EndElement:
			if depth == 0 {
				return nil
			}
			if depth == 2 && row != nil {
				fn(row)
				row = nil
			}
			depth--
		}
	}
}

// Paged runs "SELECT SKIP n FIRST m <selectRest>" page after page until a short page, calling fn
// for each row. selectRest is everything after SELECT and must end with an ORDER BY on a unique
// key so that pages are stable. When CUCM answers "Query request too large" the page shrinks
// (to 70 % of its suggestion, or half) and the same offset is asked again.
func (c *Client) Paged(ctx context.Context, selectRest string, fn func(Row) error) (int, error) {
	page := c.pageSize
	skip := 0
	for {
		q := fmt.Sprintf("SELECT SKIP %d FIRST %d %s", skip, page, selectRest)
		n, err := c.Query(ctx, q, fn)
		if big, suggested := TooLarge(err); big {
			next := page / 2
			if suggested > 0 {
				next = min(page-1, suggested*7/10)
			}
			if page <= 1 || next < 1 {
				return skip, fmt.Errorf("CUCM refuses even one row as too large: %w", err)
			}
			page = next
			continue
		}
		if err != nil {
			return skip, err
		}
		skip += n
		if n < page {
			return skip, nil
		}
	}
}
