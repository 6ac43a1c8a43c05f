package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/pouchmail/pouch/app/autoconfig"
	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
)

func init() {
	register(&command{name: "account discover", run: accountDiscover, usage: []string{"account discover EMAIL [--json]"}, help: `
Shows what account add --email would set up for the address, and which step found it: the
provider table, the provider's autoconfig file, Thunderbird's ISPDB, SRV records or a guess.`})
}

// accountDiscover is `account discover EMAIL [--json]`: what `account add --email` would set up,
// and which step found it.
func accountDiscover(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("account discover", g)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("account discover", pos, "EMAIL"); err != nil {
		return err
	}
	s, err := discover(ctx, pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.Stdout, s)
	}
	printSettings(env.Stdout, s)
	return nil
}

// discover runs autoconfig for email; an address that is not one is a usage error.
func discover(ctx context.Context, email string) (*autoconfig.Settings, error) {
	s, err := autoconfig.Discover(ctx, email, autoconfig.OptionsFromEnv())
	var np *autoconfig.NoPOP3Error
	switch {
	case err == nil:
		return s, nil
	case errors.Is(err, autoconfig.ErrNotFound):
		return nil, fmt.Errorf("%v; give the server with --host, --port, --security and --user", err)
	case errors.As(err, &np), errors.Is(err, context.Canceled):
		return nil, err
	}
	return nil, usagef("account: %v", err)
}

func printSettings(w io.Writer, s *autoconfig.Settings) {
	fmt.Fprintf(w, "found by: %s (%s)\n", s.Source, s.From)
	fmt.Fprintf(w, "POP3: %s:%d %s, user %s\n", s.POP3.Host, s.POP3.Port, s.POP3.Security, s.POP3.User)
	if s.SMTP != nil {
		fmt.Fprintf(w, "SMTP: %s:%d %s, user %s\n", s.SMTP.Host, s.SMTP.Port, s.SMTP.Security, s.SMTP.User)
	}
	if s.OAuth != "" {
		fmt.Fprintf(w, "sign-in: OAuth2 (%s)\n", s.OAuth)
	}
}

// applyDiscovered fills the settings of a that the user did not give (set names the flags
// given) from what discovery found for email.
func applyDiscovered(a *mailstore.Account, s *autoconfig.Settings, set map[string]bool) {
	if !set["host"] {
		a.Host = s.POP3.Host
	}
	if !set["security"] {
		a.Security = mailstore.Security(s.POP3.Security)
	}
	if !set["port"] {
		a.Port = s.POP3.Port
	}
	if !set["user"] {
		a.Username = s.POP3.User
	}
}

// testLogin logs in once with the new settings before anything is saved.
func testLogin(ctx context.Context, e *engine.Engine, a *mailstore.Account, password string) error {
	if password == "" {
		return errors.New("account add --email needs the password (--password-stdin) to test the login before saving")
	}
	if _, err := e.TestConnection(ctx, a, password); err != nil {
		return fmt.Errorf("logging in to %s:%d failed, nothing was saved: %w", a.Host, a.Port, err)
	}
	return nil
}
