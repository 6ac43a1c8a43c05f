package ui

import (
	"context"
	"fmt"
	"io"
	"net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/format"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/mailstore/mimetext"
)

// Viewer shows the open message: header fields, the text body (plain text, or HTML turned into
// text: nothing remote is ever loaded) and the attachments with Save… and Open.
type Viewer struct {
	From, To, Cc, Date, Subject *widget.Label
	ccKey                       *widget.Label
	Body                        *widget.Label
	Note                        *widget.Label // "converted from HTML", parse problems
	Attachments                 *fyne.Container
	header                      *fyne.Container
	content                     fyne.CanvasObject
	m                           *MainWindow
}

func newViewer(m *MainWindow) *Viewer {
	v := &Viewer{m: m, Attachments: container.NewVBox()}
	value := func() *widget.Label {
		l := widget.NewLabel("")
		l.Wrapping = fyne.TextWrapWord
		l.Selectable = true
		return l
	}
	key := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.TextStyle = fyne.TextStyle{Bold: true}
		return l
	}
	v.From, v.To, v.Cc, v.Date, v.Subject = value(), value(), value(), value(), value()
	v.Subject.TextStyle = fyne.TextStyle{Bold: true}
	v.ccKey = key("Cc")
	v.header = container.New(layout.NewFormLayout(),
		key("From"), v.From, key("To"), v.To, v.ccKey, v.Cc, key("Date"), v.Date, key("Subject"), v.Subject)
	v.Note = widget.NewLabel("")
	v.Note.Importance = widget.LowImportance
	v.Note.Hide()
	v.Body = widget.NewLabel("Select a message to read it.")
	v.Body.Wrapping = fyne.TextWrapWord
	v.Body.Selectable = true
	top := container.NewVBox(v.header, v.Attachments, v.Note, widget.NewSeparator())
	v.content = container.NewBorder(top, nil, nil, nil, container.NewVScroll(v.Body))
	v.clear("Select a message to read it.")
	return v
}

// clear empties the viewer and shows text instead of a message.
func (v *Viewer) clear(text string) {
	for _, l := range []*widget.Label{v.From, v.To, v.Cc, v.Date, v.Subject} {
		l.SetText("")
	}
	v.header.Hide()
	v.Attachments.RemoveAll()
	v.Note.Hide()
	v.Body.SetText(text)
}

func (v *Viewer) show(mv *engine.MessageView) {
	v.From.SetText(orDash(mv.From))
	v.To.SetText(orDash(mv.To))
	v.Cc.SetText(mv.Cc)
	if mv.Cc == "" {
		v.ccKey.Hide()
		v.Cc.Hide()
	} else {
		v.ccKey.Show()
		v.Cc.Show()
	}
	v.Date.SetText(formatDate(&mv.Message, "Monday 2 January 2006, 15:04"))
	v.Subject.SetText(orDash(mv.Subject))
	v.header.Show()
	v.Attachments.RemoveAll()
	for i, a := range mv.Body.Attachments {
		v.Attachments.Add(v.attachmentRow(mv.ID, i, a))
	}
	switch {
	case mv.Partial:
		v.Note.SetText("Only the header was downloaded: the message is larger than the account's size limit.")
		v.Note.Show()
	case mv.Body.HTML:
		v.Note.SetText("Shown as text, converted from HTML; remote content is never loaded.")
		v.Note.Show()
	default:
		v.Note.Hide()
	}
	v.Body.SetText(mv.Body.Text)
}

