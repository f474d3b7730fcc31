package soap

import (
	"bufio"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Bounds of one answer's XML, shared by every decoder: a hostile answer (a proxy, a broken
// node) must fail fast instead of costing gigabytes. Real AXL and RisPort70 answers nest fewer
// than 12 elements, a full RisPort answer has about 200,000 tokens and CUCM caps an AXL answer
// at 8 MB; the bounds leave a wide margin above that.
const (
	DefaultMaxDepth      = 64
	DefaultMaxTokens     = 4_000_000
	DefaultMaxTokenBytes = 1 << 20
	// DefaultMaxWait is the longest wait the server may ask for (Retry-After, a rate-control
	// fault) that the client obeys; a longer demand fails the call.
	DefaultMaxWait = 2 * time.Minute
)

// Expect checks that start, the first element inside the SOAP Body, is the answer an operation
// expects: local name name (compared without regard to case, as old RisPort spells it
// SelectCmDeviceResponse) in namespace ns or one below it (ns + "/..."; AXL's carries the schema
// version, old RisPort's a trailing slash). It returns a *PayloadError naming what came instead;
// Call fills in the host.
func Expect(start xml.StartElement, name, ns string) error {
	space := start.Name.Space
	if strings.EqualFold(start.Name.Local, name) && (space == ns || strings.HasPrefix(space, ns+"/")) {
		return nil
	}
	got := "<" + clip(start.Name.Local) + ">"
	if space != "" {
		got += " in namespace " + clip(space)
	} else {
		got += " in no namespace"
	}
	return &PayloadError{Msg: fmt.Sprintf("the SOAP Body holds %s, not the %s expected (namespace %s)", got, name, ns)}
}

// clip shortens a name taken from an answer for an error message: at most 80 characters, no
// control characters (a namespace is an attribute value and may hold anything).
func clip(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80]) + "…"
	}
	return s
}

// Missing is the *PayloadError of an answer that lacks a part its operation always has.
func Missing(what string) error {
	return &PayloadError{Msg: "the answer has no " + what}
}

// tokenBounds hands the raw tokens of an answer to the decoder that checks them (xml.Decoder
// built with xml.NewTokenDecoder, which matches end tags and resolves namespaces), failing with
// a *PayloadError once the answer nests deeper than maxDepth, holds more than maxTokens tokens,
// or one token (a start tag with its attributes, a run of text) is longer than maxTokenBytes.
// The decoder's element stack therefore never grows past maxDepth.
type tokenBounds struct {
	raw   *xml.Decoder
	in    *countingReader
	host  string
	depth int
	count int

	maxDepth, maxTokens int
}

func newBoundedDecoder(r *bufio.Reader, host string, maxDepth, maxTokens int, maxTokenBytes int64) *xml.Decoder {
	in := &countingReader{r: r, max: maxTokenBytes}
	b := &tokenBounds{raw: xml.NewDecoder(in), in: in, host: host, maxDepth: maxDepth, maxTokens: maxTokens}
	return xml.NewTokenDecoder(b)
}

func (b *tokenBounds) Token() (xml.Token, error) {
	b.in.since = 0
	t, err := b.raw.RawToken()
	if err != nil {
		var le *limitError
		if errors.As(err, &le) {
			return nil, &PayloadError{Host: b.host, Msg: fmt.Sprintf("one XML token is longer than %d bytes", le.max)}
		}
		return nil, err
	}
	b.count++
	if b.count > b.maxTokens {
		return nil, &PayloadError{Host: b.host, Msg: fmt.Sprintf("the answer holds more than %d XML tokens", b.maxTokens)}
	}
	switch t.(type) {
	case xml.StartElement:
		b.depth++
		if b.depth > b.maxDepth {
			return nil, &PayloadError{Host: b.host, Msg: fmt.Sprintf("elements nested deeper than %d levels", b.maxDepth)}
		}
	case xml.EndElement:
		b.depth--
	}
	return t, nil
}

// countingReader counts the bytes read since the last token. The XML decoder reads an
// io.ByteReader byte by byte without buffering ahead, so the count is exact.
type countingReader struct {
	r     *bufio.Reader
	since int64
	max   int64
}

type limitError struct{ max int64 }

func (e *limitError) Error() string { return fmt.Sprintf("XML token longer than %d bytes", e.max) }

func (c *countingReader) ReadByte() (byte, error) {
	if c.since >= c.max {
		return 0, &limitError{c.max}
	}
	b, err := c.r.ReadByte()
	if err == nil {
		c.since++
	}
	return b, err
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.since >= c.max {
		return 0, &limitError{c.max}
	}
	if int64(len(p)) > c.max-c.since {
		p = p[:c.max-c.since]
	}
	n, err := c.r.Read(p)
	c.since += int64(n)
	return n, err
}

// WaitError is a server asking the client to wait longer than it is allowed to (Options.MaxWait):
// a Retry-After header or a rate-control fault demanding hours. The call fails instead of
// sleeping; Err is the answer that asked.
type WaitError struct {
	Host string
	Wait time.Duration
	Max  time.Duration
	Err  error
}

func (e *WaitError) Error() string {
	msg := fmt.Sprintf("%s asked to wait %s before the next request, longer than the %s cucm-audit waits (AXL_MAX_WAIT): not read; collect again later, or raise AXL_MAX_WAIT",
		e.Host, waitText(e.Wait), e.Max)
	if e.Err != nil {
		// The answer that asked, without naming the host a second time.
		answer := strings.Replace(e.Err.Error(), " from "+e.Host, "", 1)
		msg += " (" + strings.TrimPrefix(answer, e.Host+" ") + ")"
	}
	return msg
}

// foreverWait is a wait beyond what a time.Duration holds (a Retry-After of more than 292
// years): longer than any cap.
const foreverWait = time.Duration(math.MaxInt64)

// waitText is a wait for messages: in whole seconds (a Retry-After date gives nanoseconds),
// "for ever" for foreverWait.
func waitText(d time.Duration) string {
	switch {
	case d >= foreverWait:
		return "for ever"
	case d >= time.Second:
		return d.Round(time.Second).String()
	}
	return d.Round(time.Millisecond).String()
}

func (e *WaitError) Unwrap() error { return e.Err }

// readDeadline is the deadline of a whole collection, carried by the context (see
// WithReadDeadline).
type readDeadline struct {
	at    time.Time
	limit time.Duration
}

type deadlineKey struct{}

// WithReadDeadline returns a context under which every Call stops at the time at, limit being
// the collection timeout that set it (for messages). Unlike a context deadline it cancels nothing
// else: writes that use the context go on, so what was read can still be stored. A Call that the
// deadline stops, or that starts after it, fails with a *DeadlineError.
func WithReadDeadline(ctx context.Context, at time.Time, limit time.Duration) context.Context {
	return context.WithValue(ctx, deadlineKey{}, readDeadline{at: at, limit: limit})
}

// DeadlineError is a call stopped, or never sent, because the collection deadline
// (WithReadDeadline) was reached. It does not wrap the context's errors: the collection is not
// cancelled, it stores what it read.
type DeadlineError struct {
	Host  string
	Limit time.Duration
}

func (e *DeadlineError) Error() string {
	return fmt.Sprintf("collection deadline (%s) reached before %s answered", e.Limit, e.Host)
}
