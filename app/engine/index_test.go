package engine_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
)

// TestFetchReportsUnsearchable: a fetch returns once its mail is committed, saying how much of
// it is not yet searchable; a search catches the index up first.
func TestFetchReportsUnsearchable(t *testing.T) {
	r := newDropRig(t, 0, true)
	for i := range 40 {
		r.drop.Add(fmt.Sprintf("u%d", i), msg(fmt.Sprintf("word%d", i)))
	}
	res := r.fetch(t)
	ctx := context.Background()
	backlog, err := r.store.IndexBacklog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 40 || res.Unsearchable != backlog {
		t.Fatalf("fetch = %d new, %d unsearchable; the archive's backlog is %d", res.New, res.Unsearchable, backlog)
	}
	found, err := r.e.Search(ctx, "word39", 10)
	if err != nil || len(found) != 1 {
		t.Fatalf("Search(word39) = %d messages, %v; want 1", len(found), err)
	}
	if n, _ := r.e.Unsearchable(ctx); n != 0 {
		t.Errorf("after a search, %d messages unsearchable, want 0", n)
	}
}

// TestPollerCatchesUpIndex: the window's poller makes a backlog searchable on its own (one left
// by a command-line fetch here), reporting it shrink to 0.
func TestPollerCatchesUpIndex(t *testing.T) {
	f := newFixture(t, fixtureOptions{addr: "pop.example.com:995", security: mailstore.SecurityTLS})
	ctx := context.Background()
	var items []mailstore.BatchItem
	for i := range 250 { // more than one index batch
		items = append(items, mailstore.BatchItem{UIDL: fmt.Sprintf("u%d", i), Data: msg(fmt.Sprintf("w%d", i))})
	}
	if _, err := f.store.NewSaver(f.a.ID).Save(ctx, items, time.Now()); err != nil {
		t.Fatal(err)
	}
	events := make(chan engine.Event, 100)
	p := f.e.NewPoller(engine.PollerOptions{OnEvent: func(ev engine.Event) {
		if ev.Kind == engine.EventIndex {
			events <- ev
		}
	}})
	engine.SetPollerFetch(p, func(ctx context.Context, a *mailstore.Account, _ func(engine.Progress)) engine.Result {
		return engine.Result{Account: a.Name}
	})
	p.Start(ctx)
	defer p.Stop()
	var seen []int
	for {
		select {
		case ev := <-events:
			seen = append(seen, ev.Unsearchable)
			if ev.Unsearchable == 0 {
				if n, _ := f.e.Unsearchable(ctx); n != 0 {
					t.Fatalf("the poller reported 0 unsearchable, the archive has %d", n)
				}
				if len(seen) < 2 || seen[0] == 0 {
					t.Errorf("backlog reports %v, want it shrinking to 0", seen)
				}
				return
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("no catch-up to 0 (reports %v)", seen)
		}
	}
}
