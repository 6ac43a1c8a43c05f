package ui

import (
	"context"
	"errors"
	"image/color"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/mailstore"
)

// The user folders in the sidebar: a tree of rows below Sent (indented by depth, with an
// expander where a folder has subfolders, collapsed ones remembered in the preferences), a
// context menu (new subfolder, rename, delete with Undo, mark all read), dropping the list's
// selection onto a folder, and Move to….

// collapsedPref is the preference listing the folders shown collapsed.
const collapsedPref = "collapsed_folders"

// treeParts are what a sidebar row adds for a user folder: the indent and the expander; and,
// for any row, the mark of where dragged messages would go.
type treeParts struct {
	indent *canvas.Rectangle
	toggle *expander
	drop   *canvas.Rectangle
}

func (t *treeParts) build() {
	if t.indent != nil {
		return
	}
	t.indent = canvas.NewRectangle(color.Transparent)
	t.toggle = newExpander()
	t.drop = canvas.NewRectangle(color.Transparent)
	t.drop.StrokeWidth = 2
	t.drop.CornerRadius = theme.SelectionRadiusSize()
	t.drop.Hide()
	t.indent.Hide()
	t.toggle.Hide()
}

// treeState is how a sidebar row shows in the tree.
type treeState struct {
	folder   bool // a user folder (other rows have no indent or expander)
	depth    int
	children bool
	open     bool
	path     mailstore.Folder
}

// setTree shows the row's place in the tree.
func (r *sidebarRow) setTree(s treeState) {
	r.tree.build()
	if r.m != nil && r.m.drag != nil && r.m.drag.over == r.i {
		r.tree.drop.StrokeColor = theme.Color(theme.ColorNamePrimary)
		r.tree.drop.Show()
	} else {
		r.tree.drop.Hide()
	}
	if !s.folder {
		r.tree.indent.Hide()
		r.tree.toggle.Hide()
		return
	}
	r.tree.indent.SetMinSize(fyne.NewSize(float32(s.depth)*theme.IconInlineSize(), 1))
	r.tree.indent.Show()
	r.tree.toggle.set(s.children, s.open, func() { r.m.toggleFolder(s.path) })
	r.tree.toggle.Show()
	r.Refresh()
}

// expander is the ▸/▾ before a folder with subfolders; a blank of the same size otherwise,
// so names line up.
type expander struct {
	widget.BaseWidget
	icon  *widget.Icon
	onTap func()
}

func newExpander() *expander {
	e := &expander{icon: widget.NewIcon(nil)}
	e.ExtendBaseWidget(e)
	return e
}

func (e *expander) set(children, open bool, onTap func()) {
	switch {
	case !children:
		e.icon.SetResource(nil)
		e.onTap = nil
	case open:
		e.icon.SetResource(theme.MenuDropDownIcon())
		e.onTap = onTap
	default:
		e.icon.SetResource(theme.MenuExpandIcon())
		e.onTap = onTap
	}
}

func (e *expander) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(e.icon) }

func (e *expander) MinSize() fyne.Size { return fyne.NewSquareSize(theme.IconInlineSize()) }

func (e *expander) Tapped(*fyne.PointEvent) {
	if e.onTap != nil {
		e.onTap()
	}
}

// setFolders takes the folder tree read from the engine: its user folders become rows, and its
// counts the accounts' unread and the Trash's total.
func (m *mainWindow) setFolders(tree []mailstore.FolderInfo) {
	m.folders = m.folders[:0]
	unread := map[int64]int{}
	for _, fi := range tree {
		switch {
		case !fi.System():
			m.folders = append(m.folders, fi)
		case fi.Path == mailstore.FolderInbox && fi.AccountID != 0:
			unread[fi.AccountID] = fi.Unread
		case fi.Path == mailstore.FolderTrash:
			m.trashCount = fi.Total
		}
	}
	// An account's row counts its inbox, as its list shows it: not the mail moved to folders.
	m.unread = unread
	m.layOutTree()
}

