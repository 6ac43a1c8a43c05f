package ui

import (
	"context"
	"fyne.io/fyne/v2/lang"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/resources"
)

// toolbar holds the main actions.
type toolbar struct {
	check, write, reply, replyAll, forward         *widget.Button
	delete, restore, read, flag, export, add, edit *widget.Button
	prefs, move                                    *widget.Button
	bar                                            fyne.CanvasObject
	m                                              *mainWindow
}

func (m *mainWindow) buildToolbar() *toolbar {
	t := &toolbar{m: m}
	t.check = widget.NewButtonWithIcon(lang.L("Check now"), theme.ViewRefreshIcon(), m.checkNow)
	t.write = widget.NewButtonWithIcon(lang.L("Write"), theme.MailComposeIcon(), m.composeNew)
	t.reply = widget.NewButtonWithIcon(lang.L("Reply"), theme.MailReplyIcon(), func() { m.reply(false) })
	t.replyAll = widget.NewButtonWithIcon(lang.L("Reply all"), theme.MailReplyAllIcon(), func() { m.reply(true) })
	t.forward = widget.NewButtonWithIcon(lang.L("Forward"), theme.MailForwardIcon(), m.forward)
	t.delete = widget.NewButtonWithIcon(lang.L("Delete"), theme.DeleteIcon(), m.deleteSelected)
	t.move = widget.NewButtonWithIcon(lang.L("Move to…"), theme.FolderIcon(), m.showMoveTo)
	t.restore = widget.NewButtonWithIcon(lang.L("Restore"), theme.ContentUndoIcon(), m.restoreSelected)
	t.read = widget.NewButtonWithIcon(lang.L("Mark unread"), theme.VisibilityIcon(), m.toggleRead)
	t.flag = widget.NewButtonWithIcon(lang.L("Flag"), theme.NewThemedResource(resources.StarIcon()), m.toggleFlag)
	t.add = widget.NewButtonWithIcon(lang.L("Add account"), theme.ContentAddIcon(), m.showAddAccount)
	// Export, Edit account and Preferences are in the More menu: the mail actions keep the room.
	t.export = widget.NewButtonWithIcon(lang.L("Export…"), theme.DownloadIcon(), m.showExport)
	t.edit = widget.NewButtonWithIcon(lang.L("Edit account…"), theme.AccountIcon(), m.showEditSelectedAccount)
	t.prefs = widget.NewButtonWithIcon(lang.L("Preferences"), theme.SettingsIcon(), m.showPreferences)
	var more *widget.Button
	more = widget.NewButtonWithIcon(lang.L("More"), theme.MoreVerticalIcon(), func() {
		items := []*fyne.MenuItem{fyne.NewMenuItem(lang.L("Export… (Ctrl+E)"), m.showExport), fyne.NewMenuItem(lang.L("Edit account…"), m.showEditSelectedAccount),
			fyne.NewMenuItem(lang.L("Preferences (Ctrl+,)"), m.showPreferences)}
		items[1].Disabled = t.edit.Disabled()
		items = append(items, fyne.NewMenuItem(lang.L("Rules… (Ctrl+Shift+U)"), func() { m.showRules() }))
		conv := fyne.NewMenuItem(lang.L("Group by conversation"), func() { m.setConversations(!m.conversations) })
		conv.Checked = m.conversations
		items = append(items, conv)
		items = append(items, m.archiveMenuItems()...)
		c := fyne.CurrentApp().Driver().CanvasForObject(more)
		if c == nil {
			return
		}
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(more).AddXY(0, more.Size().Height)
		widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), c, pos)
	})
	t.highlight(true)
	// A row that wraps when the window is narrow; the buttons whose labels change keep one width.
	t.bar = newFlow(t.check, t.write, widget.NewSeparator(), t.reply, t.replyAll, t.forward, widget.NewSeparator(),
		steadyButton(t.delete, lang.L("Delete"), lang.L("Empty Trash")), t.restore, t.move,
		steadyButton(t.read, lang.L("Mark read"), lang.L("Mark unread")), steadyButton(t.flag, lang.L("Flag"), lang.L("Unflag")),
		widget.NewSeparator(), t.add, more)
	t.update()
	return t
}

// highlight marks the next useful step: Check now once there are accounts, Add account before.
func (t *toolbar) highlight(haveAccounts bool) {
	t.check.Importance, t.add.Importance = widget.HighImportance, widget.MediumImportance
	if !haveAccounts {
		t.check.Importance, t.add.Importance = widget.MediumImportance, widget.HighImportance
	}
	t.check.Refresh()
	t.add.Refresh()
}

