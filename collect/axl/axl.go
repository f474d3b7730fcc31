// Package axl is a read-only client for CUCM's AXL SOAP API: getCCMVersion and executeSQLQuery,
// paged by key (SELECT FIRST n ... WHERE key > last ORDER BY key) so that no query trips CUCM's
// response cap and no row is lost or read twice when the configuration changes between pages,
// shrinking the page when CUCM still answers "Query request too large", with one request in
// flight at a time.
//
// The client asks for AXL schema DefaultVersion. A cluster that does not support it (CUCM 12.5
// and 14 do not know 15.0) answers HTTP 599 with the versions it supports; the client then
// switches once to the newest of those it knows and keeps it for the rest of its life.
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

// DefaultVersion is the AXL schema version requested first.
const DefaultVersion = "15.0"

// KnownVersions returns the AXL schema versions this client speaks, oldest first. The requests
// it sends (getCCMVersion, executeSQLQuery) are the same in all of them.
func KnownVersions() []string { return []string{"11.5", "12.0", "12.5", "14.0", "15.0"} }

// Namespace is the AXL namespace; an answer's is Namespace + "/" + the schema version.
const Namespace = "http://www.cisco.com/AXL/API"

// DefaultPageSize is the number of rows asked per executeSQLQuery page.
const DefaultPageSize = 2000

// Client talks to the AXL service of one publisher.
type Client struct {
	soap     *soap.Client
	url      string
	pageSize int
	mu       sync.Mutex // one in-flight AXL request at a time (Cisco's guidance); guards what follows
	version  string     // schema version requested
	pinned   bool       // version given in Options: never switched
	switched bool       // version already switched after a 599 refusal
	seq      int
}

// Options configures a Client.
type Options struct {
	URL string // https://host:8443/axl/
	// Version pins the schema version (e.g. "14.0"). When empty the client starts with
	// DefaultVersion and switches to a version the cluster supports if it refuses it.
	Version  string
	PageSize int // rows per page, DefaultPageSize when zero
}

// New builds an AXL client over a SOAP transport.
func New(sc *soap.Client, opts Options) *Client {
	c := &Client{soap: sc, url: opts.URL, version: opts.Version, pinned: opts.Version != "", pageSize: opts.PageSize}
	if c.version == "" {
		c.version = DefaultVersion
	}
	if c.pageSize <= 0 {
		c.pageSize = DefaultPageSize
	}
	return c
}

// Version returns the AXL schema version in use: the one requested first, or the one the client
// switched to after the cluster refused it.
func (c *Client) Version() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.version
}

// VersionError is the cluster refusing the requested schema version (HTTP 599) when no version
// it supports is one this client speaks, or when the version was pinned.
type VersionError struct {
	Host      string
	Requested string
	Supported []string // as the cluster listed them, normalised to major.minor
	Pinned    bool
	Err       error // the *soap.HTTPError
}

func (e *VersionError) Error() string {
	if e.Pinned {
		return fmt.Sprintf("%s does not support AXL schema %s (HTTP 599); it supports %s: request one of those",
			e.Host, e.Requested, strings.Join(e.Supported, ", "))
	}
	return fmt.Sprintf("%s supports AXL schema versions %s (HTTP 599 to %s), none of which cucm-audit speaks (%s): "+
		"use a cucm-audit release that supports this CUCM version", e.Host, strings.Join(e.Supported, ", "), e.Requested,
		strings.Join(KnownVersions(), ", "))
}

func (e *VersionError) Unwrap() error { return e.Err }

var supportedRe = regexp.MustCompile(`(?i)supported\s+axl\s+versions?\s*:?\s*([0-9][0-9.,; ]*)`)

// SupportedVersions parses the version list of CUCM's HTTP 599 answer ("Incorrect axl version.
// Supported axl versions: 11.5,12.5,14") into major.minor strings ("14" reads as "14.0"). It
// returns nil when the text holds no list.
func SupportedVersions(text string) []string {
	m := supportedRe.FindStringSubmatch(text)
	if m == nil {
		return nil
	}
	var out []string
	for _, f := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		f = strings.TrimSuffix(f, ".")
		if !strings.Contains(f, ".") {
			f += ".0"
		}
		if _, _, ok := parseVersion(f); ok {
			out = append(out, f)
		}
	}
	return out
}

