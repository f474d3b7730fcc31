// Package soap is the one SOAP 1.1 transport the AXL and RisPort70 clients share: HTTPS with
// verified TLS (or an explicit opt-out), Basic auth with JSESSIONIDSSO cookie reuse, a timeout per
// request, bounded response size, streaming XML decoding, typed errors and retries with
// exponential backoff and jitter for transient failures and throttles.
package soap

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/cucm-audit/cucm-audit/internal/scrub"
)

// Defaults used when Options leaves a field zero.
const (
	DefaultTimeout        = 60 * time.Second
	DefaultMaxBody        = 64 << 20
	DefaultInitialBackoff = time.Second
	DefaultMaxBackoff     = 30 * time.Second
	DefaultMaxElapsed     = 5 * time.Minute
	DefaultMaxWaits       = 5
)

// Options configures a Client.
type Options struct {
	// User and Password are sent with HTTP Basic auth until the server hands out a session cookie.
	User     string
	Password string
	// VerifyTLS verifies the server certificate (the default in every caller). When false a
	// warning is logged once.
	VerifyTLS bool
	// CAFile is a PEM bundle trusted in addition to the system roots.
	CAFile string
	// Timeout bounds each HTTP request, body included.
	Timeout time.Duration
	// Retries is how many times a transient failure is retried (0 disables retries).
	Retries int
	// InitialBackoff, MaxBackoff and MaxElapsed shape the exponential backoff (with jitter).
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
	MaxElapsed     time.Duration
	// MaxBody bounds the size of one response.
	MaxBody int64
	// RetryFault reports whether a SOAP fault is a throttle to retry with backoff.
	RetryFault func(*Fault) bool
	// WaitFault reports whether a SOAP fault asks the client to wait (a rate-control fault) and
	// for how long; such waits do not use the Retries budget but at most MaxWaits happen in a row.
	WaitFault func(*Fault) (time.Duration, bool)
	MaxWaits  int
	// OnWait, when set, is told each wait a WaitFault fault starts, before it sleeps (a progress line).
	OnWait func(time.Duration)
	// MaxWait caps any one wait the server asks for (Retry-After, a rate-control fault): a longer
	// demand fails the call with a *WaitError, logged at WARN, instead of sleeping.
	MaxWait time.Duration
	// MaxDepth, MaxTokens and MaxTokenBytes bound the XML of one answer (element nesting, tokens,
	// bytes of one token); an answer beyond them fails with a *PayloadError.
	MaxDepth      int
	MaxTokens     int
	MaxTokenBytes int64
	// BeforeAttempt is called before every HTTP attempt (a rate limiter's Wait).
	BeforeAttempt func(context.Context) error
	// Transport overrides the HTTP transport (tests); TLS options are then ignored.
	Transport http.RoundTripper
	// Logger receives warnings and debug lines; never a secret.
	Logger *slog.Logger
	// QuietTLS skips the warning about AXL_VERIFY_TLS=false (another client of the same cluster
	// gave it already).
	QuietTLS bool
	// NoFast decodes every answer with encoding/xml, ignoring Request.Fast (tests compare both).
	NoFast bool
}

// Client sends SOAP requests to one or more URLs of one cluster.
type Client struct {
	opts Options
	http *http.Client
	log  *slog.Logger
	auth string // "Basic ..." header value; never logged
	// scrub removes the credentials, in every spelling a server could echo, from the text of
	// faults, error bodies and errors before they leave the client.
	scrub   *scrub.Scrubber
	mu      sync.Mutex
	cookies map[string]string // host -> JSESSIONIDSSO value
	// Stats.
	requests atomic.Int64
	// answered is set by the first HTTP answer: until then a refused connection is a wrong
	// port or a stopped service, not worth retrying; after, it is a restart, retried.
	answered atomic.Bool
	retries  atomic.Int64
	waits    atomic.Int64
	fast     atomic.Int64
	bufs     sync.Pool // answer buffers of the fast path
}

