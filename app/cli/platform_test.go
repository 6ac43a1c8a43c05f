package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/pouchmail/pouch/app/datadir"
	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
)

// tcli runs the command line in-process with a memory keyring and a private home.
type tcli struct {
	t    *testing.T
	env  map[string]string
	sec  secrets.Store
	data string // --data-dir given to every command; "" = none
}

func newTCLI(t *testing.T) *tcli {
	home := t.TempDir()
	return &tcli{t: t, sec: secrets.NewMemory(), data: filepath.Join(t.TempDir(), "data"),
		env: map[string]string{"HOME": home, "LOCALAPPDATA": filepath.Join(home, "Local"), "APPDATA": filepath.Join(home, "Roaming")}}
}

type tresult struct {
	stdout, stderr string
	code           int
}

func (c *tcli) run(stdin string, args ...string) tresult {
	c.t.Helper()
	if c.data != "" {
		args = append([]string{"--data-dir", c.data}, args...)
	}
	var out, errb bytes.Buffer
	code := Main(context.Background(), Env{Args: args, Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return c.env[k] }, Secrets: c.sec})
	return tresult{out.String(), errb.String(), code}
}

func (c *tcli) ok(stdin string, args ...string) string {
	c.t.Helper()
	r := c.run(stdin, args...)
	if r.code != 0 {
		c.t.Fatalf("pouch %s: exit %d, stderr %q", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

// TestHelp: pouch --help, pouch help COMMAND and pouch COMMAND --help print to standard output
// and exit 0; a command's help lists every flag with its description.
func TestHelp(t *testing.T) {
	c := newTCLI(t)
	c.data = ""
	var overview string
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"--data-dir", "/x", "--help"}} {
		r := c.run("", args...)
		if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "Commands:") || !strings.Contains(r.stdout, "Exit status") {
			t.Fatalf("pouch %v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
		overview = r.stdout
	}
	if len(commands) < 20 {
		t.Fatalf("only %d commands registered", len(commands))
	}
	for name, cmd := range commands {
		if !strings.Contains(overview, "pouch [--data-dir DIR] "+name) {
			t.Errorf("the overview lacks %q", name)
		}
		words := strings.Fields(name)
		viaHelp := c.run("", append([]string{"help"}, words...)...)
		viaFlag := c.run("", append(words, "--help")...)
		viaH := c.run("", append(words, "-h")...)
		if viaHelp.code != 0 || viaFlag.code != 0 || viaH.code != 0 || viaHelp.stderr+viaFlag.stderr != "" {
			t.Errorf("%s: help exits %d/%d/%d, stderr %q", name, viaHelp.code, viaFlag.code, viaH.code, viaHelp.stderr+viaFlag.stderr)
			continue
		}
		if viaHelp.stdout != viaFlag.stdout || viaFlag.stdout != viaH.stdout {
			t.Errorf("%s: help COMMAND and COMMAND --help differ:\n%s\n---\n%s", name, viaHelp.stdout, viaFlag.stdout)
		}
		// Every flag of the command, with its description.
		err := cmd.run(context.Background(), &Env{Getenv: func(string) string { return "" }}, &globals{}, []string{"--help"})
		var h *helpRequest
		if !errors.As(err, &h) || h.fs == nil {
			t.Errorf("%s --help = %v, want a help request before any work", name, err)
			continue
		}
		h.fs.VisitAll(func(f *flag.Flag) {
			if !strings.Contains(viaHelp.stdout, "  --"+f.Name) || !strings.Contains(viaHelp.stdout, f.Usage) {
				t.Errorf("%s: help lacks --%s (%s)", name, f.Name, f.Usage)
			}
		})
		if !strings.Contains(viaHelp.stdout, "pouch [--data-dir DIR] "+name) {
			t.Errorf("%s: help lacks the synopsis:\n%s", name, viaHelp.stdout)
		}
	}
	// Groups, and mistakes.
	for _, args := range [][]string{{"help", "account"}, {"account", "--help"}, {"help", "trash"}} {
		if r := c.run("", args...); r.code != 0 || !strings.Contains(r.stdout, "pouch [--data-dir DIR] "+args[len(args)-1]+" ") && !strings.Contains(r.stdout, "account add") {
			t.Errorf("pouch %v: exit %d, %q", args, r.code, r.stdout)
		}
	}
	for _, args := range [][]string{{"help", "frobnicate"}, {"frobnicate"}, {"account"}, {"account", "frob"}, {"--bogus"}, {"list", "--bogus"}} {
		r := c.run("", args...)
		if r.code != ExitUsage || r.stdout != "" || !strings.Contains(r.stderr, "Run 'pouch help' for usage.") {
			t.Errorf("pouch %v: exit %d, stdout %q, stderr %q; want 2 and a hint", args, r.code, r.stdout, r.stderr)
		}
	}
}

// TestREADMEListsEveryCommand keeps README's command-line section in step with the commands.
func TestREADMEListsEveryCommand(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for name := range commands {
		if !strings.Contains(string(b), "pouch [--data-dir DIR] "+name) {
			t.Errorf("README.md does not list %q", name)
		}
	}
}

func TestVersion(t *testing.T) {
	c := newTCLI(t)
	r := c.run("", "--version")
	if r.code != 0 || !regexp.MustCompile(`^pouch \S+`).MatchString(r.stdout) || r.stderr != "" {
		t.Errorf("--version: exit %d, %q, %q", r.code, r.stdout, r.stderr)
	}
	version = "1.2.3"
	defer func() { version = "" }()
	if r := c.run("", "--version"); r.stdout != "pouch 1.2.3\n" {
		t.Errorf("--version with the build's version: %q", r.stdout)
	}
	bi := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}}
	if got := versionFrom(bi); got != "devel (0123456789ab-dirty)" {
		t.Errorf("versionFrom(devel build) = %q", got)
	}
	bi = &debug.BuildInfo{Main: debug.Module{Version: "v0.2.0"}}
	if got := versionFrom(bi); got != "v0.2.0" {
		t.Errorf("versionFrom(module) = %q", got)
	}
}

