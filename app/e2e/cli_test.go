package e2e

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/pouchmail/pouch/internal/testenv"
)

// TestFetchOverEverySecurityMode is the foundation's end-to-end promise: every message arrives
// once, byte-exact, over plain, STLS and implicit TLS, and a second fetch finds nothing new.
func TestFetchOverEverySecurityMode(t *testing.T) {
	d := testenv.Dovecot(t, nil)
	corp := loadCorpus(t)
	corp.deliver(t, d, "alice")
	c := newCLI(t)

	modes := []struct{ name, security, addr string }{
		{"plain", "none", d.PlainAddr},
		{"stls", "starttls", d.PlainAddr},
		{"tls", "tls", d.TLSAddr},
	}
	for _, m := range modes {
		c.addAccount(m.name, m.addr, "secret-pw", "--security", m.security, "--ca-file", d.CertFile, "--keep-forever")
	}

	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			res := decode[[]fetched](t, c.ok("", "fetch", "--account", m.name, "--json"))
			if len(res) != 1 || !res[0].OK || res[0].New != len(corp.files) || res[0].OnServer != len(corp.files) {
				t.Fatalf("fetch --json = %+v, want %d new of %d", res, len(corp.files), len(corp.files))
			}
			msgs := decode[[]listed](t, c.ok("", "list", "--account", m.name, "--json"))
			if len(msgs) != len(corp.files) {
				t.Fatalf("list: %d messages, want %d", len(msgs), len(corp.files))
			}
			seen := map[string]bool{}
			for _, msg := range msgs {
				want, ok := corp.wire[msg.SHA256]
				if !ok {
					t.Errorf("message %d (%q): sha256 %s matches no fixture", msg.ID, msg.Subject, msg.SHA256)
					continue
				}
				if seen[msg.SHA256] {
					t.Errorf("message %q stored twice", msg.Subject)
				}
				seen[msg.SHA256] = true
				if msg.Account != m.name || msg.UIDL == "" || msg.Size != int64(len(want)) || msg.Date.IsZero() {
					t.Errorf("list entry %+v: want account %s, a UIDL, size %d and a date", msg, m.name, len(want))
				}
				raw := c.ok("", "show", fmt.Sprint(msg.ID), "--raw")
				if !bytes.Equal([]byte(raw), want) {
					t.Errorf("show %d --raw differs from the server's bytes:\n got %q\nwant %q", msg.ID, raw, want)
				}
			}
			res = decode[[]fetched](t, c.ok("", "fetch", "--account", m.name, "--json"))
			if len(res) != 1 || res[0].New != 0 || res[0].OnServer != len(corp.files) {
				t.Errorf("second fetch = %+v, want nothing new", res)
			}
		})
	}

	// Decoded headers reach the listing, including a non-UTF-8 one.
	out := c.ok("", "list", "--account", "tls")
	for _, want := range []string{"Café con leña", "Quarterly report (with attachment)", "José Muñoz"} {
		if !strings.Contains(out, want) {
			t.Errorf("list output lacks %q:\n%s", want, out)
		}
	}
	// The plain-text view of the ISO-8859-1 message is proper UTF-8.
	msgs := decode[[]listed](t, c.ok("", "list", "--account", "tls", "--json"))
	for _, m := range msgs {
		if strings.HasPrefix(m.Subject, "Café") {
			if body := c.ok("", "show", fmt.Sprint(m.ID)); !strings.Contains(body, "El café de mañana es a las diez.") {
				t.Errorf("show %d: body not decoded:\n%s", m.ID, body)
			}
		}
	}
	// A plain fetch of everything prints one summary line per account and finds nothing new.
	all := c.ok("", "fetch")
	if n := strings.Count(all, "0 new message(s)"); n != len(modes) {
		t.Errorf("fetch of all accounts:\n%s\nwant %d lines with nothing new", all, len(modes))
	}
}

