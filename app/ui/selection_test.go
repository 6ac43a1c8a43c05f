package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/pouchmail/pouch/mailstore"
)

// row is the list row showing message i, as drawn on the canvas.
func (f *fixture) row(t *testing.T, i int) *listRow {
	t.Helper()
	var r *listRow
	f.q.wait(func() {
		f.w.list.ScrollTo(i)
		for _, o := range test.LaidOutObjects(f.w.list) {
			if lr, ok := o.(*listRow); ok && lr.Visible() && lr.i == i {
				r = lr
			}
		}
	})
	if r == nil {
		t.Fatalf("row %d is not drawn", i)
	}
	return r
}

// click clicks row i holding mod, as the desktop driver reports it: the button goes down with
// the modifiers, then the tap.
func (f *fixture) click(t *testing.T, i int, mod fyne.KeyModifier) {
	t.Helper()
	r := f.row(t, i)
	f.q.wait(func() {
		r.MouseDown(&desktop.MouseEvent{Button: desktop.MouseButtonPrimary, Modifier: mod})
		test.Tap(r)
	})
}

// key presses a key as the driver does: to the focused widget, else to the window. Shift is
// held around it when shift is set.
func (f *fixture) key(name fyne.KeyName, shift bool) {
	f.q.wait(func() {
		c := f.w.window.Canvas()
		ev := &fyne.KeyEvent{Name: name}
		focused := c.Focused()
		if focused == nil {
			c.OnTypedKey()(ev)
			return
		}
		k, keyable := focused.(desktop.Keyable)
		if shift && keyable {
			k.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
		}
		focused.TypedKey(ev)
		if shift && keyable {
			k.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
		}
	})
}

// typeRune types r as the driver does.
func (f *fixture) typeRune(r rune) {
	f.q.wait(func() {
		c := f.w.window.Canvas()
		if focused := c.Focused(); focused != nil {
			focused.TypedRune(r)
		} else {
			c.OnTypedRune()(r)
		}
	})
}

// shortcut types a shortcut as the driver does: a focused widget that takes shortcuts gets it,
// else the window.
func (f *fixture) shortcut(sc fyne.Shortcut) {
	f.q.wait(func() {
		c := f.w.window.Canvas()
		if s, ok := c.Focused().(fyne.Shortcutable); ok {
			s.TypedShortcut(sc)
			return
		}
		c.(fyne.Shortcutable).TypedShortcut(sc)
	})
}

// selected lists the selected rows.
func (f *fixture) selected() []int {
	var rows []int
	f.q.wait(func() {
		for i, id := range f.w.rows.ids {
			if f.w.sel.ids[id] {
				rows = append(rows, i)
			}
		}
	})
	return rows
}

func (f *fixture) wantSelected(t *testing.T, what string, want ...int) {
	t.Helper()
	if got := f.selected(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: rows %v selected, want %v", what, got, want)
	}
}

func (f *fixture) viewerSays(t *testing.T, s string) {
	t.Helper()
	f.eventually(t, fmt.Sprintf("the viewer to say %q", s), func() bool { return strings.Contains(f.w.viewer.body.Text, s) })
}

func (f *fixture) openSubject() string {
	return f.text(func() string {
		if f.w.open == nil {
			return ""
		}
		return f.w.open.Subject
	})
}

