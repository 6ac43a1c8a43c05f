package ui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/mailstore"
)

// archiveMenuItems are the More menu's Backup… and Restore….
func (m *mainWindow) archiveMenuItems() []*fyne.MenuItem {
	return []*fyne.MenuItem{fyne.NewMenuItem(lang.L("Backup…"), m.showBackup), fyne.NewMenuItem(lang.L("Restore…"), m.showRestoreHelp),
		fyne.NewMenuItem(lang.L("Import…"), m.showImport)}
}

// showBackup asks for a file name and a folder, then backs the archive up there. As with the
// export, the folder is chosen with a folder dialog: Fyne's save dialog truncates an existing
// file before handing it over, and a backup never replaces a file.
func (m *mainWindow) showBackup() {
	name := widget.NewEntry()
	name.SetText(backupFileName(time.Now()))
	note := widget.NewLabel(lang.L("A copy of every account and message, checked once written. Passwords stay in the OS keyring, not in the copy."))
	note.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(widget.NewFormItem(lang.L("File name"), name), widget.NewFormItem("", note))
	d := dialog.NewCustomConfirm(lang.L("Backup"), lang.L("Choose folder…"), lang.L("Cancel"), form, func(ok bool) {
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
		m.showError(lang.L("Backup failed"), errors.New(lang.L("{{.Name}} is not a file name", map[string]any{"Name": strconv.Quote(name)})))
		return
	}
	out := filepath.Join(dir, name)
	eng := m.eng
	var report *mailstore.CheckReport
	m.setStatus(lang.L("Backing up…"))
	m.bridge.run(func(ctx context.Context) (err error) {
		report, err = eng.Backup(ctx, out)
		return err
	}, func(err error) {
		if err != nil {
			m.showError(lang.L("Backup failed"), err)
			return
		}
		text := lang.L("Backed up {{.Count}} message(s) to {{.Path}}; the copy checks clean.", map[string]any{"Count": report.Messages, "Path": out})
		m.setStatus(text)
		dialog.ShowInformation(lang.L("Backup"), text+"\n\n"+lang.L("Passwords and sign-ins are in the OS keyring, not in the backup."), m.window)
	})
}

// showRestoreHelp explains how to restore a backup.
func (m *mainWindow) showRestoreHelp() {
	// The open archive cannot be replaced under the window: restoring is done from the command
	// line with Pouch closed.
	l := widget.NewLabel(lang.L("To restore a backup, quit Pouch (close the window, and choose Quit in the tray menu if Pouch stays there), then run:\n\n    pouch restore FILE\n\n(with --data-dir DIR if Pouch was started with one). The backup is checked before anything is replaced; an archive that holds mail is replaced only with --force, and is kept aside, never deleted. Passwords are in the OS keyring, not in backups."))
	l.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(lang.L("Restore"), lang.L("Close"), l, m.window)
	d.Resize(fyne.NewSize(560, 300))
	d.Show()
}

// backupFileName is the name a backup made on day t is proposed under.
func backupFileName(t time.Time) string {
	return fmt.Sprintf("pouch-backup-%s.db", t.Format("2006-01-02"))
}

// isFileName says whether name is a plain file name, without a folder.
func isFileName(name string) bool {
	return name != "" && name == filepath.Base(name) && name != "." && name != ".."
}
