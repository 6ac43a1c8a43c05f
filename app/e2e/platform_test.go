package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pouchmail/pouch/pop3/pop3test"
)

// runBin runs the built pouch with exactly env and args (no --data-dir added).
func runBin(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(pouchBin, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running pouch %v: %v", args, err)
	}
	return result{out.String(), errb.String(), code}
}

// TestHelpAndVersion: help and the version go to standard output with exit 0, as people and
// packagers expect; a usage mistake exits 2, as it always has.
func TestHelpAndVersion(t *testing.T) {
	env := append(os.Environ(), "LANG=C.UTF-8", "POUCH_DATA_DIR="+t.TempDir())
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		r := runBin(t, env, "", args...)
		if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "pouch [--data-dir DIR] fetch [--account NAME] [--json]") ||
			!strings.Contains(r.stdout, "77 authentication") {
			t.Errorf("pouch %v: exit %d, stderr %q, stdout %q", args, r.code, r.stderr, r.stdout)
		}
	}
	for _, args := range [][]string{{"help", "account", "edit"}, {"account", "edit", "--help"}} {
		r := runBin(t, env, "", args...)
		for _, want := range []string{"--size-limit BYTES", "--delete-on-server", "--keep-forever", "--password-stdin"} {
			if r.code != 0 || !strings.Contains(r.stdout, want) {
				t.Errorf("pouch %v: exit %d, stdout lacks %q: %q", args, r.code, want, r.stdout)
			}
		}
	}
	if r := runBin(t, env, "", "--version"); r.code != 0 || !regexp.MustCompile(`^pouch \S+`).MatchString(r.stdout) {
		t.Errorf("--version: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if r := runBin(t, env, "", "fetch", "--bogus"); r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "pouch help") {
		t.Errorf("unknown flag: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
}

// TestExitStatuses: what a cron script sees for each kind of failure, from a real server.
func TestExitStatuses(t *testing.T) {
	d := pop3test.NewDovecot(t, nil)
	c := newCLI(t)
	host, p := pop3test.HostPort(d.PlainAddr)
	port := strconv.Itoa(p)
	add := func(name, host, port, pw string) {
		args := []string{"account", "add", "--name", name, "--host", host, "--port", port, "--security", "none", "--user", "alice"}
		if pw != "" {
			args = append(args, "--password-stdin")
		}
		c.ok(pw, args...)
	}
	add("good", host, port, "secret-pw\n")
	add("badpw", host, port, "wrong\n")
	add("closed", "127.0.0.1", "1", "x\n")
	add("nopw", host, port, "")
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"fetch", "--account", "good"}, 0, ""},
		{[]string{"fetch", "--account", "badpw"}, 77, "AUTH"},
		{[]string{"fetch", "--account", "closed"}, 75, "refused"},
		{[]string{"fetch", "--account", "nopw"}, 78, "no password stored"},
		{[]string{"fetch", "--account", "nope"}, 1, `no account "nope"`},
		{[]string{"fetch", "--acount", "good"}, 2, "flag provided but not defined"},
		{[]string{"fetch"}, 78, "fetch failed"},
	} {
		r := c.run("", tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.msg) {
			t.Errorf("pouch %v: exit %d, stderr %q; want %d mentioning %q", tc.args, r.code, r.stderr, tc.code, tc.msg)
		}
	}
}

// fetchedArchive is a data directory with the test corpus fetched from a private Dovecot.
func fetchedArchive(t *testing.T) (*cli, corpus) {
	t.Helper()
	d := pop3test.NewDovecot(t, nil)
	corp := loadCorpus(t)
	corp.deliver(t, d, "alice")
	c := newCLI(t)
	c.addAccount("home", d.PlainAddr, "secret-pw", "--security", "none", "--keep-forever")
	c.ok("", "fetch")
	return c, corp
}

type listedMsg struct {
	ID     int64  `json:"id"`
	SHA256 string `json:"sha256"`
}

