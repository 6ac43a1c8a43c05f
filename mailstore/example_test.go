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

func Example() {
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

	// Settings only: the password goes to the OS keyring, never here.
	acct := &mailstore.Account{
		Name:     "work",
		Host:     "pop.example.org",
		Port:     995,
		Security: mailstore.SecurityTLS,
		Username: "alice",
		Interval: 5 * time.Minute,
	}
	if err := s.CreateAccount(ctx, acct); err != nil {
		log.Fatal(err)
	}

	// The server listed two messages; record them, then download one.
	now := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	if err := s.MarkSeen(ctx, acct.ID, []string{"uidl-1", "uidl-2"}, now); err != nil {
		log.Fatal(err)
	}
	raw := []byte("From: Bob <bob@example.com>\r\n" +
		"Subject: =?ISO-8859-1?Q?Caf=E9?=\r\n" +
		"Date: Fri, 01 Mar 2024 11:30:00 +0000\r\n" +
		"\r\n" +
		"See you there.\r\n")
	saved, err := s.NewSaver(acct.ID).Save(ctx, []mailstore.BatchItem{{UIDL: "uidl-1", Data: raw}}, now)
	if err != nil {
		log.Fatal(err)
	}

	list, err := s.Messages(ctx, mailstore.Filter{AccountID: acct.ID})
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range list {
		fmt.Printf("%s | %s | %s | %s\n", m.Account, m.Date.UTC().Format(time.DateTime), m.From, m.Subject)
	}

	stored, err := s.Raw(ctx, saved[0].ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("raw bytes identical:", string(stored) == string(raw))

	ledger, err := s.Ledger(ctx, acct.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("uidl-1 downloaded:", ledger["uidl-1"].Downloaded != nil)
	fmt.Println("uidl-2 downloaded:", ledger["uidl-2"].Downloaded != nil)
	// Output:
	// work | 2024-03-01 11:30:00 | Bob <bob@example.com> | Café
	// raw bytes identical: true
	// uidl-1 downloaded: true
	// uidl-2 downloaded: false
}

func ExampleStore_MoveMessages() {
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
	acct := &mailstore.Account{Name: "old mail", Local: true, Security: mailstore.SecurityNone}
	if err := s.CreateAccount(ctx, acct); err != nil {
		log.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	res, err := s.NewSaver(acct.ID).Save(ctx, []mailstore.BatchItem{
		{UIDL: "1", Data: []byte("Subject: invoice 17\r\n\r\nplease pay\r\n")},
		{UIDL: "2", Data: []byte("Subject: hello\r\n\r\nhi\r\n")},
	}, now)
	if err != nil {
		log.Fatal(err)
	}

	// Parents are created with the folder; paths ignore case when looked up.
	if _, err := s.CreateFolder(ctx, "Work/Invoices", now); err != nil {
		log.Fatal(err)
	}
	if _, err := s.MoveMessages(ctx, []int64{res[0].ID}, "work/invoices"); err != nil {
		log.Fatal(err)
	}
	tree, err := s.FolderTree(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range tree {
		fmt.Printf("%-14s %d unread of %d\n", f.Path, f.Unread, f.Total)
	}
	// Output:
	// inbox          1 unread of 1
	// drafts         0 unread of 0
	// outbox         0 unread of 0
	// sent           0 unread of 0
	// Work           0 unread of 0
	// Work/Invoices  1 unread of 1
	// trash          0 unread of 0
}

// A list of any length is kept as IDs (8 bytes a message) and its rows are read a page at a
// time, as a window scrolls.
func ExampleStore_SearchIDs() {
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
	now := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := 1; i <= 5; i++ {
		raw := fmt.Sprintf("Subject: note %d\r\nDate: Fri, 0%d Mar 2024 10:00:00 +0000\r\n\r\nhello\r\n", i, i)
		if _, err := s.NewSaver(acct.ID).Save(ctx, []mailstore.BatchItem{{UIDL: fmt.Sprint(i), Data: []byte(raw)}}, now); err != nil {
			log.Fatal(err)
		}
	}

	// The inbox of account "home", newest first: filters alone need no full-text index.
	q, err := mailstore.ParseQuery("in:inbox account:home")
	if err != nil {
		log.Fatal(err)
	}
	ids, err := s.SearchIDs(ctx, q, 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(ids), "messages")
	const page = 2
	for start := 0; start < len(ids); start += page {
		rows, err := s.MessagesByID(ctx, ids[start:min(start+page, len(ids))])
		if err != nil {
			log.Fatal(err)
		}
		for _, m := range rows {
			fmt.Printf("page %d: %s\n", start/page+1, m.Subject)
		}
	}
	// Output:
	// 5 messages
	// page 1: note 5
	// page 1: note 4
	// page 2: note 3
	// page 2: note 2
	// page 3: note 1
}
