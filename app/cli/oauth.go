package cli

import (
	"context"
	"flag"
	"fmt"
	"os/exec"
	"runtime"
	"slices"
	"strings"

	"github.com/pouchmail/pouch/app/autoconfig"
	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/oauth"
	"github.com/pouchmail/pouch/mailstore"
)

// oauthFlags are account add's OAuth2 flags.
type oauthFlags struct {
	provider optionalString
	clientID string
	authURL  string
	tokenURL string
	scopes   stringList
}

func addOAuthFlags(fs *flag.FlagSet) *oauthFlags {
	f := &oauthFlags{}
	fs.Var(&f.provider, "oauth", "sign in with OAuth2 through the browser: google, microsoft or custom (default: what discovery found)")
	fs.StringVar(&f.clientID, "oauth-client-id", "", "OAuth2 client ID of your registered desktop application (default: the build's)")
	fs.StringVar(&f.authURL, "oauth-auth-url", "", "OAuth2 authorization endpoint (custom provider)")
	fs.StringVar(&f.tokenURL, "oauth-token-url", "", "OAuth2 token endpoint (custom provider)")
	fs.Var(&f.scopes, "oauth-scope", "OAuth2 scope (repeatable; default: the provider's)")
	return f
}

// optionalString is a flag that may stand alone (--oauth) or carry a value (--oauth=google).
type optionalString struct {
	set   bool
	value string
}

func (o *optionalString) String() string   { return o.value }
func (o *optionalString) IsBoolFlag() bool { return true }
func (o *optionalString) Set(v string) error {
	o.set = true
	if v != "true" {
		o.value = v
	}
	return nil
}

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, " ") }
func (l *stringList) Set(v string) error { *l = append(*l, strings.Fields(v)...); return nil }

// used reports whether any OAuth2 flag was given.
func (f *oauthFlags) used(set map[string]bool) bool {
	return f.provider.set || set["oauth-client-id"] || set["oauth-auth-url"] || set["oauth-token-url"] || set["oauth-scope"]
}

// apply puts the OAuth2 settings on a. The provider is the one named, else "custom" when
// endpoints are given, else what discovery found for the address.
func (f *oauthFlags) apply(a *mailstore.Account, found *autoconfig.Settings) error {
	name := strings.ToLower(f.provider.value)
	switch {
	case name != "":
	case f.authURL != "" || f.tokenURL != "":
		name = oauth.Custom
	case found != nil && found.OAuth != "":
		name = found.OAuth
	default:
		return usagef("account add: --oauth: name the provider (%s); discovery found none for this address", strings.Join(oauth.Providers(), ", "))
	}
	if !slices.Contains(oauth.Providers(), name) {
		return usagef("account add: --oauth: unknown provider %q (want %s)", name, strings.Join(oauth.Providers(), ", "))
	}
	a.OAuthProvider, a.OAuthClientID = name, f.clientID
	a.OAuthAuthURL, a.OAuthTokenURL, a.OAuthScopes = f.authURL, f.tokenURL, strings.Join(f.scopes, " ")
	return nil
}

func init() {
	register(&command{name: "account login", run: accountLogin, usage: []string{"account login NAME"},
		help: "Signs an OAuth2 account in again in the browser (after the provider revoked the sign-in)."})
}

// accountLogin is `account login NAME`: the browser sign-in again, for an OAuth2 account whose
// grant was revoked or expired.
func accountLogin(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("account login", g)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("account login", pos, "NAME"); err != nil {
		return err
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		if err := e.SignInAgain(ctx, pos[0], browserOpener(ctx, env)); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "Signed in; account %s uses the new sign-in.\n", pos[0])
		return nil
	})
}

// browserOpener shows the sign-in page: it prints the URL (for a browser elsewhere, or when none
// starts) and starts $BROWSER, else the desktop's opener. A browser that fails to start is not an
// error: the URL is there to copy.
func browserOpener(ctx context.Context, env *Env) func(url string) error {
	return func(url string) error {
		fmt.Fprintf(env.Stdout, "Sign in with your browser; if it does not open, visit:\n  %s\n", url)
		var cmds [][]string
		// $BROWSER is a colon-separated list of commands; %s stands for the URL.
		for _, b := range strings.Split(env.Getenv("BROWSER"), ":") {
			if b = strings.TrimSpace(b); b == "" {
				continue
			}
			if strings.Contains(b, "%s") {
				cmds = append(cmds, []string{"sh", "-c", strings.ReplaceAll(b, "%s", `"$1"`), "browser", url})
			} else {
				cmds = append(cmds, []string{b, url})
			}
		}
		switch runtime.GOOS {
		case "darwin":
			cmds = append(cmds, []string{"open", url})
		case "windows":
			// Not "cmd /c start": cmd would read the URL's & as a command separator.
			cmds = append(cmds, []string{"rundll32", "url.dll,FileProtocolHandler", url})
		default:
			cmds = append(cmds, []string{"xdg-open", url})
		}
		for _, c := range cmds {
			cmd := exec.CommandContext(ctx, c[0], c[1:]...)
			if err := cmd.Start(); err == nil {
				go func() { _ = cmd.Wait() }() // reaped; a browser may run long after
				return nil
			}
		}
		fmt.Fprintln(env.Stderr, "pouch: could not start a browser; open the address above yourself")
		return nil
	}
}
