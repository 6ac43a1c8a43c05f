package ui

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/autoconfig"
	"github.com/pouchmail/pouch/app/autoconfig/autoconfigtest"
	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// fakeDiscovery answers Engine.Discover with a fixed result, and records the addresses asked for.
type fakeDiscovery struct {
	mu       sync.Mutex
	settings *autoconfig.Settings
	err      error
	asked    []string
	block    bool       // wait for the context to end instead of answering
	ended    chan error // with block: the context's error once it ended
}

func (d *fakeDiscovery) discover(ctx context.Context, email string) (*autoconfig.Settings, error) {
	d.mu.Lock()
	d.asked = append(d.asked, email)
	s, err, block := d.settings, d.err, d.block
	d.mu.Unlock()
	if block {
		<-ctx.Done()
		d.ended <- ctx.Err()
		return nil, ctx.Err()
	}
	if s != nil {
		c := *s
		return &c, nil
	}
	return nil, err
}

func (d *fakeDiscovery) answer(s *autoconfig.Settings, err error) {
	d.mu.Lock()
	d.settings, d.err = s, err
	d.mu.Unlock()
}

func (d *fakeDiscovery) calls() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.asked)
}

// newSetupWindow opens a window whose engine discovers through d.
func newSetupWindow(t *testing.T, d *fakeDiscovery) *fixture {
	return newWindowWith(t, engine.Options{Discover: d.discover})
}

// closedPort is a loopback port nothing listens on: a login test there fails at once.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// startSetup opens the Add account dialog, types name, address and password, and presses
// Continue.
func (f *fixture) startSetup(t *testing.T, name, email, password string) *accountSetup {
	t.Helper()
	var s *accountSetup
	f.q.wait(func() {
		s = f.w.newAccountSetup()
		s.dialog.Show()
		s.displayName.SetText(name)
		test.Type(s.address, email)
		test.Type(s.password, password)
		s.next()
	})
	return s
}

