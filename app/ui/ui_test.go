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

// uiQueue stands in for the UI goroutine: Fyne's test driver runs fyne.Do on the caller's
// goroutine, so the window's callbacks and the test's own checks are funnelled through one.
type uiQueue struct {
	fns  chan func()
	stop chan struct{}
}

func newQueue(t *testing.T) *uiQueue {
	q := &uiQueue{fns: make(chan func()), stop: make(chan struct{})}
	go func() {
		for {
			select {
			case fn := <-q.fns:
				fn()
			case <-q.stop:
				return
			}
		}
	}()
	t.Cleanup(func() { close(q.stop) })
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

// newWindow opens a window on a store holding the repository's fixture messages.
func newWindow(t *testing.T) (*ui.MainWindow, *mailstore.Store, *memSecrets, *uiQueue) {
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
	q := newQueue(t)
	var w *ui.MainWindow
	q.wait(func() { w = ui.NewWithQueue(ctx, a, engine.New(store, sec, engine.Options{}), q.do) })
	t.Cleanup(func() { q.wait(w.Window.Close) })
	return w, store, sec, q
}

// eventually polls cond on the UI goroutine until it holds.
func eventually(t *testing.T, q *uiQueue, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var ok bool
		q.wait(func() { ok = cond() })
		if ok {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestMessageListAndViewer(t *testing.T) {
	w, _, _, q := newWindow(t)
	eventually(t, q, "the message list", func() bool { return w.List.Length() == 6 })
	eventually(t, q, "the sidebar", func() bool { return w.Sidebar.Length() == 2 })

	// Newest first: the fixture dated 21 Nov comes first.
	q.wait(func() { w.List.Select(0) })
	eventually(t, q, "the newest message to open", func() bool {
		return strings.Contains(w.Header.Text, "Winter sale") && strings.Contains(w.Body.Text, "20% off everything")
	})
	var body string
	q.wait(func() { body = w.Body.Text })
	if strings.Contains(body, "<") {
		t.Errorf("multipart/alternative shows markup: %q", body)
	}

	// A non-UTF-8 message is shown decoded; fixtures are dated a day apart, so it is 4th.
	q.wait(func() { w.List.Select(3) })
	eventually(t, q, "the ISO-8859-1 message to open", func() bool {
		return strings.Contains(w.Header.Text, "Café con leña") && strings.Contains(w.Body.Text, "El café de mañana")
	})
}

func TestAttachmentShown(t *testing.T) {
	w, _, _, q := newWindow(t)
	eventually(t, q, "the message list", func() bool { return w.List.Length() == 6 })
	q.wait(func() { w.List.Select(4) })
	eventually(t, q, "the attachment line", func() bool {
		return strings.Contains(w.Header.Text, "Quarterly report") && strings.Contains(w.Header.Text, "report-q3.pdf")
	})
}

func TestAddAccountForm(t *testing.T) {
	w, store, sec, q := newWindow(t)
	var f *ui.AccountForm
	q.wait(func() { f = w.NewAccountForm() })

	// Validation: says what to fix, saves nothing.
	q.wait(func() {
		test.Type(f.Name, "Work")
		f.Submit()
	})
	eventually(t, q, "a validation message", func() bool { return strings.Contains(f.Error.Text, "host") })

	q.wait(func() {
		test.Type(f.Host, "pop.example.org")
		test.Type(f.User, "bob")
		f.Submit()
	})
	eventually(t, q, "the password request", func() bool { return strings.Contains(f.Error.Text, "password") })

	// The port follows the security choice.
	q.wait(func() { f.Security.SetSelected("STARTTLS") })
	var port string
	q.wait(func() { port = f.Port.Text })
	if port != "110" {
		t.Errorf("port after choosing STARTTLS = %q, want 110", port)
	}

	q.wait(func() {
		test.Type(f.Password, "hunter2")
		f.Submit()
	})
	eventually(t, q, "the account to appear in the sidebar", func() bool { return w.Sidebar.Length() == 3 })
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
