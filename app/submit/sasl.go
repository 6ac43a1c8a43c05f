package submit

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/emersion/go-sasl"
)

func saslClient(mech string, cfg Config) (sasl.Client, error) {
	switch mech {
	case "PLAIN":
		return sasl.NewPlainClient("", cfg.Username, cfg.Secret), nil
	case "LOGIN":
		return &login{user: cfg.Username, secret: cfg.Secret}, nil
	case "CRAM-MD5":
		return &cramMD5{user: cfg.Username, secret: cfg.Secret}, nil
	case "XOAUTH2":
		return &xoauth2{user: cfg.Username, token: cfg.Secret}, nil
	case "OAUTHBEARER":
		return sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: cfg.Username, Token: cfg.Secret,
			Host: cfg.Host, Port: cfg.Port}), nil
	}
	return nil, fmt.Errorf("%w: %s is not one Pouch knows", ErrMechanismUnsupported, mech)
}

// cramMD5 is RFC 2195: the user name and the HMAC-MD5 of the server's challenge.
type cramMD5 struct {
	user, secret string
	done         bool
}

func (c *cramMD5) Start() (string, []byte, error) { return "CRAM-MD5", nil, nil }

func (c *cramMD5) Next(challenge []byte) ([]byte, error) {
	if c.done {
		return nil, errors.New("submit: CRAM-MD5: unexpected second challenge")
	}
	c.done = true
	h := hmac.New(md5.New, []byte(c.secret))
	h.Write(challenge)
	return []byte(c.user + " " + hex.EncodeToString(h.Sum(nil))), nil
}

// xoauth2 is Google's and Microsoft's XOAUTH2: the user and the bearer token in the initial
// response. A refusal comes as a challenge holding JSON, answered with an empty line.
type xoauth2 struct {
	user, token string
	failed      bool
}

func (x *xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

func (x *xoauth2) Next(challenge []byte) ([]byte, error) {
	if x.failed {
		return nil, errors.New("submit: XOAUTH2: unexpected challenge")
	}
	x.failed = true
	return []byte{}, nil
}

// login is the LOGIN mechanism without an initial response: the first challenge is answered
// with the user name, the second with the password, whatever the server's prompts say (they
// vary: "Username:", "User Name\x00", ...).
type login struct {
	user, secret string
	step         int
}

func (l *login) Start() (string, []byte, error) { return "LOGIN", nil, nil }

func (l *login) Next(challenge []byte) ([]byte, error) {
	l.step++
	switch l.step {
	case 1:
		return []byte(l.user), nil
	case 2:
		return []byte(l.secret), nil
	}
	return nil, errors.New("submit: LOGIN: unexpected third challenge")
}
