package mailstore_test

import (
	"context"
	"testing"
)

// The OAuth2 settings (migration 0006) survive create, read and update; no token is among them.
func TestAccountOAuthSettings(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a := testAccount("gmail")
	a.OAuthProvider, a.OAuthClientID = "google", "id-1"
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	got, err := s.AccountByName(ctx, "gmail")
	if err != nil || got.OAuthProvider != "google" || got.OAuthClientID != "id-1" || got.OAuthAuthURL != "" {
		t.Fatalf("after create: %+v, %v", got, err)
	}
	got.OAuthProvider, got.OAuthClientID = "custom", ""
	got.OAuthAuthURL, got.OAuthTokenURL, got.OAuthScopes = "https://as/auth", "https://as/token", "mail offline"
	if err := s.UpdateAccount(ctx, got); err != nil {
		t.Fatal(err)
	}
	again, err := s.Account(ctx, got.ID)
	if err != nil || !equalAccount(again, got) || again.OAuthScopes != "mail offline" || again.OAuthTokenURL != "https://as/token" {
		t.Errorf("after update: %+v, %v; want %+v", again, err, got)
	}
}