// TestBackupAndRestoreWhileRunning: a backup taken while another Pouch process has the archive
// open (a fetch waiting on a server) is complete and checks clean; restoring over the archive
// in use is refused with 75 and changes nothing; once it is free, restore --force replaces it
// and keeps the old one aside.
func TestBackupAndRestoreWhileRunning(t *testing.T) {
	c, corp := fetchedArchive(t)
	before := decode[[]listedMsg](t, c.ok("", "list", "--json"))
	if len(before) != len(corp.files) {
		t.Fatalf("fetched %d messages, want %d", len(before), len(corp.files))
	}
	s := silentServer(t)
	_, silentPort := pop3test.HostPort(s.Addr())
	c.ok("pw\n", "account", "add", "--name", "stuck", "--host", "127.0.0.1", "--port", strconv.Itoa(silentPort), "--security", "none",
		"--user", "alice", "--password-stdin")
	cmd, stderr, done := startFetch(t, c, s) // another Pouch, with the archive open

	out := filepath.Join(t.TempDir(), "pouch-backup.db")
	if r := c.run("", "backup", "--out", out); r.code != 0 || !strings.Contains(r.stdout, "checks clean") {
		t.Fatalf("backup while another Pouch runs: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("backup file: %v, %v; want mode 0600", st, err)
	}
	r := c.run("", "restore", out, "--force")
	if r.code != 75 || !strings.Contains(r.stderr, "in use") {
		t.Errorf("restore over an archive in use: exit %d, %q; want 75", r.code, r.stderr)
	}

	// The backup restores elsewhere with the same messages, byte for byte.
	other := newCLI(t)
	other.ok("", "restore", out)
	if got := decode[[]listedMsg](t, other.ok("", "list", "--json")); !sameMessages(got, before) {
		t.Errorf("restored %v, want %v", got, before)
	}
	other.ok("", "check")

	stopFetch(t, cmd, stderr, done)
	c.ok("", "account", "remove", "stuck")
	c.ok("", "delete", "1")
	c.ok("", "trash", "empty")
	if r := c.run("", "restore", out); r.code != 1 || !strings.Contains(r.stderr, "--force") {
		t.Errorf("restore over a non-empty archive: exit %d, %q", r.code, r.stderr)
	}
	r = c.run("", "restore", out, "--force")
	if r.code != 0 || !strings.Contains(r.stdout, "kept as") {
		t.Fatalf("restore --force: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if got := decode[[]listedMsg](t, c.ok("", "list", "--json")); !sameMessages(got, before) {
		t.Errorf("after restore: %v, want %v", got, before)
	}
	aside, _ := filepath.Glob(filepath.Join(c.dataDir, "pouch.db.before-restore-*"))
	if len(aside) != 1 {
		t.Errorf("archives kept aside: %v, want one", aside)
	}
}

func sameMessages(a, b []listedMsg) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[int64]string{}
	for _, x := range a {
		m[x.ID] = x.SHA256
	}
	for _, x := range b {
		if m[x.ID] != x.SHA256 {
			return false
		}
	}
	return true
}

// TestBackupWhileWindowRuns: the window has the archive open and its poller running.
func TestBackupWhileWindowRuns(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		if os.Getenv("POUCH_REQUIRE_XVFB") == "1" {
			t.Fatal("no DISPLAY: run under scripts/with-xvfb (make test does)")
		}
		t.Skip("no DISPLAY")
	}
	c, corp := fetchedArchive(t)
	w := startWindow(t, c)
	out := filepath.Join(t.TempDir(), "backup.db")
	r := c.run("", "backup", "--out", out, "--json")
	w.alive()
	res := decode[struct {
		Messages int `json:"messages"`
	}](t, r.stdout)
	if r.code != 0 || res.Messages != len(corp.files) {
		t.Errorf("backup while the window runs: exit %d, %+v, %q", r.code, res, r.stderr)
	}
}

