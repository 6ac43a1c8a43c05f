package engine

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/pouchmail/pouch/mailstore"
)

// The errors the engine returns besides those of pop3, mailstore and secrets. The poller
// sorts them into ErrorKinds (classify, poller.go).

// FetchError wraps the reason a session for an account failed.
type FetchError struct {
	Account string
	Err     error
}

func (e *FetchError) Error() string { return fmt.Sprintf("%s: %v", e.Account, e.Err) }
func (e *FetchError) Unwrap() error { return e.Err }

// NotDeletedError says the session stopped before deleting anything on the server, and why.
type NotDeletedError struct{ Err error }

func (e *NotDeletedError) Error() string {
	return fmt.Sprintf("nothing was deleted from the server: %v", e.Err)
}
func (e *NotDeletedError) Unwrap() error { return e.Err }

// NoPasswordError says an account has no secret in the keyring.
type NoPasswordError struct{ Account string }

func (e *NoPasswordError) Error() string {
	return fmt.Sprintf("no password stored for account %q (set one with: pouch account password %s --password-stdin)", e.Account, e.Account)
}

// NoUIDLError says the server cannot identify messages across sessions, so mail cannot be
// left on it: only leave-days 0 (delete right after storing) works there.
type NoUIDLError struct{ Account string }

func (e *NoUIDLError) Error() string {
	return fmt.Sprintf("the server of account %q does not support UIDL, so leaving mail on it is impossible: set leave-days to 0 (delete after download)", e.Account)
}

// LocalAccountError says an account has no server: its mail was imported, nothing is fetched.
type LocalAccountError struct{ Account string }

func (e *LocalAccountError) Error() string {
	return fmt.Sprintf("account %q is local: it has no server to fetch from", e.Account)
}

// LockedError says another session (in this process or another Pouch, say a `pouch fetch`
// from cron while the window runs) holds the account's lock.
type LockedError struct {
	Account string
	Path    string // the lock file
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("another Pouch is fetching account %q (lock %s held); try again when it is done", e.Account, e.Path)
}

// NotFoundError says which account or message does not exist.
type NotFoundError struct {
	What string // "account" or "message"
	Key  string
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("no %s %s", e.What, e.Key) }

// accountErr, messageErr and idsErr turn the store's not-found into a NotFoundError.
func accountErr(name string, err error) error { return notFound(err, "account", strconv.Quote(name)) }
func messageErr(id int64, err error) error    { return notFound(err, "message", fmt.Sprint(id)) }
func idsErr(ids []int64, err error) error     { return notFound(err, "message", fmt.Sprint(ids)) }

func notFound(err error, what, key string) error {
	if errors.Is(err, mailstore.ErrNotFound) {
		return &NotFoundError{What: what, Key: key}
	}
	return err
}

// tooLargeError says a message exceeds maxMessageSize.
type tooLargeError struct{ limit int64 }

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("the message is larger than %d bytes", e.limit)
}

// ChangedError says the server now holds another message under a UIDL than the one whose
// headers are stored: the headers-only copy is kept, and the whole message is not fetched.
type ChangedError struct{ UIDL string }

func (e *ChangedError) Error() string {
	return fmt.Sprintf("the server now holds another message under UIDL %s; the headers stored here are kept as they are", e.UIDL)
}
