package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/mailstore"
)

// selection is what the list's actions (Delete, Move to…, Mark read, Flag, Export, dragging
// onto a folder) apply to. It is kept by message id, not row: rows move when new mail arrives
// at the top or a page of rows loads, ids do not.
type selection struct {
	ids    map[int64]bool
	anchor int64 // where a Shift range starts: the last row chosen without Shift
	cursor int64 // the keyboard's place: the arrows move from here
}

func (s *selection) set(ids ...int64) {
	s.ids = make(map[int64]bool, len(ids))
	for _, id := range ids {
		s.ids[id] = true
	}
}

func (s *selection) len() int { return len(s.ids) }

// rowID is the message shown in row i, 0 when there is none.
func (m *mainWindow) rowID(i int) int64 {
	if i < 0 || i >= m.rows.len() {
		return 0
	}
	return m.rows.ids[i]
}

// selectedIDs is what the message actions apply to, in the list's order: the selection, else
// the open message; never a message the list does not show.
func (m *mainWindow) selectedIDs() []int64 {
	if m.threadPick != 0 && m.open != nil && m.open.ID == m.threadPick && m.sel.len() <= 1 {
		// A message of the open conversation, picked in the viewer: the one on screen.
		return []int64{m.threadPick}
	}
	if m.sel.len() == 0 {
		if m.open != nil && m.indexOf(m.open.ID) >= 0 {
			return []int64{m.open.ID}
		}
		return nil
	}
	ids := make([]int64, 0, m.sel.len())
	for _, id := range m.rows.ids {
		if m.sel.ids[id] {
			ids = append(ids, id)
		}
	}
	return ids
}

// clickRow is a click on row i: alone it selects and opens the message; with Ctrl it adds or
// removes the row; with Shift it selects the rows from the last one chosen (Ctrl+Shift adds them).
func (m *mainWindow) clickRow(i int, mod fyne.KeyModifier) {
	id := m.rowID(i)
	if id == 0 {
		return
	}
	ctrl := mod&(fyne.KeyModifierControl|fyne.KeyModifierSuper) != 0
	switch {
	case mod&fyne.KeyModifierShift != 0 && m.sel.anchor != 0 && m.indexOf(m.sel.anchor) >= 0:
		m.selectRange(m.indexOf(m.sel.anchor), i, ctrl)
	case ctrl:
		if m.sel.ids == nil {
			m.sel.set()
			if m.open != nil && m.indexOf(m.open.ID) >= 0 {
				m.sel.ids[m.open.ID] = true
			}
		}
		if m.sel.ids[id] {
			delete(m.sel.ids, id)
		} else {
			m.sel.ids[id] = true
		}
		m.sel.anchor = id
	default:
		m.sel.set(id)
		m.sel.anchor = id
	}
	m.sel.cursor = id
	m.selectionChanged()
}

// selectRange selects rows from..to; keep adds them to the selection.
func (m *mainWindow) selectRange(from, to int, keep bool) {
	if !keep || m.sel.ids == nil {
		m.sel.set()
	}
	lo, hi := min(from, to), max(from, to)
	for j := lo; j <= hi; j++ {
		m.sel.ids[m.rowID(j)] = true
	}
}

// moveCursor moves the keyboard's place by delta rows; alone it opens the message there, with
// Shift it stretches the selection from the anchor.
func (m *mainWindow) moveCursor(delta int, extend bool) {
	n := m.rows.len()
	if n == 0 {
		return
	}
	at := m.indexOf(m.sel.cursor)
	switch {
	case at < 0 && delta > 0:
		at = 0
	case at < 0:
		at = n - 1
	default:
		at = max(0, min(n-1, at+delta))
	}
	id := m.rowID(at)
	if extend && m.sel.anchor != 0 && m.indexOf(m.sel.anchor) >= 0 {
		m.selectRange(m.indexOf(m.sel.anchor), at, false)
	} else {
		m.sel.set(id)
		m.sel.anchor = id
	}
	m.sel.cursor = id
	m.list.ScrollTo(at)
	m.selectionChanged()
}

