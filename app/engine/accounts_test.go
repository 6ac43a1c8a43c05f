package engine_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
)

// recordingKeyring is an OS keyring stand-in that remembers every write.
type recordingKeyring struct {
	secrets.Memory
	mu   sync.Mutex
	sets []string // "account=secret"
}

func (k *recordingKeyring) Set(account, secret string) error {
	k.mu.Lock()
	k.sets = append(k.sets, account+"="+secret)
	k.mu.Unlock()
	return k.Memory.Set(account, secret)
}

func (k *recordingKeyring) writes() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.sets...)
}

// newRecordingEngine gives the engine its session layer explicitly, so the test can read what
// the engine would use.
func newRecordingEngine(t *testing.T) (*engine.Engine, *secrets.Session, *recordingKeyring) {
	kr := &recordingKeyring{}
	sess := secrets.NewSession(kr)
	return newFixture(t, fixtureOptions{keyring: sess}).e, sess, kr
}

// A password given for this session only ("do not store it in the keyring") must stay in
// memory when the account is renamed, with or without session-only mode.
func TestRenameKeepsSessionPasswordOutOfKeyring(t *testing.T) {
	for _, sessionOnly := range []bool{false, true} {
		e, sess, kr := newRecordingEngine(t)
		ctx := context.Background()
		e.UseSessionPasswords(sessionOnly)
		a := newAccount("home")
		if err := e.AddAccount(ctx, a, ""); err != nil {
			t.Fatal(err)
		}
		e.SetSessionPassword("home", "session-secret")
		a.Name = "house"
		if err := e.UpdateAccount(ctx, a, nil); err != nil {
			t.Fatalf("sessionOnly=%v: UpdateAccount(rename) = %v", sessionOnly, err)
		}
		if w := kr.writes(); len(w) != 0 {
			t.Errorf("sessionOnly=%v: the rename wrote %q to the keyring, want nothing", sessionOnly, w)
		}
		// The session password follows the account; the old name has none.
		rep, err := sess.Get("house")
		if err != nil || rep != "session-secret" {
			t.Errorf("sessionOnly=%v: password of house = %q, %v; want the session one", sessionOnly, rep, err)
		}
		if _, err := sess.Get("home"); !errors.Is(err, secrets.ErrNotFound) {
			t.Errorf("sessionOnly=%v: password of home after rename = %v, want ErrNotFound", sessionOnly, err)
		}
	}
}

// A password that is in the keyring moves within the keyring.
func TestRenameMovesKeyringPassword(t *testing.T) {
	e, _, kr := newRecordingEngine(t)
	ctx := context.Background()
	a := newAccount("home")
	if err := e.AddAccount(ctx, a, "stored"); err != nil {
		t.Fatal(err)
	}
	a.Name = "house"
	if err := e.UpdateAccount(ctx, a, nil); err != nil {
		t.Fatal(err)
	}
	if v, err := kr.Get("house"); err != nil || v != "stored" {
		t.Errorf("keyring[house] = %q, %v; want stored", v, err)
	}
	if _, err := kr.Get("home"); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("keyring[home] = %v, want ErrNotFound", err)
	}
}

// holdSessionLock takes account a's session lock as another Pouch's running session would.
func holdSessionLock(t *testing.T, store *mailstore.Store, a *mailstore.Account) (release func()) {
	t.Helper()
	dir := filepath.Join(filepath.Dir(store.Path()), "locks")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	fl := flock.New(filepath.Join(dir, "account-"+strconv.FormatInt(a.ID, 10)+".lock"))
	if ok, err := fl.TryLock(); !ok || err != nil {
		t.Fatalf("taking the session lock: %v, %v", ok, err)
	}
	var once sync.Once
	release = func() { once.Do(func() { _ = fl.Unlock() }) }
	t.Cleanup(release)
	return release
}

