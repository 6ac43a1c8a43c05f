package pop3_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/pop3"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// capa answers CAPA with the given capability lines.
func capa(lines ...string) pop3test.Step {
	return pop3test.Exchange("CAPA", append(append([]string{"+OK"}, lines...), ".")...)
}

// dialGreeting is dial with a chosen greeting (for APOP timestamps).
func dialGreeting(t *testing.T, greet string, opts *pop3.Options, script ...pop3test.Step) (*pop3.Client, *pop3test.Server) {
	t.Helper()
	srv := pop3test.NewServer(t, append([]pop3test.Step{pop3test.Reply(greet)}, script...)...)
	if opts == nil {
		opts = &pop3.Options{Timeout: testTimeout}
	}
	c, err := pop3.Dial(context.Background(), srv.Addr(), opts)
	if err != nil {
		t.Fatalf("Dial() = %v, want nil", err)
	}
	t.Cleanup(func() { c.Close() })
	return c, srv
}

const noStamp = "+OK POP3 ready"

// The SCRAM exchanges are the test vectors of RFC 5802 §5 and RFC 7677 §3.
const (
	scram1Nonce  = "fyko+d2lbbFgONRv9qkxdawL"
	scram1First  = "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"
	scram1Server = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"
	scram1Final  = "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="
	scram1Verify = "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="

	scram256Nonce  = "rOprNGfwEbeRWgbNEkqO"
	scram256First  = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
	scram256Server = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
	scram256Final  = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
	scram256Verify = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
)

