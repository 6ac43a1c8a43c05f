package engine

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/pouchmail/pouch/app/account"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
)

// login takes the account's lock, reads its password (or an OAuth2 account's access token),
// connects and authenticates with the
// account's mechanism ("" = the strongest the server offers; a password never goes in the
// clear over an unencrypted connection unless the account names a cleartext mechanism). The
// returned release closes the connection (without QUIT: the server then deletes nothing) and
// drops the lock. On failure nothing is left open or locked.
func (e *Engine) login(ctx context.Context, a *mailstore.Account, report func(Progress)) (c *pop3.Client, release func(), err error) {
	unlock, err := e.lockAccount(a)
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			unlock()
		}
	}()
	if a.OAuthProvider != "" {
		// Fail before connecting when the sign-in is gone: no round trip to say so.
		if _, err = e.accessToken(ctx, a, false); err != nil {
			return nil, nil, err
		}
		report(Progress{Phase: PhaseConnect})
		if c, err = e.dial(ctx, a); err != nil {
			return nil, nil, err
		}
		report(Progress{Phase: PhaseLogin})
		if c, err = e.loginOAuth(ctx, a, c); err != nil {
			return nil, nil, err
		}
		return c, func() { c.Close(); unlock() }, nil
	}
	password, err := e.password(a.Name)
	if err != nil {
		return nil, nil, err
	}
	report(Progress{Phase: PhaseConnect})
	if c, err = e.dial(ctx, a); err != nil {
		return nil, nil, err
	}
	report(Progress{Phase: PhaseLogin})
	if err = c.Auth(ctx, a.Username, password, a.AuthMethod); err != nil {
		c.Close()
		return nil, nil, err
	}
	return c, func() { c.Close(); unlock() }, nil
}

// password reads an account's secret from the keyring.
func (e *Engine) password(name string) (string, error) {
	pw, err := e.secrets.Get(name)
	if errors.Is(err, secrets.ErrNotFound) {
		return "", &NoPasswordError{Account: name}
	}
	return pw, err
}

// dial connects as the account's security setting says; TLS is never downgraded.
func (e *Engine) dial(ctx context.Context, a *mailstore.Account) (*pop3.Client, error) {
	addr := net.JoinHostPort(a.Host, strconv.Itoa(a.Port))
	opts := &pop3.Options{Timeout: e.opts.Timeout, DebugWriter: e.opts.Debug}
	if a.Security != mailstore.SecurityNone {
		cfg, err := tlsConfig(a)
		if err != nil {
			return nil, err
		}
		opts.TLSConfig = cfg
		// A pinned certificate is trusted as is, whatever its issuer or dates.
		opts.PinnedSHA256 = a.PinnedCertSHA256
	}
	switch a.Security {
	case mailstore.SecurityTLS:
		return pop3.DialTLS(ctx, addr, opts)
	case mailstore.SecurityStartTLS:
		return pop3.DialStartTLS(ctx, addr, opts)
	case mailstore.SecurityNone:
		return pop3.Dial(ctx, addr, opts)
	}
	return nil, fmt.Errorf("unknown security mode %q", a.Security)
}

// tlsConfig trusts the system roots plus the account's own certificate, if any.
func tlsConfig(a *mailstore.Account) (*tls.Config, error) {
	cfg := &tls.Config{ServerName: a.Host, MinVersion: tls.VersionTLS12}
	if len(a.CACertPEM) == 0 {
		return cfg, nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	certs, err := account.ParseCertificates(a.CACertPEM)
	if err != nil {
		return nil, fmt.Errorf("account %q: trusted certificate: %w", a.Name, err)
	}
	for _, c := range certs {
		pool.AddCert(c)
	}
	cfg.RootCAs = pool
	return cfg, nil
}
