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

// An account removed without its mail: the messages keep its name, and Filter.RemovedAccount
// lists them; Count counts what a Filter selects.
func ExampleStore_RemovedAccounts() {
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

	work := &mailstore.Account{Name: "Work", Host: "pop.example.org", Port: 995, Security: mailstore.SecurityTLS, Username: "alice"}
	if err := s.CreateAccount(ctx, work); err != nil {
		log.Fatal(err)
	}
	for _, uidl := range []string{"u1", "u2"} {
		raw := []byte("Subject: " + uidl + "\r\n\r\nbody\r\n")
		if _, err := s.NewSaver(work.ID).Save(ctx, []mailstore.BatchItem{{UIDL: uidl, Data: raw}}, time.Now()); err != nil {
			log.Fatal(err)
		}
	}
	if err := s.DeleteAccount(ctx, work.ID, false); err != nil { // keep the mail
		log.Fatal(err)
	}

	removed, err := s.RemovedAccounts(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range removed {
		fmt.Printf("%s (removed): %d messages, %d unread\n", r.Name, r.Messages, r.Unread)
	}
	n, err := s.Count(ctx, mailstore.Filter{RemovedAccount: "Work"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("listed under Work (removed):", n)
	// Output:
	// Work (removed): 2 messages, 2 unread
	// listed under Work (removed): 2
}
