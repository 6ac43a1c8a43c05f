// Package testenv is the policy of Pouch's test suites on real parts (Dovecot, an X server, the
// Secret Service, tmpfs mounts): make test sets POUCH_REQUIRE_<PART>=1, and a test that needs a
// missing part then fails instead of skipping, so that a run cannot silently lose the tests
// that guard against mail loss.
package testenv

import (
	"fmt"
	"os"
	"testing"

	"github.com/pouchmail/pouch/pop3/pop3test"
)

// Required reports whether the environment requires part (DOVECOT, XVFB, SECRET_SERVICE,
// TMPFS) to be present.
func Required(part string) bool { return os.Getenv("POUCH_REQUIRE_"+part) == "1" }

// Missing ends the test for want of part: a failure when it is required, a skip otherwise.
func Missing(t testing.TB, part, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if Required(part) {
		t.Fatalf("%s (POUCH_REQUIRE_%s=1 requires it)", msg, part)
	}
	t.Skipf("%s (set POUCH_REQUIRE_%s=1 to fail instead)", msg, part)
}

// Dovecot starts a private Dovecot for the test (pop3test.NewDovecot; opts may be nil), which
// is required under POUCH_REQUIRE_DOVECOT=1.
func Dovecot(t testing.TB, opts *pop3test.DovecotOptions) *pop3test.Dovecot {
	t.Helper()
	var o pop3test.DovecotOptions
	if opts != nil {
		o = *opts
	}
	o.Required = Required("DOVECOT")
	return pop3test.NewDovecot(t, &o)
}
