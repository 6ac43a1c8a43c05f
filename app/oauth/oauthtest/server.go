// Package oauthtest is a local OAuth2 authorization server for tests: an authorization endpoint
// that approves at once and redirects with a code, a token endpoint that checks PKCE and
// refreshes, revocation (RFC 7009) and introspection (RFC 7662). Tokens expire in real time, so
// a mail server that introspects them (Dovecot's oauth2 passdb) sees what a real provider's
// would. Not for production: it trusts every client that knows the client ID.
package oauthtest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options configure a Server.
type Options struct {
	ClientID string        // default "pouch-test-client"
	User     string        // whom the authorization endpoint signs in; default "alice"
	TTL      time.Duration // access token lifetime; default one hour
	// RotateRefresh hands out a new refresh token on every refresh and retires the old one.
	RotateRefresh bool
}

// Server is a running authorization server.
type Server struct {
	URL                                             string
	AuthURL, TokenURL, IntrospectURL, RevokeURL     string
	ClientID                                        string
	srv                                             *httptest.Server
	opts                                            Options
	mu                                              sync.Mutex
	codes                                           map[string]grant
	access                                          map[string]accessToken
	refresh                                         map[string]string // refresh token → user
	refreshes, exchanges, introspections, approvals int
	user                                            string
	issued                                          []string // every refresh token, for Issued
}

type grant struct {
	user, redirect, challenge, scope string
	expires                          time.Time
}

type accessToken struct {
	user, scope string
	expires     time.Time
}

// NewServer starts a server on loopback, closed when t ends.
func NewServer(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.ClientID == "" {
		opts.ClientID = "pouch-test-client"
	}
	if opts.User == "" {
		opts.User = "alice"
	}
	if opts.TTL == 0 {
		opts.TTL = time.Hour
	}
	s := &Server{opts: opts, ClientID: opts.ClientID, user: opts.User,
		codes: map[string]grant{}, access: map[string]accessToken{}, refresh: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", s.authorize)
	mux.HandleFunc("POST /token", s.token)
	mux.HandleFunc("POST /introspect", s.introspect)
	mux.HandleFunc("POST /revoke", s.revoke)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	s.URL = s.srv.URL
	s.AuthURL, s.TokenURL = s.URL+"/authorize", s.URL+"/token"
	s.IntrospectURL, s.RevokeURL = s.URL+"/introspect", s.URL+"/revoke"
	return s
}

// SetUser changes whom the next authorizations sign in.
func (s *Server) SetUser(user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user = user
}

// Counts reports how many codes were exchanged, refreshes granted, tokens introspected and
// authorizations approved.
func (s *Server) Counts() (exchanges, refreshes, introspections, approvals int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exchanges, s.refreshes, s.introspections, s.approvals
}

// ExpireAccessTokens makes every access token handed out so far inactive, as a provider does
// when it rotates keys: refresh tokens still work.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.access)
}

// RevokeAll revokes every token of user, as "remove access" in the provider's account page does.
func (s *Server) RevokeAll(user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.access {
		if v.user == user {
			delete(s.access, k)
		}
	}
	for k, v := range s.refresh {
		if v == user {
			delete(s.refresh, k)
		}
	}
}

// Issued returns every refresh token handed out so far, live or not, for tests that look for
// them where they must not be (files, logs).
func (s *Server) Issued() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}

// IssueAccessToken hands out an access token for user directly, for tests of the mail server.
func (s *Server) IssueAccessToken(user string, ttl time.Duration) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := random()
	s.access[tok] = accessToken{user: user, expires: time.Now().Add(ttl)}
	return tok
}

