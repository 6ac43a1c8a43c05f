package cli

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"

	"github.com/pouchmail/pouch/app/account"
	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/oauth"
	"github.com/pouchmail/pouch/mailstore"
)

// accountEdit is `account edit NAME [flags of account add]`: the settings given change, the
// others stay, with account add's validation (app/account) and the engine's rules for a rename
// or another mailbox.
func accountEdit(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("account edit", g)
	af := defineAccountFlags(fs, true)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if af.oauth.provider.set && af.oauth.provider.value == "" && len(pos) == 2 {
		af.oauth.provider.value, pos = pos[1], pos[:1] // `--oauth google`: the provider stood apart
	}
	if err := wantArgs("account edit", pos, "NAME"); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	delete(set, "data-dir")
	if len(set) == 0 {
		return usagef("account edit: nothing to change (give the settings to change, as for account add)")
	}
	if set["leave-days"] && set["keep-forever"] && *af.keepForever {
		return usagef("account edit: --leave-days and --keep-forever exclude each other")
	}
	var password *string
	if *af.pwStdin {
		pw, err := readSecretContext(ctx, env.Stdin)
		if err != nil {
			return err
		}
		password = &pw
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		a, err := e.Account(ctx, pos[0])
		if err != nil {
			return err
		}
		old := *a
		if err := af.applyEdit(a, set); err != nil {
			return err
		}
		if err := af.smtp.apply(a, nil, set); err != nil {
			return err
		}
		if password != nil && a.OAuthProvider != "" {
			return usagef("account edit: %s signs in with OAuth2; --password-stdin does not apply (pouch account login %s)", pos[0], a.Name)
		}
		if err := account.Validate(a); err != nil {
			return usagef("account edit: %v", err)
		}
		if err := e.UpdateAccount(ctx, a, password); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "Updated account %s (%s@%s:%d, %s, %s).\n", a.Name, a.Username, a.Host, a.Port, a.Security, retention(a))
		if a.OAuthProvider != "" && (old.OAuthProvider != a.OAuthProvider || old.OAuthClientID != a.OAuthClientID ||
			old.OAuthAuthURL != a.OAuthAuthURL || old.OAuthTokenURL != a.OAuthTokenURL) {
			fmt.Fprintf(env.Stdout, "Sign in with the new settings: pouch account login %s\n", a.Name)
		}
		return nil
	})
}

// applyEdit changes the settings of a that were given (set names them).
func (f *accountFlags) applyEdit(a *mailstore.Account, set map[string]bool) error {
	if set["name"] {
		a.Name = *f.name
	}
	if set["email"] {
		a.Address = *f.email
	}
	if set["host"] {
		a.Host = *f.host
	}
	if set["user"] {
		a.Username = *f.user
	}
	if set["security"] {
		sec, err := account.ParseSecurity(*f.security)
		if err != nil {
			return usagef("account edit: %v", err)
		}
		// A port that was the old mode's default follows the mode.
		if !set["port"] && a.Port == account.DefaultPort(a.Security) {
			a.Port = account.DefaultPort(sec)
		}
		a.Security = sec
	}
	if set["port"] {
		a.Port = *f.port
	}
	if set["leave-days"] {
		a.LeaveDays, a.KeepForever = *f.leaveDays, false
	}
	if set["keep-forever"] {
		a.KeepForever = *f.keepForever
	}
	if set["interval"] {
		a.Interval = *f.interval
	}
	if set["size-limit"] {
		a.SizeLimit = f.sizeLimit.n
	}
	if set["delete-on-server"] {
		a.DeleteOnServer = *f.deleteOnServer
	}
	if set["ca-file"] {
		pemData, err := readCA(*f.caFile)
		if err != nil {
			return err
		}
		a.CACertPEM = pemData
	}
	if set["auth"] {
		m, err := account.ParseAuthMethod(*f.authMech)
		if err != nil {
			return usagef("account edit: %v", err)
		}
		a.AuthMethod = m
	}
	if set["tls-fingerprint"] {
		a.PinnedCertSHA256 = ""
		if *f.fingerprint != "" {
			fp, err := account.ParseFingerprint(*f.fingerprint)
			if err != nil {
				return usagef("account edit: %v", err)
			}
			a.PinnedCertSHA256 = fp
		}
	}
	if a.PinnedCertSHA256 != "" && a.Security == mailstore.SecurityNone {
		return usagef("account edit: --tls-fingerprint needs --security tls or starttls")
	}
	o := f.oauth
	if o.provider.set {
		name := strings.ToLower(o.provider.value)
		if name == "" {
			name = a.OAuthProvider
		}
		if !slices.Contains(oauth.Providers(), name) {
			return usagef("account edit: --oauth: name the provider (%s)", strings.Join(oauth.Providers(), ", "))
		}
		a.OAuthProvider = name
	}
	if set["oauth-client-id"] {
		a.OAuthClientID = o.clientID
	}
	if set["oauth-auth-url"] {
		a.OAuthAuthURL = o.authURL
	}
	if set["oauth-token-url"] {
		a.OAuthTokenURL = o.tokenURL
	}
	if set["oauth-scope"] {
		a.OAuthScopes = strings.Join(o.scopes, " ")
	}
	return nil
}