// parseVersion reads "major.minor".
func parseVersion(v string) (major, minor int, ok bool) {
	a, b, found := strings.Cut(v, ".")
	if !found {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(a)
	minor, err2 := strconv.Atoi(b)
	return major, minor, err1 == nil && err2 == nil && major >= 0 && minor >= 0
}

// pickVersion returns the newest version of supported that this client speaks.
func pickVersion(supported []string) (string, bool) {
	best, found := "", false
	for _, k := range KnownVersions() {
		kmaj, kmin, _ := parseVersion(k)
		for _, s := range supported {
			smaj, smin, ok := parseVersion(s)
			if ok && smaj == kmaj && smin == kmin {
				best, found = k, true // KnownVersions is oldest first: the last match is the newest
			}
		}
	}
	return best, found
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

// call sends one operation. When the cluster refuses the schema version (HTTP 599) and lists
// the versions it supports, the client switches once to the newest one it knows and asks again.
func (c *Client) call(ctx context.Context, op, inner string, decode soap.DecodeFunc, fast soap.FastFunc) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	err := c.send(ctx, op, inner, decode, fast)
	var he *soap.HTTPError
	if err == nil || !errors.As(err, &he) || he.Status != 599 {
		return err
	}
	supported := SupportedVersions(he.Detail)
	if len(supported) == 0 {
		return err
	}
	if c.pinned {
		return &VersionError{Host: he.Host, Requested: c.version, Supported: supported, Pinned: true, Err: err}
	}
	v, ok := pickVersion(supported)
	if !ok {
		return &VersionError{Host: he.Host, Requested: c.version, Supported: supported, Err: err}
	}
	if c.switched || v == c.version {
		return err
	}
	c.version, c.switched = v, true
	return c.send(ctx, op, inner, decode, fast)
}

func (c *Client) send(ctx context.Context, op, inner string, decode soap.DecodeFunc, fast soap.FastFunc) error {
	c.seq++
	body := `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns="http://www.cisco.com/AXL/API/` +
		c.version + `"><soapenv:Header/><soapenv:Body><ns:` + op + ` sequence="` + strconv.Itoa(c.seq) + `">` + inner +
		`</ns:` + op + `></soapenv:Body></soapenv:Envelope>`
	return c.soap.Call(ctx, soap.Request{URL: c.url, SOAPAction: "CUCM:DB ver=" + c.version + " " + op, Body: []byte(body), Fast: fast}, decode)
}

// CCMVersion returns the cluster's version, e.g. "15.0.1.12900(234)". An answer that is not a
// getCCMVersionResponse with return/componentVersion/version fails with a *soap.PayloadError.
func (c *Client) CCMVersion(ctx context.Context) (string, error) {
	var version string
	err := c.call(ctx, "getCCMVersion", "<processNodeName></processNodeName>", func(d *xml.Decoder, start xml.StartElement) error {
		v, err := readVersion(d, start)
		version = v
		return err
	}, nil)
	if err != nil {
		return "", fmt.Errorf("getCCMVersion: %w", err)
	}
	return version, nil
}

// readVersion reads a getCCMVersionResponse (start) by local names: its
// return/componentVersion/version, which must hold text.
func readVersion(d *xml.Decoder, start xml.StartElement) (string, error) {
	if err := soap.Expect(start, "getCCMVersionResponse", Namespace); err != nil {
		return "", err
	}
	want := []string{"return", "componentVersion", "version"}
	var path []string
	version := ""
	for {
		tok, err := d.Token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(path) == 2 && t.Name.Local == "version" && path[0] == want[0] && path[1] == want[1] {
				s, err := soap.Text(d)
				if err != nil {
					return "", err
				}
				if v := strings.TrimSpace(s); v != "" && version == "" {
					version = v
				}
				continue
			}
			path = append(path, t.Name.Local)
		case xml.EndElement:
			if len(path) == 0 {
				if version == "" {
					return "", soap.Missing("return/componentVersion/version in its getCCMVersionResponse")
				}
				return version, nil
			}
			path = path[:len(path)-1]
		}
	}
}

