package oauth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// Store keeps refresh tokens under a key; the OS keyring (app/secrets) is one.
type Store interface {
	Get(key string) (string, error)
	Set(key, value string) error
}

// MaxRefreshTokenBytes is the largest refresh token Save stores: the Windows Credential
// Manager holds at most 2,560 bytes per secret, and a secret must fit on every desktop.
const MaxRefreshTokenBytes = 2560

// TooLargeError says a refresh token does not fit in the keyring.
type TooLargeError struct{ Size int }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("oauth: the refresh token is %d bytes, more than the %d the keyring can hold on every desktop", e.Size, MaxRefreshTokenBytes)
}

// RevokedError says the provider no longer honours the refresh token (RFC 6749 §5.2
// invalid_grant: revoked, expired, password changed): only a new sign-in helps.
type RevokedError struct {
	Description string // the provider's error_description, if any
	Err         error
}

func (e *RevokedError) Error() string {
	msg := "oauth: the sign-in is no longer valid (invalid_grant"
	if e.Description != "" {
		msg += ": " + e.Description
	}
	return msg + ")"
}

func (e *RevokedError) Unwrap() error { return e.Err }

// Save stores the refresh token of tok under key. Only the refresh token is kept: access tokens
// live minutes and are fetched again, and the whole token could outgrow the keyring.
func Save(s Store, key string, tok *oauth2.Token) error {
	if tok == nil || tok.RefreshToken == "" {
		return ErrNoRefreshToken
	}
	if n := len(tok.RefreshToken); n > MaxRefreshTokenBytes {
		return &TooLargeError{Size: n}
	}
	return s.Set(key, tok.RefreshToken)
}

// TokenSource hands out access tokens of one account: the one in memory while it is fresh, else
// a new one from the refresh token in the Store. A token is renewed a little before it expires
// (half its life, at most a minute early) so a login never starts with one about to lapse. A
// rotated refresh token is stored at once. Safe for concurrent use; one per account, kept as
// long as the process runs so that sessions share its access token.
type TokenSource struct {
	p     *Provider
	store Store
	key   string
	now   func() time.Time

	mu       sync.Mutex
	access   *oauth2.Token
	obtained time.Time
	refresh  string // a rotated refresh token not yet stored (the keyring failed); "" = the store's
}

// NewTokenSource returns the token source of the refresh token under key in store; now is the
// clock (nil = time.Now).
func NewTokenSource(p *Provider, store Store, key string, now func() time.Time) *TokenSource {
	if now == nil {
		now = time.Now
	}
	return &TokenSource{p: p, store: store, key: key, now: now}
}

// Seed gives the source an access token already in hand (right after SignIn).
func (s *TokenSource) Seed(tok *oauth2.Token) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if tok != nil && tok.AccessToken != "" {
		s.access, s.obtained = tok, s.now()
	}
}

// Token returns an access token that is not about to expire, refreshing it if needed.
func (s *TokenSource) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fresh() {
		return s.access.AccessToken, nil
	}
	return s.renew(ctx)
}

// Refresh gets a new access token whatever the one in memory says: the server refused it.
func (s *TokenSource) Refresh(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access = nil
	return s.renew(ctx)
}

// fresh reports whether the access token in memory may still be used.
func (s *TokenSource) fresh() bool {
	if s.access == nil || s.access.AccessToken == "" {
		return false
	}
	if s.access.Expiry.IsZero() {
		return true // no lifetime given: good until refused
	}
	early := min(s.access.Expiry.Sub(s.obtained)/2, time.Minute)
	return s.now().Before(s.access.Expiry.Add(-early))
}

// renew trades the refresh token for a new access token. Called with mu held.
func (s *TokenSource) renew(ctx context.Context) (string, error) {
	rt := s.refresh
	if rt == "" {
		var err error
		if rt, err = s.store.Get(s.key); err != nil {
			return "", err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, exchangeTimeout)
	defer cancel()
	// x/oauth2 parses the token endpoint's reply and its errors (RFC 6749 §5).
	tok, err := s.p.config("").TokenSource(ctx, &oauth2.Token{RefreshToken: rt}).Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode == "invalid_grant" {
			return "", &RevokedError{Description: re.ErrorDescription, Err: err}
		}
		return "", fmt.Errorf("oauth: refreshing the access token: %w", err)
	}
	s.access, s.obtained = tok, s.now()
	if tok.RefreshToken != "" && tok.RefreshToken != rt {
		// Rotated (Microsoft does): the old one may be dead already, so keep the new one in
		// memory until the store takes it.
		s.refresh = tok.RefreshToken
		if err := Save(s.store, s.key, tok); err != nil {
			return "", fmt.Errorf("oauth: storing the renewed refresh token: %w", err)
		}
		s.refresh = ""
	}
	return tok.AccessToken, nil
}
