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

// Rules run on fetched mail once it is indexed: the Saver marks each fetched message, and
// ApplyPendingRules runs the rules in order on those the index holds.
func ExampleStore_ApplyPendingRules() {
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
	acct := &mailstore.Account{Name: "home", Host: "pop.example.org", Port: 995, Security: mailstore.SecurityTLS,
		Username: "alice", Interval: 5 * time.Minute}
	if err := s.CreateAccount(ctx, acct); err != nil {
		log.Fatal(err)
	}
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	if _, err := s.CreateFolder(ctx, "Bills", now); err != nil {
		log.Fatal(err)
	}
	if _, err := s.AddRule(ctx, mailstore.Rule{Name: "bills", Query: "from:billing@ subject:invoice", MoveTo: "Bills", MarkRead: true}); err != nil {
		log.Fatal(err)
	}
	res, err := s.NewSaver(acct.ID).Save(ctx, []mailstore.BatchItem{
		{UIDL: "1", Data: []byte("From: billing@shop.example\r\nSubject: Your invoice\r\n\r\nDue.\r\n")},
		{UIDL: "2", Data: []byte("From: anna@example.org\r\nSubject: Lunch\r\n\r\nFriday?\r\n")},
	}, now)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := s.IndexAll(ctx, nil); err != nil {
		log.Fatal(err)
	}
	run, err := s.ApplyPendingRules(ctx, now)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d examined, %d changed\n", run.Examined, run.Changed)
	for _, r := range res {
		m, err := s.Message(ctx, r.ID)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %s, read %v\n", m.Subject, m.Folder, m.Read)
	}
	// Output:
	// 2 examined, 1 changed
	// Your invoice: Bills, read true
	// Lunch: inbox, read false
}

// Every stored message belongs to a conversation; a reply stored before its parent joins it
// when the parent arrives.
func ExampleStore_ThreadMessages() {
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
	acct := &mailstore.Account{Name: "home", Host: "pop.example.org", Port: 995, Security: mailstore.SecurityTLS,
		Username: "alice", Interval: 5 * time.Minute}
	if err := s.CreateAccount(ctx, acct); err != nil {
		log.Fatal(err)
	}
	sv := s.NewSaver(acct.ID)
	now := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	for _, it := range []mailstore.BatchItem{
		{UIDL: "reply", Data: []byte("Message-ID: <b@x>\r\nIn-Reply-To: <a@x>\r\nDate: Mon, 2 Nov 2026 11:00:00 +0000\r\nSubject: Re: Plans\r\n\r\nYes.\r\n")},
		{UIDL: "parent", Data: []byte("Message-ID: <a@x>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\nSubject: Plans\r\n\r\nShall we?\r\n")},
	} {
		if _, err := sv.Save(ctx, []mailstore.BatchItem{it}, now); err != nil {
			log.Fatal(err)
		}
	}
	convs, err := s.Threads(ctx, mailstore.Filter{})
	if err != nil {
		log.Fatal(err)
	}
	msgs, err := s.ThreadMessages(ctx, convs[0].Latest.Thread)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d conversation of %d messages\n", len(convs), convs[0].Count)
	for _, m := range msgs {
		fmt.Println(m.Subject)
	}
	// Output:
	// 1 conversation of 2 messages
	// Plans
	// Re: Plans
}
