package pop3_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/pop3"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// dovecotCapa is what Dovecot 2.3 advertises before login.
var dovecotCapa = []string{"+OK", "CAPA", "TOP", "UIDL", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE", "STLS", "USER", "SASL PLAIN LOGIN", "."}

func TestCapabilitiesDovecot(t *testing.T) {
	c, srv := dial(t, nil, pop3test.Exchange("CAPA", dovecotCapa...))
	ctx := context.Background()
	caps, err := c.Capabilities(ctx)
	if err != nil {
		t.Fatalf("Capabilities() = %v, want nil", err)
	}
	if !caps.Top || !caps.UIDL || !caps.RespCodes || !caps.Pipelining || !caps.AuthRespCode || !caps.STLS || !caps.User {
		t.Errorf("Capabilities() = %+v, want TOP UIDL RESP-CODES PIPELINING AUTH-RESP-CODE STLS USER", caps)
	}
	if caps.UTF8 || caps.Expire != nil || caps.LoginDelay != 0 || caps.Implementation != "" {
		t.Errorf("Capabilities() = %+v, want no UTF8/EXPIRE/LOGIN-DELAY/IMPLEMENTATION", caps)
	}
	if !slices.Equal(caps.SASL, []string{"PLAIN", "LOGIN"}) {
		t.Errorf("SASL = %q, want [PLAIN LOGIN]", caps.SASL)
	}
	if !caps.Has("sasl") || !caps.Has("STLS") || caps.Has("APOP") {
		t.Errorf("Has() wrong for %v", caps.Raw)
	}
	if got := caps.Raw["SASL"]; !slices.Equal(got, []string{"PLAIN", "LOGIN"}) {
		t.Errorf(`Raw["SASL"] = %q`, got)
	}
	if len(caps.Raw) != 9 {
		t.Errorf("Raw has %d entries, want 9: %v", len(caps.Raw), caps.Raw)
	}

	// Cached: changing the result must not change the cache, and no second CAPA is sent.
	caps.STLS = false
	caps.Raw["X"] = nil
	again, err := c.Capabilities(ctx)
	if err != nil || !again.STLS || again.Has("X") {
		t.Errorf("second Capabilities() = %+v, %v, want the cached reply", again, err)
	}
	wantClientBytes(t, c, srv, "CAPA\r\n")
}

func TestCapabilitiesVariants(t *testing.T) {
	tests := []struct {
		line  string
		check func(t *testing.T, c *pop3.Capabilities)
	}{
		{"EXPIRE NEVER", func(t *testing.T, c *pop3.Capabilities) {
			if c.Expire == nil || !c.Expire.Never || c.Expire.String() != "NEVER" {
				t.Errorf("Expire = %+v, want NEVER", c.Expire)
			}
		}},
		{"EXPIRE 30", func(t *testing.T, c *pop3.Capabilities) {
			if c.Expire == nil || c.Expire.Never || c.Expire.Days != 30 || c.Expire.PerUser {
				t.Errorf("Expire = %+v, want 30 days", c.Expire)
			}
		}},
		{"EXPIRE 0", func(t *testing.T, c *pop3.Capabilities) {
			if c.Expire == nil || c.Expire.Never || c.Expire.Days != 0 {
				t.Errorf("Expire = %+v, want 0 days", c.Expire)
			}
		}},
		{"expire 60 user", func(t *testing.T, c *pop3.Capabilities) {
			if c.Expire == nil || c.Expire.Days != 60 || !c.Expire.PerUser || c.Expire.String() != "60 USER" {
				t.Errorf("Expire = %+v, want 60 USER", c.Expire)
			}
		}},
		{"EXPIRE soon", func(t *testing.T, c *pop3.Capabilities) {
			if c.Expire != nil || !c.Has("EXPIRE") {
				t.Errorf("Expire = %+v, want nil (malformed) but present in Raw", c.Expire)
			}
		}},
		{"EXPIRE 99999999999999999999", func(t *testing.T, c *pop3.Capabilities) {
			if c.Expire != nil {
				t.Errorf("Expire = %+v, want nil (overflow)", c.Expire)
			}
		}},
		{"LOGIN-DELAY 900", func(t *testing.T, c *pop3.Capabilities) {
			if c.LoginDelay != 15*time.Minute || c.LoginDelayPerUser {
				t.Errorf("LoginDelay = %v, %v, want 15m, false", c.LoginDelay, c.LoginDelayPerUser)
			}
		}},
		{"LOGIN-DELAY 300 USER", func(t *testing.T, c *pop3.Capabilities) {
			if c.LoginDelay != 5*time.Minute || !c.LoginDelayPerUser {
				t.Errorf("LoginDelay = %v, %v, want 5m, true", c.LoginDelay, c.LoginDelayPerUser)
			}
		}},
		{"LOGIN-DELAY -5", func(t *testing.T, c *pop3.Capabilities) {
			if c.LoginDelay != 0 {
				t.Errorf("LoginDelay = %v, want 0 (malformed)", c.LoginDelay)
			}
		}},
		{"IMPLEMENTATION Dovecot  (Ubuntu) 2.3.21", func(t *testing.T, c *pop3.Capabilities) {
			if c.Implementation != "Dovecot  (Ubuntu) 2.3.21" {
				t.Errorf("Implementation = %q", c.Implementation)
			}
		}},
		{"UTF8 USER", func(t *testing.T, c *pop3.Capabilities) {
			if !c.UTF8 || !slices.Equal(c.Raw["UTF8"], []string{"USER"}) {
				t.Errorf("UTF8 = %v, Raw = %q", c.UTF8, c.Raw["UTF8"])
			}
		}},
		{"sasl plain xoauth2", func(t *testing.T, c *pop3.Capabilities) {
			if !slices.Equal(c.SASL, []string{"PLAIN", "XOAUTH2"}) {
				t.Errorf("SASL = %q", c.SASL)
			}
		}},
		{"X-VENDOR-THING a\tb", func(t *testing.T, c *pop3.Capabilities) {
			if !slices.Equal(c.Raw["X-VENDOR-THING"], []string{"a", "b"}) {
				t.Errorf("Raw = %q", c.Raw)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			c, _ := dial(t, nil, pop3test.Exchange("CAPA", "+OK", "USER", tt.line, "", "."))
			caps, err := c.Capabilities(context.Background())
			if err != nil {
				t.Fatalf("Capabilities() = %v, want nil", err)
			}
			tt.check(t, caps)
		})
	}
}

func TestCapabilitiesUnsupported(t *testing.T) {
	c, srv := dial(t, nil, pop3test.Exchange("CAPA", "-ERR unknown command"), pop3test.Exchange("NOOP", "+OK"))
	caps, err := c.Capabilities(context.Background())
	if err != nil {
		t.Fatalf("Capabilities() = %v, want nil for a server without CAPA", err)
	}
	if caps.Has("USER") || caps.STLS || len(caps.Raw) != 0 {
		t.Errorf("Capabilities() = %+v, want empty", caps)
	}
	if err := c.Noop(context.Background()); err != nil {
		t.Errorf("Noop() = %v", err)
	}
	if _, err := c.Capabilities(context.Background()); err != nil {
		t.Errorf("cached Capabilities() = %v", err)
	}
	wantClientBytes(t, c, srv, "CAPA\r\nNOOP\r\n")
}

func TestCapabilitiesRefreshedAfterLogin(t *testing.T) {
	c, srv := dial(t, nil,
		pop3test.Exchange("CAPA", "+OK", "USER", "EXPIRE 30 USER", "."),
		pop3test.Exchange("USER bob", "+OK"),
		pop3test.Exchange("PASS secret", "+OK"),
		pop3test.Exchange("CAPA", "+OK", "EXPIRE NEVER", "."),
	)
	ctx := context.Background()
	if _, err := c.Capabilities(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Login(ctx, "bob", "secret"); err != nil {
		t.Fatal(err)
	}
	caps, err := c.Capabilities(ctx)
	if err != nil || caps.Expire == nil || !caps.Expire.Never || caps.User {
		t.Errorf("Capabilities() after login = %+v, %v, want the new reply", caps, err)
	}
	wantClientBytes(t, c, srv, "CAPA\r\nUSER bob\r\nPASS secret\r\nCAPA\r\n")
}

func TestCapabilitiesGarbage(t *testing.T) {
	c, _ := dial(t, nil, pop3test.Exchange("CAPA", "+OK", "TOP\x07", "."))
	_, err := c.Capabilities(context.Background())
	asProtocolError(t, err)
	wantClosed(t, c)
}

// TestCapabilitiesEndless: CAPA is read before login, and before TLS with
// STLS, so anyone on the path can send one that never ends. It is bounded
// by lines, by bytes and by time.
func TestCapabilitiesEndless(t *testing.T) {
	endless := func(line func(i int) string) pop3test.Step {
		return pop3test.WriteFunc(func(w io.Writer) error {
			io.WriteString(w, "+OK\r\n")
			for i := 1; ; i++ {
				if _, err := io.WriteString(w, line(i)+"\r\n"); err != nil {
					return err
				}
			}
		}).AllowError()
	}
	long := strings.Repeat("a", 3000)
	tests := []struct {
		name       string
		timeout    time.Duration
		reply      pop3test.Step
		wantReason string // "" for a deadline error
	}{
		{"lines", testTimeout, endless(func(i int) string { return fmt.Sprintf("X-%d", i) }), "lines"},
		{"bytes", testTimeout, endless(func(i int) string { return fmt.Sprintf("X-%d %s", i, long) }), "bytes"},
		{"trickle", 500 * time.Millisecond, pop3test.Trickle(100*time.Millisecond, func(i int) string {
			if i == 1 {
				return "+OK"
			}
			return fmt.Sprintf("X-%d", i)
		}).AllowError(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := dial(t, &pop3.Options{Timeout: tt.timeout}, pop3test.Expect("CAPA"), tt.reply)
			err := mustReturn(t, c, func() error {
				_, err := c.Capabilities(context.Background())
				return err
			})
			if tt.wantReason == "" {
				if !errors.Is(err, os.ErrDeadlineExceeded) {
					t.Errorf("Capabilities() = %v, want a deadline error", err)
				}
			} else if pe := asProtocolError(t, err); !strings.Contains(pe.Reason, tt.wantReason) {
				t.Errorf("Reason = %q, want it to mention %s", pe.Reason, tt.wantReason)
			}
			wantClosed(t, c)
		})
	}
}