// layOutTree lists the folders to show (none under a collapsed one) and keeps the sidebar's
// selection on the folder shown, whose row may have moved.
func (m *mainWindow) layOutTree() {
	collapsed := m.collapsed()
	m.treeRows = m.treeRows[:0]
	for _, fi := range m.folders {
		hidden := false
		for p := fi.Path.Parent(); p != ""; p = p.Parent() {
			if collapsed[strings.ToLower(string(p))] {
				hidden = true
				break
			}
		}
		if !hidden {
			m.treeRows = append(m.treeRows, fi)
		}
	}
	m.refreshSidebar()
	for i := 0; i < m.sidebar.Length(); i++ {
		if m.folderAt(i) == m.view {
			if i != m.folderRow {
				m.selectRowQuietly(i)
			}
			return
		}
	}
}

// treeItem is row i's place in the tree.
func (m *mainWindow) treeItem(i int) treeState {
	f := m.folderAt(i)
	if f.box == "" || f.box.System() {
		return treeState{}
	}
	j := slices.IndexFunc(m.folders, func(fi mailstore.FolderInfo) bool { return fi.Path == f.box })
	if j < 0 {
		return treeState{}
	}
	fi := m.folders[j]
	children := j+1 < len(m.folders) && m.folders[j+1].Path.Parent() == fi.Path
	return treeState{folder: true, depth: fi.Depth, children: children, path: fi.Path,
		open: !m.collapsed()[strings.ToLower(string(fi.Path))]}
}

func (m *mainWindow) collapsed() map[string]bool {
	out := map[string]bool{}
	for _, p := range m.app.Preferences().StringList(collapsedPref) {
		out[strings.ToLower(p)] = true
	}
	return out
}

// toggleFolder collapses or expands a folder, remembered for the next start.
func (m *mainWindow) toggleFolder(path mailstore.Folder) {
	list := m.app.Preferences().StringList(collapsedPref)
	key := strings.ToLower(string(path))
	if i := slices.IndexFunc(list, func(p string) bool { return strings.ToLower(p) == key }); i >= 0 {
		list = slices.Delete(list, i, i+1)
	} else {
		list = append(list, string(path))
	}
	m.app.Preferences().SetStringList(collapsedPref, list)
	m.layOutTree()
}

// Tapped opens the folder and gives the sidebar the keyboard, as the List's own row would: the
// desktop driver hands a click to the deepest widget that takes any kind of tap, and this row
// takes right-clicks.
func (r *sidebarRow) Tapped(*fyne.PointEvent) {
	if r.m == nil {
		return
	}
	if c := fyne.CurrentApp().Driver().CanvasForObject(r.m.sidebar); c != nil {
		c.Focus(r.m.sidebar)
	}
	r.m.sidebar.Select(r.i)
}

// TappedSecondary opens the folder's menu.
func (r *sidebarRow) TappedSecondary(ev *fyne.PointEvent) {
	c := fyne.CurrentApp().Driver().CanvasForObject(r)
	if c == nil || r.m == nil {
		return
	}
	items := r.m.folderMenu(r.m.folderAt(r.i))
	if len(items) > 0 {
		widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), c, ev.AbsolutePosition)
	}
}

// folderMenu is the context menu of a sidebar folder.
func (m *mainWindow) folderMenu(f folder) []*fyne.MenuItem {
	markRead := fyne.NewMenuItem(lang.L("Mark all read"), func() { m.markAllRead(f) })
	switch {
	case f.trash || f.box.Written():
		return nil
	case f.box != "":
		return []*fyne.MenuItem{
			fyne.NewMenuItem(lang.L("New subfolder…"), func() { m.askNewFolder(f.box) }),
			fyne.NewMenuItem(lang.L("Rename…"), func() { m.askRenameFolder(f.box) }),
			fyne.NewMenuItem(lang.L("Delete folder…"), func() { m.askDeleteFolder(f.box) }),
			fyne.NewMenuItemSeparator(), markRead}
	}
	return []*fyne.MenuItem{fyne.NewMenuItem(lang.L("New folder…"), func() { m.askNewFolder("") }), markRead}
}

// refreshFolders re-reads the folder tree with its counts.
func (m *mainWindow) refreshFolders() {
	eng := m.eng
	var tree []mailstore.FolderInfo
	m.bridge.run(func(ctx context.Context) (err error) {
		tree, err = eng.FolderTree(ctx)
		return err
	}, func(err error) {
		if err == nil {
			m.setFolders(tree)
		}
	})
}

