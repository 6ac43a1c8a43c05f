package e2e

import (
	"cmp"
	"strings"
	"testing"

	"github.com/pouchmail/pouch/internal/testenv"
)

// TestAuthMechanisms: an account can force each mechanism Dovecot offers,
// and fetching logs in with it (as Dovecot's log says); `account list
// --json` shows the choice.
func TestAuthMechanisms(t *testing.T) {
	d := testenv.Dovecot(t, nil)
	corp := loadCorpus(t)
	corp.deliver(t, d, "alice")
	c := newCLI(t)
	mechs := []string{"auto", "scram-sha-256", "SCRAM-SHA-1", "CRAM-MD5", "APOP", "PLAIN", "LOGIN", "USER"}
	for _, m := range mechs {
		// Plain connections: the cleartext mechanisms are allowed only
		// because they are named explicitly.
		c.addAccount("m-"+strings.ToLower(m), d.PlainAddr, "secret-pw", "--security", "none", "--keep-forever", "--auth", m)
	}
	accts := decode[[]struct {
		Name string `json:"name"`
		Auth string `json:"auth"`
	}](t, c.ok("", "account", "list", "--json"))
	want := map[string]string{}
	for _, m := range mechs {
		w := strings.ToUpper(m)
		if w == "AUTO" {
			w = ""
		}
		want["m-"+strings.ToLower(m)] = w
	}
	if len(accts) != len(mechs) {
		t.Fatalf("account list: %d accounts, want %d", len(accts), len(mechs))
	}
	for _, a := range accts {
		if a.Auth != want[a.Name] {
			t.Errorf("account %s: auth %q, want %q", a.Name, a.Auth, want[a.Name])
		}
	}
	// Dovecot logs USER/PASS as PLAIN; the automatic choice is the strongest.
	method := map[string]string{"auto": "SCRAM-SHA-256", "USER": "PLAIN"}
	for _, m := range mechs {
		t.Run(m, func(t *testing.T) {
			n := len(d.Logins(0))
			res := decode[[]fetched](t, c.ok("", "fetch", "--account", "m-"+strings.ToLower(m), "--json"))
			if len(res) != 1 || !res[0].OK || res[0].New != len(corp.files) {
				t.Errorf("fetch with --auth %s = %+v, want %d new", m, res, len(corp.files))
			}
			want := cmp.Or(method[m], strings.ToUpper(m))
			if logins := d.Logins(n + 1); len(logins) != n+1 || logins[n].Method != want {
				t.Errorf("fetch with --auth %s: Dovecot logged the logins %+v after the first %d, want one by %s", m, logins[n:], n, want)
			}
		})
	}

	r := c.run("secret-pw\n", "account", "add", "--name", "bad", "--host", "127.0.0.1", "--user", "alice", "--auth", "GSSAPI")
	if r.code == 0 || !strings.Contains(r.stderr, "GSSAPI") || !strings.Contains(r.stderr, "SCRAM-SHA-256") {
		t.Errorf("account add --auth GSSAPI: exit %d, stderr %q; want a refusal listing the mechanisms", r.code, r.stderr)
	}
}

// TestTLSFingerprint: pinning Dovecot's self-signed certificate works
// without --ca-file, and a wrong pin fails with a clear message.
func TestTLSFingerprint(t *testing.T) {
	d := testenv.Dovecot(t, nil)
	corp := loadCorpus(t)
	corp.deliver(t, d, "alice")
	c := newCLI(t)
	pin := d.CertSHA256()
	// As browsers show it: upper case with colons.
	var parts []string
	for i := 0; i < len(pin); i += 2 {
		parts = append(parts, strings.ToUpper(pin[i:i+2]))
	}
	shown := strings.Join(parts, ":")
	wrong := strings.Repeat("ab", 32)

	c.addAccount("pinned", d.TLSAddr, "secret-pw", "--keep-forever", "--tls-fingerprint", shown)
	c.addAccount("pinned-stls", d.PlainAddr, "secret-pw", "--security", "starttls", "--keep-forever", "--tls-fingerprint", pin)
	c.addAccount("wrong", d.TLSAddr, "secret-pw", "--keep-forever", "--tls-fingerprint", wrong)

	accts := decode[[]struct {
		Name        string `json:"name"`
		Fingerprint string `json:"tls_fingerprint"`
	}](t, c.ok("", "account", "list", "--json"))
	for _, a := range accts {
		want := pin
		if a.Name == "wrong" {
			want = wrong
		}
		if a.Fingerprint != want {
			t.Errorf("account %s: tls_fingerprint %q, want %q", a.Name, a.Fingerprint, want)
		}
	}

	for _, name := range []string{"pinned", "pinned-stls"} {
		res := decode[[]fetched](t, c.ok("", "fetch", "--account", name, "--json"))
		if len(res) != 1 || !res[0].OK || res[0].New != len(corp.files) {
			t.Errorf("fetch %s = %+v, want %d new", name, res, len(corp.files))
		}
	}

	r := c.run("", "fetch", "--account", "wrong", "--json")
	res := decode[[]fetched](t, r.stdout)
	if r.code == 0 || len(res) != 1 || res[0].OK || res[0].Error == nil {
		t.Fatalf("fetch with a wrong pin: exit %d, %+v; want a failure", r.code, res)
	}
	msg := *res[0].Error
	if !strings.Contains(msg, "pinned certificate mismatch") || !strings.Contains(msg, pin) {
		t.Errorf("error %q should say the pin does not match and show the server's fingerprint", msg)
	}

	for _, bad := range []string{"abc", strings.Repeat("zz", 32)} {
		r := c.run("", "account", "add", "--name", "x", "--host", "127.0.0.1", "--user", "alice", "--tls-fingerprint", bad)
		if r.code == 0 || !strings.Contains(r.stderr, "tls-fingerprint") {
			t.Errorf("account add --tls-fingerprint %q: exit %d, stderr %q", bad, r.code, r.stderr)
		}
	}
	r = c.run("", "account", "add", "--name", "x", "--host", "127.0.0.1", "--security", "none", "--user", "alice", "--tls-fingerprint", pin)
	if r.code == 0 || !strings.Contains(r.stderr, "tls-fingerprint") {
		t.Errorf("account add --security none --tls-fingerprint: exit %d, stderr %q", r.code, r.stderr)
	}
}