// TestAuthTranscripts checks the exact bytes of every mechanism, both ways.
func TestAuthTranscripts(t *testing.T) {
	longToken := strings.Repeat("t", 300)
	tests := []struct {
		name, greet, mech, user, secret, nonce string
		script                                 []pop3test.Step
		want                                   string // client bytes
	}{
		{
			name: "USER", greet: noStamp, mech: "USER", user: "bob", secret: "secret",
			script: []pop3test.Step{capa("USER"), pop3test.Exchange("USER bob", "+OK"), pop3test.Exchange("PASS secret", "+OK")},
			want:   "CAPA\r\nUSER bob\r\nPASS secret\r\n",
		},
		{
			// RFC 1939 §7's example.
			name: "APOP", greet: greeting, mech: "APOP", user: "mrose", secret: "tanstaaf",
			script: []pop3test.Step{capa("USER"), pop3test.Exchange("APOP mrose c4c9334bac560ecc979e58001b3e22fb", "+OK maildrop has 1 message")},
			want:   "CAPA\r\nAPOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n",
		},
		{
			name: "PLAIN", greet: noStamp, mech: "plain", user: "bob", secret: "secret",
			script: []pop3test.Step{capa("SASL PLAIN"), pop3test.Exchange("AUTH PLAIN "+b64("\x00bob\x00secret"), "+OK")},
			want:   "CAPA\r\nAUTH PLAIN AGJvYgBzZWNyZXQ=\r\n",
		},
		{
			name: "LOGIN", greet: noStamp, mech: "LOGIN", user: "bob", secret: "secret",
			script: []pop3test.Step{capa("SASL LOGIN"),
				pop3test.Exchange("AUTH LOGIN", "+ "+b64("Username:")),
				pop3test.Exchange(b64("bob"), "+ "+b64("Password:")),
				pop3test.Exchange(b64("secret"), "+OK")},
			want: "CAPA\r\nAUTH LOGIN\r\nYm9i\r\nc2VjcmV0\r\n",
		},
		{
			// RFC 2195's example.
			name: "CRAM-MD5", greet: noStamp, mech: "CRAM-MD5", user: "tim", secret: "tanstaaftanstaaf",
			script: []pop3test.Step{capa("SASL CRAM-MD5"),
				pop3test.Exchange("AUTH CRAM-MD5", "+ "+b64("<1896.697170952@postoffice.reston.mci.net>")),
				pop3test.Exchange(b64("tim b913a602c7eda7a495b4e6e7334d3890"), "+OK")},
			want: "CAPA\r\nAUTH CRAM-MD5\r\n" + b64("tim b913a602c7eda7a495b4e6e7334d3890") + "\r\n",
		},
		{
			name: "SCRAM-SHA-1", greet: noStamp, mech: "SCRAM-SHA-1", user: "user", secret: "pencil", nonce: scram1Nonce,
			script: []pop3test.Step{capa("SASL SCRAM-SHA-1"),
				pop3test.Exchange("AUTH SCRAM-SHA-1 "+b64(scram1First), "+ "+b64(scram1Server)),
				pop3test.Exchange(b64(scram1Final), "+ "+b64(scram1Verify)),
				pop3test.Exchange("", "+OK")},
			want: "CAPA\r\nAUTH SCRAM-SHA-1 " + b64(scram1First) + "\r\n" + b64(scram1Final) + "\r\n\r\n",
		},
		{
			name: "SCRAM-SHA-256", greet: noStamp, mech: "SCRAM-SHA-256", user: "user", secret: "pencil", nonce: scram256Nonce,
			script: []pop3test.Step{capa("SASL SCRAM-SHA-256"),
				pop3test.Exchange("AUTH SCRAM-SHA-256 "+b64(scram256First), "+ "+b64(scram256Server)),
				pop3test.Exchange(b64(scram256Final), "+ "+b64(scram256Verify)),
				pop3test.Exchange("", "+OK")},
			want: "CAPA\r\nAUTH SCRAM-SHA-256 " + b64(scram256First) + "\r\n" + b64(scram256Final) + "\r\n\r\n",
		},
		{
			name: "XOAUTH2", greet: noStamp, mech: "XOAUTH2", user: "bob@example.com", secret: "ya29.token",
			script: []pop3test.Step{capa("SASL XOAUTH2"),
				pop3test.Exchange("AUTH XOAUTH2 "+b64("user=bob@example.com\x01auth=Bearer ya29.token\x01\x01"), "+OK")},
			want: "CAPA\r\nAUTH XOAUTH2 " + b64("user=bob@example.com\x01auth=Bearer ya29.token\x01\x01") + "\r\n",
		},
		{
			name: "OAUTHBEARER", greet: noStamp, mech: "OAUTHBEARER", user: "b=o,b", secret: "tok",
			script: []pop3test.Step{capa("SASL OAUTHBEARER"),
				pop3test.Exchange("AUTH OAUTHBEARER "+b64("n,a=b=3Do=2Cb,\x01auth=Bearer tok\x01\x01"), "+OK")},
			want: "CAPA\r\nAUTH OAUTHBEARER " + b64("n,a=b=3Do=2Cb,\x01auth=Bearer tok\x01\x01") + "\r\n",
		},
		{
			// RFC 5034 §4: over 255 octets, the initial response waits for an
			// empty challenge.
			name: "long initial response", greet: noStamp, mech: "XOAUTH2", user: "bob", secret: longToken,
			script: []pop3test.Step{capa("SASL XOAUTH2"),
				pop3test.Exchange("AUTH XOAUTH2", "+ "),
				pop3test.Exchange(b64("user=bob\x01auth=Bearer "+longToken+"\x01\x01"), "+OK")},
			want: "CAPA\r\nAUTH XOAUTH2\r\n" + b64("user=bob\x01auth=Bearer "+longToken+"\x01\x01") + "\r\n",
		},
		{
			name: "UTF8 first", greet: noStamp, mech: "PLAIN", user: "jörg", secret: "pässword",
			script: []pop3test.Step{capa("SASL PLAIN", "UTF8 USER"), pop3test.Exchange("UTF8", "+OK"),
				pop3test.Exchange("AUTH PLAIN "+b64("\x00jörg\x00pässword"), "+OK")},
			want: "CAPA\r\nUTF8\r\nAUTH PLAIN " + b64("\x00jörg\x00pässword") + "\r\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := dialGreeting(t, tt.greet, nil, tt.script...)
			if tt.nonce != "" {
				pop3.SetNonce(c, tt.nonce)
			}
			if err := c.Auth(context.Background(), tt.user, tt.secret, tt.mech); err != nil {
				t.Fatalf("Auth(%q) = %v, want nil", tt.mech, err)
			}
			wantClientBytes(t, c, srv, tt.want)
		})
	}
}

