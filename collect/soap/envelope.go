package soap

import (
	"bufio"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

func looksHTML(p []byte) bool {
	s := strings.ToLower(strings.TrimSpace(string(p)))
	return strings.HasPrefix(s, "<!doctype html") || strings.HasPrefix(s, "<html") ||
		(strings.HasPrefix(s, "<head") || strings.HasPrefix(s, "<body"))
}

func looksXML(p []byte) bool {
	return strings.HasPrefix(strings.TrimSpace(string(p)), "<")
}

// excerpt is a short single-line piece of a non-SOAP body (e.g. the 599 version list), with
// the credentials scrubbed first. complete says p is the whole body: otherwise its last word
// may be cut short, and a cut base64 blob would no longer match the scrubber, so it is dropped;
// the excerpt is shortened at a word boundary for the same reason.
func (c *Client) excerpt(p []byte, complete bool) string {
	words := strings.Fields(c.scrub.String(string(p)))
	if !complete && len(words) > 0 {
		words = words[:len(words)-1]
	}
	s := strings.Join(words, " ")
	if len(s) > 200 {
		i := strings.LastIndexByte(s[:200], ' ')
		if i < 0 {
			i = 0
		}
		s = s[:i] + "…"
	}
	return s
}

var tagRe = regexp.MustCompile(`<[^>]*>`)

// versionExcerpt is the excerpt of an HTTP 599 body that names the supported AXL versions: tags
// dropped (Tomcat may wrap it in an HTML page), starting at "Incorrect axl version" when present.
func (c *Client) versionExcerpt(b []byte, complete bool) string {
	s := strings.Join(strings.Fields(tagRe.ReplaceAllString(c.scrub.String(string(b)), " ")), " ")
	lower := strings.ToLower(s)
	for _, marker := range []string{"incorrect axl version", "supported axl version"} {
		if i := strings.Index(lower, marker); i >= 0 {
			s = s[i:]
			break
		}
	}
	return c.excerpt([]byte(s), complete)
}

// limitedReader fails with ErrTooLarge instead of silently truncating.
type limitedReader struct {
	r    io.Reader
	n    int64
	host string
	read int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.read >= l.n {
		// Probe for more data: a body exactly at the limit is fine.
		var one [1]byte
		k, err := l.r.Read(one[:])
		if k > 0 {
			return 0, fmt.Errorf("response from %s exceeds %d bytes: %w", l.host, l.n, ErrTooLarge)
		}
		return 0, err
	}
	if int64(len(p)) > l.n-l.read {
		p = p[:l.n-l.read]
	}
	k, err := l.r.Read(p)
	l.read += int64(k)
	return k, err
}

// decodeEnvelope checks the envelope (root element Envelope in the SOAP envelope namespace, a
// Body of the same namespace among its children) and
// hands the first element of the Body to decode, or parses a Fault. Every token passes the XML
// bounds of Options. Anything else than a SOAP envelope holding an answer is a *PayloadError.
func (c *Client) decodeEnvelope(actx context.Context, r *bufio.Reader, host string, status int, decode DecodeFunc) error {
	d := newBoundedDecoder(r, host, c.opts.MaxDepth, c.opts.MaxTokens, c.opts.MaxTokenBytes)
	depth := 0 // 1 inside Envelope, 2 inside Body
	inBody := false
	ns := "" // the envelope's namespace: Body and Fault are in it
	sawAny := false
	for {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) && sawAny && depth == 0 {
				return &PayloadError{Host: host, Msg: "the SOAP envelope has no Body"}
			}
			return c.readError(host, err, sawAny)
		}
		sawAny = true
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case depth == 0 && t.Name.Local != "Envelope":
				return &PayloadError{Host: host, Msg: fmt.Sprintf("not a SOAP envelope: the root element is <%s>", clip(t.Name.Local))}
			case depth == 0 && t.Name.Space != envelopeNS && t.Name.Space != envelope12NS:
				return &PayloadError{Host: host, Msg: fmt.Sprintf("not a SOAP envelope: <Envelope> is in namespace %q, not %s", clip(t.Name.Space), envelopeNS)}
			case depth == 0:
				depth, ns = 1, t.Name.Space
			case !inBody && t.Name.Local == "Body" && t.Name.Space == ns:
				inBody = true
			case !inBody:
				// A Header, or something a proxy added: not the answer.
				if err := d.Skip(); err != nil {
					return c.readError(host, err, true)
				}
			case t.Name.Local == "Fault" && t.Name.Space == ns:
				f, err := readFault(d, host)
				if err != nil {
					return c.readError(host, err, true)
				}
				f.scrub(c.scrub)
				f.HTTPStatus = status
				return f
			default:
				if err := decode(d, t); err != nil {
					return c.readError(host, err, true)
				}
				return nil
			}
		case xml.EndElement:
			if inBody {
				return &PayloadError{Host: host, Msg: "the SOAP Body is empty"}
			}
			depth = 0
		}
	}
}

// PayloadError is an answer the client cannot use: not a SOAP envelope, not the answer of the
// operation asked, missing a part the operation always has, or beyond the XML bounds. It is
// never retried: the same answer would come back.
type PayloadError struct {
	Host string
	Msg  string
}

func (e *PayloadError) Error() string {
	return fmt.Sprintf("unexpected answer from %s: %s; check that nothing between cucm-audit and CUCM (a proxy, a load balancer) rewrites answers", e.Host, e.Msg)
}

func (c *Client) readError(host string, err error, sawAny bool) error {
	var pe *PayloadError
	if errors.As(err, &pe) {
		if pe.Host == "" {
			pe.Host = host
		}
		return err
	}
	if errors.Is(err, ErrTooLarge) {
		return &TruncatedError{Host: host, Err: err}
	}
	if errors.Is(err, io.EOF) && !sawAny {
		return &TruncatedError{Host: host, Err: errors.New("empty body")}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return err
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) && !strings.Contains(se.Msg, "unexpected EOF") {
		return &PayloadError{Host: host, Msg: c.scrub.String("malformed XML: " + se.Error())}
	}
	return &TruncatedError{Host: host, Err: err}
}

// readFault reads a soapenv:Fault element (already started) by local names.
func readFault(d *xml.Decoder, host string) (*Fault, error) {
	f := &Fault{Host: host}
	var path []string
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
		case xml.EndElement:
			if len(path) == 0 {
				return f, nil
			}
			path = path[:len(path)-1]
		case xml.CharData:
			if len(path) == 0 {
				continue
			}
			s := string(t)
			switch path[len(path)-1] {
			case "faultcode":
				f.Code += strings.TrimSpace(s)
			case "faultstring":
				f.String += s
			case "axlcode":
				if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
					f.AXLCode = n
				}
			case "axlmessage":
				f.AXLMessage += s
			case "request":
				f.Request += strings.TrimSpace(s)
			}
		}
	}
}

// Text reads the character data of the element just started and consumes its end; nested
// elements are skipped.
func Text(d *xml.Decoder) (string, error) {
	var b strings.Builder
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if depth == 0 {
				b.Write(t)
			}
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return b.String(), nil
			}
			depth--
		}
	}
}

// Escape escapes s for XML character data.
func Escape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// envelopeNS is the namespace of a SOAP 1.1 envelope, the one CUCM answers with; envelope12NS
// is SOAP 1.2's, accepted too.
const (
	envelopeNS   = "http://schemas.xmlsoap.org/soap/envelope/"
	envelope12NS = "http://www.w3.org/2003/05/soap-envelope"
)
