package ui

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
	"github.com/pouchmail/pouch/pop3/pop3test"
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
		return reason == "" && !f.w.bannerBox.Visible()
	})
	if edits := f.fp.edited(); len(edits) != 1 || edits[0] != "Home" {
		t.Errorf("poller told of edits %v, want [Home]", edits)
	}
	if a, err := f.store.AccountByName(ctx, "Home"); err != nil || a.Host != f.acct.Host {
		t.Errorf("account after the edit = %+v, %v", a, err)
	}
}

// overlayButton finds the button labelled text in the window's dialogs.
func overlayButton(f *fixture, text string) *widget.Button {
	var found *widget.Button
	var find func(o fyne.CanvasObject)
	find = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *widget.Button:
			if v.Text == text {
				found = v
			}
		case *fyne.Container:
			for _, c := range v.Objects {
				find(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				find(c)
			}
		}
	}
	f.q.wait(func() {
		for _, o := range f.w.window.Canvas().Overlays().List() {
			find(o)
		}
	})
	return found
}

// TestUndoDeleteAndMark: Delete and Mark offer Undo for a few seconds, and Undo puts things
// back as they were; the offer goes by itself.
func TestUndoDeleteAndMark(t *testing.T) {
	f := newWindow(t)
	ctx := context.Background()
	msg := f.open(t, "Lunch on Friday")
	f.q.wait(f.w.deleteSelected)
	f.eventually(t, "the Undo offer", func() bool {
		return f.w.list.Length() == 6 && f.w.undo.offered() && f.w.undo.text.Text == "Moved 1 message to the Trash."
	})
	f.q.wait(func() { test.Tap(f.w.undo.button) })
	f.eventually(t, "the message back in the list", func() bool { return f.w.list.Length() == 7 && !f.w.undo.offered() })
	if m, _ := f.store.Message(ctx, msg.ID); m.Trashed != nil {
		t.Errorf("after Undo the message is still in the Trash: %+v", m)
	}

	f.open(t, "Lunch on Friday")
	f.q.wait(f.w.toggleRead)
	f.eventually(t, "Mark unread saved", func() bool { m, _ := f.store.Message(ctx, msg.ID); return !m.Read })
	f.wantOffer(t, "Marked 1 message unread.")
	f.q.wait(func() { test.Tap(f.w.undo.button) })
	f.eventually(t, "Undo of Mark unread saved", func() bool { m, _ := f.store.Message(ctx, msg.ID); return m.Read })

	// The offer ends by itself (the clock made instant here).
	f.q.wait(func() {
		f.w.undo.after = func(_ time.Duration, fn func()) { go fn() }
		f.w.toggleRead()
	})
	f.eventually(t, "the offer to go", func() bool { return !f.w.undo.offered() })
}

// TestEmptyTrashSaysHowMany: Empty Trash asks with the count, on a destructive-styled button.
func TestEmptyTrashSaysHowMany(t *testing.T) {
	f := newWindow(t)
	ctx := context.Background()
	for _, s := range []string{"Lunch on Friday", "Quarterly report"} {
		msg := f.open(t, s)
		f.q.wait(f.w.deleteSelected)
		f.eventually(t, "the list without "+s, func() bool { return f.w.indexOf(msg.ID) < 0 })
	}
	f.q.wait(func() { f.w.sidebar.Select(f.w.sidebar.Length() - 1) })
	f.eventually(t, "the Trash", func() bool { return f.w.view.trash && f.w.list.Length() == 2 })
	f.q.wait(f.w.deleteSelected)
	f.eventually(t, "the question", func() bool { return f.w.emptyTrashDialog != nil })
	if txt := overlayTexts(f); !strings.Contains(txt, "Delete the 2 messages in the Trash") {
		t.Errorf("dialog says %q, want the count", txt)
	}
	b := overlayButton(f, "Delete 2 messages")
	if b == nil || b.Importance != widget.DangerImportance {
		t.Fatalf("confirm button = %+v, want “Delete 2 messages”, destructive", b)
	}
	f.q.wait(func() { test.Tap(b) })
	f.eventually(t, "the Trash emptied", func() bool { return f.w.list.Length() == 0 })
	if n, _ := f.store.Count(ctx, mailstore.Filter{Trash: true}); n != 0 {
		t.Errorf("%d messages left in the Trash", n)
	}
}

