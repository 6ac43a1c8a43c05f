package engine_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
)

// Moving messages between folders, renaming and deleting folders never reach the server: a
// moved message is deleted exactly when it would have been unmoved (leave-days after it was
// first seen), and a deleted folder's messages, in the Trash, cause no DELE of their own, even
// for an account that deletes on the server when mail is deleted here.
func TestFolderMovesFollowRetention(t *testing.T) {
	e, store, a, d, clk := setup(t, mailstore.SecurityNone) // leave-days 14
	ctx := context.Background()
	for _, n := range []string{"one", "two", "three", "four"} {
		mustDeliver(t, d, n, "Subject: "+n+"\n\n"+n+"\n")
	}
	if res := e.Fetch(ctx, a, nil); res.Err != nil || res.New != 4 {
		t.Fatalf("fetch = %+v", res)
	}
	a.DeleteOnServer = true
	if err := store.UpdateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	ledger, _ := store.Ledger(ctx, a.ID)
	msgs, err := e.Messages(ctx, "")
	if err != nil || len(msgs) != 4 {
		t.Fatalf("Messages() = %d, %v", len(msgs), err)
	}
	ids := []int64{msgs[0].ID, msgs[1].ID, msgs[2].ID, msgs[3].ID}

	// msgs[0] stays in the inbox: the control.
	for _, step := range []func() error{
		func() error { _, err := e.CreateFolder(ctx, "Work/Invoices"); return err },
		func() error { _, err := e.MoveMessages(ctx, ids[1:3], "Work/Invoices"); return err },
		func() error { _, err := e.RenameFolder(ctx, "Work/Invoices", "Archive/Invoices"); return err },
		func() error { _, err := e.MoveFolder(ctx, "Archive/Invoices", ""); return err },
		func() error { _, err := e.CreateFolder(ctx, "Old"); return err },
		func() error { _, err := e.MoveMessages(ctx, ids[3:], "Old"); return err },
		func() error { _, err := e.DeleteFolder(ctx, "Old"); return err },
		func() error { _, err := e.MoveMessages(ctx, ids[2:3], "sent"); return err },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	if after, _ := store.Ledger(ctx, a.ID); !reflect.DeepEqual(after, ledger) {
		t.Errorf("folder operations changed the ledger:\n %v\n %v", ledger, after)
	}
	if m, _ := store.Message(ctx, ids[3]); m.Trashed == nil {
		t.Fatalf("the deleted folder's message is not in the Trash")
	}

	// Before leave-days: nothing is deleted, whatever moved.
	clk.add(13 * 24 * time.Hour)
	res := e.Fetch(ctx, a, nil)
	if res.Err != nil || res.Deleted != 0 {
		t.Fatalf("fetch on day 13 = %+v, want no deletion", res)
	}
	if files, _ := d.MaildirFiles("alice"); len(files) != 4 {
		t.Errorf("server has %d messages on day 13, want 4", len(files))
	}
	// After: all four go together, moved or not, exactly as the unmoved one.
	clk.add(24*time.Hour + time.Minute)
	res = e.Fetch(ctx, a, nil)
	if res.Err != nil || res.Deleted != 4 {
		t.Fatalf("fetch on day 14 = %+v, want 4 deleted", res)
	}
	for _, id := range ids {
		if err := store.VerifyMessage(ctx, id); err != nil {
			t.Errorf("local copy %d: %v", id, err)
		}
	}
}

// With leave forever, no folder operation ever causes a DELE.
func TestFolderDeleteNeverDeletesOnServer(t *testing.T) {
	e, store, a, d, clk := setup(t, mailstore.SecurityNone)
	ctx := context.Background()
	a.KeepForever, a.DeleteOnServer = true, true
	if err := store.UpdateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	mustDeliver(t, d, "one", "Subject: one\n\none\n")
	mustDeliver(t, d, "two", "Subject: two\n\ntwo\n")
	if res := e.Fetch(ctx, a, nil); res.Err != nil || res.New != 2 {
		t.Fatalf("fetch = %+v", res)
	}
	msgs, _ := e.Messages(ctx, "")
	if _, err := e.CreateFolder(ctx, "Doomed/Sub"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.MoveMessages(ctx, []int64{msgs[0].ID}, "Doomed"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.MoveMessages(ctx, []int64{msgs[1].ID}, "Doomed/Sub"); err != nil {
		t.Fatal(err)
	}
	del, err := e.DeleteFolder(ctx, "Doomed")
	if err != nil {
		t.Fatal(err)
	}
	clk.add(400 * 24 * time.Hour)
	if res := e.Fetch(ctx, a, nil); res.Err != nil || res.Deleted != 0 {
		t.Fatalf("fetch = %+v, want no deletion", res)
	}
	if files, _ := d.MaildirFiles("alice"); len(files) != 2 {
		t.Errorf("server has %d messages, want 2", len(files))
	}
	if n, err := e.UndoDeleteFolder(ctx, del); err != nil || n != 2 {
		t.Fatalf("UndoDeleteFolder() = %d, %v; want 2", n, err)
	}
	for id, want := range map[int64]mailstore.Folder{msgs[0].ID: "Doomed", msgs[1].ID: "Doomed/Sub"} {
		m, _ := store.Message(ctx, id)
		if m.Folder != want || m.Trashed != nil {
			t.Errorf("after undo message %d is in %q (trashed %v), want %q", id, m.Folder, m.Trashed, want)
		}
	}
}

func TestEngineFolderErrors(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	ctx := context.Background()
	if _, err := f.e.List(ctx, mailstore.Filter{Folder: "Nowhere"}); !errors.Is(err, mailstore.ErrFolderNotFound) {
		t.Errorf("List(unknown folder) = %v, want ErrFolderNotFound", err)
	}
	if _, err := f.e.Search(ctx, "in:Nowhere soup", 0); !errors.Is(err, mailstore.ErrFolderNotFound) {
		t.Errorf("Search(in:unknown) = %v, want ErrFolderNotFound", err)
	}
	if _, err := f.e.MarkAllRead(ctx, mailstore.Filter{Folder: "Nowhere"}); !errors.Is(err, mailstore.ErrFolderNotFound) {
		t.Errorf("MarkAllRead(unknown folder) = %v, want ErrFolderNotFound", err)
	}
	for _, to := range []string{"outbox", "Drafts"} {
		if _, err := f.e.MoveMessages(ctx, []int64{1}, to); !errors.Is(err, mailstore.ErrFolderNotAllowed) {
			t.Errorf("MoveMessages(to %s) = %v, want ErrFolderNotAllowed", to, err)
		}
	}
	var ne *mailstore.FolderNameError
	if _, err := f.e.CreateFolder(ctx, "a//b"); !errors.As(err, &ne) {
		t.Errorf("CreateFolder(a//b) = %v, want a *FolderNameError", err)
	}
	if _, err := f.e.MoveFolder(ctx, "Nowhere", "x"); !errors.Is(err, mailstore.ErrFolderNotFound) {
		t.Errorf("MoveFolder(unknown) = %v, want ErrFolderNotFound", err)
	}
}

// Importing into a fresh archive names an account that does not exist: it is created as a
// local account (no server), which fetch, the poller and retention leave alone.
func TestImportCreatesLocalAccountAndFolder(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	ctx := context.Background()
	mbox := filepath.Join(t.TempDir(), "old.mbox")
	content := "From a@example.org Mon Jan  1 00:00:00 2018\nSubject: one\n\nfirst\n\n" +
		"From b@example.org Mon Jan  1 00:00:00 2018\nSubject: two\n\nsecond\n"
	if err := os.WriteFile(mbox, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := f.e.Import(ctx, engine.ImportOptions{Format: "mbox", Path: mbox, Account: "old mail", Folder: "Archive/2018"}, nil)
	if err != nil || res.Imported != 2 || !res.CreatedAccount {
		t.Fatalf("Import() = %+v, %v; want 2 imported into a new account", res, err)
	}
	a, err := f.e.Account(ctx, "old mail")
	if err != nil || !a.Local {
		t.Fatalf("account = %+v, %v; want a local account", a, err)
	}
	msgs, err := f.e.List(ctx, mailstore.Filter{Folder: "archive/2018"})
	if err != nil || len(msgs) != 2 || msgs[0].Folder != "Archive/2018" {
		t.Fatalf("List(Archive/2018) = %d messages, %v", len(msgs), err)
	}
	// The second import names it again: no new account, the bytes are known.
	res, err = f.e.Import(ctx, engine.ImportOptions{Format: "mbox", Path: mbox, Account: "old mail"}, nil)
	if err != nil || res.Skipped != 2 || res.CreatedAccount {
		t.Errorf("second Import() = %+v, %v", res, err)
	}
	if _, err := f.e.Import(ctx, engine.ImportOptions{Format: "mbox", Path: mbox, Folder: "Outbox"}, nil); !errors.Is(err, mailstore.ErrFolderNotAllowed) {
		t.Errorf("Import(into Outbox) = %v, want ErrFolderNotAllowed", err)
	}

	results, err := f.e.FetchAll(ctx, "", nil)
	if err != nil || len(results) != 0 {
		t.Errorf("FetchAll() = %+v, %v; want the local account skipped", results, err)
	}
	r := f.e.Fetch(ctx, a, nil)
	var le *engine.LocalAccountError
	if !errors.As(r.Err, &le) || engine.Classify(r.Err) != engine.ErrorKindConfig {
		t.Errorf("Fetch(local) = %v, want a *LocalAccountError (config)", r.Err)
	}
	p := f.e.NewPoller(engine.PollerOptions{})
	p.Start(ctx)
	defer p.Stop()
	if st := p.Status(); len(st) != 0 {
		t.Errorf("poller status = %+v, want no worker for a local account", st)
	}

	out := filepath.Join(t.TempDir(), "out.mbox")
	n, err := f.e.Export(ctx, engine.ExportOptions{Format: "mbox", Out: out, Folder: "Archive/2018", Query: "second"}, nil)
	if err != nil || n != 1 {
		t.Errorf("Export(folder, query) = %d, %v; want 1", n, err)
	}
	n, err = f.e.Export(ctx, engine.ExportOptions{Format: "eml", Out: filepath.Join(t.TempDir(), "eml"), Folder: "Archive/2018"}, nil)
	if err != nil || n != 2 {
		t.Errorf("Export(folder) = %d, %v; want 2", n, err)
	}
	if _, err := f.e.Export(ctx, engine.ExportOptions{Format: "eml", Out: filepath.Join(t.TempDir(), "x"), Folder: "Nope"}, nil); !errors.Is(err, mailstore.ErrFolderNotFound) {
		t.Errorf("Export(unknown folder) = %v, want ErrFolderNotFound", err)
	}
}