// Row is one executeSQLQuery row: column (lower case) → text. NULL reads as "".
type Row map[string]string

// Query runs one SQL statement and calls fn for each row (no paging). Use Paged for tables
// that may be large.
func (c *Client) Query(ctx context.Context, sql string, fn func(Row) error) (int, error) {
	return c.query(ctx, sql, nil, fn)
}

// query is Query with the maps of the fast path's rows taken from pool (nil: new maps).
func (c *Client) query(ctx context.Context, sql string, pool *rowPool, fn func(Row) error) (int, error) {
	var rows []Row
	fast := rowReader{pool: pool}
	err := c.call(ctx, "executeSQLQuery", "<sql>"+soap.Escape(sql)+"</sql>", func(d *xml.Decoder, start xml.StartElement) error {
		rows = rows[:0]
		if err := soap.Expect(start, "executeSQLQueryResponse", Namespace); err != nil {
			return err
		}
		return readRows(d, func(r Row) { rows = append(rows, r) })
	}, func(s *soap.Scanner) bool {
		rows = rows[:0]
		return fast.read(s, func(r Row) { rows = append(rows, r) })
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

// readRows reads the inside of an executeSQLQueryResponse (d is just after its start):
// <return><row><col>v</col>...</row>...</return>, by local names. The return element must be
// there: <return/> is an answer with no rows, its absence is no answer (a *soap.PayloadError),
// as are a child of return that is not a row and a row without columns (CUCM sends every
// selected column, empty ones included).
func readRows(d *xml.Decoder, fn func(Row)) error {
	depth := 0
	var row Row
	returns := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 1 && t.Name.Local == "return":
				returns++
				if returns > 1 {
					return &soap.PayloadError{Msg: "more than one return element in its executeSQLQueryResponse"}
				}
			case depth == 1:
				if err := d.Skip(); err != nil {
					return err
				}
				depth--
			case depth == 2 && t.Name.Local == "row":
				row = Row{}
			case depth == 2:
				return &soap.PayloadError{Msg: fmt.Sprintf("<%.80s> where executeSQLQuery rows were expected", t.Name.Local)}
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
				if returns == 0 {
					return soap.Missing("return element in its executeSQLQueryResponse")
				}
				return nil
			}
			if depth == 2 && row != nil {
				if len(row) == 0 {
					return soap.Missing("columns in one of its executeSQLQuery rows")
				}
				fn(row)
				row = nil
			}
			depth--
		}
	}
}

// Query is one executeSQLQuery read page by page on a unique key (keyset paging):
//
//	SELECT FIRST n <Columns> FROM <From> WHERE (<Where>) AND <Key> > 'last' ORDER BY <Key>
//
// Unlike SKIP/FIRST over an ORDER BY, a page never shifts when rows are added, removed or changed
// between two pages during a change window: every row that exists from the first page to the
// last is read exactly once.
type Query struct {
	Columns string // select list; it must return the key as KeyName
	From    string // table and joins, without FROM
	Where   string // optional filter, without WHERE
	Key     string // unique key expression, e.g. "d.pkid"
	KeyName string // the key's column in the answer rows, e.g. "pkid"
	// Reuse lets Paged hand a row's map to a later row once fn returned for its page: fn must
	// not keep the map (its strings it may). A wide table then costs no map per row.
	Reuse bool
}

// keyAfter reports whether key k follows prev in the database's order: numerically when both
// are integers (the enum key of CUCM's type tables), byte by byte otherwise (pkids). Any key
// follows "" (the first page).
func keyAfter(k, prev string) bool {
	if prev == "" {
		return true
	}
	a, errA := strconv.ParseInt(k, 10, 64)
	b, errB := strconv.ParseInt(prev, 10, 64)
	if errA == nil && errB == nil {
		return a > b
	}
	return k > prev
}

