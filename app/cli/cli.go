// Package cli implements Pouch's command line. Its contract (sub-commands, flags, JSON fields,
// exit codes) is tested from outside and kept stable.
package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
)

// DBFileName is the archive's file name inside the data directory.
const DBFileName = "pouch.db"

// Env is everything the command line touches, so tests can run it in-process.
type Env struct {
	Args           []string
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Secrets overrides the OS keyring (tests); nil = the OS keyring.
	Secrets secrets.Store
	// OpenWindow runs the desktop window until it is closed; nil = the CLI only.
	OpenWindow func(ctx context.Context, e *engine.Engine) error
}

type globals struct {
	dataDir string
}

var usage = `Pouch - a POP3 mail client that keeps your mail.

Usage:
  pouch [--data-dir DIR]                      open the window
  pouch [--data-dir DIR] account add --name NAME --host HOST [--port N]
        [--security tls|starttls|none] --user USER [--password-stdin]
        [--leave-days N | --keep-forever] [--ca-file PEM] [--interval DURATION]
        ` + authUsage + `
        [--tls-fingerprint SHA256]
        [--smtp-host H] [--smtp-port N] [--smtp-security tls|starttls]
        [--smtp-user U] [--smtp-auth MECH] [--from "Name <addr>"] [--signature TEXT]
  pouch [--data-dir DIR] account add --email ADDR [--password-stdin] [--name NAME] [any flag above]
                                              finds the settings, tests the login, saves
  pouch [--data-dir DIR] account add --email ADDR --oauth [google|microsoft|custom]
        [--oauth-client-id ID] [--oauth-auth-url URL --oauth-token-url URL] [--oauth-scope S]...
        [any flag above but --password-stdin]
                                              signs in with OAuth2 in the browser, tests, saves
  pouch [--data-dir DIR] account login NAME   signs an OAuth2 account in again
  pouch [--data-dir DIR] account discover EMAIL [--json]
  pouch [--data-dir DIR] account list [--json]
  pouch [--data-dir DIR] account password NAME [--password-stdin]
  pouch [--data-dir DIR] account remove NAME
  pouch [--data-dir DIR] fetch [--account NAME] [--json]
  pouch [--data-dir DIR] fetch --full ID [--json]
  pouch [--data-dir DIR] retention [--account NAME] [--json]
  pouch [--data-dir DIR] list [--account NAME] [--folder inbox|sent|outbox|drafts|trash] [--json]
  pouch [--data-dir DIR] show ID [--raw]
  pouch [--data-dir DIR] search QUERY [--json] [--limit N]
  pouch [--data-dir DIR] delete ID...          (moves to the Trash)
  pouch [--data-dir DIR] trash list [--json] | trash restore ID... | trash empty
  pouch [--data-dir DIR] export --format mbox|eml|maildir --out PATH [--account NAME] [--query Q]
  pouch [--data-dir DIR] import --format mbox|maildir|eml PATH --account NAME [--json]
  pouch [--data-dir DIR] check [--repair] [--json]
  pouch [--data-dir DIR] send --account NAME --to ADDR [--to ADDR]... [--cc ADDR]... [--bcc ADDR]...
        --subject S [--body-file F] [--attach FILE]... [--json]   (the text from stdin without --body-file)
  pouch [--data-dir DIR] reply ID [--all] [--body-file F] [--attach FILE]... [--json]
  pouch [--data-dir DIR] forward ID --to ADDR [--body-file F] [--json]
  pouch [--data-dir DIR] outbox [list [--account NAME] | retry ID | discard ID | sent ID] [--json]

The data directory defaults to $POUCH_DATA_DIR, else the user config directory + "pouch".
Passwords and OAuth2 sign-ins live in the OS keyring, never in the data directory.
`

// authUsage is the --auth line of the usage, also in README.md (TestREADMEAuthUsage).
var authUsage = "[--auth auto|" + strings.Join(pop3.Mechanisms, "|") + "]"

// Main runs the command line and returns the process exit status: 0 success, 1 failure,
// 2 a usage error. Failures print one line on standard error.
func Main(ctx context.Context, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	stopProfiles, err := startProfiles(env.Getenv)
	defer stopProfiles()
	if err == nil {
		err = run(ctx, &env)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(env.Stdout, usage)
		return 0
	}
	fmt.Fprintf(env.Stderr, "pouch: %s\n", oneLine(err.Error()))
	var uerr *UsageError
	if errors.As(err, &uerr) {
		fmt.Fprintln(env.Stderr, "Run 'pouch help' for usage.")
		return 2
	}
	return 1
}