// askName asks for a folder name in a dialog; ok gets it, trimmed and not empty.
func (m *mainWindow) askName(title, label, initial, confirm string, ok func(string)) *dialog.FormDialog {
	e := newDialogEntry(m)
	e.SetText(initial)
	e.Validator = func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New(lang.L("Type a name."))
		}
		return nil
	}
	d := dialog.NewForm(title, confirm, lang.L("Cancel"), []*widget.FormItem{widget.NewFormItem(label, e)}, func(yes bool) {
		if yes {
			ok(strings.TrimSpace(e.Text))
		}
	}, m.window)
	d.Resize(fyne.NewSize(420, 0))
	d.Show()
	m.window.Canvas().Focus(e)
	return d
}

// askNewFolder creates a folder under parent ("" = the top level).
func (m *mainWindow) askNewFolder(parent mailstore.Folder) {
	title := lang.L("New folder")
	if parent != "" {
		title = lang.L("New folder in {{.Folder}}", map[string]any{"Folder": string(parent)})
	}
	m.askName(title, lang.L("Name"), "", lang.L("Create"), func(name string) {
		path := name
		if parent != "" {
			path = string(parent) + "/" + name
		}
		m.createFolder(path)
	})
}

func (m *mainWindow) createFolder(path string) {
	m.makeFolder(path, func(made mailstore.Folder) {
		m.setStatus(lang.L("Created {{.Folder}}.", map[string]any{"Folder": string(made)}))
		m.refreshFolders()
	})
}

// makeFolder creates a folder off the UI goroutine, then calls done with it on the UI
// goroutine; a failure is shown and done is not called.
func (m *mainWindow) makeFolder(path string, done func(mailstore.Folder)) {
	eng := m.eng
	var made mailstore.Folder
	m.bridge.run(func(ctx context.Context) (err error) {
		made, err = eng.CreateFolder(ctx, path)
		return err
	}, func(err error) {
		if err != nil {
			m.showError(lang.L("Could not create the folder"), err)
			return
		}
		done(made)
	})
}

// askRenameFolder renames a folder; a name with "/" moves it ("Work/Old").
func (m *mainWindow) askRenameFolder(path mailstore.Folder) {
	m.askName(lang.L("Rename {{.Folder}}", map[string]any{"Folder": string(path)}), lang.L("Name"), path.Name(), lang.L("Rename"), func(name string) {
		to := name
		if p := path.Parent(); p != "" && !strings.Contains(name, "/") {
			to = string(p) + "/" + name
		}
		m.renameFolder(path, to)
	})
}

func (m *mainWindow) renameFolder(path mailstore.Folder, to string) {
	eng := m.eng
	var made mailstore.Folder
	m.bridge.run(func(ctx context.Context) (err error) {
		made, err = eng.RenameFolder(ctx, string(path), to)
		return err
	}, func(err error) {
		if err != nil {
			m.showError(lang.L("Could not rename the folder"), err)
			return
		}
		if m.view.box == path {
			m.view.box = made
		}
		m.setStatus(lang.L("Renamed {{.Folder}} to {{.New}}.", map[string]any{"Folder": string(path), "New": string(made)}))
		m.refreshFolders()
	})
}

// askDeleteFolder deletes a folder and its subfolders after asking: their messages go to the
// Trash, never purged, and Undo puts everything back.
func (m *mainWindow) askDeleteFolder(path mailstore.Folder) {
	n := 0
	for _, fi := range m.folders {
		if fi.Path == path || strings.HasPrefix(strings.ToLower(string(fi.Path)), strings.ToLower(string(path))+"/") {
			n += fi.Total
		}
	}
	text := lang.N("Delete the folder {{.Folder}} and its subfolders? Its {{.Count}} messages go to the Trash.", n,
		map[string]any{"Folder": string(path), "Count": n})
	d := dialog.NewConfirm(lang.L("Delete folder"), text, func(ok bool) {
		if ok {
			m.deleteFolder(path)
		}
	}, m.window)
	d.SetConfirmText(lang.L("Delete folder"))
	d.SetConfirmImportance(widget.DangerImportance)
	d.Show()
}