// selectAll selects every message in the list (Ctrl+A).
func (m *mainWindow) selectAll() {
	if m.rows.len() == 0 {
		return
	}
	ids := m.rows.ids
	m.sel.set(ids...)
	if !m.sel.ids[m.sel.cursor] {
		m.sel.cursor = ids[0]
	}
	if !m.sel.ids[m.sel.anchor] {
		m.sel.anchor = ids[0]
	}
	m.selectionChanged()
}

// selectionChanged shows what is selected: one message opens, several are counted in the viewer.
func (m *mainWindow) selectionChanged() {
	m.list.Refresh()
	switch n := m.sel.len(); {
	case n == 1:
		for id := range m.sel.ids {
			m.threadPick = 0
			if m.open == nil || m.open.ID != id {
				m.showMessage(id)
			}
			if msg := m.rows.find(id); msg != nil {
				m.showThread(*msg)
			}
		}
	case n > 1:
		m.open = nil
		m.viewer.clear(lang.N("{{.Count}} messages selected", n, map[string]any{"Count": n}) + "\n\n" +
			lang.L("Delete, Move to…, Mark read, Flag and Export act on all of them."))
	default:
		m.open = nil
		m.viewer.clear(lang.L("Select a message to read it."))
	}
	m.toolbar.update()
}

// keepSelection drops from the selection the messages that left the list.
func (m *mainWindow) keepSelection() {
	if m.sel.ids == nil {
		return
	}
	in := make(map[int64]bool, m.rows.len())
	for _, id := range m.rows.ids {
		in[id] = true
	}
	for id := range m.sel.ids {
		if !in[id] {
			delete(m.sel.ids, id)
		}
	}
}

// selectedUnread reports whether any selected message is unread: Mark read then marks them all
// read, else Mark unread marks them all unread.
func (m *mainWindow) selectedUnread() bool {
	return m.selectedAny(func(msg *mailstore.Message) bool { return !msg.Read })
}

// selectedUnflagged reports whether any selected message is not flagged: Flag then flags them
// all, else Unflag unflags them all.
func (m *mainWindow) selectedUnflagged() bool {
	return m.selectedAny(func(msg *mailstore.Message) bool { return !msg.Flagged })
}

// selectedAny reports whether is holds for any selected message.
func (m *mainWindow) selectedAny(is func(*mailstore.Message) bool) bool {
	// The rows read so far: the pages on screen, where a selection is made.
	for _, page := range m.rows.pages {
		for i := range page {
			if m.sel.ids[page[i].ID] && is(&page[i]) {
				return true
			}
		}
	}
	return m.open != nil && is(&m.open.Message)
}

// listRow is one row of the message list with the selection drawn behind it. It takes the
// clicks itself (widget.List's rows know no Ctrl or Shift and select one row only) and is where
// a drag of the selection onto a folder starts.
type listRow struct {
	widget.BaseWidget
	bg  *canvas.Rectangle
	row *messageRow
	i   int // the row shown
	mod fyne.KeyModifier
	m   *mainWindow
}

var (
	_ fyne.Tappable     = (*listRow)(nil)
	_ desktop.Mouseable = (*listRow)(nil)
)

func newListRow(m *mainWindow) *listRow {
	r := &listRow{m: m, row: newMessageRow(), bg: canvas.NewRectangle(theme.Color(theme.ColorNameSelection))}
	r.bg.CornerRadius = theme.SelectionRadiusSize()
	r.bg.Hide()
	r.ExtendBaseWidget(r)
	return r
}

func (r *listRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(r.bg, r.row))
}

func (r *listRow) setSelected(on bool) {
	if on == r.bg.Visible() {
		return
	}
	if on {
		r.bg.FillColor = theme.Color(theme.ColorNameSelection)
		r.bg.Show()
	} else {
		r.bg.Hide()
	}
	r.bg.Refresh()
}