// New builds a client. It fails when the CA file cannot be read or holds no certificate.
func New(opts Options) (*Client, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.InitialBackoff <= 0 {
		opts.InitialBackoff = DefaultInitialBackoff
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = DefaultMaxBackoff
	}
	if opts.MaxElapsed <= 0 {
		opts.MaxElapsed = DefaultMaxElapsed
	}
	if opts.MaxWaits <= 0 {
		opts.MaxWaits = DefaultMaxWaits
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = DefaultMaxWait
	}
	if opts.MaxDepth <= 0 {
		opts.MaxDepth = DefaultMaxDepth
	}
	if opts.MaxTokens <= 0 {
		opts.MaxTokens = DefaultMaxTokens
	}
	if opts.MaxTokenBytes <= 0 {
		opts.MaxTokenBytes = DefaultMaxTokenBytes
	}
	if opts.Retries < 0 {
		opts.Retries = 0
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rt := opts.Transport
	if rt == nil {
		tlsConf, err := TLSConfig(opts.VerifyTLS, opts.CAFile)
		if err != nil {
			return nil, err
		}
		if !opts.VerifyTLS && !opts.QuietTLS {
			log.Warn("TLS certificate verification is OFF (AXL_VERIFY_TLS=false): the cluster's identity is not checked")
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = tlsConf
		tr.MaxIdleConnsPerHost = 4
		rt = tr
	}
	c := &Client{
		opts:    opts,
		http:    &http.Client{Transport: rt, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		log:     log,
		cookies: map[string]string{},
		scrub:   scrub.New(scrub.Credential{User: opts.User, Pass: opts.Password}),
	}
	if opts.User != "" || opts.Password != "" {
		req, _ := http.NewRequest(http.MethodPost, "https://x/", nil)
		req.SetBasicAuth(opts.User, opts.Password)
		c.auth = req.Header.Get("Authorization")
	}
	return c, nil
}

// TLSConfig builds the TLS settings: system roots plus caFile, verification on unless verify is
// false.
func TLSConfig(verify bool, caFile string) (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if !verify {
		conf.InsecureSkipVerify = true // explicit opt-out by AXL_VERIFY_TLS=false, warned about
		return conf, nil
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("reading CA file %s (AXL_CA_FILE): %w", caFile, err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s (AXL_CA_FILE) holds no PEM certificate", caFile)
		}
		conf.RootCAs = pool
	}
	return conf, nil
}

// Stats counts what the client did.
type Stats struct {
	Requests int64 // HTTP attempts sent
	Retries  int64 // attempts that were retries after a transient failure
	Waits    int64 // waits after a rate-control fault
	Fast     int64 // answers read by their FastFunc, without encoding/xml
}

// Stats returns the counters so far.
func (c *Client) Stats() Stats {
	return Stats{Requests: c.requests.Load(), Retries: c.retries.Load(), Waits: c.waits.Load(), Fast: c.fast.Load()}
}

// DecodeFunc reads the payload: d is positioned just after start, the first element inside the
// SOAP Body. It is called once per attempt and must reset whatever it accumulates.
type DecodeFunc func(d *xml.Decoder, start xml.StartElement) error

// Request is one SOAP call.
type Request struct {
	URL        string
	SOAPAction string // sent quoted; empty sends no SOAPAction header
	Body       []byte // the whole envelope
	// Fast, when set, reads a 200 answer first (see FastFunc); the DecodeFunc reads what it
	// declines.
	Fast FastFunc
}

// retryAfterBackOff lets one attempt override the next delay with the server's Retry-After.
type retryAfterBackOff struct {
	backoff.BackOff
	next time.Duration
}

func (b *retryAfterBackOff) NextBackOff() time.Duration {
	d := b.BackOff.NextBackOff()
	if d == backoff.Stop {
		return d
	}
	if b.next > d {
		d = b.next
	}
	b.next = 0
	return d
}

// Call sends req and decodes the answer with decode, retrying transient failures. The error is
// typed: *HTTPError, *Fault, *HTMLError, *TruncatedError, *PayloadError (an answer that is not
// the operation's, or beyond the XML bounds), *TLSError, *EndpointError, *TimeoutError,
// *WaitError (the server asked to wait longer than Options.MaxWait), *DeadlineError (the
// collection deadline of WithReadDeadline was reached), or the context's error. Certificate
// failures (*TLSError), a wrong URL (*EndpointError: a host that does not resolve, a server that
// does not speak TLS) and unusable answers (*PayloadError) are never retried.
func (c *Client) Call(ctx context.Context, req Request, decode DecodeFunc) error {
	host := hostOf(req.URL)
	parent := ctx
	dl, hasDeadline := ctx.Value(deadlineKey{}).(readDeadline)
	if hasDeadline {
		if !time.Now().Before(dl.at) {
			return &DeadlineError{Host: host, Limit: dl.limit}
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.at)
		defer cancel()
	}
	exp := backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(c.opts.InitialBackoff),
		backoff.WithMaxInterval(c.opts.MaxBackoff),
		backoff.WithMaxElapsedTime(c.opts.MaxElapsed),
		backoff.WithRandomizationFactor(0.5),
		backoff.WithMultiplier(2),
	)
	ra := &retryAfterBackOff{BackOff: backoff.WithMaxRetries(exp, uint64(c.opts.Retries))}
	bo := backoff.WithContext(ra, ctx)
	waits := 0
	calls := 0
	op := func() error {
		calls++
		if calls > 1 {
			c.retries.Add(1)
		}
		for {
			err := c.attempt(ctx, req, host, decode)
			if err == nil {
				return nil
			}
			if ctx.Err() != nil {
				return backoff.Permanent(ctx.Err())
			}
			var f *Fault
			if errors.As(err, &f) && c.opts.WaitFault != nil {
				if d, ok := c.opts.WaitFault(f); ok {
					waits++
					if waits > c.opts.MaxWaits {
						return backoff.Permanent(fmt.Errorf("still rate-limited after %d waits: %w", c.opts.MaxWaits, err))
					}
					if f.RetryAfter > d {
						d = f.RetryAfter
					}
					if d > c.opts.MaxWait {
						return backoff.Permanent(c.waitTooLong(host, d, err))
					}
					c.waits.Add(1)
					c.log.Info("rate-control fault: waiting for the next window", "host", host, "wait", d)
					if c.opts.OnWait != nil {
						c.opts.OnWait(d)
					}
					if err := sleep(ctx, d); err != nil {
						return backoff.Permanent(err)
					}
					continue
				}
			}
			waits = 0
			retry, after := c.retryable(err)
			if !retry {
				return backoff.Permanent(err)
			}
			if after > c.opts.MaxWait {
				return backoff.Permanent(c.waitTooLong(host, after, err))
			}
			ra.next = after
			c.log.Debug("transient failure, will retry", "host", host, "err", c.scrub.Error(err))
			return err
		}
	}
	err := backoff.Retry(op, bo)
	if err == nil {
		return nil
	}
	if parent.Err() != nil && !errors.Is(err, parent.Err()) {
		// The cancellation is the cause; the last attempt's error is context only (%v), so that
		// errors.As does not classify an interrupted call as, say, an HTTP or fault failure.
		return fmt.Errorf("%w (%v)", parent.Err(), c.scrub.Error(err))
	}
	if hasDeadline && parent.Err() == nil && ctx.Err() != nil {
		return &DeadlineError{Host: host, Limit: dl.limit}
	}
	return c.scrub.Error(err)
}

// waitTooLong is the failure of a call whose server asked to wait d, over the cap.
func (c *Client) waitTooLong(host string, d time.Duration, err error) error {
	c.log.Warn("the server asked to wait longer than the cap: not waiting, the read fails",
		"host", host, "wait", waitText(d), "max_wait", c.opts.MaxWait)
	return &WaitError{Host: host, Wait: d, Max: c.opts.MaxWait, Err: err}
}

func (c *Client) retryable(err error) (bool, time.Duration) {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Temporary(), he.RetryAfter
	}
	var f *Fault
	if errors.As(err, &f) {
		if c.opts.RetryFault != nil && c.opts.RetryFault(f) {
			return true, f.RetryAfter
		}
		return false, 0
	}
	var te *TruncatedError
	if errors.As(err, &te) {
		return !errors.Is(err, ErrTooLarge), 0
	}
	var to *TimeoutError
	if errors.As(err, &to) {
		return true, 0
	}
	// An HTML page with status 200 is usually a proxy's or load balancer's error page: worth
	// the bounded retries of a read-only client.
	var he2 *HTMLError
	if errors.As(err, &he2) {
		return true, 0
	}
	var ne *netError
	return errors.As(err, &ne), 0
}

// netError is a connection-level failure (refused, reset), retried.
type netError struct {
	Host string
	Err  error
}

func (e *netError) Error() string { return fmt.Sprintf("reaching %s: %v", e.Host, e.Err) }
func (e *netError) Unwrap() error { return e.Err }

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// hostOf is the host:port errors and logs name. It never returns userinfo (user:password@):
// a URL that does not parse loses everything up to its last '@'.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		if i := strings.LastIndex(raw, "@"); i >= 0 {
			return raw[i+1:]
		}
		return raw
	}
	return u.Host
}

