package secrets

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

// mocked records that go-keyring's global provider was replaced by its
// mock: there is no way back to the real one in this process.
var mocked bool

// useMock installs go-keyring's in-memory mock (failing with err if not
// nil) and a dummy session bus address, so that the session bus check
// passes without a bus: the mock never talks to D-Bus.
func useMock(t *testing.T, err error) {
	t.Helper()
	mocked = true
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/pouch-test-bus")
	if err != nil {
		keyring.MockInitWithError(err)
	} else {
		keyring.MockInit()
	}
}

func TestKeyringRoundTrip(t *testing.T) {
	useMock(t, nil)
	k := NewKeyring("")
	if k.Service != DefaultService {
		t.Errorf(`NewKeyring("").Service = %q, want %q`, k.Service, DefaultService)
	}

	if _, err := k.Get("alice"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get before Set = %v, want ErrNotFound", err)
	}
	if err := k.Set("alice", "first secret"); err != nil {
		t.Fatalf("Set = %v", err)
	}
	if err := k.Set("alice", "second secret"); err != nil {
		t.Fatalf("Set (replace) = %v", err)
	}
	if got, err := k.Get("alice"); err != nil || got != "second secret" {
		t.Errorf("Get = %q, %v, want %q, nil", got, err, "second secret")
	}
	// The zero Keyring files under DefaultService too.
	if got, err := (&Keyring{}).Get("alice"); err != nil || got != "second secret" {
		t.Errorf("Keyring{}.Get = %q, %v, want the secret set through NewKeyring(\"\")", got, err)
	}
	// Another service does not see it.
	if _, err := NewKeyring("other").Get("alice"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get from another service = %v, want ErrNotFound", err)
	}

	if err := k.Delete("alice"); err != nil {
		t.Fatalf("Delete = %v", err)
	}
	if _, err := k.Get("alice"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete = %v, want ErrNotFound", err)
	}
	if err := k.Delete("alice"); err != nil {
		t.Errorf("Delete of a missing secret = %v, want nil", err)
	}
}

func TestKeyringEmptyAccount(t *testing.T) {
	useMock(t, nil)
	k := NewKeyring("")
	if err := k.Set("", "x"); err == nil {
		t.Error(`Set("") = nil, want an error`)
	}
	if _, err := k.Get(""); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf(`Get("") = %v, want an error other than ErrNotFound`, err)
	}
	if err := k.Delete(""); err == nil {
		t.Error(`Delete("") = nil, want an error`)
	}
}

func TestKeyringErrors(t *testing.T) {
	const secret = "hunter2-do-not-leak"
	tests := []struct {
		name        string
		err         error
		unavailable bool
	}{
		{"unsupported platform", keyring.ErrUnsupportedPlatform, true},
		{"no secret service", errors.New("The name org.freedesktop.secrets was not provided by any .service files"), true},
		{"no unlock", errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), true},
		{"no session bus", errors.New("dbus: couldn't determine address of session bus"), true},
		{"locked", errors.New("Cannot create an item in a locked collection"), true},
		{"no collection", errors.New("No such collection"), true},
		{"unknown object", errors.New("Object does not exist at path “/org/freedesktop/secrets/collection/login”"), true},
		{"too big", keyring.ErrSetDataTooBig, false},
		{"other", errors.New("something else broke"), false},
	}
	ops := []struct {
		name string
		do   func(k *Keyring) error
	}{
		{"Get", func(k *Keyring) error { _, err := k.Get("alice"); return err }},
		{"Set", func(k *Keyring) error { return k.Set("alice", secret) }},
		{"Delete", func(k *Keyring) error { return k.Delete("alice") }},
	}
	for _, tc := range tests {
		for _, op := range ops {
			t.Run(tc.name+"/"+op.name, func(t *testing.T) {
				useMock(t, tc.err)
				err := op.do(NewKeyring(""))
				if err == nil {
					t.Fatalf("%s = nil, want an error", op.name)
				}
				if got := IsUnavailable(err); got != tc.unavailable {
					t.Errorf("IsUnavailable(%v) = %v, want %v", err, got, tc.unavailable)
				}
				if errors.Is(err, ErrNotFound) {
					t.Errorf("%s = %v, must not be ErrNotFound", op.name, err)
				}
				if strings.Contains(err.Error(), secret) {
					t.Errorf("%s error %q contains the secret", op.name, err)
				}
				if !strings.Contains(err.Error(), `"alice"`) {
					t.Errorf("%s error %q does not name the account", op.name, err)
				}
				if tc.unavailable {
					var ue *UnavailableError
					if !errors.As(err, &ue) || !errors.Is(err, tc.err) {
						t.Errorf("%s = %v, want an *UnavailableError wrapping %v", op.name, err, tc.err)
					}
					if !strings.Contains(err.Error(), unavailableHint(runtime.GOOS)) {
						t.Errorf("%s error %q lacks the hint", op.name, err)
					}
				}
			})
		}
	}
}

func TestKeyringNoSessionBus(t *testing.T) {
	if !usesDBus(runtime.GOOS) {
		t.Skipf("the keyring does not use D-Bus on %s", runtime.GOOS)
	}
	useMock(t, nil)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	k := NewKeyring("")
	for name, err := range map[string]error{
		"Get":    func() error { _, err := k.Get("alice"); return err }(),
		"Set":    k.Set("alice", "pw"),
		"Delete": k.Delete("alice"),
	} {
		if !IsUnavailable(err) || !strings.Contains(err.Error(), "DBUS_SESSION_BUS_ADDRESS") {
			t.Errorf("%s without a session bus = %v, want an *UnavailableError naming DBUS_SESSION_BUS_ADDRESS", name, err)
		}
	}
}

func TestUnavailableError(t *testing.T) {
	cause := errors.New("cause")
	err := error(&UnavailableError{Err: cause})
	if !errors.Is(err, cause) {
		t.Error("errors.Is(UnavailableError, cause) = false, want true")
	}
	if !IsUnavailable(err) || IsUnavailable(cause) || IsUnavailable(nil) {
		t.Error("IsUnavailable is wrong")
	}
	for goos, want := range map[string]string{
		"linux":   "gnome-keyring",
		"freebsd": "KeePassXC",
		"darwin":  "Keychain",
		"windows": "Credential Manager",
	} {
		if hint := unavailableHint(goos); !strings.Contains(hint, want) {
			t.Errorf("unavailableHint(%q) = %q, want it to mention %q", goos, hint, want)
		}
	}
}

func TestMemory(t *testing.T) {
	var m Memory
	if _, err := m.Get("a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get before Set = %v, want ErrNotFound", err)
	}
	if err := m.Set("a", "s"); err != nil {
		t.Fatal(err)
	}
	if got, err := m.Get("a"); err != nil || got != "s" {
		t.Errorf("Get = %q, %v, want s, nil", got, err)
	}
	if err := m.Delete("a"); err != nil {
		t.Fatal(err)
	}
	if err := m.Delete("a"); err != nil {
		t.Errorf("second Delete = %v, want nil", err)
	}
	if _, err := m.Get("a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete = %v, want ErrNotFound", err)
	}
}
