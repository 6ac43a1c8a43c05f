package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/pouchmail/pouch/app/engine"
)

// TestActionsNeedTheMessageOnScreen: once the open message leaves the list (a search without
// it, another folder), the reading pane is cleared and Delete, Restore and Mark do nothing.
func TestActionsNeedTheMessageOnScreen(t *testing.T) {
	f := newWindow(t)
	ctx := context.Background()
	msg := f.open(t, "Lunch on Friday")

	f.q.wait(func() { test.Type(f.w.search, "zzzqqq") })
	f.eventually(t, "no search results", func() bool { return f.w.list.Length() == 0 })
	f.eventually(t, "the pane cleared", func() bool { return f.w.open == nil && f.w.viewer.subject.Text == "" })
	f.q.wait(func() {
		if !f.w.toolbar.delete.Disabled() || !f.w.toolbar.read.Disabled() {
			t.Error("Delete or Mark enabled with no message on screen")
		}
		f.w.deleteSelected()
		f.w.toggleRead()
	})
	f.q.wait(func() { f.w.search.SetText("") })
	f.eventually(t, "the whole list back", func() bool { return f.w.list.Length() == 7 })
	if m, err := f.store.Message(ctx, msg.ID); err != nil || m.Trashed != nil {
		t.Fatalf("stored message = %+v, %v; Delete must not reach a message not on screen", m, err)
	}

	// An inbox message open, then the (empty) Trash: Restore has nothing to restore.
	f.open(t, "Lunch on Friday")
	f.q.wait(func() { f.w.sidebar.Select(f.w.sidebar.Length() - 1) })
	f.eventually(t, "the Trash shown, the pane cleared", func() bool { return f.w.view.trash && f.w.open == nil })
	f.q.wait(func() {
		if !f.w.toolbar.restore.Disabled() {
			t.Error("Restore enabled in an empty Trash")
		}
		f.w.restoreSelected()
		f.w.deleteSelected() // in the Trash: asks to empty it; nothing else
	})
	if m, _ := f.store.Message(ctx, msg.ID); m.Trashed != nil || !m.Read {
		t.Errorf("stored message = %+v; want it untouched (read, not in the Trash)", m)
	}
}

// TestSavedEditClearsTheOldError: an account stopped on a wrong password shows the error until
// the fix is saved; then the error goes at once and the poller is told to check with the new
// settings.
func TestSavedEditClearsTheOldError(t *testing.T) {
	f := newWindow(t)
	ctx := context.Background()
	f.emit(engine.Event{Kind: engine.EventStatus, Account: "Home", Status: engine.AccountStatus{Account: "Home",
		LastError: "Home: pop3: PASS: -ERR [AUTH] invalid login", ErrorKind: engine.ErrorKindAuth, Stopped: true}})
	f.eventually(t, "the error badge", func() bool { _, _, _, reason := f.w.sidebarItem(1); return reason != "" })
	f.q.wait(func() {
		a := *f.acct
		form := f.w.newAccountForm(&a)
		test.Type(form.password, "right-pw")
		form.submit()
	})
	f.eventually(t, "the new password saved", func() bool { pw, _ := f.kr.Get("Home"); return pw == "right-pw" })
	f.eventually(t, "the error gone", func() bool {
		_, _, _, reason := f.w.sidebarItem(1)
		return reason == "" && !f.w.banner.Visible()
	})
	if edits := f.fp.edited(); len(edits) != 1 || edits[0] != "Home" {
		t.Errorf("poller told of edits %v, want [Home]", edits)
	}
	if a, err := f.store.AccountByName(ctx, "Home"); err != nil || a.Host != f.acct.Host {
		t.Errorf("account after the edit = %+v, %v", a, err)
	}
}