func TestAuthUTF8(t *testing.T) {
	c, _ := dialGreeting(t, noStamp, nil, capa("SASL PLAIN", "UTF8"), pop3test.Exchange("UTF8", "+OK"),
		pop3test.Exchange("AUTH PLAIN "+b64("\x00bob\x00secret"), "+OK"))
	if err := c.Auth(context.Background(), "bob", "secret", "PLAIN"); err != nil {
		t.Fatalf("Auth() = %v", err)
	}
	if !c.UTF8Enabled() {
		t.Error("UTF8Enabled() = false after +OK to UTF8")
	}

	// A refused UTF8 is not fatal.
	c, _ = dialGreeting(t, noStamp, nil, capa("SASL PLAIN", "UTF8"), pop3test.Exchange("UTF8", "-ERR not now"),
		pop3test.Exchange("AUTH PLAIN "+b64("\x00bob\x00secret"), "+OK"))
	if err := c.Auth(context.Background(), "bob", "secret", "PLAIN"); err != nil {
		t.Fatalf("Auth() after refused UTF8 = %v", err)
	}
	if c.UTF8Enabled() {
		t.Error("UTF8Enabled() = true after -ERR to UTF8")
	}
}

// TestAuthChoice checks which mechanism mech "" picks; the server refuses
// whatever comes so that only the first command matters.
func TestAuthChoice(t *testing.T) {
	tests := []struct {
		name    string
		greet   string
		caps    []string // nil: CAPA unsupported
		useTLS  bool
		want    string // prefix of the command after CAPA
		wantErr error
	}{
		{"scram-256 first", greeting, []string{"USER", "SASL PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256"}, false, "AUTH SCRAM-SHA-256 ", nil},
		{"scram-1", greeting, []string{"USER", "SASL PLAIN SCRAM-SHA-1 CRAM-MD5"}, false, "AUTH SCRAM-SHA-1 ", nil},
		{"cram over apop", greeting, []string{"USER", "SASL PLAIN CRAM-MD5"}, false, "AUTH CRAM-MD5\r\n", nil},
		{"apop over plain", greeting, []string{"USER", "SASL PLAIN LOGIN"}, false, "APOP bob ", nil},
		{"plaintext refused", noStamp, []string{"USER", "SASL PLAIN LOGIN"}, false, "", pop3.ErrInsecureAuth},
		{"no capa plaintext refused", noStamp, nil, false, "", pop3.ErrInsecureAuth},
		{"nothing usable", noStamp, []string{"TOP", "SASL GSSAPI"}, false, "", pop3.ErrMechanismUnsupported},
		{"plain over tls", noStamp, []string{"USER", "SASL LOGIN PLAIN"}, true, "AUTH PLAIN ", nil},
		{"login over tls", noStamp, []string{"USER", "SASL LOGIN"}, true, "AUTH LOGIN\r\n", nil},
		{"user over tls", noStamp, []string{"USER"}, true, "USER bob\r\n", nil},
		{"no capa user over tls", noStamp, nil, true, "USER bob\r\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			capaStep := pop3test.Exchange("CAPA", "-ERR unknown command")
			if tt.caps != nil {
				capaStep = capa(tt.caps...)
			}
			script := []pop3test.Step{pop3test.Reply(tt.greet), capaStep}
			if tt.wantErr == nil {
				script = append(script, pop3test.ExpectPrefix(tt.want), pop3test.Reply("-ERR [AUTH] no"))
			}
			opts := &pop3.Options{Timeout: testTimeout}
			var c *pop3.Client
			var err error
			if tt.useTLS {
				cert, certPEM := pop3test.NewTLSCert()
				script = append([]pop3test.Step{pop3test.StartTLS(serverTLS(cert))}, script...)
				opts.TLSConfig = &tls.Config{RootCAs: pop3test.CertPool(certPEM)}
				srv := pop3test.NewServer(t, script...)
				c, err = pop3.DialTLS(context.Background(), srv.Addr(), opts)
				if err != nil {
					t.Fatalf("DialTLS() = %v", err)
				}
				defer c.Close()
				checkChoice(t, c, srv, tt.want, tt.wantErr)
				return
			}
			srv := pop3test.NewServer(t, script...)
			c, err = pop3.Dial(context.Background(), srv.Addr(), opts)
			if err != nil {
				t.Fatalf("Dial() = %v", err)
			}
			defer c.Close()
			checkChoice(t, c, srv, tt.want, tt.wantErr)
		})
	}
}

