package ui_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/app/ui"
	"github.com/pouchmail/pouch/mailstore"
)

// memSecrets is an in-memory secrets.Store.
type memSecrets struct {
	mu sync.Mutex
	m  map[string]string
}

func (s *memSecrets) Get(a string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.m[a]; ok {
		return v, nil
	}
	return "", secrets.ErrNotFound
}

func (s *memSecrets) Set(a, v string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[a] = v
	return nil
}

func (s *memSecrets) Delete(a string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, a)
	return nil
}

// newWindow opens a window on a store holding the repository's fixture messages.
func newWindow(t *testing.T) (*ui.MainWindow, *mailstore.Store, *memSecrets) {
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
	paths, _ := filepath.Glob("../../testdata/mail/*.eml")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		raw := bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
		if _, err := store.SaveMessage(ctx, acct.ID, filepath.Base(p), raw, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	sec := &memSecrets{m: map[string]string{}}
	w := ui.New(ctx, a, engine.New(store, sec, engine.Options{}))
	t.Cleanup(w.Window.Close)
	return w, store, sec
}

// eventually polls cond on the UI goroutine until it holds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var ok bool
		fyne.DoAndWait(func() { ok = cond() })
		if ok {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestMessageListAndViewer(t *testing.T) {
	w, _, _ := newWindow(t)
	eventually(t, "the message list", func() bool { return w.List.Length() == 6 })
	eventually(t, "the sidebar", func() bool { return w.Sidebar.Length() == 2 })

	// Newest first: the fixture dated 21 Nov comes first.
	fyne.DoAndWait(func() { w.List.Select(0) })
	eventually(t, "the newest message to open", func() bool {
		return strings.Contains(w.Header.Text, "Winter sale") && strings.Contains(w.Body.Text, "20% off everything")
	})
	if strings.Contains(w.Body.Text, "<") {
		t.Errorf("multipart/alternative shows markup: %q", w.Body.Text)
	}

	// A non-UTF-8 message is shown decoded.
	for i := 0; i < 6; i++ {
		fyne.DoAndWait(func() { w.List.Select(i) })
		var header, body string
		eventually(t, "a message to open", func() bool {
			header, body = w.Header.Text, w.Body.Text
			return strings.Contains(header, "Subject:")
		})
		if strings.Contains(header, "Café") {
			eventually(t, "the decoded body", func() bool { return strings.Contains(w.Body.Text, "El café de mañana") })
			return
		}
		_ = body
	}
	t.Error("the ISO-8859-1 message was not found in the list")
}

func TestAttachmentShown(t *testing.T) {
	w, _, _ := newWindow(t)
	eventually(t, "the message list", func() bool { return w.List.Length() == 6 })
	for i := 0; i < 6; i++ {
		fyne.DoAndWait(func() { w.List.Select(i) })
		eventually(t, "a message to open", func() bool { return strings.Contains(w.Header.Text, "Subject:") })
		var h string
		fyne.DoAndWait(func() { h = w.Header.Text })
		if strings.Contains(h, "Quarterly report") {
			eventually(t, "the attachment line", func() bool { return strings.Contains(w.Header.Text, "report-q3.pdf") })
			return
		}
	}
	t.Error("the message with an attachment was not found")
}

func TestAddAccountForm(t *testing.T) {
	w, store, sec := newWindow(t)
	var f *ui.AccountForm
	fyne.DoAndWait(func() { f = w.NewAccountForm() })

	// Validation: says what to fix, saves nothing.
	fyne.DoAndWait(func() {
		test.Type(f.Name, "Work")
		f.Submit()
	})
	eventually(t, "a validation message", func() bool { return strings.Contains(f.Error.Text, "host") })

	fyne.DoAndWait(func() {
		test.Type(f.Host, "pop.example.org")
		test.Type(f.User, "bob")
		f.Submit()
	})
	eventually(t, "the password request", func() bool { return strings.Contains(f.Error.Text, "password") })

	// The port follows the security choice.
	fyne.DoAndWait(func() { f.Security.SetSelected("STARTTLS") })
	if f.Port.Text != "110" {
		t.Errorf("port after choosing STARTTLS = %q, want 110", f.Port.Text)
	}

	fyne.DoAndWait(func() {
		test.Type(f.Password, "hunter2")
		f.Submit()
	})
	eventually(t, "the account to appear in the sidebar", func() bool { return w.Sidebar.Length() == 3 })
	a, err := store.AccountByName(context.Background(), "Work")
	if err != nil {
		t.Fatal(err)
	}
	if a.Security != mailstore.SecurityStartTLS || a.Port != 110 || a.Username != "bob" || a.LeaveDays != 14 {
		t.Errorf("saved account = %+v", a)
	}
	if pw, _ := sec.Get("Work"); pw != "hunter2" {
		t.Errorf("keyring has %q, want the typed password", pw)
	}
}
