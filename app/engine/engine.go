// Package engine joins the POP3 client, the local store and the keyring: it runs a session for
// an account (UIDL diff, RETR, commit) and answers the questions the CLI and the window ask.
// It is the only package that knows both pop3 and mailstore. docs/ARCHITECTURE.md maps its
// files to the steps of a session.
package engine

import (
	"context"
	"io"
	"sync"
	"time"

	"github.com/pouchmail/pouch/app/autoconfig"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
)

// Options tune an Engine; the zero value is the production behaviour.
type Options struct {
	// Now is the clock used for first-seen and download times; nil = time.Now.
	Now func() time.Time
	// Timeout bounds each POP3 command; 0 = the pop3 package's default.
	Timeout time.Duration
	// Debug receives a POP3 transcript (credentials redacted); nil = none.
	Debug io.Writer
	// DataDir holds the per-account session locks (DataDir/locks/) and the spool for large
	// downloads; "" = the directory of the store's database file.
	DataDir string
	// Checkpoint, if set, is called at the named points of a session (the Checkpoint*
	// constants). It exists for the crash tests, which kill the process there; nil = none.
	Checkpoint func(name string)
	// Discover, if set, replaces account discovery (Engine.Discover); nil = autoconfig.Discover
	// with autoconfig.OptionsFromEnv(). Tests of the window use it for a fixed answer.
	Discover func(ctx context.Context, email string) (*autoconfig.Settings, error)
	// OAuthTokens keeps OAuth2 accounts' refresh tokens under the account name, apart from the
	// passwords (the CLI uses a keyring service of its own); nil = memory, for this run only.
	OAuthTokens secrets.Store
}

// Engine is safe for concurrent use by the window and its pollers.
type Engine struct {
	store *mailstore.Store
	// secrets is the keyring behind the session layer, which holds the passwords the user
	// chose to keep for this run only.
	secrets *secrets.Session
	opts    Options
	// oauthTokens holds refresh tokens; sources the access tokens in memory (oauth.go).
	oauthTokens secrets.Store
	sources     tokenSources
	// rulesErr is why the rules for incoming mail last failed to run at all (rules.go).
	rulesMu  sync.Mutex
	rulesErr error
}

// New returns an engine over an open store and a secret store.
func New(store *mailstore.Store, sec secrets.Store, opts Options) *Engine {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	// The session layer lets the window keep a password in memory when there is no keyring.
	sess, ok := sec.(*secrets.Session)
	if !ok {
		sess = secrets.NewSession(sec)
	}
	tokens := opts.OAuthTokens
	if tokens == nil {
		tokens = secrets.NewMemory()
	}
	return &Engine{store: store, secrets: sess, opts: opts, oauthTokens: tokens}
}

// Store gives read access to the archive for listings.
func (e *Engine) Store() *mailstore.Store { return e.store }
