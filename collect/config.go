package collect

import (
	"errors"
	"fmt"
	"github.com/cucm-audit/cucm-audit/snapshot/manifest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cucm-audit/cucm-audit/internal/loopback"
	"github.com/cucm-audit/cucm-audit/internal/yamlfile"
)

// ErrConfig marks configuration errors: missing or invalid settings, found before any network
// access. Test with errors.Is(err, collect.ErrConfig).
var ErrConfig = errors.New("configuration error")

// configErrorf is a configuration error; format may wrap a cause with %w.
func configErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: %w", ErrConfig, fmt.Errorf(format, args...))
}

// Secret holds a password. Its String, GoString and MarshalText redact it, so it cannot leak
// through fmt, logs or JSON by accident; Reveal returns the value for the one place that sends it.
type Secret string

const redacted = "[REDACTED]"

// String redacts the secret.
func (Secret) String() string { return redacted }

// GoString redacts the secret.
func (Secret) GoString() string { return redacted }

// MarshalText redacts the secret.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Reveal returns the secret itself.
func (s Secret) Reveal() string { return string(s) }

// Defaults of the configuration.
const (
	DefaultRetries       = 3
	DefaultTimeout       = 60 * time.Second
	DefaultRisRateLimit  = 15
	DefaultRisRateWindow = 60 * time.Second
	DefaultRisMaxDevices = 1000
	RisPortPath          = "/realtimeservice2/services/RISService70"
)

// Defaults of the bounds on waiting.
const (
	// DefaultMaxWait caps a wait the cluster asks for (Retry-After, a RateControl fault).
	DefaultMaxWait = 2 * time.Minute
	// DefaultCollectTimeout is the deadline of a whole collection.
	DefaultCollectTimeout = 2 * time.Hour
)

// Config is everything a collection needs. Build it with ConfigFromEnv or LoadConfigFile.
type Config struct {
	// Cluster is the cluster id stored with each snapshot (CUCM_CLUSTER; default the AXL host).
	Cluster string
	// AXLURL is the publisher's AXL endpoint, https://host:8443/axl/ (AXL_URL).
	AXLURL string
	// RisPortURL is the RisPort70 endpoint (RISPORT_URL; default the AXL host with RisPortPath).
	RisPortURL string
	// User and Password authenticate to both APIs (AXL_USER; AXL_PASS or AXL_PASS_FILE).
	User     string
	Password Secret
	// VerifyTLS is true unless AXL_VERIFY_TLS=false; CAFile adds a PEM bundle (AXL_CA_FILE).
	VerifyTLS bool
	CAFile    string
	// Retries is how often a transient failure is retried (AXL_RATE_LIMIT_RETRIES, default 3, 0 disables).
	Retries int
	// Timeout bounds each request (AXL_TIMEOUT, Go duration, default 60s).
	Timeout time.Duration
	// RisRateLimit requests per RisRateWindow (RISPORT_RATE_LIMIT, RISPORT_RATE_WINDOW; 15 per 60s).
	RisRateLimit  int
	RisRateWindow time.Duration
	// RisMaxDevices is MaxReturnedDevices, the cap of one RisPort answer (RISPORT_MAX_DEVICES, 1000).
	RisMaxDevices int
	// MaxWait is the longest wait the cluster may ask for (Retry-After, a RateControl fault) that
	// is obeyed; a longer demand fails that read (AXL_MAX_WAIT, default 2m).
	MaxWait time.Duration
	// CollectTimeout is the deadline of a whole collection: what is not read by then is stored
	// as incomplete coverage and the snapshot is partial (COLLECT_TIMEOUT, --timeout, default 2h).
	CollectTimeout time.Duration

	// AXLPageSize is the executeSQLQuery page size (0: axl.DefaultPageSize). Not from the environment.
	AXLPageSize int
	// InitialBackoff is the first retry delay (0: one second). Tests shorten it.
	InitialBackoff time.Duration
	// ToolVersion is stored with each snapshot.
	ToolVersion string
	// Manifest lists the CUCM tables mirrored into the snapshot (nil: the built-in manifest).
	Manifest *manifest.Manifest
}

