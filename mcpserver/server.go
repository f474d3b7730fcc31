package mcpserver

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/internal/loopback"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// Options configures a Server.
type Options struct {
	// Store is the snapshot database, opened with snapshot.OpenReadOnly.
	Store *snapshot.Store
	// Rules is the rule catalogue (text, rationale, remediation, controls) that list_rules and
	// explain_finding quote. Without it, rule text comes only from the stored results.
	Rules []results.RuleInfo
	// ReportsDir, when set, is searched (recursively) for the manifests render.WriteAll wrote:
	// the newest Markdown report one of them lists, still a regular file of the recorded size
	// and SHA-256 in the manifest's folder, is the latest-report resource. Nothing else there
	// is ever served (an unlisted or changed file, a link).
	ReportsDir string
	// Markdown renders the latest report in memory when ReportsDir holds no report to serve.
	// Nil: analyze.BuildReport on the latest snapshot, laid out by render's Markdown renderer.
	Markdown func(ctx context.Context) ([]byte, error)
	// Diff compares two snapshots for diff_snapshots. Nil: analyze.DiffSnapshots with its
	// default options (volatile fields ignored, snapshots of two clusters refused).
	Diff func(ctx context.Context, before, after snapshot.Meta) (*results.Diff, error)
	// Version is the tool version reported to clients.
	Version string
	// Logger receives the server's logs (stderr); nil discards them.
	Logger *slog.Logger
}

// Server is the MCP facade over the snapshot store.
type Server struct {
	opts   Options
	log    *slog.Logger
	sdkLog *slog.Logger
	mcp    *mcp.Server
}

// sdkLogger passes the SDK's session chatter (logged at info) only when debug logs are on.
func sdkLogger(log *slog.Logger) *slog.Logger {
	if log.Enabled(context.Background(), slog.LevelDebug) {
		return log
	}
	return slog.New(minLevel{slog.LevelWarn, log.Handler()})
}

// minLevel drops records below a level.
type minLevel struct {
	min slog.Level
	slog.Handler
}

func (m minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= m.min && m.Handler.Enabled(ctx, l)
}

func (m minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevel{m.min, m.Handler.WithAttrs(attrs)}
}

func (m minLevel) WithGroup(name string) slog.Handler {
	return minLevel{m.min, m.Handler.WithGroup(name)}
}

// instructions tell the client what the server is for and how to use it well.
const instructions = `cucm-audit answers questions about stored snapshots of a Cisco Unified Communications Manager
cluster: AXL configuration, RisPort70 registration per node, coverage (what could not be read) and
audit findings. It is read-only and never contacts the cluster: data is as of the snapshot time.
Start with snapshot_summary. Snapshots are referenced as "latest", "latest~1" (the one before) or a
number from list_snapshots. Lists are paged (page_size, offset; truncated=true means more rows).
When coverage has gaps or a rule is inconclusive, say so: never present missing data as a finding.`

// New builds the server and registers its tools, resource and prompt.
func New(opts Options) (*Server, error) {
	if opts.Store == nil {
		return nil, errors.New("mcp server: no snapshot store")
	}
	if opts.Version == "" {
		opts.Version = "dev"
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{opts: opts, log: log, sdkLog: sdkLogger(log)}
	s.mcp = mcp.NewServer(&mcp.Implementation{Name: "cucm-audit", Title: "CUCM audit snapshots", Version: opts.Version},
		&mcp.ServerOptions{Instructions: instructions, Logger: s.sdkLog, Capabilities: &mcp.ServerCapabilities{}})
	s.mcp.AddReceivingMiddleware(s.refreshStore)
	s.addTools()
	s.addResources()
	s.addPrompts()
	return s, nil
}

// refreshStore reopens the store before each request that reads it when the database file
// changed since it was opened immutable (snapshot.Store.Refresh): the server runs for days
// while the database's owner collects. A store that cannot be reopened fails the request
// rather than answer from a file that changed under an immutable reader.
func (s *Server) refreshStore(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		switch method {
		case "tools/call", "resources/read", "prompts/get":
			changed, err := s.opts.Store.Refresh(ctx)
			if err != nil {
				s.log.Warn("the database changed and could not be reopened", "db", s.opts.Store.Path(), "error", err)
				return nil, err
			}
			if changed {
				s.log.Info("the database changed since it was opened: reopened it", "db", s.opts.Store.Path())
			}
		}
		return next(ctx, method, req)
	}
}

// MCP returns the underlying SDK server, for in-process transports.
func (s *Server) MCP() *mcp.Server { return s.mcp }

