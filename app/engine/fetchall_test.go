package engine_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// TestFetchAllChecksAccountsConcurrently: a check of every account runs their sessions at once,
// so it takes about as long as the slowest. Each session here waits, with a message downloaded,
// until every other has downloaded one too: run in turn, the first would wait in vain.
func TestFetchAllChecksAccountsConcurrently(t *testing.T) {
	const accounts = 5
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	arrived, gaveUp := 0, false
	barrier := func(name string) {
		if name != "retr" {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		arrived++
		cond.Broadcast()
		deadline := time.AfterFunc(10*time.Second, func() { mu.Lock(); gaveUp = true; cond.Broadcast(); mu.Unlock() })
		defer deadline.Stop()
		for arrived < accounts && !gaveUp {
			cond.Wait()
		}
	}
	f := newFixture(t, fixtureOptions{checkpoint: barrier})
	ctx := context.Background()
	for i := range accounts {
		drop := pop3test.NewMaildrop()
		drop.Add("u1", msg(fmt.Sprintf("account %d", i)))
		srv := pop3test.ServeMaildrop(t, drop, "alice", "pw")
		host, port := pop3test.HostPort(srv.Addr())
		a := &mailstore.Account{Name: fmt.Sprintf("a%d", i), Host: host, Port: port, Security: mailstore.SecurityNone,
			Username: "alice", AuthMethod: "USER", KeepForever: true, Interval: 10 * time.Minute}
		if err := f.e.AddAccount(ctx, a, "pw"); err != nil {
			t.Fatal(err)
		}
	}
	results, err := f.e.FetchAll(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != accounts {
		t.Fatalf("%d results, want %d", len(results), accounts)
	}
	for i, r := range results {
		if want := fmt.Sprintf("a%d", i); r.Account != want || r.Err != nil || r.New != 1 {
			t.Errorf("result %d = %s: %d new, %v; want %s: 1 new", i, r.Account, r.New, r.Err, want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if gaveUp {
		t.Errorf("only %d of %d sessions were downloading at once", arrived, accounts)
	}
}
