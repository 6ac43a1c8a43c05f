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
// SetFlagged, like SetRead, returns the messages it changed, which is what an Undo sets back.
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

	subject := map[int64]string{saved[0].ID: "tax return", saved[1].ID: "newsletter"}
	flag := func(on bool, ids ...int64) []int64 {
		changed, err := s.SetFlagged(ctx, ids, on)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("flagged %v: changed", on)
		for _, id := range changed {
			fmt.Printf(" %q", subject[id])
		}
		fmt.Println()
		return changed
	}
	flag(true, saved[0].ID)
	// Flagging both changes only the newsletter: undoing with what changed leaves the tax
	// return flagged, as it was before.
	changed := flag(true, saved[0].ID, saved[1].ID)
	flag(false, changed...)
	if _, err := s.SetRead(ctx, []int64{saved[0].ID, saved[1].ID}, true); err != nil {
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
	// flagged true: changed "tax return"
	// flagged true: changed "newsletter"
	// flagged false: changed "newsletter"
	// is:flagged    1: "tax return" (flagged true, read true)
	// is:unflagged  1: "newsletter" (flagged false, read true)
	// is:unread     0:
}