func checkChoice(t *testing.T, c *pop3.Client, srv *pop3test.Server, want string, wantErr error) {
	t.Helper()
	err := c.Auth(context.Background(), "bob", "secret", "")
	if wantErr != nil {
		if !errors.Is(err, wantErr) {
			t.Fatalf("Auth() = %v, want %v", err, wantErr)
		}
	} else if e := asError(t, err); e.Action() != pop3.ActionReauthenticate {
		t.Errorf("Action() = %v, want re-enter credentials", e.Action())
	}
	srv.Wait()
	c.Close()
	srv.Close()
	sent := string(srv.Received())
	rest, ok := strings.CutPrefix(sent, "CAPA\r\n")
	if !ok {
		t.Fatalf("client sent %q, want CAPA first", sent)
	}
	if want == "" {
		if rest != "" {
			t.Errorf("client sent %q after CAPA, want nothing", rest)
		}
		return
	}
	if !strings.HasPrefix(rest, want) {
		t.Errorf("client sent %q after CAPA, want %q...", rest, want)
	}
}

func TestAuthForcedNotOffered(t *testing.T) {
	tests := []struct{ name, greet, mech string }{
		{"sasl mech", noStamp, "CRAM-MD5"},
		{"apop without timestamp", noStamp, "APOP"},
		{"user not listed", noStamp, "USER"},
		{"unknown name", noStamp, "DIGEST-MD5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := dialGreeting(t, tt.greet, nil, capa("SASL PLAIN").AllowError())
			err := c.Auth(context.Background(), "bob", "secret", tt.mech)
			if !errors.Is(err, pop3.ErrMechanismUnsupported) {
				t.Fatalf("Auth(%q) = %v, want ErrMechanismUnsupported", tt.mech, err)
			}
			if !strings.Contains(err.Error(), tt.mech) {
				t.Errorf("error %q does not name %s", err, tt.mech)
			}
			c.Close()
			srv.Close()
			if got := string(srv.Received()); got != "" && got != "CAPA\r\n" {
				t.Errorf("client sent %q, want at most CAPA", got)
			}
		})
	}
}

func TestAuthForcedPlaintextAllowed(t *testing.T) {
	// Naming a cleartext mechanism is the caller's explicit choice.
	c, srv := dialGreeting(t, noStamp, nil, capa("USER"), pop3test.Exchange("USER bob", "+OK"), pop3test.Exchange("PASS secret", "+OK"))
	if err := c.Auth(context.Background(), "bob", "secret", "USER"); err != nil {
		t.Fatalf("Auth(USER) = %v", err)
	}
	wantClientBytes(t, c, srv, "CAPA\r\nUSER bob\r\nPASS secret\r\n")
}

