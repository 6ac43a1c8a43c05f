package account

import (
	"errors"
	"testing"

	"github.com/pouchmail/pouch/mailstore"
)

// OAuth2 settings: a known provider, a custom one with https endpoints, only the bearer-token
// mechanisms, and no OAuth2 field without a provider. A missing client ID is not a validation
// error: it may be a build setting of another build.
func TestValidateOAuth(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(a *mailstore.Account)
		field string // "" = valid
	}{
		{"google without client ID", func(a *mailstore.Account) {}, ""},
		{"oauthbearer", func(a *mailstore.Account) { a.AuthMethod = "OAUTHBEARER" }, ""},
		{"custom", func(a *mailstore.Account) {
			a.OAuthProvider, a.OAuthAuthURL, a.OAuthTokenURL = "custom", "https://as/a", "https://as/t"
		}, ""},
		{"unknown provider", func(a *mailstore.Account) { a.OAuthProvider = "yahoo" }, "oauth"},
		{"password mechanism", func(a *mailstore.Account) { a.AuthMethod = "PLAIN" }, "auth"},
		{"custom without endpoints", func(a *mailstore.Account) { a.OAuthProvider = "custom" }, "oauth"},
		{"http endpoint", func(a *mailstore.Account) { a.OAuthTokenURL = "http://example.org/t" }, "oauth-token-url"},
		{"settings without provider", func(a *mailstore.Account) { a.OAuthProvider, a.OAuthClientID = "", "x" }, "oauth"},
	} {
		a := New("g", "pop.gmail.com", "me@gmail.com")
		a.OAuthProvider = "google"
		tc.edit(a)
		err := Validate(a)
		var fe *FieldError
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%s: %v, want valid", tc.name, err)
		case tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field):
			t.Errorf("%s: %v, want a FieldError on %s", tc.name, err, tc.field)
		}
	}
}