func (m *mainWindow) deleteFolder(path mailstore.Folder) {
	eng := m.eng
	var del *mailstore.FolderDeletion
	m.bridge.run(func(ctx context.Context) (err error) {
		del, err = eng.DeleteFolder(ctx, string(path))
		return err
	}, func(err error) {
		if err != nil {
			m.showError(lang.L("Could not delete the folder"), err)
			return
		}
		n := len(del.Messages)
		text := lang.N("Deleted {{.Folder}}; its {{.Count}} messages are in the Trash.", n, map[string]any{"Folder": string(path), "Count": n})
		m.setStatus(text)
		m.undo.offer(text, func() { m.undeleteFolder(del) })
		if m.view.box == path || strings.HasPrefix(strings.ToLower(string(m.view.box)), strings.ToLower(string(path))+"/") {
			m.sidebar.Select(0)
		}
		m.refreshFolders()
		m.refreshCounts()
	})
}

func (m *mainWindow) undeleteFolder(del *mailstore.FolderDeletion) {
	eng := m.eng
	var n int
	m.bridge.run(func(ctx context.Context) (err error) {
		n, err = eng.UndoDeleteFolder(ctx, del)
		return err
	}, func(err error) {
		if err != nil {
			m.showError(lang.L("Could not restore the folder"), err)
			return
		}
		m.setStatus(lang.N("Put the folder back with {{.Count}} messages.", n, map[string]any{"Count": n}))
		m.refreshFolders()
		m.refreshCounts()
		m.loadMessages()
	})
}

// markAllRead marks every message of a sidebar folder read.
func (m *mainWindow) markAllRead(v folder) {
	eng := m.eng
	var n int
	m.bridge.run(func(ctx context.Context) error {
		f, err := m.filterFor(ctx, v)
		if err != nil {
			return err
		}
		n, err = eng.MarkAllRead(ctx, f)
		return err
	}, func(err error) {
		if err != nil {
			m.showError(lang.L("Could not mark the messages read"), err)
			return
		}
		m.setStatus(lang.N("Marked {{.Count}} messages read.", n, map[string]any{"Count": n}))
		if v == m.view {
			m.loadMessages()
		}
		m.refreshCounts()
	})
}

// moveTarget is where messages dropped on a sidebar folder go: the inbox (each message its
// own account's), a user folder, Sent, or the Trash; "" where nothing can be moved.
func moveTarget(f folder) string {
	switch {
	case f.trash:
		return string(mailstore.FolderTrash)
	case f.box == mailstore.FolderOutbox || f.box == mailstore.FolderDrafts || f.removed:
		return ""
	case f.box != "":
		return string(f.box)
	}
	return string(mailstore.FolderInbox)
}

// moveSelected moves the selected messages to a folder (moveTarget's names), with Undo. The
// move is one transaction in the engine, off the UI goroutine, whatever the number.
func (m *mainWindow) moveSelected(to string) {
	ids := m.selectedIDs()
	if len(ids) == 0 || to == "" {
		return
	}
	// Undo puts each message back in the folder it came from, read before the move (the list
	// holds the rows of the pages on screen only).
	from := map[mailstore.Folder][]int64{}
	next := m.indexOf(ids[0])
	eng := m.eng
	m.bridge.run(func(ctx context.Context) error {
		msgs, err := eng.MessagesByID(ctx, ids)
		if err != nil {
			return err
		}
		for _, msg := range msgs {
			from[msg.Folder] = append(from[msg.Folder], msg.ID)
		}
		_, err = eng.MoveMessages(ctx, ids, to)
		return err
	}, func(err error) {
		if err != nil {
			m.showError(lang.L("Could not move the messages"), err)
			return
		}
		name := to
		switch f := mailstore.Folder(to); {
		case f == mailstore.FolderInbox:
			name = lang.L("Inbox")
		case f.System():
			name = folderName(f)
		}
		text := lang.N("Moved {{.Count}} messages to {{.Folder}}.", len(ids), map[string]any{"Count": len(ids), "Folder": name})
		if to == string(mailstore.FolderTrash) {
			text = lang.N("Moved {{.Count}} messages to the Trash.", len(ids), map[string]any{"Count": len(ids)})
		}
		m.setStatus(text)
		m.undo.offer(text, func() { m.moveBack(from, to == string(mailstore.FolderTrash)) })
		if moveTarget(m.view) != to || m.view.account != "" {
			m.removeShown(ids, next)
		} else {
			m.loadMessages()
		}
		m.refreshFolders()
	})
}

