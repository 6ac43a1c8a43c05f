package pop3_test

import (
	"context"
	"crypto/tls"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/pouchmail/pouch/pop3"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

func serverTLS(cert tls.Certificate) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{cert}}
}

func TestDialTLSTrusted(t *testing.T) {
	cert, certPEM := pop3test.NewTLSCert()
	srv := pop3test.NewServer(t,
		pop3test.StartTLS(serverTLS(cert)),
		pop3test.Reply("+OK ready"),
		pop3test.Exchange("USER bob", "+OK"),
		pop3test.Exchange("PASS secret", "+OK"),
		pop3test.Exchange("QUIT", "+OK"),
	)
	c, err := pop3.DialTLS(context.Background(), srv.Addr(), &pop3.Options{
		Timeout:   testTimeout,
		TLSConfig: &tls.Config{RootCAs: pop3test.CertPool(certPEM)},
	})
	if err != nil {
		t.Fatalf("DialTLS() = %v, want nil", err)
	}
	defer c.Close()
	state, ok := c.TLSConnectionState()
	if !ok || !state.HandshakeComplete {
		t.Errorf("TLSConnectionState() = %+v, %v", state, ok)
	}
	if err := c.Login(context.Background(), "bob", "secret"); err != nil {
		t.Fatalf("Login() = %v", err)
	}
	if err := c.Quit(context.Background()); err != nil {
		t.Fatalf("Quit() = %v", err)
	}
	wantClientBytes(t, c, srv, "USER bob\r\nPASS secret\r\nQUIT\r\n")
}

func TestPlainHasNoTLSState(t *testing.T) {
	c, _ := dial(t, nil)
	if _, ok := c.TLSConnectionState(); ok {
		t.Error("TLSConnectionState() ok = true on a plain connection")
	}
}

func TestDialTLSFailures(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name    string
		cert    func() (tls.Certificate, []byte)
		trusted bool
		kind    pop3.TLSErrorKind
	}{
		{"unknown authority", func() (tls.Certificate, []byte) { return pop3test.NewTLSCert() }, false, pop3.TLSUnknownAuthority},
		{"name mismatch", func() (tls.Certificate, []byte) { return pop3test.NewTLSCert("mail.example.com") }, true, pop3.TLSNameMismatch},
		{"expired", func() (tls.Certificate, []byte) {
			return pop3test.NewTLSCertValidity(now.Add(-48*time.Hour), now.Add(-24*time.Hour))
		}, true, pop3.TLSExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cert, certPEM := tt.cert()
			srv := pop3test.NewServer(t, pop3test.StartTLS(serverTLS(cert)).AllowError())
			cfg := &tls.Config{}
			if tt.trusted {
				cfg.RootCAs = pop3test.CertPool(certPEM)
			}
			c, err := pop3.DialTLS(context.Background(), srv.Addr(), &pop3.Options{Timeout: testTimeout, TLSConfig: cfg})
			if err == nil {
				c.Close()
				t.Fatal("DialTLS() = nil error, want a TLSError")
			}
			var te *pop3.TLSError
			if !errors.As(err, &te) {
				t.Fatalf("DialTLS() = %v (%T), want *pop3.TLSError", err, err)
			}
			if te.Kind != tt.kind {
				t.Errorf("Kind = %v, want %v (%v)", te.Kind, tt.kind, err)
			}
			if len(te.Certificates) == 0 || !te.Certificates[0].Equal(cert.Leaf) {
				t.Errorf("Certificates = %d certs, want the server's", len(te.Certificates))
			}
		})
	}
}

func TestDialStartTLS(t *testing.T) {
	cert, certPEM := pop3test.NewTLSCert()
	srv := pop3test.NewServer(t,
		pop3test.Reply(greeting),
		pop3test.Exchange("CAPA", dovecotCapa...),
		pop3test.Exchange("STLS", "+OK Begin TLS negotiation now."),
		pop3test.StartTLS(serverTLS(cert)),
		pop3test.Exchange("CAPA", "+OK", "USER", "SASL PLAIN", "."),
		pop3test.Exchange("USER bob", "+OK"),
		pop3test.Exchange("PASS secret", "+OK"),
	)
	ctx := context.Background()
	c, err := pop3.DialStartTLS(ctx, srv.Addr(), &pop3.Options{
		Timeout:   testTimeout,
		TLSConfig: &tls.Config{RootCAs: pop3test.CertPool(certPEM)},
	})
	if err != nil {
		t.Fatalf("DialStartTLS() = %v, want nil", err)
	}
	defer c.Close()
	if _, ok := c.TLSConnectionState(); !ok {
		t.Error("TLSConnectionState() ok = false after STLS")
	}
	caps, err := c.Capabilities(ctx)
	if err != nil || caps.STLS || !caps.User {
		t.Errorf("Capabilities() after STLS = %+v, %v, want the post-TLS reply", caps, err)
	}
	if err := c.Login(ctx, "bob", "secret"); err != nil {
		t.Fatalf("Login() = %v", err)
	}
	wantClientBytes(t, c, srv, "CAPA\r\nSTLS\r\nCAPA\r\nUSER bob\r\nPASS secret\r\n")
}

func TestDialStartTLSNotOffered(t *testing.T) {
	for _, capa := range [][]string{
		{"+OK", "USER", "UIDL", "."},
		{"-ERR unknown command"},
	} {
		t.Run(capa[0], func(t *testing.T) {
			srv := pop3test.NewServer(t, pop3test.Reply(greeting), pop3test.Exchange("CAPA", capa...), pop3test.ExpectEOF())
			c, err := pop3.DialStartTLS(context.Background(), srv.Addr(), &pop3.Options{Timeout: testTimeout})
			if !errors.Is(err, pop3.ErrSTLSUnsupported) {
				if c != nil {
					c.Close()
				}
				t.Fatalf("DialStartTLS() = %v, want ErrSTLSUnsupported", err)
			}
			srv.Wait()
			if got := string(srv.Received()); got != "CAPA\r\n" {
				t.Errorf("client sent %q, want only CAPA (no plaintext fallback)", got)
			}
		})
	}
}

