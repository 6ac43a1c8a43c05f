// Package engine joins the POP3 client, the local store and the keyring: it runs a session for
// an account (UIDL diff, RETR, commit) and answers the questions the CLI and the window ask.
// It is the only package that knows both pop3 and mailstore.
package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pouchmail/pouch/app/account"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/mailstore/mimetext"
)

// Options tune an Engine; the zero value is the production behaviour.
type Options struct {
	// Now is the clock used for first-seen and download times; nil = time.Now.
	Now func() time.Time
	// Timeout bounds each POP3 command; 0 = the pop3 package's default.
	Timeout time.Duration
	// Debug receives a POP3 transcript (credentials redacted); nil = none.
	Debug io.Writer
	// DataDir holds the per-account session locks (DataDir/locks/) and the spool for large
	// downloads; "" = the directory of the store's database file.
	DataDir string
	// Checkpoint, if set, is called at the named points of a session (the Checkpoint*
	// constants). It exists for the crash tests, which kill the process there; nil = none.
	Checkpoint func(name string)
}

// Engine is safe for concurrent use by the window and its pollers.
type Engine struct {
	store *mailstore.Store
	// secrets is the keyring behind the session layer, which holds the passwords the user
	// chose to keep for this run only.
	secrets *secrets.Session
	opts    Options
}

// New returns an engine over an open store and a secret store.
func New(store *mailstore.Store, sec secrets.Store, opts Options) *Engine {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	// The session layer lets the window keep a password in memory when there is no keyring.
	sess, ok := sec.(*secrets.Session)
	if !ok {
		sess = secrets.NewSession(sec)
	}
	return &Engine{store: store, secrets: sess, opts: opts}
}

// Store gives read access to the archive for listings.
func (e *Engine) Store() *mailstore.Store { return e.store }

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

// SetPassword replaces the secret of an existing account.
func (e *Engine) SetPassword(ctx context.Context, name, password string) error {
	if _, err := e.store.AccountByName(ctx, name); err != nil {
		return accountErr(name, err)
	}
	if password == "" {
		return errors.New("the password must not be empty")
	}
	return e.secrets.Set(name, password)
}

// RemoveAccount deletes an account's settings, ledger and secret. Its downloaded messages stay in
// the archive: a local copy may be the only one left. It holds the account's session lock
// while it removes, waiting a little for a running session (see removeAccountLocked).
func (e *Engine) RemoveAccount(ctx context.Context, name string) error {
	a, err := e.store.AccountByName(ctx, name)
	if err != nil {
		return accountErr(name, err)
	}
	if err := e.removeAccountLocked(ctx, a, false); err != nil {
		return err
	}
	if err := e.secrets.Delete(name); err != nil && !secrets.IsUnavailable(err) {
		return fmt.Errorf("account %q removed, but its password could not be deleted from the keyring: %w", name, err)
	}
	return nil
}

// removeAccountLocked deletes a's row (and with mail, its messages) under the account's
// session lock, so that no session of it (here or in another Pouch) runs meanwhile: a session
// still running after its messages were purged could DELE the server's copies of mail that
// no longer exists anywhere else. It waits up to removeLockWait for a running session to
// end and then gives up with a *LockedError; the account is then left as it was.
func (e *Engine) removeAccountLocked(ctx context.Context, a *mailstore.Account, withMail bool) error {
	unlock, err := e.lockAccountWait(ctx, a, removeLockWait)
	if err != nil {
		return err
	}
	defer unlock()
	return e.store.DeleteAccount(ctx, a.ID, withMail)
}

// Accounts lists the configured accounts by name.
func (e *Engine) Accounts(ctx context.Context) ([]mailstore.Account, error) {
	return e.store.Accounts(ctx)
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

// Account looks one account up by name.
func (e *Engine) Account(ctx context.Context, name string) (*mailstore.Account, error) {
	a, err := e.store.AccountByName(ctx, name)
	if err != nil {
		return nil, accountErr(name, err)
	}
	return a, nil
}

// Messages lists stored messages, newest first; account "" means all.
func (e *Engine) Messages(ctx context.Context, accountName string) ([]mailstore.Message, error) {
	var f mailstore.Filter
	if accountName != "" {
		a, err := e.Account(ctx, accountName)
		if err != nil {
			return nil, err
		}
		f.AccountID = a.ID
	}
	return e.store.Messages(ctx, f)
}

// MessageView is a stored message ready to show: headers plus readable text.
type MessageView struct {
	mailstore.Message
	Body *mimetext.Body
}

// Message loads one message and its readable body. A body that cannot be parsed still yields
// the headers and whatever text was recovered: the raw bytes stay the truth.
func (e *Engine) Message(ctx context.Context, id int64) (*MessageView, error) {
	m, err := e.store.Message(ctx, id)
	if err != nil {
		return nil, messageErr(id, err)
	}
	raw, err := e.store.Raw(ctx, id)
	if err != nil {
		return nil, messageErr(id, err)
	}
	body, perr := mimetext.ParseBody(raw)
	if body == nil {
		body = &mimetext.Body{Text: string(raw)}
	}
	if perr != nil && body.Text == "" {
		body.Text = fmt.Sprintf("(this message could not be parsed: %v)", perr)
	}
	return &MessageView{Message: *m, Body: body}, nil
}

// Raw returns a message's bytes exactly as received.
func (e *Engine) Raw(ctx context.Context, id int64) ([]byte, error) {
	raw, err := e.store.Raw(ctx, id)
	if err != nil {
		return nil, messageErr(id, err)
	}
	return raw, nil
}

// NotFoundError says which account or message does not exist.
type NotFoundError struct {
	What string // "account" or "message"
	Key  string
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("no %s %s", e.What, e.Key) }

func accountErr(name string, err error) error {
	if errors.Is(err, mailstore.ErrNotFound) {
		return &NotFoundError{What: "account", Key: fmt.Sprintf("%q", name)}
	}
	return err
}

func messageErr(id int64, err error) error {
	if errors.Is(err, mailstore.ErrNotFound) {
		return &NotFoundError{What: "message", Key: fmt.Sprint(id)}
	}
	return err
}
