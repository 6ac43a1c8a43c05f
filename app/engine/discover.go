package engine

import (
	"context"

	"github.com/pouchmail/pouch/app/autoconfig"
)

// Discover finds the POP3 (and SMTP) settings for an email address: the bundled provider
// table, the provider's autoconfig file, the ISPDB, SRV records, then guessed host names probed
// over TLS. Errors are autoconfig's: *autoconfig.NoPOP3Error, autoconfig.ErrNotFound (a
// *autoconfig.GuessError when guessed servers answered with certificates Pouch cannot accept),
// or the context's.
func (e *Engine) Discover(ctx context.Context, email string) (*autoconfig.Settings, error) {
	if e.opts.Discover != nil {
		return e.opts.Discover(ctx, email)
	}
	return autoconfig.Discover(ctx, email, autoconfig.OptionsFromEnv())
}
