package ui

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// TestExplain: every kind of error the engine returns becomes a sentence with what to do, the
// field to fix and, where it fits, the security setting to switch to; never the library's
// prefixes, which stay in Details.
func TestExplain(t *testing.T) {
	_, certPEM := pop3test.NewTLSCert("pop.example.com")
	certs := parsePEM(t, certPEM)
	tlsAcct := &mailstore.Account{Name: "Home", Host: "pop.example.com", Port: 995, Security: mailstore.SecurityTLS}
	startTLS995 := &mailstore.Account{Name: "Home", Host: "pop.example.com", Port: 995, Security: mailstore.SecurityStartTLS}
	fetch := func(err error) error { return &engine.FetchError{Account: "Home", Err: err} }
	for _, tc := range []struct {
		name    string
		err     error
		a       *mailstore.Account
		summary string // in Summary
		action  string // in Action
		field   string
		sw      mailstore.Security
		cert    bool
	}{
		{"unknown host", fetch(&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "pop.example.com", IsNotFound: true}}),
			tlsAcct, "pop.example.com was not found", "spelling", "host", "", false},
		{"refused", fetch(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}),
			tlsAcct, "refused the connection: nothing answers on port 995", "995 for SSL/TLS", "port", "", false},
		{"timeout", fetch(context.DeadlineExceeded), tlsAcct, "did not answer in time", "network", "", "", false},
		{"STARTTLS on the implicit TLS port", fetch(context.DeadlineExceeded), startTLS995, "did not answer in time", "SSL/TLS: switch?", "security", mailstore.SecurityTLS, false},
		{"plain server where TLS was expected", fetch(&pop3.TLSError{Kind: pop3.TLSOther, Err: tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}}),
			tlsAcct, "uses STARTTLS on this port", "STARTTLS?", "security", mailstore.SecurityStartTLS, false},
		{"no STLS", fetch(pop3.ErrSTLSUnsupported), startTLS995, "does not offer STARTTLS", "switch?", "security", mailstore.SecurityTLS, false},
		{"untrusted certificate", fetch(&pop3.TLSError{Kind: pop3.TLSUnknownAuthority, Certificates: certs, Err: errors.New("x509: unknown authority")}),
			tlsAcct, "does not trust the certificate of pop.example.com", "trust it", "security", "", true},
		{"changed certificate", fetch(&pop3.TLSError{Kind: pop3.TLSPinMismatch, Certificates: certs, Err: errors.New("pin")}),
			tlsAcct, "not the one you trusted", "before you trust", "security", "", true},
		{"wrong password", fetch(&pop3.Error{Command: "PASS", Code: pop3.CodeAuth, Text: "invalid login"}),
			tlsAcct, "refused the user name or the password", "Check the password", "password", "", false},
		{"old server, no code", fetch(&pop3.Error{Command: "PASS", Text: "no"}), tlsAcct, "refused the user name or the password", "", "password", "", false},
		{"SYS/TEMP", fetch(&pop3.Error{Command: "RETR", Code: pop3.CodeSysTemp, Text: "disk busy"}),
			tlsAcct, "[SYS/TEMP]: “disk busy”", "Nothing to do", "", "", false},
		{"IN-USE", fetch(&pop3.Error{Command: "PASS", Code: pop3.CodeInUse}), tlsAcct, "[IN-USE]", "few minutes", "", "", false},
		{"SYS/PERM", fetch(&pop3.Error{Command: "PASS", Code: pop3.CodeSysPerm, Text: "account disabled"}),
			tlsAcct, "[SYS/PERM]: “account disabled”", "Ask your provider", "", "", false},
		{"LOGIN-DELAY", fetch(&pop3.Error{Command: "PASS", Code: pop3.CodeLoginDelay}), tlsAcct, "[LOGIN-DELAY]", "waits", "", "", false},
		{"no password", &engine.NoPasswordError{Account: "Home"}, tlsAcct, "No password is stored", "Edit account", "password", "", false},
		{"locked", &engine.LockedError{Account: "Home", Path: "/x"}, tlsAcct, "Another Pouch is checking", "shortly", "", "", false},
		{"insecure", fetch(pop3.ErrInsecureAuth), tlsAcct, "unencrypted", "SSL/TLS or STARTTLS", "security", "", false},
		{"message trickled in", fetch(&engine.NotDeletedError{Err: &pop3.SlowReplyError{Command: "RETR", Setting: "Options.MinRate",
			Err: &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}}}), tlsAcct,
			"sent a message so slowly that Pouch gave up on it", "stays on the server", "", "", false},
		{"listing trickled in", fetch(&pop3.SlowReplyError{Command: "UIDL", Setting: "Options.ListingTimeout",
			Err: &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}}), tlsAcct,
			"answered so slowly that Pouch gave up", "network", "", "", false},
		{"anything else", fmt.Errorf("Home: pop3: %w", errors.New("disk full")), tlsAcct, "Something went wrong: disk full", "", "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := explain(tc.err, tc.a)
			if !strings.Contains(p.Summary, tc.summary) || !strings.Contains(p.Action, tc.action) {
				t.Errorf("explain() = %q / %q, want %q / %q", p.Summary, p.Action, tc.summary, tc.action)
			}
			if strings.Contains(p.text(), "pop3:") || strings.Contains(p.text(), "Home: ") {
				t.Errorf("explain() = %q: library prefix or account name left in", p.text())
			}
			if p.Field != tc.field || p.Switch != tc.sw || (p.Cert != nil) != tc.cert {
				t.Errorf("field %q switch %q cert %v; want %q %q %v", p.Field, p.Switch, p.Cert != nil, tc.field, tc.sw, tc.cert)
			}
			if p.Details != tc.err.Error() {
				t.Errorf("Details = %q, want the error's own text", p.Details)
			}
		})
	}
}

