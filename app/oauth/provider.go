// Package oauth signs a mail account in with OAuth2 (authorization code with PKCE through the
// system browser and a loopback redirect, RFC 8252) and keeps its access tokens fresh from a
// refresh token held in a small store (the OS keyring). It knows nothing of POP3 or of the
// window: the token it hands out is the "password" of XOAUTH2 and OAUTHBEARER, for POP3 now
// and SMTP later.
package oauth

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/oauth2"
)

// Client IDs of the registered desktop applications, set at link time:
//
//	go build -ldflags "-X github.com/pouchmail/pouch/app/oauth.googleClientID=ID" .
//
// They are the only package variables in Pouch: a build setting, not state. None is built in,
// since a client ID belongs to whoever registered the application. Google's desktop clients also
// come with a client "secret" that Google documents as not confidential for installed apps; it
// is a build setting too.
var (
	googleClientID     string
	googleClientSecret string
	microsoftClientID  string
)

// Names of the built-in providers, as autoconfig's providers.json spells them.
const (
	Google    = "google"
	Microsoft = "microsoft"
	// Custom is a provider given by its endpoints (Settings.AuthURL, TokenURL, Scopes).
	Custom = "custom"
)

// Provider is an OAuth2 authorization server and the application registered with it.
type Provider struct {
	Name         string // Google, Microsoft or Custom
	AuthURL      string // authorization endpoint
	TokenURL     string // token endpoint
	Scopes       []string
	ClientID     string
	ClientSecret string // "" for public clients; never a real secret (see above)
	// AuthParams are extra parameters of the authorization request.
	AuthParams map[string]string
}

// Settings is what an account stores about its sign-in (no secret): a provider name and
// optional overrides. The zero ClientID, AuthURL, TokenURL and Scopes take the provider's.
type Settings struct {
	Provider string
	ClientID string
	AuthURL  string
	TokenURL string
	Scopes   []string
}

// builtin returns the definition of a provider name known to Pouch.
func builtin(name string) (Provider, bool) {
	switch name {
	case Google:
		return Provider{
			Name:         Google,
			AuthURL:      "https://accounts.google.com/o/oauth2/v2/auth",
			TokenURL:     "https://oauth2.googleapis.com/token",
			Scopes:       []string{"https://mail.google.com/"},
			ClientID:     googleClientID,
			ClientSecret: googleClientSecret,
			// Google hands out a refresh token only for offline access, and only on consent.
			AuthParams: map[string]string{"access_type": "offline", "prompt": "consent"},
		}, true
	case Microsoft:
		return Provider{
			Name:     Microsoft,
			AuthURL:  "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
			TokenURL: "https://login.microsoftonline.com/common/oauth2/v2.0/token",
			// offline_access is what brings a refresh token.
			Scopes: []string{"https://outlook.office.com/POP.AccessAsUser.All",
				"https://outlook.office.com/SMTP.Send", "offline_access"},
			ClientID: microsoftClientID,
		}, true
	}
	return Provider{}, false
}

// Providers lists the provider names Resolve accepts.
func Providers() []string { return []string{Google, Microsoft, Custom} }

// ConfigError says the OAuth2 settings of an account cannot work, and what to set.
type ConfigError struct {
	Field   string // the CLI flag without dashes: "oauth", "oauth-client-id", ...
	Problem string
}

func (e *ConfigError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Problem) }

// Resolve turns stored settings into a usable Provider: the built-in definition with the
// overrides applied, or a custom one that names everything. An empty client ID is a
// *ConfigError saying how to set one.
func Resolve(s Settings) (*Provider, error) {
	name := strings.ToLower(strings.TrimSpace(s.Provider))
	p, ok := builtin(name)
	switch {
	case ok:
	case name == Custom:
		p = Provider{Name: Custom}
		if s.AuthURL == "" || s.TokenURL == "" {
			return nil, &ConfigError{"oauth", "a custom provider needs its authorization and token URLs (--oauth-auth-url, --oauth-token-url)"}
		}
	default:
		return nil, &ConfigError{"oauth", fmt.Sprintf("unknown provider %q (want %s)", s.Provider, strings.Join(Providers(), ", "))}
	}
	if s.AuthURL != "" {
		p.AuthURL = s.AuthURL
	}
	if s.TokenURL != "" {
		p.TokenURL = s.TokenURL
	}
	if len(s.Scopes) > 0 {
		p.Scopes = slices.Clone(s.Scopes)
	}
	if s.ClientID != "" && s.ClientID != p.ClientID {
		// Another application: the build's secret belongs to the build's client ID.
		p.ClientID, p.ClientSecret = s.ClientID, ""
	}
	for field, u := range map[string]string{"oauth-auth-url": p.AuthURL, "oauth-token-url": p.TokenURL} {
		if err := checkEndpoint(u); err != nil {
			return nil, &ConfigError{field, err.Error()}
		}
	}
	if p.ClientID == "" {
		return nil, &ConfigError{"oauth-client-id", missingClientID(p.Name)}
	}
	return &p, nil
}

// missingClientID tells how to give a provider's client ID.
func missingClientID(name string) string {
	msg := "no OAuth2 client ID; give one with --oauth-client-id (the ID of a desktop application you registered with the provider)"
	switch name {
	case Google:
		msg += ", or build Pouch with -ldflags \"-X github.com/pouchmail/pouch/app/oauth.googleClientID=ID -X github.com/pouchmail/pouch/app/oauth.googleClientSecret=SECRET\""
	case Microsoft:
		msg += ", or build Pouch with -ldflags \"-X github.com/pouchmail/pouch/app/oauth.microsoftClientID=ID\""
	}
	return msg
}

// checkEndpoint accepts https URLs, and http only on loopback (test and local servers): a
// token must not cross a network in the clear.
func checkEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if h := u.Hostname(); h == "127.0.0.1" || h == "::1" || h == "localhost" {
			return nil
		}
	}
	return fmt.Errorf("%q: want https (http only on loopback)", raw)
}

// config is the x/oauth2 view of p with the given redirect URL.
func (p *Provider) config(redirect string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     p.ClientID,
		ClientSecret: p.ClientSecret,
		Endpoint: oauth2.Endpoint{AuthURL: p.AuthURL, TokenURL: p.TokenURL,
			// Public clients send their ID in the body; Microsoft refuses Basic auth for them.
			AuthStyle: oauth2.AuthStyleInParams},
		RedirectURL: redirect,
		Scopes:      p.Scopes,
	}
}
