package pop3

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

var (
	// ErrClosed is returned by commands issued after Close or Quit, or after an
	// earlier error left the connection out of step with the server.
	ErrClosed = errors.New("pop3: client closed")

	// ErrSTLSUnsupported is returned by DialStartTLS when the server does not
	// advertise STLS. The connection is closed rather than used in plaintext.
	ErrSTLSUnsupported = errors.New("pop3: server does not support STLS")

	// ErrInvalidArgument is returned, before anything is sent, when a command
	// argument is empty where one is required or contains CR, LF or NUL (which
	// would let the argument smuggle in a second command).
	ErrInvalidArgument = errors.New("pop3: invalid command argument")
)

// Error is a -ERR reply from the server.
type Error struct {
	// Command is the command that was refused, without its arguments
	// ("greeting" for a -ERR greeting).
	Command string
	// Code is the RFC 2449/3206 response code, such as "IN-USE",
	// "LOGIN-DELAY", "SYS/TEMP", "SYS/PERM" or "AUTH"; "" if none was given.
	Code string
	// Text is the human-readable rest of the reply, as sent by the server.
	Text string
}

var _ error = (*Error)(nil)

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("pop3: ")
	b.WriteString(e.Command)
	b.WriteString(": server said -ERR")
	if e.Code != "" {
		b.WriteString(" [")
		b.WriteString(e.Code)
		b.WriteString("]")
	}
	if e.Text != "" {
		b.WriteString(" ")
		b.WriteString(sanitize(e.Text, 200))
	}
	return b.String()
}

// Temporary reports whether the server said the failure is transient
// (IN-USE, LOGIN-DELAY or SYS/TEMP): trying again later may succeed.
func (e *Error) Temporary() bool {
	return codeIs(e.Code, "IN-USE") || codeIs(e.Code, "LOGIN-DELAY") || codeIs(e.Code, "SYS/TEMP")
}

// AuthFailed reports whether the error means the credentials were rejected:
// an [AUTH] code, or a -ERR to USER or PASS whose code does not say otherwise
// (old servers send no code at all). Temporary codes and SYS/PERM, which RFC
// 3206 defines as "credentials are fine", do not count.
func (e *Error) AuthFailed() bool {
	if codeIs(e.Code, "AUTH") {
		return true
	}
	if e.Command != "USER" && e.Command != "PASS" {
		return false
	}
	return !e.Temporary() && !codeIs(e.Code, "SYS/PERM")
}

// codeIs matches a hierarchical response code: "SYS/TEMP" matches
// "SYS/TEMP" and "SYS/TEMP/DISK" but not "SYS/TEMPORARY".
func codeIs(code, want string) bool {
	return code == want || strings.HasPrefix(code, want+"/")
}

// ProtocolError reports a reply that does not follow the protocol: malformed,
// over-long or otherwise unusable. The connection is closed, since the client
// can no longer tell where the next reply starts.
type ProtocolError struct {
	Command string // command whose reply was bad ("greeting" for the greeting)
	Reason  string // what was wrong
	Excerpt string // a short, quoted, printable excerpt of the offending line; may be ""
}

var _ error = (*ProtocolError)(nil)

func (e *ProtocolError) Error() string {
	s := "pop3: " + e.Command + ": protocol error: " + e.Reason
	if e.Excerpt != "" {
		s += ": " + e.Excerpt
	}
	return s
}

// excerptLen bounds how much of a bad line goes into a ProtocolError.
const excerptLen = 64

func protoErr(cmd, reason string, line []byte) *ProtocolError {
	e := &ProtocolError{Command: cmd, Reason: reason}
	if line != nil {
		e.Excerpt = excerpt(line)
	}
	return e
}

// excerpt quotes at most excerptLen bytes of b so that hostile bytes can't
// reach a terminal or log unescaped.
func excerpt(b []byte) string {
	if len(b) <= excerptLen {
		return strconv.QuoteToASCII(string(b))
	}
	return strconv.QuoteToASCII(string(b[:excerptLen])) + "..."
}

// sanitize replaces control characters in server text and truncates it.
func sanitize(s string, max int) string {
	if len(s) > max {
		s = s[:max] + "..."
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
}

// TLSErrorKind classifies a TLS handshake failure.
type TLSErrorKind int

const (
	// TLSOther is any failure not listed below (protocol version, alert, ...).
	TLSOther TLSErrorKind = iota
	// TLSUnknownAuthority means the certificate chain does not lead to a trusted root,
	// typically a self-signed server certificate.
	TLSUnknownAuthority
	// TLSNameMismatch means the certificate is not valid for the host name dialed.
	TLSNameMismatch
	// TLSExpired means the certificate has expired or is not yet valid.
	TLSExpired
)

func (k TLSErrorKind) String() string {
	switch k {
	case TLSUnknownAuthority:
		return "unknown authority"
	case TLSNameMismatch:
		return "name mismatch"
	case TLSExpired:
		return "expired or not yet valid"
	default:
		return "other"
	}
}

// TLSError is a failed TLS handshake (implicit TLS or STLS).
type TLSError struct {
	Kind TLSErrorKind
	// Certificates is the chain the server presented, leaf first, when it was
	// received before the failure; it lets a caller show the certificate and
	// offer to trust it explicitly.
	Certificates []*x509.Certificate
	Err          error
}

var _ error = (*TLSError)(nil)

func (e *TLSError) Error() string {
	return fmt.Sprintf("pop3: TLS handshake failed (%s): %v", e.Kind, e.Err)
}

func (e *TLSError) Unwrap() error { return e.Err }

// newTLSError classifies a handshake error. The chain comes from
// tls.CertificateVerificationError, which crypto/tls fills in when its own
// verification fails, so verification never has to be weakened to see it.
func newTLSError(err error) *TLSError {
	e := &TLSError{Kind: TLSOther, Err: err}
	var cve *tls.CertificateVerificationError
	if errors.As(err, &cve) {
		e.Certificates = cve.UnverifiedCertificates
	}
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	switch {
	case errors.As(err, &ua):
		e.Kind = TLSUnknownAuthority
	case errors.As(err, &hn):
		e.Kind = TLSNameMismatch
	case errors.As(err, &ci) && ci.Reason == x509.Expired:
		e.Kind = TLSExpired
	}
	return e
}