// TestCloseWithoutTrayHostQuits: "keep running in the tray" hides the window only when the
// desktop shows tray icons; without a tray host, closing quits instead of leaving Pouch running
// unseen.
func TestCloseWithoutTrayHostQuits(t *testing.T) {
	for _, tc := range []struct {
		name             string
		keepInTray, host bool
		wantQuit         bool
	}{
		{"tray host", true, true, false},
		{"no tray host", true, false, true},
		{"preference off", false, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newWindow(t)
			quit := make(chan struct{}, 1)
			f.q.wait(func() {
				f.w.desktop, f.w.prefs.keepInTray = true, tc.keepInTray
				f.w.trayHost = func(context.Context) bool { return tc.host }
				f.w.quit = func() { quit <- struct{}{} }
				f.w.closeRequested()
			})
			if tc.wantQuit {
				select {
				case <-quit:
				case <-time.After(5 * time.Second):
					t.Fatal("closing did not quit")
				}
				return
			}
			f.eventually(t, "the window hidden into the tray", func() bool {
				return strings.Contains(f.w.status.Text, "system tray")
			})
			if len(quit) != 0 {
				t.Error("closing quit with a tray host")
			}
		})
	}
	// Preferences say so where the choice is made.
	f := newWindow(t)
	var d *preferencesDialog
	f.q.wait(func() {
		f.w.desktop = true
		f.w.trayHost = func(context.Context) bool { return false }
		d = f.w.newPreferencesDialog()
	})
	f.eventually(t, "the no-tray note", func() bool { return d.trayNote.Visible() })
}

// TestRemovedAccountMailStaysVisible: the removal question says what each choice does to how
// many messages; the mail kept is listed under "Home (removed)", and account:Home finds it.
func TestRemovedAccountMailStaysVisible(t *testing.T) {
	f := newWindow(t)
	var form *accountForm
	f.q.wait(func() {
		a := *f.acct
		form = f.w.newAccountForm(&a)
		form.confirmRemove()
	})
	f.eventually(t, "the removal question", func() bool { return form.removeDialog != nil })
	txt := overlayTexts(f)
	if !strings.Contains(txt, "its 7 messages stay in the archive") || !strings.Contains(txt, "its 7 messages are deleted") {
		t.Errorf("removal question says %q, want what happens to the 7 messages", txt)
	}
	keep := overlayButton(f, "Remove, keep 7 messages")
	if keep == nil || overlayButton(f, "Remove and delete 7 messages") == nil {
		t.Fatal("the removal question lacks its counted buttons")
	}
	f.q.wait(func() { test.Tap(keep) })
	f.eventually(t, "the removed entry", func() bool {
		return len(f.w.accounts) == 0 && len(f.w.removed) == 1 && f.w.sidebar.Length() == 3+len(outgoingFolders)
	})
	_, name, unread, _ := f.w.sidebarItem(1)
	if name != "Home (removed)" || unread != 7 {
		t.Errorf("sidebar row 1 = %q with %d unread, want “Home (removed)” with 7", name, unread)
	}
	f.q.wait(func() { f.w.sidebar.Select(1) })
	f.eventually(t, "its mail listed", func() bool { return f.w.view.removed && f.w.list.Length() == 7 })
	f.q.wait(func() { test.Type(f.w.search, "report") })
	f.eventually(t, "the search in the removed account", func() bool { return f.w.rows.len() == 1 })
	if s := f.listed(t); len(s) != 1 || !strings.Contains(s[0].Subject, "Quarterly report") {
		t.Errorf("search results %v, want the quarterly report", s)
	}
	found, err := f.w.eng.Search(context.Background(), "account:Home report", 10)
	if err != nil || len(found) != 1 {
		t.Errorf("Search(account:Home report) = %d, %v; want the kept message", len(found), err)
	}
}

