package engine

import (
	"context"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/pouchmail/pouch/app/oauth"
	"github.com/pouchmail/pouch/pop3"
)

func TestClassify(t *testing.T) {
	wrap := func(err error) error { return &FetchError{Account: "a", Err: fmt.Errorf("session: %w", err)} }
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"locked", &LockedError{Account: "a"}, ErrorKindLocked},
		{"no password", &NoPasswordError{Account: "a"}, ErrorKindConfig},
		{"insecure auth", wrap(pop3.ErrInsecureAuth), ErrorKindConfig},
		{"mechanism unsupported", wrap(pop3.ErrMechanismUnsupported), ErrorKindConfig},
		{"auth code", wrap(&pop3.Error{Command: "PASS", Code: "AUTH", Text: "bad"}), ErrorKindAuth},
		{"sys/perm", wrap(&pop3.Error{Command: "PASS", Code: "SYS/PERM", Text: "closed"}), ErrorKindPermanent},
		{"sys/temp", wrap(&pop3.Error{Command: "PASS", Code: "SYS/TEMP", Text: "later"}), ErrorKindTemporary},
		{"in-use", wrap(&pop3.Error{Command: "PASS", Code: "IN-USE", Text: "busy"}), ErrorKindTemporary},
		{"tls", wrap(&pop3.TLSError{Kind: pop3.TLSUnknownAuthority}), ErrorKindTLS},
		{"network", wrap(&net.OpError{Op: "dial", Err: fmt.Errorf("refused")}), ErrorKindNetwork},
		{"deadline", wrap(context.DeadlineExceeded), ErrorKindNetwork},
		{"oauth revoked", wrap(&SignInRequiredError{Account: "a", Err: &oauth.RevokedError{}}), ErrorKindAuth},
		{"oauth no client id", wrap(&oauth.ConfigError{Field: "oauth-client-id", Problem: "none"}), ErrorKindConfig},
	} {
		if got := classify(tc.err); got != tc.want {
			t.Errorf("classify(%s) = %q, want %q", tc.name, got, tc.want)
		}
		if got := Classify(tc.err); got != tc.want {
			t.Errorf("Classify(%s) = %q, want %q", tc.name, got, tc.want)
		}
	}
	// What neither knows: Classify says so (the CLI exits 1), the poller retries it.
	other := wrap(fmt.Errorf("disk full"))
	if got := Classify(other); got != ErrorKindOther {
		t.Errorf("Classify(unknown) = %q, want %q", got, ErrorKindOther)
	}
	// A file's errno is not the network's, though syscall.Errno satisfies net.Error.
	for _, err := range []error{&os.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}, &os.PathError{Op: "open", Path: "x", Err: syscall.ENOENT}} {
		if got := Classify(wrap(err)); got != ErrorKindOther {
			t.Errorf("Classify(%v) = %q, want %q", err, got, ErrorKindOther)
		}
	}
	if got := Classify(wrap(&net.OpError{Op: "read", Err: syscall.ECONNRESET})); got != ErrorKindNetwork {
		t.Errorf("Classify(connection reset) = %q", got)
	}
	if got := classify(other); got != ErrorKindTemporary {
		t.Errorf("classify(unknown) = %q, want %q", got, ErrorKindTemporary)
	}
}
