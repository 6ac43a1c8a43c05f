package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
)

// press clicks o as the desktop driver does: the button goes down on the outermost object of o
// that takes it (which is how selectable text takes the keyboard), up, then the tap. Call it on
// the UI queue.
func (f *fixture) press(o fyne.CanvasObject) {
	ev := &desktop.MouseEvent{Button: desktop.MouseButtonPrimary}
	ev.Position = fyne.NewPos(10, 10)
	for _, c := range test.LaidOutObjects(o) {
		if m, ok := c.(desktop.Mouseable); ok {
			m.MouseDown(ev)
			m.MouseUp(ev)
			break
		}
	}
	if tp, ok := o.(fyne.Tappable); ok {
		test.Tap(tp)
	}
}

// TestShortcutsAfterClickingAHeaderField: a click on a header field of the reading pane leaves
// the window's keys and shortcuts working — F5, Ctrl+N, Escape, Delete — and a right click
// copies the field's value.
func TestShortcutsAfterClickingAHeaderField(t *testing.T) {
	f := newWindow(t)
	ctx := context.Background()
	msg := f.open(t, "Lunch on Friday")
	var focused fyne.Focusable
	f.q.wait(func() {
		f.press(f.w.viewer.subject)
		focused = f.w.window.Canvas().Focused()
	})
	if focused != nil && focused != f.w.list {
		t.Fatalf("after a click on the subject %T has the keyboard, want the list still", focused)
	}
	// Right click: a menu, whose Copy copies the value.
	f.q.wait(func() { test.TapSecondary(f.w.viewer.subject) })
	if texts := f.menuTexts(); !slices.Contains(texts, "Copy") {
		t.Errorf("the subject's right-click menu shows %q, want Copy", texts)
	}
	f.q.wait(func() {
		for _, o := range f.w.window.Canvas().Overlays().List() {
			f.w.window.Canvas().Overlays().Remove(o)
		}
		if items := f.w.viewer.subject.menu().Items; len(items) == 1 && items[0].Label == "Copy" {
			items[0].Action()
		}
	})
	clip := fyne.CurrentApp().Clipboard()
	if got := f.text(clip.Content); got != msg.Subject {
		t.Errorf("Copy on the subject copied %q, want %q", got, msg.Subject)
	}
	f.key(fyne.KeyF5, false)
	if checks := f.fp.checked(); len(checks) != 1 {
		t.Errorf("F5 after a click on the subject: checks %v, want one", checks)
	}
	f.shortcut(&desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault})
	// (No account sends here, which Ctrl+N says in a dialog; Escape closes it.)
	f.eventually(t, "Ctrl+N to answer", func() bool { return strings.Contains(f.w.status.Text, "Cannot write") })
	f.key(fyne.KeyEscape, false)
	f.eventually(t, "Escape to close the dialog", func() bool { return f.w.window.Canvas().Overlays().Top() == nil })
	f.key(fyne.KeyDelete, false)
	f.eventually(t, "Delete to reach the store", func() bool {
		m, err := f.store.Message(ctx, msg.ID)
		return err == nil && m.Trashed != nil
	})
}