func run(ctx context.Context, env *Env) error {
	g := &globals{}
	fs := newFlagSet("pouch", g)
	if err := fs.Parse(env.Args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usagef("%v", err)
	}
	args := fs.Args()
	if len(args) == 0 {
		if env.OpenWindow == nil {
			return usagef("no sub-command given")
		}
		return withEngine(ctx, env, g, func(e *engine.Engine) error { return env.OpenWindow(ctx, e) })
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "help", "-h", "--help":
		return flag.ErrHelp
	case "account":
		return runAccount(ctx, env, g, rest)
	case "fetch":
		return runFetch(ctx, env, g, rest)
	case "list":
		return runList(ctx, env, g, rest)
	case "show":
		return runShow(ctx, env, g, rest)
	case "search":
		return runSearch(ctx, env, g, rest)
	case "delete":
		return runDelete(ctx, env, g, rest)
	case "trash":
		return runTrash(ctx, env, g, rest)
	case "export":
		return runExport(ctx, env, g, rest)
	case "import":
		return runImport(ctx, env, g, rest)
	case "check":
		return runCheck(ctx, env, g, rest)
	case "retention":
		return runRetention(ctx, env, g, rest)
	case "send":
		return runSend(ctx, env, g, rest)
	case "reply":
		return runReply(ctx, env, g, rest)
	case "forward":
		return runForward(ctx, env, g, rest)
	case "outbox":
		return runOutbox(ctx, env, g, rest)
	}
	return usagef("unknown command %q", cmd)
}

// dataDir resolves --data-dir, then $POUCH_DATA_DIR, then the OS config directory.
func (g *globals) resolveDataDir(getenv func(string) string) (string, error) {
	if g.dataDir != "" {
		return g.dataDir, nil
	}
	if d := getenv("POUCH_DATA_DIR"); d != "" {
		return d, nil
	}
	cfg, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no data directory: %v (set --data-dir or POUCH_DATA_DIR)", err)
	}
	return filepath.Join(cfg, "pouch"), nil
}

func withEngine(ctx context.Context, env *Env, g *globals, fn func(*engine.Engine) error) error {
	dir, err := g.resolveDataDir(env.Getenv)
	if err != nil {
		return err
	}
	store, err := mailstore.Open(ctx, filepath.Join(dir, DBFileName))
	if err != nil {
		return err
	}
	defer store.Close()
	sec := env.Secrets
	var tokens secrets.Store = secrets.NewMemory()
	if sec == nil {
		service := env.Getenv("POUCH_KEYRING_SERVICE")
		if service == "" {
			service = "pouch"
		}
		sec = secrets.NewKeyring(service)
		// OAuth2 refresh tokens under a service of their own: the account name is the key in
		// both, and a password entry and a sign-in must never overwrite each other.
		tokens = secrets.NewKeyring(service + "-oauth2")
	}
	opts := engine.Options{DataDir: dir, Checkpoint: killPoint(env.Getenv("POUCH_TEST_KILLPOINT")), OAuthTokens: tokens}
	if v := env.Getenv("POUCH_NOW"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return fmt.Errorf("POUCH_NOW: %v (want RFC 3339, e.g. 2026-01-02T15:04:05Z)", err)
		}
		opts.Now = func() time.Time { return t }
	}
	return fn(engine.New(store, sec, opts))
}

// readSecret reads one line from r, without its line end.
func readSecret(r io.Reader) (string, error) {
	if r == nil {
		return "", errors.New("--password-stdin: no standard input")
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", fmt.Errorf("--password-stdin: reading standard input: %v", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("--password-stdin: the password is empty")
	}
	return line, nil
}

// readSecretContext is readSecret that gives up when ctx ends. A read from a terminal or a pipe
// cannot be interrupted, so it runs on its own goroutine, which ends with the process.
func readSecretContext(ctx context.Context, r io.Reader) (string, error) {
	type result struct {
		s   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		s, err := readSecret(r)
		ch <- result{s, err}
	}()
	select {
	case res := <-ch:
		return res.s, res.err
	case <-ctx.Done():
		return "", fmt.Errorf("--password-stdin: %w", ctx.Err())
	}
}

// oneLine folds an error message onto one line, as the CLI contract promises.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
