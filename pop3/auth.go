package pop3

import (
	"context"
	"crypto/md5"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Mechanisms lists the authentication mechanisms Auth knows, as accepted by
// its mech argument: "USER" is USER/PASS (RFC 1939), "APOP" is RFC 1939's
// digest login, the others are SASL mechanisms (RFC 5034).
var Mechanisms = []string{
	"SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "APOP", "PLAIN", "LOGIN", "USER", "XOAUTH2", "OAUTHBEARER",
}

// KnownMechanism reports whether name (any case) is one of Mechanisms.
func KnownMechanism(name string) bool {
	return slices.Contains(Mechanisms, strings.ToUpper(name))
}

// automatic is the order in which Auth with mech "" tries mechanisms: those
// that never reveal the password first. The cleartext ones (PLAIN, LOGIN,
// USER) are only chosen on a TLS connection. Bearer-token mechanisms are
// never chosen, since the secret is then a token, not a password.
var (
	challengeMechs = []string{"SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "APOP"}
	cleartextMechs = []string{"PLAIN", "LOGIN", "USER"}
)

// maxSASLRounds bounds a SASL exchange: no mechanism here needs more than
// three challenges, so a server that keeps sending them is broken.
const maxSASLRounds = 8

// maxAuthLine is RFC 5034's limit on an AUTH command with an initial
// response; longer initial responses go after an empty challenge instead.
const maxAuthLine = 255

// Auth authenticates as user with secret (a password, or a bearer token for
// XOAUTH2 and OAUTHBEARER) using mechanism mech, one of Mechanisms.
//
// With mech "" the strongest mechanism the server offers is chosen:
// SCRAM-SHA-256, SCRAM-SHA-1, CRAM-MD5, APOP (if the greeting has a
// timestamp, and not after STLS: see StartTLS), then — only on a TLS
// connection — PLAIN, LOGIN and USER.
// If the connection is unencrypted and the server offers only those
// cleartext mechanisms, Auth sends nothing and returns an error wrapping
// ErrInsecureAuth: a password is never sent in the clear unless the caller
// names the mechanism explicitly.
//
// A named mechanism the server does not offer gives an error wrapping
// ErrMechanismUnsupported before any credential is sent. A refusal is an
// *Error (see Error.Action). When the server offers UTF8 (RFC 6856), the
// UTF8 command is issued first so that user names and passwords may be
// UTF-8.
func (c *Client) Auth(ctx context.Context, user, secret, mech string) error {
	if !checkArg(user) || !checkArg(secret) {
		return fmt.Errorf("%w: user name or secret empty or contains CR, LF or NUL", ErrInvalidArgument)
	}
	mech = strings.ToUpper(strings.TrimSpace(mech))
	if mech != "" && !KnownMechanism(mech) {
		return fmt.Errorf("%w: %q is not one of %s", ErrMechanismUnsupported, mech, strings.Join(Mechanisms, ", "))
	}
	caps, stamp, err := c.capabilities(ctx)
	if err != nil {
		return err
	}
	o := offer{caps, stamp != ""}
	if mech == "" {
		if mech, err = c.chooseMechanism(o); err != nil {
			return err
		}
	} else if !o.has(mech) {
		return fmt.Errorf("%w: %s (the server offers %s)", ErrMechanismUnsupported, mech, o)
	}
	if caps.UTF8 {
		if err := c.enableUTF8(ctx); err != nil {
			return err
		}
	}
	switch mech {
	case "USER":
		return c.Login(ctx, user, secret)
	case "APOP":
		return c.apopLogin(ctx, user, secret)
	}
	m, err := newSASL(mech, user, secret, c.nonce)
	if err != nil {
		return err
	}
	return c.sasl(ctx, mech, m)
}

// UTF8Enabled reports whether the server accepted the UTF8 command
// (RFC 6856), which Auth sends when the server offers it.
func (c *Client) UTF8Enabled() bool {
	return c.utf8.Load()
}

// offer is what the server offers for authentication: its capabilities
// and whether its greeting allows APOP.
type offer struct {
	caps *Capabilities
	apop bool // an APOP timestamp from a greeting not superseded by STLS
}

// has reports whether the server offers mech. A server without CAPA is
// assumed to support USER, which RFC 1939 servers nearly all do.
func (o offer) has(mech string) bool {
	switch mech {
	case "USER":
		return o.caps.User || len(o.caps.Raw) == 0
	case "APOP":
		return o.apop
	}
	return slices.Contains(o.caps.SASL, mech)
}

// list is what the server offers, in the order of Mechanisms.
func (o offer) list() []string {
	var list []string
	for _, m := range Mechanisms {
		if o.has(m) {
			list = append(list, m)
		}
	}
	return list
}

// String lists what the server offers, for error messages.
func (o offer) String() string {
	if list := o.list(); len(list) > 0 {
		return strings.Join(list, " ")
	}
	return "no known mechanism"
}

// Offered returns the mechanisms of Mechanisms that Auth would consider
// now, in that order: by the same rule as Auth, so APOP only with a
// greeting timestamp not superseded by STLS, and USER also from a server
// without CAPA. Call it before Auth: after login the server's capabilities
// are those of the logged-in state.
func (c *Client) Offered(ctx context.Context) ([]string, error) {
	caps, stamp, err := c.capabilities(ctx)
	if err != nil {
		return nil, err
	}
	return offer{caps, stamp != ""}.list(), nil
}

func (c *Client) chooseMechanism(o offer) (string, error) {
	for _, m := range challengeMechs {
		if o.has(m) {
			return m, nil
		}
	}
	_, encrypted := c.conn().(*tls.Conn)
	for _, m := range cleartextMechs {
		if o.has(m) {
			if !encrypted {
				return "", fmt.Errorf("%w: the server offers only %s here; use TLS or choose the mechanism explicitly", ErrInsecureAuth, o)
			}
			return m, nil
		}
	}
	return "", fmt.Errorf("%w: none of %s (the server offers %s)", ErrMechanismUnsupported, strings.Join(Mechanisms[:7], ", "), o)
}

// enableUTF8 sends UTF8 (RFC 6856). A refusal is not fatal: the session
// simply stays in ASCII mode.
func (c *Client) enableUTF8(ctx context.Context) error {
	end, err := c.start(ctx, "UTF8")
	if err != nil {
		return err
	}
	defer end()
	if c.utf8.Load() {
		return nil
	}
	if err := c.send(ctx, "UTF8"); err != nil {
		return err
	}
	if _, err := c.readStatus(ctx, "UTF8"); err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil
		}
		return err
	}
	c.utf8.Store(true)
	return nil
}

