package soap

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// netError is a connection-level failure (refused, reset), retried.
type netError struct {
	Host string
	Err  error
}

func (e *netError) Error() string { return fmt.Sprintf("reaching %s: %v", e.Host, e.Err) }

func (e *netError) Unwrap() error { return e.Err }

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
