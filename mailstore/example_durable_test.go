package mailstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

// A session's batches commit without an fsync of their own; Sync is the barrier before
// anything is deleted on the server.
func ExampleStore_Sync() {
	dir, err := os.MkdirTemp("", "pouch-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	s, err := mailstore.Open(ctx, filepath.Join(dir, "pouch.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	acct := &mailstore.Account{Name: "work", Host: "pop.example.org", Port: 995, Security: mailstore.SecurityTLS,
		Username: "alice", Interval: 5 * time.Minute}
	if err := s.CreateAccount(ctx, acct); err != nil {
		log.Fatal(err)
	}

	sv := s.NewSaver(acct.ID)
	sv.DeferSync() // survives a crash of the process; a power loss only until Sync
	for _, batch := range [][]mailstore.BatchItem{
		{{UIDL: "1", Data: []byte("Subject: one\r\n\r\nfirst\r\n")}},
		{{UIDL: "2", Data: []byte("Subject: two\r\n\r\nsecond\r\n")}},
	} {
		if _, err := sv.Save(ctx, batch, time.Now()); err != nil {
			log.Fatal(err)
		}
	}
	// Both batches are on disk once Sync returns: now a DELE may be sent.
	if err := s.Sync(ctx); err != nil {
		log.Fatal(err) // no DELE: the copies may not survive a power loss
	}
	n, err := s.CountMessages(ctx, acct.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "messages durable")
	// Output: 2 messages durable
}