// AXLHost is the host:port of the AXL URL.
func (c Config) AXLHost() string {
	u, err := url.Parse(c.AXLURL)
	if err != nil {
		return redactURL(c.AXLURL)
	}
	return u.Host
}

// ConfigFromEnv reads the configuration from environment variables through getenv (os.Getenv in
// production). Every error wraps ErrConfig and names the variable.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		AXLURL:     strings.TrimSpace(getenv("AXL_URL")),
		RisPortURL: strings.TrimSpace(getenv("RISPORT_URL")),
		User:       getenv("AXL_USER"),
		CAFile:     getenv("AXL_CA_FILE"),
		Cluster:    strings.TrimSpace(getenv("CUCM_CLUSTER")),
	}
	pass, passFile := getenv("AXL_PASS"), getenv("AXL_PASS_FILE")
	if pass != "" && passFile != "" {
		return Config{}, configErrorf("AXL_PASS and AXL_PASS_FILE are both set: keep one")
	}
	if passFile != "" {
		p, err := readPasswordFile(passFile, "AXL_PASS_FILE")
		if err != nil {
			return Config{}, err
		}
		pass = p
	}
	c.Password = Secret(pass)
	var err error
	if c.VerifyTLS, err = envBool(getenv, "AXL_VERIFY_TLS", true); err != nil {
		return Config{}, err
	}
	if c.Retries, err = envInt(getenv, "AXL_RATE_LIMIT_RETRIES", DefaultRetries, 0); err != nil {
		return Config{}, err
	}
	if c.Timeout, err = envDuration(getenv, "AXL_TIMEOUT", DefaultTimeout); err != nil {
		return Config{}, err
	}
	if c.RisRateLimit, err = envInt(getenv, "RISPORT_RATE_LIMIT", DefaultRisRateLimit, 1); err != nil {
		return Config{}, err
	}
	if c.RisRateWindow, err = envDuration(getenv, "RISPORT_RATE_WINDOW", DefaultRisRateWindow); err != nil {
		return Config{}, err
	}
	if c.RisMaxDevices, err = envInt(getenv, "RISPORT_MAX_DEVICES", DefaultRisMaxDevices, 1); err != nil {
		return Config{}, err
	}
	if c.MaxWait, err = envDuration(getenv, "AXL_MAX_WAIT", DefaultMaxWait); err != nil {
		return Config{}, err
	}
	if c.CollectTimeout, err = envDuration(getenv, "COLLECT_TIMEOUT", DefaultCollectTimeout); err != nil {
		return Config{}, err
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate checks the configuration and fills derived defaults (RisPort URL, cluster id).
func (c *Config) Validate() error {
	if c.AXLURL == "" {
		return configErrorf("AXL_URL is not set: give the publisher's AXL endpoint, e.g. https://cucm-pub.example.com:8443/axl/")
	}
	u, err := checkURL("AXL_URL", c.AXLURL)
	if err != nil {
		return err
	}
	if !strings.HasSuffix(u.Path, "/") {
		// CUCM requires the trailing slash on /axl/.
		u.Path += "/"
		c.AXLURL = u.String()
	}
	if c.RisPortURL == "" {
		r := *u
		r.Path = RisPortPath
		r.RawQuery = ""
		c.RisPortURL = r.String()
	} else if _, err := checkURL("RISPORT_URL", c.RisPortURL); err != nil {
		return err
	}
	if c.User == "" {
		return configErrorf("AXL_USER is not set: give the AXL application user")
	}
	if c.Password == "" {
		return configErrorf("no password: set AXL_PASS or AXL_PASS_FILE (a file holding the password)")
	}
	if c.CAFile != "" {
		if _, err := os.Stat(c.CAFile); err != nil {
			return configErrorf("AXL_CA_FILE %s cannot be read: %w", c.CAFile, errors.Unwrap(err))
		}
	}
	if c.Cluster == "" {
		c.Cluster = u.Hostname()
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.RisRateLimit <= 0 {
		c.RisRateLimit = DefaultRisRateLimit
	}
	if c.RisRateWindow <= 0 {
		c.RisRateWindow = DefaultRisRateWindow
	}
	if c.RisMaxDevices <= 0 {
		c.RisMaxDevices = DefaultRisMaxDevices
	}
	if c.MaxWait <= 0 {
		c.MaxWait = DefaultMaxWait
	}
	if c.CollectTimeout <= 0 {
		c.CollectTimeout = DefaultCollectTimeout
	}
	if c.RisRateWindow > c.MaxWait {
		// A RateControl fault is waited out for one window: a window over the cap never is.
		return configErrorf("RISPORT_RATE_WINDOW=%s is longer than AXL_MAX_WAIT=%s, so a RisPort rate-control fault could never be waited out: raise AXL_MAX_WAIT to at least the window", c.RisRateWindow, c.MaxWait)
	}
	if c.RisMaxDevices > DefaultRisMaxDevices {
		// Truncation is detected by an answer that fills the requested cap. CUCM caps answers at
		// 1000 (2000 on some releases), never lower, so asking for more than 1000 could be cut
		// short silently and a capped answer read as the whole class: false orphans.
		return configErrorf("RISPORT_MAX_DEVICES=%d: want at most %d, the cap every CUCM release honours", c.RisMaxDevices, DefaultRisMaxDevices)
	}
	if c.Retries < 0 {
		return configErrorf("retries must be 0 or more")
	}
	return nil
}

// checkURL parses the endpoint named by the variable name. It refuses credentials in the URL,
// a scheme other than https, and plain http except to a loopback address (the simulator).
// Its errors never echo userinfo, nor any part of a URL that does not parse.
func checkURL(name, raw string) (*url.URL, error) {
	// An AXL or RisPort URL never holds '@'. One that does carries user:password@, perhaps
	// mangled: a password holding '/' or '#' moves the '@' into the path or fragment, where
	// url.Parse takes "user:pa" for the host (and its error quotes the fragment).
	if strings.Contains(raw, "@") {
		return nil, configErrorf("%s must not carry credentials (user:password@): give the user in AXL_USER and the password in AXL_PASS or AXL_PASS_FILE", name)
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's message quotes the URL or a piece of it, which may be part of a
		// password: say what is wrong in our own words only.
		return nil, configErrorf("%s is not a valid URL (%s); its text is not repeated here, as it may hold a password: write it as https://cucm-pub.example.com:8443/axl/, with the user in AXL_USER and the password in AXL_PASS or AXL_PASS_FILE",
			name, urlProblem(err))
	}
	if u.User != nil {
		return nil, configErrorf("%s must not carry credentials (user:password@): give the user in AXL_USER and the password in AXL_PASS or AXL_PASS_FILE", name)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, configErrorf("%s %q must start with https:// (e.g. https://cucm-pub:8443/axl/)", name, redactURL(raw))
	}
	if u.Host == "" {
		return nil, configErrorf("%s %q has no host", name, redactURL(raw))
	}
	if u.Scheme == "http" && !loopback.Host(u.Hostname()) {
		// AXL and RisPort carry the AXL password on every request: never in clear over a network.
		return nil, configErrorf("%s %q uses plain http:// to %s: use https:// (CUCM serves AXL on https://host:8443/axl/); plain http is accepted only to a loopback address such as the simulator's 127.0.0.1",
			name, redactURL(raw), u.Hostname())
	}
	return u, nil
}

// urlProblem says in fixed words why url.Parse refused a URL, without quoting any of it.
func urlProblem(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "invalid URL escape"):
		return "a '%' not followed by two hexadecimal digits"
	case strings.Contains(msg, "invalid port"):
		return "the part after ':' in the host is not a port number"
	case strings.Contains(msg, "host name"):
		return "a character that is not allowed in a host name"
	case strings.Contains(msg, "missing protocol scheme"):
		return "no scheme: start it with https://"
	case strings.Contains(msg, "control character"):
		return "a control character such as a line break"
	case strings.Contains(msg, "IPv6") || strings.Contains(msg, "bracket"):
		return "a malformed [IPv6] address"
	}
	return "it does not parse"
}