func TestAuthFailures(t *testing.T) {
	tests := []struct {
		name   string
		mech   string
		script []pop3test.Step
		check  func(t *testing.T, c *pop3.Client, err error)
	}{
		{
			name: "refused with code",
			mech: "PLAIN",
			script: []pop3test.Step{capa("SASL PLAIN"), pop3test.Exchange("AUTH PLAIN "+b64("\x00user\x00pencil"), "-ERR [SYS/PERM] account disabled"),
				pop3test.Exchange("NOOP", "+OK")},
			check: func(t *testing.T, c *pop3.Client, err error) {
				e := asError(t, err)
				if e.Command != "AUTH" || e.Code != "SYS/PERM" || e.Action() != pop3.ActionStop {
					t.Errorf("error = %+v (action %v), want AUTH SYS/PERM stop", e, e.Action())
				}
				if err := c.Noop(context.Background()); err != nil {
					t.Errorf("Noop() after refused AUTH = %v, want nil", err)
				}
			},
		},
		{
			name: "xoauth2 token rejected",
			mech: "XOAUTH2",
			script: []pop3test.Step{capa("SASL XOAUTH2"),
				pop3test.Exchange("AUTH XOAUTH2 "+b64("user=user\x01auth=Bearer pencil\x01\x01"), "+ "+b64(`{"status":"401"}`)),
				pop3test.Exchange("", "-ERR [AUTH] invalid token")},
			check: func(t *testing.T, c *pop3.Client, err error) {
				if e := asError(t, err); e.Action() != pop3.ActionReauthenticate {
					t.Errorf("Action() = %v, want re-enter credentials", e.Action())
				}
			},
		},
		{
			name: "oauthbearer token rejected",
			mech: "OAUTHBEARER",
			script: []pop3test.Step{capa("SASL OAUTHBEARER"),
				pop3test.Exchange("AUTH OAUTHBEARER "+b64("n,a=user,\x01auth=Bearer pencil\x01\x01"), "+ "+b64(`{"status":"invalid_token"}`)),
				pop3test.Exchange("AQ==", "-ERR [AUTH] invalid token")},
			check: func(t *testing.T, c *pop3.Client, err error) {
				if e := asError(t, err); !e.AuthFailed() {
					t.Errorf("AuthFailed() = false for %v", e)
				}
			},
		},
		{
			name: "scram wrong server proof",
			mech: "SCRAM-SHA-256",
			script: []pop3test.Step{capa("SASL SCRAM-SHA-256"),
				pop3test.Exchange("AUTH SCRAM-SHA-256 "+b64(scram256First), "+ "+b64(scram256Server)),
				pop3test.Exchange(b64(scram256Final), "+ "+b64("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")),
				pop3test.Exchange("*", "-ERR cancelled"),
				pop3test.Exchange("NOOP", "+OK")},
			check: func(t *testing.T, c *pop3.Client, err error) {
				var e *pop3.Error
				if err == nil || errors.As(err, &e) || !strings.Contains(err.Error(), "SCRAM-SHA-256") {
					t.Errorf("Auth() = %v, want a client-side SCRAM error", err)
				}
				if err := c.Noop(context.Background()); err != nil {
					t.Errorf("Noop() after cancelled AUTH = %v, want nil", err)
				}
			},
		},
		{
			name: "scram success without proof",
			mech: "SCRAM-SHA-256",
			script: []pop3test.Step{capa("SASL SCRAM-SHA-256"),
				pop3test.Exchange("AUTH SCRAM-SHA-256 "+b64(scram256First), "+ "+b64(scram256Server)),
				pop3test.Exchange(b64(scram256Final), "+OK welcome")},
			check: func(t *testing.T, c *pop3.Client, err error) {
				asProtocolError(t, err)
				wantClosed(t, c)
			},
		},
		{
			name: "challenge not base64",
			mech: "CRAM-MD5",
			script: []pop3test.Step{capa("SASL CRAM-MD5"), pop3test.Exchange("AUTH CRAM-MD5", "+ !!!"),
				pop3test.Exchange("*", "-ERR cancelled")},
			check: func(t *testing.T, c *pop3.Client, err error) {
				if err == nil || !strings.Contains(err.Error(), "base64") {
					t.Errorf("Auth() = %v, want a base64 error", err)
				}
			},
		},
		{
			name: "extra challenge",
			mech: "PLAIN",
			script: []pop3test.Step{capa("SASL PLAIN"), pop3test.Exchange("AUTH PLAIN "+b64("\x00user\x00pencil"), "+ "),
				pop3test.Exchange("*", "-ERR cancelled")},
			check: func(t *testing.T, c *pop3.Client, err error) {
				if err == nil {
					t.Error("Auth() = nil, want an error")
				}
			},
		},
		{
			name: "cancellation not accepted",
			mech: "PLAIN",
			script: []pop3test.Step{capa("SASL PLAIN"), pop3test.Exchange("AUTH PLAIN "+b64("\x00user\x00pencil"), "+ "),
				pop3test.Exchange("*", "+OK whatever")},
			check: func(t *testing.T, c *pop3.Client, err error) {
				if err == nil {
					t.Error("Auth() = nil, want an error")
				}
				wantClosed(t, c)
			},
		},
		{
			name:   "garbage reply",
			mech:   "PLAIN",
			script: []pop3test.Step{capa("SASL PLAIN"), pop3test.Exchange("AUTH PLAIN "+b64("\x00user\x00pencil"), "250 OK")},
			check: func(t *testing.T, c *pop3.Client, err error) {
				asProtocolError(t, err)
				wantClosed(t, c)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := dialGreeting(t, noStamp, nil, tt.script...)
			pop3.SetNonce(c, scram256Nonce)
			err := c.Auth(context.Background(), "user", "pencil", tt.mech)
			if err != nil && strings.Contains(err.Error(), "pencil") {
				t.Errorf("error %q contains the secret", err)
			}
			tt.check(t, c, err)
		})
	}
}

