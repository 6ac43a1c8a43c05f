package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

// The keyboard. Fyne hands a key to the focused widget, or to the canvas when none is focused,
// and a Ctrl shortcut to a focused widget that takes shortcuts (a text field) instead of the
// canvas. So each of the window's own focusable widgets sends the keys it has no use for to
// windowKey, and the search field sends the window's shortcuts on: F5, Delete and Ctrl+N work
// wherever the focus is. Tab goes sidebar → search → list → viewer (the order of the
// containers, see build).

// shortcut is one of the window's Ctrl shortcuts.
type shortcut struct {
	key fyne.KeyName
	mod fyne.KeyModifier
	fn  func()
}

func (s shortcut) fyne() *desktop.CustomShortcut {
	return &desktop.CustomShortcut{KeyName: s.key, Modifier: s.mod}
}

// runShortcut runs the window's shortcut sc, if it is one, and reports whether it was.
func (m *mainWindow) runShortcut(sc fyne.Shortcut) bool {
	for _, s := range m.shortcuts {
		if s.fyne().ShortcutName() == sc.ShortcutName() {
			s.fn()
			return true
		}
	}
	return false
}

// windowKey is a key no focused widget took.
func (m *mainWindow) windowKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyF5:
		m.checkNow()
	case fyne.KeyDelete:
		m.deleteSelected()
	case fyne.KeyEscape:
		if !m.dismissDialog() && m.search.Text != "" {
			m.search.SetText("")
		}
	case fyne.KeyUp, fyne.KeyDown, fyne.KeyReturn, fyne.KeyEnter:
		m.focusList()
		m.list.TypedKey(ev)
	}
}

// windowRune is a character no focused widget took.
func (m *mainWindow) windowRune(r rune) {
	switch r {
	case '/':
		m.focusSearch()
	case 'j', 'k', 'm', 's':
		m.focusList()
		m.list.TypedRune(r)
	}
}

func (m *mainWindow) focusList() { m.window.Canvas().Focus(m.list) }

// dismissDialog closes the dialog on top, as its dismiss button (Cancel, No, Close) would, so
// that its callback runs; it reports whether there was one.
func (m *mainWindow) dismissDialog() bool {
	top := m.window.Canvas().Overlays().Top()
	if top == nil {
		return false
	}
	// Fyne's dialogs put their buttons in the fourth object of their content, the dismiss
	// button first.
	if pop, ok := top.(*widget.PopUp); ok {
		if c, ok := pop.Content.(*fyne.Container); ok && len(c.Objects) > 3 {
			if b := firstButton(c.Objects[3]); b != nil && b.OnTapped != nil && !b.Disabled() {
				b.OnTapped()
				return true
			}
		}
	}
	top.Hide()
	m.window.Canvas().Overlays().Remove(top)
	return true
}

func firstButton(o fyne.CanvasObject) *widget.Button {
	switch o := o.(type) {
	case *widget.Button:
		return o
	case *fyne.Container:
		for _, c := range o.Objects {
			if b := firstButton(c); b != nil {
				return b
			}
		}
	}
	return nil
}

// messageList is the message list: widget.List for the rows, with this window's keyboard and
// selection (selection.go) in place of the List's own single selection and focus highlight.
type messageList struct {
	widget.List
	m     *mainWindow
	shift bool // held: the arrows stretch the selection
}

var (
	_ fyne.Focusable  = (*messageList)(nil)
	_ desktop.Keyable = (*messageList)(nil)
)

// FocusGained and FocusLost leave out the List's highlight of a row of its own: the rows draw the
// selection, and the arrows move it.
func (l *messageList) FocusGained() {}
func (l *messageList) FocusLost()   { l.shift = false }

func (l *messageList) KeyDown(ev *fyne.KeyEvent) {
	if ev.Name == desktop.KeyShiftLeft || ev.Name == desktop.KeyShiftRight {
		l.shift = true
	}
}

func (l *messageList) KeyUp(ev *fyne.KeyEvent) {
	if ev.Name == desktop.KeyShiftLeft || ev.Name == desktop.KeyShiftRight {
		l.shift = false
	}
}

