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

// Flagging a message lets is:flagged find it again; flagging is kept apart from the read state.
func ExampleStore_SetFlagged() {
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
	acct := &mailstore.Account{Name: "home", Local: true, Security: mailstore.SecurityNone}
	if err := s.CreateAccount(ctx, acct); err != nil {
		log.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	saved, err := s.NewSaver(acct.ID).Save(ctx, []mailstore.BatchItem{
		{UIDL: "1", Data: []byte("Subject: tax return\r\nDate: Thu, 19 Nov 2026 10:00:00 +0000\r\n\r\ndue Friday\r\n")},
		{UIDL: "2", Data: []byte("Subject: newsletter\r\nDate: Fri, 20 Nov 2026 08:00:00 +0000\r\n\r\nnews\r\n")},
	}, now)
	if err != nil {
		log.Fatal(err)
	}

	if err := s.SetFlagged(ctx, []int64{saved[0].ID}, true); err != nil {
		log.Fatal(err)
	}
	if err := s.SetRead(ctx, []int64{saved[0].ID, saved[1].ID}, true); err != nil {
		log.Fatal(err)
	}
	for _, query := range []string{"is:flagged", "is:unflagged", "is:unread"} {
		q, err := mailstore.ParseQuery(query)
		if err != nil {
			log.Fatal(err)
		}
		found, err := s.Search(ctx, q, 0)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-13s %d:", query, len(found))
		for _, m := range found {
			fmt.Printf(" %q (flagged %v, read %v)", m.Subject, m.Flagged, m.Read)
		}
		fmt.Println()
	}
	// Output:
	// is:flagged    1: "tax return" (flagged true, read true)
	// is:unflagged  1: "newsletter" (flagged false, read true)
	// is:unread     0:
}