// attempt sends one HTTP request; a 404 on a session cookie is re-sent once with Basic auth.
func (c *Client) attempt(ctx context.Context, req Request, host string, decode DecodeFunc) error {
	if c.opts.BeforeAttempt != nil {
		if err := c.opts.BeforeAttempt(ctx); err != nil {
			return err
		}
	}
	err, cookieRejected := c.send(ctx, req, host, decode, true)
	if cookieRejected {
		c.log.Debug("session cookie expired, re-authenticating", "host", host)
		if c.opts.BeforeAttempt != nil {
			if err := c.opts.BeforeAttempt(ctx); err != nil {
				return err
			}
		}
		err, _ = c.send(ctx, req, host, decode, false)
	}
	return err
}

func (c *Client) send(ctx context.Context, req Request, host string, decode DecodeFunc, useCookie bool) (error, bool) {
	actx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(actx, http.MethodPost, req.URL, bytes.NewReader(req.Body))
	if err != nil {
		return fmt.Errorf("building request to %s: %w", host, err), false
	}
	hreq.Header.Set("Content-Type", "text/xml;charset=UTF-8")
	hreq.Header.Set("Accept", "text/xml")
	if req.SOAPAction != "" {
		hreq.Header.Set("SOAPAction", `"`+req.SOAPAction+`"`)
	}
	c.mu.Lock()
	cookie := c.cookies[host]
	c.mu.Unlock()
	sentCookie := false
	if useCookie && cookie != "" {
		hreq.AddCookie(&http.Cookie{Name: "JSESSIONIDSSO", Value: cookie})
		sentCookie = true
	} else if c.auth != "" {
		hreq.Header.Set("Authorization", c.auth)
	}
	c.requests.Add(1)
	resp, err := c.http.Do(hreq)
	if err != nil {
		return c.transportError(ctx, actx, host, err), false
	}
	c.answered.Store(true)
	defer func() {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
	}()
	for _, ck := range resp.Cookies() {
		if ck.Name == "JSESSIONIDSSO" && ck.Value != "" {
			c.mu.Lock()
			c.cookies[host] = ck.Value
			c.mu.Unlock()
		}
	}
	if resp.StatusCode == http.StatusNotFound && sentCookie {
		c.mu.Lock()
		if c.cookies[host] == cookie {
			delete(c.cookies, host)
		}
		c.mu.Unlock()
		return nil, true
	}
	retryAfter := parseRetryAfter(resp.Header.Get("Retry-After"))
	body := &limitedReader{r: resp.Body, n: c.opts.MaxBody, host: host}
	br := bufio.NewReaderSize(body, 4096)
	peek, _ := br.Peek(512)
	ctype := strings.ToLower(resp.Header.Get("Content-Type"))
	html := strings.Contains(ctype, "text/html") || looksHTML(peek)
	switch {
	case resp.StatusCode == 401 || resp.StatusCode == 403 || resp.StatusCode == 404:
		return &HTTPError{Host: host, Status: resp.StatusCode}, false
	case resp.StatusCode == 599:
		b, _ := io.ReadAll(io.LimitReader(br, 8<<10+1))
		complete := len(b) <= 8<<10
		if !complete {
			b = b[:8<<10]
		}
		return &HTTPError{Host: host, Status: 599, Detail: c.versionExcerpt(b, complete)}, false
	case html && resp.StatusCode == 200:
		return &HTMLError{Host: host, Status: resp.StatusCode}, false
	case html:
		return &HTTPError{Host: host, Status: resp.StatusCode, RetryAfter: retryAfter}, false
	}
	if resp.StatusCode != 200 && !looksXML(peek) {
		rest, _ := br.Peek(len(peek) + 1)
		return &HTTPError{Host: host, Status: resp.StatusCode, RetryAfter: retryAfter, Detail: c.excerpt(peek, len(rest) == len(peek))}, false
	}
	if req.Fast != nil && !c.opts.NoFast && resp.StatusCode == 200 {
		body, put, rerr := c.readBody(br, resp.ContentLength)
		defer put()
		if rerr == nil && c.fastDecode(body, req.Fast) {
			c.fast.Add(1)
			return nil, false
		}
		br = replay(body, rerr)
	}
	err = c.decodeEnvelope(actx, br, host, resp.StatusCode, decode)
	var f *Fault
	if errors.As(err, &f) {
		f.RetryAfter = retryAfter
		return err, false
	}
	if err != nil && resp.StatusCode != 200 {
		// Not a readable fault: report the status, which decides retries.
		var te *TruncatedError
		if !errors.As(err, &te) || errors.Is(err, ErrTooLarge) {
			return &HTTPError{Host: host, Status: resp.StatusCode, RetryAfter: retryAfter}, false
		}
	}
	if err != nil {
		if actx.Err() != nil && ctx.Err() == nil {
			return &TimeoutError{Host: host, Timeout: c.opts.Timeout}, false
		}
		return err, false
	}
	if resp.StatusCode != 200 {
		return &HTTPError{Host: host, Status: resp.StatusCode, RetryAfter: retryAfter}, false
	}
	return nil, false
}

