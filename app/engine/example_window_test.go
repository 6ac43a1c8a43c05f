package engine_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/pouchmail/pouch/app/compose"
	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
)

// The first window claims the archive; a second launch on it (a mailto: link clicked, say)
// hands its draft over and ends.
func ExampleEngine_ClaimWindow() {
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

	first := engine.New(store, secrets.NewMemory(), engine.Options{DataDir: dir})
	drafts := make(chan *compose.Message, 1)
	release, err := first.ClaimWindow(ctx, nil, func(d *compose.Message) { drafts <- d })
	if err != nil {
		log.Fatal(err)
	}
	defer release()

	second := engine.New(store, secrets.NewMemory(), engine.Options{DataDir: dir})
	_, err = second.ClaimWindow(ctx, &compose.Message{Subject: "Hello"}, nil)
	var open *engine.WindowOpenError
	fmt.Println("second launch ends:", errors.As(err, &open))
	fmt.Println("the first window writes:", (<-drafts).Subject)
	// Output:
	// second launch ends: true
	// the first window writes: Hello
}

// An account removed with "keep mail": its messages keep its name, and a search finds them
// under it.
func ExampleEngine_RemovedAccounts() {
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

	mbox := filepath.Join(dir, "work.mbox")
	if err := os.WriteFile(mbox, []byte("From a@example.org Mon Jan  1 00:00:00 2018\nSubject: budget\n\nnumbers\n"), 0o600); err != nil {
		log.Fatal(err)
	}
	if _, err := e.Import(ctx, engine.ImportOptions{Format: "mbox", Path: mbox, Account: "Work"}, nil); err != nil {
		log.Fatal(err)
	}
	n, err := e.AccountMessages(ctx, "Work")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("removing Work keeps", n, "message")
	if err := e.RemoveAccount(ctx, "Work"); err != nil {
		log.Fatal(err)
	}
	removed, err := e.RemovedAccounts(ctx)
	if err != nil {
		log.Fatal(err)
	}
	found, err := e.Search(ctx, "account:Work budget", 10)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s (removed): %d message; account:Work finds %q\n", removed[0].Name, removed[0].Messages, found[0].Subject)
	// Output:
	// removing Work keeps 1 message
	// Work (removed): 1 message; account:Work finds "budget"
}
