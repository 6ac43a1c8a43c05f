package ui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/oauth"
	"github.com/pouchmail/pouch/app/oauth/oauthtest"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// overlayTexts returns the text of every label on the window's overlays (open dialogs).
func overlayTexts(f *fixture) string {
	var b strings.Builder
	f.q.wait(func() {
		for _, o := range f.w.window.Canvas().Overlays().List() {
			walk(o, func(l *widget.Label) { b.WriteString(l.Text + "\n") })
		}
	})
	return b.String()
}

// TestOAuthSignInFromTheWindow: "Sign in with …" adds an account through the browser sign-in
// (the local authorization server, whose tokens Dovecot checks), and after the provider revokes
// the grant, a failed check offers to sign in again, which makes checking work again.
func TestOAuthSignInFromTheWindow(t *testing.T) {
	f := newWindow(t)
	as := oauthtest.NewServer(t, oauthtest.Options{})
	d := pop3test.NewDovecot(t, &pop3test.DovecotOptions{OAuth2IntrospectionURL: as.IntrospectURL})
	host, port := pop3test.HostPort(d.PlainAddr)
	f.w.browser = oauthtest.Follow
	found := mailstore.Account{Name: "acme", Host: host, Port: port, Security: mailstore.SecurityStartTLS,
		Username: "alice", LeaveDays: 14, Interval: 10 * time.Minute, CACertPEM: d.CertPEM,
		OAuthClientID: as.ClientID, OAuthAuthURL: as.AuthURL, OAuthTokenURL: as.TokenURL, OAuthScopes: "mail"}
	f.q.wait(func() { f.w.signInWithOAuth(oauth.Custom, found) })
	ctx := context.Background()
	var a *mailstore.Account
	f.eventually(t, "the signed-in account saved", func() bool {
		var err error
		a, err = f.store.AccountByName(ctx, "acme")
		return err == nil
	})
	f.eventually(t, "the account in the sidebar", func() bool { return accountByName(f.w.accounts, "acme") != nil })
	if a.OAuthProvider != oauth.Custom {
		t.Errorf("saved account %+v, want it signed in with OAuth2", a)
	}
	if _, err := f.kr.Get("acme"); err == nil {
		t.Errorf("a password was stored for an OAuth2 account")
	}
	if err := d.Deliver("alice", "one", []byte("Subject: one\n\nfirst\n")); err != nil {
		t.Fatal(err)
	}
	if res := f.w.eng.Fetch(ctx, a, nil); res.Err != nil || res.New != 1 {
		t.Fatalf("fetch with the window's sign-in = %+v", res)
	}

	as.RevokeAll("alice")
	res := f.w.eng.Fetch(ctx, a, nil)
	var serr *engine.SignInRequiredError
	if !errors.As(res.Err, &serr) {
		t.Fatalf("fetch after revocation = %v, want a SignInRequiredError", res.Err)
	}
	f.q.wait(func() { f.w.finished(&res) })
	if txt := overlayTexts(f); !strings.Contains(txt, "Sign in again?") {
		t.Fatalf("after a revoked grant the window shows %q, want the offer to sign in again", txt)
	}
	checks := len(f.fp.edited())
	f.q.wait(func() { f.w.signInAgain(*a) })
	if err := d.Deliver("alice", "two", []byte("Subject: two\n\nsecond\n")); err != nil {
		t.Fatal(err)
	}
	f.eventually(t, "the sign-in renewed and a check asked for", func() bool {
		return strings.Contains(f.w.status.Text, "signed in again") && len(f.fp.edited()) > checks
	})
	if res := f.w.eng.Fetch(ctx, a, nil); res.Err != nil || res.New != 1 {
		t.Errorf("fetch after signing in again = %+v", res)
	}
}

// walk calls fn for every label under o.
func walk(o fyne.CanvasObject, fn func(*widget.Label)) {
	switch v := o.(type) {
	case *widget.Label:
		fn(v)
	case *fyne.Container:
		for _, c := range v.Objects {
			walk(c, fn)
		}
	case fyne.Widget:
		r := test.WidgetRenderer(v)
		for _, c := range r.Objects() {
			walk(c, fn)
		}
	}
}
