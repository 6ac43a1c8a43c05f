package ui

import (
	"cmp"
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
)

// importChoice is one way to import as the window names it: the format, and whether the
// source is a file or a folder.
type importChoice struct {
	format mailstore.Format
	folder bool
}

// importChoices are the import sources, in order.
func importChoices() ([]string, map[string]importChoice) {
	mbox, maildir := lang.L("mbox file (Thunderbird, Apple Mail, Google Takeout)"), lang.L("Maildir folder")
	emlFile, emlDir := lang.L("EML file (one message)"), lang.L("Folder of EML files")
	return []string{mbox, maildir, emlFile, emlDir}, map[string]importChoice{
		mbox: {mailstore.FormatMbox, false}, maildir: {mailstore.FormatMaildir, true},
		emlFile: {mailstore.FormatEML, false}, emlDir: {mailstore.FormatEML, true},
	}
}

// showImport asks what to import and into which account, then for the file or folder. The
// messages go into the account's inbox; a name the archive lacks becomes a local account (no
// server), as with pouch import.
func (m *mainWindow) showImport() {
	choices, byLabel := importChoices()
	source := widget.NewSelect(choices, nil)
	source.SetSelected(choices[0])
	account := widget.NewSelectEntry(m.importAccounts())
	account.SetText(engine.LocalAccountName)
	if m.view.account != "" && !m.view.removed {
		account.SetText(m.view.account)
	}
	note := widget.NewLabel(lang.L("Messages already in the archive are skipped. A new name makes a local account (no server) for them."))
	note.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(widget.NewFormItem(lang.L("Import from"), source), widget.NewFormItem(lang.L("Into account"), account),
		widget.NewFormItem("", note))
	d := dialog.NewCustomConfirm(lang.L("Import"), lang.L("Choose…"), lang.L("Cancel"), form, func(ok bool) {
		if !ok {
			return
		}
		c := byLabel[source.Selected]
		opts := engine.ImportOptions{Format: string(c.format), Account: account.Text}
		pick := func(path string) {
			opts.Path = path
			m.importFrom(opts)
		}
		var open *dialog.FileDialog
		if c.folder {
			open = dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
				if err == nil && u != nil {
					pick(u.Path())
				}
			}, m.window)
		} else {
			open = dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
				if err == nil && r != nil {
					_ = r.Close() // the engine opens the file itself, off the UI goroutine
					pick(r.URI().Path())
				}
			}, m.window)
		}
		open.Resize(fyne.NewSize(800, 560))
		open.Show()
	}, m.window)
	d.Resize(fyne.NewSize(560, 280))
	d.Show()
}

// importAccounts are the accounts offered to import into.
func (m *mainWindow) importAccounts() []string {
	names := []string{}
	local := false
	for _, a := range m.accounts {
		names = append(names, a.Name)
		local = local || a.Name == engine.LocalAccountName
	}
	if !local {
		names = append(names, engine.LocalAccountName)
	}
	return names
}

// importFrom runs the engine's import (the one pouch import uses) off the UI goroutine, with a
// progress bar and Cancel; what was imported before a cancel stays.
func (m *mainWindow) importFrom(opts engine.ImportOptions) {
	eng := m.eng
	bar := widget.NewProgressBar()
	count := widget.NewLabel(lang.L("Reading {{.Path}}…", map[string]any{"Path": opts.Path}))
	count.Wrapping = fyne.TextWrapWord
	var cancel func()
	progress := dialog.NewCustomWithoutButtons(lang.L("Importing"), widget.NewForm(widget.NewFormItem("", count), widget.NewFormItem("", bar)), m.window)
	progress.SetButtons([]fyne.CanvasObject{widget.NewButton(lang.L("Cancel"), func() { cancel() })})
	progress.Resize(fyne.NewSize(520, 180))
	progress.Show()
	m.importing = progress
	m.setStatus(lang.L("Importing…"))
	var res engine.ImportResult
	cancel = m.bridge.start(func(ctx context.Context) (err error) {
		res, err = eng.Import(ctx, opts, func(done, total int) {
			if done%50 == 0 || done == total {
				m.bridge.do(func() {
					if total > 0 {
						bar.SetValue(float64(done) / float64(total))
					}
					count.SetText(lang.L("{{.N}} of {{.Total}} messages read", map[string]any{"N": done, "Total": total}))
				})
			}
		})
		return err
	}, func(err error) {
		progress.Hide()
		m.importing = nil
		m.reload() // a new local account, new messages and counts
		switch {
		case errors.Is(err, context.Canceled):
			m.setStatus(lang.N("Import cancelled; {{.Count}} messages were imported before.", res.Imported, map[string]any{"Count": res.Imported}))
		case err != nil:
			m.showError(lang.L("Import failed"), err)
		default:
			m.setStatus(lang.N("Imported {{.Count}} messages into {{.Account}} ({{.Skipped}} already here).", res.Imported,
				map[string]any{"Count": res.Imported, "Account": cmp.Or(opts.Account, engine.LocalAccountName), "Skipped": res.Skipped}))
		}
	})
}
