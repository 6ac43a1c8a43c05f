package secrets

import (
	"errors"
	"sync"
)

// Session puts an in-memory layer in front of a keyring. Secrets given for
// the session (SetSession) are found first and never written anywhere; with
// SessionOnly on, Set keeps secrets in memory too. This is the fallback for
// desktops without a keyring service: the window asks for the password once
// per run instead of failing every check.
type Session struct {
	keyring Store

	mu          sync.Mutex
	mem         map[string]string
	sessionOnly bool
}

var _ Store = (*Session)(nil)

// NewSession wraps keyring (which may be nil: memory only).
func NewSession(keyring Store) *Session {
	return &Session{keyring: keyring, mem: map[string]string{}, sessionOnly: keyring == nil}
}

// SetSessionOnly chooses whether Set writes to memory only (true) or to the keyring.
func (s *Session) SetSessionOnly(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessionOnly = on || s.keyring == nil
}

// SessionOnly reports whether secrets are kept in memory only.
func (s *Session) SessionOnly() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessionOnly
}

// SetSession keeps secret for account in memory until the process exits.
func (s *Session) SetSession(account, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mem[account] = secret
}

// Get returns the session secret if there is one, else the keyring's.
func (s *Session) Get(account string) (string, error) {
	s.mu.Lock()
	v, ok := s.mem[account]
	only := s.sessionOnly
	s.mu.Unlock()
	if ok {
		return v, nil
	}
	if only {
		return "", ErrNotFound
	}
	return s.keyring.Get(account)
}

// Set stores secret in the keyring, or in memory when the session is
// memory-only. A keyring write also drops any session copy, so the two never
// disagree.
func (s *Session) Set(account, secret string) error {
	s.mu.Lock()
	if s.sessionOnly {
		s.mem[account] = secret
		s.mu.Unlock()
		return nil
	}
	s.mu.Unlock()
	if err := s.keyring.Set(account, secret); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.mem, account)
	s.mu.Unlock()
	return nil
}

// Delete removes the secret from memory and from the keyring. An unavailable
// keyring is not an error when the session was memory-only: nothing was
// written there.
func (s *Session) Delete(account string) error {
	s.mu.Lock()
	delete(s.mem, account)
	only := s.sessionOnly
	s.mu.Unlock()
	if s.keyring == nil {
		return nil
	}
	err := s.keyring.Delete(account)
	if only && IsUnavailable(err) {
		return nil
	}
	return err
}

// Available probes the keyring: nil when it answers, else an error for which
// IsUnavailable is true (or whatever else the keyring reported).
func (s *Session) Available() error {
	if s.keyring == nil {
		return &UnavailableError{Err: errors.New("no keyring configured")}
	}
	_, err := s.keyring.Get("pouch-keyring-probe")
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// Copy gives account to the secret of account from, each layer to its own: a session secret
// is copied in memory, a keyring secret within the keyring. A secret the user chose to keep for
// this session only never reaches the keyring this way. It reports whether there was anything
// to copy. On an error the caller undoes a partial copy with Delete(to).
func (s *Session) Copy(from, to string) (bool, error) {
	s.mu.Lock()
	v, inMem := s.mem[from]
	if inMem {
		s.mem[to] = v
	}
	only := s.sessionOnly
	s.mu.Unlock()
	if only || s.keyring == nil {
		return inMem, nil
	}
	kv, err := s.keyring.Get(from)
	switch {
	case errors.Is(err, ErrNotFound):
		return inMem, nil
	case err != nil && inMem && IsUnavailable(err):
		return true, nil // the session copy is the one in use
	case err != nil:
		return inMem, err
	}
	if err := s.keyring.Set(to, kv); err != nil {
		return inMem, err
	}
	return true, nil
}
