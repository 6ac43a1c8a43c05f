// Package secrets keeps account secrets (passwords, tokens) in the
// operating system's keyring, never in Pouch's database: the Secret
// Service on Linux and BSD (gnome-keyring, KeePassXC), the Keychain on
// macOS, the Credential Manager on Windows.
package secrets

import (
	"errors"
	"runtime"
)

// Store keeps account secrets (passwords, tokens) outside the database.
type Store interface {
	// Get returns the secret of account, or ErrNotFound when none is stored.
	Get(account string) (string, error)
	// Set stores the secret of account, replacing any previous one.
	Set(account, secret string) error
	// Delete removes the secret of account; nil if none is stored.
	Delete(account string) error
}

// ErrNotFound is returned by Get when no secret is stored for the account.
var ErrNotFound = errors.New("secrets: no secret stored for this account")

// UnavailableError reports that no keyring service could be used. Its
// message says what to do about it.
type UnavailableError struct {
	Err error // the underlying cause
}

// Error explains the failure and how to make a keyring available.
func (e *UnavailableError) Error() string {
	msg := "secrets: no keyring service available"
	if e.Err != nil {
		msg += " (" + e.Err.Error() + ")"
	}
	return msg + ": " + unavailableHint(runtime.GOOS)
}

// Unwrap returns the underlying cause.
func (e *UnavailableError) Unwrap() error { return e.Err }

// IsUnavailable reports whether err (or an error it wraps) is an
// *UnavailableError.
func IsUnavailable(err error) bool {
	var ue *UnavailableError
	return errors.As(err, &ue)
}

func unavailableHint(goos string) string {
	switch goos {
	case "darwin":
		return "Pouch keeps passwords in the macOS Keychain; make sure your login keychain is unlocked (Keychain Access)"
	case "windows":
		return "Pouch keeps passwords in the Windows Credential Manager; make sure you are logged in to a normal desktop session"
	default:
		return "Pouch keeps passwords in the desktop keyring (the Secret Service over D-Bus); " +
			"install and start gnome-keyring (apt-get install gnome-keyring) or KeePassXC with " +
			"Secret Service integration enabled, in a desktop session with a D-Bus session bus, " +
			"and unlock the keyring"
	}
}