func TestExitStatus(t *testing.T) {
	fe := func(err error) error { return &engine.FetchError{Account: "a", Err: err} }
	auth := fe(&pop3.Error{Command: "PASS", Code: "AUTH"})
	temp := fe(&pop3.Error{Command: "PASS", Code: "SYS/TEMP"})
	inUse := fe(&pop3.Error{Command: "PASS", Code: "IN-USE"})
	network := fe(&net.OpError{Op: "dial", Err: errors.New("refused")})
	config := fe(&engine.NoPasswordError{Account: "a"})
	other := fe(errors.New("disk full"))
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"usage", usagef("bad"), 2},
		{"temporary", temp, 75},
		{"in use", inUse, 75},
		{"network", network, 75},
		{"locked", &engine.LockedError{Account: "a"}, 75},
		{"archive in use", fmt.Errorf("restore: %w", mailstore.ErrInUse), 75},
		{"auth", auth, 77},
		{"sign-in", fe(&engine.SignInRequiredError{Account: "a"}), 77},
		{"config", config, 78},
		{"no accounts", &configError{"none"}, 78},
		{"tls", fe(&pop3.TLSError{Kind: pop3.TLSUnknownAuthority}), 1},
		{"other", other, 1},
		{"not found", &engine.NotFoundError{What: "account", Key: "x"}, 1},
		{"all temporary", &fetchFailed{errs: []error{temp, network}}, 75},
		{"auth beats temporary", &fetchFailed{errs: []error{temp, auth, network}}, 77},
		{"config beats auth", &fetchFailed{errs: []error{auth, config}}, 78},
		{"other beats temporary", &fetchFailed{errs: []error{temp, other}}, 1},
	} {
		if got := exitStatus(tc.err); got != tc.want {
			t.Errorf("exitStatus(%s) = %d, want %d", tc.name, got, tc.want)
		}
	}
	c := newTCLI(t)
	if r := c.run("", "fetch"); r.code != 78 || !strings.Contains(r.stderr, "no accounts configured") {
		t.Errorf("fetch without accounts: exit %d, %q", r.code, r.stderr)
	}
}

type listedAccount struct {
	Name        string `json:"name"`
	Host        string `json:"host"`
	Port        int    `json:"port"`
	Security    string `json:"security"`
	User        string `json:"user"`
	LeaveDays   *int   `json:"leave_days"`
	KeepForever bool   `json:"keep_forever"`
	Interval    string `json:"interval"`
	Auth        string `json:"auth"`
	Fingerprint string `json:"tls_fingerprint"`
	Address     string `json:"address"`
	SizeLimit   int64  `json:"size_limit"`
	DeleteHere  bool   `json:"delete_on_server"`
}