// apopLogin is RFC 1939 APOP: the MD5 of the greeting's timestamp and the
// secret, so the password itself never crosses the wire.
func (c *Client) apopLogin(ctx context.Context, user, secret string) error {
	end, err := c.start(ctx, "APOP")
	if err != nil {
		return err
	}
	defer end()
	if c.apop == "" {
		// Dropped by an STLS since Auth looked.
		return fmt.Errorf("%w: APOP (no timestamp since STLS)", ErrMechanismUnsupported)
	}
	sum := md5.Sum([]byte(c.apop + secret))
	if err := c.send(ctx, "APOP", user, hex.EncodeToString(sum[:])); err != nil {
		return err
	}
	if _, err := c.readStatus(ctx, "APOP"); err != nil {
		return err
	}
	c.caps = nil
	return nil
}

// sasl runs an RFC 5034 AUTH exchange. A -ERR ends it as an *Error with
// Command "AUTH" and leaves the session usable; a mechanism that cannot
// answer a challenge cancels with "*" and returns its error.
func (c *Client) sasl(ctx context.Context, mech string, m saslClient) error {
	ir, err := m.start()
	if err != nil {
		return fmt.Errorf("pop3: AUTH %s: %w", mech, err)
	}
	end, err := c.start(ctx, "AUTH")
	if err != nil {
		return err
	}
	defer end()
	var pending []byte // an initial response too long for the AUTH line
	switch {
	case ir == nil:
		err = c.send(ctx, "AUTH", mech)
	case len("AUTH ")+len(mech)+1+base64.StdEncoding.EncodedLen(len(ir)) > maxAuthLine:
		pending = ir
		err = c.send(ctx, "AUTH", mech)
	default:
		err = c.send(ctx, "AUTH", mech, encodeSASL(ir))
	}
	if err != nil {
		return err
	}
	for round := 0; ; round++ {
		line, err := c.readLine(ctx, "AUTH")
		if err != nil {
			return err
		}
		challenge, isChallenge := saslChallenge(line)
		if !isChallenge {
			c.logServer(line)
			st, err := parseStatus(line)
			if err != nil {
				return c.fail(protoErr("AUTH", err.Error(), line))
			}
			if !st.ok {
				return &Error{Command: "AUTH", Code: RespCode(st.code), Text: st.text}
			}
			if !m.done() {
				// The server claims success without proving it knows the
				// password (SCRAM): it may be an impostor.
				return c.fail(protoErr("AUTH", mech+" succeeded without the server's proof", nil))
			}
			c.caps = nil
			return nil
		}
		c.logf("S: + [redacted]\n")
		if round >= maxSASLRounds {
			return c.fail(protoErr("AUTH", "too many SASL challenges", nil))
		}
		var resp []byte
		if pending != nil && len(challenge) == 0 && round == 0 {
			resp, pending = pending, nil
		} else {
			data, derr := base64.StdEncoding.DecodeString(string(challenge))
			if derr != nil {
				return c.cancelSASL(ctx, mech, fmt.Errorf("challenge is not base64: %w", derr))
			}
			if resp, err = m.next(data); err != nil {
				return c.cancelSASL(ctx, mech, err)
			}
		}
		if err := c.sendSASL(ctx, encodeSASLResponse(resp)); err != nil {
			return err
		}
	}
}

