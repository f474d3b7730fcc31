// Package smtptest runs a real SMTP server (github.com/emersion/go-smtp) on loopback for tests:
// STARTTLS with a self-signed certificate written as a CA file, AUTH PLAIN and LOGIN accepted
// only after TLS, every accepted message kept. Parse reads a received message the way a mail
// client does, with net/mail and mime/multipart. Only tests import it.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one message the server accepted.
type Message struct {
	From string   // MAIL FROM
	To   []string // RCPT TO, in order
	Data []byte   // the message as received
	Mech string   // SASL mechanism the client authenticated with
}

// Server is a running test SMTP server.
type Server struct {
	Addr   string // 127.0.0.1:port
	Host   string
	Port   string
	CAFile string // PEM of the server certificate ("" without TLS)
	User   string
	Pass   string

	mu   sync.Mutex
	msgs []Message
}

// Options configure NewServer.
type Options struct {
	NoTLS bool   // offer no STARTTLS (and allow AUTH in clear text)
	User  string // default "audit-bot"
	Pass  string // default "s3cret-Pa55"
}

// NewServer starts a server; it stops when the test ends.
func NewServer(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.User == "" {
		opts.User = "audit-bot"
	}
	if opts.Pass == "" {
		opts.Pass = "s3cret-Pa55"
	}
	s := &Server{User: opts.User, Pass: opts.Pass}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{srv: s}, nil }))
	srv.Domain = "127.0.0.1"
	srv.ErrorLog = logger{t}
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	if opts.NoTLS {
		srv.AllowInsecureAuth = true
	} else {
		cert, pemBytes, err := selfSigned()
		if err != nil {
			t.Fatal(err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		s.CAFile = filepath.Join(t.TempDir(), "smtp-ca.pem")
		if err := os.WriteFile(s.CAFile, pemBytes, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = l.Addr().String()
	s.Host, s.Port, _ = net.SplitHostPort(s.Addr)
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return s
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Env is a getenv for deliver.ConfigFromEnv that points at this server with its credentials;
// extra overrides or adds variables ("" unsets one).
func (s *Server) Env(extra map[string]string) func(string) string {
	e := map[string]string{
		"SMTP_HOST": s.Host, "SMTP_PORT": s.Port, "SMTP_USER": s.User, "SMTP_PASS": s.Pass,
		"SMTP_FROM": "CUCM audit <voice-audit@example.org>", "SMTP_CA_FILE": s.CAFile, "SMTP_TIMEOUT": "20s",
	}
	for k, v := range extra {
		e[k] = v
	}
	return func(k string) string { return e[k] }
}

type logger struct{ t testing.TB }

func (l logger) Printf(format string, v ...any) { l.t.Logf("smtp server: "+format, v...) }
func (l logger) Println(v ...any)               { l.t.Log(append([]any{"smtp server:"}, v...)...) }

type session struct {
	srv    *Server
	authed bool
	mech   string
	cur    Message
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain, sasl.Login} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if user != s.srv.User || pass != s.srv.Pass {
			return smtp.ErrAuthFailed
		}
		s.authed, s.mech = true, mech
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, smtp.ErrAuthUnsupported
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.cur = Message{From: from, Mech: s.mech}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = b
	s.srv.mu.Lock()
	s.srv.msgs = append(s.srv.msgs, s.cur)
	s.srv.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.cur = Message{} }
func (s *session) Logout() error { return nil }

// loginServer is the server side of AUTH LOGIN (go-sasl ships only the client).
type loginServer struct {
	step  int
	user  string
	check func(user, pass string) error
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step = 1
		if len(resp) == 0 {
			return []byte("Username:"), false, nil
		}
		fallthrough
	case 1:
		l.user = string(resp)
		l.step = 2
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(l.user, string(resp))
	}
}

func selfSigned() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "smtptest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// Parsed is a received message as a reader sees it.
type Parsed struct {
	Header      mail.Header
	Subject     string            // decoded
	Body        string            // the text parts
	Attachments map[string][]byte // file name -> decoded content
}

// Parse reads a multipart/mixed message with net/mail and mime/multipart and decodes its parts.
func Parse(data []byte) (*Parsed, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("reading message: %w", err)
	}
	p := &Parsed{Header: msg.Header, Attachments: map[string][]byte{}}
	if p.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return nil, fmt.Errorf("decoding subject: %w", err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return nil, fmt.Errorf("content type: %w", err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		b, err := io.ReadAll(msg.Body)
		p.Body = string(b)
		return p, err
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return p, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading MIME part: %w", err)
		}
		raw, err := io.ReadAll(part)
		if err != nil {
			return nil, fmt.Errorf("reading MIME part: %w", err)
		}
		content := raw // multipart.Reader already decodes quoted-printable
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "base64") {
			content, err = base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(raw)))
			if err != nil {
				return nil, fmt.Errorf("decoding base64 part %q: %w", part.FileName(), err)
			}
		}
		if name := part.FileName(); name != "" {
			p.Attachments[name] = content
		} else {
			p.Body += string(content)
		}
	}
}
