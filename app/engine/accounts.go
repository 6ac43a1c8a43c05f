package engine

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pouchmail/pouch/app/account"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
)

// Accounts: adding, editing and removing them, their passwords, and Test connection.

// Accounts lists the configured accounts by name.
func (e *Engine) Accounts(ctx context.Context) ([]mailstore.Account, error) {
	return e.store.Accounts(ctx)
}

// Account looks one account up by name.
func (e *Engine) Account(ctx context.Context, name string) (*mailstore.Account, error) {
	a, err := e.store.AccountByName(ctx, name)
	if err != nil {
		return nil, accountErr(name, err)
	}
	return a, nil
}

// selectAccounts returns the named account, or every account when name is "".
func (e *Engine) selectAccounts(ctx context.Context, name string) ([]mailstore.Account, error) {
	if name == "" {
		return e.store.Accounts(ctx)
	}
	a, err := e.Account(ctx, name)
	if err != nil {
		return nil, err
	}
	return []mailstore.Account{*a}, nil
}

// AddAccount validates a, stores password (if not empty) in the keyring and saves the settings.
// Nothing is left behind when any step fails.
func (e *Engine) AddAccount(ctx context.Context, a *mailstore.Account, password string) error {
	if err := account.Validate(a); err != nil {
		return err
	}
	if _, err := e.store.AccountByName(ctx, a.Name); err == nil {
		return fmt.Errorf("account %q already exists", a.Name)
	} else if !errors.Is(err, mailstore.ErrNotFound) {
		return err
	}
	if password != "" {
		if err := e.secrets.Set(a.Name, password); err != nil {
			return err
		}
	}
	if err := e.store.CreateAccount(ctx, a); err != nil {
		if password != "" {
			_ = e.secrets.Delete(a.Name)
		}
		return err
	}
	return nil
}

// UpdateAccount validates and saves a's settings (found by a.ID). A non-nil password replaces the
// stored secret (an empty one is refused). A rename moves the secret to the new name; the
// settings are saved last, so a keyring failure leaves the account as it was.
func (e *Engine) UpdateAccount(ctx context.Context, a *mailstore.Account, password *string) error {
	if err := account.Validate(a); err != nil {
		return err
	}
	old, err := e.store.Account(ctx, a.ID)
	if err != nil {
		return accountErr(a.Name, err)
	}
	if password != nil && *password == "" {
		return errors.New("the password must not be empty")
	}
	if old.Name != a.Name {
		if _, err := e.store.AccountByName(ctx, a.Name); err == nil {
			return fmt.Errorf("account %q already exists", a.Name)
		}
	}
	renamed := old.Name != a.Name
	if !strings.EqualFold(old.Host, a.Host) || old.Username != a.Username {
		// Another mailbox: the store starts its ledger afresh, which a session still running
		// on the old one would undo with its own rows. Wait for it, as removing does.
		unlock, err := e.lockAccountWait(ctx, old, removeLockWait)
		if err != nil {
			return err
		}
		defer unlock()
	}
	if password != nil {
		if err := e.secrets.Set(a.Name, *password); err != nil {
			return err
		}
	} else if renamed {
		// Copied layer by layer: a password kept for this session only stays in memory.
		if _, err := e.secrets.Copy(old.Name, a.Name); err != nil {
			_ = e.secrets.Delete(a.Name)
			return fmt.Errorf("renaming account %q: moving its password: %w", old.Name, err)
		}
	}
	if err := e.store.UpdateAccount(ctx, a); err != nil {
		if renamed {
			_ = e.secrets.Delete(a.Name)
		}
		return err
	}
	if renamed {
		if err := e.moveOAuthToken(old.Name, a.Name); err != nil {
			return fmt.Errorf("account renamed to %q, but its OAuth2 sign-in could not be moved (sign in again: pouch account login %s): %w", a.Name, a.Name, err)
		}
		if err := e.secrets.Delete(old.Name); err != nil && !secrets.IsUnavailable(err) {
			return fmt.Errorf("account renamed to %q, but the old password entry could not be deleted: %w", a.Name, err)
		}
	}
	return nil
}

// SetPassword replaces the secret of an existing account.
func (e *Engine) SetPassword(ctx context.Context, name, password string) error {
	a, err := e.store.AccountByName(ctx, name)
	if err != nil {
		return accountErr(name, err)
	}
	if a.OAuthProvider != "" {
		// The password would never be used; the sign-in is what the user means to renew.
		return fmt.Errorf("account %q signs in with OAuth2, not a password; sign in again: pouch account login %s", name, name)
	}
	if password == "" {
		return errors.New("the password must not be empty")
	}
	return e.secrets.Set(name, password)
}

// RemoveAccount deletes an account's settings, ledger and secret. Its downloaded messages stay in
// the archive: a local copy may be the only one left. It holds the account's session lock
// while it removes, waiting a little for a running session (see removeAccount).
func (e *Engine) RemoveAccount(ctx context.Context, name string) error {
	return e.removeAccount(ctx, name, false)
}

// RemoveAccountAndMail removes an account as RemoveAccount does (under its session lock) and
// also deletes the messages downloaded for it from the archive (not from the server).
func (e *Engine) RemoveAccountAndMail(ctx context.Context, name string) error {
	return e.removeAccount(ctx, name, true)
}

