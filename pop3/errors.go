package pop3

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pouchmail/pouch/internal/mailtls"
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

	// ErrMechanismUnsupported is returned by Auth, before any credential is
	// sent, when the mechanism asked for is not offered by the server (or
	// not known to this package).
	ErrMechanismUnsupported = errors.New("pop3: authentication mechanism not offered by the server")

	// ErrInsecureAuth is returned by Auth with mechanism "" when the only
	// mechanisms the server offers would send the password in the clear over
	// a connection without TLS. Nothing is sent; use TLS, or name the
	// mechanism explicitly to accept the risk.
	ErrInsecureAuth = errors.New("pop3: refusing to send a password in the clear: the connection is not encrypted")
)

// RespCode is an RFC 2449 response code, the bracketed word after -ERR.
// Codes are hierarchical: see Is.
type RespCode string

// The response codes Action acts on (RFC 2449, RFC 3206).
const (
	CodeInUse      RespCode = "IN-USE"      // another session has the mailbox
	CodeLoginDelay RespCode = "LOGIN-DELAY" // logged in too recently
	CodeSysTemp    RespCode = "SYS/TEMP"    // a transient server problem
	CodeSysPerm    RespCode = "SYS/PERM"    // a permanent problem; the credentials are fine
	CodeAuth       RespCode = "AUTH"        // the credentials were rejected
)

// Is matches a hierarchical code: "SYS/TEMP/DISK".Is(CodeSysTemp) holds,
// "SYS/TEMPORARY".Is(CodeSysTemp) does not.
func (c RespCode) Is(want RespCode) bool {
	return c == want || strings.HasPrefix(string(c), string(want)+"/")
}

// Error is a -ERR reply from the server.
type Error struct {
	// Command is the command that was refused, without its arguments
	// ("greeting" for a -ERR greeting).
	Command string
	// Code is the response code, such as CodeInUse or CodeAuth; "" if none
	// was given.
	Code RespCode
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
		b.WriteString(string(e.Code))
		b.WriteString("]")
	}
	if e.Text != "" {
		b.WriteString(" ")
		b.WriteString(sanitize(e.Text, 200))
	}
	return b.String()
}

// Temporary reports whether the server said the failure is transient:
// Action is ActionRetryLater.
func (e *Error) Temporary() bool { return e.Action() == ActionRetryLater }

// AuthFailed reports whether the credentials were rejected: Action is
// ActionReauthenticate.
func (e *Error) AuthFailed() bool { return e.Action() == ActionReauthenticate }

// Action is what a caller should do about a refusal.
type Action int

const (
	// ActionNone: the command failed without saying more (say, RETR of a
	// message that is gone); nothing about the account needs to change.
	ActionNone Action = iota
	// ActionRetryLater: a transient condition (IN-USE, LOGIN-DELAY,
	// SYS/TEMP); try again later, with back-off.
	ActionRetryLater
	// ActionReauthenticate: the credentials were rejected; ask the user
	// for them again rather than retrying with the same ones.
	ActionReauthenticate
	// ActionStop: a permanent problem the user must resolve with the
	// provider (SYS/PERM: account disabled, migration needed, ...); stop
	// polling and show Text.
	ActionStop
)

func (a Action) String() string {
	switch a {
	case ActionRetryLater:
		return "retry later"
	case ActionReauthenticate:
		return "re-enter credentials"
	case ActionStop:
		return "stop"
	default:
		return "none"
	}
}

// Action classifies the refusal by its response code (RFC 2449, RFC 3206).
// A refused login command (USER, PASS, APOP, AUTH) whose code does not say
// otherwise means rejected credentials: old servers send no code at all, and
// SYS/PERM means "credentials are fine" (RFC 3206).
func (e *Error) Action() Action {
	switch c := e.Code; {
	case c.Is(CodeInUse), c.Is(CodeLoginDelay), c.Is(CodeSysTemp):
		return ActionRetryLater
	case c.Is(CodeSysPerm):
		return ActionStop
	case c.Is(CodeAuth):
		return ActionReauthenticate
	}
	switch e.Command {
	case "USER", "PASS", "APOP", "AUTH":
		return ActionReauthenticate
	}
	return ActionNone
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

// TLSErrorKind classifies a TLS handshake failure (shared with SMTP submission).
type TLSErrorKind = mailtls.Kind

const (
	// TLSOther is any failure not listed below (protocol version, alert, ...).
	TLSOther = mailtls.Other
	// TLSUnknownAuthority means the certificate chain does not lead to a trusted root,
	// typically a self-signed server certificate.
	TLSUnknownAuthority = mailtls.UnknownAuthority
	// TLSNameMismatch means the certificate is not valid for the host name dialed.
	TLSNameMismatch = mailtls.NameMismatch
	// TLSExpired means the certificate has expired or is not yet valid.
	TLSExpired = mailtls.Expired
	// TLSPinMismatch means Options.PinnedSHA256 was set and the server's
	// certificate is a different one (it may have been renewed, or the
	// connection intercepted).
	TLSPinMismatch = mailtls.PinMismatch
)

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

// newTLSError classifies a handshake error.
func newTLSError(err error) *TLSError {
	kind, certs := mailtls.Classify(err)
	return &TLSError{Kind: kind, Certificates: certs, Err: err}
}

// DuplicateUIDLError says the server listed one unique-id for several messages
// (RFC 1939 forbids it). UIDLAll leaves those messages out and returns the rest.
type DuplicateUIDLError struct {
	Messages []UIDL // the messages sharing a unique-id, in listing order
}

func (e *DuplicateUIDLError) Error() string {
	return fmt.Sprintf("pop3: UIDL: %d message(s) share a unique-id (first: %q); they cannot be told apart", len(e.Messages), e.Messages[0].UID)
}

// DrainLimitError says that after a failed RETR or TOP more than Limit bytes
// were left to read and throw away (Options.MaxDrainBytes), so the client
// closed the connection instead. The server deletes nothing.
type DrainLimitError struct{ Limit int64 }

func (e *DrainLimitError) Error() string {
	return fmt.Sprintf("more than %d bytes left to discard after an error; the connection was closed", e.Limit)
}

// SlowReplyError says a reply was given up on although every read made
// progress within Options.Timeout: a message (RETR, TOP) or a pipelined
// reply averaging less than Options.MinRate after a grace of
// Options.Timeout, or a listing not complete within Options.ListingTimeout.
// The connection is closed, so the server deletes nothing.
type SlowReplyError struct {
	Command string        // the command whose reply was too slow
	Setting string        // the setting that ended it: "Options.MinRate", "Options.ListingTimeout", …
	Grace   time.Duration // the time allowed before any byte counted
	MinRate int64         // bytes per second; 0 when the bound is Grace alone
	Bytes   int64         // octets of the reply received
	Waited  time.Duration // time spent waiting for them
	Err     error         // the read's deadline error
}

var _ error = (*SlowReplyError)(nil)

func (e *SlowReplyError) Error() string {
	got := fmt.Sprintf("%d bytes in %v", e.Bytes, e.Waited.Round(time.Millisecond))
	if e.MinRate > 0 {
		return fmt.Sprintf("pop3: %s: reply too slow: %s, less than %s (%d bytes/s after %v); the connection was closed",
			e.Command, got, e.Setting, e.MinRate, e.Grace)
	}
	return fmt.Sprintf("pop3: %s: reply not complete within %s (%v): %s; the connection was closed", e.Command, e.Setting, e.Grace, got)
}

func (e *SlowReplyError) Unwrap() error { return e.Err }