func (c *Client) transportError(ctx, actx context.Context, host string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if actx.Err() != nil {
		return &TimeoutError{Host: host, Timeout: c.opts.Timeout}
	}
	var (
		ua  x509.UnknownAuthorityError
		he  x509.HostnameError
		ci  x509.CertificateInvalidError
		cve *tls.CertificateVerificationError
	)
	if errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) || errors.As(err, &cve) {
		return &TLSError{Host: host, Err: unwrapURL(err)}
	}
	// Failures no retry can cure: the URL itself must change.
	var (
		dns *net.DNSError
		rh  tls.RecordHeaderError
	)
	if errors.As(err, &dns) && dns.IsNotFound {
		return &EndpointError{Host: host, Problem: EndpointHostNotFound, Err: unwrapURL(err)}
	}
	if errors.Is(err, http.ErrSchemeMismatch) || errors.As(err, &rh) {
		return &EndpointError{Host: host, Problem: EndpointNotTLS, Err: unwrapURL(err)}
	}
	if errors.Is(err, syscall.ECONNREFUSED) && !c.answered.Load() {
		return &EndpointError{Host: host, Problem: EndpointRefused, Err: unwrapURL(err)}
	}
	return &netError{Host: host, Err: unwrapURL(err)}
}

// unwrapURL drops the *url.Error wrapper, whose text repeats the method and URL.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func parseRetryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if strings.Trim(v, "0123456789") == "" {
		// Seconds. A number too large for a Duration (it would wrap to a short or negative
		// wait) saturates: longer than any cap, so the read fails instead of sleeping.
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n > uint64(foreverWait/time.Second) {
			return foreverWait
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

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

// envelopeNS is the namespace of a SOAP 1.1 envelope, the one CUCM answers with; envelope12NS
// is SOAP 1.2's, accepted too.
const (
	envelopeNS   = "http://schemas.xmlsoap.org/soap/envelope/"
	envelope12NS = "http://www.w3.org/2003/05/soap-envelope"
)

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
