package secrets

import "sync"

// Memory is a Store that keeps secrets in memory only, for tests and for
// callers that must not touch the OS keyring. The zero value is ready to
// use and safe for concurrent use.
type Memory struct {
	mu      sync.Mutex
	secrets map[string]string
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty Memory store.
func NewMemory() *Memory { return &Memory{} }

// Get returns the secret of account, or ErrNotFound.
func (m *Memory) Get(account string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.secrets[account]
	if !ok {
		return "", ErrNotFound
	}
	return s, nil
}

// Set stores the secret of account.
func (m *Memory) Set(account, secret string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.secrets == nil {
		m.secrets = make(map[string]string)
	}
	m.secrets[account] = secret
	return nil
}

// Delete removes the secret of account; nil if none is stored.
func (m *Memory) Delete(account string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.secrets, account)
	return nil
}
