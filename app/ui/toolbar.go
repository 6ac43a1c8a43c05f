package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/mailstore"
)

// Toolbar holds the main actions; exported for tests.
type Toolbar struct {
	Check, Delete, Restore, Read, Export, Add, Edit, Prefs *widget.Button
	bar                                                    fyne.CanvasObject
	m                                                      *MainWindow
}

func (m *MainWindow) buildToolbar() *Toolbar {
	t := &Toolbar{m: m}
	t.Check = widget.NewButtonWithIcon("Check now", theme.ViewRefreshIcon(), m.CheckNow)
	t.Delete = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), m.DeleteSelected)
	t.Restore = widget.NewButtonWithIcon("Restore", theme.ContentUndoIcon(), m.RestoreSelected)
	t.Read = widget.NewButtonWithIcon("Mark unread", theme.MailComposeIcon(), m.ToggleRead)
	t.Export = widget.NewButtonWithIcon("Export…", theme.DownloadIcon(), m.ShowExport)
	t.Add = widget.NewButtonWithIcon("Add account", theme.ContentAddIcon(), m.ShowAddAccount)
	t.Edit = widget.NewButtonWithIcon("Edit account…", theme.AccountIcon(), m.ShowEditSelectedAccount)
	t.Prefs = widget.NewButtonWithIcon("Preferences", theme.SettingsIcon(), m.ShowPreferences)
	t.Check.Importance = widget.HighImportance
	t.bar = container.NewHBox(t.Check, widget.NewSeparator(), t.Delete, t.Restore, t.Read, widget.NewSeparator(),
		t.Export, widget.NewSeparator(), t.Add, t.Edit, t.Prefs)
	t.update()
	return t
}

// update enables what applies to the current folder and message.
func (t *Toolbar) update() {
	m := t.m
	enable := func(b *widget.Button, on bool) {
		if on {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	open := m.open != nil
	enable(t.Read, open)
	if open && !m.open.Read {
		t.Read.SetText("Mark read")
	} else {
		t.Read.SetText("Mark unread")
	}
	if m.view.trash {
		t.Delete.SetText("Empty Trash")
		enable(t.Delete, len(m.all) > 0 || open)
		t.Restore.Show()
		enable(t.Restore, open)
	} else {
		t.Delete.SetText("Delete")
		enable(t.Delete, open)
		t.Restore.Hide()
	}
	enable(t.Edit, m.view.account != "" && accountByName(m.accounts, m.view.account) != nil)
}

func (m *MainWindow) setUpShortcuts() {
	c := m.Window.Canvas()
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		switch ev.Name {
		case fyne.KeyF5:
			m.CheckNow()
		case fyne.KeyDelete:
			m.DeleteSelected()
		}
	})
	for key, fn := range map[fyne.KeyName]func(){
		fyne.KeyF:     m.FocusSearch,     // Ctrl+F: search
		fyne.KeyN:     m.ShowAddAccount,  // Ctrl+N: add account
		fyne.KeyComma: m.ShowPreferences, // Ctrl+,: preferences
		fyne.KeyE:     m.ShowExport,      // Ctrl+E: export
	} {
		c.AddShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault},
			func(fyne.Shortcut) { fn() })
	}
}

// FocusSearch puts the cursor in the search field (Ctrl+F).
func (m *MainWindow) FocusSearch() { m.Window.Canvas().Focus(m.Search) }

// CheckNow asks the poller to check every account now (F5); it also resumes stopped accounts.
func (m *MainWindow) CheckNow() {
	m.setStatus("Checking for new mail…")
	m.poller.CheckNow("")
}

// selectedIDs is what the message actions apply to: the open message.
func (m *MainWindow) selectedIDs() []int64 {
	if m.open == nil {
		return nil
	}
	return []int64{m.open.ID}
}

// ToggleRead marks the open message read or unread.
func (m *MainWindow) ToggleRead() {
	if m.open == nil {
		return
	}
	m.setRead(m.selectedIDs(), !m.open.Read)
}

// DeleteSelected moves the open message to the Trash (Del); in the Trash it offers to empty it.
func (m *MainWindow) DeleteSelected() {
	if m.view.trash {
		m.confirmEmptyTrash()
		return
	}
	ids := m.selectedIDs()
	if len(ids) == 0 {
		return
	}
	next := m.indexOf(ids[0])
	eng := m.eng
	m.bridge.run(func(ctx context.Context) error {
		return eng.TrashMessages(ctx, ids)
	}, func(err error) {
		if err != nil {
			m.showError("Could not delete the message", err)
			return
		}
		m.removeShown(ids[0], next)
		m.setStatus("Moved 1 message to the Trash.")
	})
}

// RestoreSelected takes the open message out of the Trash.
func (m *MainWindow) RestoreSelected() {
	ids := m.selectedIDs()
	if len(ids) == 0 || !m.view.trash {
		return
	}
	next := m.indexOf(ids[0])
	eng := m.eng
	m.bridge.run(func(ctx context.Context) error {
		return eng.RestoreMessages(ctx, ids)
	}, func(err error) {
		if err != nil {
			m.showError("Could not restore the message", err)
			return
		}
		m.removeShown(ids[0], next)
		m.setStatus("Restored 1 message.")
	})
}

func (m *MainWindow) confirmEmptyTrash() {
	text := "Delete every message in the Trash from this computer for good?"
	for _, a := range m.accounts {
		if a.DeleteOnServer {
			text += "\n\nFor accounts set to “delete on server when deleted here” (" + a.Name +
				"…), the server copies are deleted at the next check."
			break
		}
	}
	dialog.NewConfirm("Empty Trash", text, func(ok bool) {
		if !ok {
			return
		}
		eng := m.eng
		var n int
		m.bridge.run(func(ctx context.Context) (err error) {
			n, err = eng.EmptyTrash(ctx)
			return err
		}, func(err error) {
			if err != nil {
				m.showError("Could not empty the Trash", err)
				return
			}
			m.open = nil
			m.Viewer.clear("The Trash is empty.")
			m.setStatus(fmt.Sprintf("Deleted %d message(s) for good.", n))
			m.loadMessages()
			m.refreshCounts()
		})
	}, m.Window).Show()
}

func (m *MainWindow) indexOf(id int64) int {
	for i := range m.shown {
		if m.shown[i].ID == id {
			return i
		}
	}
	return -1
}

// removeShown drops a message from the list and opens the one that took its place.
func (m *MainWindow) removeShown(id int64, at int) {
	drop := func(list []mailstore.Message) []mailstore.Message {
		out := list[:0:0]
		for _, msg := range list {
			if msg.ID != id {
				out = append(out, msg)
			}
		}
		return out
	}
	m.all, m.shown = drop(m.all), drop(m.shown)
	m.open = nil
	m.List.UnselectAll()
	m.List.Refresh()
	m.Viewer.clear("")
	if at >= 0 && len(m.shown) > 0 {
		m.List.Select(min(at, len(m.shown)-1))
	}
	m.Toolbar.update()
	m.refreshCounts()
}
