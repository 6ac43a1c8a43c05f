package pop3_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/internal/testenv"
	"github.com/pouchmail/pouch/pop3"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// Integration tests against a private Dovecot: the same client code paths
// as the scripted tests, on a real server.

func dovecotRoots(d *pop3test.Dovecot) *tls.Config {
	return &tls.Config{RootCAs: pop3test.CertPool(d.CertPEM)}
}

func deliverN(t testing.TB, d *pop3test.Dovecot, n int) [][]byte {
	t.Helper()
	var msgs [][]byte
	for i := range n {
		raw := fmt.Appendf(nil, "From: a@example.com\nSubject: message %d\n\nbody %d\n.leading dot\n", i, i)
		if err := d.Deliver("alice", fmt.Sprintf("m%05d", i), raw); err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n")))
	}
	return msgs
}

// dovecotLogin connects with dial, logs in as alice with mech and closes the
// client when the test ends.
func dovecotLogin(t testing.TB, dial func(context.Context, string, *pop3.Options) (*pop3.Client, error), addr string, opts *pop3.Options, mech string) *pop3.Client {
	t.Helper()
	c, err := dial(context.Background(), addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Auth(context.Background(), "alice", "secret-pw", mech); err != nil {
		t.Fatalf("Auth(%q) = %v", mech, err)
	}
	return c
}

// wantLogin checks the login Dovecot logged after the first n.
func wantLogin(t *testing.T, d *pop3test.Dovecot, n int, want pop3test.DovecotLogin) {
	t.Helper()
	if logins := d.Logins(n + 1); len(logins) != n+1 || logins[n] != want {
		t.Errorf("Dovecot logged the logins %+v after the first %d, want %+v", logins[min(n, len(logins)):], n, want)
	}
}

// TestDovecotAuthMechanisms: each mechanism logs in, with that mechanism as
// the client's transcript and Dovecot's log say.
func TestDovecotAuthMechanisms(t *testing.T) {
	d := testenv.Dovecot(t, nil)
	ctx := context.Background()
	for _, mech := range []string{"USER", "APOP", "PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256", ""} {
		t.Run("mech="+mech, func(t *testing.T) {
			var transcript bytes.Buffer
			n := len(d.Logins(0))
			c := dovecotLogin(t, pop3.Dial, d.PlainAddr, &pop3.Options{Timeout: 10 * time.Second, DebugWriter: &transcript}, mech)
			// The automatic choice is the strongest; Dovecot logs USER/PASS as PLAIN.
			sent, method := "AUTH "+cmp.Or(mech, "SCRAM-SHA-256"), cmp.Or(mech, "SCRAM-SHA-256")
			switch mech {
			case "USER", "APOP":
				sent = mech + " alice"
				method = map[string]string{"USER": "PLAIN", "APOP": "APOP"}[mech]
			}
			if !strings.Contains(transcript.String(), "C: "+sent) {
				t.Errorf("Auth(%q) sent no %q:\n%s", mech, sent, &transcript)
			}
			wantLogin(t, d, n, pop3test.DovecotLogin{User: "alice", Method: method})
			if _, _, err := c.Stat(ctx); err != nil {
				t.Errorf("Stat() after Auth(%q) = %v", mech, err)
			}
			if err := c.Quit(ctx); err != nil {
				t.Errorf("Quit() = %v", err)
			}
		})
	}
}

// TestDovecotWrongPassword: a rejected password is an *Error asking for
// credentials, by AUTH and by APOP. Only two mechanisms: Dovecot's auth
// penalty doubles the delay with every failure from the same address.
func TestDovecotWrongPassword(t *testing.T) {
	d := testenv.Dovecot(t, nil)
	ctx := context.Background()
	for _, mech := range []string{"SCRAM-SHA-256", "APOP"} {
		t.Run(mech, func(t *testing.T) {
			c, err := pop3.Dial(ctx, d.PlainAddr, &pop3.Options{Timeout: 30 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			err = c.Auth(ctx, "alice", "wrong", mech)
			var e *pop3.Error
			if !errors.As(err, &e) || e.Action() != pop3.ActionReauthenticate {
				t.Errorf("Auth(%q) with a wrong password = %v, want an *Error asking for credentials", mech, err)
			}
		})
	}
}

// TestDovecotTLS: implicit TLS and STLS, trusted by a root or a pin, log in
// over TLS with SCRAM-SHA-256; an untrusted certificate or a wrong pin fail
// with the certificate presented.
func TestDovecotTLS(t *testing.T) {
	d := testenv.Dovecot(t, nil)
	ctx := context.Background()
	pin := d.CertSHA256()
	tests := []struct {
		name    string
		dial    func(context.Context, string, *pop3.Options) (*pop3.Client, error)
		addr    string
		opts    *pop3.Options
		wantErr pop3.TLSErrorKind
	}{
		{"implicit", pop3.DialTLS, d.TLSAddr, &pop3.Options{TLSConfig: dovecotRoots(d)}, -1},
		{"stls", pop3.DialStartTLS, d.PlainAddr, &pop3.Options{TLSConfig: dovecotRoots(d)}, -1},
		{"implicit pinned", pop3.DialTLS, d.TLSAddr, &pop3.Options{PinnedSHA256: pin}, -1},
		{"stls pinned", pop3.DialStartTLS, d.PlainAddr, &pop3.Options{PinnedSHA256: pin}, -1},
		{"untrusted", pop3.DialTLS, d.TLSAddr, &pop3.Options{}, pop3.TLSUnknownAuthority},
		{"wrong pin", pop3.DialTLS, d.TLSAddr, &pop3.Options{PinnedSHA256: "00" + pin[2:]}, pop3.TLSPinMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Timeout = 10 * time.Second
			c, err := tt.dial(ctx, tt.addr, tt.opts)
			if tt.wantErr >= 0 {
				var te *pop3.TLSError
				if !errors.As(err, &te) || te.Kind != tt.wantErr || len(te.Certificates) == 0 {
					t.Fatalf("dial = %v, want *TLSError %v with the certificate", err, tt.wantErr)
				}
				if got := pop3.CertificateSHA256(te.Certificates[0]); got != pin {
					t.Errorf("presented certificate %s, want %s", got, pin)
				}
				return
			}
			if err != nil {
				t.Fatalf("dial = %v", err)
			}
			defer c.Close()
			// Over TLS the automatic choice is still the strongest: SCRAM.
			n := len(d.Logins(0))
			if err := c.Auth(ctx, "alice", "secret-pw", ""); err != nil {
				t.Fatalf("Auth() = %v", err)
			}
			wantLogin(t, d, n, pop3test.DovecotLogin{User: "alice", Method: "SCRAM-SHA-256", TLS: true})
			if err := c.Quit(ctx); err != nil {
				t.Errorf("Quit() = %v", err)
			}
		})
	}
}

// TestDovecotPipelining: pipelined and lockstep retrieval of 200 messages
// give identical bytes, equal to what was delivered; then TOP, and
// DeleMany with Quit empties the mailbox.
func TestDovecotPipelining(t *testing.T) {
	d := testenv.Dovecot(t, nil)
	const n = 200
	want := deliverN(t, d, n)
	ctx := context.Background()
	fetch := func(lockstep bool) [][]byte {
		c := dovecotLogin(t, pop3.DialTLS, d.TLSAddr, &pop3.Options{Timeout: 10 * time.Second, TLSConfig: dovecotRoots(d), ForceLockstep: lockstep}, "")
		list, err := c.UIDLAll(ctx)
		if err != nil || len(list) != n {
			t.Fatalf("UIDLAll() = %d entries, %v", len(list), err)
		}
		ids := make([]int, len(list))
		for i, u := range list {
			ids[i] = u.ID
		}
		var got [][]byte
		err = c.RetrMany(ctx, ids, func(id int, r io.Reader) error {
			b, err := io.ReadAll(r)
			got = append(got, b)
			return err
		})
		if err != nil {
			t.Fatalf("RetrMany(lockstep=%v) = %v", lockstep, err)
		}
		if err := c.Quit(ctx); err != nil {
			t.Fatal(err)
		}
		return got
	}
	pipelined, lockstep := fetch(false), fetch(true)
	for i := range n {
		if !bytes.Equal(pipelined[i], lockstep[i]) {
			t.Fatalf("message %d: pipelined and lockstep differ", i+1)
		}
		if !bytes.Equal(pipelined[i], want[i]) {
			t.Fatalf("message %d = %q, want %q", i+1, pipelined[i], want[i])
		}
	}

	c := dovecotLogin(t, pop3.Dial, d.PlainAddr, &pop3.Options{Timeout: 10 * time.Second}, "SCRAM-SHA-256")
	var head []byte
	var err error
	if err := c.Top(ctx, 1, 0, func(r io.Reader) error { head, err = io.ReadAll(r); return err }); err != nil {
		t.Fatal(err)
	}
	if want := "From: a@example.com\r\nSubject: message 0\r\n\r\n"; string(head) != want {
		t.Errorf("Top(1, 0) = %q, want %q", head, want)
	}
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i + 1
	}
	if err := c.DeleMany(ctx, ids); err != nil {
		t.Fatalf("DeleMany() = %v", err)
	}
	if err := c.Quit(ctx); err != nil {
		t.Fatalf("Quit() = %v", err)
	}
	files, err := d.MaildirFiles("alice")
	if err != nil || len(files) != 0 {
		t.Errorf("Maildir after DeleMany+Quit has %d files (%v), want 0", len(files), err)
	}
}

// BenchmarkRetrMany measures pipelined against lockstep retrieval of 2,000
// small messages from Dovecot over TLS on loopback, reported as msg/s.
func BenchmarkRetrMany(b *testing.B) {
	d := testenv.Dovecot(b, nil)
	const n = 2000
	deliverN(b, d, n)
	ctx := context.Background()
	run := func(b *testing.B, lockstep bool) {
		c := dovecotLogin(b, pop3.DialTLS, d.TLSAddr, &pop3.Options{TLSConfig: dovecotRoots(d), ForceLockstep: lockstep}, "")
		ids := make([]int, n)
		for i := range ids {
			ids[i] = i + 1
		}
		// Warm up: the first listing makes Dovecot read every file.
		if _, err := c.UIDLAll(ctx); err != nil {
			b.Fatal(err)
		}
		if err := c.RetrMany(ctx, ids, nil); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		start := time.Now()
		for range b.N {
			if err := c.RetrMany(ctx, ids, func(int, io.Reader) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "msg/s")
	}
	b.Run("pipelined", func(b *testing.B) { run(b, false) })
	b.Run("lockstep", func(b *testing.B) { run(b, true) })
}