func TestAuthInvalidArguments(t *testing.T) {
	c, srv := dialGreeting(t, noStamp, nil)
	for _, args := range [][2]string{{"", "x"}, {"bob", ""}, {"bob\r\nDELE 1", "x"}, {"bob", "x\x00y"}} {
		if err := c.Auth(context.Background(), args[0], args[1], "PLAIN"); !errors.Is(err, pop3.ErrInvalidArgument) {
			t.Errorf("Auth(%q, %q) = %v, want ErrInvalidArgument", args[0], args[1], err)
		}
	}
	wantClientBytes(t, c, srv, "")
}

// TestAuthTranscriptRedacted checks that no secret, and no SASL payload from
// which one could be attacked offline, reaches the debug transcript.
func TestAuthTranscriptRedacted(t *testing.T) {
	tests := []struct {
		name, greet, mech, user, secret string
		script                          []pop3test.Step
		secrets                         []string
	}{
		{"apop", greeting, "APOP", "mrose", "tanstaaf",
			[]pop3test.Step{capa("USER"), pop3test.Exchange("APOP mrose c4c9334bac560ecc979e58001b3e22fb", "+OK")},
			[]string{"tanstaaf", "c4c9334bac560ecc979e58001b3e22fb"}},
		{"plain", noStamp, "PLAIN", "user", "pencil",
			[]pop3test.Step{capa("SASL PLAIN"), pop3test.Exchange("AUTH PLAIN "+b64("\x00user\x00pencil"), "+OK")},
			[]string{"pencil", b64("\x00user\x00pencil")}},
		{"login", noStamp, "LOGIN", "user", "pencil",
			[]pop3test.Step{capa("SASL LOGIN"), pop3test.Exchange("AUTH LOGIN", "+ "+b64("Username:")),
				pop3test.Exchange(b64("user"), "+ "+b64("Password:")), pop3test.Exchange(b64("pencil"), "+OK")},
			[]string{"pencil", b64("pencil")}},
		{"scram", noStamp, "SCRAM-SHA-256", "user", "pencil",
			[]pop3test.Step{capa("SASL SCRAM-SHA-256"),
				pop3test.Exchange("AUTH SCRAM-SHA-256 "+b64(scram256First), "+ "+b64(scram256Server)),
				pop3test.Exchange(b64(scram256Final), "+ "+b64(scram256Verify)),
				pop3test.Exchange("", "+OK")},
			[]string{"pencil", b64(scram256Final), b64(scram256Server), "W22ZaJ0SNY7soEsUEjb6gQ"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			c, _ := dialGreeting(t, tt.greet, &pop3.Options{Timeout: testTimeout, DebugWriter: &buf}, tt.script...)
			pop3.SetNonce(c, scram256Nonce)
			if err := c.Auth(context.Background(), tt.user, tt.secret, tt.mech); err != nil {
				t.Fatalf("Auth() = %v", err)
			}
			got := buf.String()
			for _, s := range tt.secrets {
				if strings.Contains(got, s) {
					t.Errorf("transcript contains %q:\n%s", s, got)
				}
			}
			if !strings.Contains(got, "[redacted]") || !strings.Contains(got, "S: +OK") {
				t.Errorf("transcript lacks the redacted exchange:\n%s", got)
			}
		})
	}
}

