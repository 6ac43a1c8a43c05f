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

// A window lists a folder, or a search, as IDs and reads the rows on screen by page. Listing a
// folder reads no full-text index, so it never waits for the indexing of new mail; a search
// with words indexes the backlog first.
func ExampleEngine_SearchIDs() {
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
	acct := &mailstore.Account{Name: "Home", Host: "pop.example.org", Port: 995, Security: mailstore.SecurityTLS,
		Username: "alice", Interval: 5 * time.Minute}
	if err := s.CreateAccount(ctx, acct); err != nil {
		log.Fatal(err)
	}
	for i, subject := range []string{"Lunch on Friday", "Quarterly report", "Soup recipe"} {
		raw := fmt.Sprintf("Subject: %s\r\nDate: Fri, 0%d Mar 2024 10:00:00 +0000\r\n\r\nhello\r\n", subject, i+1)
		if _, err := s.NewSaver(acct.ID).Save(ctx, []mailstore.BatchItem{{UIDL: subject, Data: []byte(raw)}}, time.Now()); err != nil {
			log.Fatal(err)
		}
	}

	show := func(query string) {
		ids, err := e.SearchIDs(ctx, query, 0)
		if err != nil {
			log.Fatal(err)
		}
		rows, err := e.MessagesByID(ctx, ids)
		if err != nil {
			log.Fatal(err)
		}
		backlog, _ := s.IndexBacklog(ctx)
		fmt.Printf("%q: %d found, %d waiting to be indexed\n", query, len(ids), backlog)
		for _, m := range rows {
			fmt.Println(" ", m.Subject)
		}
	}
	show(`in:inbox account:Home`)
	show(`report in:inbox account:Home`)
	// Output:
	// "in:inbox account:Home": 3 found, 3 waiting to be indexed
	//   Soup recipe
	//   Quarterly report
	//   Lunch on Friday
	// "report in:inbox account:Home": 1 found, 0 waiting to be indexed
	//   Quarterly report
}
