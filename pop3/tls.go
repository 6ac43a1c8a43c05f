package pop3

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
)

// StartTLS upgrades the connection with STLS (RFC 2595). cfg nil means
// Options.TLSConfig; an empty ServerName is filled in from the dialed host.
// A -ERR reply is an *Error and leaves the plaintext session usable (callers
// that require TLS must then stop); a handshake failure is a *TLSError and
// closes the connection. Capabilities are fetched afresh afterwards, since
// what was said in plaintext may have been forged.
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
	tc := tls.Client(c.conn(), tlsConfigFor(cfg, c.serverName))
	if err := tc.HandshakeContext(ctx); err != nil {
		return c.fail(handshakeError(ctx, err))
	}
	c.dl.mu.Lock()
	c.dl.conn = tc
	c.dl.mu.Unlock()
	c.br.Reset(connReader{c})
	c.caps = nil
	return nil
}

func tlsConfigFor(cfg *tls.Config, host string) *tls.Config {
	if cfg == nil {
		cfg = &tls.Config{}
	} else {
		cfg = cfg.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	return cfg
}

// handshakeError keeps cancellation recognisable as such and classifies
// everything else as a *TLSError.
func handshakeError(ctx context.Context, err error) error {
	if ctxErr := contextError(ctx, err); ctxErr != nil {
		return fmt.Errorf("pop3: TLS handshake: %w: %w", ctxErr, err)
	}
	return newTLSError(err)
}