func random() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// authorize approves at once and redirects to the client's loopback redirect with a code.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case err != nil || redirect.Scheme != "http" || redirect.Hostname() != "127.0.0.1":
		http.Error(w, "redirect_uri must be a loopback http URL", http.StatusBadRequest)
		return
	case q.Get("client_id") != s.opts.ClientID:
		http.Error(w, "unknown client_id", http.StatusBadRequest)
		return
	case q.Get("response_type") != "code":
		http.Error(w, "response_type must be code", http.StatusBadRequest)
		return
	}
	back := redirect.Query()
	back.Set("state", q.Get("state"))
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		back.Set("error", "invalid_request")
		back.Set("error_description", "PKCE with S256 is required")
	} else {
		code := random()
		s.mu.Lock()
		s.codes[code] = grant{user: s.user, redirect: q.Get("redirect_uri"), challenge: q.Get("code_challenge"),
			scope: q.Get("scope"), expires: time.Now().Add(time.Minute)}
		s.approvals++
		s.mu.Unlock()
		back.Set("code", code)
	}
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// token serves the authorization_code and refresh_token grants (RFC 6749 §4.1.3, §6).
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, "invalid_request", err.Error())
		return
	}
	f := r.PostForm
	if f.Get("client_id") != s.opts.ClientID {
		tokenError(w, "invalid_client", "unknown client_id")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var user, scope, refresh string
	switch f.Get("grant_type") {
	case "authorization_code":
		g, ok := s.codes[f.Get("code")]
		delete(s.codes, f.Get("code")) // single use
		sum := sha256.Sum256([]byte(f.Get("code_verifier")))
		switch {
		case !ok || time.Now().After(g.expires):
			tokenError(w, "invalid_grant", "unknown or expired code")
			return
		case f.Get("redirect_uri") != g.redirect:
			tokenError(w, "invalid_grant", "redirect_uri differs from the authorization request's")
			return
		case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
			tokenError(w, "invalid_grant", "PKCE verification failed")
			return
		}
		user, scope = g.user, g.scope
		refresh = random()
		s.refresh[refresh] = user
		s.issued = append(s.issued, refresh)
		s.exchanges++
	case "refresh_token":
		old := f.Get("refresh_token")
		var ok bool
		if user, ok = s.refresh[old]; !ok {
			tokenError(w, "invalid_grant", "refresh token revoked or unknown")
			return
		}
		scope = f.Get("scope")
		if s.opts.RotateRefresh {
			delete(s.refresh, old)
			refresh = random()
			s.refresh[refresh] = user
			s.issued = append(s.issued, refresh)
		}
		s.refreshes++
	default:
		tokenError(w, "unsupported_grant_type", f.Get("grant_type"))
		return
	}
	access := random()
	s.access[access] = accessToken{user: user, scope: scope, expires: time.Now().Add(s.opts.TTL)}
	reply := map[string]any{"access_token": access, "token_type": "Bearer",
		"expires_in": int(s.opts.TTL / time.Second), "scope": scope}
	if refresh != "" {
		reply["refresh_token"] = refresh
	}
	writeJSON(w, http.StatusOK, reply)
}

// introspect answers RFC 7662: active with the user name while the token lives.
func (s *Server) introspect(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.introspections++
	tok, ok := s.access[r.PostForm.Get("token")]
	if !ok || time.Now().After(tok.expires) {
		writeJSON(w, http.StatusOK, map[string]any{"active": false})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"active": true, "username": tok.user, "scope": tok.scope,
		"client_id": s.opts.ClientID, "token_type": "Bearer", "exp": tok.expires.Unix()})
}

// revoke is RFC 7009: the token, and for a refresh token the access tokens of its user, end.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	tok := r.PostForm.Get("token")
	s.mu.Lock()
	user, isRefresh := s.refresh[tok]
	delete(s.access, tok)
	s.mu.Unlock()
	if isRefresh {
		s.RevokeAll(user)
	}
	w.WriteHeader(http.StatusOK)
}

func tokenError(w http.ResponseWriter, code, desc string) {
	status := http.StatusBadRequest
	if code == "invalid_client" {
		status = http.StatusUnauthorized
	}
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Follow plays the browser: it requests the authorization URL and follows the redirects to the
// client's loopback listener. It is an open func for oauth.SignIn.
func Follow(authURL string) error {
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(authURL)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &url.Error{Op: "GET", URL: authURL, Err: httpStatusError(resp.Status)}
	}
	return nil
}

type httpStatusError string

func (e httpStatusError) Error() string { return "HTTP " + strings.TrimSpace(string(e)) }
