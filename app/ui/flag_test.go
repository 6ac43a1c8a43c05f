package ui

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	_ "github.com/mattn/go-sqlite3"
	"github.com/pouchmail/pouch/mailstore"
)

// flagged reports whether the store has message id flagged.
func (f *fixture) flagged(t *testing.T, id int64) bool {
	t.Helper()
	m, err := f.store.Message(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m.Flagged
}

// starShown reports whether the drawn row of message id shows the flag's star.
func (f *fixture) starShown(t *testing.T, id int64) bool {
	t.Helper()
	var i int
	f.q.wait(func() { i = f.w.indexOf(id) })
	r := f.row(t, i)
	var shown bool
	f.q.wait(func() { shown = r.row.star.Visible() })
	return shown
}

// TestFlagFromToolbarAndKey: Flag on the toolbar flags the open message (the store, the row's
// star, the toolbar's Unflag), Undo takes the flag off; s on the focused list flags the
// selection, or unflags it when all of it is flagged; is:flagged lists what is flagged.
func TestFlagFromToolbarAndKey(t *testing.T) {
	f := newWindow(t)
	lunch := f.open(t, "Lunch on Friday")
	if label := f.text(func() string { return f.w.toolbar.flag.Text }); label != "Flag" {
		t.Errorf("toolbar says %q for an unflagged message, want Flag", label)
	}
	if f.starShown(t, lunch.ID) {
		t.Error("an unflagged message shows the star")
	}
	f.q.wait(f.w.toolbar.flag.OnTapped)
	f.eventually(t, "the store to flag it", func() bool { return f.flagged(t, lunch.ID) })
	if !f.starShown(t, lunch.ID) {
		t.Error("the flagged message's row shows no star")
	}
	if label := f.text(func() string { return f.w.toolbar.flag.Text }); label != "Unflag" {
		t.Errorf("toolbar says %q for a flagged message, want Unflag", label)
	}
	f.wantOffer(t, "Flagged 1 message.")
	f.q.wait(f.w.undo.take)
	f.eventually(t, "Undo to unflag it in the store", func() bool { return !f.flagged(t, lunch.ID) })
	if f.starShown(t, lunch.ID) {
		t.Error("after Undo the row still shows the star")
	}

	// s on the list: rows 0 to 2 selected, one of them flagged already, so all are flagged.
	f.q.wait(func() { f.w.setFlagged([]int64{f.w.rows.ids[1]}, true, nil) })
	f.click(t, 0, 0)
	f.click(t, 2, fyne.KeyModifierShift)
	f.wantSelected(t, "Shift-click", 0, 1, 2)
	var ids []int64
	f.q.wait(func() { ids = f.w.selectedIDs() })
	f.typeRune('s')
	f.eventually(t, "s to flag the three", func() bool {
		for _, id := range ids {
			if !f.flagged(t, id) {
				return false
			}
		}
		return true
	})
	for _, id := range ids {
		if !f.starShown(t, id) {
			t.Errorf("message %d flagged with s shows no star", id)
		}
	}
	f.wantOffer(t, "Flagged 3 messages.")

	// The right-click menu of the flagged selection offers Unflag (and no Flag).
	r := f.row(t, 1)
	f.q.wait(func() { r.TappedSecondary(&fyne.PointEvent{}) })
	menu := f.menuTexts()
	if !slices.Contains(menu, "Unflag") || slices.Contains(menu, "Flag") {
		t.Errorf("the menu of three flagged messages offers %q, want Unflag", menu)
	}
	f.q.wait(func() { f.w.dismissDialog() })

	// Searching is:flagged lists the three, newest first, as the list did.
	f.q.wait(func() { test.Type(f.w.search, "is:flagged") })
	f.eventually(t, "is:flagged to list three", func() bool { return f.w.rows.len() == 3 })
	for i, m := range f.listed(t) {
		if m.ID != ids[i] || !m.Flagged {
			t.Errorf("is:flagged row %d = %d (flagged %v), want %d", i, m.ID, m.Flagged, ids[i])
		}
	}

	// All three flagged: s unflags them, and the search, read again, has none left.
	f.click(t, 0, 0)
	f.shortcut(&fyne.ShortcutSelectAll{})
	f.typeRune('s')
	f.eventually(t, "s to unflag the three", func() bool {
		for _, id := range ids {
			if f.flagged(t, id) {
				return false
			}
		}
		return true
	})
	f.q.wait(func() { f.w.search.SetText("is:flagged ") })
	f.eventually(t, "is:flagged to list none", func() bool { return f.w.rows.len() == 0 })
}

// menuTexts lists the texts of the pop-up menu items on screen.
func (f *fixture) menuTexts() []string {
	var texts []string
	f.q.wait(func() {
		for _, o := range f.w.window.Canvas().Overlays().List() {
			for _, c := range test.LaidOutObjects(o) {
				if t, ok := c.(*canvas.Text); ok && c.Visible() && t.Text != "" {
					texts = append(texts, t.Text)
				}
			}
		}
	})
	return texts
}

// TestFlaggedRowStar: the star keeps the row's height and the sender's place, and says
// "Flagged" under the pointer.
func TestFlaggedRowStar(t *testing.T) {
	test.NewTempApp(t)
	r := newMessageRow()
	w := test.NewTempWindow(t, r)
	w.Resize(fyne.NewSize(400, 80))
	msg := &mailstore.Message{From: "Anna Lindqvist <anna@example.org>", Subject: "Lunch", Date: time.Now(), Folder: mailstore.FolderInbox}
	r.set(msg, "")
	height, x := r.MinSize().Height, r.from.Position().X
	if r.star.Visible() {
		t.Fatal("an unflagged message shows the star")
	}
	msg.Flagged = true
	r.set(msg, "")
	r.Refresh()
	if !r.star.Visible() {
		t.Fatal("a flagged message shows no star")
	}
	if r.MinSize().Height != height || r.from.Position().X != x {
		t.Errorf("flagged: height %v, sender at %v; want %v and %v as unflagged", r.MinSize().Height, r.from.Position().X, height, x)
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(r.star)
	test.MoveMouse(w.Canvas(), pos.AddXY(4, 4))
	var tips []string
	for _, o := range w.Canvas().Overlays().List() {
		if o.Visible() {
			walk(o, func(l *widget.Label) { tips = append(tips, l.Text) })
		}
	}
	if strings.Join(tips, "|") != "Flagged" {
		t.Errorf("under the pointer the star says %q, want Flagged", tips)
	}
	test.MoveMouse(w.Canvas(), fyne.NewPos(1, 1))
	for _, o := range w.Canvas().Overlays().List() {
		if o.Visible() {
			t.Error("the tip stays after the pointer left the star")
		}
	}
	msg.Flagged = false
	r.set(msg, "")
	if r.star.Visible() {
		t.Error("unflagged again, the row still shows the star")
	}
}

// wantOffer waits for the Undo toast to offer text.
func (f *fixture) wantOffer(t *testing.T, text string) {
	t.Helper()
	f.eventually(t, "the offer "+text, func() bool { return f.w.undo.offered() && f.w.undo.text.Text == text })
}

// TestUndoRestoresEachOwnState: three messages selected, one read already (opened), one
// flagged already; Flag then Undo, Mark read then Undo leave each as it was before, in the
// store and in the list: the message flagged before keeps its flag, the one read before stays
// read.
func TestUndoRestoresEachOwnState(t *testing.T) {
	f := newWindow(t)
	var ids []int64
	f.q.wait(func() { ids = slices.Clone(f.w.rows.ids[:3]) })
	f.q.wait(func() { f.w.setFlagged(ids[1:2], true, nil) })
	f.eventually(t, "message 1 flagged", func() bool { return f.flagged(t, ids[1]) })
	f.click(t, 0, 0) // opens it: read
	// Opening loads the message in the background, and a Shift-click before it is shown
	// would leave it unopened (another selection meanwhile).
	f.eventually(t, "message 0 open", func() bool { return f.w.open != nil && f.w.open.ID == ids[0] })
	f.click(t, 2, fyne.KeyModifierShift)
	f.wantSelected(t, "Shift-click", 0, 1, 2)

	type state struct{ read, flagged bool }
	before := []state{{true, false}, {false, true}, {false, false}}
	// states reads the three from the store and from the list's rows (not from the UI
	// goroutine: it queues there).
	states := func() (stored, shown []state) {
		for _, id := range ids {
			m, err := f.store.Message(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			stored = append(stored, state{m.Read, m.Flagged})
		}
		shown = make([]state, len(ids))
		f.q.wait(func() {
			f.w.rows.each(ids, func(m *mailstore.Message) { shown[slices.Index(ids, m.ID)] = state{m.Read, m.Flagged} })
		})
		return stored, shown
	}
	// settled waits for message i to be in the state is (not) in the store: each action and
	// each Undo is one UPDATE, so then all of it is in.
	settled := func(what string, i int, is func(state) bool, want bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for stored, _ := states(); is(stored[i]) != want; stored, _ = states() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	isRead := func(s state) bool { return s.read }
	settled("message 0 read by opening it", 0, isRead, true)
	if stored, shown := states(); !slices.Equal(stored, before) || !slices.Equal(shown, before) {
		t.Fatalf("before: stored %+v, in the list %+v; want %+v", stored, shown, before)
	}

	for _, c := range []struct {
		action string
		button *widget.Button
		offer  string
		is     func(state) bool // the state the action sets
	}{
		{"Flag", f.w.toolbar.flag, "Flagged 3 messages.", func(s state) bool { return s.flagged }},
		{"Mark read", f.w.toolbar.read, "Marked 3 messages read.", isRead},
	} {
		if got := f.text(func() string { return c.button.Text }); got != c.action {
			t.Fatalf("the toolbar says %q, want %s", got, c.action)
		}
		f.q.wait(func() { test.Tap(c.button) })
		f.wantOffer(t, c.offer)
		stored, shown := states()
		for i := range ids {
			if !c.is(stored[i]) || !c.is(shown[i]) {
				t.Errorf("after %s message %d is %+v stored, %+v in the list", c.action, i, stored[i], shown[i])
			}
		}
		f.q.wait(func() { test.Tap(f.w.undo.button) })
		// Message 2 changed in either case: once it is back, the Undo's one UPDATE is in.
		settled("Undo of "+c.action, 2, c.is, false)
		if stored, shown := states(); !slices.Equal(stored, before) || !slices.Equal(shown, before) {
			t.Errorf("after Undo of %s: stored %+v, in the list %+v; want each as before, %+v", c.action, stored, shown, before)
		}
	}
	if f.starShown(t, ids[0]) || !f.starShown(t, ids[1]) || f.starShown(t, ids[2]) {
		t.Error("after the Undo the stars are not on message 1 alone")
	}
}

// TestStateSavesInOrder: Flag, Unflag, Flag… pressed while another writer holds the archive
// (a fetch committing) are saved in the order pressed, so the store ends as the list shows it;
// saves racing for the lock could land in any order and leave the store flagged under an
// unflagged row.
func TestStateSavesInOrder(t *testing.T) {
	f := newWindow(t)
	var id int64
	f.q.wait(func() { id = f.w.rows.ids[0] })
	db, err := sql.Open("sqlite3", "file:"+f.store.Path()+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for round := range 8 {
		conn, err := db.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
			t.Fatal(err)
		}
		for i := range 7 { // ends flagged in even rounds, unflagged in odd ones
			flag := (i+round)%2 == 0
			f.q.wait(func() { f.w.setFlagged([]int64{id}, flag, nil) })
			time.Sleep(time.Duration(7+5*round) * time.Millisecond) // as fast as keys repeat
		}
		want := round%2 == 0
		time.Sleep(time.Duration(100+37*round) * time.Millisecond) // every save is waiting for the lock
		if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
			t.Fatal(err)
		}
		conn.Close()
		var shown bool
		f.q.wait(func() { f.w.rows.each([]int64{id}, func(m *mailstore.Message) { shown = m.Flagged }) })
		if shown != want {
			t.Fatalf("round %d: the list shows flagged %v, want %v", round, shown, want)
		}
		// Seven UPDATEs of one row take milliseconds once the lock is free; the last pressed
		// must be the last saved.
		f.eventually(t, "the store to follow the list", func() bool { return f.flagged(t, id) == want })
		time.Sleep(300 * time.Millisecond)
		if got := f.flagged(t, id); got != want {
			t.Fatalf("round %d: the store has flagged %v after the saves, the list %v", round, got, want)
		}
	}
}