// table is the table the query reads (the first word of From), for messages.
func (q Query) table() string {
	if f := strings.Fields(q.From); len(f) > 0 {
		return f[0]
	}
	return q.From
}

// page is the SQL of one page after the key last ("" for the first page).
func (q Query) page(first int, last string) string {
	var conds []string
	if q.Where != "" {
		conds = append(conds, "("+q.Where+")")
	}
	if last != "" {
		conds = append(conds, q.Key+" > '"+strings.ReplaceAll(last, "'", "''")+"'")
	}
	sql := fmt.Sprintf("SELECT FIRST %d %s FROM %s", first, q.Columns, q.From)
	if len(conds) > 0 {
		sql += " WHERE " + strings.Join(conds, " AND ")
	}
	return sql + " ORDER BY " + q.Key
}

// Paged reads q page after page until a short page, calling fn for each row, and returns the
// number of rows read. When CUCM answers "Query request too large" the page shrinks (to 70 % of
// its suggestion, or half) and the same page is asked again. Keys must rise strictly, within a
// page and from one page to the next (CUCM's pkids are lower-case hexadecimal with dashes at
// fixed places, so byte order is the database's order): an answer out of order, or a server
// ignoring the key condition, fails the read instead of losing or repeating rows.
func (c *Client) Paged(ctx context.Context, q Query, fn func(Row) error) (int, error) {
	page := c.pageSize
	last := ""
	total := 0
	var pool *rowPool
	if q.Reuse {
		pool = &rowPool{}
	}
	for {
		var rows []Row
		_, err := c.query(ctx, q.page(page, last), pool, func(r Row) error {
			rows = append(rows, r)
			return nil
		})
		if big, suggested := TooLarge(err); big {
			next := page / 2
			if suggested > 0 {
				next = min(page-1, suggested*7/10)
			}
			if page <= 1 || next < 1 {
				return total, fmt.Errorf("CUCM refuses even one row as too large: %w", err)
			}
			page = next
			continue
		}
		if err != nil {
			return total, err
		}
		prev := last
		for _, r := range rows {
			k := r[q.KeyName]
			if k == "" || !keyAfter(k, prev) {
				return total, fmt.Errorf("paging %s by %s: key %q does not follow %q: the answer is not in key order, so rows could be lost",
					q.table(), q.KeyName, k, prev)
			}
			prev = k
		}
		last = prev
		for _, r := range rows {
			if err := fn(r); err != nil {
				return total, err
			}
			total++
		}
		pool.put(rows)
		if len(rows) < page {
			return total, nil
		}
	}
}

// MissingColumn reports whether err is CUCM's Informix answer to a column this release does not
// have (-217 "Column (x) not found in any table in the query"), and the column.
func MissingColumn(err error) (string, bool) {
	return informixName(err, -217, "not found in any table")
}

// MissingTable reports whether err is CUCM's Informix answer to a table this release does not
// have (-206 "The specified table (x) is not in the database"), and the table.
func MissingTable(err error) (string, bool) {
	return informixName(err, -206, "is not in the database")
}

var parenName = regexp.MustCompile(`\(([^()]*)\)`)

// informixName matches a fault by its axlcode or, when a cluster leaves the code out, by its
// Informix text, and returns the name the message gives in parentheses.
func informixName(err error, code int, phrase string) (string, bool) {
	var f *soap.Fault
	if !errors.As(err, &f) {
		return "", false
	}
	msg := f.AXLMessage
	if msg == "" {
		msg = f.String
	}
	if f.AXLCode != code && !strings.Contains(strings.ToLower(msg), phrase) {
		return "", false
	}
	if m := parenName.FindStringSubmatch(msg); m != nil {
		return strings.ToLower(strings.TrimSpace(m[1])), true
	}
	return "", true
}
