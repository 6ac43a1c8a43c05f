package ui

import (
	"context"
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestNothingJumps: the window fits half a 1366-pixel screen; marking read or unread, opening a
// message and selecting the Trash leave the window's minimum width and the toolbar's buttons
// where they were.
func TestNothingJumps(t *testing.T) {
	f := newWindow(t)
	minWidth := func() float32 {
		var w float32
		f.q.wait(func() { w = f.w.window.Content().MinSize().Width })
		return w
	}
	pos := func(o fyne.CanvasObject) fyne.Position {
		var p fyne.Position
		f.q.wait(func() { p = fyne.CurrentApp().Driver().AbsolutePositionForObject(o) })
		return p
	}
	f.q.wait(func() { f.w.window.Resize(fyne.NewSize(1280, 800)) })
	f.open(t, "Lunch on Friday")
	if w := minWidth(); w > 683 {
		t.Errorf("minimum width with a message open %.0f, want at most 683 (half of 1366)", w)
	}
	readLabel := func() string { return f.text(func() string { return f.w.toolbar.read.Text }) }
	before, add, size := readLabel(), pos(f.w.toolbar.add), f.text(func() string { return fmt.Sprint(f.w.toolbar.read.Size()) })
	f.q.wait(f.w.toggleRead)
	f.eventually(t, "the label changed", func() bool { return f.w.toolbar.read.Text != before })
	if got := pos(f.w.toolbar.add); got != add {
		t.Errorf("Add account moved from %v to %v when %q became %q", add, got, before, readLabel())
	}
	if got := f.text(func() string { return fmt.Sprint(f.w.toolbar.read.Size()) }); got != size {
		t.Errorf("%q is %s wide, %q was %s", readLabel(), got, before, size)
	}
	f.q.wait(func() { f.w.sidebar.Select(f.w.sidebar.Length() - 1) })
	f.eventually(t, "the Trash", func() bool { return f.w.view.trash })
	if w := minWidth(); w > 683 {
		t.Errorf("minimum width in the Trash %.0f, want at most 683", w)
	}
	var winWidth float32
	f.q.wait(func() { winWidth = f.w.window.Canvas().Size().Width })
	if winWidth != 1280 {
		t.Errorf("the window is %.0f wide after selecting the Trash, want 1280 as before", winWidth)
	}
	// At half a screen, the toolbar wraps rather than widening the window.
	f.q.wait(func() { f.w.window.Resize(fyne.NewSize(683, 600)) })
	f.q.wait(func() { winWidth = f.w.window.Canvas().Size().Width })
	if winWidth > 683 {
		t.Errorf("the window is %.0f wide when made 683 wide", winWidth)
	}
}

// TestLayoutRemembered: the window's size and its pane splits are saved on close and given back
// to the next window.
func TestLayoutRemembered(t *testing.T) {
	f := newWindow(t)
	f.q.wait(func() {
		f.w.quit = func() {}
		f.w.window.Resize(fyne.NewSize(900, 640))
		f.w.splits[0].SetOffset(0.25)
		f.w.splits[1].SetOffset(0.5)
		f.w.closeRequested()
	})
	var next *mainWindow
	f.q.wait(func() { next = newMainWindow(context.Background(), f.w.app, f.w.eng, f.q.do, f.fp) })
	defer f.q.wait(next.window.Close)
	f.q.wait(func() {
		if s := next.window.Canvas().Size(); s != fyne.NewSize(900, 640) {
			t.Errorf("next window %v, want 900x640", s)
		}
		if a, b := next.splits[0].Offset, next.splits[1].Offset; a != 0.25 || b != 0.5 {
			t.Errorf("next window's splits %v, %v; want 0.25, 0.5", a, b)
		}
	})
}

// TestValidationKeepsItsPlace: every validated field of a form gets a line for its problem
// from the start (Fyne shows a problem in place of the hint, and adds the line only then,
// pushing the fields below down); a field's own hint is kept, and a field without a check gets
// none.
func TestValidationKeepsItsPlace(t *testing.T) {
	test.NewTempApp(t)
	checked := widget.NewEntry()
	checked.Validator = func(string) error { return nil }
	hinted := widget.NewEntry()
	hinted.Validator = checked.Validator
	plain := widget.NewEntry()
	items := []*widget.FormItem{widget.NewFormItem("a", checked), {Text: "b", Widget: hinted, HintText: "a hint"},
		widget.NewFormItem("c", plain), widget.NewFormItem("d", widget.NewCheck("", nil))}
	reserveHints(items)
	for i, want := range []string{" ", "a hint", "", ""} {
		if items[i].HintText != want {
			t.Errorf("item %s: hint %q, want %q", items[i].Text, items[i].HintText, want)
		}
	}
	// The form's height is the same before and after a problem shows in the reserved line.
	form := widget.NewForm(items...)
	test.NewTempWindow(t, form)
	before := form.MinSize().Height
	items[0].HintText = "Port must be a number, e.g. 995 for TLS or 110."
	form.Refresh()
	if after := form.MinSize().Height; after != before {
		t.Errorf("the form grew from %.0f to %.0f when a reserved line filled", before, after)
	}
}