// TestStatusTellsTheTruth: the match count goes with the search, an empty list says why, the
// Trash shows its count, and a failed check does not leave "logging in…" behind.
func TestStatusTellsTheTruth(t *testing.T) {
	f := newWindow(t)
	f.q.wait(func() { test.Type(f.w.search, "report") })
	f.eventually(t, "the match count", func() bool { return f.w.status.Text == "1 message matches “report”." })
	f.q.wait(func() { f.w.search.SetText("") })
	f.eventually(t, "the count gone with the search", func() bool { return f.w.list.Length() == 7 && f.w.status.Text == "" })
	if f.text(func() string {
		if f.w.emptyNote.Visible() {
			return "visible"
		}
		return ""
	}) != "" {
		t.Error("the empty-list note shows over a full list")
	}

	f.q.wait(func() { test.Type(f.w.search, "zzzqqq") })
	f.eventually(t, "the no-match note", func() bool {
		return f.w.emptyNote.Visible() && f.w.emptyNote.Text == "No messages match “zzzqqq” here."
	})
	f.q.wait(func() { f.w.search.SetText("") })

	trashRow := func() int { return f.w.sidebar.Length() - 1 }
	f.open(t, "Lunch on Friday")
	f.q.wait(f.w.deleteSelected)
	f.eventually(t, "the Trash count", func() bool { return f.w.trashCount == 1 })
	f.q.wait(func() {
		row := newSidebarRow()
		f.w.sidebar.UpdateItem(trashRow(), row)
		if !row.count.Visible() || row.count.Text != "1" {
			t.Errorf("the Trash row shows %q (visible %v), want its count 1", row.count.Text, row.count.Visible())
		}
	})
	f.q.wait(func() { f.w.sidebar.Select(trashRow()) })
	f.eventually(t, "the Trash listed", func() bool { return f.w.view.trash && f.w.list.Length() == 1 })
	f.open(t, "Lunch on Friday")
	f.q.wait(f.w.restoreSelected)
	f.eventually(t, "the Trash empty, and saying so", func() bool {
		return f.w.list.Length() == 0 && f.w.emptyNote.Visible() && f.w.emptyNote.Text == "The Trash is empty." && f.w.trashCount == 0
	})

	// A check that fails after "logging in…" replaces it with the reason.
	f.emit(engine.Event{Kind: engine.EventProgress, Account: "Home", Progress: engine.Progress{Account: "Home", Phase: engine.PhaseLogin}})
	f.eventually(t, "the progress", func() bool { return f.w.status.Text == "Home: logging in…" })
	f.emit(engine.Event{Kind: engine.EventStatus, Account: "Home", Status: engine.AccountStatus{Account: "Home",
		LastError: "Home: connection refused", ErrorKind: engine.ErrorKindNetwork}})
	f.eventually(t, "the failure in the status bar", func() bool {
		return f.w.status.Text != "Home: logging in…" && strings.HasPrefix(f.w.status.Text, "Home: ")
	})
}

