package engine_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// barrierBlocker holds the durability barrier off: a reader pins a snapshot from before the
// session (the WAL cannot all be checkpointed) and, once the session has committed, a writer
// holds the write lock (no durable commit can be had either).
type barrierBlocker struct {
	t      *testing.T
	reader *sql.Tx
	writer *sql.Conn
	db     *sql.DB
}

func blockBarrier(t *testing.T, f *fixture) *barrierBlocker {
	t.Helper()
	db := rawDB(t, f.store)
	tx, err := db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM messages`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return &barrierBlocker{t: t, reader: tx, db: db}
}

// lock takes the write lock (from a checkpoint hook, after the session's last commit).
func (b *barrierBlocker) lock() {
	if b.writer != nil {
		return
	}
	c, err := b.db.Conn(context.Background())
	if err == nil {
		_, err = c.ExecContext(context.Background(), `BEGIN IMMEDIATE`)
	}
	if err != nil {
		b.t.Errorf("taking the write lock: %v", err)
		return
	}
	b.writer = c
}

func (b *barrierBlocker) release() {
	if b.writer != nil {
		b.writer.ExecContext(context.Background(), `ROLLBACK`)
		b.writer.Close()
		b.writer = nil
	}
	b.reader.Rollback()
}

// TestNoDeleBeforeDurabilityBarrier: batches commit without an fsync of their own, so the
// session's durability barrier (Store.Sync) must come after the last commit and before any
// DELE; and when the barrier cannot be had, nothing is deleted on the server.
func TestNoDeleBeforeDurabilityBarrier(t *testing.T) {
	var mu sync.Mutex
	var points []string
	var block *barrierBlocker
	record := func(name string) {
		mu.Lock()
		points = append(points, name)
		b := block
		mu.Unlock()
		if b != nil && name == engine.CheckpointCommit {
			b.lock()
		}
	}
	drop := pop3test.NewMaildrop()
	srv := pop3test.ServeMaildrop(t, drop, "alice", "pw")
	f := newFixture(t, fixtureOptions{addr: srv.Addr(), auth: "USER", password: "pw", checkpoint: record})
	for _, s := range []string{"a", "b", "c"} {
		drop.Add("u-"+s, msg(s))
	}
	ctx := context.Background()

	// A reader holding a snapshot from before the downloads keeps the WAL from being
	// checkpointed, and a writer holding the lock keeps a durable commit from being had: the
	// barrier fails, so no DELE may be sent.
	mu.Lock()
	block = blockBarrier(t, f)
	mu.Unlock()
	res := f.e.Fetch(ctx, f.a, nil)
	var nd *engine.NotDeletedError
	var de *mailstore.DurabilityError
	if !errors.As(res.Err, &nd) || !errors.As(res.Err, &de) {
		t.Fatalf("fetch with the barrier held off = %v, want NotDeletedError with DurabilityError", res.Err)
	}
	mu.Lock()
	block.release()
	block = nil
	mu.Unlock()
	if _, dele := drop.Counts(); dele != 0 || drop.Len() != 3 {
		t.Fatalf("after a failed barrier: %d DELE committed, %d messages on the server; want 0 and 3", dele, drop.Len())
	}
	mu.Lock()
	if slices.Contains(points, engine.CheckpointDele) || slices.Contains(points, engine.CheckpointDurable) {
		t.Errorf("checkpoints %v: a DELE or a barrier passed although the barrier failed", points)
	}
	points = nil
	mu.Unlock()
	if got, _ := f.store.CountMessages(ctx, f.a.ID); got != 3 {
		t.Errorf("%d messages stored, want 3 (committed, only not yet known durable)", got)
	}

	// Without the reader, the next session deletes them, after the barrier.
	drop.Add("u-d", msg("d"))
	res = f.e.Fetch(ctx, f.a, nil)
	if res.Err != nil || res.Deleted != 4 {
		t.Fatalf("second fetch = %+v, want 4 deleted", res)
	}
	mu.Lock()
	defer mu.Unlock()
	lastCommit := slices.Index(points, engine.CheckpointCommit)
	for i, p := range points {
		if p == engine.CheckpointCommit {
			lastCommit = i
		}
	}
	barrier := slices.Index(points, engine.CheckpointDurable)
	dele := slices.Index(points, engine.CheckpointDele)
	if lastCommit < 0 || barrier < lastCommit || dele < barrier {
		t.Errorf("checkpoints %v: want every commit, then durable, then dele", points)
	}
	if points[len(points)-1] != engine.CheckpointDurable {
		t.Errorf("checkpoints %v: want the session to end with a barrier", points)
	}
}

// TestNoQuitBeforeDurabilityBarrier: QUIT ends the session in the UPDATE state, where a server
// that expires retrieved mail (EXPIRE 0, "delete after download") removes every message this
// session downloaded. QUIT is then as irreversible as DELE, so a session that downloaded
// anything must pass the barrier before QUIT even when it deletes nothing itself; and when the
// barrier cannot be had, it closes without QUIT.
func TestNoQuitBeforeDurabilityBarrier(t *testing.T) {
	var mu sync.Mutex
	var points []string
	var block *barrierBlocker
	record := func(name string) {
		mu.Lock()
		points = append(points, name)
		b := block
		mu.Unlock()
		if b != nil && name == engine.CheckpointCommit {
			b.lock()
		}
	}
	drop := pop3test.NewMaildrop()
	srv := pop3test.ServeMaildrop(t, drop, "alice", "pw")
	f := newFixture(t, fixtureOptions{addr: srv.Addr(), auth: "USER", password: "pw", forever: true, checkpoint: record})
	drop.Add("u-a", msg("a"))
	drop.Add("u-b", msg("b"))
	ctx := context.Background()

	res := f.e.Fetch(ctx, f.a, nil)
	if res.Err != nil || res.New != 2 || res.Deleted != 0 {
		t.Fatalf("fetch = %+v, want 2 new, none deleted", res)
	}
	mu.Lock()
	barrier := slices.Index(points, engine.CheckpointDurable)
	quit := slices.Index(points, engine.CheckpointQuitDone)
	if barrier < 0 || quit < 0 || barrier > quit {
		t.Errorf("checkpoints %v: want the durability barrier before QUIT", points)
	}
	points = nil
	mu.Unlock()

	// The barrier held off: the session must not QUIT.
	drop.Add("u-c", msg("c"))
	mu.Lock()
	block = blockBarrier(t, f)
	b := block
	mu.Unlock()
	defer b.release()
	res = f.e.Fetch(ctx, f.a, nil)
	var de *mailstore.DurabilityError
	if !errors.As(res.Err, &de) {
		t.Errorf("fetch with the barrier held off = %+v, want a DurabilityError", res)
	}
	mu.Lock()
	defer mu.Unlock()
	if slices.Contains(points, engine.CheckpointQuitDone) {
		t.Errorf("checkpoints %v: QUIT was sent although the new message was not durable", points)
	}
}
