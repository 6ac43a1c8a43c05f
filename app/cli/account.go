package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pouchmail/pouch/app/account"
	"github.com/pouchmail/pouch/app/autoconfig"
	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
)

func runAccount(ctx context.Context, env *Env, g *globals, args []string) error {
	if len(args) == 0 {
		return usagef("account: expected add, discover, list, login, password or remove")
	}
	switch args[0] {
	case "add":
		return accountAdd(ctx, env, g, args[1:])
	case "discover":
		return accountDiscover(ctx, env, g, args[1:])
	case "list":
		return accountList(ctx, env, g, args[1:])
	case "login":
		return accountLogin(ctx, env, g, args[1:])
	case "password":
		return accountPassword(ctx, env, g, args[1:])
	case "remove":
		return accountRemove(ctx, env, g, args[1:])
	}
	return usagef("account: unknown sub-command %q", args[0])
}

func accountAdd(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("account add", g)
	name := fs.String("name", "", "account name (default: the email address)")
	email := fs.String("email", "", "email address: find the server settings from it, test the login, then save")
	host := fs.String("host", "", "server host name")
	port := fs.Int("port", 0, "server port (default 995 for tls, 110 otherwise)")
	security := fs.String("security", "tls", "tls, starttls or none")
	user := fs.String("user", "", "user name")
	pwStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	leaveDays := fs.Int("leave-days", account.DefaultLeaveDays, "days to leave messages on the server")
	keepForever := fs.Bool("keep-forever", false, "never delete messages from the server")
	caFile := fs.String("ca-file", "", "extra trusted certificate (PEM)")
	authMech := fs.String("auth", "", "authentication mechanism: auto (strongest offered), "+strings.Join(pop3.Mechanisms, ", "))
	fingerprint := fs.String("tls-fingerprint", "", "trust exactly the server certificate with this SHA-256 fingerprint (hex, colons allowed)")
	interval := fs.Duration("interval", account.DefaultInterval, "check interval")
	oflags := addOAuthFlags(fs)
	sflags := addSMTPFlags(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if oflags.provider.set && oflags.provider.value == "" && len(pos) == 1 {
		oflags.provider.value = pos[0] // `--oauth google`: the provider stood apart
		pos = nil
	}
	if err := wantArgs("account add", pos); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	useOAuth := oflags.used(set)
	if useOAuth && *pwStdin {
		return usagef("account add: --oauth signs in through the browser; --password-stdin does not apply")
	}
	required := []string{"name", "host", "user"}
	if set["email"] {
		required = nil // discovered; a given flag still wins
		if !set["name"] {
			*name = *email
		}
	}
	for _, req := range required {
		if !set[req] {
			return usagef("account add: --%s is required (or give --email)", req)
		}
	}
	if *keepForever && set["leave-days"] {
		return usagef("account add: --leave-days and --keep-forever exclude each other")
	}
	sec, err := account.ParseSecurity(*security)
	if err != nil {
		return usagef("account add: %v", err)
	}
	a := account.New(*name, *host, *user)
	a.Security = sec
	a.Port = *port
	if !set["port"] {
		a.Port = account.DefaultPort(sec)
	}
	var found *autoconfig.Settings
	if set["email"] {
		if found, err = discover(ctx, *email); err != nil {
			return err
		}
		applyDiscovered(a, found, set)
		a.Address = *email
		fmt.Fprintf(env.Stdout, "Found %s:%d (%s) by %s (%s).\n", a.Host, a.Port, a.Security, found.Source, found.From)
	}
	if useOAuth {
		if err := oflags.apply(a, found); err != nil {
			return err
		}
	}
	if err := sflags.apply(a, found, set); err != nil {
		return err
	}
	a.LeaveDays, a.KeepForever, a.Interval = *leaveDays, *keepForever, *interval
	if *caFile != "" {
		pemData, err := os.ReadFile(*caFile)
		if err != nil {
			return fmt.Errorf("--ca-file: %v", err)
		}
		a.CACertPEM = pemData
	}
	if a.AuthMethod, err = account.ParseAuthMethod(*authMech); err != nil {
		return usagef("account add: %v", err)
	}
	if set["tls-fingerprint"] {
		if a.PinnedCertSHA256, err = account.ParseFingerprint(*fingerprint); err != nil {
			return usagef("account add: %v", err)
		}
		if sec == mailstore.SecurityNone {
			return usagef("account add: --tls-fingerprint needs --security tls or starttls")
		}
	}
	if err := account.Validate(a); err != nil {
		return usagef("account add: %v", err)
	}
	var password string
	if *pwStdin {
		if password, err = readSecretContext(ctx, env.Stdin); err != nil {
			return err
		}
	}
	if useOAuth {
		return withEngine(ctx, env, g, func(e *engine.Engine) error {
			if err := e.AddOAuthAccount(ctx, a, browserOpener(ctx, env)); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "Added account %s (%s@%s:%d, %s, %s, OAuth2 %s); the sign-in is in the keyring.\n",
				a.Name, a.Username, a.Host, a.Port, a.Security, retention(a), a.OAuthProvider)
			return nil
		})
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		if set["email"] {
			if err := testLogin(ctx, e, a, password); err != nil {
				return err
			}
		}
		if err := e.AddAccount(ctx, a, password); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "Added account %s (%s@%s:%d, %s, %s).\n", a.Name, a.Username, a.Host, a.Port, a.Security, retention(a))
		if password == "" {
			fmt.Fprintf(env.Stdout, "No password stored; set one with: pouch account password %s --password-stdin\n", a.Name)
		}
		return nil
	})
}

