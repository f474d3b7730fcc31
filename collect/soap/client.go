// Package soap is the one SOAP 1.1 transport the AXL and RisPort70 clients share: HTTPS with
// verified TLS (or an explicit opt-out), Basic auth with JSESSIONIDSSO cookie reuse, a timeout per
// request, bounded response size, streaming XML decoding, typed errors and retries with
// exponential backoff and jitter for transient failures and throttles.
package soap

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

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
