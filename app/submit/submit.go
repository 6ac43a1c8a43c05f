// Package submit hands messages to an SMTP submission server (RFC 6409) with go-smtp: over
// implicit TLS (port 465, RFC 8314) or STARTTLS (port 587, RFC 3207) only, certificates
// verified or pinned, never a fallback to plain text; SASL PLAIN, LOGIN, CRAM-MD5, XOAUTH2 or
// OAUTHBEARER; the server's SIZE limit; and the one question sending raises: did the server
// get the end of the message? It knows nothing of the archive or the window.
package submit

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/pouchmail/pouch/internal/mailtls"
)

// Security modes: there is no plain-text one.
const (
	SecurityTLS      = "tls"      // implicit TLS, port 465
	SecurityStartTLS = "starttls" // STARTTLS, port 587
)

// DefaultPort is the port of a security mode.
func DefaultPort(security string) int {
	if security == SecurityStartTLS {
		return 587
	}
	return 465
}

// Config describes one submission server and how to log in.
type Config struct {
	Host     string
	Port     int
	Security string      // SecurityTLS or SecurityStartTLS
	TLS      *tls.Config // roots (nil = the system's); ServerName defaults to Host
	// PinnedSHA256, if set (hex, as pop3.NormalizeFingerprint gives it), trusts exactly the
	// certificate with that SHA-256, whatever its issuer or dates, and no other.
	PinnedSHA256 string
	Username     string
	Secret       string // the password, or for XOAUTH2/OAUTHBEARER the bearer token
	// Mechanism is the SASL mechanism; "" = the strongest offered (for a bearer token:
	// XOAUTH2, then OAUTHBEARER; for a password: CRAM-MD5, PLAIN, LOGIN).
	Mechanism string
	Bearer    bool   // Secret is an OAuth2 access token
	LocalName string // the EHLO name; "" = "localhost"
	// Timeout bounds each command and the wait for each reply; 0 = 1 minute. DataTimeout
	// bounds the wait for the answer to the end of the message; 0 = 10 minutes (RFC 5321).
	Timeout, DataTimeout time.Duration
	// Debug receives a transcript; AUTH exchanges are left out. nil = none.
	Debug io.Writer
}