// TestAccountSetupFindsTestsAndAdds: discovery through the environment's DNS server finds SRV
// records pointing at Dovecot; the login test meets its self-signed certificate, the user looks
// at it and trusts it, the test passes, and Add saves the account with that pin.
func TestAccountSetupFindsTestsAndAdds(t *testing.T) {
	const email = "alice@example.test"
	d := pop3test.NewDovecot(t, &pop3test.DovecotOptions{Users: []pop3test.DovecotUser{{Name: email, Password: "secret-pw"}}})
	_, port, _ := net.SplitHostPort(d.TLSAddr)
	zone := autoconfigtest.NewZone(t, "_pop3s._tcp.example.test. 60 IN SRV 0 1 "+port+" localhost.",
		"_submission._tcp.example.test. 60 IN SRV 0 1 587 smtp.example.test.")
	ispdb := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(ispdb.Close)
	t.Setenv("POUCH_DNS_SERVER", zone.Addr)
	t.Setenv("POUCH_ISPDB_URL", ispdb.URL+"/")

	f := newWindow(t)
	s := f.startSetup(t, "Alice Example", email, "secret-pw")
	f.eventually(t, "the login test to meet the certificate", func() bool { return s.certButton.Visible() })
	f.q.wait(func() {
		if got, want := s.server.Text, "localhost, port "+port+", TLS"; got != want {
			t.Errorf("server = %q, want %q", got, want)
		}
		if s.user.Text != email {
			t.Errorf("user = %q, want the address", s.user.Text)
		}
		if !strings.Contains(s.source.Text, "SRV") || !strings.Contains(s.source.Text, "_pop3s._tcp.example.test") {
			t.Errorf("source = %q, want the SRV record", s.source.Text)
		}
		if !strings.Contains(s.testResult.Text, "does not trust the certificate of localhost") {
			t.Errorf("test result = %q", s.testResult.Text)
		}
		if !s.addButton.Disabled() {
			t.Error("Add works before the login test passed")
		}
	})
	f.q.wait(s.showCert)
	f.q.wait(func() { s.cert.trust() })
	f.eventually(t, "the login test to pass", func() bool { return s.tested })
	f.q.wait(func() {
		if !strings.HasPrefix(s.testResult.Text, "Connected and logged in") || s.testResult.Importance != widget.SuccessImportance {
			t.Errorf("test result = %q", s.testResult.Text)
		}
		if s.addButton.Disabled() || !s.addButton.Visible() || s.continueButton.Visible() {
			t.Error("after a good test, Add is not the way on")
		}
		s.add()
	})
	f.eventually(t, "the account in the sidebar", func() bool { return f.w.sidebar.Length() == 4+len(outgoingFolders) })
	a, err := f.store.AccountByName(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	pin := pop3.CertificateSHA256(parsePEM(t, d.CertPEM)[0])
	if a.Host != "localhost" || strconv.Itoa(a.Port) != port || a.Security != mailstore.SecurityTLS || a.Username != email ||
		a.Address != email || a.DisplayName != "Alice Example" || a.PinnedCertSHA256 != pin {
		t.Errorf("saved account = %+v", *a)
	}
	// The sending server found beside it comes along, so the account can send at once.
	if a.SMTPHost != "smtp.example.test" || a.SMTPPort != 587 || a.SMTPSecurity != mailstore.SecurityStartTLS || a.SMTPUser != "" {
		t.Errorf("saved SMTP settings = %q:%d %q user %q, want those of the SRV record", a.SMTPHost, a.SMTPPort, a.SMTPSecurity, a.SMTPUser)
	}
	if pw, _ := f.kr.Get(email); pw != "secret-pw" {
		t.Errorf("keyring has %q, want the typed password", pw)
	}
	if checks := f.fp.edited(); len(checks) == 0 || checks[len(checks)-1] != email {
		t.Errorf("poller checks = %v, want a check of the new account", checks)
	}
	if status := f.text(func() string { return f.w.status.Text }); status != "Added account "+email+"." {
		t.Errorf("status = %q", status)
	}
}

// TestAccountSetupEditManually: a found server that does not answer can still be added on
// purpose, and Edit manually opens the full form filled with the findings.
func TestAccountSetupEditManually(t *testing.T) {
	port := closedPort(t)
	disc := &fakeDiscovery{settings: &autoconfig.Settings{Source: autoconfig.SourceISPDB,
		From: "https://autoconfig.thunderbird.net/v1.1/example.org",
		POP3: autoconfig.Server{Host: "127.0.0.1", Port: port, Security: autoconfig.StartTLS, User: "bob"}}}
	f := newSetupWindow(t, disc)
	s := f.startSetup(t, "Bob Example", "bob@example.org", "hunter2")
	f.eventually(t, "the login test to fail", func() bool { return s.addAnyway.Visible() })
	f.q.wait(func() {
		if !strings.Contains(s.source.Text, "ISPDB") || !strings.Contains(s.source.Text, "example.org") {
			t.Errorf("source = %q", s.source.Text)
		}
		if !strings.HasPrefix(s.testResult.Text, "127.0.0.1:"+strconv.Itoa(port)+" refused the connection") {
			t.Errorf("test result = %q", s.testResult.Text)
		}
		if !s.addButton.Disabled() || s.continueButton.Text != "Test again" {
			t.Errorf("after a failed test: Add disabled %v, other button %q", s.addButton.Disabled(), s.continueButton.Text)
		}
		s.addAnyway.SetChecked(true)
		if s.addButton.Disabled() {
			t.Error("choosing to add anyway does not enable Add")
		}
		s.editManually()
	})
	form := s.form
	f.q.wait(func() {
		if !s.closed {
			t.Error("the set-up dialog stays open under the form")
		}
		got := map[string]string{"name": form.name.Text, "address": form.address.Text, "display": form.displayName.Text,
			"host": form.host.Text, "port": form.port.Text, "security": form.security.Selected, "user": form.user.Text,
			"password": form.password.Text, "problem": form.errLabel.Text}
		want := map[string]string{"name": "bob@example.org", "address": "bob@example.org", "display": "Bob Example",
			"host": "127.0.0.1", "port": strconv.Itoa(port), "security": "STARTTLS", "user": "bob",
			"password": "hunter2", "problem": ""}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("form %s = %q, want %q", k, got[k], w)
			}
		}
	})
}

// TestAccountSetupNothingFound: when discovery has nothing to propose, the dialog says why in
// words and offers Edit manually, which opens the form with the address filled in.
func TestAccountSetupNothingFound(t *testing.T) {
	disc := &fakeDiscovery{}
	f := newSetupWindow(t, disc)
	certErr := &autoconfig.CertificateError{Host: "mail.example.org", Err: x509.HostnameError{}}
	for _, tc := range []struct {
		name string
		err  error
		want []string
	}{
		{"not found", autoconfig.ErrNotFound, []string{"found no POP3 settings for example.org", "Edit manually"}},
		{"bad certificate", &autoconfig.GuessError{Domain: "example.org", Certificates: []*autoconfig.CertificateError{certErr}},
			[]string{"found no POP3 settings", "mail.example.org answers, but with a certificate that is not valid"}},
		{"no POP3", &autoconfig.NoPOP3Error{Provider: "iCloud Mail"}, []string{"iCloud Mail does not offer POP3"}},
		{"offline", errors.New("dial udp: network is unreachable"), []string{"network is unreachable", "Check the network connection"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			disc.answer(nil, tc.err)
			s := f.startSetup(t, "", "bob@example.org", "hunter2")
			f.eventually(t, "the explanation", func() bool { return s.notFound.Visible() })
			f.q.wait(func() {
				for _, w := range tc.want {
					if !strings.Contains(s.notFound.Text, w) {
						t.Errorf("explanation %q lacks %q", s.notFound.Text, w)
					}
				}
				if s.found.Visible() || s.addButton.Visible() || s.manualButton.Importance != widget.HighImportance {
					t.Error("with nothing found, Edit manually is not the way on")
				}
				s.dialog.Hide()
			})
		})
	}

	// Edit manually: the form has the address, the account name and the password; the server
	// is what is missing.
	disc.answer(nil, autoconfig.ErrNotFound)
	s := f.startSetup(t, "Bob", "bob@example.org", "hunter2")
	f.eventually(t, "the explanation", func() bool { return s.notFound.Visible() })
	f.q.wait(s.editManually)
	f.q.wait(func() {
		form := s.form
		if form.address.Text != "bob@example.org" || form.name.Text != "bob@example.org" || form.user.Text != "bob@example.org" ||
			form.password.Text != "hunter2" || form.host.Text != "" {
			t.Errorf("form: address %q name %q user %q host %q", form.address.Text, form.name.Text, form.user.Text, form.host.Text)
		}
		if !strings.Contains(form.errLabel.Text, "Server must not be empty") {
			t.Errorf("form says %q, want the missing server", form.errLabel.Text)
		}
	})
}