// moveBack undoes a move: each group of messages back to its folder (out of the Trash first
// when they went there).
func (m *mainWindow) moveBack(from map[mailstore.Folder][]int64, trashed bool) {
	eng := m.eng
	m.bridge.run(func(ctx context.Context) error {
		for f, ids := range from {
			if trashed {
				if err := eng.RestoreMessages(ctx, ids); err != nil {
					return err
				}
				continue
			}
			if _, err := eng.MoveMessages(ctx, ids, string(f)); err != nil {
				return err
			}
		}
		return nil
	}, func(err error) {
		if err != nil {
			m.showError(lang.L("Could not move the messages"), err)
			return
		}
		m.loadMessages()
		m.refreshFolders()
		m.refreshCounts()
	})
}

// moveChoices are the folders messages can be moved to, as the Move to… dialog lists them.
func (m *mainWindow) moveChoices() (labels []string, targets []string) {
	labels = append(labels, lang.L("Inbox"), folderName(mailstore.FolderSent))
	targets = append(targets, string(mailstore.FolderInbox), string(mailstore.FolderSent))
	for _, fi := range m.folders {
		labels = append(labels, strings.Repeat("    ", fi.Depth)+fi.Path.Name())
		targets = append(targets, string(fi.Path))
	}
	return labels, targets
}

// showMoveTo asks for a folder and moves the selection there (Move to…).
func (m *mainWindow) showMoveTo() {
	n := len(m.selectedIDs())
	if n == 0 {
		m.setStatus(lang.L("Select the messages to move first."))
		return
	}
	labels, targets := m.moveChoices()
	chosen := -1
	var d dialog.Dialog
	list := widget.NewList(func() int { return len(labels) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(labels[i]) })
	list.OnSelected = func(i widget.ListItemID) { chosen = i }
	newFolder := widget.NewButtonWithIcon(lang.L("New folder…"), theme.FolderNewIcon(), func() {
		m.askName(lang.L("New folder"), lang.L("Name"), "", lang.L("Create and move"), func(name string) {
			d.Hide()
			m.createAndMove(name)
		})
	})
	body := widget.NewLabel(lang.N("Move {{.Count}} messages to:", n, map[string]any{"Count": n}))
	content := container.NewBorder(body, newFolder, nil, nil, list)
	d = dialog.NewCustomConfirm(lang.L("Move to…"), lang.L("Move"), lang.L("Cancel"), content, func(ok bool) {
		if ok && chosen >= 0 {
			m.moveSelected(targets[chosen])
		}
	}, m.window)
	d.Resize(fyne.NewSize(420, 460))
	d.Show()
	m.moveList = list
}

// createAndMove creates a folder and moves the selection into it.
func (m *mainWindow) createAndMove(path string) {
	m.makeFolder(path, func(made mailstore.Folder) { m.moveSelected(string(made)) })
}

// dropOn is the sidebar folder under an absolute position, if any.
func (m *mainWindow) dropOn(pos fyne.Position) (folder, bool) {
	r := m.sidebarRowAt(pos)
	if r == nil {
		return folder{}, false
	}
	return m.folderAt(r.i), true
}

// sidebarRowAt is the sidebar row under an absolute position, if any.
func (m *mainWindow) sidebarRowAt(pos fyne.Position) *sidebarRow {
	d := fyne.CurrentApp().Driver()
	if at, size := d.AbsolutePositionForObject(m.sidebar), m.sidebar.Size(); pos.X < at.X || pos.X >= at.X+size.Width ||
		pos.Y < at.Y || pos.Y >= at.Y+size.Height {
		return nil
	}
	for _, r := range m.sidebarRows {
		if !r.Visible() || d.CanvasForObject(r) == nil {
			continue
		}
		at, size := d.AbsolutePositionForObject(r), r.Size()
		if pos.X >= at.X && pos.X < at.X+size.Width && pos.Y >= at.Y && pos.Y < at.Y+size.Height {
			return r
		}
	}
	return nil
}