// Mechanisms lists the SASL mechanisms Pouch can use to submit mail.
var Mechanisms = []string{"PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "OAUTHBEARER"}

// KnownMechanism reports whether m (upper case) is one of Mechanisms.
func KnownMechanism(m string) bool {
	for _, k := range Mechanisms {
		if k == m {
			return true
		}
	}
	return false
}

// Client is one logged-in (or about to be) connection to a submission server. It is not
// safe for concurrent use.
type Client struct {
	cfg   Config
	raw   net.Conn // the TCP connection, for deadlines and to cut it off
	c     *smtp.Client
	ext   map[string]string
	authd bool
}

const (
	defaultTimeout     = time.Minute
	defaultDataTimeout = 10 * time.Minute
	// maxLine and maxReplyLines bound what the plain-text stage (before STARTTLS) reads.
	maxLine       = 2048
	maxReplyLines = 200
)

// watch cuts the connection when ctx ends, so that every blocked read or write returns.
func watch(ctx context.Context, conn net.Conn) (stop func() bool) {
	return context.AfterFunc(ctx, func() { conn.Close() })
}

// ctxErr prefers the context's error: a connection cut because ctx ended says so.
func ctxErr(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

// Dial connects, secures the connection (TLS first, or STARTTLS before anything else) and
// reads the server's extensions. It does not log in: Auth does.
func Dial(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.Host == "" || cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("%w: host %q port %d", ErrInvalidConfig, cfg.Host, cfg.Port)
	}
	if cfg.Security != SecurityTLS && cfg.Security != SecurityStartTLS {
		return nil, fmt.Errorf("%w: security %q (want tls or starttls; plain text is never used)", ErrInvalidConfig, cfg.Security)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	if cfg.DataTimeout <= 0 {
		cfg.DataTimeout = defaultDataTimeout
	}
	if cfg.LocalName == "" {
		cfg.LocalName = "localhost"
	}
	tcfg, err := tlsConfig(cfg)
	if err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: cfg.Timeout}
	raw, err := d.DialContext(ctx, "tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)))
	if err != nil {
		return nil, ctxErr(ctx, err)
	}
	stop := watch(ctx, raw)
	defer stop()
	cl, err := dial(ctx, raw, cfg, tcfg)
	if err != nil {
		raw.Close()
		return nil, ctxErr(ctx, err)
	}
	return cl, nil
}

func dial(ctx context.Context, raw net.Conn, cfg Config, tcfg *tls.Config) (*Client, error) {
	var conn net.Conn
	if cfg.Security == SecurityStartTLS {
		if err := raw.SetDeadline(time.Now().Add(cfg.Timeout)); err != nil {
			return nil, err
		}
		if err := startTLS(raw, cfg.LocalName, cfg.Debug); err != nil {
			return nil, err
		}
		raw.SetDeadline(time.Time{})
	}
	tc := tls.Client(raw, tcfg)
	hctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	err := tc.HandshakeContext(hctx)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, newTLSError(err)
	}
	conn = tc
	if cfg.Security == SecurityStartTLS {
		// go-smtp reads a greeting first; after STARTTLS the server sends none (RFC 3207), so
		// the client is given one, and says EHLO again over TLS as the RFC requires.
		conn = &greetedConn{Conn: tc, r: io.MultiReader(strings.NewReader("220 TLS established\r\n"), tc)}
	}
	c := smtp.NewClient(conn)
	c.CommandTimeout = cfg.Timeout
	c.SubmissionTimeout = cfg.DataTimeout
	c.DebugWriter = cfg.Debug
	if err := c.Hello(cfg.LocalName); err != nil {
		return nil, replyErr("ehlo", err)
	}
	cl := &Client{cfg: cfg, raw: raw, c: c, ext: map[string]string{}}
	for _, k := range []string{"SIZE", "AUTH", "8BITMIME", "SMTPUTF8", "PIPELINING"} {
		if ok, v := c.Extension(k); ok {
			cl.ext[k] = v
		}
	}
	return cl, nil
}

// greetedConn reads from r (a made-up greeting, then the TLS connection).
type greetedConn struct {
	net.Conn
	r io.Reader
}

func (g *greetedConn) Read(p []byte) (int, error) { return g.r.Read(p) }

// tlsConfig is the account's trust: the given roots, or exactly the pinned certificate.
func tlsConfig(cfg Config) (*tls.Config, error) {
	var pin []byte
	if cfg.PinnedSHA256 != "" {
		var err error
		pin, err = hex.DecodeString(cfg.PinnedSHA256)
		if err != nil || len(pin) != sha256.Size {
			return nil, fmt.Errorf("%w: pinned SHA-256 %q", ErrInvalidConfig, cfg.PinnedSHA256)
		}
	}
	return mailtls.Config(cfg.TLS, cfg.Host, pin), nil
}

// startTLS runs the plain-text stage of a STARTTLS connection: greeting, EHLO, STARTTLS,
// nothing else. A server that does not offer STARTTLS, or refuses it, gets the connection
// closed (ErrSTARTTLSUnavailable): no credentials or mail ever go in plain text. Bytes the
// server sends after its "220" to STARTTLS and before the handshake would be injected into
// the TLS session's plain-text reader, so they abort.
func startTLS(conn net.Conn, localName string, debug io.Writer) error {
	br := bufio.NewReaderSize(conn, maxLine)
	send := func(line string) error {
		if debug != nil {
			fmt.Fprintf(debug, "%s\r\n", line)
		}
		_, err := io.WriteString(conn, line+"\r\n")
		return err
	}
	code, lines, err := readReply(br, debug)
	if err != nil {
		return err
	}
	if code != 220 {
		return serverError("greeting", code, lines)
	}
	if err := send("EHLO " + localName); err != nil {
		return err
	}
	if code, lines, err = readReply(br, debug); err != nil {
		return err
	}
	if code != 250 {
		return serverError("ehlo", code, lines)
	}
	offered := false
	for _, l := range lines[1:] {
		if kw, _, _ := strings.Cut(l, " "); strings.EqualFold(kw, "STARTTLS") {
			offered = true
		}
	}
	if !offered {
		_ = send("QUIT")
		return ErrSTARTTLSUnavailable
	}
	if err := send("STARTTLS"); err != nil {
		return err
	}
	if code, lines, err = readReply(br, debug); err != nil {
		return err
	}
	if code != 220 {
		return fmt.Errorf("%w: %w", ErrSTARTTLSUnavailable, serverError("starttls", code, lines))
	}
	if br.Buffered() > 0 {
		return &ProtocolError{Msg: fmt.Sprintf("%d bytes sent after the STARTTLS reply, before the TLS handshake (an injection attempt)", br.Buffered())}
	}
	return nil
}

// readReply reads one SMTP reply ("250-a", "250 b"): its code and text lines. Lines are
// bounded in length and number; every line must carry the same code.
func readReply(br *bufio.Reader, debug io.Writer) (int, []string, error) {
	var lines []string
	code := 0
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return 0, nil, &ProtocolError{Msg: fmt.Sprintf("reply line longer than %d bytes", maxLine)}
		}
		if err != nil {
			return 0, nil, err
		}
		if debug != nil {
			debug.Write(line)
		}
		s := strings.TrimRight(string(line), "\r\n")
		if len(s) < 3 || (len(s) > 3 && s[3] != ' ' && s[3] != '-') {
			return 0, nil, &ProtocolError{Msg: fmt.Sprintf("malformed reply line %q", clip(s))}
		}
		c, err := strconv.Atoi(s[:3])
		if err != nil || c < 200 || c > 599 {
			return 0, nil, &ProtocolError{Msg: fmt.Sprintf("malformed reply code in %q", clip(s))}
		}
		if code != 0 && c != code {
			return 0, nil, &ProtocolError{Msg: fmt.Sprintf("reply code changed from %d to %d within a reply", code, c)}
		}
		code = c
		text := ""
		if len(s) > 4 {
			text = s[4:]
		}
		lines = append(lines, text)
		if len(lines) > maxReplyLines {
			return 0, nil, &ProtocolError{Msg: fmt.Sprintf("reply of more than %d lines", maxReplyLines)}
		}
		if len(s) == 3 || s[3] == ' ' {
			return code, lines, nil
		}
	}
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// replyErr turns go-smtp's reply errors into *ServerError at stage.
func replyErr(stage string, err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		e := &ServerError{Stage: stage, Code: se.Code, Text: strings.Join(strings.Fields(se.Message), " ")}
		if se.EnhancedCode != (smtp.EnhancedCode{}) && se.EnhancedCode != smtp.NoEnhancedCode {
			e.Enhanced = fmt.Sprintf("%d.%d.%d", se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2])
		}
		return e
	}
	return err
}

