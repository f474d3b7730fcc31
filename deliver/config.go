package deliver

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/mail"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cucm-audit/cucm-audit/internal/loopback"
)

// TLSMode is how the connection to the SMTP server is protected.
type TLSMode string

// TLS modes of SMTP_TLS.
const (
	TLSStartTLS TLSMode = "starttls" // plain connection upgraded with STARTTLS; refused if the server lacks it
	TLSImplicit TLSMode = "tls"      // TLS from the first byte (port 465)
	TLSNone     TLSMode = "none"     // no encryption: a local relay only
)

// ErrConfig marks a configuration error: fix the environment, retrying will not help.
var ErrConfig = errors.New("smtp configuration")

// Config is everything needed to reach the SMTP server. Build it with ConfigFromEnv.
type Config struct {
	Host    string
	Port    int
	TLS     TLSMode
	User    string
	Pass    string // secret: never printed
	From    string
	Auth    string // "", "auto", "plain", "login", "cram-md5", "scram-sha-256"
	RootCAs *x509.CertPool
	CAFile  string
	Timeout time.Duration
}

// String describes the configuration for logs and errors, without the password.
func (c Config) String() string {
	s := fmt.Sprintf("%s:%d (%s)", c.Host, c.Port, c.TLS)
	if c.User != "" {
		s += " as " + c.User
	}
	return s
}

// GoString keeps the password out of %#v too.
func (c Config) GoString() string { return "deliver.Config{" + c.String() + "}" }

// ConfigFromEnv reads the SMTP_* variables (see the package documentation) through getenv, so
// tests pass a map and main passes os.Getenv. A missing or invalid value is an error wrapping
// ErrConfig that names the variable; nothing is contacted.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	bad := func(format string, args ...any) (Config, error) {
		return Config{}, fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, args...))
	}
	c := Config{
		Host: strings.TrimSpace(getenv("SMTP_HOST")),
		User: getenv("SMTP_USER"),
		Pass: getenv("SMTP_PASS"),
		From: strings.TrimSpace(getenv("SMTP_FROM")),
		Auth: strings.ToLower(strings.TrimSpace(getenv("SMTP_AUTH"))),
	}
	if c.Host == "" {
		return bad("SMTP_HOST is not set: name the mail server, e.g. SMTP_HOST=smtp.example.org")
	}
	switch mode := strings.ToLower(strings.TrimSpace(getenv("SMTP_TLS"))); mode {
	case "", "starttls":
		c.TLS, c.Port = TLSStartTLS, 587
	case "tls", "ssl", "smtps":
		c.TLS, c.Port = TLSImplicit, 465
	case "none":
		c.TLS, c.Port = TLSNone, 25
	default:
		return bad("SMTP_TLS=%q: want starttls, tls or none", mode)
	}
	if p := strings.TrimSpace(getenv("SMTP_PORT")); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return bad("SMTP_PORT=%q: want a port number from 1 to 65535", p)
		}
		c.Port = n
	}
	if c.From == "" {
		return bad("SMTP_FROM is not set: give the sender address, e.g. SMTP_FROM=voice-audit@example.org")
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		return bad("SMTP_FROM=%q is not an e-mail address: %v", c.From, err)
	}
	if f := getenv("SMTP_PASS_FILE"); f != "" {
		if c.Pass != "" {
			return bad("both SMTP_PASS and SMTP_PASS_FILE are set: keep one")
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return bad("SMTP_PASS_FILE: %v", err)
		}
		c.Pass, _, _ = strings.Cut(string(b), "\n")
		c.Pass = strings.TrimRight(c.Pass, "\r")
	}
	if c.User != "" && c.Pass == "" {
		return bad("SMTP_USER is set but no password: set SMTP_PASS or SMTP_PASS_FILE")
	}
	if c.User == "" && c.Pass != "" {
		return bad("a password is set but SMTP_USER is empty: set SMTP_USER")
	}
	if c.TLS == TLSNone && c.User != "" && !loopback.Host(c.Host) {
		return bad("SMTP_TLS=none with SMTP_USER would send the password in clear text to %s: use SMTP_TLS=starttls (or tls), or SMTP_TLS=none only to a relay on this host (SMTP_HOST=localhost or 127.0.0.1)", c.Host)
	}
	switch c.Auth {
	case "", "auto", "plain", "login", "cram-md5", "scram-sha-256":
	default:
		return bad("SMTP_AUTH=%q: want auto, plain, login, cram-md5 or scram-sha-256", c.Auth)
	}
	if c.CAFile = getenv("SMTP_CA_FILE"); c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return bad("SMTP_CA_FILE: %v", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return bad("SMTP_CA_FILE=%s holds no PEM certificate", c.CAFile)
		}
		c.RootCAs = pool
	}
	c.Timeout = 30 * time.Second
	if t := strings.TrimSpace(getenv("SMTP_TIMEOUT")); t != "" {
		d, err := time.ParseDuration(t)
		if err != nil || d <= 0 {
			return bad("SMTP_TIMEOUT=%q: want a positive Go duration such as 30s", t)
		}
		c.Timeout = d
	}
	return c, nil
}
