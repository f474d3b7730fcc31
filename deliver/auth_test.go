package deliver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/internal/scrub"
)

// echoServer is a hostile SMTP server on loopback without TLS: it offers AUTH PLAIN and LOGIN
// and refuses every login with a reply that repeats what the client sent (the base64 blobs).
func echoServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func(conn net.Conn) {
				defer conn.Close()
				r := bufio.NewReader(conn)
				say := func(s string) { fmt.Fprintf(conn, "%s\r\n", s) }
				read := func() string {
					line, _ := r.ReadString('\n')
					return strings.TrimRight(line, "\r\n")
				}
				say("220 echo.example ESMTP")
				for {
					line := read()
					verb := strings.ToUpper(strings.Fields(line + " x")[0])
					switch verb {
					case "EHLO", "HELO":
						say("250-echo.example")
						say("250 AUTH PLAIN LOGIN")
					case "AUTH":
						f := strings.Fields(line)
						switch {
						case len(f) == 3: // AUTH PLAIN <blob>
							say("535 5.7.8 authentication failed for " + f[2] + " (" + line + ")")
						case len(f) == 2 && strings.EqualFold(f[1], "PLAIN"):
							say("334 ")
							blob := read()
							say("535 5.7.8 bad PLAIN " + blob)
						default: // LOGIN
							say("334 VXNlcm5hbWU6")
							u := read()
							say("334 UGFzc3dvcmQ6")
							p := read()
							say("535 5.7.8 bad LOGIN user " + u + " password " + p)
						}
					case "QUIT", "":
						say("221 bye")
						return
					default:
						say("502 5.5.1 not here")
					}
				}
			}(conn)
		}
	}()
	return l.Addr().String()
}

// TestSMTPServerEchoesAuthBlob: a server that repeats the AUTH PLAIN or LOGIN blob in its
// refusal never gets the password, in any spelling, into the error.
func TestSMTPServerEchoesAuthBlob(t *testing.T) {
	addr := echoServer(t)
	host, port, _ := net.SplitHostPort(addr)
	const user, pass = "audit-bot", "Echo-Me-Secret-77"
	for _, mech := range []string{"plain", "login"} {
		t.Run(mech, func(t *testing.T) {
			env := map[string]string{"SMTP_HOST": host, "SMTP_PORT": port, "SMTP_TLS": "none", "SMTP_USER": user,
				"SMTP_PASS": pass, "SMTP_FROM": "audit@example.org", "SMTP_AUTH": mech, "SMTP_TIMEOUT": "10s"}
			cfg, err := ConfigFromEnv(func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			err = Send(context.Background(), cfg, Message{To: []string{"a@example.org"}, Subject: "x", Body: "y"})
			t.Log(err)
			var se *SendError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *SendError", err)
			}
			if !strings.Contains(err.Error(), "535") || !strings.Contains(err.Error(), scrub.Mark) {
				t.Errorf("the server's refusal or the redaction mark is missing: %v", err)
			}
			for _, form := range scrub.Forms(user, pass) {
				if strings.Contains(err.Error(), form) {
					t.Errorf("error holds %q: %v", form, err)
				}
			}
		})
	}
}

// TestPlainAuthOnlyToLoopback: SMTP_TLS=none with a login is refused unless the server is on
// this host.
func TestPlainAuthOnlyToLoopback(t *testing.T) {
	for host, ok := range map[string]bool{"smtp.example.org": false, "10.0.0.25": false, "localhost": true, "127.0.0.1": true, "::1": true, "127.0.0.2": true} {
		env := map[string]string{"SMTP_HOST": host, "SMTP_TLS": "none", "SMTP_USER": "u", "SMTP_PASS": "p4ssword", "SMTP_FROM": "a@example.org"}
		_, err := ConfigFromEnv(func(k string) string { return env[k] })
		if ok && err != nil {
			t.Errorf("%s: %v", host, err)
		}
		want := "smtp configuration: SMTP_TLS=none with SMTP_USER would send the password in clear text to " + host +
			": use SMTP_TLS=starttls (or tls), or SMTP_TLS=none only to a relay on this host (SMTP_HOST=localhost or 127.0.0.1)"
		if !ok && (err == nil || err.Error() != want || !errors.Is(err, ErrConfig)) {
			t.Errorf("%s: err = %v\nwant %s", host, err, want)
		}
	}
	// Without a login, SMTP_TLS=none to a remote relay stays allowed.
	env := map[string]string{"SMTP_HOST": "relay.example.org", "SMTP_TLS": "none", "SMTP_FROM": "a@example.org"}
	if _, err := ConfigFromEnv(func(k string) string { return env[k] }); err != nil {
		t.Errorf("relay without login: %v", err)
	}
}