func TestSelectManyWithTheMouse(t *testing.T) {
	f := newWindow(t)
	ctx := context.Background()
	ctrl, shift := fyne.KeyModifierShortcutDefault, fyne.KeyModifierShift

	f.click(t, 0, 0)
	f.eventually(t, "row 0 open", func() bool { return f.w.open != nil && f.w.open.ID == f.w.rows.ids[0] })
	f.wantSelected(t, "click", 0)
	f.click(t, 2, ctrl)
	f.wantSelected(t, "Ctrl-click", 0, 2)
	f.viewerSays(t, "2 messages selected")
	if s := f.openSubject(); s != "" {
		t.Errorf("with two selected, %q is still open", s)
	}
	f.click(t, 4, shift)
	f.wantSelected(t, "Shift-click from row 2", 2, 3, 4)
	f.click(t, 3, ctrl)
	f.wantSelected(t, "Ctrl-click on a selected row", 2, 4)
	f.click(t, 6, ctrl|shift)
	f.wantSelected(t, "Ctrl+Shift-click from row 3 adds the range", 2, 3, 4, 5, 6)
	f.viewerSays(t, "5 messages selected")

	// The actions take the selection: Mark read, then Delete (a key on the focused list).
	var ids []int64
	f.q.wait(func() { ids = f.w.selectedIDs() })
	if label := f.text(func() string { return f.w.toolbar.read.Text }); label != "Mark read" {
		t.Errorf("toolbar says %q with unread messages selected, want Mark read", label)
	}
	f.q.wait(f.w.toolbar.read.OnTapped)
	f.eventually(t, "the selection marked read", func() bool {
		for _, id := range ids {
			if m, err := f.store.Message(ctx, id); err != nil || !m.Read {
				return false
			}
		}
		return true
	})
	// Export offers the selection.
	f.q.wait(f.w.showExport)
	if got := overlayTexts(f); !strings.Contains(got, "5 messages: the ones selected.") {
		t.Errorf("the export dialog says %q, want the five selected", got)
	}
	f.q.wait(func() { f.w.dismissDialog() })
	f.key(fyne.KeyDelete, false)
	f.eventually(t, "the list without the five", func() bool { return f.w.list.Length() == 2 })
	for _, id := range ids {
		if m, err := f.store.Message(ctx, id); err != nil || m.Trashed == nil {
			t.Errorf("message %d after Delete: %+v, %v; want it in the Trash", id, m, err)
		}
	}
	if status := f.text(func() string { return f.w.status.Text }); status != "Moved 5 messages to the Trash." {
		t.Errorf("status = %q", status)
	}
}

func TestKeyboardInTheList(t *testing.T) {
	f := newWindow(t)
	ctx := context.Background()
	subject := func(i int) string { return f.text(func() string { return f.w.shownRow(i).Subject }) }

	f.click(t, 0, 0)
	if focused := f.w.window.Canvas().Focused(); focused != f.w.list {
		t.Fatalf("after a click on a message %T has the keyboard, want the list", focused)
	}
	// The arrows and j/k move and open.
	for _, step := range []struct {
		key  fyne.KeyName
		r    rune
		want int
	}{{key: fyne.KeyDown, want: 1}, {r: 'j', want: 2}, {r: 'k', want: 1}, {key: fyne.KeyEnd, want: 6}, {key: fyne.KeyHome, want: 0},
		{key: fyne.KeyDown, want: 1}} {
		if step.r != 0 {
			f.typeRune(step.r)
		} else {
			f.key(step.key, false)
		}
		f.eventually(t, fmt.Sprintf("row %d open after %s%c", step.want, step.key, step.r), func() bool {
			return f.w.open != nil && f.w.open.ID == f.w.rows.ids[step.want]
		})
		f.wantSelected(t, fmt.Sprintf("after %s%c", step.key, step.r), step.want)
	}
	// Shift+arrows stretch the selection from where it was.
	f.key(fyne.KeyDown, true)
	f.key(fyne.KeyDown, true)
	f.wantSelected(t, "Shift+Down twice from row 1", 1, 2, 3)
	f.viewerSays(t, "3 messages selected")
	f.key(fyne.KeyUp, true)
	f.wantSelected(t, "then Shift+Up", 1, 2)

	// m marks the selection unread (both were opened, so read), and read again.
	f.typeRune('m')
	f.eventually(t, "rows 1 and 2 unread", func() bool { return !f.w.shownRow(1).Read && !f.w.shownRow(2).Read })
	var id int64
	f.q.wait(func() { id = f.w.rows.ids[2] })
	f.eventually(t, "the store to agree", func() bool { m, err := f.store.Message(ctx, id); return err == nil && !m.Read })
	f.typeRune('m')
	f.eventually(t, "rows 1 and 2 read", func() bool { return f.w.shownRow(1).Read && f.w.shownRow(2).Read })

	// Ctrl+A selects the list; Enter opens the row the keyboard is on, alone.
	f.shortcut(&fyne.ShortcutSelectAll{})
	f.wantSelected(t, "Ctrl+A", 0, 1, 2, 3, 4, 5, 6)
	f.viewerSays(t, "7 messages selected")
	f.key(fyne.KeyReturn, false)
	f.wantSelected(t, "Enter", 2)
	f.eventually(t, "Enter to open row 2", func() bool { return strings.Contains(f.w.viewer.subject.Text, f.w.shownRow(2).Subject) })

	// Space pages the viewer.
	f.q.wait(func() {
		f.w.viewer.body.SetText(strings.Repeat("A long line of the message.\n", 400))
		f.w.viewer.scroll.ScrollToTop()
	})
	f.key(fyne.KeySpace, false)
	if y := f.text(func() string { return fmt.Sprint(f.w.viewer.scroll.Offset.Y) }); y == "0" {
		t.Error("Space did not page the viewer")
	}
	f.wantSelected(t, "Space", 2)

	// / goes to the search; Escape clears it and gives the list back the keyboard.
	f.typeRune('/')
	if f.w.window.Canvas().Focused() != f.w.search {
		t.Fatalf("/ did not focus the search field")
	}
	word := subject(2)[:5]
	f.q.wait(func() { test.Type(f.w.search, word) })
	f.eventually(t, "the search to narrow the list", func() bool { return f.w.list.Length() < 7 })
	// The window's shortcuts work in the search field: F5 and Ctrl+N.
	f.key(fyne.KeyF5, false)
	if checks := f.fp.checked(); len(checks) != 1 {
		t.Errorf("F5 in the search field: checks %v, want one", checks)
	}
	f.shortcut(&desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault})
	// (No account sends here, which Ctrl+N says in a dialog; Escape closes it.)
	f.eventually(t, "Ctrl+N in the search field to answer", func() bool { return strings.Contains(f.w.status.Text, "Cannot write") })
	f.key(fyne.KeyEscape, false)
	f.eventually(t, "Escape to close the dialog", func() bool { return f.w.window.Canvas().Overlays().Top() == nil })
	if got := f.text(func() string { return f.w.search.Text }); got != word {
		t.Errorf("Escape on the dialog changed the search to %q", got)
	}
	f.key(fyne.KeyEscape, false)
	f.eventually(t, "Escape to clear the search", func() bool { return f.w.search.Text == "" && f.w.list.Length() == 7 })
	if f.w.window.Canvas().Focused() != f.w.list {
		t.Error("after Escape the list does not have the keyboard")
	}
	f.wantSelected(t, "after the search", 2)
}

