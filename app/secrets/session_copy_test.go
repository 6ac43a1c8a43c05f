package secrets_test

import (
	"errors"
	"testing"

	"github.com/pouchmail/pouch/app/secrets"
)

func TestSessionCopyKeepsLayers(t *testing.T) {
	kr := secrets.NewMemory()
	s := secrets.NewSession(kr)
	s.SetSession("mem", "m")
	if err := kr.Set("kr", "k"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ from, to, want string }{{"mem", "mem2", "m"}, {"kr", "kr2", "k"}} {
		ok, err := s.Copy(tc.from, tc.to)
		if !ok || err != nil {
			t.Fatalf("Copy(%s) = %v, %v", tc.from, ok, err)
		}
		if v, err := s.Get(tc.to); v != tc.want || err != nil {
			t.Errorf("Get(%s) = %q, %v; want %q", tc.to, v, err, tc.want)
		}
	}
	if _, err := kr.Get("mem2"); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("a session secret was copied into the keyring: %v", err)
	}
	if ok, err := s.Copy("none", "none2"); ok || err != nil {
		t.Errorf("Copy(nothing) = %v, %v; want false, nil", ok, err)
	}
	// Without a keyring the session copy is all there is.
	b := secrets.NewSession(&brokenKeyring{})
	b.SetSession("a", "x")
	if ok, err := b.Copy("a", "b"); !ok || err != nil {
		t.Errorf("Copy with a broken keyring = %v, %v; want the session copy", ok, err)
	}
}