func (c *tcli) accounts() map[string]listedAccount {
	c.t.Helper()
	var list []listedAccount
	if err := json.Unmarshal([]byte(c.ok("", "account", "list", "--json")), &list); err != nil {
		c.t.Fatal(err)
	}
	m := map[string]listedAccount{}
	for _, a := range list {
		m[a.Name] = a
	}
	return m
}

func TestAccountEdit(t *testing.T) {
	c := newTCLI(t)
	c.ok("pw\n", "account", "add", "--name", "home", "--host", "pop.example.org", "--user", "ann", "--password-stdin",
		"--size-limit", "2M", "--delete-on-server")
	if a := c.accounts()["home"]; a.SizeLimit != 2<<20 || !a.DeleteHere || a.Port != 995 {
		t.Fatalf("added: %+v", a)
	}
	steps := []struct {
		args  []string
		check func(a listedAccount) bool
	}{
		{[]string{"--size-limit", "10M", "--delete-on-server=false"}, func(a listedAccount) bool { return a.SizeLimit == 10<<20 && !a.DeleteHere }},
		{[]string{"--size-limit", "0"}, func(a listedAccount) bool { return a.SizeLimit == 0 }},
		{[]string{"--delete-on-server"}, func(a listedAccount) bool { return a.DeleteHere && a.SizeLimit == 0 }},
		{[]string{"--security", "starttls"}, func(a listedAccount) bool { return a.Security == "starttls" && a.Port == 110 }},
		{[]string{"--port", "1110"}, func(a listedAccount) bool { return a.Port == 1110 && a.Security == "starttls" }},
		{[]string{"--security", "tls"}, func(a listedAccount) bool { return a.Port == 1110 && a.Security == "tls" }},
		{[]string{"--keep-forever"}, func(a listedAccount) bool { return a.KeepForever && a.LeaveDays == nil }},
		{[]string{"--leave-days", "3"}, func(a listedAccount) bool { return !a.KeepForever && *a.LeaveDays == 3 }},
		{[]string{"--interval", "30m", "--auth", "cram-md5", "--email", "ann@example.org"}, func(a listedAccount) bool {
			return a.Interval == "30m0s" && a.Auth == "CRAM-MD5" && a.Address == "ann@example.org"
		}},
		{[]string{"--tls-fingerprint", strings.Repeat("AB:", 31) + "AB"}, func(a listedAccount) bool { return a.Fingerprint == strings.Repeat("ab", 32) }},
		{[]string{"--tls-fingerprint", ""}, func(a listedAccount) bool { return a.Fingerprint == "" }},
		{[]string{"--host", "pop2.example.org", "--user", "bob"}, func(a listedAccount) bool { return a.Host == "pop2.example.org" && a.User == "bob" }},
	}
	for _, s := range steps {
		c.ok("", append([]string{"account", "edit", "home"}, s.args...)...)
		if a := c.accounts()["home"]; !s.check(a) {
			t.Errorf("after edit %v: %+v", s.args, a)
		}
	}
	// Flags before the name work too, and a rename takes the password along.
	c.ok("", "account", "edit", "--name", "main", "home")
	if _, ok := c.accounts()["main"]; !ok {
		t.Fatalf("rename: %v", c.accounts())
	}
	if pw, err := c.sec.Get("main"); err != nil || pw != "pw" {
		t.Errorf("password after the rename: %q, %v", pw, err)
	}
	c.ok("new-pw\n", "account", "edit", "main", "--password-stdin")
	if pw, _ := c.sec.Get("main"); pw != "new-pw" {
		t.Errorf("password after edit --password-stdin: %q", pw)
	}
	// Mistakes: the same validation as account add, and nothing changes.
	before := c.accounts()["main"]
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"main", "--size-limit", "lots"}, 2, "size"},
		{[]string{"main", "--size-limit", "2G"}, 2, "size"},
		{[]string{"main", "--port", "70000"}, 2, "port"},
		{[]string{"main", "--interval", "1s"}, 2, "interval"},
		{[]string{"main", "--security", "ssl3"}, 2, "security"},
		{[]string{"main", "--leave-days", "3", "--keep-forever"}, 2, "exclude"},
		{[]string{"main", "--security", "none", "--tls-fingerprint", strings.Repeat("ab", 32)}, 2, "tls-fingerprint"},
		{[]string{"main"}, 2, "nothing to change"},
		{[]string{}, 2, "expected NAME"},
		{[]string{"nope", "--port", "1"}, 1, `no account "nope"`},
	} {
		r := c.run("", append([]string{"account", "edit"}, tc.args...)...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.msg) {
			t.Errorf("account edit %v: exit %d, %q; want %d mentioning %q", tc.args, r.code, r.stderr, tc.code, tc.msg)
		}
	}
	if after := c.accounts()["main"]; *after.LeaveDays != *before.LeaveDays || fmt.Sprint(after.Port, after.Host, after.Security, after.Interval, after.SizeLimit, after.Fingerprint) != fmt.Sprint(before.Port, before.Host, before.Security, before.Interval, before.SizeLimit, before.Fingerprint) {
		t.Errorf("refused edits changed the account: %+v, was %+v", after, before)
	}
}