func retention(a *mailstore.Account) string {
	switch {
	case a.KeepForever:
		return "keep on server forever"
	case a.LeaveDays == 0:
		return "delete from server after download"
	}
	return fmt.Sprintf("leave on server %d days", a.LeaveDays)
}

// accountJSON is the shape of `account list --json`.
type accountJSON struct {
	Name        string    `json:"name"`
	Host        string    `json:"host"`
	Port        int       `json:"port"`
	Security    string    `json:"security"`
	User        string    `json:"user"`
	LeaveDays   *int      `json:"leave_days"` // null when kept forever
	KeepForever bool      `json:"keep_forever"`
	Interval    string    `json:"interval"`
	CAFile      bool      `json:"custom_ca"`
	Auth        string    `json:"auth"`            // "" = strongest offered
	Fingerprint string    `json:"tls_fingerprint"` // "" = none pinned
	Created     time.Time `json:"created"`
	// OAuth2 sign-in settings (never a token); provider "" = a password.
	OAuthProvider string   `json:"oauth_provider"`
	OAuthClientID string   `json:"oauth_client_id"` // "" = the build's
	OAuthAuthURL  string   `json:"oauth_auth_url"`
	OAuthTokenURL string   `json:"oauth_token_url"`
	OAuthScopes   []string `json:"oauth_scopes"` // empty = the provider's
	// Sending: smtp_host "" = the account sends no mail.
	SMTPHost     string `json:"smtp_host"`
	SMTPPort     int    `json:"smtp_port"`
	SMTPSecurity string `json:"smtp_security"`
	SMTPUser     string `json:"smtp_user"` // "" = the POP3 user
	SMTPAuth     string `json:"smtp_auth"` // "" = strongest offered
	From         string `json:"from"`      // "Name <address>"; "" = none
	Signature    string `json:"signature"`
}

func accountList(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("account list", g)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("account list", pos); err != nil {
		return err
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		accts, err := e.Accounts(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]accountJSON, 0, len(accts))
			for _, a := range accts {
				j := accountJSON{Name: a.Name, Host: a.Host, Port: a.Port, Security: string(a.Security),
					User: a.Username, KeepForever: a.KeepForever, Interval: a.Interval.String(),
					CAFile: len(a.CACertPEM) > 0, Auth: a.AuthMethod, Fingerprint: a.PinnedCertSHA256, Created: a.Created.UTC(),
					OAuthProvider: a.OAuthProvider, OAuthClientID: a.OAuthClientID, OAuthAuthURL: a.OAuthAuthURL,
					OAuthTokenURL: a.OAuthTokenURL, OAuthScopes: strings.Fields(a.OAuthScopes)}
				j.SMTPHost, j.SMTPPort, j.SMTPSecurity, j.SMTPUser, j.SMTPAuth, j.Signature =
					a.SMTPHost, a.SMTPPort, string(a.SMTPSecurity), a.SMTPUser, a.SMTPAuth, a.Signature
				j.From = identity(&a)
				if !a.KeepForever {
					d := a.LeaveDays
					j.LeaveDays = &d
				}
				out = append(out, j)
			}
			return writeJSON(env.Stdout, out)
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tSERVER\tSECURITY\tUSER\tRETENTION\tINTERVAL")
		for _, a := range accts {
			fmt.Fprintf(tw, "%s\t%s:%d\t%s\t%s\t%s\t%s\n", a.Name, a.Host, a.Port, a.Security, a.Username, retention(&a), a.Interval)
		}
		return tw.Flush()
	})
}

func accountPassword(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("account password", g)
	fs.Bool("password-stdin", true, "read the password from standard input (the only way)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("account password", pos, "NAME"); err != nil {
		return err
	}
	password, err := readSecretContext(ctx, env.Stdin)
	if err != nil {
		return err
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		if err := e.SetPassword(ctx, pos[0], password); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "Password stored in the keyring for account %s.\n", pos[0])
		return nil
	})
}

func accountRemove(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("account remove", g)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("account remove", pos, "NAME"); err != nil {
		return err
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		if err := e.RemoveAccount(ctx, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "Removed account %s; its downloaded messages stay in the archive.\n", pos[0])
		return nil
	})
}
