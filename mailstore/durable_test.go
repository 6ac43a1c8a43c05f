package mailstore_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

// TestDeferSyncThenSync: a Saver with DeferSync commits on a synchronous=NORMAL connection and
// gives it back to the pool at FULL (every other writer relies on that); Sync then leaves the
// whole WAL in the database file.
func TestDeferSyncThenSync(t *testing.T) {
	s := openTest(t)
	a := newAccount(t, s, "home")
	ctx := context.Background()
	mailstore.SetMaxConns(s, 1) // the save's connection is the one checked below
	sv := s.NewSaver(a.ID)
	sv.DeferSync()
	items := []mailstore.BatchItem{{UIDL: "u1", Data: []byte("Subject: x\r\n\r\nbody\r\n")}}
	if _, err := sv.Save(ctx, items, time.Now()); err != nil {
		t.Fatalf("deferred save = %v", err)
	}
	var got string
	if err := mailstore.DB(s).QueryRow(`PRAGMA synchronous`).Scan(&got); err != nil || got != "2" {
		t.Fatalf("pooled connection after a deferred save: synchronous = %s (%v), want 2", got, err)
	}
	// The same connection serves a durable save again.
	if _, err := s.NewSaver(a.ID).Save(ctx, []mailstore.BatchItem{{UIDL: "u2", Data: []byte("Subject: y\r\n\r\n")}}, time.Now()); err != nil {
		t.Fatalf("durable save after a deferred one = %v", err)
	}
	if err := s.Sync(ctx); err != nil {
		t.Fatalf("Sync = %v", err)
	}
	var busy, log, done int
	if err := mailstore.DB(s).QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &done); err != nil {
		t.Fatal(err)
	}
	if busy != 0 || log != done {
		t.Errorf("after Sync: checkpoint %d/%d frames (busy %d), want the whole WAL in the database", done, log, busy)
	}
}

// TestSyncWhileSnapshotHeld: a reader on an older snapshot keeps part of the WAL out of the
// database file, which must not hold up the barrier (every DELE and QUIT waits for it): Sync
// then makes the WAL itself durable, with a commit at synchronous=FULL. Only when that commit
// cannot be had either does Sync fail, and say so rather than report durability it did not get.
func TestSyncWhileSnapshotHeld(t *testing.T) {
	s := openTest(t)
	a := newAccount(t, s, "home")
	ctx := context.Background()
	other, err := sql.Open("sqlite3", "file:"+s.Path()+"?_busy_timeout=100")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.SetMaxOpenConns(2)
	tx, err := other.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM messages`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	sv := s.NewSaver(a.ID)
	sv.DeferSync()
	if _, err := sv.Save(ctx, []mailstore.BatchItem{{UIDL: "u1", Data: []byte("Subject: x\r\n\r\n")}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	frames := func() (log, done int) {
		var busy int
		if err := mailstore.DB(s).QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &done); err != nil {
			t.Fatal(err)
		}
		return log, done
	}
	before, _ := frames()
	start := time.Now()
	if err := s.Sync(ctx); err != nil {
		t.Fatalf("Sync with an older snapshot held = %v, want nil", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Sync took %v with an older snapshot held: it waited for the reader", d)
	}
	if after, done := frames(); after <= before || done == after {
		t.Errorf("WAL frames %d before Sync, %d after (%d in the database file): want the durable commit appended to the WAL", before, after, done)
	}

	// A writer holding the write lock as well: no durable commit can be had, and Sync says so.
	w, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	var de *mailstore.DurabilityError
	if err := s.Sync(ctx); !errors.As(err, &de) {
		t.Errorf("Sync with an older snapshot and the write lock held = %v, want DurabilityError", err)
	}
	w.ExecContext(ctx, `ROLLBACK`)
	tx.Rollback()
	if err := s.Sync(ctx); err != nil {
		t.Fatalf("Sync once the reader and the writer are gone = %v", err)
	}
}
