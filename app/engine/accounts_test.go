package engine_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

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
	t.Helper()
	store, err := mailstore.Open(context.Background(), filepath.Join(t.TempDir(), "pouch.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	kr := &recordingKeyring{}
	sess := secrets.NewSession(kr)
	return engine.New(store, sess, engine.Options{}), sess, kr
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
