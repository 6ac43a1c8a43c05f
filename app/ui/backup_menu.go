package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/mailstore"
)

// archiveMenuItems are the More menu's Backup… and Restore….
func (m *mainWindow) archiveMenuItems() []*fyne.MenuItem {
	return []*fyne.MenuItem{fyne.NewMenuItem("Backup…", m.showBackup), fyne.NewMenuItem("Restore…", m.showRestoreHelp)}
}

// showBackup asks for a file name and a folder, then backs the archive up there. As with the
// export, the folder is chosen with a folder dialog: Fyne's save dialog truncates an existing
// file before handing it over, and a backup never replaces a file.
func (m *mainWindow) showBackup() {
	name := widget.NewEntry()
	name.SetText("pouch-backup-" + time.Now().Format("2006-01-02") + ".db")
	note := widget.NewLabel("A copy of every account and message, checked once written. Passwords stay in the OS keyring, not in the copy.")
	note.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(widget.NewFormItem("File name", name), widget.NewFormItem("", note))
	d := dialog.NewCustomConfirm("Backup", "Choose folder…", "Cancel", form, func(ok bool) {
		if !ok {
			return
		}
		file := name.Text
		open := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
			if err != nil || u == nil {
				return
			}
			m.backupTo(u.Path(), file)
		}, m.window)
		open.Resize(fyne.NewSize(800, 560))
		open.Show()
	}, m.window)
	d.Resize(fyne.NewSize(520, 240))
	d.Show()
}

// backupTo writes the backup to the new file name in dir, off the UI goroutine (the engine
// copies one snapshot of the archive while the window and fetches go on), and says how it went.
func (m *mainWindow) backupTo(dir, name string) {
	if !isFileName(name) {
		m.showError("Backup failed", fmt.Errorf("%q is not a file name", name))
		return
	}
	out := filepath.Join(dir, name)
	eng := m.eng
	var report *mailstore.CheckReport
	m.setStatus("Backing up…")
	m.bridge.run(func(ctx context.Context) (err error) {
		report, err = eng.Backup(ctx, out)
		return err
	}, func(err error) {
		if err != nil {
			m.showError("Backup failed", err)
			return
		}
		text := fmt.Sprintf("Backed up %d message(s) to %s; the copy checks clean.", report.Messages, out)
		m.setStatus(text)
		dialog.ShowInformation("Backup", text+"\n\nPasswords and sign-ins are in the OS keyring, not in the backup.", m.window)
	})
}

// restoreHelp is what Restore… says. The open archive cannot be replaced under the window, so
// restoring is done from the command line with Pouch closed.
const restoreHelp = `To restore a backup, quit Pouch (close the window, and choose Quit in the tray menu if Pouch stays there), then run:

    pouch restore FILE

(with --data-dir DIR if Pouch was started with one). The backup is checked before anything is
replaced; an archive that holds mail is replaced only with --force, and is kept aside, never
deleted. Passwords are in the OS keyring, not in backups.`

// showRestoreHelp explains how to restore a backup.
func (m *mainWindow) showRestoreHelp() {
	l := widget.NewLabel(restoreHelp)
	l.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom("Restore", "Close", l, m.window)
	d.Resize(fyne.NewSize(560, 300))
	d.Show()
}

// isFileName says whether name is a plain file name, without a folder.
func isFileName(name string) bool {
	return name != "" && name == filepath.Base(name) && name != "." && name != ".."
}
