package ui

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// uiQueue stands in for the UI goroutine: Fyne's test driver runs fyne.Do on the caller's
// goroutine, so the window's callbacks and the test's own checks are funnelled through one.
type uiQueue struct {
	fns  chan func()
	stop chan struct{}
}

func newQueue(t testing.TB) *uiQueue {
	q := &uiQueue{fns: make(chan func()), stop: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case fn := <-q.fns:
				fn()
			case <-q.stop:
				return
			}
		}
	}()
	// The next test must not start while a late callback of this one still runs: Fyne's
	// text caches are shared by every window of the process.
	t.Cleanup(func() { close(q.stop); <-done })
	return q
}

// do queues fn; after the test it is dropped, as a closed window drops late results.
func (q *uiQueue) do(fn func()) {
	select {
	case q.fns <- fn:
	case <-q.stop:
	}
}

// wait runs fn on the queue and returns once it has run.
func (q *uiQueue) wait(fn func()) {
	ran := make(chan struct{})
	q.do(func() { fn(); close(ran) })
	<-ran
}

type fixture struct {
	w     *mainWindow
	store *mailstore.Store
	kr    *secrets.Memory
	q     *uiQueue
	fp    *fakePoller
	acct  *mailstore.Account
}

// fakePoller stands in for the engine's poller: it records the checks asked for. Tests report
// poller events with fixture.emit.
type fakePoller struct {
	mu     sync.Mutex
	checks []string
	edits  []string
}

func (p *fakePoller) CheckNow(a string) { p.mu.Lock(); p.checks = append(p.checks, a); p.mu.Unlock() }
func (p *fakePoller) Reload()           {}
func (p *fakePoller) Edited(a string)   { p.mu.Lock(); p.edits = append(p.edits, a); p.mu.Unlock() }

// edited returns the accounts Edited was called for.
func (p *fakePoller) edited() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.edits...)
}

// checked returns the accounts CheckNow was called for.
func (p *fakePoller) checked() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.checks...)
}

// emit reports ev as the poller does: from a goroutine of its own.
func (f *fixture) emit(ev engine.Event) { go f.w.onPollEvent(ev) }

// fixtureFiles are the messages of the test window: the repository's corpus (its
// multipart/alternative message included) plus an HTML-only message.
func fixtureFiles(t testing.TB) []string {
	paths, _ := filepath.Glob("../../testdata/mail/*.eml")
	paths = append(paths, "testdata/html-only.eml")
	if len(paths) != 7 {
		t.Fatalf("fixtures: found %d files, want 7", len(paths))
	}
	return paths
}

// newWindow opens a window on a store holding the fixture messages.
func newWindow(t *testing.T) *fixture {
	t.Helper()
	return newWindowWith(t, engine.Options{})
}