// cancelSASL aborts the exchange with "*" (RFC 5034), reads the server's
// -ERR and returns cause.
func (c *Client) cancelSASL(ctx context.Context, mech string, cause error) error {
	if err := c.sendSASL(ctx, "*"); err != nil {
		return err
	}
	line, err := c.readLine(ctx, "AUTH")
	if err != nil {
		return err
	}
	c.logServer(line)
	if st, perr := parseStatus(line); perr != nil || st.ok {
		// Anything but -ERR leaves the session in an unknown state.
		return c.fail(fmt.Errorf("pop3: AUTH %s: %w (and the server did not accept the cancellation)", mech, cause))
	}
	return fmt.Errorf("pop3: AUTH %s: %w", mech, cause)
}

// sendSASL writes one continuation line, which is always redacted in the
// transcript.
func (c *Client) sendSASL(ctx context.Context, line string) error {
	c.bw.WriteString(line)
	c.bw.WriteString("\r\n")
	c.logf("C: [redacted]\n")
	if err := c.bw.Flush(); err != nil {
		return c.ioFail(ctx, "AUTH", err)
	}
	return nil
}

// saslChallenge recognises a continuation line, "+ base64" or a bare "+".
func saslChallenge(line []byte) ([]byte, bool) {
	switch {
	case len(line) == 1 && line[0] == '+':
		return nil, true
	case len(line) >= 2 && line[0] == '+' && line[1] == ' ':
		return []byte(strings.TrimSpace(string(line[2:]))), true
	}
	return nil, false
}

// encodeSASL encodes an initial response: "=" stands for an empty one.
func encodeSASL(b []byte) string {
	if len(b) == 0 {
		return "="
	}
	return base64.StdEncoding.EncodeToString(b)
}

// encodeSASLResponse encodes the answer to a challenge: an empty answer is
// an empty line.
func encodeSASLResponse(b []byte) string {
	return base64.StdEncoding.EncodeToString(b)
}
