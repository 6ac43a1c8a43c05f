package engine

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/pouchmail/pouch/app/account"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
)

// SetRead marks messages read or unread; the state is kept in the archive.
func (e *Engine) SetRead(ctx context.Context, ids []int64, read bool) error {
	return e.store.SetRead(ctx, ids, read)
}

// UnreadCounts returns unread messages outside the Trash per account ID (0 = removed accounts).
func (e *Engine) UnreadCounts(ctx context.Context) (map[int64]int, error) {
	return e.store.UnreadCounts(ctx)
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
		if err := e.secrets.Delete(old.Name); err != nil && !secrets.IsUnavailable(err) {
			return fmt.Errorf("account renamed to %q, but the old password entry could not be deleted: %w", a.Name, err)
		}
	}
	return nil
}

// RemoveAccountAndMail removes an account as RemoveAccount does (under its session lock) and
// also deletes the messages downloaded for it from the archive (not from the server).
func (e *Engine) RemoveAccountAndMail(ctx context.Context, name string) error {
	a, err := e.store.AccountByName(ctx, name)
	if err != nil {
		return accountErr(name, err)
	}
	if err := e.removeAccountLocked(ctx, a, true); err != nil {
		return err
	}
	if err := e.secrets.Delete(name); err != nil && !secrets.IsUnavailable(err) {
		return fmt.Errorf("account %q removed, but its password could not be deleted from the keyring: %w", name, err)
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
	AuthMechanisms []string // SASL mechanisms offered before login, plus "USER" and "APOP" if offered
	Pipelining     bool
	Top, UIDL      bool
	Expire         string        // the EXPIRE capability after login ("NEVER", "30", ...); "" if not sent
	LoginDelay     time.Duration // LOGIN-DELAY after login; 0 if not sent
	Implementation string
	Duration       time.Duration
}

// CertFingerprint is the hex SHA-256 of a certificate's DER bytes, the form pinned in
// Account.PinnedCertSHA256.
func CertFingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// TestConnection connects to a's server with the given password, logs in and logs out, and
// reports what the server offered; password "" means the one stored for a.Name. It neither lists
// nor touches messages. A failure is returned
// as is: a *pop3.TLSError carries the certificates to show, a *pop3.Error the server's reply.
func (e *Engine) TestConnection(ctx context.Context, a *mailstore.Account, password string) (*ConnectionReport, error) {
	if err := account.Validate(a); err != nil {
		return nil, err
	}
	if password == "" {
		// An edited account keeps its stored password unless a new one was typed.
		pw, err := e.secrets.Get(a.Name)
		if errors.Is(err, secrets.ErrNotFound) {
			return nil, &NoPasswordError{Account: a.Name}
		} else if err != nil {
			return nil, err
		}
		password = pw
	}
	start := time.Now()
	c, caps, err := e.connect(ctx, a, password, func(Progress) {})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	r := &ConnectionReport{Greeting: c.Greeting()}
	if st, ok := c.TLSConnectionState(); ok {
		r.TLSVersion = tls.VersionName(st.Version)
		r.CipherSuite = tls.CipherSuiteName(st.CipherSuite)
		r.Certificates = st.PeerCertificates
	}
	r.AuthMechanisms = append(r.AuthMechanisms, caps.SASL...)
	if caps.User {
		r.AuthMechanisms = append(r.AuthMechanisms, "USER")
	}
	if caps.Has("APOP") || containsTimestamp(r.Greeting) {
		r.AuthMechanisms = append(r.AuthMechanisms, "APOP")
	}
	r.Pipelining, r.Top, r.UIDL, r.Implementation = caps.Pipelining, caps.Top, caps.UIDL, caps.Implementation
	// EXPIRE and LOGIN-DELAY are only final after login (RFC 2449 §6.7, §6.8).
	after, err := c.Capabilities(ctx)
	if err != nil || after == nil {
		after = caps
	}
	if after.Expire != nil {
		r.Expire = after.Expire.String()
	}
	r.LoginDelay = after.LoginDelay
	if err := c.Quit(ctx); err != nil {
		return nil, err
	}
	r.Duration = time.Since(start)
	return r, nil
}

// containsTimestamp reports an APOP timestamp ("<...@...>") in a greeting.
func containsTimestamp(greeting string) bool {
	for i := 0; i < len(greeting); i++ {
		if greeting[i] != '<' {
			continue
		}
		for j := i + 1; j < len(greeting); j++ {
			if greeting[j] == '>' {
				return j > i+1
			}
		}
	}
	return false
}
