package engine_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
)

// A fetch returns once its mail is committed; what is not yet searchable is caught up by the
// poller in the window, or here by hand, as a search does first.
func ExampleEngine_Unsearchable() {
	dir, err := os.MkdirTemp("", "pouch-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	store, err := mailstore.Open(ctx, filepath.Join(dir, "pouch.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	e := engine.New(store, secrets.NewMemory(), engine.Options{DataDir: dir})
	acct := &mailstore.Account{Name: "home", Host: "pop.example.org", Port: 995, Security: mailstore.SecurityTLS,
		Username: "alice", Interval: 5 * time.Minute}
	if err := store.CreateAccount(ctx, acct); err != nil {
		log.Fatal(err)
	}
	// As a session stores them: committed, not indexed.
	_, err = store.NewSaver(acct.ID).Save(ctx, []mailstore.BatchItem{
		{UIDL: "1", Data: []byte("Subject: Lunch\r\n\r\nFriday?\r\n")},
		{UIDL: "2", Data: []byte("Subject: Report\r\n\r\nAttached.\r\n")},
	}, time.Now())
	if err != nil {
		log.Fatal(err)
	}
	n, err := e.Unsearchable(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "not yet searchable")
	if _, err := e.IndexBacklog(ctx, nil); err != nil {
		log.Fatal(err)
	}
	n, err = e.Unsearchable(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "not yet searchable")
	// Output:
	// 2 not yet searchable
	// 0 not yet searchable
}