// TestFailedTestOffersTheFix: the account form's Test connection words the failure, offers to
// switch the security, keeps "Connecting…" out of red, and Save after a failure asks first.
func TestFailedTestOffersTheFix(t *testing.T) {
	f := newWindow(t)
	var form *accountForm
	f.q.wait(func() {
		a := *f.acct
		form = f.w.newAccountForm(&a)
		form.showFailure(explain(&pop3.TLSError{Kind: pop3.TLSOther, Err: tls.RecordHeaderError{Msg: "not TLS"}}, &a))
	})
	f.q.wait(func() {
		if !form.switchButton.Visible() || form.switchButton.Text != "Switch to STARTTLS" || !form.detailsButton.Visible() {
			t.Errorf("switch button %q visible %v, details visible %v", form.switchButton.Text, form.switchButton.Visible(), form.detailsButton.Visible())
		}
		form.password.SetText("pw")
		form.host.SetText("127.0.0.1") // nothing listens on its port 110 here: the test fails at once
		form.switchSecurity()          // tests again: the result is on its way
		if got := securityFromLabel(form.security.Selected); got != mailstore.SecurityStartTLS || form.port.Text != "110" {
			t.Errorf("after Switch: security %q port %q, want STARTTLS on 110", got, form.port.Text)
		}
		if form.testResult.Importance == widget.DangerImportance {
			t.Errorf("progress %q shown as an error", form.testResult.Text)
		}
	})
	f.eventually(t, "the new test's result", func() bool { return form.failed != nil })
	f.q.wait(form.submit)
	f.eventually(t, "the question before saving", func() bool { return form.confirmFailed != nil })
	if a, _ := f.store.AccountByName(context.Background(), "Home"); a.Security != mailstore.SecurityTLS {
		t.Errorf("saved before the answer: %+v", a)
	}
}

// TestExplainRealFailures: the sentences for what a real connection returns: SSL/TLS set for a
// server that speaks plain POP3 (STARTTLS) on its port, a closed port, a wrong password.
func TestExplainRealFailures(t *testing.T) {
	f := newWindow(t)
	drop := pop3test.NewMaildrop()
	srv := pop3test.ServeMaildrop(t, drop, "alice", "pw")
	host, port := pop3test.HostPort(srv.Addr())
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		sec      mailstore.Security
		port     int
		password string
		summary  string
		sw       mailstore.Security
		field    string
	}{
		{"TLS on a plain port", mailstore.SecurityTLS, port, "pw", "uses STARTTLS on this port", mailstore.SecurityStartTLS, "security"},
		{"closed port", mailstore.SecurityNone, closedPort(t), "pw", "refused the connection", "", "port"},
		{"wrong password", mailstore.SecurityNone, port, "wrong", "refused the user name or the password", "", "password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &mailstore.Account{Name: "Home", Host: host, Port: tc.port, Security: tc.sec, Username: "alice",
				AuthMethod: "USER", KeepForever: true, Interval: time.Hour}
			_, err := f.w.eng.TestConnection(ctx, a, tc.password)
			if err == nil {
				t.Fatal("TestConnection() = nil, want a failure")
			}
			p := explain(err, a)
			if !strings.Contains(p.Summary, tc.summary) || p.Switch != tc.sw || p.Field != tc.field {
				t.Errorf("explain(%v) = %+v; want %q, switch %q, field %q", err, p, tc.summary, tc.sw, tc.field)
			}
		})
	}
}
