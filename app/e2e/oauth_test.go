package e2e

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/oauth/oauthtest"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// browserEnv, when "1", makes this test binary play the browser: pouch starts $BROWSER (this
// binary) with the authorization URL, and it follows the redirects to pouch's loopback
// listener as a browser would after the user approved. It appends the URL to the file named
// by browserLogEnv.
const (
	browserEnv    = "POUCH_E2E_BROWSER"
	browserLogEnv = "POUCH_E2E_BROWSER_LOG"
)

func init() {
	if os.Getenv(browserEnv) != "1" || len(os.Args) < 2 {
		return
	}
	authURL := os.Args[len(os.Args)-1]
	if f, err := os.OpenFile(os.Getenv(browserLogEnv), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
		fmt.Fprintln(f, authURL)
		f.Close()
	}
	if err := oauthtest.Follow(authURL); err != nil {
		fmt.Fprintln(os.Stderr, "browser:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// TestOAuthEndToEnd: the built binary adds an OAuth2 account through the browser sign-in
// ($BROWSER follows the local authorization server's redirect with the code to pouch's loopback
// listener), and Dovecot checks every access token with the server's introspection endpoint.
// Tokens live 2 s and refresh tokens rotate, so fetches seconds apart in new processes prove
// that the refresh token is renewed and kept in the keyring; a revoked grant makes fetch say
// how to sign in again, and `account login` does. No refresh token ever reaches the data
// directory or the output.
func TestOAuthEndToEnd(t *testing.T) {
	as := oauthtest.NewServer(t, oauthtest.Options{TTL: 2 * time.Second, RotateRefresh: true})
	d := pop3test.NewDovecot(t, &pop3test.DovecotOptions{OAuth2IntrospectionURL: as.IntrospectURL})
	corp := loadCorpus(t)
	corp.deliver(t, d, "alice")
	c := newCLI(t)
	browserLog := filepath.Join(t.TempDir(), "browser.log")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c.env = append(c.env, "BROWSER="+self, browserEnv+"=1", browserLogEnv+"="+browserLog)
	host, p := pop3test.HostPort(d.PlainAddr)
	port := strconv.Itoa(p)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, d.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	var outputs strings.Builder
	run := func(args ...string) string {
		t.Helper()
		out := c.ok("", args...)
		outputs.WriteString(out)
		return out
	}

	// The provider stands apart from --oauth, and flags follow it.
	out := run("account", "add", "--name", "acme", "--host", host, "--port", port, "--security", "starttls",
		"--ca-file", caFile, "--user", "alice", "--keep-forever", "--oauth", "custom",
		"--oauth-client-id", as.ClientID, "--oauth-auth-url", as.AuthURL, "--oauth-token-url", as.TokenURL,
		"--oauth-scope", "mail", "--oauth-scope", "offline")
	if !strings.Contains(out, as.AuthURL+"?") || !strings.Contains(out, "Added account acme") {
		t.Errorf("account add printed %q; want the sign-in URL and the confirmation", out)
	}
	logged, _ := os.ReadFile(browserLog)
	u, err := url.Parse(strings.TrimSpace(string(logged)))
	if err != nil || u.Query().Get("code_challenge_method") != "S256" || !strings.HasPrefix(u.Query().Get("redirect_uri"), "http://127.0.0.1:") {
		t.Errorf("the browser was given %q; want a PKCE authorization URL with a loopback redirect", logged)
	}

	accts := decode[[]struct {
		Name     string   `json:"name"`
		Provider string   `json:"oauth_provider"`
		ClientID string   `json:"oauth_client_id"`
		AuthURL  string   `json:"oauth_auth_url"`
		TokenURL string   `json:"oauth_token_url"`
		Scopes   []string `json:"oauth_scopes"`
	}](t, run("account", "list", "--json"))
	if len(accts) != 1 || accts[0].Provider != "custom" || accts[0].ClientID != as.ClientID ||
		accts[0].AuthURL != as.AuthURL || accts[0].TokenURL != as.TokenURL || strings.Join(accts[0].Scopes, " ") != "mail offline" {
		t.Errorf("account list --json = %+v", accts)
	}

	fetch := func(wantNew int) {
		t.Helper()
		res := decode[[]fetched](t, run("fetch", "--json"))
		if len(res) != 1 || !res[0].OK || res[0].New != wantNew {
			t.Fatalf("fetch = %+v, want ok with %d new\n%s", res, wantNew, d.Log())
		}
	}
	fetch(len(corp.files))
	// Each fetch below is a new process whose access token (in memory only) is gone and whose
	// refresh token from the previous process has been rotated: it must come from the keyring.
	for i := range 2 {
		time.Sleep(2500 * time.Millisecond)
		if err := d.Deliver("alice", fmt.Sprintf("late%d", i), []byte("Subject: late\n\nlate\n")); err != nil {
			t.Fatal(err)
		}
		fetch(1)
	}
	if _, refreshes, introspections, _ := as.Counts(); refreshes < 3 || introspections < 4 {
		t.Errorf("%d refreshes, %d introspections; want every fetch after the first to refresh, and Dovecot to check each login", refreshes, introspections)
	}

	as.RevokeAll("alice")
	r := c.run("", "fetch")
	outputs.WriteString(r.stdout + r.stderr)
	if r.code != 77 || !strings.Contains(r.stderr, "sign in again: pouch account login acme") {
		t.Errorf("fetch after revocation: exit %d, stderr %q; want 77 and the sign-in command", r.code, r.stderr)
	}
	run("account", "login", "acme")
	fetch(0)

	// A built-in provider without a client ID says how to give one, before any browser.
	r = c.run("", "account", "add", "--name", "g", "--host", "pop.gmail.com", "--user", "me@gmail.com", "--oauth=google")
	if r.code != 78 || !strings.Contains(r.stderr, "--oauth-client-id") || !strings.Contains(r.stderr, "-ldflags") {
		t.Errorf("google without client ID: exit %d, stderr %q; want 78, a configuration problem", r.code, r.stderr)
	}

	// No refresh token in the data directory (the archive, its WAL, locks) or in any output.
	issued := as.Issued()
	if len(issued) < 4 {
		t.Fatalf("%d refresh tokens issued, want at least 4", len(issued))
	}
	all := outputs.String()
	_ = filepath.WalkDir(c.dataDir, func(p string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, rt := range issued {
			if bytes.Contains(data, []byte(rt)) {
				t.Errorf("%s holds a refresh token", p)
			}
		}
		return nil
	})
	for _, rt := range issued {
		if strings.Contains(all, rt) {
			t.Error("a refresh token appeared in pouch's output")
		}
	}
	run("account", "remove", "acme")
}