// TestKeyboardAfterSidebarClick: one click in the sidebar, then Down opens the next folder (it
// only moved a highlight, onto the Trash), and Delete deletes the selected message (it did
// nothing).
func TestKeyboardAfterSidebarClick(t *testing.T) {
	f := newWindow(t)
	ctx := context.Background()
	msg := f.open(t, "Lunch on Friday")
	// Click "All mail", the first sidebar row.
	f.q.wait(func() {
		c := f.w.window.Canvas()
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(f.w.sidebar)
		test.TapCanvas(c, pos.AddXY(30, 10))
	})
	if focused := f.w.window.Canvas().Focused(); focused != f.w.sidebar {
		t.Fatalf("after a click in the sidebar %T has the keyboard", focused)
	}
	f.eventually(t, "the list reloaded", func() bool { return f.w.list.Length() == 7 })
	f.key(fyne.KeyDelete, false)
	f.eventually(t, "Delete to reach the store", func() bool {
		m, err := f.store.Message(ctx, msg.ID)
		return err == nil && m.Trashed != nil
	})
	f.key(fyne.KeyDown, false)
	f.eventually(t, "Down to open the account", func() bool { return f.w.view.account == "Home" && f.w.folderRow == 1 })
	f.key(fyne.KeyUp, false)
	f.eventually(t, "Up to open All mail again", func() bool { return f.w.view == folder{} && f.w.folderRow == 0 })
}

func TestTabOrder(t *testing.T) {
	f := newWindow(t)
	var order []fyne.Focusable
	f.q.wait(func() {
		c := f.w.window.Canvas()
		c.Unfocus()
		for range 4 {
			c.FocusNext()
			order = append(order, c.Focused())
		}
	})
	if order[0] != f.w.sidebar || order[1] != f.w.search || order[2] != f.w.list {
		t.Errorf("Tab goes %T, %T, %T; want the sidebar, the search, the list", order[0], order[1], order[2])
	}
	var inViewer bool
	f.q.wait(func() {
		d := fyne.CurrentApp().Driver()
		o, ok := order[3].(fyne.CanvasObject)
		inViewer = ok && d.AbsolutePositionForObject(o).X >= d.AbsolutePositionForObject(f.w.viewer.content).X
	})
	if !inViewer {
		t.Errorf("after the list Tab goes to %T, want the viewer", order[3])
	}
}