func TestAccountCommands(t *testing.T) {
	c := newCLI(t)
	c.ok("pw\n", "account", "add", "--name", "home", "--host", "pop.example.com", "--user", "me", "--password-stdin")
	c.ok("", "account", "add", "--name", "work", "--host", "mail.example.org", "--security", "starttls",
		"--user", "me@example.org", "--leave-days", "0", "--interval", "5m")
	c.ok("", "account", "add", "--name", "keep", "--host", "pop.example.net", "--user", "x", "--keep-forever")

	type acct struct {
		Name        string `json:"name"`
		Host        string `json:"host"`
		Port        int    `json:"port"`
		Security    string `json:"security"`
		User        string `json:"user"`
		LeaveDays   *int   `json:"leave_days"`
		KeepForever bool   `json:"keep_forever"`
		Interval    string `json:"interval"`
	}
	got := decode[[]acct](t, c.ok("", "account", "list", "--json"))
	if len(got) != 3 {
		t.Fatalf("account list: %+v", got)
	}
	byName := map[string]acct{}
	for _, a := range got {
		byName[a.Name] = a
	}
	// No retention flag: the mail stays on the server.
	if a := byName["home"]; a.Port != 995 || a.Security != "tls" || !a.KeepForever || a.LeaveDays != nil || a.Interval != "10m0s" {
		t.Errorf("home = %+v, want tls:995, keep forever, 10m", a)
	}
	if a := byName["work"]; a.Port != 110 || a.Security != "starttls" || a.LeaveDays == nil || *a.LeaveDays != 0 || a.Interval != "5m0s" {
		t.Errorf("work = %+v, want starttls:110, 0 days, 5m", a)
	}
	if a := byName["keep"]; !a.KeepForever || a.LeaveDays != nil {
		t.Errorf("keep = %+v, want keep forever", a)
	}

	// Errors: one line on stderr and the documented exit codes.
	cases := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"duplicate", []string{"account", "add", "--name", "home", "--host", "h", "--user", "u"}, 1, "already exists"},
		{"missing host", []string{"account", "add", "--name", "x", "--user", "u"}, 2, "--host is required"},
		{"bad security", []string{"account", "add", "--name", "x", "--host", "h", "--user", "u", "--security", "ssl3"}, 2, "security"},
		{"both retention", []string{"account", "add", "--name", "x", "--host", "h", "--user", "u", "--leave-days", "3", "--keep-forever"}, 2, "exclude"},
		{"bad port", []string{"account", "add", "--name", "x", "--host", "h", "--user", "u", "--port", "70000"}, 2, "port"},
		{"unknown account fetch", []string{"fetch", "--account", "nope"}, 1, `no account "nope"`},
		{"unknown message", []string{"show", "99999"}, 1, "no message 99999"},
		{"bad id", []string{"show", "abc"}, 2, "not a message ID"},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"remove unknown", []string{"account", "remove", "nope"}, 1, `no account "nope"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.run("", tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.msg) || !strings.HasPrefix(r.stderr, "pouch: ") {
				t.Errorf("pouch %v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, r.code, r.stderr, tc.code, tc.msg)
			}
			if first, _, _ := strings.Cut(r.stderr, "\n"); !strings.Contains(first, tc.msg) {
				t.Errorf("the reason is not on the first line: %q", r.stderr)
			}
		})
	}

	c.ok("", "account", "remove", "work")
	if out := c.ok("", "account", "list"); strings.Contains(out, "work") || !strings.Contains(out, "home") {
		t.Errorf("after remove:\n%s", out)
	}
}

// TestFetchFailures checks that a failing account gives a non-zero exit and a one-line reason,
// and does not keep the others from being fetched.
func TestFetchFailures(t *testing.T) {
	d := testenv.Dovecot(t, nil)
	corp := loadCorpus(t)
	corp.deliver(t, d, "alice")
	c := newCLI(t)
	c.addAccount("good", d.PlainAddr, "secret-pw", "--security", "none")
	c.addAccount("badpw", d.PlainAddr, "wrong", "--security", "none")
	c.addAccount("closed", "127.0.0.1:1", "x", "--security", "none")
	c.addAccount("untrusted", d.TLSAddr, "secret-pw")

	r := c.run("", "fetch", "--json")
	// Rejected credentials (77) need attention before a refused connection (75) or an
	// untrusted certificate (1).
	if r.code != 77 {
		t.Fatalf("fetch exit %d, want 77; stderr %q", r.code, r.stderr)
	}
	if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.HasPrefix(r.stderr, "pouch: ") {
		t.Errorf("stderr is not one line: %q", r.stderr)
	}
	res := decode[[]fetched](t, r.stdout)
	byName := map[string]fetched{}
	for _, f := range res {
		byName[f.Account] = f
	}
	if g := byName["good"]; !g.OK || g.New != len(corp.files) {
		t.Errorf("good account = %+v, want all %d fetched despite the others", g, len(corp.files))
	}
	wantErr := map[string]string{"badpw": "auth", "closed": "refused", "untrusted": "certificate"}
	for name, want := range wantErr {
		f := byName[name]
		if f.OK || f.Error == nil || !strings.Contains(strings.ToLower(*f.Error), want) {
			t.Errorf("%s = %+v, want an error mentioning %q", name, f, want)
		}
		if f.Error != nil && strings.Contains(*f.Error, "secret-pw") {
			t.Errorf("%s: the error leaks the password: %q", name, *f.Error)
		}
	}
}

// TestFlagOrder: flags may come before or after positional arguments, as people type them.
func TestFlagOrder(t *testing.T) {
	d := testenv.Dovecot(t, nil)
	if err := d.Deliver("alice", "one", []byte("Subject: one\n\nbody\n")); err != nil {
		t.Fatal(err)
	}
	c := newCLI(t)
	c.addAccount("a", d.PlainAddr, "secret-pw", "--security", "none")
	c.ok("", "fetch")
	msgs := decode[[]listed](t, c.ok("", "list", "--json"))
	if len(msgs) != 1 {
		t.Fatalf("list: %+v", msgs)
	}
	id := fmt.Sprint(msgs[0].ID)
	a := c.ok("", "show", id, "--raw")
	b := c.ok("", "show", "--raw", id)
	if a != b || a != "Subject: one\r\n\r\nbody\r\n" {
		t.Errorf("show ID --raw = %q, show --raw ID = %q", a, b)
	}
	if x, y := c.ok("", "list", "--json", "--account", "a"), c.ok("", "list", "--account", "a", "--json"); x != y {
		t.Errorf("list flag order changes the output")
	}
	// --data-dir may also follow the sub-command.
	cmd := exec.Command(pouchBin, "list", "--json", "--data-dir", c.dataDir)
	cmd.Env = c.env
	out, err := cmd.Output()
	if err != nil || len(decode[[]listed](t, string(out))) != 1 {
		t.Errorf("list --json --data-dir DIR: %v, %q", err, out)
	}
}
