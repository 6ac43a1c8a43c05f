package secrets_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/pouchmail/pouch/app/secrets"
)

// brokenKeyring fails every call as a desktop without a Secret Service does, and records
// every Set it is asked for: a session-only password must never even be offered to it, since
// a keyring that later comes back (or one that fails only on Get) would keep it.
type brokenKeyring struct {
	mu   sync.Mutex
	sets []string // "account=secret" per Set call
}

func (k *brokenKeyring) Get(string) (string, error) {
	return "", &secrets.UnavailableError{Err: errors.New("no D-Bus")}
}
func (k *brokenKeyring) Set(account, secret string) error {
	k.mu.Lock()
	k.sets = append(k.sets, account+"="+secret)
	k.mu.Unlock()
	return &secrets.UnavailableError{Err: errors.New("no D-Bus")}
}
func (k *brokenKeyring) Delete(string) error {
	return &secrets.UnavailableError{Err: errors.New("no D-Bus")}
}

// Sets returns the Set calls so far.
func (k *brokenKeyring) Sets() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.sets...)
}

func TestSessionInFrontOfKeyring(t *testing.T) {
	kr := secrets.NewMemory()
	s := secrets.NewSession(kr)
	if err := s.Available(); err != nil {
		t.Fatalf("Available() = %v, want nil", err)
	}
	if err := s.Set("home", "pw1"); err != nil {
		t.Fatal(err)
	}
	if v, _ := kr.Get("home"); v != "pw1" {
		t.Errorf("keyring has %q, want pw1 (Set writes through)", v)
	}
	s.SetSession("home", "session-pw")
	if v, _ := s.Get("home"); v != "session-pw" {
		t.Errorf("Get() = %q, want the session password first", v)
	}
	if v, _ := kr.Get("home"); v != "pw1" {
		t.Errorf("SetSession wrote to the keyring: %q", v)
	}
	if err := s.Delete("home"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("home"); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("Get() after Delete = %v, want ErrNotFound", err)
	}
}

func TestSessionWithoutKeyring(t *testing.T) {
	kr := &brokenKeyring{}
	s := secrets.NewSession(kr)
	if err := s.Available(); !secrets.IsUnavailable(err) {
		t.Fatalf("Available() = %v, want an UnavailableError", err)
	}
	if err := s.Set("home", "keyring-pw"); !secrets.IsUnavailable(err) {
		t.Fatalf("Set() = %v, want the keyring's UnavailableError", err)
	}
	if got := kr.Sets(); len(got) != 1 || got[0] != "home=keyring-pw" {
		t.Fatalf("keyring Set calls = %q, want the one write-through attempt", got)
	}
	s.SetSessionOnly(true)
	if err := s.Set("home", "pw"); err != nil {
		t.Fatalf("memory-only Set() = %v", err)
	}
	s.SetSession("work", "session-pw")
	if v, err := s.Get("home"); err != nil || v != "pw" {
		t.Errorf("Get() = %q, %v; want pw", v, err)
	}
	if v, err := s.Get("work"); err != nil || v != "session-pw" {
		t.Errorf("Get(work) = %q, %v; want session-pw", v, err)
	}
	// The write-through attempt above is the only one: nothing given for the session reached
	// the keyring, not even as a failed call.
	if got := kr.Sets(); len(got) != 1 {
		t.Errorf("keyring Set calls = %q; session-only passwords were offered to the keyring", got)
	}
	if _, err := s.Get("other"); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("Get(other) = %v, want ErrNotFound (not the keyring's error)", err)
	}
	if err := s.Delete("home"); err != nil {
		t.Errorf("memory-only Delete() = %v, want nil", err)
	}
}