func TestStartTLSRefused(t *testing.T) {
	srv := pop3test.NewServer(t, pop3test.Reply(greeting),
		pop3test.Exchange("CAPA", dovecotCapa...),
		pop3test.Exchange("STLS", "-ERR [SYS/TEMP] TLS unavailable"),
		pop3test.ExpectEOF())
	_, err := pop3.DialStartTLS(context.Background(), srv.Addr(), &pop3.Options{Timeout: testTimeout})
	if e := asError(t, err); e.Command != "STLS" || e.Code != "SYS/TEMP" {
		t.Errorf("DialStartTLS() error = %+v", e)
	}
	srv.Wait()
}

func TestStartTLSInjection(t *testing.T) {
	// A man in the middle appends a plaintext reply after the +OK; if the
	// client kept it buffered it would be read as if it came over TLS.
	_, certPEM := pop3test.NewTLSCert()
	srv := pop3test.NewServer(t, pop3test.Reply(greeting),
		pop3test.Exchange("CAPA", dovecotCapa...),
		pop3test.Exchange("STLS", "+OK Begin TLS", "+OK injected"),
		pop3test.ExpectEOF())
	c, err := pop3.DialStartTLS(context.Background(), srv.Addr(), &pop3.Options{
		Timeout:   testTimeout,
		TLSConfig: &tls.Config{RootCAs: pop3test.CertPool(certPEM)},
	})
	if err == nil {
		c.Close()
		t.Fatal("DialStartTLS() = nil error, want a ProtocolError")
	}
	pe := asProtocolError(t, err)
	if pe.Command != "STLS" {
		t.Errorf("ProtocolError = %+v", pe)
	}
	srv.Wait()
}

func TestStartTLSHandshakeFailureCloses(t *testing.T) {
	cert, _ := pop3test.NewTLSCert()
	c, _ := dial(t, nil, pop3test.Exchange("STLS", "+OK"), pop3test.StartTLS(serverTLS(cert)).AllowError())
	err := c.StartTLS(context.Background(), nil)
	var te *pop3.TLSError
	if !errors.As(err, &te) || te.Kind != pop3.TLSUnknownAuthority {
		t.Fatalf("StartTLS() = %v, want TLSError(unknown authority)", err)
	}
	wantClosed(t, c)
}

func TestStartTLSTwice(t *testing.T) {
	cert, certPEM := pop3test.NewTLSCert()
	c, srv := dial(t, &pop3.Options{Timeout: testTimeout, TLSConfig: &tls.Config{RootCAs: pop3test.CertPool(certPEM)}},
		pop3test.Exchange("STLS", "+OK"), pop3test.StartTLS(serverTLS(cert)))
	ctx := context.Background()
	if err := c.StartTLS(ctx, nil); err != nil {
		t.Fatalf("StartTLS() = %v", err)
	}
	if err := c.StartTLS(ctx, nil); err == nil {
		t.Error("second StartTLS() = nil, want an error")
	}
	srv.Wait() // the server's side of the handshake ends after the client's
}

// TestSTLSForgetsGreeting: what the server said in plaintext, its APOP
// timestamp and its capabilities, is forgotten after STLS (RFC 2595 §4):
// only what is offered over TLS is used, so an attacker's plaintext
// greeting cannot steer the choice of mechanism.
func TestSTLSForgetsGreeting(t *testing.T) {
	tests := []struct {
		name    string
		mech    string
		after   []pop3test.Step // after the post-TLS CAPA
		want    string          // client bytes after STLS
		wantErr error
	}{
		{"auto", "", []pop3test.Step{pop3test.Exchange("USER bob", "+OK"), pop3test.Exchange("PASS secret", "+OK")},
			"CAPA\r\nUSER bob\r\nPASS secret\r\n", nil},
		{"APOP named", "APOP", nil, "CAPA\r\n", pop3.ErrMechanismUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cert, certPEM := pop3test.NewTLSCert()
			srv := pop3test.NewServer(t, steps(
				pop3test.Reply(greeting), // with an APOP timestamp
				pop3test.Exchange("CAPA", "+OK", "STLS", "USER", "SASL SCRAM-SHA-256 CRAM-MD5", "."),
				pop3test.Exchange("STLS", "+OK Begin TLS negotiation now."),
				pop3test.StartTLS(serverTLS(cert)),
				pop3test.Exchange("CAPA", "+OK", "USER", "."),
				tt.after)...)
			ctx := context.Background()
			c, err := pop3.DialStartTLS(ctx, srv.Addr(), &pop3.Options{
				Timeout:   testTimeout,
				TLSConfig: &tls.Config{RootCAs: pop3test.CertPool(certPEM)},
			})
			if err != nil {
				t.Fatalf("DialStartTLS() = %v, want nil", err)
			}
			defer c.Close()
			if got, err := c.Offered(ctx); err != nil || !slices.Equal(got, []string{"USER"}) {
				t.Errorf("Offered() = %q, %v; want [USER]: no APOP after STLS", got, err)
			}
			err = c.Auth(ctx, "bob", "secret", tt.mech)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Auth(%q) = %v, want %v", tt.mech, err, tt.wantErr)
			}
			wantClientBytes(t, c, srv, "CAPA\r\nSTLS\r\n"+tt.want)
		})
	}
}
