package engine_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
)

// Old mail imported into a fresh archive goes to a local account, into a folder; a folder
// deleted by mistake comes back with its messages.
func ExampleEngine_DeleteFolder() {
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
	e := engine.New(store, secrets.NewMemory(), engine.Options{})

	mbox := filepath.Join(dir, "old.mbox")
	if err := os.WriteFile(mbox, []byte("From a@example.org Mon Jan  1 00:00:00 2018\nSubject: invoice\n\npay\n"), 0o600); err != nil {
		log.Fatal(err)
	}
	res, err := e.Import(ctx, engine.ImportOptions{Format: "mbox", Path: mbox, Account: "old mail", Folder: "Work/Invoices"}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("imported", res.Imported, "new local account:", res.CreatedAccount)

	d, err := e.DeleteFolder(ctx, "Work")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("deleted", d.Folders, "trashed", len(d.Messages))
	n, err := e.UndoDeleteFolder(ctx, d)
	if err != nil {
		log.Fatal(err)
	}
	page, err := e.List(ctx, mailstore.Filter{Folder: "work/invoices", Limit: 50})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("restored", n, "-", page[0].Subject, "is in", page[0].Folder)
	// Output:
	// imported 1 new local account: true
	// deleted [Work Work/Invoices] trashed 1
	// restored 1 - invoice is in Work/Invoices
}