func (l *messageList) TypedKey(ev *fyne.KeyEvent) {
	m := l.m
	switch ev.Name {
	case fyne.KeyDown:
		m.moveCursor(1, l.shift)
	case fyne.KeyUp:
		m.moveCursor(-1, l.shift)
	case fyne.KeyPageDown:
		m.moveCursor(m.rowsPerPage(), l.shift)
	case fyne.KeyPageUp:
		m.moveCursor(-m.rowsPerPage(), l.shift)
	case fyne.KeyHome:
		m.moveCursor(-m.rows.len(), l.shift)
	case fyne.KeyEnd:
		m.moveCursor(m.rows.len(), l.shift)
	case fyne.KeyReturn, fyne.KeyEnter:
		if i := m.indexOf(m.sel.cursor); i >= 0 {
			m.clickRow(i, 0)
		} else {
			m.moveCursor(1, false)
		}
	case fyne.KeySpace:
		m.viewer.pageDown()
	case fyne.KeyEscape:
		if !m.dismissDialog() && m.search.Text != "" {
			m.search.SetText("")
		}
	default:
		m.windowKey(ev)
	}
}

func (l *messageList) TypedRune(r rune) {
	m := l.m
	switch r {
	case 'j':
		m.moveCursor(1, false)
	case 'k':
		m.moveCursor(-1, false)
	case 'J':
		m.moveCursor(1, true)
	case 'K':
		m.moveCursor(-1, true)
	case 'm':
		m.toggleRead()
	case 's':
		m.toggleFlag()
	case '/':
		m.focusSearch()
	}
}

// rowsPerPage is how many rows the list shows at once.
func (m *mainWindow) rowsPerPage() int {
	if m.rowPitch <= 0 {
		return 10
	}
	return max(1, int(m.list.Size().Height/m.rowPitch)-1)
}

// sidebarList is the sidebar: the arrows open the folder above or below (the List alone only
// moves a highlight, and Delete would do nothing), other keys are the window's.
type sidebarList struct {
	widget.List
	m *mainWindow
}

func (l *sidebarList) FocusGained() {}
func (l *sidebarList) FocusLost()   {}

func (l *sidebarList) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyDown:
		l.Select(min(l.m.folderRow+1, l.Length()-1))
	case fyne.KeyUp:
		l.Select(max(l.m.folderRow-1, 0))
	case fyne.KeyRight, fyne.KeyReturn, fyne.KeyEnter:
		l.m.focusList()
	default:
		l.m.windowKey(ev)
	}
}

func (l *sidebarList) TypedRune(r rune) { l.m.windowRune(r) }

// searchEntry is the search field: Escape clears it, Down goes to the list, and the window's
// shortcuts work in it.
type searchEntry struct {
	widget.Entry
	m *mainWindow
}

func newSearchEntry(m *mainWindow) *searchEntry {
	e := &searchEntry{m: m}
	e.ExtendBaseWidget(e)
	return e
}

func (e *searchEntry) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyEscape:
		e.SetText("")
		e.m.focusList()
	case fyne.KeyDown, fyne.KeyReturn, fyne.KeyEnter:
		e.m.focusList()
	case fyne.KeyF5:
		e.m.checkNow()
	default:
		e.Entry.TypedKey(ev)
	}
}

func (e *searchEntry) TypedShortcut(sc fyne.Shortcut) {
	if !e.m.runShortcut(sc) {
		e.Entry.TypedShortcut(sc)
	}
}

// listPane puts the search field before the list in the containers' order, which is the order
// Tab follows (a Border container would put its centre, the list, first).
func listPane(top, list fyne.CanvasObject) *fyne.Container {
	return container.New(layout.NewBorderLayout(top, nil, nil, nil), top, list)
}

// dialogEntry is a text field of a dialog: Escape closes the dialog (a plain Entry keeps the
// key, so Escape would do nothing while typing).
type dialogEntry struct {
	widget.Entry
	m *mainWindow
}

func newDialogEntry(m *mainWindow) *dialogEntry {
	e := &dialogEntry{m: m}
	e.ExtendBaseWidget(e)
	return e
}

func (e *dialogEntry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape {
		e.m.dismissDialog()
		return
	}
	e.Entry.TypedKey(ev)
}