func (v *Viewer) attachmentRow(id int64, i int, a mimetext.Attachment) fyne.CanvasObject {
	name := a.Filename
	if name == "" {
		name = fmt.Sprintf("attachment-%d", i+1)
	}
	label := widget.NewLabel(fmt.Sprintf("%s (%s, %s)", name, a.ContentType, format.Bytes(a.Size)))
	label.Truncation = fyne.TextTruncateEllipsis
	save := widget.NewButtonWithIcon("Save…", theme.DocumentSaveIcon(), func() { v.m.saveAttachment(id, i, name) })
	open := widget.NewButtonWithIcon("Open", theme.FileIcon(), func() { v.m.openAttachment(id, i) })
	return container.NewBorder(nil, nil, widget.NewIcon(theme.MailAttachmentIcon()), container.NewHBox(save, open), label)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// showMessage loads a message off the UI goroutine, shows it and marks it read.
func (m *MainWindow) showMessage(id int64) {
	eng := m.eng
	var mv *engine.MessageView
	m.bridge.run(func(ctx context.Context) (err error) {
		mv, err = eng.Message(ctx, id)
		return err
	}, func(err error) {
		if err != nil {
			m.open = nil
			m.Viewer.clear("Could not open the message: " + err.Error())
			return
		}
		m.open = mv
		m.Viewer.show(mv)
		if !mv.Read {
			m.setRead([]int64{id}, true)
		}
		m.Toolbar.update()
	})
}

// setRead changes the read state here at once and in the store in the background.
func (m *MainWindow) setRead(ids []int64, read bool) {
	want := map[int64]bool{}
	for _, id := range ids {
		want[id] = true
	}
	for _, list := range [][]mailstore.Message{m.all, m.shown} {
		for i := range list {
			if want[list[i].ID] {
				list[i].Read = read
			}
		}
	}
	if m.open != nil && want[m.open.ID] {
		m.open.Read = read
	}
	m.List.Refresh()
	m.Toolbar.update()
	eng := m.eng
	m.bridge.run(func(ctx context.Context) error {
		return eng.SetRead(ctx, ids, read)
	}, func(err error) {
		if err != nil {
			m.setStatus("Could not save the read state: " + err.Error())
			return
		}
		m.refreshCounts()
	})
}

// WriteAttachment extracts attachment i of message id into w (closing it) off the UI goroutine;
// done runs on the UI goroutine.
func (m *MainWindow) WriteAttachment(id int64, i int, w io.WriteCloser, done func(error)) {
	eng := m.eng
	m.bridge.run(func(ctx context.Context) error {
		defer w.Close()
		_, data, err := eng.Attachment(ctx, id, i)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}, done)
}

func (m *MainWindow) saveAttachment(id int64, i int, name string) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			m.showError("Could not save the attachment", err)
			return
		}
		if w == nil {
			return // cancelled
		}
		m.saveAttachmentTo(id, i, w, func(err error) {
			if err != nil {
				m.showError("Could not save the attachment", err)
				return
			}
			m.setStatus("Saved " + w.URI().Path() + ".")
		})
	}, m.Window)
	d.SetFileName(name)
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// saveAttachmentTo saves attachment i of message id as the file the save dialog opened. That
// file was created with the umask's mode (often world-readable), so it is only closed here;
// the engine puts a private (0600) file in its place.
func (m *MainWindow) saveAttachmentTo(id int64, i int, w fyne.URIWriteCloser, done func(error)) {
	eng, path := m.eng, w.URI().Path()
	m.bridge.run(func(ctx context.Context) error {
		_ = w.Close()
		return eng.SaveAttachment(ctx, id, i, path)
	}, done)
}

// openAttachment writes the attachment into this run's private directory of opened files
// (removed when Pouch quits) and hands it to the desktop's default application.
func (m *MainWindow) openAttachment(id int64, i int) {
	eng, opened := m.eng, m.opened
	var path string
	m.bridge.run(func(ctx context.Context) error {
		name, data, err := eng.Attachment(ctx, id, i)
		if err != nil {
			return err
		}
		if name == "" {
			name = fmt.Sprintf("attachment-%d", i+1)
		}
		path, err = opened.Write(name, data)
		return err
	}, func(err error) {
		if err != nil {
			m.showError("Could not open the attachment", err)
			return
		}
		u, err := url.Parse(storage.NewFileURI(path).String())
		if err == nil {
			err = m.App.OpenURL(u)
		}
		if err != nil {
			m.showError("Could not open the attachment", err)
			return
		}
		m.setStatus("Opened " + path + ".")
	})
}
