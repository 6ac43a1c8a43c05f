package ui

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

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
	if got := f.text(func() string { return f.w.undo.text.Text }); got != "Flagged 1 message." {
		t.Errorf("the Undo toast says %q, want Flagged 1 message.", got)
	}
	f.q.wait(f.w.undo.take)
	f.eventually(t, "Undo to unflag it in the store", func() bool { return !f.flagged(t, lunch.ID) })
	if f.starShown(t, lunch.ID) {
		t.Error("after Undo the row still shows the star")
	}

	// s on the list: rows 0 to 2 selected, one of them flagged already, so all are flagged.
	f.q.wait(func() { f.w.setFlagged([]int64{f.w.rows.ids[1]}, true) })
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
	if got := f.text(func() string { return f.w.undo.text.Text }); got != "Flagged 3 messages." {
		t.Errorf("the Undo toast says %q, want Flagged 3 messages.", got)
	}

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
