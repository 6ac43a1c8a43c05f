package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/pouchmail/pouch/app/account"
	"github.com/pouchmail/pouch/app/oauth"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
	"golang.org/x/oauth2"
)

// OAuth2 accounts: signing in through the browser, and the access token a session logs in with.
// The refresh token is kept in Options.OAuthTokens under the account name, apart from passwords;
// access tokens stay in memory, one token source per account for the engine's life, so that
// the poller's sessions share a token until it is about to expire.

// SignInRequiredError says an OAuth2 account has no usable refresh token (revoked, expired, or
// never stored): only the user can fix it, by signing in again in the browser.
type SignInRequiredError struct {
	Account string
	Err     error // the provider's refusal (*oauth.RevokedError), or the keyring's not-found
}

func (e *SignInRequiredError) Error() string {
	return fmt.Sprintf("account %q: %v; sign in again: pouch account login %s", e.Account, e.Err, e.Account)
}

func (e *SignInRequiredError) Unwrap() error { return e.Err }

// tokenSources holds one token source per account, dropped when the account's sign-in changes.
type tokenSources struct {
	mu sync.Mutex
	m  map[string]tokenSourceEntry // by account name
}

type tokenSourceEntry struct {
	settings string // the account's OAuth2 settings when the source was made
	ts       *oauth.TokenSource
}

func settingsKey(a *mailstore.Account) string {
	return strings.Join([]string{a.OAuthProvider, a.OAuthClientID, a.OAuthAuthURL, a.OAuthTokenURL, a.OAuthScopes}, "\x00")
}

// tokenSource returns the account's token source, made on first use.
func (e *Engine) tokenSource(a *mailstore.Account) (*oauth.TokenSource, error) {
	e.sources.mu.Lock()
	defer e.sources.mu.Unlock()
	key := settingsKey(a)
	if ent, ok := e.sources.m[a.Name]; ok && ent.settings == key {
		return ent.ts, nil
	}
	p, err := oauth.Resolve(account.OAuthSettings(a))
	if err != nil {
		return nil, err
	}
	ts := oauth.NewTokenSource(p, e.oauthTokens, a.Name, nil)
	if e.sources.m == nil {
		e.sources.m = map[string]tokenSourceEntry{}
	}
	e.sources.m[a.Name] = tokenSourceEntry{settings: key, ts: ts}
	return ts, nil
}

// forgetTokenSource drops the account's access token from memory.
func (e *Engine) forgetTokenSource(name string) {
	e.sources.mu.Lock()
	defer e.sources.mu.Unlock()
	delete(e.sources.m, name)
}

// accessToken returns a bearer token for the account; force renews it even if it looks fresh
// (the server refused it).
func (e *Engine) accessToken(ctx context.Context, a *mailstore.Account, force bool) (string, error) {
	ts, err := e.tokenSource(a)
	if err != nil {
		return "", err
	}
	var tok string
	if force {
		tok, err = ts.Refresh(ctx)
	} else {
		tok, err = ts.Token(ctx)
	}
	var rerr *oauth.RevokedError
	switch {
	case errors.As(err, &rerr):
		return "", &SignInRequiredError{Account: a.Name, Err: err}
	case errors.Is(err, secrets.ErrNotFound):
		return "", &SignInRequiredError{Account: a.Name, Err: errors.New("no OAuth2 sign-in stored in the keyring")}
	}
	return tok, err
}