func TestBackupAndRestore(t *testing.T) {
	c := newTCLI(t)
	c.ok("", "account", "add", "--name", "home", "--host", "pop.example.org", "--user", "ann")
	out := filepath.Join(t.TempDir(), "backup.db")
	if s := c.ok("", "backup", "--out", out); !strings.Contains(s, "checks clean") {
		t.Errorf("backup: %q", s)
	}
	if r := c.run("", "backup", "--out", out); r.code != 1 || !strings.Contains(r.stderr, "exists") {
		t.Errorf("backup onto an existing file: exit %d, %q", r.code, r.stderr)
	}
	if r := c.run("", "backup"); r.code != 2 {
		t.Errorf("backup without --out: exit %d", r.code)
	}

	other := newTCLI(t)
	var res backupJSON
	if err := json.Unmarshal([]byte(other.ok("", "restore", out, "--json")), &res); err != nil || res.Archive != filepath.Join(other.data, "pouch.db") || res.Aside != "" {
		t.Fatalf("restore into a new data dir: %+v, %v", res, err)
	}
	if _, ok := other.accounts()["home"]; !ok {
		t.Errorf("restored archive lacks the account: %v", other.accounts())
	}

	// Over a non-empty archive: refused without --force, kept aside with it.
	c.ok("", "account", "add", "--name", "later", "--host", "pop.example.org", "--user", "bob")
	r := c.run("", "restore", out)
	if r.code != 1 || !strings.Contains(r.stderr, "--force") {
		t.Errorf("restore over an archive: exit %d, %q", r.code, r.stderr)
	}
	if _, ok := c.accounts()["later"]; !ok {
		t.Fatal("a refused restore changed the archive")
	}
	s := c.ok("", "restore", out, "--force")
	if !strings.Contains(s, "kept as") || !strings.Contains(s, "before-restore") {
		t.Errorf("restore --force: %q", s)
	}
	if a := c.accounts(); len(a) != 1 {
		t.Errorf("after restore: %v, want the backup's one account", a)
	}
	if r := c.run("", "restore", filepath.Join(t.TempDir(), "missing.db"), "--force"); r.code != 1 {
		t.Errorf("restore of a missing file: exit %d, %q", r.code, r.stderr)
	}
}

// TestDefaultDataDirMove: without --data-dir, an archive at the old place (the configuration
// directory) is moved to the OS's data directory, and the command runs on it.
func TestDefaultDataDirMove(t *testing.T) {
	c := newTCLI(t)
	get := func(k string) string { return c.env[k] }
	old, err := datadir.Legacy(get)
	if err != nil {
		t.Fatal(err)
	}
	def, _ := datadir.Default(get)
	c.data = old
	c.ok("", "account", "add", "--name", "home", "--host", "pop.example.org", "--user", "ann")
	c.data = ""
	r := c.run("", "account", "list", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"home"`) || !strings.Contains(r.stderr, "moved the archive from "+old+" to "+def) {
		t.Fatalf("account list: exit %d, %q, %q", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(def, "pouch.db")); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the old directory is still there: %v", err)
	}
	if r := c.run("", "account", "list"); r.stderr != "" || !strings.Contains(r.stdout, "home") {
		t.Errorf("second run: %q, %q", r.stdout, r.stderr)
	}
	// $POUCH_DATA_DIR wins.
	c.env["POUCH_DATA_DIR"] = t.TempDir()
	if s := c.ok("", "account", "list"); strings.Contains(s, "home") {
		t.Errorf("$POUCH_DATA_DIR ignored: %q", s)
	}
}

// TestNoProgressWhenNotATerminal: pipes, files and buffers get no status line.
func TestNoProgressWhenNotATerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, out := range []any{w, f, &bytes.Buffer{}} {
		env := &Env{Stderr: out.(interface{ Write([]byte) (int, error) })}
		if progressPrinter(env, false) != nil || newProgress(env, "x", false).w != nil {
			t.Errorf("progress on %T", out)
		}
	}
}