func TestEscapeClosesDialogs(t *testing.T) {
	f := newWindow(t)
	answered := make(chan bool, 1)
	f.q.wait(func() {
		dialog.NewConfirm("Question", "Really?", func(ok bool) { answered <- ok }, f.w.window).Show()
		f.w.window.Canvas().Unfocus()
	})
	f.key(fyne.KeyEscape, false)
	select {
	case ok := <-answered:
		if ok {
			t.Error("Escape answered yes")
		}
	default:
		t.Fatal("Escape did not close the dialog")
	}
	if top := f.text(func() string { return fmt.Sprint(f.w.window.Canvas().Overlays().Top()) }); top != "<nil>" {
		t.Errorf("a dialog is still shown: %s", top)
	}
}

// addMessages stores n small messages for the account, dated after start a minute apart.
func (f *fixture) addMessages(t testing.TB, n int, start time.Time, prefix string) {
	t.Helper()
	items := make([]mailstore.BatchItem, n)
	for i := range items {
		d := start.Add(time.Duration(i) * time.Minute)
		items[i] = mailstore.BatchItem{UIDL: fmt.Sprintf("%s-%d", prefix, i), Data: fmt.Appendf(nil,
			"From: Bob <bob@example.org>\r\nTo: alice@example.org\r\nSubject: %s %d\r\nDate: %s\r\nMessage-ID: <%s-%d@example.org>\r\n\r\nHello %d.\r\n",
			prefix, i, d.Format(time.RFC1123Z), prefix, i, i)}
	}
	if _, err := f.store.NewSaver(f.acct.ID).Save(context.Background(), items, time.Now()); err != nil {
		t.Fatal(err)
	}
}

// TestNewMailKeepsSelectionAndScroll: mail arriving at the top neither moves the rows in view
// nor changes what is selected.
func TestNewMailKeepsSelectionAndScroll(t *testing.T) {
	f := newWindow(t)
	base := time.Now().Add(-24 * time.Hour)
	f.addMessages(t, 80, base, "old")
	f.q.wait(f.w.loadMessages)
	f.eventually(t, "87 rows", func() bool { return f.w.list.Length() == 87 })
	f.click(t, 40, 0)
	f.click(t, 42, fyne.KeyModifierShift)
	f.wantSelected(t, "rows 40-42", 40, 41, 42)
	var top int64
	f.q.wait(func() {
		f.w.list.ScrollToOffset(35 * f.w.rowPitch)
		top = f.w.rowID(35)
	})
	f.addMessages(t, 5, time.Now(), "new")
	f.q.wait(f.w.loadMessages)
	f.eventually(t, "92 rows", func() bool { return f.w.list.Length() == 92 })
	f.wantSelected(t, "after new mail", 45, 46, 47)
	var at int
	f.q.wait(func() { at = int(f.w.list.GetScrollOffset()/f.w.rowPitch + 0.5) })
	if got := f.text(func() string { return fmt.Sprint(f.w.rowID(at)) }); got != fmt.Sprint(top) {
		t.Errorf("the top row in view is row %d (message %s), want message %d still", at, got, top)
	}
}

// TestKeysInTheReadingPane: with the keyboard in the message text, F5 checks, Delete deletes
// the open message and / goes to the search.
func TestKeysInTheReadingPane(t *testing.T) {
	f := newWindow(t)
	msg := f.open(t, "Lunch on Friday")
	f.q.wait(func() { f.w.window.Canvas().Focus(f.w.viewer.body) })
	f.key(fyne.KeyF5, false)
	if checks := f.fp.checked(); len(checks) != 1 {
		t.Errorf("F5 in the reading pane: checks %v, want one", checks)
	}
	f.key(fyne.KeyDelete, false)
	f.eventually(t, "Delete in the reading pane to reach the store", func() bool {
		m, err := f.store.Message(context.Background(), msg.ID)
		return err == nil && m.Trashed != nil
	})
	f.q.wait(func() { f.w.window.Canvas().Focus(f.w.viewer.body) })
	f.typeRune('/')
	if f.w.window.Canvas().Focused() != f.w.search {
		t.Error("/ in the reading pane did not go to the search")
	}
}