// loginOAuth authenticates c, or a new connection, with the account's bearer token. A refusal
// of a token that looked fresh (revoked early, or the clocks disagree) is retried once with a
// renewed token on a new connection. It returns the logged-in client; c is closed on failure.
func (e *Engine) loginOAuth(ctx context.Context, a *mailstore.Account, c *pop3.Client) (*pop3.Client, error) {
	token, err := e.accessToken(ctx, a, false)
	if err == nil {
		err = oauthAuth(ctx, c, a, token)
	}
	if err == nil {
		return c, nil
	}
	c.Close()
	var perr *pop3.Error
	if !errors.As(err, &perr) || perr.Action() != pop3.ActionReauthenticate {
		return nil, err
	}
	if token, err = e.accessToken(ctx, a, true); err != nil {
		return nil, err
	}
	if c, err = e.dial(ctx, a); err != nil {
		return nil, err
	}
	if err := oauthAuth(ctx, c, a, token); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// oauthAuth logs in with the account's mechanism, or the first of XOAUTH2 and OAUTHBEARER the
// server offers. A bearer token is a password for as long as it lives: over an unencrypted
// connection it goes only when the account names the mechanism.
func oauthAuth(ctx context.Context, c *pop3.Client, a *mailstore.Account, token string) error {
	mech := a.AuthMethod
	if mech == "" {
		if a.Security == mailstore.SecurityNone {
			return fmt.Errorf("%w: an OAuth2 token would go unencrypted; use TLS or choose --auth XOAUTH2 or OAUTHBEARER explicitly", pop3.ErrInsecureAuth)
		}
		offered, err := c.Offered(ctx)
		if err != nil {
			return err
		}
		for _, m := range []string{"XOAUTH2", "OAUTHBEARER"} {
			if slices.Contains(offered, m) {
				mech = m
				break
			}
		}
		if mech == "" {
			return fmt.Errorf("%w: the server offers neither XOAUTH2 nor OAUTHBEARER (it offers %s)", pop3.ErrMechanismUnsupported, strings.Join(offered, " "))
		}
	}
	return c.Auth(ctx, a.Username, token, mech)
}

// oauthProvider resolves the account's provider, or says it is no OAuth2 account.
func oauthProvider(a *mailstore.Account) (*oauth.Provider, error) {
	if a.OAuthProvider == "" {
		return nil, fmt.Errorf("account %q logs in with a password, not OAuth2 (set it with: pouch account password %s)", a.Name, a.Name)
	}
	return oauth.Resolve(account.OAuthSettings(a))
}

// signIn runs the browser sign-in for a, tests the login with the new token, stores the refresh
// token under a.Name and starts the account's token source afresh with the access token.
func (e *Engine) signIn(ctx context.Context, a *mailstore.Account, open func(url string) error) error {
	p, err := oauthProvider(a)
	if err != nil {
		return err
	}
	hint := a.Address
	if hint == "" && strings.Contains(a.Username, "@") {
		hint = a.Username
	}
	tok, err := oauth.SignIn(ctx, p, open, oauth.SignInOptions{LoginHint: hint})
	if err != nil {
		return err
	}
	if _, err := e.testConnection(ctx, a, tok.AccessToken); err != nil {
		return fmt.Errorf("signed in, but logging in to %s:%d with the token failed, nothing was saved: %w", a.Host, a.Port, err)
	}
	if err := oauth.Save(e.oauthTokens, a.Name, tok); err != nil {
		return err
	}
	e.seed(a, tok)
	return nil
}

// AddOAuthAccount adds an OAuth2 account: it signs in through the browser (open shows the
// provider's page: the desktop's browser, or whatever the caller prefers), tests the login
// with the new token, then stores the refresh token in the keyring and the settings in the
// archive. Nothing is left behind when a step fails.
func (e *Engine) AddOAuthAccount(ctx context.Context, a *mailstore.Account, open func(url string) error) error {
	if err := account.Validate(a); err != nil {
		return err
	}
	if _, err := oauthProvider(a); err != nil {
		return err
	}
	if _, err := e.store.AccountByName(ctx, a.Name); err == nil {
		return fmt.Errorf("account %q already exists", a.Name)
	} else if !errors.Is(err, mailstore.ErrNotFound) {
		return err
	}
	if err := e.signIn(ctx, a, open); err != nil {
		return err
	}
	if err := e.store.CreateAccount(ctx, a); err != nil {
		e.forgetTokenSource(a.Name)
		_ = e.oauthTokens.Delete(a.Name)
		return err
	}
	return nil
}

// SignInAgain signs an existing OAuth2 account in again through the browser (after its grant
// was revoked, or to switch the user), tests the login, and replaces its refresh token.
func (e *Engine) SignInAgain(ctx context.Context, name string, open func(url string) error) error {
	a, err := e.Account(ctx, name)
	if err != nil {
		return err
	}
	return e.signIn(ctx, a, open)
}

// seed starts the account's token source afresh with the access token in hand.
func (e *Engine) seed(a *mailstore.Account, tok *oauth2.Token) {
	e.forgetTokenSource(a.Name)
	if ts, err := e.tokenSource(a); err == nil {
		ts.Seed(tok)
	}
}

// moveOAuthToken files an OAuth2 account's refresh token under its new name.
func (e *Engine) moveOAuthToken(from, to string) error {
	rt, err := e.oauthTokens.Get(from)
	if errors.Is(err, secrets.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := e.oauthTokens.Set(to, rt); err != nil {
		return err
	}
	e.forgetTokenSource(from)
	return e.oauthTokens.Delete(from)
}
