package engine_test

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/oauth"
	"github.com/pouchmail/pouch/app/oauth/oauthtest"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// oauthSetup starts the local authorization server and a Dovecot that introspects its tokens,
// and adds an OAuth2 account "home" (STARTTLS) through the browser sign-in, the browser being
// oauthtest.Follow. Passwords and refresh tokens are kept in separate stores, as in the CLI.
func oauthSetup(t *testing.T, opts oauthtest.Options, mech string) (*engine.Engine, *mailstore.Account, *oauthtest.Server, *pop3test.Dovecot, *secrets.Memory, *secrets.Memory) {
	t.Helper()
	as := oauthtest.NewServer(t, opts)
	d := pop3test.NewDovecot(t, &pop3test.DovecotOptions{OAuth2IntrospectionURL: as.IntrospectURL})
	ctx := context.Background()
	store, err := mailstore.Open(ctx, filepath.Join(t.TempDir(), "pouch.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	host, port := pop3test.HostPort(d.PlainAddr)
	passwords, tokens := secrets.NewMemory(), secrets.NewMemory()
	e := engine.New(store, passwords, engine.Options{Timeout: 10 * time.Second, OAuthTokens: tokens})
	a := &mailstore.Account{Name: "home", Host: host, Port: port, Security: mailstore.SecurityStartTLS,
		Username: "alice", LeaveDays: 14, Interval: 10 * time.Minute, CACertPEM: d.CertPEM, AuthMethod: mech,
		OAuthProvider: oauth.Custom, OAuthClientID: as.ClientID, OAuthAuthURL: as.AuthURL,
		OAuthTokenURL: as.TokenURL, OAuthScopes: "mail"}
	if err := e.AddOAuthAccount(ctx, a, oauthtest.Follow); err != nil {
		t.Fatalf("AddOAuthAccount: %v\n%s", err, d.Log())
	}
	return e, a, as, d, passwords, tokens
}

// An OAuth2 account signs in through the browser and fetches from Dovecot with XOAUTH2 and
// OAUTHBEARER (named, or chosen from what the server offers); the refresh token is kept in the
// token store only, and no password is stored.
func TestOAuthAccountFetches(t *testing.T) {
	for _, mech := range []string{"", "XOAUTH2", "OAUTHBEARER"} {
		t.Run("auth="+mech, func(t *testing.T) {
			e, a, _, d, passwords, tokens := oauthSetup(t, oauthtest.Options{}, mech)
			mustDeliver(t, d, "one", "Subject: one\n\nfirst\n")
			res := e.Fetch(context.Background(), a, nil)
			if res.Err != nil || res.New != 1 {
				t.Fatalf("fetch = %+v\n%s", res, d.Log())
			}
			want := "method=" + mech
			if mech == "" {
				want = "method=XOAUTH2"
			}
			if !strings.Contains(d.Log(), want) {
				t.Errorf("Dovecot's log shows no login with %s", want)
			}
			if rt, err := tokens.Get("home"); err != nil || rt == "" {
				t.Errorf("refresh token not stored: %v", err)
			}
			if _, err := passwords.Get("home"); !errors.Is(err, secrets.ErrNotFound) {
				t.Errorf("password store has an entry for the OAuth2 account: %v", err)
			}
			if err := e.SetPassword(context.Background(), "home", "pw"); err == nil || !strings.Contains(err.Error(), "pouch account login home") {
				t.Errorf("SetPassword on an OAuth2 account: %v, want a refusal pointing to account login", err)
			}
		})
	}
}

// A token Dovecot refuses although it looked fresh (the provider ended it early) costs one
// retry with a renewed token, not a failed session.
func TestOAuthRetryAfterAuthRefusal(t *testing.T) {
	e, a, as, d, _, _ := oauthSetup(t, oauthtest.Options{}, "")
	ctx := context.Background()
	if res := e.Fetch(ctx, a, nil); res.Err != nil {
		t.Fatalf("first fetch: %v", res.Err)
	}
	if _, refreshes, _, _ := as.Counts(); refreshes != 0 {
		t.Fatalf("%d refreshes with a fresh token from the sign-in, want 0", refreshes)
	}
	as.ExpireAccessTokens()
	mustDeliver(t, d, "two", "Subject: two\n\nsecond\n")
	if res := e.Fetch(ctx, a, nil); res.Err != nil || res.New != 1 {
		t.Fatalf("fetch after the token was ended: %+v\n%s", res, d.Log())
	}
	if _, refreshes, _, _ := as.Counts(); refreshes != 1 {
		t.Errorf("%d refreshes, want 1 (the retry)", refreshes)
	}
}

// A revoked grant stops the account with a *SignInRequiredError that says what to do; signing in
// again (the same browser flow) makes it work again.
func TestOAuthRevokedNeedsSignIn(t *testing.T) {
	e, a, as, d, _, _ := oauthSetup(t, oauthtest.Options{}, "")
	ctx := context.Background()
	as.RevokeAll("alice")
	res := e.Fetch(ctx, a, nil)
	var serr *engine.SignInRequiredError
	if !errors.As(res.Err, &serr) || !strings.Contains(res.Err.Error(), "sign in again: pouch account login home") {
		t.Fatalf("fetch after revocation: %v, want *SignInRequiredError naming the command", res.Err)
	}
	if err := e.SignInAgain(ctx, "home", oauthtest.Follow); err != nil {
		t.Fatal(err)
	}
	mustDeliver(t, d, "one", "Subject: one\n\nfirst\n")
	if res := e.Fetch(ctx, a, nil); res.Err != nil || res.New != 1 {
		t.Fatalf("fetch after signing in again: %+v", res)
	}
}

// A long-running poller with tokens that live 2 s (real time: Dovecot asks the server): the
// sessions share an access token while it is fresh, renew it before it expires, and keep
// fetching across many lifetimes; when the grant is revoked the account stops as needing the
// user, like a rejected password, with the command to run.
func TestOAuthPollerRefreshesAndStopsOnRevocation(t *testing.T) {
	e, _, as, d, _, _ := oauthSetup(t, oauthtest.Options{TTL: 2 * time.Second, RotateRefresh: true}, "")
	var mu sync.Mutex
	var results []engine.Result
	var statuses []engine.AccountStatus
	p := e.NewPoller(engine.PollerOptions{
		OnEvent: func(ev engine.Event) {
			mu.Lock()
			defer mu.Unlock()
			if ev.Kind == engine.EventFinished {
				results = append(results, *ev.Result)
			}
			if ev.Kind == engine.EventStatus {
				statuses = append(statuses, ev.Status)
			}
		},
		// A check every 300 ms instead of the account's interval.
		After: func(time.Duration) <-chan time.Time { return time.After(300 * time.Millisecond) },
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	p.Start(ctx)
	defer p.Stop()
	for i := range 5 {
		mustDeliver(t, d, "m"+strconv.Itoa(i), "Subject: m\n\nbody\n")
		time.Sleep(time.Second)
	}
	// Sessions take longer on a loaded machine: wait for the last message and the eighth
	// session rather than counting what five seconds gave.
	count := func() (ok, stored int, failed []error) {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range results {
			if r.Err != nil {
				failed = append(failed, r.Err)
			}
			ok++
			stored += r.New
		}
		return ok, stored, failed
	}
	ok, stored, failed := count()
	for deadline := time.Now().Add(60 * time.Second); (ok < 8 || stored < 5) && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		ok, stored, failed = count()
	}
	_, refreshes, _, _ := as.Counts()
	elapsed := time.Since(start)
	for _, err := range failed {
		t.Errorf("session failed: %v", err)
	}
	if ok < 8 || stored != 5 {
		t.Fatalf("%d sessions stored %d messages in %s, want ≥ 8 sessions and 5 messages", ok, stored, elapsed.Round(time.Millisecond))
	}
	t.Logf("%d sessions, %d refreshes in %s", ok, refreshes, elapsed.Round(time.Millisecond))
	// Over five seconds or more of 2 s tokens renewed at half-life: at least 3 refreshes. Shared,
	// a token is renewed at most once a half-life, however many sessions use it.
	if most := int((elapsed+time.Second-1)/time.Second) + 1; refreshes < 3 || refreshes > most {
		t.Errorf("%d refreshes for %d sessions in %s, want at least 3 and at most %d", refreshes, ok, elapsed.Round(time.Millisecond), most)
	}

	as.RevokeAll("alice")
	deadline := time.Now().Add(10 * time.Second)
	for {
		var st engine.AccountStatus
		for _, s := range p.Status() {
			if s.Account == "home" {
				st = s
			}
		}
		if st.Stopped {
			if st.ErrorKind != engine.ErrorKindAuth || !st.NeedsSignIn || !strings.Contains(st.LastError, "pouch account login home") {
				t.Errorf("stopped with %q (%s), want kind auth and the sign-in command", st.LastError, st.ErrorKind)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the poller did not stop after revocation: %+v", st)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