// isPlainHTTP reports whether the endpoint is plain http (allowed to loopback only).
func isPlainHTTP(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == "http"
}

// redactURL returns raw without its userinfo (user:password@), for errors and logs. A string
// that does not parse as a URL loses everything up to its last '@' after the scheme.
func redactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		if u.User == nil && !strings.Contains(u.Opaque, "@") {
			return raw
		}
		if u.User != nil {
			u.User = nil
			return u.String()
		}
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		scheme, rest = "", raw
	} else {
		scheme += "://"
	}
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		rest = rest[i+1:]
	}
	return scheme + rest
}

func readPasswordFile(path, what string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", configErrorf("%s %s cannot be read: %w", what, path, errors.Unwrap(err))
	}
	p := strings.TrimRight(string(b), "\r\n")
	if p == "" {
		return "", configErrorf("%s %s is empty", what, path)
	}
	return p, nil
}

func envBool(getenv func(string) string, name string, def bool) (bool, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, configErrorf("%s=%q: want true or false", name, v)
	}
	return b, nil
}

func envInt(getenv func(string) string, name string, def, minimum int) (int, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < minimum {
		return 0, configErrorf("%s=%q: want a whole number ≥ %d", name, v, minimum)
	}
	return n, nil
}

func envDuration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, configErrorf("%s=%q: want a positive Go duration such as 30s or 1m", name, v)
	}
	return d, nil
}