// TestAccountSetupChecksFirst: Continue says what is missing instead of looking anything up.
func TestAccountSetupChecksFirst(t *testing.T) {
	disc := &fakeDiscovery{err: autoconfig.ErrNotFound}
	f := newSetupWindow(t, disc)
	for _, tc := range []struct{ email, password, want string }{
		{"", "pw", "Enter your email address"},
		{"bob at example.org", "pw", "is not an email address"},
		{"bob@example.org", "", "Enter the password of bob@example.org"},
	} {
		s := f.startSetup(t, "", tc.email, tc.password)
		if got := f.text(func() string { return s.problem.Text }); !strings.Contains(got, tc.want) || !s.problem.Visible() {
			t.Errorf("%q/%q: problem %q, want %q", tc.email, tc.password, got, tc.want)
		}
		f.q.wait(s.dialog.Hide)
	}
	if n := disc.calls(); n != 0 {
		t.Errorf("discovery ran %d times for incomplete input", n)
	}
}

// TestAccountSetupOAuth: a provider that wants OAuth2 gets a note, and a Sign in button when the
// window can sign in.
func TestAccountSetupOAuth(t *testing.T) {
	disc := &fakeDiscovery{settings: &autoconfig.Settings{Source: autoconfig.SourceProviders, From: "Gmail (gmail.com)",
		POP3:  autoconfig.Server{Host: "127.0.0.1", Port: closedPort(t), Security: autoconfig.TLS, User: "ann@gmail.com"},
		OAuth: "google"}}
	f := newSetupWindow(t, disc)
	s := f.startSetup(t, "Ann", "ann@gmail.com", "app-pw")
	f.eventually(t, "the note", func() bool { return s.oauth.Visible() })
	f.q.wait(func() {
		if !strings.Contains(s.oauthNote.Text, "Google requires signing in through the browser") {
			t.Errorf("note = %q", s.oauthNote.Text)
		}
		if s.signIn.Visible() {
			t.Error("a Sign in button without a way to sign in")
		}
		s.dialog.Hide()
	})

	var gotProvider string
	var gotAccount mailstore.Account
	f.q.wait(func() {
		f.w.oauthSignIn = func(p string, a mailstore.Account) { gotProvider, gotAccount = p, a }
	})
	s = f.startSetup(t, "Ann", "ann@gmail.com", "app-pw")
	f.eventually(t, "the Sign in button", func() bool { return s.oauth.Visible() && s.signIn.Visible() })
	f.q.wait(func() {
		if s.signIn.Text != "Sign in with Google" {
			t.Errorf("button = %q", s.signIn.Text)
		}
		test.Tap(s.signIn)
	})
	f.q.wait(func() {
		if gotProvider != "google" || gotAccount.Address != "ann@gmail.com" || gotAccount.Host != "127.0.0.1" || gotAccount.DisplayName != "Ann" {
			t.Errorf("sign-in got %q, %+v", gotProvider, gotAccount)
		}
	})
}

// TestAccountSetupCloseCancels: closing the dialog stops the lookup.
func TestAccountSetupCloseCancels(t *testing.T) {
	disc := &fakeDiscovery{block: true, ended: make(chan error, 1)}
	f := newSetupWindow(t, disc)
	s := f.startSetup(t, "", "bob@example.org", "pw")
	f.eventually(t, "the lookup to start", func() bool { return disc.calls() == 1 && s.busy.Visible() })
	if busy := f.text(func() string { return s.busyText.Text }); busy != "Looking up settings for bob@example.org…" {
		t.Errorf("while looking up, the dialog says %q", busy)
	}
	f.q.wait(s.dialog.Hide)
	if err := <-disc.ended; !errors.Is(err, context.Canceled) {
		t.Errorf("the lookup ended with %v, want it cancelled", err)
	}
}
