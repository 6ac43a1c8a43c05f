package secrets

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/zalando/go-keyring"
)

// DefaultService is the keyring service name Pouch's secrets are filed under.
const DefaultService = "pouch"

// Keyring is a Store in the operating system's keyring. Each secret is
// filed under the service name and the account name.
type Keyring struct {
	Service string // keyring service name; "" means DefaultService
}

var _ Store = (*Keyring)(nil)

// NewKeyring returns a Keyring for service ("" means DefaultService).
func NewKeyring(service string) *Keyring {
	if service == "" {
		service = DefaultService
	}
	return &Keyring{Service: service}
}

func (k *Keyring) service() string {
	if k.Service == "" {
		return DefaultService
	}
	return k.Service
}

// Get returns the secret of account, or ErrNotFound when none is stored.
func (k *Keyring) Get(account string) (string, error) {
	if err := k.check("get", account); err != nil {
		return "", err
	}
	secret, err := keyring.Get(k.service(), account)
	if err != nil {
		return "", k.wrap("get", account, err)
	}
	return secret, nil
}

// Set stores the secret of account, replacing any previous one.
func (k *Keyring) Set(account, secret string) error {
	if err := k.check("set", account); err != nil {
		return err
	}
	return k.wrap("set", account, keyring.Set(k.service(), account, secret))
}

// Delete removes the secret of account; nil if none is stored.
func (k *Keyring) Delete(account string) error {
	if err := k.check("delete", account); err != nil {
		return err
	}
	err := keyring.Delete(k.service(), account)
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return k.wrap("delete", account, err)
}

// check rejects an empty account name and, where the keyring is reached
// over D-Bus, a missing session bus: without one, the D-Bus library would
// try to launch a bus of its own with dbus-launch.
func (k *Keyring) check(op, account string) error {
	if account == "" {
		return fmt.Errorf("secrets: %s: empty account name", op)
	}
	if usesDBus(runtime.GOOS) && !sessionBusKnown() {
		return &UnavailableError{Err: fmt.Errorf("%s secret of account %q: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)", op, account)}
	}
	return nil
}

// wrap turns a go-keyring error into ErrNotFound, an *UnavailableError or
// a plain error naming the operation and account. The secret itself never
// appears in an error.
func (k *Keyring) wrap(op, account string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return fmt.Errorf("%w (account %q, service %q)", ErrNotFound, account, k.service())
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return fmt.Errorf("secrets: %s secret of account %q: the secret is too large for the keyring", op, account)
	case unavailable(err):
		return &UnavailableError{Err: fmt.Errorf("%s secret of account %q: %w", op, account, err)}
	default:
		return fmt.Errorf("secrets: %s secret of account %q: %w", op, account, err)
	}
}

// unavailableMarks are fragments of the errors go-keyring and the D-Bus
// library return when no usable Secret Service is there: no bus, no
// service on the bus, no or a locked collection.
var unavailableMarks = []string{
	"dbus",
	"d-bus",
	"org.freedesktop.secret", // service and error names
	"org.freedesktop.dbus",
	"/org/freedesktop/secrets", // object paths
	"failed to unlock correct collection",
	"locked collection",
	"no such collection",
	"session bus",
	"secret service",
}

func unavailable(err error) bool {
	if errors.Is(err, keyring.ErrUnsupportedPlatform) {
		return true
	}
	msg := strings.ToLower(err.Error())
	for _, m := range unavailableMarks {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}

// usesDBus reports whether go-keyring talks to the Secret Service over
// D-Bus on goos.
func usesDBus(goos string) bool {
	switch goos {
	case "darwin", "windows", "ios", "android", "plan9", "js", "wasip1":
		return false
	}
	return true
}

// sessionBusKnown reports whether the D-Bus library can find a session bus
// without launching one: the address in the environment, or the bus
// socket systemd puts in XDG_RUNTIME_DIR.
func sessionBusKnown() bool {
	if addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); addr != "" && addr != "autolaunch:" {
		return true
	}
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		dir = fmt.Sprintf("/run/user/%d", os.Getuid())
	}
	for _, name := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}
