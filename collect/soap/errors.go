package soap

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cucm-audit/cucm-audit/internal/scrub"
)

// HTTPError is an HTTP status that is not a SOAP answer.
type HTTPError struct {
	Host   string
	Status int
	// Detail is a short, secret-free excerpt of the body when it helps (599: the supported versions).
	Detail string
	// RetryAfter is the server's Retry-After hint, zero when absent.
	RetryAfter time.Duration
}

func (e *HTTPError) Error() string {
	switch e.Status {
	case 401:
		return fmt.Sprintf("authentication failed at %s (HTTP 401): check AXL_USER/AXL_PASS", e.Host)
	case 403:
		return fmt.Sprintf("access denied at %s (HTTP 403): the user lacks the API role (Standard AXL API Access, or Standard CCM Admin Users + Standard RealtimeAndTraceCollection for RisPort)", e.Host)
	case 404:
		return fmt.Sprintf("%s answered HTTP 404: check the URL path (AXL: /axl/, RisPort: /realtimeservice2/services/RISService70)", e.Host)
	case 599:
		msg := fmt.Sprintf("%s refused the AXL schema version (HTTP 599)", e.Host)
		if e.Detail != "" {
			msg += ": " + e.Detail
		}
		return msg
	}
	msg := fmt.Sprintf("%s answered HTTP %d", e.Host, e.Status)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Temporary reports whether the status is worth retrying (gateway errors, overload).
func (e *HTTPError) Temporary() bool {
	switch e.Status {
	case 429, 502, 503, 504:
		return true
	}
	return false
}

// Fault is a SOAP fault. AXLCode is the axlError/axlcode of an AXL fault (0 when absent).
type Fault struct {
	Host       string
	HTTPStatus int
	Code       string
	String     string
	AXLCode    int
	AXLMessage string
	Request    string
	RetryAfter time.Duration
}

// scrub removes the credentials from the server's texts: a hostile or careless server may
// echo the Authorization header in its faultstring.
func (f *Fault) scrub(s *scrub.Scrubber) {
	f.Code, f.String = s.String(f.Code), s.String(f.String)
	f.AXLMessage, f.Request = s.String(f.AXLMessage), s.String(f.Request)
}

func (f *Fault) Error() string {
	msg := fmt.Sprintf("SOAP fault from %s: %s", f.Host, strings.TrimSpace(f.String))
	if f.Code != "" {
		msg += " (" + f.Code
		if f.AXLCode != 0 {
			msg += fmt.Sprintf(", axlcode %d", f.AXLCode)
		}
		msg += ")"
	}
	return msg
}

// HTMLError is an HTML page where a SOAP answer was expected (a proxy, a login page, Tomcat).
type HTMLError struct {
	Host   string
	Status int
}

func (e *HTMLError) Error() string {
	return fmt.Sprintf("%s answered an HTML page, not SOAP (status %d): check the URL and that no proxy or login page is in between", e.Host, e.Status)
}

// TruncatedError is a response that ended before the SOAP envelope was complete.
type TruncatedError struct {
	Host string
	Err  error
}

func (e *TruncatedError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("response from %s ended early", e.Host)
	}
	return fmt.Sprintf("response from %s ended early: %v", e.Host, e.Err)
}

func (e *TruncatedError) Unwrap() error { return e.Err }

// ErrTooLarge is returned (wrapped) when a response exceeds the configured size bound.
var ErrTooLarge = errors.New("response too large")

// TLSError is a certificate the client does not trust.
type TLSError struct {
	Host string
	Err  error
}

func (e *TLSError) Error() string {
	var he x509.HostnameError
	if errors.As(e.Err, &he) {
		return fmt.Sprintf("TLS certificate of %s is not valid for that name: %v; use a host name the certificate holds in AXL_URL (or RISPORT_URL): AXL_CA_FILE cannot cure a name mismatch (AXL_VERIFY_TLS=false would, for a lab only)", e.Host, e.Err)
	}
	return fmt.Sprintf("TLS certificate of %s not trusted: %v; give the CA bundle with AXL_CA_FILE (or, for a lab only, AXL_VERIFY_TLS=false)", e.Host, e.Err)
}

func (e *TLSError) Unwrap() error { return e.Err }

// EndpointProblem says why an endpoint cannot be reached as configured.
type EndpointProblem int

// The endpoint problems no retry can cure.
const (
	// EndpointHostNotFound: the host name does not resolve (DNS NXDOMAIN).
	EndpointHostNotFound EndpointProblem = iota + 1
	// EndpointNotTLS: https:// to a server that answered plain HTTP or something else than TLS.
	EndpointNotTLS
	// EndpointRefused: nothing listens on the port (connection refused) and the host never
	// answered this client: a wrong port or a stopped service, which retries do not cure.
	EndpointRefused
)

// EndpointError is a URL that cannot work as written: a host name that does not exist, or
// https:// to a server that does not speak TLS. It is never retried; the URL must change.
type EndpointError struct {
	Host    string
	Problem EndpointProblem
	Err     error
}

func (e *EndpointError) Error() string {
	switch e.Problem {
	case EndpointHostNotFound:
		return fmt.Sprintf("host not found: %s does not resolve (%v): check the host name in AXL_URL (or RISPORT_URL)", e.Host, e.Err)
	case EndpointNotTLS:
		return fmt.Sprintf("the server at %s does not speak TLS (%v): check the scheme of AXL_URL (or RISPORT_URL): CUCM serves https:// on port 8443, plain http:// is only for the loopback simulator", e.Host, e.Err)
	case EndpointRefused:
		return fmt.Sprintf("nothing listens on %s (connection refused): check the port in AXL_URL (or RISPORT_URL): CUCM serves AXL and RisPort on 8443, and that the Cisco AXL Web Service runs on that node", e.Host)
	}
	return fmt.Sprintf("cannot reach %s: %v", e.Host, e.Err)
}

func (e *EndpointError) Unwrap() error { return e.Err }

// TimeoutError is a request that did not finish within the per-request timeout.
type TimeoutError struct {
	Host    string
	Timeout time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("%s did not answer within %s (raise AXL_TIMEOUT if the cluster is slow)", e.Host, e.Timeout)
}

// IsAuth reports whether err is an authentication or authorisation refusal (HTTP 401/403).
func IsAuth(err error) bool {
	var he *HTTPError
	return errors.As(err, &he) && (he.Status == 401 || he.Status == 403)
}