// Removing an account with its mail must not purge the local copies while a session of that
// account runs (it could DELE after the purge): it waits for the session's lock, and gives up
// with a LockedError when the session does not end in time.
func TestRemoveAccountWaitsForSessionLock(t *testing.T) {
	for _, remove := range []struct {
		name string
		fn   func(*engine.Engine, context.Context, string) error
	}{
		{"RemoveAccountAndMail", (*engine.Engine).RemoveAccountAndMail},
		{"RemoveAccount", (*engine.Engine).RemoveAccount},
	} {
		t.Run(remove.name, func(t *testing.T) {
			engine.SetRemoveLockWait(t, 300*time.Millisecond)
			e, store, _ := newDesktopEngine(t)
			ctx := context.Background()
			a := newAccount("home")
			if err := e.AddAccount(ctx, a, "pw"); err != nil {
				t.Fatal(err)
			}
			if _, err := store.NewSaver(a.ID).Save(ctx, []mailstore.BatchItem{{UIDL: "u1", Data: []byte("Subject: hi\r\n\r\nbody\r\n")}}, time.Now()); err != nil {
				t.Fatal(err)
			}
			release := holdSessionLock(t, store, a)

			// Held throughout: refused, nothing removed.
			var lerr *engine.LockedError
			if err := remove.fn(e, ctx, "home"); !errors.As(err, &lerr) {
				t.Fatalf("%s while a session runs = %v, want a LockedError", remove.name, err)
			}
			if n, _ := store.CountMessages(ctx, 0); n != 1 {
				t.Errorf("%d messages after the refused removal, want 1", n)
			}
			if _, err := store.AccountByName(ctx, "home"); err != nil {
				t.Errorf("the account is gone after the refused removal: %v", err)
			}

			// A cancelled wait ends at once with the context's error.
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			if err := remove.fn(e, cctx, "home"); !errors.Is(err, context.Canceled) {
				t.Errorf("%s with a cancelled context = %v, want context.Canceled", remove.name, err)
			}

			// Released while waiting: the removal goes ahead after the release, not before.
			engine.SetRemoveLockWait(t, 10*time.Second)
			done := make(chan error, 1)
			go func() { done <- remove.fn(e, ctx, "home") }()
			select {
			case err := <-done:
				t.Fatalf("%s returned %v while the lock was held", remove.name, err)
			case <-time.After(300 * time.Millisecond):
			}
			if _, err := store.AccountByName(ctx, "home"); err != nil {
				t.Fatalf("the account went while the lock was held: %v", err)
			}
			release()
			if err := <-done; err != nil {
				t.Fatalf("%s after the release = %v", remove.name, err)
			}
			if _, err := store.AccountByName(ctx, "home"); !errors.Is(err, mailstore.ErrNotFound) {
				t.Errorf("account after removal: %v, want ErrNotFound", err)
			}
		})
	}
}

// TestPointingElsewhereWaitsForSessionLock: changing an account's host or user waits for a
// running session, which would otherwise write the old mailbox's rows into the fresh ledger.
// Other edits do not wait.
func TestPointingElsewhereWaitsForSessionLock(t *testing.T) {
	engine.SetRemoveLockWait(t, 300*time.Millisecond)
	e, store, _ := newDesktopEngine(t)
	ctx := context.Background()
	a := newAccount("home")
	if err := e.AddAccount(ctx, a, "pw"); err != nil {
		t.Fatal(err)
	}
	release := holdSessionLock(t, store, a)
	defer release()
	b := *a
	b.Interval = 2 * b.Interval
	if err := e.UpdateAccount(ctx, &b, nil); err != nil {
		t.Errorf("an interval change while a session runs = %v, want it saved", err)
	}
	c := b
	c.Host = "other.example"
	var lerr *engine.LockedError
	if err := e.UpdateAccount(ctx, &c, nil); !errors.As(err, &lerr) {
		t.Errorf("a host change while a session runs = %v, want a LockedError", err)
	}
	if got, _ := store.Account(ctx, a.ID); got.Host != a.Host {
		t.Errorf("host after the refused change = %q, want %q", got.Host, a.Host)
	}
}

// TestRemovedAccountKeepsItsName: the mail of an account removed with "keep mail" is listed
// under its name, counted, found by account:NAME, and stays apart from a new account of that
// name.
func TestRemovedAccountKeepsItsName(t *testing.T) {
	e, store, _ := newDesktopEngine(t)
	ctx := context.Background()
	work := newAccount("Work")
	if err := e.AddAccount(ctx, work, "pw"); err != nil {
		t.Fatal(err)
	}
	for i, subject := range []string{"budget", "budget again", "lunch"} {
		raw := []byte("Subject: " + subject + "\r\n\r\nbody\r\n")
		if _, err := store.NewSaver(work.ID).Save(ctx, []mailstore.BatchItem{{UIDL: strconv.Itoa(i), Data: raw}}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := e.AccountMessages(ctx, "Work"); err != nil || n != 3 {
		t.Fatalf("AccountMessages() = %d, %v; want 3", n, err)
	}
	if err := e.RemoveAccount(ctx, "Work"); err != nil {
		t.Fatal(err)
	}
	removed, err := e.RemovedAccounts(ctx)
	if err != nil || len(removed) != 1 || removed[0] != (mailstore.RemovedAccount{Name: "Work", Messages: 3, Unread: 3}) {
		t.Fatalf("RemovedAccounts() = %+v, %v; want Work with 3 messages, 3 unread", removed, err)
	}
	found, err := e.Search(ctx, "account:Work budget", 10)
	if err != nil || len(found) != 2 {
		t.Fatalf("Search(account:Work budget) = %d messages, %v; want 2", len(found), err)
	}
	var nf *engine.NotFoundError
	if _, err := e.Search(ctx, "account:Nobody budget", 10); !errors.As(err, &nf) {
		t.Errorf("Search(account:Nobody) = %v, want a NotFoundError", err)
	}
	// A new account of the same name starts empty; the old mail keeps its own entry.
	again := newAccount("Work")
	if err := e.AddAccount(ctx, again, "pw"); err != nil {
		t.Fatal(err)
	}
	if msgs, _ := store.Messages(ctx, mailstore.Filter{AccountID: again.ID}); len(msgs) != 0 {
		t.Errorf("the new Work account lists %d messages, want 0", len(msgs))
	}
	if msgs, _ := store.Messages(ctx, mailstore.Filter{RemovedAccount: "Work"}); len(msgs) != 3 {
		t.Errorf("the removed Work lists %d messages, want 3", len(msgs))
	}
}