// TestDataDirMovesOnce: with no --data-dir, an archive in the old place (the configuration
// directory) stays there while another Pouch process has it open, then moves to the data
// directory at the next start, once.
func TestDataDirMovesOnce(t *testing.T) {
	c := newCLI(t)
	home := t.TempDir()
	var env []string
	for _, kv := range c.env {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "POUCH_DATA_DIR":
		default:
			env = append(env, kv)
		}
	}
	env = append(env, "HOME="+home)
	c.env = env
	old := filepath.Join(home, ".config", "pouch")
	def := filepath.Join(home, ".local", "share", "pouch")
	c.dataDir = old
	c.ok("", "account", "add", "--name", "home", "--host", "pop.example.org", "--user", "ann")
	s := silentServer(t)
	_, silentPort := pop3test.HostPort(s.Addr())
	c.ok("pw\n", "account", "add", "--name", "stuck", "--host", "127.0.0.1", "--port", strconv.Itoa(silentPort), "--security", "none",
		"--user", "alice", "--password-stdin")
	cmd, stderr, done := startFetch(t, c, s)

	r := runBin(t, env, "", "account", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "home") || !strings.Contains(r.stderr, "stays in "+old) {
		t.Errorf("while in use: exit %d, %q, %q; want the old place used and said", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(def, "pouch.db")); err == nil {
		t.Error("an archive appeared in the new place while the old one was in use")
	}
	stopFetch(t, cmd, stderr, done)
	r = runBin(t, env, "", "account", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "home") || !strings.Contains(r.stderr, "moved the archive from "+old+" to "+def) {
		t.Fatalf("after: exit %d, %q, %q; want the archive moved", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		entries, _ := os.ReadDir(old)
		t.Errorf("the old directory remains: %v", entries)
	}
	if r := runBin(t, env, "", "account", "list"); r.stderr != "" || !strings.Contains(r.stdout, "stuck") {
		t.Errorf("next start: %q, %q", r.stdout, r.stderr)
	}
}

// stopFetch ends a fetch started by startFetch, as Ctrl+C would.
func stopFetch(t *testing.T, cmd *exec.Cmd, stderr *syncBuffer, done <-chan error) {
	t.Helper()
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("the fetch did not stop: %q", stderr.String())
	}
}

// TestProgressOnTerminal: on a terminal (a pseudo-terminal from util-linux's script), import and
// export show a status line; with --json, or with the output going to a pipe, nothing of it.
func TestProgressOnTerminal(t *testing.T) {
	if _, err := exec.LookPath("script"); err != nil {
		t.Skip("script (util-linux) not installed")
	}
	mail, err := filepath.Abs("../../testdata/mail")
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	env := append(os.Environ(), "LANG=C.UTF-8", "POUCH_DATA_DIR="+data)
	if r := runBin(t, env, "", "account", "add", "--name", "home", "--host", "pop.example.org", "--user", "ann"); r.code != 0 {
		t.Fatalf("account add: %q", r.stderr)
	}
	onTerminal := func(args ...string) string {
		t.Helper()
		line := "'" + pouchBin + "'"
		for _, a := range args {
			line += " '" + a + "'"
		}
		cmd := exec.Command("script", "-qec", line, "/dev/null")
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", line, err, out)
		}
		return string(out)
	}
	out := onTerminal("import", "--format", "eml", mail, "--account", "home")
	if !strings.Contains(out, "\rimporting ") || !strings.Contains(out, "imported ") {
		t.Errorf("import on a terminal shows no progress: %q", out)
	}
	out = onTerminal("export", "--format", "maildir", "--out", filepath.Join(t.TempDir(), "md"))
	if !strings.Contains(out, "\rexporting ") {
		t.Errorf("export on a terminal shows no progress: %q", out)
	}
	out = onTerminal("import", "--format", "eml", mail, "--account", "home", "--json")
	if strings.Contains(out, "importing") || !strings.Contains(out, `"skipped"`) {
		t.Errorf("import --json on a terminal: %q", out)
	}
	r := runBin(t, env, "", "export", "--format", "maildir", "--out", filepath.Join(t.TempDir(), "md"))
	if r.code != 0 || strings.Contains(r.stderr, "exporting") || strings.ContainsAny(r.stdout+r.stderr, "\r\033") {
		t.Errorf("export to a pipe: %q %q", r.stdout, r.stderr)
	}
}
