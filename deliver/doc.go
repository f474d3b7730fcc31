// Package deliver e-mails rendered reports over SMTP (through github.com/wneessen/go-mail, never
// hand-built MIME) and decides, for scheduled runs, whether anything changed since the last
// report mailed for a cluster.
//
// Configuration comes from the environment, never from flags:
//
//	SMTP_HOST       mail server host name (required to send)
//	SMTP_PORT       port; default 587 for starttls, 465 for tls, 25 for none
//	SMTP_TLS        starttls (default: STARTTLS is required, never skipped), tls (implicit TLS,
//	                "SMTPS"), or none (plain text, for a local relay only; no AUTH is attempted
//	                without TLS unless SMTP_USER is set, and SMTP_USER with none is refused
//	                unless SMTP_HOST is localhost or a loopback address)
//	SMTP_USER       user name for SMTP AUTH; empty means no authentication
//	SMTP_PASS       password for SMTP AUTH, or
//	SMTP_PASS_FILE  a file holding it (first line; for systemd credentials or Docker secrets)
//	SMTP_FROM       sender address, e.g. "CUCM audit <voice-audit@example.org>" (required)
//	SMTP_AUTH       auto (default: the strongest mechanism the server offers), plain, login,
//	                cram-md5, scram-sha-256
//	SMTP_CA_FILE    PEM bundle of extra CAs that may sign the server's certificate
//	SMTP_TIMEOUT    per-connection timeout, a Go duration; default 30s
//
// The password never appears in logs, errors, the database or reports: the server's replies are
// scrubbed of it in every spelling a server could echo (the AUTH PLAIN and LOGIN blobs
// included) by package internal/scrub before they enter an error.
//
// A scheduled run uses a Policy: PolicyAlways mails every time; PolicyChanged mails only when
// the open findings or the devices' registration states differ from the last report mailed for
// the cluster; PolicyNewFindings only when a finding appears that the last mailed report did not
// have. What was mailed is recorded in the snapshot database's mail_log table, with the manifest
// of the files (name, size, SHA-256, attached or not), so a mailed file can be verified later.
//
// A report is mailed at most once. Its mail_log row is written as "sending" before the message
// goes out and marked "sent" once the server accepted it ("failed" when it refused it). A run
// that dies, or cannot mark the row, after handing the message over leaves it unconfirmed: it
// may have been delivered. Such a mail counts as mailed for the policies, and mailing the same
// snapshot again is refused with an *UnconfirmedError naming the row until --mail-resend
// (Options.Resend) says to send it anyway: an honest question beats a duplicate mail.
package deliver