// TestFirstRunOpensAccountSetUp: with no account yet, the window opens on the account set-up
// and highlights Add account, not Check now; with an account, no dialog opens.
func TestFirstRunOpensAccountSetUp(t *testing.T) {
	a := test.NewTempApp(t)
	ctx := context.Background()
	store, err := mailstore.Open(ctx, filepath.Join(t.TempDir(), "pouch.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	q := newQueue(t)
	f := &fixture{store: store, q: q, fp: &fakePoller{}}
	q.wait(func() {
		f.w = newMainWindow(ctx, a, engine.New(store, secrets.NewMemory(), engine.Options{}), q.do, f.fp)
	})
	t.Cleanup(func() { q.wait(f.w.window.Close) })
	f.eventually(t, "the set-up dialog", func() bool { return f.w.setup != nil })
	// The list's note comes with the (empty) list, which is read after the accounts.
	f.eventually(t, "the empty list's note", func() bool {
		return f.w.emptyNote.Visible() && f.w.emptyNote.Text == "No accounts yet: add one to start."
	})
	if txt := overlayTexts(f); !strings.Contains(txt, "finds your provider's POP3 settings") {
		t.Errorf("first run shows %q, want the account set-up", txt)
	}
	f.q.wait(func() {
		if f.w.toolbar.check.Importance == widget.HighImportance || f.w.toolbar.add.Importance != widget.HighImportance {
			t.Error("first run highlights Check now, want Add account")
		}
		if !f.w.emptyNote.Visible() || f.w.emptyNote.Text != "No accounts yet: add one to start." {
			t.Errorf("empty list says %q", f.w.emptyNote.Text)
		}
		// Check now with nothing to check says so, instead of "Checking…" for ever.
		f.w.checkNow()
		if len(f.fp.checked()) != 0 || !strings.HasPrefix(f.w.status.Text, "No account with a server") {
			t.Errorf("Check now without accounts: checks %v, status %q", f.fp.checked(), f.w.status.Text)
		}
	})

	g := newWindow(t) // one account: straight to the mail
	g.q.wait(func() {
		if g.w.setup != nil || len(g.w.window.Canvas().Overlays().List()) != 0 {
			t.Error("a dialog opened although an account exists")
		}
		if g.w.toolbar.check.Importance != widget.HighImportance {
			t.Error("Check now not highlighted with an account")
		}
	})
}

// TestNewAccountKeepsMailOnTheServer: the account form starts on "Keep forever" and says in a
// line what each choice means; the quick set-up says it too.
func TestNewAccountKeepsMailOnTheServer(t *testing.T) {
	f := newWindow(t)
	var form *accountForm
	f.q.wait(func() { form = f.w.newAccountForm(nil) })
	f.q.wait(func() {
		if form.leave.Selected != "Keep forever" || !strings.Contains(form.leaveNote.Text, "stays on the server") {
			t.Errorf("new account: %q, note %q; want Keep forever, explained", form.leave.Selected, form.leaveNote.Text)
		}
		for choice, want := range map[string]string{"Delete after download": "only this computer keeps it",
			"Keep for a number of days": "that many days after"} {
			form.leave.SetSelected(choice)
			if !strings.Contains(form.leaveNote.Text, want) {
				t.Errorf("%s: note %q, want %q", choice, form.leaveNote.Text, want)
			}
		}
	})
	f.q.wait(func() { f.w.newAccountSetup().dialog.Show() })
	if txt := overlayTexts(f); !strings.Contains(txt, "Mail stays on the server") {
		t.Errorf("set-up dialog says %q, want what happens to the mail on the server", txt)
	}
}

// TestFailedCheckInWords: a failed check shows one sentence with what to do in the banner (no
// "Home: Home: pop3: …"), a red-free progress before it, the certificate one click away and the
// library's text behind Details….
func TestFailedCheckInWords(t *testing.T) {
	f := newWindow(t)
	_, certPEM := pop3test.NewTLSCert("pop.example.com")
	err := &engine.FetchError{Account: "Home", Err: &pop3.TLSError{Kind: pop3.TLSUnknownAuthority,
		Certificates: parsePEM(t, certPEM), Err: errors.New("x509: certificate signed by unknown authority")}}
	f.emit(engine.Event{Kind: engine.EventProgress, Account: "Home", Progress: engine.Progress{Account: "Home", Phase: engine.PhaseConnect}})
	f.eventually(t, "the progress", func() bool { return f.w.status.Text == "Home: connecting…" })
	f.q.wait(func() {
		if f.w.status.Importance == widget.DangerImportance {
			t.Error("progress shown in the error colour")
		}
	})
	f.emit(engine.Event{Kind: engine.EventStatus, Account: "Home", Status: engine.AccountStatus{Account: "Home",
		LastError: err.Error(), ErrorKind: engine.ErrorKindTLS}})
	f.emit(engine.Event{Kind: engine.EventFinished, Account: "Home", Result: &engine.Result{Account: "Home", Err: err}})
	want := "Home: This computer does not trust the certificate of pop.example.com."
	f.eventually(t, "the banner in words", func() bool { return strings.HasPrefix(f.w.banner.Text, want) })
	f.q.wait(func() {
		if s := f.w.status.Text; s != want {
			t.Errorf("status = %q, want %q", s, want)
		}
		if !f.w.bannerCertButton.Visible() || !f.w.bannerDetailsButton.Visible() {
			t.Error("the banner offers no Show certificate… or Details…")
		}
		if !strings.Contains(f.w.bannerDetails, "x509: certificate signed by unknown authority") {
			t.Errorf("details = %q, want the library's text", f.w.bannerDetails)
		}
	})
	// The certificate dialog opened once by itself; Show certificate… opens it again.
	f.eventually(t, "the certificate dialog", func() bool { return len(f.w.window.Canvas().Overlays().List()) == 1 })
	f.q.wait(func() { f.w.window.Canvas().Overlays().Top().Hide() })
	f.q.wait(func() { test.Tap(f.w.bannerCertButton) })
	if txt := overlayTexts(f); !strings.Contains(txt, "pop.example.com") {
		t.Errorf("Show certificate… opened %q", txt)
	}
}

// TestSelectionFollowsTheFolder: rows added above the open folder (an import's new account)
// leave the highlight on that folder, not on the row that now has its number.
func TestSelectionFollowsTheFolder(t *testing.T) {
	f := newWindow(t)
	trash := func() int { return f.w.sidebar.Length() - 1 }
	f.q.wait(func() { f.w.sidebar.Select(trash()) })
	f.eventually(t, "the Trash", func() bool { return f.w.view.trash })
	if err := f.store.CreateAccount(context.Background(), &mailstore.Account{Name: "Another", Host: "pop.example.org",
		Port: 995, Security: mailstore.SecurityTLS, Username: "bob", Interval: time.Hour}); err != nil {
		t.Fatal(err)
	}
	f.q.wait(f.w.reload)
	f.eventually(t, "the new account", func() bool { return accountByName(f.w.accounts, "Another") != nil })
	f.q.wait(func() {
		if !f.w.view.trash || f.w.folderAt(trash()) != f.w.view {
			t.Errorf("view %+v, Trash row %d is %+v", f.w.view, trash(), f.w.folderAt(trash()))
		}
		// Selecting the row already highlighted does nothing: the highlight is on the Trash.
		on, moved := f.w.sidebar.OnSelected, false
		f.w.sidebar.OnSelected = func(int) { moved = true }
		f.w.sidebar.Select(trash())
		f.w.sidebar.OnSelected = on
		if moved {
			t.Error("the highlight stayed on the old row number, not on the Trash")
		}
	})
}

// TestFirstCheckCountStays runs the real poller: a new account's first check downloads 300
// messages and the status bar keeps saying so (a second, empty check once followed at once and
// replaced it with "no new mail").
func TestFirstCheckCountStays(t *testing.T) {
	app := test.NewTempApp(t)
	ctx := context.Background()
	dir := t.TempDir()
	store, err := mailstore.Open(ctx, filepath.Join(dir, "pouch.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	eng := engine.New(store, secrets.NewMemory(), engine.Options{DataDir: dir})
	q := newQueue(t)
	var w *mainWindow
	p := eng.NewPoller(engine.PollerOptions{OnEvent: func(ev engine.Event) { w.onPollEvent(ev) }})
	q.wait(func() { w = newMainWindow(ctx, app, eng, q.do, p) })
	t.Cleanup(func() { q.wait(w.window.Close) })
	p.Start(ctx)
	t.Cleanup(p.Stop)
	f := &fixture{w: w, store: store, q: q}

	drop := pop3test.NewMaildrop()
	for i := range 300 {
		drop.Add(strconv.Itoa(i), []byte("Subject: message "+strconv.Itoa(i)+"\n\nbody\n"))
	}
	srv := pop3test.ServeMaildrop(t, drop, "alice", "pw")
	host, port := pop3test.HostPort(srv.Addr())
	a := &mailstore.Account{Name: "Work", Host: host, Port: port, Security: mailstore.SecurityNone, Username: "alice",
		AuthMethod: "USER", KeepForever: true, Interval: time.Hour}
	if err := eng.AddAccount(ctx, a, "pw"); err != nil {
		t.Fatal(err)
	}
	q.wait(func() { w.accountSaved("Work", "Added account Work.") })
	f.eventually(t, "the first check's count", func() bool { return strings.HasPrefix(w.status.Text, "Work: 300 new messages") })
	time.Sleep(time.Second)
	if s := f.text(func() string { return w.status.Text }); !strings.HasPrefix(s, "Work: 300 new messages") {
		t.Errorf("status = %q a second later, want the count of the first check", s)
	}
}