// MouseDown notes the modifier keys held, which the tap that follows does not carry.
func (r *listRow) MouseDown(ev *desktop.MouseEvent) { r.mod = ev.Modifier }

func (r *listRow) MouseUp(*desktop.MouseEvent) {}

// Tapped gives the list the keyboard and selects, as clickRow says.
func (r *listRow) Tapped(*fyne.PointEvent) {
	mod := r.mod
	r.mod = 0
	if c := fyne.CurrentApp().Driver().CanvasForObject(r.m.list); c != nil {
		c.Focus(r.m.list)
	}
	r.m.clickRow(r.i, mod)
}

// dragState is a drag of the selected messages towards a sidebar folder.
type dragState struct {
	at    fyne.Position // the pointer, on the canvas
	label *widget.PopUp // "N messages" beside the pointer
	over  int           // the sidebar row under the pointer, marked; -1 when none
}

var _ fyne.Draggable = (*listRow)(nil)

// Dragged carries the selection (this row alone if it is not selected) with the pointer.
func (r *listRow) Dragged(ev *fyne.DragEvent) {
	m := r.m
	if m.drag == nil {
		if id := m.rowID(r.i); id != 0 && !m.sel.ids[id] {
			m.clickRow(r.i, 0)
		}
		n := len(m.selectedIDs())
		if n == 0 {
			return
		}
		c := fyne.CurrentApp().Driver().CanvasForObject(r)
		if c == nil {
			return
		}
		note := widget.NewLabel(lang.N("{{.Count}} messages", n, map[string]any{"Count": n}))
		m.drag = &dragState{label: widget.NewPopUp(note, c), over: -1}
	}
	m.drag.at = ev.AbsolutePosition
	m.drag.label.ShowAtPosition(ev.AbsolutePosition.AddXY(12, 12))
	over := -1
	if r := m.sidebarRowAt(ev.AbsolutePosition); r != nil && moveTarget(m.folderAt(r.i)) != "" {
		over = r.i
	}
	if over != m.drag.over {
		m.drag.over = over
		m.sidebar.Refresh()
	}
}

// DragEnd drops the selection on the folder under the pointer, if any.
func (r *listRow) DragEnd() {
	m := r.m
	d := m.drag
	m.drag = nil
	if d == nil {
		return
	}
	d.label.Hide()
	if d.over >= 0 {
		m.sidebar.Refresh()
	}
	if f, ok := m.dropOn(d.at); ok {
		m.moveSelected(moveTarget(f))
	}
}

var _ fyne.SecondaryTappable = (*listRow)(nil)

// TappedSecondary opens the menu of the selection (this row alone if it is not selected).
func (r *listRow) TappedSecondary(ev *fyne.PointEvent) {
	m := r.m
	if id := m.rowID(r.i); id != 0 && !m.sel.ids[id] {
		m.clickRow(r.i, 0)
	}
	c := fyne.CurrentApp().Driver().CanvasForObject(r)
	if c == nil || len(m.selectedIDs()) == 0 {
		return
	}
	read := lang.L("Mark unread")
	if m.selectedUnread() {
		read = lang.L("Mark read")
	}
	flag := lang.L("Unflag")
	if m.selectedUnflagged() {
		flag = lang.L("Flag")
	}
	items := []*fyne.MenuItem{
		fyne.NewMenuItem(lang.L("Move to…"), m.showMoveTo),
		fyne.NewMenuItem(read, m.toggleRead),
		fyne.NewMenuItem(flag, m.toggleFlag),
		fyne.NewMenuItem(lang.L("Delete"), m.deleteSelected),
		fyne.NewMenuItem(lang.L("Export…"), m.showExport),
	}
	items[0].Disabled = m.toolbar.move.Disabled()
	items[3].Disabled = m.view.trash // there Delete empties the whole Trash
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), c, ev.AbsolutePosition)
}
