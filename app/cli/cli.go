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
	"runtime/debug"
	"strings"
	"time"

	"github.com/pouchmail/pouch/app/compose"
	"github.com/pouchmail/pouch/app/datadir"
	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
)

// DBFileName is the archive's file name inside the data directory.
const DBFileName = datadir.DBFile

// Env is everything the command line touches, so tests can run it in-process.
type Env struct {
	Args           []string
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Secrets overrides the OS keyring (tests); nil = the OS keyring.
	Secrets secrets.Store
	// OpenWindow runs the desktop window until it is closed; nil = the CLI only. draft is a
	// message to open in the compose window at once (a mailto: link), nil = none.
	OpenWindow func(ctx context.Context, e *engine.Engine, draft *compose.Message) error
}

type globals struct {
	dataDir string
	// window: the archive is opened for the window (windowStore), not a command.
	window bool
}

// authUsage is the --auth line of the usage, also in README.md (TestREADMEAuthUsage).
var authUsage = "[--auth auto|" + strings.Join(pop3.Mechanisms, "|") + "]"

// Main runs the command line and returns the process exit status (exitcode.go): 0 success,
// 64 a usage mistake, 75/77/78 temporary, authentication and configuration failures, 1 any
// other. Failures print one line on standard error; help and the version go to standard
// output.
func Main(ctx context.Context, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	stopProfiles, err := startProfiles(env.Getenv)
	defer stopProfiles()
	if err == nil {
		err = run(ctx, &env)
	}
	var help *helpRequest
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &help):
		printHelp(env.Stdout, help)
		return ExitOK
	}
	fmt.Fprintf(env.Stderr, "pouch: %s\n", oneLine(err.Error()))
	code := exitStatus(err)
	if code == ExitUsage {
		fmt.Fprintln(env.Stderr, "Run 'pouch help' for usage.")
	}
	return code
}

func run(ctx context.Context, env *Env) error {
	g := &globals{}
	fs := newFlagSet("pouch", g)
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(env.Args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return &helpRequest{}
		}
		return usagef("%v", err)
	}
	if *showVersion {
		fmt.Fprintf(env.Stdout, "pouch %s\n", Version())
		return nil
	}
	args := fs.Args()
	if len(args) == 0 {
		if env.OpenWindow == nil {
			return usagef("no sub-command given")
		}
		g.window = true
		return withEngine(ctx, env, g, func(e *engine.Engine) error { return openWindow(ctx, env, e, nil) })
	}
	if compose.IsMailto(args[0]) {
		return openMailto(ctx, env, g, args)
	}
	if args[0] == "help" {
		return runHelp(ctx, env, g, args[1:])
	}
	c, rest, group := lookup(args)
	switch {
	case c != nil:
		return c.run(ctx, env, g, rest)
	case group != "" && len(rest) > 0 && (rest[0] == "-h" || rest[0] == "--help" || rest[0] == "-help"):
		return &helpRequest{group: group}
	case group != "" && len(rest) == 0:
		return usagef("%s: expected %s", group, subNames(group))
	case group != "":
		return usagef("%s: unknown sub-command %q (want %s)", group, rest[0], subNames(group))
	}
	return usagef("unknown command %q", args[0])
}

// openMailto is `pouch mailto:URL`, as the desktop runs it for a mailto: link: the window,
// with the compose window filled in from the URL.
func openMailto(ctx context.Context, env *Env, g *globals, args []string) error {
	if len(args) > 1 {
		return usagef("mailto: one URL, then nothing (got %q after it)", args[1])
	}
	if env.OpenWindow == nil {
		return usagef("mailto: this build has no window")
	}
	draft, err := compose.ParseMailto(args[0])
	if err != nil {
		return usagef("%v", err)
	}
	g.window = true
	return withEngine(ctx, env, g, func(e *engine.Engine) error { return openWindow(ctx, env, e, draft) })
}

// windowCacheKiB is each pooled connection's SQLite page cache in the window process: 256 KiB
// rather than SQLite's 2,000. The window reads rows a page at a time and the pages a connection
// misses are still in the OS's file cache; at 100,000 messages the default caches held some 16
// MiB of the window's resident memory (bench/RESULTS.md, "The window's memory").
const windowCacheKiB = 256

// windowGOGC is the window process's GOGC: the heap may grow to 1.5 times what is live rather
// than twice. Most of the window's live heap is the parsed fonts (some 18 MiB of about 22), so
// the default let the process keep another 20 MiB it does not need; the cost is a collection of
// a few milliseconds twice as often (bench/RESULTS.md, "The window's memory"). A GOGC in the
// environment wins.
const windowGOGC = 50

// openWindow runs the window; when another Pouch window has the archive open, that one came
// forward (with the draft) and this launch ends without an error.
func openWindow(ctx context.Context, env *Env, e *engine.Engine, draft *compose.Message) error {
	if env.Getenv("GOGC") == "" {
		debug.SetGCPercent(windowGOGC)
	}
	err := env.OpenWindow(ctx, e, draft)
	var open *engine.WindowOpenError
	if errors.As(err, &open) {
		fmt.Fprintln(env.Stderr, open.Error()+".")
		return nil
	}
	return err
}

// dataDir resolves --data-dir, then $POUCH_DATA_DIR, then the OS's data directory, moving an
// archive from the old location there first (datadir.Resolve); a notice about that goes to
// standard error.
func (g *globals) resolveDataDir(ctx context.Context, env *Env) (string, error) {
	loc, err := datadir.Resolve(ctx, g.dataDir, env.Getenv)
	if err != nil {
		return "", err
	}
	if loc.Notice != "" {
		fmt.Fprintf(env.Stderr, "pouch: %s\n", loc.Notice)
	}
	return loc.Dir, nil
}

func withEngine(ctx context.Context, env *Env, g *globals, fn func(*engine.Engine) error) error {
	dir, err := g.resolveDataDir(ctx, env)
	if err != nil {
		return err
	}
	var storeOpts []mailstore.Option
	if g.window {
		storeOpts = append(storeOpts, mailstore.CacheKiB(windowCacheKiB))
	}
	store, err := mailstore.Open(ctx, filepath.Join(dir, DBFileName), storeOpts...)
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