// update enables what applies to the current folder and message.
func (t *toolbar) update() {
	m := t.m
	enable := func(b *widget.Button, on bool) {
		if on {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	open := m.open != nil
	some := open || m.sel.len() > 0
	enable(t.read, some)
	enable(t.flag, some)
	canAnswer := open && m.open.Trashed == nil && m.open.Folder != mailstore.FolderOutbox && m.open.Folder != mailstore.FolderDrafts
	enable(t.reply, canAnswer)
	enable(t.replyAll, canAnswer)
	enable(t.forward, canAnswer)
	if some && m.selectedUnread() {
		t.read.SetText(lang.L("Mark read"))
	} else {
		t.read.SetText(lang.L("Mark unread"))
	}
	if some && !m.selectedUnflagged() {
		t.flag.SetText(lang.L("Unflag"))
	} else {
		t.flag.SetText(lang.L("Flag"))
	}
	if m.view.trash {
		t.delete.SetText(lang.L("Empty Trash"))
		enable(t.delete, m.rows.len() > 0 || open)
		t.restore.Show()
		enable(t.restore, some)
	} else {
		t.delete.SetText(lang.L("Delete"))
		enable(t.delete, some)
		t.restore.Hide()
	}
	enable(t.move, some && !m.view.trash && m.view.box != mailstore.FolderOutbox && m.view.box != mailstore.FolderDrafts)
	enable(t.edit, m.view.account != "" && accountByName(m.accounts, m.view.account) != nil)
}

func (m *mainWindow) setUpShortcuts() {
	c := m.window.Canvas()
	c.SetOnTypedKey(m.windowKey)
	c.SetOnTypedRune(m.windowRune)
	ctrl, ctrlShift := fyne.KeyModifierShortcutDefault, fyne.KeyModifierShortcutDefault|fyne.KeyModifierShift
	m.shortcuts = []shortcut{
		{fyne.KeyF, ctrl, m.focusSearch},                 // Ctrl+F: search
		{fyne.KeyN, ctrl, m.composeNew},                  // Ctrl+N: new message
		{fyne.KeyR, ctrl, func() { m.reply(false) }},     // Ctrl+R: reply
		{fyne.KeyL, ctrl, m.forward},                     // Ctrl+L: forward
		{fyne.KeyComma, ctrl, m.showPreferences},         // Ctrl+,: preferences
		{fyne.KeyE, ctrl, m.showExport},                  // Ctrl+E: export
		{fyne.KeyR, ctrlShift, func() { m.reply(true) }}, // Ctrl+Shift+R: reply all
		{fyne.KeyA, ctrlShift, m.showAddAccount},         // Ctrl+Shift+A: add account
		{fyne.KeyM, ctrlShift, m.showMoveTo},             // Ctrl+Shift+M: move to…
		{fyne.KeyU, ctrlShift, func() { m.showRules() }}, // Ctrl+Shift+U: rules
	}
	for _, s := range m.shortcuts {
		c.AddShortcut(s.fyne(), func(fyne.Shortcut) { s.fn() })
	}
	// Ctrl+A selects the list's messages; in the search field it selects the text, as there it
	// goes to the field.
	c.AddShortcut(&fyne.ShortcutSelectAll{}, func(fyne.Shortcut) { m.selectAll() })
}

// focusSearch puts the cursor in the search field (Ctrl+F).
func (m *mainWindow) focusSearch() { m.window.Canvas().Focus(m.search) }

// checkNow asks the poller to check every account now (F5); it also resumes stopped accounts.
func (m *mainWindow) checkNow() {
	servers := 0
	for _, a := range m.accounts {
		if !a.Local {
			servers++
		}
	}
	if servers == 0 {
		// Nothing would answer: the status must not wait on "Checking…" for ever.
		m.setStatus(lang.L("No account with a server to check yet: add one with Add account."))
		return
	}
	m.setStatus(lang.L("Checking for new mail…"))
	m.poller.CheckNow("")
}

// toggleRead marks the selected messages read, or unread when all of them are read already.
func (m *mainWindow) toggleRead() {
	ids := m.selectedIDs()
	if len(ids) == 0 {
		return
	}
	read := m.selectedUnread()
	text := lang.N("Marked {{.Count}} messages unread.", len(ids), map[string]any{"Count": len(ids)})
	if read {
		text = lang.N("Marked {{.Count}} messages read.", len(ids), map[string]any{"Count": len(ids)})
	}
	// Undo, offered once saved, sets back only what the store changed: a message read before
	// stays read.
	m.setRead(ids, read, func(changed []int64) {
		m.undo.offer(text, func() { m.setRead(changed, !read, nil) })
	})
}

// toggleFlag flags the selected messages, or unflags them when all of them are flagged already
// (s, as Thunderbird stars).
func (m *mainWindow) toggleFlag() {
	ids := m.selectedIDs()
	if len(ids) == 0 {
		return
	}
	flag := m.selectedUnflagged()
	text := lang.N("Unflagged {{.Count}} messages.", len(ids), map[string]any{"Count": len(ids)})
	if flag {
		text = lang.N("Flagged {{.Count}} messages.", len(ids), map[string]any{"Count": len(ids)})
	}
	// As for Mark read: Undo leaves a message flagged before flagged.
	m.setFlagged(ids, flag, func(changed []int64) {
		m.undo.offer(text, func() { m.setFlagged(changed, !flag, nil) })
	})
}

// deleteSelected moves the selected messages to the Trash (Del); in the Trash it offers to
// empty it.
func (m *mainWindow) deleteSelected() {
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
			m.showError(lang.L("Could not delete the message"), err)
			return
		}
		m.removeShown(ids, next)
		text := lang.N("Moved {{.Count}} messages to the Trash.", len(ids), map[string]any{"Count": len(ids)})
		m.setStatus(text)
		m.undo.offer(text, func() { m.untrash(ids) })
	})
}