// MaxSize is the server's SIZE limit in bytes; ok is false when it announced none.
func (cl *Client) MaxSize() (limit int64, ok bool) {
	v, has := cl.ext["SIZE"]
	if !has {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 {
		return 0, false // "SIZE" alone or "SIZE 0": no fixed limit
	}
	return n, true
}

// Offered lists the SASL mechanisms the server offers, upper case.
func (cl *Client) Offered() []string {
	var out []string
	for _, m := range strings.Fields(cl.ext["AUTH"]) {
		out = append(out, strings.ToUpper(m))
	}
	return out
}

// Choose returns the mechanism Auth would use given what the server offers.
func Choose(offered []string, forced string, bearer bool) (string, error) {
	has := func(m string) bool {
		for _, o := range offered {
			if o == m {
				return true
			}
		}
		return false
	}
	if forced != "" {
		if !has(forced) {
			return "", fmt.Errorf("%w: %s (the server offers %s)", ErrMechanismUnsupported, forced, strings.Join(offered, " "))
		}
		return forced, nil
	}
	prefs := []string{"CRAM-MD5", "PLAIN", "LOGIN"}
	if bearer {
		prefs = []string{"XOAUTH2", "OAUTHBEARER"}
	}
	for _, m := range prefs {
		if has(m) {
			return m, nil
		}
	}
	if len(offered) == 0 {
		return "", fmt.Errorf("%w: the server offers no authentication", ErrMechanismUnsupported)
	}
	return "", fmt.Errorf("%w: the server offers %s", ErrMechanismUnsupported, strings.Join(offered, " "))
}

// Auth logs in with the configured mechanism, or the strongest offered. The connection is
// always encrypted by now (Dial makes sure), so a password never travels in plain text.
func (cl *Client) Auth(ctx context.Context) error {
	stop := watch(ctx, cl.raw)
	defer stop()
	mech, err := Choose(cl.Offered(), cl.cfg.Mechanism, cl.cfg.Bearer)
	if err != nil {
		return err
	}
	sc, err := saslClient(mech, cl.cfg)
	if err != nil {
		return err
	}
	// The exchange carries the secret: no transcript of it.
	cl.c.DebugWriter = nil
	if cl.cfg.Debug != nil {
		fmt.Fprintf(cl.cfg.Debug, "AUTH %s [redacted]\r\n", mech)
	}
	err = cl.c.Auth(sc)
	cl.c.DebugWriter = cl.cfg.Debug
	if err != nil {
		return ctxErr(ctx, replyErr("auth", err))
	}
	cl.authd = true
	return nil
}

// Send submits one message: MAIL FROM, RCPT TO for each recipient, DATA with raw (CRLF line
// ends). beforeEnd, if not nil, runs when every byte but the final "." is written: it records
// that the message is about to be handed over; if it fails, the connection is cut without the
// final dot, so the server discards the message. After the final dot, an answer is
// definitive (250: accepted, with the server's text; *ServerError otherwise); no answer is an
// *UncertainError. Failures before the final dot mean the message was not sent.
func (cl *Client) Send(ctx context.Context, from string, to []string, raw []byte, beforeEnd func() error) (reply string, err error) {
	stop := watch(ctx, cl.raw)
	defer stop()
	if limit, ok := cl.MaxSize(); ok && int64(len(raw)) > limit {
		return "", &TooLargeError{Size: int64(len(raw)), Limit: limit}
	}
	opts := &smtp.MailOptions{Size: int64(len(raw))}
	if _, ok := cl.ext["8BITMIME"]; ok {
		opts.Body = smtp.Body8BitMIME
	}
	if err := cl.c.Mail(from, opts); err != nil {
		return "", ctxErr(ctx, replyErr("mail", err))
	}
	for _, r := range to {
		if err := cl.c.Rcpt(r, nil); err != nil {
			return "", ctxErr(ctx, replyErr("rcpt "+r, err))
		}
	}
	w, err := cl.c.Data()
	if err != nil {
		return "", ctxErr(ctx, replyErr("data", err))
	}
	if err := cl.raw.SetWriteDeadline(time.Now().Add(cl.cfg.DataTimeout)); err != nil {
		return "", err
	}
	if _, err := w.Write(raw); err != nil {
		return "", ctxErr(ctx, err)
	}
	if beforeEnd != nil {
		if err := beforeEnd(); err != nil {
			cl.raw.Close() // no final dot: the server drops the transaction
			return "", err
		}
	}
	resp, err := w.CloseWithResponse()
	cl.raw.SetWriteDeadline(time.Time{})
	if err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			return "", replyErr("end of data", err)
		}
		return "", &UncertainError{Err: ctxErr(ctx, err)}
	}
	return strings.Join(strings.Fields(resp.StatusText), " "), nil
}

// Close says QUIT (briefly) and closes the connection.
func (cl *Client) Close() error {
	cl.raw.SetDeadline(time.Now().Add(5 * time.Second))
	_ = cl.c.Quit()
	return cl.raw.Close()
}

// Abort closes the connection at once.
func (cl *Client) Abort() error { return cl.raw.Close() }

// TLS reports the negotiated TLS state; every Client has one.
func (cl *Client) TLS() bool { return true }
