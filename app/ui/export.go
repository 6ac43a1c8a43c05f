package ui

import (
	"context"
	"errors"
	"fyne.io/fyne/v2/lang"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
)

// exportChoices are the export formats as the window names them, in order.
func exportChoices() ([]string, map[string]mailstore.Format) {
	mbox, eml, maildir := lang.L("mbox (one file)"), lang.L("EML (one file each)"), lang.L("Maildir (for mail apps)")
	return []string{mbox, eml, maildir},
		map[string]mailstore.Format{mbox: mailstore.FormatMbox, eml: mailstore.FormatEML, maildir: mailstore.FormatMaildir}
}

// showExport asks for a format and a destination and exports what the list shows: the
// account's (or every account's) mail, narrowed by the search when there is one. The mbox
// file is named in this form and its folder chosen with a folder dialog: Fyne's save dialog
// truncates an existing file before handing it over, and an export never destroys a file.
func (m *mainWindow) showExport() {
	if m.rows.len() == 0 || m.view.trash {
		m.setStatus(lang.L("Nothing to export: choose a folder with messages."))
		return
	}
	opts := engine.ExportOptions{Account: m.view.account, Query: m.query, Folder: string(m.view.box)}
	what := lang.N("{{.Count}} messages: the ones in the list now.", m.rows.len(), map[string]any{"Count": m.rows.len()})
	if ids := m.selectedIDs(); m.sel.len() > 1 {
		// The selection, oldest first as archives are ordered (the list is newest first).
		opts.IDs = slices.Clone(ids)
		slices.Reverse(opts.IDs)
		what = lang.N("{{.Count}} messages: the ones selected.", len(ids), map[string]any{"Count": len(ids)})
	}
	fileName := widget.NewEntry()
	fileName.SetText("pouch-" + time.Now().Format("2006-01-02") + ".mbox")
	choices, exportLabels := exportChoices()
	formats := widget.NewSelect(choices, func(s string) {
		if exportLabels[s] == mailstore.FormatMbox {
			fileName.Enable()
		} else {
			fileName.Disable()
		}
	})
	formats.SetSelected(choices[0])
	whatLabel := widget.NewLabel(what)
	form := widget.NewForm(widget.NewFormItem(lang.L("Format"), formats), widget.NewFormItem(lang.L("File name"), fileName),
		widget.NewFormItem(lang.L("Messages"), whatLabel))
	d := dialog.NewCustomConfirm(lang.L("Export"), lang.L("Choose folder…"), lang.L("Cancel"), form, func(ok bool) {
		if !ok {
			return
		}
		f := exportLabels[formats.Selected]
		name := fileName.Text
		open := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
			if err != nil || u == nil {
				return
			}
			if f == mailstore.FormatMbox {
				m.exportMboxTo(opts, u.Path(), name)
				return
			}
			opts.Format = string(f)
			opts.Out = filepath.Join(u.Path(), "pouch-"+time.Now().Format("2006-01-02")+"-"+string(f))
			m.export(opts)
		}, m.window)
		open.Resize(fyne.NewSize(800, 560))
		open.Show()
	}, m.window)
	d.Resize(fyne.NewSize(520, 260))
	d.Show()
}

// exportMboxTo exports to a new mbox file name in dir. The export creates the file itself and
// refuses an existing one (the message says so), so nothing the user had is lost.
func (m *mainWindow) exportMboxTo(opts engine.ExportOptions, dir, name string) {
	if !isFileName(name) {
		m.showError(lang.L("Export failed"), errors.New(lang.L("{{.Name}} is not a file name", map[string]any{"Name": strconv.Quote(name)})))
		return
	}
	opts.Format, opts.Out = string(mailstore.FormatMbox), filepath.Join(dir, name)
	m.export(opts)
}

// export runs the export in the background with progress in the status bar.
func (m *mainWindow) export(opts engine.ExportOptions) {
	eng := m.eng
	var n int
	m.setStatus(lang.L("Exporting…"))
	m.bridge.run(func(ctx context.Context) (err error) {
		n, err = eng.Export(ctx, opts, func(done, total int) {
			if done%200 == 0 || done == total {
				m.bridge.do(func() {
					m.setStatus(lang.L("Exporting {{.N}} of {{.Total}}…", map[string]any{"N": done, "Total": total}))
				})
			}
		})
		return err
	}, func(err error) {
		if err != nil {
			m.showError(lang.L("Export failed"), err)
			return
		}
		m.setStatus(lang.N("Exported {{.Count}} messages to {{.Path}}.", n, map[string]any{"Count": n, "Path": opts.Out}))
	})
}