// fileConfig is the YAML configuration file: several clusters, one chosen with --cluster, and
// the analysis settings.
type fileConfig struct {
	Clusters []fileCluster  `yaml:"clusters"`
	Analysis AnalysisConfig `yaml:"analysis"`
	// Collect lists collection manifests added to the built-in one (paths relative to the file).
	Collect []string `yaml:"collect"`
}

// AnalysisConfig is the analysis: block of the configuration file (yamlfile.AnalysisSettings):
// collect reads the file, analyze applies the block.
type AnalysisConfig = yamlfile.AnalysisSettings

// Setting is one value of the configuration file with the line it was written on.
type Setting[T any] = yamlfile.Setting[T]

// LoadAnalysisConfig reads the analysis: block of a configuration file (strictly, like
// LoadConfigFile: an unknown key anywhere fails). A file without the block gives a zero
// AnalysisConfig with File set; the file need not list clusters.
func LoadAnalysisConfig(path string) (AnalysisConfig, error) {
	fc, err := readConfigFile(path)
	if err != nil {
		return AnalysisConfig{}, err
	}
	fc.Analysis.File = path
	return fc.Analysis, nil
}

// locatedError is a decoder error reworded to name the file and line; it still unwraps to the
// decoder's error.
type locatedError struct {
	msg string
	err error
}

func (e *locatedError) Error() string { return e.msg }
func (e *locatedError) Unwrap() error { return e.err }

// readConfigFile decodes a configuration file strictly. Unknown keys and wrong types are named
// by file and line ("config.yaml:12: field x not found"); an empty file is an empty config.
func readConfigFile(path string) (fileConfig, error) {
	var fc fileConfig
	data, err := os.ReadFile(path)
	if err != nil {
		return fc, configErrorf("reading config file %s: %w", path, errors.Unwrap(err))
	}
	_, err = yamlfile.Decode(path, data, &fc)
	var ye *yamlfile.Error
	if !errors.As(err, &ye) || errors.Is(err, yamlfile.ErrEmpty) {
		return fc, nil
	}
	msgs := make([]string, len(ye.Problems))
	for i, p := range ye.Problems {
		if p.Msg == "field password not found" || p.Msg == "field pass not found" {
			p.Msg = "no password in the config file: use password_file (a file of mode 0600) or password_env (a variable's name)"
		}
		msgs[i] = p.Located(path)
	}
	return fc, configErrorf("%w", &locatedError{strings.Join(msgs, "; "), err})
}

type fileCluster struct {
	Name          string `yaml:"name"`
	AXLURL        string `yaml:"axl_url"`
	RisPortURL    string `yaml:"risport_url"`
	User          string `yaml:"user"`
	PasswordFile  string `yaml:"password_file"`
	PasswordEnv   string `yaml:"password_env"`
	VerifyTLS     *bool  `yaml:"verify_tls"`
	CAFile        string `yaml:"ca_file"`
	Retries       *int   `yaml:"retries"`
	Timeout       string `yaml:"timeout"`
	RisRateLimit  int    `yaml:"risport_rate_limit"`
	RisRateWindow string `yaml:"risport_rate_window"`
	RisMaxDevices int    `yaml:"risport_max_devices"`
	MaxWait       string `yaml:"max_wait"`
	Deadline      string `yaml:"collect_timeout"`
}

