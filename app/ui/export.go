package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
)

var exportLabels = map[string]mailstore.Format{
	"mbox (one file)":         mailstore.FormatMbox,
	"EML (one file each)":     mailstore.FormatEML,
	"Maildir (for mail apps)": mailstore.FormatMaildir,
}

// ShowExport asks for a format and a destination and exports what the list shows: the
// account's (or every account's) mail, narrowed by the search when there is one.
func (m *MainWindow) ShowExport() {
	if len(m.shown) == 0 || m.view.trash {
		m.setStatus("Nothing to export: choose a folder with messages.")
		return
	}
	opts := engine.ExportOptions{Account: m.view.account, Query: m.query}
	formats := widget.NewSelect([]string{"mbox (one file)", "EML (one file each)", "Maildir (for mail apps)"}, nil)
	formats.SetSelected("mbox (one file)")
	what := widget.NewLabel(fmt.Sprintf("%d message(s): the ones in the list now.", len(m.shown)))
	form := widget.NewForm(widget.NewFormItem("Format", formats), widget.NewFormItem("Messages", what))
	d := dialog.NewCustomConfirm("Export", "Choose destination…", "Cancel", form, func(ok bool) {
		if !ok {
			return
		}
		f := exportLabels[formats.Selected]
		if f == mailstore.FormatMbox {
			save := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
				if err != nil || w == nil {
					return
				}
				path := w.URI().Path()
				// Export creates the file itself and never overwrites: drop the empty one the
				// dialog made, unless it already held something.
				w.Close()
				opts.Format, opts.Out = string(f), path
				m.export(opts, true)
			}, m.Window)
			save.SetFileName("pouch-" + time.Now().Format("2006-01-02") + ".mbox")
			save.Resize(fyne.NewSize(800, 560))
			save.Show()
			return
		}
		open := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
			if err != nil || u == nil {
				return
			}
			opts.Format = string(f)
			opts.Out = filepath.Join(u.Path(), "pouch-"+time.Now().Format("2006-01-02")+"-"+string(f))
			m.export(opts, false)
		}, m.Window)
		open.Resize(fyne.NewSize(800, 560))
		open.Show()
	}, m.Window)
	d.Resize(fyne.NewSize(520, 220))
	d.Show()
}

// export runs the export in the background with progress in the status bar.
func (m *MainWindow) export(opts engine.ExportOptions, removeEmpty bool) {
	eng := m.eng
	var n int
	m.setStatus("Exporting…")
	m.bridge.run(func(ctx context.Context) (err error) {
		if removeEmpty {
			removeIfEmpty(opts.Out)
		}
		n, err = eng.Export(ctx, opts, func(done, total int) {
			if done%200 == 0 || done == total {
				m.bridge.do(func() { m.setStatus(fmt.Sprintf("Exporting %d of %d…", done, total)) })
			}
		})
		return err
	}, func(err error) {
		if err != nil {
			m.showError("Export failed", err)
			return
		}
		m.setStatus(fmt.Sprintf("Exported %d message(s) to %s.", n, opts.Out))
	})
}

// removeIfEmpty deletes a zero-length file (the save dialog creates one).
func removeIfEmpty(path string) {
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() && st.Size() == 0 {
		_ = os.Remove(path)
	}
}
