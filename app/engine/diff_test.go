package engine

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
)

func TestDiff(t *testing.T) {
	ctx := context.Background()
	store, err := mailstore.Open(ctx, filepath.Join(t.TempDir(), "pouch.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	a := &mailstore.Account{Name: "a", Host: "h", Port: 995, Security: mailstore.SecurityTLS, Username: "u", Interval: time.Hour}
	if err := store.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	// Ledger: "b" and "x" seen only, "d" and "zz" downloaded; "x" and "zz" are gone from the server.
	if err := store.MarkSeen(ctx, a.ID, []string{"b", "x", "d", "zz"}, now); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"d", "zz"} {
		if _, err := store.NewSaver(a.ID).Save(ctx, []mailstore.BatchItem{{UIDL: u, Data: []byte("Subject: " + u + "\r\n\r\nbody\r\n")}}, now); err != nil {
			t.Fatal(err)
		}
	}
	e := New(store, secrets.NewMemory(), Options{})
	// Server order is not sorted order; "B" sorts before "b" in bytes.
	listing := []pop3.UIDL{{ID: 1, UID: "d"}, {ID: 2, UID: "c"}, {ID: 3, UID: "b"}, {ID: 4, UID: "B"}, {ID: 5, UID: "e"}}
	todo, unseen, known, err := e.diff(ctx, a.ID, listing)
	if err != nil {
		t.Fatal(err)
	}
	var todoIDs []int
	for _, u := range todo {
		todoIDs = append(todoIDs, u.ID)
	}
	if want := []int{2, 3, 4, 5}; !slices.Equal(todoIDs, want) {
		t.Errorf("todo = %v, want %v (server order, everything not downloaded)", todoIDs, want)
	}
	if want := []string{"c", "B", "e"}; !slices.Equal(unseen, want) {
		t.Errorf("unseen = %q, want %q", unseen, want)
	}
	if known != 4 {
		t.Errorf("known = %d, want 4 ledger rows", known)
	}

	// An empty listing and an empty ledger are both fine.
	if todo, unseen, known, err := e.diff(ctx, a.ID, nil); err != nil || len(todo)+len(unseen) != 0 || known != 4 {
		t.Errorf("empty listing: %v %v %d %v", todo, unseen, known, err)
	}
}