// RunStdio serves one client over in and out (stdin and stdout of the process) until the
// client disconnects or ctx ends. Nothing else may write to out; it stays open when the
// transport closes.
func (s *Server) RunStdio(ctx context.Context, in io.ReadCloser, out io.Writer) error {
	s.log.Info("serving MCP on stdio", "db", s.opts.Store.Path())
	err := s.mcp.Run(ctx, &mcp.IOTransport{Reader: in, Writer: nopWriteCloser{out}})
	if err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, io.EOF)) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("serving mcp on stdio: %w", err)
	}
	return nil
}

// Handler is the streamable HTTP handler behind bearer-token authentication. An empty token
// refuses every request: the server is never reachable over HTTP without one.
func (s *Server) Handler(token string) http.Handler {
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s.mcp },
		&mcp.StreamableHTTPOptions{Logger: s.sdkLog})
	return requireBearer(token, h)
}

// requireBearer refuses with 401 every request that does not carry "Authorization: Bearer
// <token>" (the scheme is case-insensitive, RFC 7235). Both sides are hashed before a
// constant-time comparison, so neither the bytes nor the length of the token can be guessed
// from response times. An empty token matches nothing.
func requireBearer(token string, next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, got, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		got = strings.TrimSpace(got)
		sum := sha256.Sum256([]byte(got))
		ok := strings.EqualFold(scheme, "Bearer") && got != "" && token != ""
		if subtle.ConstantTimeCompare(sum[:], want[:]) != 1 || !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="cucm-audit"`)
			http.Error(w, "unauthorized: send Authorization: Bearer <MCP_TOKEN>", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// nopWriteCloser keeps the caller's stdout open when the transport closes.
type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// HTTPToken is the bearer token for serving on addr, from TokenFromEnv and checked by
// CheckHTTPAccess.
func HTTPToken(addr string, getenv func(string) string) (string, error) {
	token, err := TokenFromEnv(getenv)
	if err == nil {
		err = CheckHTTPAccess(addr, token)
	}
	if err != nil {
		return "", err
	}
	return token, nil
}

// CheckHTTPAccess decides whether serving on addr with token is allowed. HTTP always needs a
// token, loopback included: any local process (another user's, a browser page through DNS
// rebinding) could otherwise read the snapshots.
func CheckHTTPAccess(addr, token string) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("http address %q: %w (want HOST:PORT, e.g. 127.0.0.1:8765)", addr, err)
	}
	if token == "" {
		return fmt.Errorf("refusing to serve MCP over HTTP on %s without a bearer token: set MCP_TOKEN to a secret "+
			"string, or MCP_TOKEN_FILE to a file holding one (clients send it as \"Authorization: Bearer <token>\")", addr)
	}
	return nil
}

// TokenFromEnv reads the bearer token from MCP_TOKEN, or from the file MCP_TOKEN_FILE names
// (surrounding white space trimmed). Neither set gives "" (CheckHTTPAccess then refuses HTTP);
// both set is an error, so the choice is never ambiguous. Errors name the variable and the file,
// never the token.
func TokenFromEnv(getenv func(string) string) (string, error) {
	tok, file := getenv("MCP_TOKEN"), getenv("MCP_TOKEN_FILE")
	switch {
	case tok != "" && file != "":
		return "", errors.New("both MCP_TOKEN and MCP_TOKEN_FILE are set: keep one")
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err // the path is named below, once
			}
			return "", fmt.Errorf("reading MCP_TOKEN_FILE %s: %w (point it at a readable file holding the bearer token)", file, err)
		}
		return checkToken(string(b), "MCP_TOKEN_FILE "+file)
	case tok != "":
		return checkToken(tok, "MCP_TOKEN")
	}
	return "", nil
}

// checkToken trims the token and refuses one that an Authorization header cannot carry.
func checkToken(raw, source string) (string, error) {
	t := strings.TrimSpace(raw)
	if t == "" {
		return "", fmt.Errorf("%s is empty: put the bearer token in it", source)
	}
	if strings.ContainsFunc(t, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return "", fmt.Errorf("the token in %s contains white space or control characters: use one line of "+
			"printable characters (e.g. the output of `openssl rand -hex 32`)", source)
	}
	return t, nil
}

// ListenAndServe serves streamable HTTP on addr until ctx ends. ready, when not nil, receives
// the bound address once the listener is open (useful with port 0).
func (s *Server) ListenAndServe(ctx context.Context, addr, token string, ready func(net.Addr)) error {
	if err := CheckHTTPAccess(addr, token); err != nil {
		return err
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: s.Handler(token), ReadHeaderTimeout: 10 * time.Second}
	s.log.Info("serving MCP over streamable HTTP", "addr", ln.Addr().String(), "db", s.opts.Store.Path())
	if host, _, _ := net.SplitHostPort(addr); !loopback.Host(host) {
		s.log.Warn("serving plain HTTP on a non-loopback address: the token and the answers cross the network unencrypted; put a TLS proxy in front", "addr", addr)
	}
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving mcp on %s: %w", addr, err)
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
		return nil
	}
}
