package oauth_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/oauth"
	"github.com/pouchmail/pouch/app/oauth/oauthtest"
	"golang.org/x/oauth2"
)

// memStore is an oauth.Store in memory.
type memStore struct {
	mu   sync.Mutex
	m    map[string]string
	sets int
}

func (s *memStore) Get(k string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	if !ok {
		return "", errors.New("not found")
	}
	return v, nil
}

func (s *memStore) Set(k, v string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]string{}
	}
	s.m[k] = v
	s.sets++
	return nil
}

func provider(t *testing.T, as *oauthtest.Server) *oauth.Provider {
	t.Helper()
	p, err := oauth.Resolve(oauth.Settings{Provider: oauth.Custom, ClientID: as.ClientID,
		AuthURL: as.AuthURL, TokenURL: as.TokenURL, Scopes: []string{"mail"}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The loopback flow: the authorization URL carries a PKCE S256 challenge, a state and the
// loopback redirect; the server's redirect brings the code, and the exchange (which the server
// checks against the verifier) gives a refresh token.
func TestSignInLoopbackPKCE(t *testing.T) {
	as := oauthtest.NewServer(t, oauthtest.Options{})
	var seen *url.URL
	tok, err := oauth.SignIn(t.Context(), provider(t, as), func(u string) error {
		var err error
		if seen, err = url.Parse(u); err != nil {
			return err
		}
		return oauthtest.Follow(u)
	}, oauth.SignInOptions{LoginHint: "alice@example.org", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatalf("token %+v: want access and refresh tokens", tok)
	}
	q := seen.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") == "" {
		t.Errorf("authorization URL %s: want a PKCE S256 challenge and a state", seen)
	}
	if r := q.Get("redirect_uri"); !strings.HasPrefix(r, "http://127.0.0.1:") || !strings.HasSuffix(r, "/") {
		t.Errorf("redirect_uri %q: want http://127.0.0.1:PORT/", r)
	}
	if q.Get("login_hint") != "alice@example.org" {
		t.Errorf("login_hint %q", q.Get("login_hint"))
	}
	if ex, _, _, _ := as.Counts(); ex != 1 {
		t.Errorf("%d code exchanges, want 1", ex)
	}
}

// A refusal in the browser comes back as an *AuthorizationError; a browser that never returns
// ends at the timeout; a redirect with the wrong state is ignored.
func TestSignInFailures(t *testing.T) {
	as := oauthtest.NewServer(t, oauthtest.Options{})
	p := provider(t, as)
	_, err := oauth.SignIn(t.Context(), p, func(u string) error {
		v, _ := url.Parse(u)
		redirect := v.Query().Get("redirect_uri")
		// A forged redirect first (wrong state), then the provider's refusal.
		if err := oauthtest.Follow(redirect + "?code=forged&state=wrong"); err == nil {
			return errors.New("the forged redirect was accepted")
		}
		return oauthtest.Follow(redirect + "?error=access_denied&error_description=no&state=" + url.QueryEscape(v.Query().Get("state")))
	}, oauth.SignInOptions{Timeout: 10 * time.Second})
	var aerr *oauth.AuthorizationError
	if !errors.As(err, &aerr) || aerr.Code != "access_denied" {
		t.Errorf("refused sign-in: %v, want an *AuthorizationError access_denied", err)
	}
	_, err = oauth.SignIn(t.Context(), p, func(string) error { return nil }, oauth.SignInOptions{Timeout: 200 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("no browser: %v, want a deadline error", err)
	}
}

func signedIn(t *testing.T, as *oauthtest.Server, p *oauth.Provider) *oauth2.Token {
	t.Helper()
	tok, err := oauth.SignIn(t.Context(), p, oauthtest.Follow, oauth.SignInOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// The token source reuses a fresh access token, renews it before it expires (on a fake clock),
// on demand, stores a rotated refresh token, and reports a revoked grant as *RevokedError.
func TestTokenSource(t *testing.T) {
	as := oauthtest.NewServer(t, oauthtest.Options{TTL: time.Hour, RotateRefresh: true})
	p := provider(t, as)
	store := &memStore{}
	tok := signedIn(t, as, p)
	if err := oauth.Save(store, "acct", tok); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	clock := func() time.Time { return now }
	ts := oauth.NewTokenSource(p, store, "acct", clock)
	ts.Seed(tok)
	ctx := t.Context()
	got, err := ts.Token(ctx)
	if err != nil || got != tok.AccessToken {
		t.Fatalf("Token = %q, %v; want the seeded token", got, err)
	}
	now = now.Add(59*time.Minute + 10*time.Second) // within the last minute: renew early
	renewed, err := ts.Token(ctx)
	if err != nil || renewed == tok.AccessToken {
		t.Fatalf("Token near expiry = %q, %v; want a new token", renewed, err)
	}
	if _, refreshes, _, _ := as.Counts(); refreshes != 1 {
		t.Errorf("%d refreshes, want 1", refreshes)
	}
	if rt, _ := store.Get("acct"); rt == tok.RefreshToken {
		t.Error("the rotated refresh token was not stored")
	}
	if again, _ := ts.Token(ctx); again != renewed {
		t.Error("a fresh token was not reused")
	}
	forced, err := ts.Refresh(ctx)
	if err != nil || forced == renewed {
		t.Fatalf("Refresh = %q, %v; want a new token", forced, err)
	}
	as.RevokeAll("alice")
	_, err = ts.Refresh(ctx)
	var rerr *oauth.RevokedError
	if !errors.As(err, &rerr) {
		t.Errorf("refresh after revocation: %v, want *RevokedError", err)
	}
}

// Only the refresh token is stored, and one too large for the Windows Credential Manager is
// refused before the keyring sees it.
func TestSaveLimits(t *testing.T) {
	store := &memStore{}
	err := oauth.Save(store, "k", &oauth2.Token{AccessToken: "a", RefreshToken: strings.Repeat("r", oauth.MaxRefreshTokenBytes+1)})
	var tl *oauth.TooLargeError
	if !errors.As(err, &tl) || store.sets != 0 {
		t.Errorf("oversized: %v (%d writes), want *TooLargeError and no write", err, store.sets)
	}
	if err := oauth.Save(store, "k", &oauth2.Token{AccessToken: "a"}); !errors.Is(err, oauth.ErrNoRefreshToken) {
		t.Errorf("no refresh token: %v", err)
	}
	if err := oauth.Save(store, "k", &oauth2.Token{AccessToken: "access", RefreshToken: "refresh"}); err != nil {
		t.Fatal(err)
	}
	if v, _ := store.Get("k"); v != "refresh" {
		t.Errorf("stored %q, want only the refresh token", v)
	}
}

// Built-in providers without a client ID say how to set one; custom ones need both endpoints;
// endpoints are https (http only on loopback).
func TestResolve(t *testing.T) {
	for _, name := range []string{oauth.Google, oauth.Microsoft} {
		_, err := oauth.Resolve(oauth.Settings{Provider: name})
		var cerr *oauth.ConfigError
		if !errors.As(err, &cerr) || !strings.Contains(err.Error(), "--oauth-client-id") || !strings.Contains(err.Error(), "-ldflags") {
			t.Errorf("%s without client ID: %v", name, err)
		}
		p, err := oauth.Resolve(oauth.Settings{Provider: name, ClientID: "id"})
		if err != nil || p.ClientID != "id" || len(p.Scopes) == 0 || !strings.HasPrefix(p.AuthURL, "https://") {
			t.Errorf("%s with client ID: %+v, %v", name, p, err)
		}
	}
	ms, _ := oauth.Resolve(oauth.Settings{Provider: oauth.Microsoft, ClientID: "id"})
	if !strings.Contains(strings.Join(ms.Scopes, " "), "POP.AccessAsUser.All") {
		t.Errorf("microsoft scopes %v", ms.Scopes)
	}
	bad := []oauth.Settings{
		{Provider: "yahoo", ClientID: "x"},
		{Provider: oauth.Custom, ClientID: "x", AuthURL: "https://a/"},
		{Provider: oauth.Custom, ClientID: "x", AuthURL: "http://example.org/a", TokenURL: "https://a/t"},
	}
	for _, s := range bad {
		if _, err := oauth.Resolve(s); err == nil {
			t.Errorf("Resolve(%+v) accepted", s)
		}
	}
}
