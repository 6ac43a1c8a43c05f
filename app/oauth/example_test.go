package oauth_test

import (
	"context"
	"fmt"
	"log"
	"os/exec"

	"github.com/pouchmail/pouch/app/oauth"
)

// Signing in through the browser, keeping the refresh token, and getting access tokens for
// XOAUTH2 or OAUTHBEARER later.
func Example() {
	ctx := context.Background()
	p, err := oauth.Resolve(oauth.Settings{Provider: oauth.Microsoft, ClientID: "your-client-id"})
	if err != nil {
		log.Fatal(err)
	}
	open := func(url string) error {
		fmt.Println("Sign in at", url)
		return exec.CommandContext(ctx, "xdg-open", url).Start()
	}
	tok, err := oauth.SignIn(ctx, p, open, oauth.SignInOptions{LoginHint: "me@example.org"})
	if err != nil {
		log.Fatal(err)
	}
	var keyring oauth.Store = &memStore{} // the OS keyring in Pouch
	if err := oauth.Save(keyring, "me@example.org", tok); err != nil {
		log.Fatal(err)
	}
	ts := oauth.NewTokenSource(p, keyring, "me@example.org", nil)
	access, err := ts.Token(ctx) // the "password" of XOAUTH2 and OAUTHBEARER
	if err != nil {
		log.Fatal(err)
	}
	_ = access
}
