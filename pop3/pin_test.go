package pop3_test

import (
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/pop3"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// TestPinnedCertificate: a pin trusts exactly one certificate, whatever its
// issuer, names or dates, and nothing else.
func TestPinnedCertificate(t *testing.T) {
	now := time.Now()
	selfSigned, _ := pop3test.NewTLSCert()
	otherName, _ := pop3test.NewTLSCert("mail.example.com")
	expired, _ := pop3test.NewTLSCertValidity(now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	other, _ := pop3test.NewTLSCert()
	tests := []struct {
		name   string
		served tls.Certificate
		pinned tls.Certificate
		ok     bool
	}{
		{"self-signed", selfSigned, selfSigned, true},
		{"name mismatch ignored", otherName, otherName, true},
		{"expired ignored", expired, expired, true},
		{"different certificate", other, selfSigned, false},
	}
	for _, tt := range tests {
		for _, starttls := range []bool{false, true} {
			name := tt.name + "/implicit"
			if starttls {
				name = tt.name + "/stls"
			}
			t.Run(name, func(t *testing.T) {
				pin := pop3.CertificateSHA256(tt.pinned.Leaf)
				// People paste fingerprints with colons and in upper case.
				var b strings.Builder
				for i := 0; i < len(pin); i += 2 {
					if i > 0 {
						b.WriteByte(':')
					}
					b.WriteString(strings.ToUpper(pin[i : i+2]))
				}
				opts := &pop3.Options{Timeout: testTimeout, PinnedSHA256: b.String()}
				hs := pop3test.StartTLS(serverTLS(tt.served))
				if !tt.ok {
					hs = hs.AllowError()
				}
				var script []pop3test.Step
				if starttls {
					script = []pop3test.Step{pop3test.Reply(greeting), pop3test.Exchange("CAPA", "+OK", "STLS", "."), pop3test.Exchange("STLS", "+OK"), hs}
				} else {
					script = []pop3test.Step{hs, pop3test.Reply(greeting)}
				}
				if tt.ok {
					script = append(script, pop3test.Exchange("NOOP", "+OK"))
				}
				srv := pop3test.NewServer(t, script...)
				var c *pop3.Client
				var err error
				if starttls {
					c, err = pop3.DialStartTLS(context.Background(), srv.Addr(), opts)
				} else {
					c, err = pop3.DialTLS(context.Background(), srv.Addr(), opts)
				}
				if tt.ok {
					if err != nil {
						t.Fatalf("Dial = %v, want nil", err)
					}
					defer c.Close()
					if err := c.Noop(context.Background()); err != nil {
						t.Errorf("Noop() = %v", err)
					}
					return
				}
				if err == nil {
					c.Close()
					t.Fatal("Dial = nil error, want a pin mismatch")
				}
				var te *pop3.TLSError
				if !errors.As(err, &te) || te.Kind != pop3.TLSPinMismatch {
					t.Fatalf("Dial = %v, want *TLSError with Kind TLSPinMismatch", err)
				}
				if len(te.Certificates) == 0 || !te.Certificates[0].Equal(tt.served.Leaf) {
					t.Errorf("Certificates does not hold the served certificate")
				}
				if !strings.Contains(err.Error(), "pinned") {
					t.Errorf("error %q does not mention the pin", err)
				}
			})
		}
	}
}

func TestPinnedMalformed(t *testing.T) {
	for _, pin := range []string{"abc", strings.Repeat("g", 64), strings.Repeat("a", 66)} {
		_, err := pop3.DialTLS(context.Background(), "127.0.0.1:1", &pop3.Options{PinnedSHA256: pin})
		if !errors.Is(err, pop3.ErrInvalidArgument) {
			t.Errorf("DialTLS with pin %q = %v, want ErrInvalidArgument", pin, err)
		}
	}
}

func TestNormalizeFingerprint(t *testing.T) {
	const hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		in, want string
		ok       bool
	}{
		{hex, hex, true},
		{strings.ToUpper(hex), hex, true},
		{" 01:23:45:67:89:AB:CD:EF:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef ", hex, true},
		{hex[:62], "", false},
		{hex + "00", "", false},
		{"zz" + hex[2:], "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := pop3.NormalizeFingerprint(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("NormalizeFingerprint(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
