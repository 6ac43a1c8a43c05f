package submit

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/pouchmail/pouch/internal/mailtls"
)

// ErrSTARTTLSUnavailable says a STARTTLS server did not offer STARTTLS (or refused it): the
// connection is closed before anything but EHLO was sent, never continued in plain text.
var ErrSTARTTLSUnavailable = errors.New("submit: the server does not offer STARTTLS; refusing to continue without encryption")

// ErrMechanismUnsupported says the server offers no usable authentication mechanism, or not
// the one the account names.
var ErrMechanismUnsupported = errors.New("submit: authentication mechanism not offered by the server")

// ErrInvalidConfig says the settings cannot work (an unknown security mode, no host, ...).
var ErrInvalidConfig = errors.New("submit: invalid settings")

// ServerError is a refusal by the server: the reply code and its text. Its Temporary (4xx)
// says trying again later may work; a 5xx will not.
type ServerError struct {
	Stage    string // "greeting", "ehlo", "starttls", "auth", "mail", "rcpt <addr>", "data", "end of data"
	Code     int
	Enhanced string // e.g. "5.1.1"; "" if none
	Text     string // the server's text, lines joined by spaces
}

func (e *ServerError) Error() string {
	s := fmt.Sprintf("the SMTP server refused %s: %d", e.Stage, e.Code)
	if e.Enhanced != "" {
		s += " " + e.Enhanced
	}
	if e.Text != "" {
		s += " " + e.Text
	}
	return s
}

// Temporary reports a 4xx reply: the message may go through later.
func (e *ServerError) Temporary() bool { return e.Code/100 == 4 }

// AuthFailed reports a refusal of the credentials (535, or 5.7.8).
func (e *ServerError) AuthFailed() bool {
	return e.Stage == "auth" && (e.Code == 535 || e.Enhanced == "5.7.8" || e.Code == 534)
}

// ProtocolError is a reply that breaks the protocol (malformed, too long, unexpected).
type ProtocolError struct{ Msg string }

func (e *ProtocolError) Error() string { return "submit: protocol error: " + e.Msg }

// UncertainError says the end of the message (DATA's final dot) may have reached the server
// but no answer came back: the message may or may not have been sent. Sending it again may
// deliver it twice, so only the user should decide.
type UncertainError struct{ Err error }

func (e *UncertainError) Error() string {
	return fmt.Sprintf("no answer after the end of the message, it may have been sent: %v", e.Err)
}
func (e *UncertainError) Unwrap() error { return e.Err }

// TooLargeError says the message exceeds the server's SIZE limit; nothing was sent.
type TooLargeError struct{ Size, Limit int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the message (%d bytes) is larger than the server accepts (%d bytes)", e.Size, e.Limit)
}

// TLSErrorKind sorts certificate and handshake failures, as for POP3.
type TLSErrorKind = mailtls.Kind

const (
	TLSOther            = mailtls.Other
	TLSUnknownAuthority = mailtls.UnknownAuthority
	TLSNameMismatch     = mailtls.NameMismatch
	TLSExpired          = mailtls.Expired
	TLSPinMismatch      = mailtls.PinMismatch
)

// TLSError is a failed TLS handshake, with the chain the server presented when known (so a
// caller can show it and offer to trust it: the pin).
type TLSError struct {
	Kind         TLSErrorKind
	Certificates []*x509.Certificate
	Err          error
}

func (e *TLSError) Error() string {
	return fmt.Sprintf("submit: TLS handshake failed (%s): %v", e.Kind, e.Err)
}
func (e *TLSError) Unwrap() error { return e.Err }

func newTLSError(err error) *TLSError {
	kind, certs := mailtls.Classify(err)
	return &TLSError{Kind: kind, Certificates: certs, Err: err}
}

// serverError turns a reply into a *ServerError, splitting off an RFC 3463 enhanced code.
func serverError(stage string, code int, lines []string) *ServerError {
	e := &ServerError{Stage: stage, Code: code}
	for i, l := range lines {
		if f, rest, ok := strings.Cut(l, " "); ok && isEnhanced(f) {
			if i == 0 {
				e.Enhanced = f
			}
			lines[i] = rest
		} else if isEnhanced(l) {
			if i == 0 {
				e.Enhanced = l
			}
			lines[i] = ""
		}
	}
	e.Text = strings.Join(strings.Fields(strings.Join(lines, " ")), " ")
	return e
}

// isEnhanced reports an RFC 3463 status code: class.subject.detail, digits.
func isEnhanced(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.' {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 3 {
			return false
		}
		for _, r := range p {
			if r < '0' || r > '9' {
				return false
			}
		}
	}
	return true
}
