package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"time"

	"golang.org/x/oauth2"
)

// Time limits of a sign-in.
const (
	// DefaultSignInTimeout bounds the wait for the user to finish in the browser.
	DefaultSignInTimeout = 5 * time.Minute
	// exchangeTimeout bounds one request to a token endpoint.
	exchangeTimeout = 30 * time.Second
)

// SignInOptions tune SignIn; the zero value is the production behaviour.
type SignInOptions struct {
	// LoginHint (the email address) pre-fills the provider's sign-in page.
	LoginHint string
	// Timeout bounds the wait for the browser; 0 = DefaultSignInTimeout.
	Timeout time.Duration
}

// AuthorizationError is the provider's refusal sent back to the redirect (the user declined,
// or the application is not allowed), RFC 6749 §4.1.2.1.
type AuthorizationError struct {
	Code        string // "access_denied", ...
	Description string
}

func (e *AuthorizationError) Error() string {
	msg := "oauth: the provider refused the sign-in: " + e.Code
	if e.Description != "" {
		msg += " (" + e.Description + ")"
	}
	return msg
}

// ErrNoRefreshToken says the provider signed in but gave no refresh token, so Pouch could not
// check mail again later without the browser.
var ErrNoRefreshToken = errors.New("oauth: the provider gave no refresh token (is offline access allowed for this application?)")

// SignIn runs the authorization code flow with PKCE (RFC 7636): it listens on a loopback port
// (RFC 8252 §7.3), hands the authorization URL to open (the desktop's browser), waits for the
// redirect with the code and exchanges it. The token holds a refresh token, ready for Save.
func SignIn(ctx context.Context, p *Provider, open func(url string) error, opts SignInOptions) (*oauth2.Token, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultSignInTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	var lc net.ListenConfig
	// 127.0.0.1 rather than localhost: no resolver or firewall surprise, as RFC 8252 §8.3 says.
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("oauth: listening for the browser's redirect: %w", err)
	}
	redirect := fmt.Sprintf("http://127.0.0.1:%d/", ln.Addr().(*net.TCPAddr).Port)
	cfg := p.config(redirect)
	state, err := randomState()
	if err != nil {
		ln.Close()
		return nil, err
	}
	verifier := oauth2.GenerateVerifier()
	authOpts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	for k, v := range p.AuthParams {
		authOpts = append(authOpts, oauth2.SetAuthURLParam(k, v))
	}
	if opts.LoginHint != "" {
		authOpts = append(authOpts, oauth2.SetAuthURLParam("login_hint", opts.LoginHint))
	}
	authURL := cfg.AuthCodeURL(state, authOpts...)

	type result struct {
		code string
		err  error
	}
	results := make(chan result, 1)
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			if r.URL.Path != "/" || q.Get("state") != state {
				// Not our redirect (a favicon, another page, a forged request): keep waiting.
				http.NotFound(w, r)
				return
			}
			var res result
			if code := q.Get("error"); code != "" {
				res.err = &AuthorizationError{Code: code, Description: q.Get("error_description")}
			} else if res.code = q.Get("code"); res.code == "" {
				res.err = errors.New("oauth: the redirect carried neither a code nor an error")
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			msg := "Signed in. You can close this window and return to Pouch."
			if res.err != nil {
				msg = "The sign-in failed: " + res.err.Error()
			}
			fmt.Fprintf(w, "<!doctype html><title>Pouch</title><p>%s</p>\n", html.EscapeString(msg))
			select {
			case results <- res:
			default: // a second redirect with our state: the first one counts
			}
		}),
	}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer scancel()
		_ = srv.Shutdown(sctx)
	}()

	if err := open(authURL); err != nil {
		return nil, fmt.Errorf("oauth: opening the browser: %w", err)
	}
	var res result
	select {
	case res = <-results:
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("oauth: no sign-in within %v: %w", opts.Timeout, ctx.Err())
		}
		return nil, ctx.Err()
	}
	if res.err != nil {
		return nil, res.err
	}
	xctx, xcancel := context.WithTimeout(ctx, exchangeTimeout)
	defer xcancel()
	tok, err := cfg.Exchange(xctx, res.code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("oauth: exchanging the code for a token: %w", err)
	}
	if tok.RefreshToken == "" {
		return nil, ErrNoRefreshToken
	}
	return tok, nil
}

// randomState is the CSRF guard of the redirect (RFC 6749 §10.12).
func randomState() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("oauth: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
