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

// The rule editor: how many existing messages a condition matches while it is typed, then the
// rule saved and run over the archive.
func ExampleEngine_CountMatching() {
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
	_, err = store.NewSaver(acct.ID).Save(ctx, []mailstore.BatchItem{
		{UIDL: "1", Data: []byte("From: billing@shop.example\r\nSubject: Invoice 1\r\n\r\nDue.\r\n")},
		{UIDL: "2", Data: []byte("From: billing@shop.example\r\nSubject: Invoice 2\r\n\r\nDue.\r\n")},
		{UIDL: "3", Data: []byte("From: anna@example.org\r\nSubject: Lunch\r\n\r\nFriday?\r\n")},
	}, time.Now())
	if err != nil {
		log.Fatal(err)
	}
	if _, err := e.IndexBacklog(ctx, nil); err != nil {
		log.Fatal(err)
	}
	n, err := e.CountMatching(ctx, "from:billing@ subject:invoice")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d existing messages match\n", n)
	if _, err := e.AddRule(ctx, mailstore.Rule{Name: "bills", Query: "from:billing@ subject:invoice", Flag: true}); err != nil {
		log.Fatal(err)
	}
	res, err := e.RunRules(ctx, engine.RunScope{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d examined, %d flagged\n", res.Examined, res.Changed)
	// Output:
	// 2 existing messages match
	// 3 examined, 2 flagged
}