// LoadConfigFile reads a strict YAML file listing clusters and returns the one named cluster
// (the only one when cluster is "" and the file lists one). Passwords are never inline: each
// cluster gives password_file or password_env (read through getenv).
//
//	clusters:
//	  - name: hq
//	    axl_url: https://cucm-pub.example.com:8443/axl/
//	    user: axlaudit
//	    password_file: /etc/cucm-audit/hq.pass
//	    ca_file: /etc/cucm-audit/ca.pem
func LoadConfigFile(path, cluster string, getenv func(string) string) (Config, error) {
	fc, err := readConfigFile(path)
	if err != nil {
		return Config{}, err
	}
	if len(fc.Clusters) == 0 {
		return Config{}, configErrorf("config file %s lists no clusters", path)
	}
	var fcl *fileCluster
	var names []string
	for i := range fc.Clusters {
		names = append(names, fc.Clusters[i].Name)
		if fc.Clusters[i].Name == cluster {
			fcl = &fc.Clusters[i]
		}
	}
	if cluster == "" {
		if len(fc.Clusters) != 1 {
			return Config{}, configErrorf("config file %s lists several clusters (%s): choose one with --cluster", path, strings.Join(names, ", "))
		}
		fcl = &fc.Clusters[0]
	}
	if fcl == nil {
		return Config{}, configErrorf("config file %s has no cluster %q (it has %s)", path, cluster, strings.Join(names, ", "))
	}
	where := fmt.Sprintf("config file %s, cluster %q", path, fcl.Name)
	m, err := configManifests(path, fc.Collect)
	if err != nil {
		return Config{}, err
	}
	c := Config{Manifest: m,
		Cluster: fcl.Name, AXLURL: fcl.AXLURL, RisPortURL: fcl.RisPortURL, User: fcl.User,
		VerifyTLS: true, CAFile: fcl.CAFile, Retries: DefaultRetries, Timeout: DefaultTimeout,
		RisRateLimit: fcl.RisRateLimit, RisRateWindow: DefaultRisRateWindow, RisMaxDevices: fcl.RisMaxDevices,
		MaxWait: DefaultMaxWait, CollectTimeout: DefaultCollectTimeout,
	}
	if fcl.VerifyTLS != nil {
		c.VerifyTLS = *fcl.VerifyTLS
	}
	if fcl.Retries != nil {
		c.Retries = *fcl.Retries
	}
	for _, d := range []struct {
		field, v string
		dst      *time.Duration
	}{{"timeout", fcl.Timeout, &c.Timeout}, {"risport_rate_window", fcl.RisRateWindow, &c.RisRateWindow},
		{"max_wait", fcl.MaxWait, &c.MaxWait}, {"collect_timeout", fcl.Deadline, &c.CollectTimeout}} {
		if d.v == "" {
			continue
		}
		v, err := time.ParseDuration(d.v)
		if err != nil || v <= 0 {
			return Config{}, configErrorf("%s: %s %q: want a positive Go duration such as 30s", where, d.field, d.v)
		}
		*d.dst = v
	}
	switch {
	case fcl.PasswordFile != "" && fcl.PasswordEnv != "":
		return Config{}, configErrorf("%s: password_file and password_env are both set: keep one", where)
	case fcl.PasswordFile != "":
		p, err := readPasswordFile(fcl.PasswordFile, where+": password_file")
		if err != nil {
			return Config{}, err
		}
		c.Password = Secret(p)
	case fcl.PasswordEnv != "":
		p := getenv(fcl.PasswordEnv)
		if p == "" {
			return Config{}, configErrorf("%s: password_env names %s, which is not set", where, fcl.PasswordEnv)
		}
		c.Password = Secret(p)
	default:
		return Config{}, configErrorf("%s: give password_file or password_env (passwords are never inline)", where)
	}
	if c.AXLURL == "" {
		return Config{}, configErrorf("%s: axl_url is not set", where)
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("%s: %w", where, err)
	}
	return c, nil
}