// untrash takes messages just deleted back out of the Trash (Undo).
func (m *mainWindow) untrash(ids []int64) {
	eng := m.eng
	m.bridge.run(func(ctx context.Context) error {
		return eng.RestoreMessages(ctx, ids)
	}, func(err error) {
		if err != nil {
			m.showError(lang.L("Could not restore the message"), err)
			return
		}
		m.setStatus(lang.N("Put {{.Count}} messages back.", len(ids), map[string]any{"Count": len(ids)}))
		m.loadMessages()
		m.refreshCounts()
	})
}

// restoreSelected takes the selected messages out of the Trash.
func (m *mainWindow) restoreSelected() {
	ids := m.selectedIDs()
	// selectedIDs holds only messages the list shows, here in the Trash.
	if len(ids) == 0 || !m.view.trash {
		return
	}
	next := m.indexOf(ids[0])
	eng := m.eng
	m.bridge.run(func(ctx context.Context) error {
		return eng.RestoreMessages(ctx, ids)
	}, func(err error) {
		if err != nil {
			m.showError(lang.L("Could not restore the message"), err)
			return
		}
		m.removeShown(ids, next)
		m.setStatus(lang.N("Restored {{.Count}} messages.", len(ids), map[string]any{"Count": len(ids)}))
	})
}

// confirmEmptyTrash counts the Trash, then asks before purging it: the one action here that
// cannot be undone.
func (m *mainWindow) confirmEmptyTrash() {
	eng := m.eng
	var n int
	m.bridge.run(func(ctx context.Context) (err error) {
		n, err = eng.TrashCount(ctx)
		return err
	}, func(err error) {
		if err != nil {
			m.showError(lang.L("Could not empty the Trash"), err)
			return
		}
		if n == 0 {
			m.setStatus(lang.L("The Trash is empty."))
			return
		}
		m.askEmptyTrash(n)
	})
}

func (m *mainWindow) askEmptyTrash(count int) {
	text := lang.N("Delete the {{.Count}} messages in the Trash from this computer for good? This cannot be undone.",
		count, map[string]any{"Count": count})
	for _, a := range m.accounts {
		if a.DeleteOnServer {
			text += lang.L("\n\nFor accounts set to “delete on server when deleted here” (") + a.Name +
				lang.L("…), the server copies are deleted at the next check.")
			break
		}
	}
	d := dialog.NewConfirm(lang.L("Empty Trash"), text, func(ok bool) {
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
				m.showError(lang.L("Could not empty the Trash"), err)
				return
			}
			m.open = nil
			m.viewer.clear(lang.L("The Trash is empty."))
			m.setStatus(lang.N("Deleted {{.Count}} messages for good.", n, map[string]any{"Count": n}))
			m.loadMessages()
			m.refreshCounts()
		})
	}, m.window)
	d.SetConfirmText(lang.N("Delete {{.Count}} messages", count, map[string]any{"Count": count}))
	d.SetConfirmImportance(widget.DangerImportance)
	d.SetDismissText(lang.L("Cancel"))
	m.emptyTrashDialog = d
	d.Show()
}

func (m *mainWindow) indexOf(id int64) int { return m.rows.index(id) }

// removeShown drops messages from the list and opens the one that took the place of the first.
func (m *mainWindow) removeShown(ids []int64, at int) {
	m.rows.remove(ids...)
	m.open = nil
	m.sel.set()
	m.list.Refresh()
	m.updateEmptyNote()
	m.viewer.clear("")
	if at >= 0 && m.rows.len() > 0 {
		m.clickRow(min(at, m.rows.len()-1), 0)
	}
	m.toolbar.update()
	m.refreshCounts()
	if m.conversations {
		m.loadMessages() // the conversations' sizes and latest messages changed
	}
}