func TestErrorAction(t *testing.T) {
	tests := []struct {
		cmd  string
		code pop3.RespCode
		want pop3.Action
	}{
		{"PASS", "IN-USE", pop3.ActionRetryLater},
		{"AUTH", "LOGIN-DELAY", pop3.ActionRetryLater},
		{"PASS", "SYS/TEMP", pop3.ActionRetryLater},
		{"RETR", "SYS/TEMP/DISK", pop3.ActionRetryLater},
		{"PASS", "SYS/PERM", pop3.ActionStop},
		{"APOP", "AUTH", pop3.ActionReauthenticate},
		{"PASS", "", pop3.ActionReauthenticate},
		{"AUTH", "", pop3.ActionReauthenticate},
		{"APOP", "", pop3.ActionReauthenticate},
		{"RETR", "", pop3.ActionNone},
		{"DELE", "UNKNOWN-CODE", pop3.ActionNone},
		{"PASS", "SYS/TEMPORARY", pop3.ActionReauthenticate},
	}
	for _, tt := range tests {
		e := &pop3.Error{Command: tt.cmd, Code: tt.code, Text: "x"}
		if got := e.Action(); got != tt.want {
			t.Errorf("Error{%s [%s]}.Action() = %v, want %v", tt.cmd, tt.code, got, tt.want)
		}
	}
}

func TestKnownMechanism(t *testing.T) {
	for _, m := range []string{"USER", "apop", "Plain", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "scram-sha-256", "XOAUTH2", "OAUTHBEARER"} {
		if !pop3.KnownMechanism(m) {
			t.Errorf("KnownMechanism(%q) = false", m)
		}
	}
	for _, m := range []string{"", "GSSAPI", "DIGEST-MD5", "PLAIN "} {
		if pop3.KnownMechanism(m) {
			t.Errorf("KnownMechanism(%q) = true", m)
		}
	}
}

func TestSCRAMIterationBound(t *testing.T) {
	server := "r=" + scram256Nonce + "srv,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=2000000000"
	c, _ := dialGreeting(t, noStamp, nil, capa("SASL SCRAM-SHA-256"),
		pop3test.Exchange("AUTH SCRAM-SHA-256 "+b64(scram256First), "+ "+b64(server)),
		pop3test.Exchange("*", "-ERR cancelled"))
	pop3.SetNonce(c, scram256Nonce)
	start := time.Now()
	err := c.Auth(context.Background(), "user", "pencil", "SCRAM-SHA-256")
	if err == nil || !strings.Contains(err.Error(), "iterations") {
		t.Errorf("Auth() = %v, want an iteration-count error", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Auth() took %v", d)
	}
}
