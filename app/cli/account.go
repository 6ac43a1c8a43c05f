package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pouchmail/pouch/app/account"
	"github.com/pouchmail/pouch/app/autoconfig"
	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
)

func init() {
	register(&command{name: "account add", run: accountAdd, usage: []string{
		"account add --name NAME --host HOST [--port N]",
		"  [--security tls|starttls|none] --user USER [--password-stdin]",
		"  [--leave-days N | --keep-forever] [--ca-file PEM] [--interval DURATION]",
		"  " + authUsage,
		"  [--tls-fingerprint SHA256] [--size-limit BYTES] [--delete-on-server]",
		"account add --email ADDR [--password-stdin] [--name NAME] [any flag above]",
		"account add --email ADDR --oauth [google|microsoft|custom]",
		"  [--oauth-client-id ID] [--oauth-auth-url URL --oauth-token-url URL] [--oauth-scope S]...",
		"  [any flag above but --password-stdin]",
	}, help: `
Adds a POP3 account. With --email, the server settings are found from the address (the
flags given still win) and the login is tested before anything is saved; with --oauth, the
sign-in happens in the browser. The password is read from standard input into the OS keyring.`})
	register(&command{name: "account edit", run: accountEdit, usage: []string{
		"account edit NAME [--name NEW] [--host HOST] [--port N] [--security MODE] [--user USER]",
		"  [--password-stdin] [--leave-days N | --keep-forever[=false]] [--interval DURATION]",
		"  [--size-limit BYTES] [--delete-on-server[=false]] [any other flag of account add]",
	}, help: `
Changes the settings given, with the same rules as account add; the others stay. --name
renames the account (its password moves along). Changing the host or user forgets what
Pouch knew of the old mailbox, so nothing there is deleted on the strength of it. An empty
--ca-file or --tls-fingerprint removes it.`})
	register(&command{name: "account list", run: accountList, usage: []string{"account list [--json]"},
		help: "Lists the accounts and their settings (never a password or token)."})
	register(&command{name: "account password", run: accountPassword, usage: []string{"account password NAME [--password-stdin]"},
		help: "Reads a new password for the account from standard input into the OS keyring."})
	register(&command{name: "account remove", run: accountRemove, usage: []string{"account remove NAME"},
		help: `
Removes the account and its password; its downloaded messages stay in the archive. Waits up
to 15 seconds for a running fetch of the account to end.`})
}

// accountFlags are the settings flags of account add and account edit.
type accountFlags struct {
	name, email, host, security, user    *string
	caFile, authMech, fingerprint        *string
	port, leaveDays                      *int
	pwStdin, keepForever, deleteOnServer *bool
	interval                             *time.Duration
	sizeLimit                            sizeFlag
	oauth                                *oauthFlags
	smtp                                 *smtpFlags
}

func defineAccountFlags(fs *flag.FlagSet, edit bool) *accountFlags {
	f := &accountFlags{}
	if edit {
		f.name = fs.String("name", "", "a new name for the account")
		f.email = fs.String("email", "", "the account's email address")
	} else {
		f.name = fs.String("name", "", "account name (default: the email address)")
		f.email = fs.String("email", "", "email address: find the server settings from it, test the login, then save")
	}
	// account edit changes only what is given: its flags show no defaults.
	// A new account keeps its mail on the server unless --leave-days says otherwise (account.
	// DefaultKeepForever): --leave-days shows no default.
	security, interval, port := "tls", account.DefaultInterval, "server port (default 995 for tls, 110 otherwise)"
	leaveDays := "days to leave messages on the server (0: delete after download; default: keep them forever)"
	if edit {
		security, interval, port = "", 0, "server port (changing --security alone moves a default port along)"
		leaveDays = "days to leave messages on the server (0: delete after download)"
	}
	f.host = fs.String("host", "", "server host name")
	f.port = fs.Int("port", 0, port)
	f.security = fs.String("security", security, "tls, starttls or none")
	f.user = fs.String("user", "", "user name")
	f.pwStdin = fs.Bool("password-stdin", false, "read the password from standard input")
	f.leaveDays = fs.Int("leave-days", 0, leaveDays)
	f.keepForever = fs.Bool("keep-forever", false, "never delete messages from the server")
	f.caFile = fs.String("ca-file", "", "extra trusted certificate (PEM)")
	f.authMech = fs.String("auth", "", "authentication mechanism: auto (strongest offered), "+strings.Join(pop3.Mechanisms, ", "))
	f.fingerprint = fs.String("tls-fingerprint", "", "trust exactly the server certificate with this SHA-256 fingerprint (hex, colons allowed)")
	f.interval = fs.Duration("interval", interval, "check interval")
	fs.Var(&f.sizeLimit, "size-limit", "fetch messages larger than this as headers only: bytes, or with K, M or G (1024-based), 0 = no limit")
	f.deleteOnServer = fs.Bool("delete-on-server", false, "deleting a message here (emptying the Trash) deletes it on the server too")
	f.oauth = addOAuthFlags(fs)
	f.smtp = addSMTPFlags(fs)
	return f
}

// sizeFlag is a size in bytes, written "10485760", "10M" or "512K".
type sizeFlag struct{ n int64 }

func (s *sizeFlag) String() string { return strconv.FormatInt(s.n, 10) }
func (s *sizeFlag) Set(v string) error {
	n, err := account.ParseSize(v)
	if err != nil {
		return err
	}
	s.n = n
	return nil
}

// readCA reads --ca-file; "" means none.
func readCA(path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	pemData, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--ca-file: %v", err)
	}
	return pemData, nil
}

func accountAdd(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("account add", g)
	af := defineAccountFlags(fs, false)
	name, email, host, port, security, user := af.name, af.email, af.host, af.port, af.security, af.user
	pwStdin, leaveDays, keepForever, caFile, authMech := af.pwStdin, af.leaveDays, af.keepForever, af.caFile, af.authMech
	fingerprint, interval, oflags := af.fingerprint, af.interval, af.oauth
	sflags := af.smtp
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
	switch {
	case set["leave-days"]:
		a.LeaveDays, a.KeepForever = *leaveDays, false
	case set["keep-forever"]:
		a.KeepForever = *keepForever
	}
	a.Interval = *interval
	a.SizeLimit, a.DeleteOnServer = af.sizeLimit.n, *af.deleteOnServer
	if a.CACertPEM, err = readCA(*caFile); err != nil {
		return err
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
	Address     string    `json:"address"`          // "" = not given
	SizeLimit   int64     `json:"size_limit"`       // bytes; 0 = no limit
	DeleteHere  bool      `json:"delete_on_server"` // deleting here deletes on the server

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
	// Local: no server (imported mail); nothing is ever fetched for it.
	Local bool `json:"local"`
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
					Address: a.Address, SizeLimit: a.SizeLimit, DeleteHere: a.DeleteOnServer,
					OAuthProvider: a.OAuthProvider, OAuthClientID: a.OAuthClientID, OAuthAuthURL: a.OAuthAuthURL,
					OAuthTokenURL: a.OAuthTokenURL, OAuthScopes: strings.Fields(a.OAuthScopes)}
				j.SMTPHost, j.SMTPPort, j.SMTPSecurity, j.SMTPUser, j.SMTPAuth, j.Signature =
					a.SMTPHost, a.SMTPPort, string(a.SMTPSecurity), a.SMTPUser, a.SMTPAuth, a.Signature
				j.From = identity(&a)
				j.Local = a.Local
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
			if a.Local {
				fmt.Fprintf(tw, "%s\t(local: no server)\t-\t-\t-\t-\n", a.Name)
				continue
			}
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