// removeAccount deletes the account's row (and with mail, its messages) under the account's
// session lock, so that no session of it (here or in another Pouch) runs meanwhile: a session
// still running after its messages were purged could DELE the server's copies of mail that
// no longer exists anywhere else. It waits up to removeLockWait for a running session to
// end and then gives up with a *LockedError; the account is then left as it was. The secret
// goes last.
func (e *Engine) removeAccount(ctx context.Context, name string, withMail bool) error {
	a, err := e.store.AccountByName(ctx, name)
	if err != nil {
		return accountErr(name, err)
	}
	unlock, err := e.lockAccountWait(ctx, a, removeLockWait)
	if err != nil {
		return err
	}
	err = e.store.DeleteAccount(ctx, a.ID, withMail)
	unlock()
	if err != nil {
		return err
	}
	if err := e.secrets.Delete(name); err != nil && !secrets.IsUnavailable(err) {
		return fmt.Errorf("account %q removed, but its password could not be deleted from the keyring: %w", name, err)
	}
	if a.SMTPOwnPassword {
		_ = e.secrets.Delete(SMTPSecretKey(name))
	}
	e.forgetTokenSource(name)
	if err := e.oauthTokens.Delete(name); err != nil && !secrets.IsUnavailable(err) {
		return fmt.Errorf("account %q removed, but its OAuth2 sign-in could not be deleted from the keyring: %w", name, err)
	}
	return nil
}

// KeyringAvailable is nil when the OS keyring answers, else an error for which
// secrets.IsUnavailable reports true.
func (e *Engine) KeyringAvailable() error {
	return e.secrets.Available()
}

// UseSessionPasswords makes new passwords stay in memory only, for desktops without a keyring.
func (e *Engine) UseSessionPasswords(on bool) {
	e.secrets.SetSessionOnly(on)
}

// SetSessionPassword keeps an account's password in memory until Pouch exits.
func (e *Engine) SetSessionPassword(name, password string) {
	e.secrets.SetSession(name, password)
}

// ConnectionReport is what Test connection found out about a server.
type ConnectionReport struct {
	TLSVersion     string              // "TLS 1.3"; "" without TLS
	CipherSuite    string              // "" without TLS
	Certificates   []*x509.Certificate // the server's chain, leaf first; nil without TLS
	Greeting       string
	AuthMechanisms []string // the mechanisms the server offered before login that pop3.Auth could use (Client.Offered)
	Pipelining     bool
	Top, UIDL      bool
	Expire         string        // the EXPIRE capability after login ("NEVER", "30", ...); "" if not sent
	LoginDelay     time.Duration // LOGIN-DELAY after login; 0 if not sent
	Implementation string
	Duration       time.Duration
}

// TestConnection connects to a's server with the given password, logs in and logs out, and
// reports what the server offered; password "" means the one stored for a.Name (for an OAuth2
// account: a bearer token, "" = one from its stored sign-in). It neither lists
// nor touches messages. A failure is returned
// as is: a *pop3.TLSError carries the certificates to show, a *pop3.Error the server's reply.
func (e *Engine) TestConnection(ctx context.Context, a *mailstore.Account, password string) (*ConnectionReport, error) {
	if err := account.Validate(a); err != nil {
		return nil, err
	}
	if password == "" {
		// An edited account keeps its stored password unless a new one was typed.
		var pw string
		var err error
		if a.OAuthProvider != "" {
			pw, err = e.accessToken(ctx, a, false)
		} else {
			pw, err = e.password(a.Name)
		}
		if err != nil {
			return nil, err
		}
		password = pw
	}
	return e.testConnection(ctx, a, password)
}

// testConnection is TestConnection with the secret in hand: a password, or an OAuth2
// account's bearer token.
func (e *Engine) testConnection(ctx context.Context, a *mailstore.Account, password string) (*ConnectionReport, error) {
	start := time.Now()
	c, err := e.dial(ctx, a)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	// Before login: what the server offers, and the mechanisms Auth could use, by its own rule.
	caps, err := c.Capabilities(ctx)
	if err != nil {
		return nil, err
	}
	mechs, err := c.Offered(ctx)
	if err != nil {
		return nil, err
	}
	if a.OAuthProvider != "" {
		err = oauthAuth(ctx, c, a, password)
	} else {
		err = c.Auth(ctx, a.Username, password, a.AuthMethod)
	}
	if err != nil {
		return nil, err
	}
	r := &ConnectionReport{Greeting: c.Greeting(), AuthMechanisms: mechs, Pipelining: caps.Pipelining,
		Top: caps.Top, UIDL: caps.UIDL, Implementation: caps.Implementation}
	if st, ok := c.TLSConnectionState(); ok {
		r.TLSVersion = tls.VersionName(st.Version)
		r.CipherSuite = tls.CipherSuiteName(st.CipherSuite)
		r.Certificates = st.PeerCertificates
	}
	// EXPIRE and LOGIN-DELAY are only final after login (RFC 2449 §6.7, §6.8).
	if after, err := c.Capabilities(ctx); err == nil {
		caps = after
	}
	if caps.Expire != nil {
		r.Expire = caps.Expire.String()
	}
	r.LoginDelay = caps.LoginDelay
	if err := c.Quit(ctx); err != nil {
		return nil, err
	}
	r.Duration = time.Since(start)
	return r, nil
}