// newWindowWith is newWindow with an engine built with opts.
func newWindowWith(t *testing.T, opts engine.Options) *fixture {
	t.Helper()
	a := test.NewTempApp(t)
	ctx := context.Background()
	store, err := mailstore.Open(ctx, filepath.Join(t.TempDir(), "pouch.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	acct := &mailstore.Account{Name: "Home", Host: "pop.example.com", Port: 995, Security: mailstore.SecurityTLS,
		Username: "alice", LeaveDays: 14, Interval: 10 * time.Minute}
	if err := store.CreateAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	for _, p := range fixtureFiles(t) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		raw := bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
		if _, err := store.NewSaver(acct.ID).Save(ctx, []mailstore.BatchItem{{UIDL: filepath.Base(p), Data: raw}}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	kr := secrets.NewMemory()
	q := newQueue(t)
	f := &fixture{store: store, kr: kr, q: q, fp: &fakePoller{}, acct: acct}
	q.wait(func() { f.w = newMainWindow(ctx, a, engine.New(store, kr, opts), q.do, f.fp) })
	t.Cleanup(func() { q.wait(f.w.window.Close) })
	// The rows come in a page read after the list of IDs: tests look at both.
	f.eventually(t, "the message list and its rows", func() bool { return f.w.list.Length() == 7 && f.w.rows.row(0) != nil })
	return f
}

// eventually polls cond on the UI goroutine until it holds.
func (f *fixture) eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var ok bool
		f.q.wait(func() { ok = cond() })
		if ok {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// listed returns the messages the list shows, in its order (the list itself holds the rows of
// the pages drawn only).
func (f *fixture) listed(t *testing.T) []mailstore.Message {
	t.Helper()
	var ids []int64
	f.q.wait(func() { ids = slices.Clone(f.w.rows.ids) })
	msgs, err := f.w.eng.MessagesByID(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// open selects the message whose subject contains s and waits for the viewer to show it.
func (f *fixture) open(t *testing.T, s string) mailstore.Message {
	t.Helper()
	var msg mailstore.Message
	// The list reads the store again after a change (a search cleared): wait for it to list s.
	for deadline := time.Now().Add(10 * time.Second); msg.ID == 0 && time.Now().Before(deadline); {
		for _, m := range f.listed(t) {
			if strings.Contains(m.Subject, s) {
				msg = m
				break
			}
		}
		if msg.ID == 0 {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if msg.ID != 0 {
		f.q.wait(func() { f.w.list.Select(f.w.indexOf(msg.ID)) })
	}
	if msg.ID == 0 {
		t.Fatalf("no message with subject %q", s)
	}
	f.eventually(t, "the viewer to show "+s, func() bool { return strings.Contains(f.w.viewer.subject.Text, s) })
	return msg
}

func (f *fixture) text(get func() string) string {
	var s string
	f.q.wait(func() { s = get() })
	return s
}

func TestMessageListAndViewer(t *testing.T) {
	f := newWindow(t)
	shown := f.listed(t)
	for i := 1; i < len(shown); i++ {
		if shown[i].Date.After(shown[i-1].Date) {
			t.Errorf("row %d (%s) is newer than row %d: want newest first", i, shown[i].Subject, i-1)
		}
	}

	tests := []struct {
		subject, from string
		body          []string
		notBody       []string
		note          string // "" = none shown
	}{
		// multipart/alternative shows the plain part.
		{subject: "Winter sale", body: []string{"20% off everything"}, notBody: []string{"<"}},
		// HTML only: turned into text, never markup; remote content is never loaded.
		{subject: "Your order", body: []string{"Dear customer,", "Fish & chips <tasty>"},
			notBody: []string{"<p>", "pixel.gif"}, note: "converted from HTML"},
		// ISO-8859-1 headers and body are decoded.
		{subject: "Café con leña", body: []string{"El café de mañana"}},
	}
	for _, tc := range tests {
		t.Run(tc.subject, func(t *testing.T) {
			f.open(t, tc.subject)
			body := f.text(func() string { return f.w.viewer.body.Text })
			for _, s := range tc.body {
				if !strings.Contains(body, s) {
					t.Errorf("body lacks %q:\n%s", s, body)
				}
			}
			for _, s := range tc.notBody {
				if strings.Contains(body, s) {
					t.Errorf("body shows %q:\n%s", s, body)
				}
			}
			note := f.text(func() string {
				if f.w.viewer.note.Hidden {
					return ""
				}
				return f.w.viewer.note.Text
			})
			if !strings.Contains(note, tc.note) || (tc.note == "" && note != "") {
				t.Errorf("note = %q, want %q", note, tc.note)
			}
			if from := f.text(func() string { return f.w.viewer.from.Text }); from == "" || from == "—" {
				t.Errorf("From is empty")
			}
		})
	}
}

func TestReadStatePersists(t *testing.T) {
	f := newWindow(t)
	ctx := context.Background()
	f.eventually(t, "unread count 7", func() bool { _, _, n, _ := f.w.sidebarItem(1); return n == 7 })
	msg := f.open(t, "Lunch on Friday")
	f.eventually(t, "unread count 6 after opening", func() bool { _, _, n, _ := f.w.sidebarItem(1); return n == 6 })
	if m, err := f.store.Message(ctx, msg.ID); err != nil || !m.Read {
		t.Fatalf("stored message read = %v, %v; want read after opening", m.Read, err)
	}
	f.q.wait(f.w.toggleRead)
	f.eventually(t, "unread count 7 after Mark unread", func() bool { _, _, n, _ := f.w.sidebarItem(0); return n == 7 })
	if m, _ := f.store.Message(ctx, msg.ID); m.Read {
		t.Error("Mark unread did not reach the store")
	}
	if label := f.text(func() string { return f.w.toolbar.read.Text }); label != "Mark read" {
		t.Errorf("toolbar says %q, want Mark read", label)
	}
}

func TestAttachmentShownAndSaved(t *testing.T) {
	f := newWindow(t)
	msg := f.open(t, "Quarterly report")
	var n int
	f.q.wait(func() { n = len(f.w.viewer.attachments.Objects) })
	if n != 1 {
		t.Fatalf("%d attachment rows, want 1", n)
	}
	var buf closeBuffer
	done := make(chan error, 1)
	f.q.wait(func() { f.w.writeAttachment(msg.ID, 0, &buf, func(err error) { done <- err }) })
	if err := <-done; err != nil {
		t.Fatalf("writeAttachment() = %v", err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF")) || !buf.closed {
		t.Errorf("saved %d bytes %q..., closed %v; want the decoded PDF", buf.Len(), buf.Bytes()[:min(8, buf.Len())], buf.closed)
	}
}

type closeBuffer struct {
	bytes.Buffer
	closed bool
}

func (b *closeBuffer) Close() error { b.closed = true; return nil }

func TestDeleteRestoreAndEmptyTrash(t *testing.T) {
	f := newWindow(t)
	ctx := context.Background()
	msg := f.open(t, "Lunch on Friday")
	f.q.wait(f.w.deleteSelected)
	f.eventually(t, "the list without the deleted message", func() bool { return f.w.list.Length() == 6 })
	if m, err := f.store.Message(ctx, msg.ID); err != nil || m.Trashed == nil {
		t.Fatalf("stored message = %+v, %v; want it in the Trash", m, err)
	}
	// The Trash is the last sidebar row.
	f.q.wait(func() { f.w.sidebar.Select(f.w.sidebar.Length() - 1) })
	f.eventually(t, "the Trash to list it", func() bool { return f.w.list.Length() == 1 })
	f.open(t, "Lunch on Friday")
	f.q.wait(f.w.restoreSelected)
	f.eventually(t, "the Trash to be empty", func() bool { return f.w.list.Length() == 0 })
	if m, _ := f.store.Message(ctx, msg.ID); m.Trashed != nil {
		t.Error("Restore did not reach the store")
	}
}

func TestSearchFiltersTheList(t *testing.T) {
	f := newWindow(t)
	f.q.wait(func() { test.Type(f.w.search, "report") })
	f.eventually(t, "one search result", func() bool { return f.w.rows.len() == 1 })
	if s := f.listed(t); len(s) != 1 || !strings.Contains(s[0].Subject, "Quarterly report") {
		t.Errorf("search results %v, want the quarterly report", s)
	}
	f.q.wait(func() { f.w.search.SetText("") })
	f.eventually(t, "the whole list back", func() bool { return f.w.list.Length() == 7 })
	f.q.wait(f.w.focusSearch)
	var focused bool
	f.q.wait(func() { focused = f.w.window.Canvas().Focused() == f.w.search })
	if !focused {
		t.Error("Ctrl+F did not focus the search field")
	}
}

// TestEditKeepsWhatTheFormDoesNotShow: saving the full form keeps the settings it has no
// field for (OAuth2 sign-in, SMTP mechanism, signature) and saves the SMTP fields it has.
func TestEditKeepsWhatTheFormDoesNotShow(t *testing.T) {
	f := newWindow(t)
	ctx := context.Background()
	a := *f.acct
	a.OAuthProvider, a.OAuthClientID, a.OAuthAuthURL, a.OAuthTokenURL, a.OAuthScopes =
		"custom", "pouch-test", "https://auth.example/authorize", "https://auth.example/token", "mail"
	a.SMTPHost, a.SMTPPort, a.SMTPSecurity, a.SMTPAuth = "smtp.example.com", 465, mailstore.SecurityTLS, "XOAUTH2"
	a.Signature = "-- \nAlice"
	if err := f.store.UpdateAccount(ctx, &a); err != nil {
		t.Fatal(err)
	}
	var form *accountForm
	f.q.wait(func() {
		c := a
		form = f.w.newAccountForm(&c)
	})
	if got := f.text(func() string { return form.errLabel.Text }); got != "" {
		t.Fatalf("an unchanged account shows %q", got)
	}
	f.q.wait(func() {
		form.displayName.SetText("Alice")
		form.smtpSecurity.SetSelected("STARTTLS")
		form.submit()
	})
	f.eventually(t, "the edit to be saved", func() bool {
		b, err := f.store.AccountByName(ctx, "Home")
		return err == nil && b.DisplayName == "Alice"
	})
	b, _ := f.store.AccountByName(ctx, "Home")
	if b.OAuthProvider != "custom" || b.OAuthTokenURL != a.OAuthTokenURL || b.SMTPAuth != "XOAUTH2" || b.Signature != a.Signature {
		t.Errorf("saved account lost what the form does not show: %+v", *b)
	}
	if b.SMTPHost != "smtp.example.com" || b.SMTPSecurity != mailstore.SecurityStartTLS || b.SMTPPort != 587 {
		t.Errorf("SMTP after the edit = %q:%d %q, want STARTTLS on 587", b.SMTPHost, b.SMTPPort, b.SMTPSecurity)
	}
	// A bad port for the sending server is flagged where it is typed.
	f.q.wait(func() {
		form = f.w.newAccountForm(b)
		form.smtpPort.SetText("70000")
	})
	if got := f.text(func() string { return form.errLabel.Text }); !strings.Contains(got, "SMTP port") {
		t.Errorf("a bad SMTP port shows %q", got)
	}
}

func TestAddAccountForm(t *testing.T) {
	f := newWindow(t)
	var form *accountForm
	f.q.wait(func() { form = f.w.newAccountForm(nil) })

	// Validation as you type: each field says what to fix; nothing is saved.
	steps := []struct {
		field *setter
		text  string
		want  string
	}{
		{&setter{form.name}, "Home", "already used"},
		{&setter{form.name}, "Work", "Server must not be empty"},
		{&setter{form.host}, "pop3://pop.example.org", "not a URL"},
		{&setter{form.host}, "pop.example.org", "User name must not be empty"},
		{&setter{form.user}, "bob", "Password is needed"},
		{&setter{form.port}, "99999", "not a port number"},
		{&setter{form.port}, "995", "Password is needed"},
		{&setter{form.interval}, "0", "out of range"},
		{&setter{form.interval}, "15", "Password is needed"},
		{&setter{form.address}, "not an address", "not an email address"},
		{&setter{form.address}, "bob@example.org", "Password is needed"},
	}
	for _, s := range steps {
		f.q.wait(func() { s.field.e.SetText(s.text) })
		if got := f.text(func() string { return form.errLabel.Text }); !strings.Contains(got, s.want) {
			t.Errorf("after typing %q: message %q, want %q", s.text, got, s.want)
		}
	}
	f.q.wait(form.submit)
	if _, err := f.store.AccountByName(context.Background(), "Work"); !errors.Is(err, mailstore.ErrNotFound) {
		t.Fatalf("an invalid form saved the account: %v", err)
	}

	// The port follows the security choice; "none" warns.
	f.q.wait(func() { form.security.SetSelected("STARTTLS") })
	if port := f.text(func() string { return form.port.Text }); port != "110" {
		t.Errorf("port after choosing STARTTLS = %q, want 110", port)
	}
	f.q.wait(func() { form.security.SetSelected("None (unencrypted)") })
	if hidden := form.securityWarning.Hidden; hidden {
		t.Error("no warning for an unencrypted connection")
	}
	f.q.wait(func() {
		form.security.SetSelected("STARTTLS")
		form.auth.SetSelected("SCRAM-SHA-256")
		form.leave.SetSelected("Keep forever")
		form.deleteOnServer.SetChecked(true)
		form.sizeLimit.SetText("2048")
		form.displayName.SetText("Bob Example")
		test.Type(form.password, "hunter2")
		form.submit()
	})
	f.eventually(t, "the account to appear in the sidebar", func() bool { return f.w.sidebar.Length() == 4+len(outgoingFolders) })
	a, err := f.store.AccountByName(context.Background(), "Work")
	if err != nil {
		t.Fatal(err)
	}
	want := mailstore.Account{Name: "Work", Host: "pop.example.org", Port: 110, Security: mailstore.SecurityStartTLS,
		Username: "bob", KeepForever: true, Interval: 15 * time.Minute, DisplayName: "Bob Example",
		Address: "bob@example.org", AuthMethod: "SCRAM-SHA-256", DeleteOnServer: true, SizeLimit: 2048 * 1024}
	a.ID, a.Created, a.LeaveDays = 0, time.Time{}, 0
	if a.Name != want.Name || a.Host != want.Host || a.Port != want.Port || a.Security != want.Security ||
		a.Username != want.Username || a.KeepForever != want.KeepForever || a.Interval != want.Interval ||
		a.DisplayName != want.DisplayName || a.Address != want.Address || a.AuthMethod != want.AuthMethod ||
		a.DeleteOnServer != want.DeleteOnServer || a.SizeLimit != want.SizeLimit {
		t.Errorf("saved account = %+v\nwant %+v", *a, want)
	}
	if pw, _ := f.kr.Get("Work"); pw != "hunter2" {
		t.Errorf("keyring has %q, want the typed password", pw)
	}
	if checks := f.fp.edited(); len(checks) == 0 || checks[len(checks)-1] != "Work" {
		t.Errorf("poller checks = %v, want a check of the new account", checks)
	}
}

type setter struct{ e interface{ SetText(string) } }

func TestEditAndRemoveAccount(t *testing.T) {
	f := newWindow(t)
	ctx := context.Background()
	if err := f.kr.Set("Home", "old-pw"); err != nil {
		t.Fatal(err)
	}
	var form *accountForm
	f.q.wait(func() {
		a := *f.acct
		form = f.w.newAccountForm(&a)
	})
	if got := f.text(func() string { return form.errLabel.Text }); got != "" {
		t.Fatalf("an unchanged account shows %q", got)
	}
	f.q.wait(func() {
		form.displayName.SetText("Alice")
		form.leave.SetSelected("Delete after download")
		form.submit()
	})
	f.eventually(t, "the edit to be saved", func() bool {
		a, err := f.store.AccountByName(ctx, "Home")
		return err == nil && a.DisplayName == "Alice" && a.LeaveDays == 0 && !a.KeepForever
	})
	if pw, _ := f.kr.Get("Home"); pw != "old-pw" {
		t.Errorf("an empty password field changed the stored password to %q", pw)
	}

	// Remove, keeping the mail.
	f.q.wait(func() {
		a, _ := f.store.AccountByName(ctx, "Home")
		form = f.w.newAccountForm(a)
		form.remove(true)
	})
	// Its mail stays, under "Home (removed)" in the sidebar (TestRemovedAccountMailStaysVisible).
	f.eventually(t, "the account to leave the sidebar", func() bool {
		return len(f.w.accounts) == 0 && f.w.sidebar.Length() == 3+len(outgoingFolders)
	})
	if n, _ := f.store.CountMessages(ctx, 0); n != 7 {
		t.Errorf("%d messages after removing with keep, want 7", n)
	}
	if _, err := f.kr.Get("Home"); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("keyring still holds the removed account's password: %v", err)
	}
}

func TestRemoveAccountWithMail(t *testing.T) {
	f := newWindow(t)
	f.q.wait(func() {
		a := *f.acct
		f.w.newAccountForm(&a).remove(false)
	})
	f.eventually(t, "an empty list", func() bool { return f.w.list.Length() == 0 && f.w.sidebar.Length() == 2+len(outgoingFolders) })
	if n, _ := f.store.CountMessages(context.Background(), 0); n != 0 {
		t.Errorf("%d messages left, want 0", n)
	}
}

func TestCertificateDialog(t *testing.T) {
	f := newWindow(t)
	_, certPEM := pop3test.NewTLSCert("pop.example.com")
	certs := parsePEM(t, certPEM)
	pin := pop3.CertificateSHA256(certs[0])

	var d *certDialog
	f.q.wait(func() { d = f.w.newCertDialog(*f.acct, certs, nil) })
	if d.changed {
		t.Error("a first certificate is shown as changed")
	}
	if !strings.Contains(d.sha256.Text, colonHex(pin)) || !strings.Contains(d.subject.Text, "pop.example.com") ||
		d.issuer.Text == "" || d.validUntil.Text == "" {
		t.Errorf("dialog shows subject %q issuer %q until %q sha %q", d.subject.Text, d.issuer.Text, d.validUntil.Text, d.sha256.Text)
	}
	// Pinning is an explicit act: showing the dialog pins nothing, not even a moment later
	// (a pin saved in the background would land within this wait).
	storedPin := func() (string, error) {
		a, err := f.store.AccountByName(context.Background(), "Home")
		if err != nil {
			return "", err
		}
		return a.PinnedCertSHA256, nil
	}
	f.q.wait(d.dialog.Show)
	for deadline := time.Now().Add(300 * time.Millisecond); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if p, err := storedPin(); err != nil || p != "" {
			t.Fatalf("before Trust was clicked, the stored pin is %q (%v), want none", p, err)
		}
	}
	if checks := f.fp.checked(); len(checks) != 0 {
		t.Errorf("a check of %q was asked for before Trust was clicked", checks)
	}
	f.q.wait(d.trust)
	f.eventually(t, "the pin to be saved", func() bool { p, err := storedPin(); return err == nil && p == pin })

	// A different certificate than the pinned one is a loud warning.
	_, otherPEM := pop3test.NewTLSCert("pop.example.com")
	pinned := *f.acct
	pinned.PinnedCertSHA256 = pin
	f.q.wait(func() { d = f.w.newCertDialog(pinned, parsePEM(t, otherPEM), nil) })
	if !d.changed || !strings.Contains(d.warning.Text, "intercepting") || !strings.Contains(d.warning.Text, colonHex(pin)) {
		t.Errorf("changed certificate: Changed=%v warning %q", d.changed, d.warning.Text)
	}
}

func parsePEM(t *testing.T, pemData []byte) []*x509.Certificate {
	t.Helper()
	var certs []*x509.Certificate
	for rest := pemData; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, c)
	}
	return certs
}

func TestErrorBadge(t *testing.T) {
	f := newWindow(t)
	f.emit(engine.Event{Kind: engine.EventStatus, Account: "Home", Status: engine.AccountStatus{Account: "Home",
		LastError: "pop3: -ERR [AUTH] Authentication failed", ErrorKind: engine.ErrorKindAuth, Stopped: true}})
	f.eventually(t, "the badge", func() bool {
		_, _, _, reason := f.w.sidebarItem(1)
		return strings.Contains(reason, "Authentication failed") && strings.Contains(reason, "paused")
	})
	// No doubled prefix ("Home: pop3: …"): the banner names the account once.
	if banner := f.text(func() string { return f.w.banner.Text }); !strings.Contains(banner, "Home: -ERR [AUTH]") ||
		strings.Contains(banner, "pop3:") || !f.w.bannerBox.Visible() {
		t.Errorf("banner = %q (visible %v)", banner, f.w.bannerBox.Visible())
	}
	f.emit(engine.Event{Kind: engine.EventStatus, Account: "Home", Status: engine.AccountStatus{Account: "Home"}})
	f.eventually(t, "the badge to clear", func() bool { _, _, _, reason := f.w.sidebarItem(1); return reason == "" })

	f.emit(engine.Event{Kind: engine.EventFinished, Account: "Home", Result: &engine.Result{Account: "Home", New: 2, Bytes: 2048}})
	f.eventually(t, "the status bar", func() bool {
		return strings.Contains(f.w.status.Text, "2 new messages") && strings.HasPrefix(f.w.lastCheck.Text, "Last check")
	})
	f.q.wait(f.w.checkNow)
	if checks := f.fp.checked(); len(checks) != 1 || checks[0] != "" {
		t.Errorf("Check now asked the poller for %q, want one check of every account", checks)
	}
}

func TestNewMailNotification(t *testing.T) {
	n := newMailNotification("Home", 3, []mailstore.Message{{From: "Bob <bob@example.org>", Subject: "Hi"}})
	if n.Title != "3 new messages in Home" || n.Content != "Bob <bob@example.org>: Hi" {
		t.Errorf("notification = %q / %q", n.Title, n.Content)
	}
}

func TestPreferences(t *testing.T) {
	f := newWindow(t)
	var d *preferencesDialog
	f.q.wait(func() {
		d = f.w.newPreferencesDialog()
		d.interval.SetSelected("30 minutes")
		d.notifications.SetChecked(false)
		d.keepInTray.SetChecked(true)
		d.theme.SetSelected("Dark")
		d.apply()
	})
	p := f.w.app.Preferences()
	if p.Int("default_check_interval_minutes") != 30 || p.Bool("notifications") || !p.Bool("keep_running_in_tray") || p.String("theme") != "dark" {
		t.Errorf("stored preferences: interval %d notifications %v tray %v theme %q",
			p.Int("default_check_interval_minutes"), p.Bool("notifications"), p.Bool("keep_running_in_tray"), p.String("theme"))
	}
	// A new account starts with the preferred interval.
	var form *accountForm
	f.q.wait(func() { form = f.w.newAccountForm(nil) })
	if got := f.text(func() string { return form.interval.Text }); got != "30" {
		t.Errorf("new account interval = %q, want 30", got)
	}
}

// TestUnsearchableInStatusBar: the poller's index reports show in the status bar until the
// index has caught up.
func TestUnsearchableInStatusBar(t *testing.T) {
	f := newWindow(t)
	f.emit(engine.Event{Kind: engine.EventIndex, Unsearchable: 1200})
	f.eventually(t, "the count", func() bool {
		return f.w.unsearchable.Text == "1200 messages not yet searchable" && f.w.unsearchable.Visible()
	})
	f.emit(engine.Event{Kind: engine.EventIndex, Unsearchable: 1})
	f.eventually(t, "the singular", func() bool { return f.w.unsearchable.Text == "1 message not yet searchable" })
	f.emit(engine.Event{Kind: engine.EventIndex})
	f.eventually(t, "the count to go", func() bool { return !f.w.unsearchable.Visible() })
}
