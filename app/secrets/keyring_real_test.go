package secrets

import (
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/pouchmail/pouch/internal/testenv"
)

// TestRealSecretService stores, reads and deletes a secret in the real OS
// keyring. It runs only with POUCH_TEST_SECRET_SERVICE=1 (else it skips, or fails with
// POUCH_REQUIRE_SECRET_SERVICE=1: see internal/testenv); on Linux, scripts/with-keyring provides a private,
// unlocked gnome-keyring.
//
// It must run before any test that installs go-keyring's mock (this file
// sorts first); run it alone with -run Real.
func TestRealSecretService(t *testing.T) {
	if os.Getenv("POUCH_TEST_SECRET_SERVICE") != "1" {
		testenv.Missing(t, "SECRET_SERVICE", "set POUCH_TEST_SECRET_SERVICE=1 to test the real OS keyring (on Linux: scripts/with-keyring go test -run Real ./app/secrets/)")
	}
	if mocked {
		t.Fatal("go-keyring's mock replaced the real keyring earlier in this process; run this test alone with -run Real")
	}
	service := fmt.Sprintf("pouch-test-%d-%d", os.Getpid(), time.Now().UnixNano())
	t.Cleanup(func() {
		if err := keyring.DeleteAll(service); err != nil {
			t.Errorf("clean-up: DeleteAll(%q) = %v", service, err)
		}
	})
	k := NewKeyring(service)
	const account = "alice@example.org"

	if _, err := k.Get(account); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get before Set = %v, want ErrNotFound", err)
	}
	secret := "pässwörd with spaces ✉ 🔑 \"quoted\" \\back"
	if err := k.Set(account, secret); err != nil {
		t.Fatalf("Set = %v", err)
	}
	if got, err := k.Get(account); err != nil || got != secret {
		t.Fatalf("Get = %q, %v, want %q, nil", got, err, secret)
	}
	// Set replaces: a second item for the same account is not created.
	if err := k.Set(account, "second "+secret); err != nil {
		t.Fatalf("Set (replace) = %v", err)
	}
	if got, err := k.Get(account); err != nil || got != "second "+secret {
		t.Fatalf("Get after replace = %q, %v, want %q, nil", got, err, "second "+secret)
	}
	if _, err := NewKeyring(service + "-other").Get(account); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get from another service = %v, want ErrNotFound", err)
	}
	if err := k.Delete(account); err != nil {
		t.Fatalf("Delete = %v", err)
	}
	if _, err := k.Get(account); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete = %v, want ErrNotFound", err)
	}
	if err := k.Delete(account); err != nil {
		t.Errorf("Delete of a missing secret = %v, want nil", err)
	}
}
