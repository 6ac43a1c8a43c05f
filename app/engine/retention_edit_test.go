package engine_test

import (
	"context"
	"sync"
	"testing"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// TestRetentionEditedDuringSessionIsHonoured: the window saves an account's edit without waiting
// for a session of it that is running (only a change of mailbox waits for its lock). A user
// who switches "Delete after download" to "Keep forever" while mail downloads must not see
// that very session delete the mail on the server: deletion is decided with the settings as
// they are when it is decided.
func TestRetentionEditedDuringSessionIsHonoured(t *testing.T) {
	drop := pop3test.NewMaildrop()
	srv := pop3test.ServeMaildrop(t, drop, "alice", "pw")
	var f *fixture
	var once sync.Once
	ctx := context.Background()
	edit := func(name string) {
		if name != engine.CheckpointCommit {
			return
		}
		once.Do(func() {
			a := *f.a
			a.KeepForever = true
			if err := f.e.UpdateAccount(ctx, &a, nil); err != nil {
				t.Errorf("edit during the session: %v", err)
			}
		})
	}
	f = newFixture(t, fixtureOptions{addr: srv.Addr(), auth: "USER", password: "pw", leaveDays: 0, checkpoint: edit})
	drop.Add("u-a", msg("a"))
	drop.Add("u-b", msg("b"))

	res := f.e.Fetch(ctx, f.a, nil)
	if res.Err != nil || res.New != 2 {
		t.Fatalf("fetch = %+v, want 2 new", res)
	}
	if _, dele := drop.Counts(); dele != 0 || drop.Len() != 2 || res.Deleted != 0 {
		t.Errorf("after switching to keep forever mid-session: %d DELE committed, %d deleted, %d on the server; want 0, 0 and 2",
			dele, res.Deleted, drop.Len())
	}
}
