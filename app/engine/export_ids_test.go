package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
)

// TestExportIDs: ExportOptions.IDs (the window's selection) writes exactly those messages, in
// that order, whatever the other options say.
func TestExportIDs(t *testing.T) {
	ctx := context.Background()
	store, err := mailstore.Open(ctx, filepath.Join(t.TempDir(), "pouch.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	a := &mailstore.Account{Name: "Home", Host: "pop.example.com", Port: 995, Security: mailstore.SecurityTLS,
		Username: "u", LeaveDays: 14, Interval: 10 * time.Minute}
	if err := store.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	var items []mailstore.BatchItem
	for i := range 3 {
		items = append(items, mailstore.BatchItem{UIDL: fmt.Sprint("u", i),
			Data: fmt.Appendf(nil, "From: a@example.org\r\nSubject: number %d\r\n\r\nbody %d\r\n", i, i)})
	}
	res, err := store.NewSaver(a.ID).Save(ctx, items, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	e := engine.New(store, secrets.NewMemory(), engine.Options{})
	out := filepath.Join(t.TempDir(), "sel.mbox")
	ids := []int64{res[2].ID, res[0].ID}
	n, err := e.Export(ctx, engine.ExportOptions{Format: "mbox", Out: out, IDs: ids, Query: "nothing matches this"}, nil)
	if err != nil || n != 2 {
		t.Fatalf("Export(IDs) = %d, %v; want 2", n, err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	two, zero := bytes.Index(b, []byte("number 2")), bytes.Index(b, []byte("number 0"))
	if two < 0 || zero < 0 || two > zero || bytes.Contains(b, []byte("number 1")) {
		t.Errorf("export holds %q; want number 2 then number 0 only", b)
	}
}
