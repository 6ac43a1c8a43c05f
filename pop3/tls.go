package pop3

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/pouchmail/pouch/internal/mailtls"
)

// StartTLS upgrades the connection with STLS (RFC 2595). cfg nil means
// Options.TLSConfig; an empty ServerName is filled in from the dialed host.
// A -ERR reply is an *Error and leaves the plaintext session usable (callers
// that require TLS must then stop); a handshake failure is a *TLSError and
// closes the connection. Everything the server said in plaintext may have
// been forged, so it is forgotten (RFC 2595 §4): capabilities are fetched
// afresh afterwards, and the greeting's APOP timestamp is dropped, so APOP
// is not offered over TLS that was started with STLS.
func (c *Client) StartTLS(ctx context.Context, cfg *tls.Config) error {
	end, err := c.start(ctx, "STLS")
	if err != nil {
		return err
	}
	defer end()
	if _, ok := c.conn().(*tls.Conn); ok {
		return errors.New("pop3: STLS: connection already uses TLS")
	}
	if cfg == nil {
		cfg = c.tlsConfig
	}
	if err := c.send(ctx, "STLS"); err != nil {
		return err
	}
	if _, err := c.readStatus(ctx, "STLS"); err != nil {
		return err
	}
	// Bytes already buffered arrived in plaintext after the +OK and would
	// otherwise be read as if they came over TLS (CVE-2011-0411 style
	// command injection).
	if n := c.br.Buffered(); n > 0 {
		peek, _ := c.br.Peek(min(n, excerptLen))
		return c.fail(protoErr("STLS", "plaintext data received after STLS reply (possible injection)", peek))
	}
	tc := tls.Client(c.conn(), mailtls.Config(cfg, c.serverName, c.pin))
	if err := tc.HandshakeContext(ctx); err != nil {
		return c.fail(handshakeError(ctx, err))
	}
	c.dl.mu.Lock()
	c.dl.conn = tc
	c.dl.mu.Unlock()
	c.br.Reset(connReader{c})
	c.caps = nil
	c.apop = ""
	return nil
}

// CertificateSHA256 returns the fingerprint Options.PinnedSHA256 expects
// for cert: the lower-case hex SHA-256 of its DER encoding.
func CertificateSHA256(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return hex.EncodeToString(sum[:])
}

// NormalizeFingerprint turns a SHA-256 fingerprint as people write it
// ("AB:CD:...", upper or lower case, with or without colons or spaces) into
// 64 lower-case hex digits, or returns an error wrapping ErrInvalidArgument.
func NormalizeFingerprint(s string) (string, error) {
	r := strings.NewReplacer(":", "", " ", "", "-", "")
	h := strings.ToLower(r.Replace(strings.TrimSpace(s)))
	if len(h) != 2*sha256.Size {
		return "", fmt.Errorf("%w: SHA-256 fingerprint must have 64 hex digits, got %d", ErrInvalidArgument, len(h))
	}
	if _, err := hex.DecodeString(h); err != nil {
		return "", fmt.Errorf("%w: SHA-256 fingerprint is not hexadecimal", ErrInvalidArgument)
	}
	return h, nil
}

// pin decodes PinnedSHA256; nil if unset.
func (o *Options) pin() ([]byte, error) {
	if o == nil || o.PinnedSHA256 == "" {
		return nil, nil
	}
	h, err := NormalizeFingerprint(o.PinnedSHA256)
	if err != nil {
		return nil, fmt.Errorf("Options.PinnedSHA256: %w", err)
	}
	b, _ := hex.DecodeString(h)
	return b, nil
}

// handshakeError keeps cancellation recognisable as such and classifies
// everything else as a *TLSError.
func handshakeError(ctx context.Context, err error) error {
	if ctxErr := contextError(ctx, err); ctxErr != nil {
		return fmt.Errorf("pop3: TLS handshake: %w: %w", ctxErr, err)
	}
	return newTLSError(err)
}
