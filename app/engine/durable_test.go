package engine_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// TestNoDeleBeforeDurabilityBarrier: batches commit without an fsync of their own, so the
// session's durability barrier (Store.Sync) must come after the last commit and before any
// DELE; and when the barrier cannot be had, nothing is deleted on the server.
func TestNoDeleBeforeDurabilityBarrier(t *testing.T) {
	var mu sync.Mutex
	var points []string
	record := func(name string) { mu.Lock(); points = append(points, name); mu.Unlock() }
	drop := pop3test.NewMaildrop()
	srv := pop3test.ServeMaildrop(t, drop, "alice", "pw")
	f := newFixture(t, fixtureOptions{addr: srv.Addr(), auth: "USER", password: "pw", checkpoint: record})
	for _, s := range []string{"a", "b", "c"} {
		drop.Add("u-"+s, msg(s))
	}
	ctx := context.Background()

	// A reader holding a snapshot from before the downloads keeps the WAL from being
	// checkpointed: the barrier fails, so no DELE may be sent.
	db := rawDB(t, f.store)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM messages`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	res := f.e.Fetch(ctx, f.a, nil)
	var nd *engine.NotDeletedError
	var de *mailstore.DurabilityError
	if !errors.As(res.Err, &nd) || !errors.As(res.Err, &de) {
		t.Fatalf("fetch with the barrier held off = %v, want NotDeletedError with DurabilityError", res.Err)
	}
	tx.Rollback()
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
