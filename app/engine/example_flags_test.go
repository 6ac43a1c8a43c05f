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

// The CLI's mark --flag and the window's Flag both flag through the engine; a search with
// is:flagged finds the messages again. SetFlagged returns the messages it changed, which the
// window's Undo sets back, so each message returns to its own earlier state.
func ExampleEngine_SetFlagged() {
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
	e := engine.New(s, secrets.NewMemory(), engine.Options{})
	acct := &mailstore.Account{Name: "Home", Local: true, Security: mailstore.SecurityNone}
	if err := s.CreateAccount(ctx, acct); err != nil {
		log.Fatal(err)
	}
	var ids []int64
	for i, subject := range []string{"Lunch on Friday", "Quarterly report", "Soup recipe"} {
		raw := fmt.Sprintf("Subject: %s\r\nDate: Fri, 0%d Mar 2024 10:00:00 +0000\r\n\r\nhello\r\n", subject, i+1)
		saved, err := s.NewSaver(acct.ID).Save(ctx, []mailstore.BatchItem{{UIDL: subject, Data: []byte(raw)}}, time.Now())
		if err != nil {
			log.Fatal(err)
		}
		ids = append(ids, saved[0].ID)
	}

	show := func(when string) {
		found, err := e.Search(ctx, "is:flagged", 0)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d flagged\n", when, len(found))
		for _, m := range found {
			fmt.Println(" ", m.Subject)
		}
	}
	if _, err := e.SetFlagged(ctx, ids[:1], true); err != nil {
		log.Fatal(err)
	}
	show("flagged lunch")
	// Flag on a selection of two, one flagged already, changes one message...
	changed, err := e.SetFlagged(ctx, ids[:2], true)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("flagging both changed", len(changed))
	show("flagged both")
	// ...and its Undo unflags that one alone: lunch keeps the flag it had before.
	if _, err := e.SetFlagged(ctx, changed, false); err != nil {
		log.Fatal(err)
	}
	show("after the undo")
	// Output:
	// flagged lunch: 1 flagged
	//   Lunch on Friday
	// flagging both changed 1
	// flagged both: 2 flagged
	//   Quarterly report
	//   Lunch on Friday
	// after the undo: 1 flagged
	//   Lunch on Friday
}
