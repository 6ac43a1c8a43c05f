package pop3

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/xdg-go/scram"
)

// saslClient is the client side of one SASL mechanism (RFC 4422).
type saslClient interface {
	// start returns the initial response; nil means the mechanism has
	// none, an empty non-nil slice an empty one.
	start() ([]byte, error)
	// next answers a server challenge.
	next(challenge []byte) ([]byte, error)
	// done reports whether the exchange may end in success now: a
	// mechanism that authenticates the server (SCRAM) only says so once it
	// has checked the server's proof.
	done() bool
}

func newSASL(mech, user, secret string, nonce func() string) (saslClient, error) {
	switch mech {
	case "PLAIN":
		return &plainSASL{user: user, pass: secret}, nil
	case "LOGIN":
		return &loginSASL{user: user, pass: secret}, nil
	case "CRAM-MD5":
		return &cramSASL{user: user, pass: secret}, nil
	case "SCRAM-SHA-1", "SCRAM-SHA-256":
		hf := scram.SHA1
		if mech == "SCRAM-SHA-256" {
			hf = scram.SHA256
		}
		cl, err := hf.NewClient(user, secret, "")
		if err != nil {
			// SASLprep refused the name or password (RFC 4013).
			return nil, fmt.Errorf("%w: %s: %v", ErrInvalidArgument, mech, err)
		}
		if nonce != nil {
			cl = cl.WithNonceGenerator(nonce)
		}
		return &scramSASL{conv: cl.NewConversation()}, nil
	case "XOAUTH2":
		return &xoauth2SASL{user: user, token: secret}, nil
	case "OAUTHBEARER":
		return &oauthBearerSASL{user: user, token: secret}, nil
	}
	return nil, fmt.Errorf("%w: %s is not a mechanism this client knows", ErrMechanismUnsupported, mech)
}

// errUnexpectedChallenge ends a mechanism that expected no more challenges.
var errUnexpectedChallenge = errors.New("unexpected SASL challenge")

// plainSASL is RFC 4616 with an empty authorization identity.
type plainSASL struct{ user, pass string }

func (m *plainSASL) start() ([]byte, error) {
	return []byte("\x00" + m.user + "\x00" + m.pass), nil
}

func (m *plainSASL) next([]byte) ([]byte, error) { return nil, errUnexpectedChallenge }
func (m *plainSASL) done() bool                  { return true }

// loginSASL is the obsolete but common LOGIN mechanism. The user name and
// password answer the first and second challenge whatever their prompt
// text says, since servers word it differently.
type loginSASL struct {
	user, pass string
	step       int
}

func (m *loginSASL) start() ([]byte, error) { return nil, nil }

func (m *loginSASL) next([]byte) ([]byte, error) {
	m.step++
	switch m.step {
	case 1:
		return []byte(m.user), nil
	case 2:
		return []byte(m.pass), nil
	}
	return nil, errUnexpectedChallenge
}

func (m *loginSASL) done() bool { return m.step == 2 }

// cramSASL is RFC 2195 CRAM-MD5.
type cramSASL struct {
	user, pass string
	answered   bool
}

func (m *cramSASL) start() ([]byte, error) { return nil, nil }

func (m *cramSASL) next(challenge []byte) ([]byte, error) {
	if m.answered {
		return nil, errUnexpectedChallenge
	}
	m.answered = true
	h := hmac.New(md5.New, []byte(m.pass))
	h.Write(challenge)
	return []byte(m.user + " " + hex.EncodeToString(h.Sum(nil))), nil
}

func (m *cramSASL) done() bool { return m.answered }

// scramSASL is RFC 5802/7677 without channel binding. The server's final
// message proves it knows the password; success without it is refused.
type scramSASL struct {
	conv  *scram.ClientConversation
	first bool // the server-first message has been seen
}

// scramIterations finds i= in a server-first message. A malformed value is
// left for the SCRAM library to reject.
func scramIterations(msg string) (int64, bool) {
	for _, attr := range strings.Split(msg, ",") {
		if v, ok := strings.CutPrefix(attr, "i="); ok {
			if len(v) > 12 {
				return 1 << 40, true
			}
			n, ok := parseNumber([]byte(v), 1<<40)
			return n, ok
		}
	}
	return 0, false
}

func (m *scramSASL) start() ([]byte, error) {
	first, err := m.conv.Step("")
	return []byte(first), err
}

// maxSCRAMIterations bounds the PBKDF2 work a server can ask for: a
// hostile i=2000000000 would otherwise keep the CPU busy for hours, beyond
// the reach of any deadline. Real servers use 4096 to a few hundred
// thousand.
const maxSCRAMIterations = 1 << 20

func (m *scramSASL) next(challenge []byte) ([]byte, error) {
	if m.conv.Done() {
		return nil, errUnexpectedChallenge
	}
	if !m.first {
		m.first = true
		if n, ok := scramIterations(string(challenge)); ok && n > maxSCRAMIterations {
			return nil, fmt.Errorf("server asks for %d PBKDF2 iterations, more than the %d allowed", n, maxSCRAMIterations)
		}
	}
	resp, err := m.conv.Step(string(challenge))
	if err != nil {
		return nil, err
	}
	return []byte(resp), nil
}

func (m *scramSASL) done() bool { return m.conv.Done() && m.conv.Valid() }

// xoauth2SASL is Google's and Microsoft's XOAUTH2. A failure comes as a
// challenge holding a JSON error, which the client acknowledges with an
// empty response; the server then sends -ERR.
type xoauth2SASL struct {
	user, token string
	failed      bool
}

func (m *xoauth2SASL) start() ([]byte, error) {
	return []byte("user=" + m.user + "\x01auth=Bearer " + m.token + "\x01\x01"), nil
}

func (m *xoauth2SASL) next([]byte) ([]byte, error) {
	if m.failed {
		return nil, errUnexpectedChallenge
	}
	m.failed = true
	return []byte{}, nil
}

func (m *xoauth2SASL) done() bool { return !m.failed }

// oauthBearerSASL is RFC 7628 OAUTHBEARER. On failure the server sends a
// JSON error as a challenge and the client must answer with a single 0x01
// (RFC 7628 §3.2.3) before the server's -ERR.
type oauthBearerSASL struct {
	user, token string
	failed      bool
}

func (m *oauthBearerSASL) start() ([]byte, error) {
	// RFC 5801 saslname: ',' and '=' are escaped.
	name := strings.NewReplacer("=", "=3D", ",", "=2C").Replace(m.user)
	return []byte("n,a=" + name + ",\x01auth=Bearer " + m.token + "\x01\x01"), nil
}

func (m *oauthBearerSASL) next([]byte) ([]byte, error) {
	if m.failed {
		return nil, errUnexpectedChallenge
	}
	m.failed = true
	return []byte{0x01}, nil
}

func (m *oauthBearerSASL) done() bool { return !m.failed }
