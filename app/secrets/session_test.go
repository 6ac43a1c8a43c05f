package secrets_test

import (
	"errors"
	"testing"

	"github.com/pouchmail/pouch/app/secrets"
)

// brokenKeyring fails every call as a desktop without a Secret Service does.
type brokenKeyring struct{}

func (brokenKeyring) Get(string) (string, error) {
	return "", &secrets.UnavailableError{Err: errors.New("no D-Bus")}
}
func (brokenKeyring) Set(string, string) error {
	return &secrets.UnavailableError{Err: errors.New("no D-Bus")}
}
func (brokenKeyring) Delete(string) error {
	return &secrets.UnavailableError{Err: errors.New("no D-Bus")}
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
	s := secrets.NewSession(brokenKeyring{})
	if err := s.Available(); !secrets.IsUnavailable(err) {
		t.Fatalf("Available() = %v, want an UnavailableError", err)
	}
	if err := s.Set("home", "pw"); !secrets.IsUnavailable(err) {
		t.Fatalf("Set() = %v, want the keyring's UnavailableError", err)
	}
	s.SetSessionOnly(true)
	if err := s.Set("home", "pw"); err != nil {
		t.Fatalf("memory-only Set() = %v", err)
	}
	if v, err := s.Get("home"); err != nil || v != "pw" {
		t.Errorf("Get() = %q, %v; want pw", v, err)
	}
	if _, err := s.Get("other"); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("Get(other) = %v, want ErrNotFound (not the keyring's error)", err)
	}
	if err := s.Delete("home"); err != nil {
		t.Errorf("memory-only Delete() = %v, want nil", err)
	}
}
