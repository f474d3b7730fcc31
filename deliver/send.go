package deliver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"os"
	"path/filepath"
	"strings"

	gomail "github.com/wneessen/go-mail"

	"github.com/cucm-audit/cucm-audit/internal/scrub"
)

// Attachment is one file to attach.
type Attachment struct {
	Path string // file on disk, read when the message is sent
	Name string // file name the recipient sees; default the base name of Path
}

// Message is one e-mail.
type Message struct {
	To          []string
	Subject     string
	Body        string // plain text
	Attachments []Attachment
}

// Send delivers msg through the configured SMTP server. Errors name the server and what to
// check, never the password.
func Send(ctx context.Context, cfg Config, msg Message) error {
	if len(msg.To) == 0 {
		return errors.New("sending mail: no recipients")
	}
	m := gomail.NewMsg()
	if err := m.From(cfg.From); err != nil {
		return fmt.Errorf("sending mail: SMTP_FROM %q: %w", cfg.From, err)
	}
	if err := m.To(msg.To...); err != nil {
		return fmt.Errorf("sending mail: recipients %s: %w", strings.Join(msg.To, ","), err)
	}
	m.Subject(msg.Subject)
	m.SetDate()
	m.SetMessageID()
	m.SetUserAgent("cucm-audit")
	m.SetBodyString(gomail.TypeTextPlain, msg.Body)
	for _, a := range msg.Attachments {
		st, err := os.Stat(a.Path)
		if err != nil {
			return fmt.Errorf("sending mail: attachment: %w", err)
		}
		if st.IsDir() {
			return fmt.Errorf("sending mail: attachment %s is a folder", a.Path)
		}
		name := a.Name
		if name == "" {
			name = filepath.Base(a.Path)
		}
		ct := mime.TypeByExtension(filepath.Ext(name))
		if ct == "" {
			ct = string(gomail.TypeAppOctetStream)
		}
		m.AttachFile(a.Path, gomail.WithFileName(name), gomail.WithFileContentType(gomail.ContentType(ct)))
	}

	opts := []gomail.Option{gomail.WithPort(cfg.Port), gomail.WithTimeout(cfg.Timeout)}
	tlsConf := &tls.Config{ServerName: cfg.Host, RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12}
	opts = append(opts, gomail.WithTLSConfig(tlsConf))
	switch cfg.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if cfg.User != "" {
		opts = append(opts, gomail.WithSMTPAuth(authType(cfg)), gomail.WithUsername(cfg.User), gomail.WithPassword(cfg.Pass))
	}
	client, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return sendError(cfg, err)
	}
	err = client.DialAndSendWithContext(ctx, m)
	switch {
	case err == nil:
		return nil
	case m.IsDelivered():
		// The server answered 250 to the message; what failed came after it (RSET, QUIT, closing
		// the connection). The mail is delivered: calling it failed would send it twice.
		slog.Warn("the SMTP server accepted the mail, but the connection did not end cleanly",
			"server", cfg.String(), "error", scrub.New(scrub.Credential{User: cfg.User, Pass: cfg.Pass}).String(err.Error()))
		return nil
	}
	se := sendError(cfg, err)
	se.Unconfirmed = handedOver(err)
	return se
}

// handedOver reports whether err came after the whole message was handed to the server, while
// waiting for its answer to it, without the server refusing it (a timeout, a dropped connection,
// a reply that is not an SMTP code): the server may have accepted it. Everything before (dial,
// TLS, AUTH, MAIL FROM, RCPT TO, DATA, writing the content, which never sent the terminating
// dot) and a 4xx/5xx answer to the message mean the server did not take it.
func handedOver(err error) bool {
	var ge *gomail.SendError
	return errors.As(err, &ge) && ge.Reason == gomail.ErrSMTPDataClose && ge.ErrorCode() == 0
}

func authType(cfg Config) gomail.SMTPAuthType {
	noTLS := cfg.TLS == TLSNone
	switch cfg.Auth {
	case "plain":
		if noTLS {
			return gomail.SMTPAuthPlainNoEnc
		}
		return gomail.SMTPAuthPlain
	case "login":
		if noTLS {
			return gomail.SMTPAuthLoginNoEnc
		}
		return gomail.SMTPAuthLogin
	case "cram-md5":
		return gomail.SMTPAuthCramMD5
	case "scram-sha-256":
		return gomail.SMTPAuthSCRAMSHA256
	}
	return gomail.SMTPAuthAutoDiscover
}

// sendError explains a failed send: which server, what failed, what to check. The password, in
// every spelling a server could echo (see package scrub), is scrubbed from anything the library
// or the server said.
func sendError(cfg Config, err error) *SendError {
	hint := "check SMTP_HOST, SMTP_PORT, SMTP_TLS and that the server accepts mail from this host"
	var (
		netErr   net.Error
		opErr    *net.OpError
		dnsErr   *net.DNSError
		certErr  *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		recErr   tls.RecordHeaderError
		sendErr  *gomail.SendError
		msg      = err.Error()
		lowerMsg = strings.ToLower(msg)
	)
	switch {
	case errors.As(err, &certErr), errors.As(err, &unknown), errors.As(err, &hostErr):
		hint = "the server's TLS certificate is not trusted for " + cfg.Host + ": check SMTP_HOST (the name on the certificate) or give its CA in SMTP_CA_FILE"
	case errors.As(err, &recErr):
		hint = "the server does not speak TLS on this port: check SMTP_TLS (starttls for 587, tls for 465) and SMTP_PORT"
	case strings.Contains(lowerMsg, "starttls"):
		hint = "the server does not offer STARTTLS: check SMTP_TLS and SMTP_PORT (tls for port 465)"
	case strings.Contains(msg, "SMTP AUTH") || strings.Contains(lowerMsg, "authentication") || strings.Contains(lowerMsg, "auth"):
		hint = "the server refused the login: check SMTP_USER and SMTP_PASS (or SMTP_PASS_FILE), and SMTP_AUTH"
	case errors.As(err, &sendErr) && sendErr.Reason == gomail.ErrSMTPRcptTo:
		hint = "the server refused a recipient: check --mail-to"
	case errors.As(err, &sendErr) && sendErr.Reason == gomail.ErrSMTPMailFrom:
		hint = "the server refused the sender: check SMTP_FROM (many servers only accept the authenticated user's address)"
	case errors.As(err, &dnsErr):
		hint = "the host name does not resolve: check SMTP_HOST"
	case errors.As(err, &opErr), errors.As(err, &netErr):
		hint = "the server could not be reached: check SMTP_HOST, SMTP_PORT and the firewall"
	}
	// A server may echo what it received: the AUTH PLAIN or LOGIN blob, the password.
	msg = scrub.New(scrub.Credential{User: cfg.User, Pass: cfg.Pass}).String(msg)
	return &SendError{Server: cfg.String(), Detail: msg, Hint: hint}
}

// SendError is a failed delivery: the server, what it said, and what to check.
type SendError struct {
	Server string
	Detail string
	Hint   string
	// Unconfirmed is set when the whole message was handed over but the server's answer to it
	// never came (timeout, dropped connection): it may have been delivered.
	Unconfirmed bool
}

func (e *SendError) Error() string {
	return fmt.Sprintf("sending mail through %s: %s: %s", e.Server, e.Detail, e.Hint)
}
