// Package e2e tests the pouch binary from outside, as users and scripts run it: the CLI contract
// against a real Dovecot, the real OS keyring, and the real window under X.
package e2e

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/internal/testenv"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// pouchBin is the binary under test, built once by TestMain.
var pouchBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pouch-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	pouchBin = filepath.Join(dir, "pouch")
	build := exec.Command("go", "build", "-tags", "sqlite_fts5", "-o", pouchBin, "github.com/pouchmail/pouch")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building pouch:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cli runs pouch with a private data dir and keyring namespace.
type cli struct {
	t       *testing.T
	dataDir string
	env     []string
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	requireKeyring(t)
	service := "pouch-e2e-" + rand.Text()[:12]
	c := &cli{t: t, dataDir: t.TempDir(), env: append(os.Environ(), "LANG=C.UTF-8", "POUCH_KEYRING_SERVICE="+service)}
	return c
}

type result struct {
	stdout, stderr string
	code           int
}

func (c *cli) run(stdin string, args ...string) result {
	c.t.Helper()
	return runBin(c.t, c.env, stdin, append([]string{"--data-dir", c.dataDir}, args...)...)
}

// ok runs pouch and fails the test unless it exits 0.
func (c *cli) ok(stdin string, args ...string) string {
	c.t.Helper()
	r := c.run(stdin, args...)
	if r.code != 0 {
		c.t.Fatalf("pouch %s: exit %d, stderr %q", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

// addAccount adds the account name of alice on the server at addr, with password on stdin and
// the further flags.
func (c *cli) addAccount(name, addr, password string, flags ...string) {
	c.t.Helper()
	host, port := pop3test.HostPort(addr)
	c.ok(password+"\n", append([]string{"account", "add", "--name", name, "--host", host, "--port", strconv.Itoa(port),
		"--user", "alice", "--password-stdin"}, flags...)...)
}

func requireKeyring(t *testing.T) {
	t.Helper()
	if os.Getenv("POUCH_TEST_SECRET_SERVICE") != "1" && runtime.GOOS == "linux" {
		// A missing keyring must fail make test, not skip the end-to-end and crash-safety tests.
		testenv.Missing(t, "SECRET_SERVICE", "no Secret Service: run under scripts/with-keyring (make test does)")
	}
}

type listed struct {
	ID      int64     `json:"id"`
	Account string    `json:"account"`
	UIDL    string    `json:"uidl"`
	Date    time.Time `json:"date"`
	From    string    `json:"from"`
	Subject string    `json:"subject"`
	Size    int64     `json:"size"`
	SHA256  string    `json:"sha256"`
}

type fetched struct {
	Account  string  `json:"account"`
	OK       bool    `json:"ok"`
	New      int     `json:"new"`
	OnServer int     `json:"on_server"`
	Error    *string `json:"error"`
}

// corpus is the set of fixture messages as Dovecot's Maildir holds them (LF line ends) and as
// RETR must return them: LF turned into CRLF, with a final CRLF added when missing.
type corpus struct {
	files map[string][]byte
	wire  map[string][]byte // sha256 hex -> expected raw bytes
}

func loadCorpus(t *testing.T) corpus {
	t.Helper()
	paths, err := filepath.Glob("../../testdata/mail/*.eml")
	if err != nil || len(paths) < 5 {
		t.Fatalf("fixtures: %v (%d files)", err, len(paths))
	}
	c := corpus{files: map[string][]byte{}, wire: map[string][]byte{}}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		c.files[filepath.Base(p)] = b
		c.wire[wireHash(b)] = pop3test.Bytes(b)
	}
	return c
}

func (c corpus) deliver(t *testing.T, d *pop3test.Dovecot, user string) {
	t.Helper()
	for name, b := range c.files {
		if err := d.Deliver(user, name, b); err != nil {
			t.Fatal(err)
		}
	}
}

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad JSON %v in %q", err, s)
	}
	return v
}
