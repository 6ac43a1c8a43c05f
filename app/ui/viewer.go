package ui

import (
	"context"
	"fmt"
	"fyne.io/fyne/v2/lang"
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

// viewer shows the open message: header fields, the text body (plain text, or HTML turned into
// text: nothing remote is ever loaded) and the attachments with Save… and Open.
type viewer struct {
	from, to, cc, date, subject *headerValue
	ccKey                       *widget.Label
	body                        *bodyText
	note                        *widget.Label // "converted from HTML", parse problems
	attachments                 *fyne.Container
	actions                     *fyne.Container // Reply, Forward…; a draft's and the outbox's own
	header                      *fyne.Container
	content                     fyne.CanvasObject
	scroll                      *container.Scroll // the body, paged by Space in the list
	thread                      *fyne.Container   // a conversation's messages (thread.go)
	m                           *mainWindow
}

// headerValue is a header field's value in the reading pane (From, To, Cc, Date, Subject):
// wrapped text with a right-click Copy, as mail clients' address fields have. It is not
// selectable: a selectable Label takes the keyboard once clicked, and Fyne 2.7.1 then hands it
// the window's keys and shortcuts (Delete, F5, Ctrl+N…), which it drops.
type headerValue struct {
	widget.Label
	m *mainWindow
}

func newHeaderValue(m *mainWindow) *headerValue {
	v := &headerValue{m: m}
	v.Wrapping = fyne.TextWrapWord
	v.ExtendBaseWidget(v)
	return v
}

// TappedSecondary offers to copy the value.
func (v *headerValue) TappedSecondary(ev *fyne.PointEvent) {
	c := fyne.CurrentApp().Driver().CanvasForObject(v)
	if c == nil || v.Text == "" {
		return
	}
	widget.ShowPopUpMenuAtPosition(v.menu(), c, ev.AbsolutePosition)
}

// menu is the value's context menu.
func (v *headerValue) menu() *fyne.Menu {
	return fyne.NewMenu("", fyne.NewMenuItem(lang.L("Copy"), func() { v.m.app.Clipboard().SetContent(v.Text) }))
}

// valueLabel is a field's value in a dialog's grid: wrapped, and selectable for copying.
func valueLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Selectable = true
	return l
}

// keyLabel is a field's name in a header grid.
func keyLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle = fyne.TextStyle{Bold: true}
	return l
}

func newViewer(m *mainWindow) *viewer {
	v := &viewer{m: m, attachments: container.NewVBox(), actions: container.NewHBox()}
	v.from, v.to, v.cc, v.date, v.subject = newHeaderValue(m), newHeaderValue(m), newHeaderValue(m), newHeaderValue(m), newHeaderValue(m)
	v.subject.TextStyle = fyne.TextStyle{Bold: true}
	v.ccKey = keyLabel(lang.L("Cc"))
	v.header = container.New(layout.NewFormLayout(),
		keyLabel(lang.L("From")), v.from, keyLabel(lang.L("To")), v.to, v.ccKey, v.cc, keyLabel(lang.L("Date")), v.date, keyLabel(lang.L("Subject")), v.subject)
	v.note = widget.NewLabel("")
	v.note.Importance = widget.LowImportance
	v.note.Hide()
	v.body = newBodyText(m.openLink)
	v.body.window, v.body.windowRune = m.windowKey, m.windowRune
	v.thread = threadStrip()
	top := container.NewVBox(v.thread, v.actions, v.header, v.attachments, v.note, widget.NewSeparator())
	v.scroll = container.NewVScroll(v.body)
	v.body.scroll = v.scroll
	v.content = container.NewBorder(top, nil, nil, nil, v.scroll)
	v.clear(lang.L("Select a message to read it."))
	return v
}

// clear empties the viewer and shows text instead of a message.
func (v *viewer) clear(text string) {
	for _, l := range []*headerValue{v.from, v.to, v.cc, v.date, v.subject} {
		l.SetText("")
	}
	v.header.Hide()
	v.thread.RemoveAll()
	v.thread.Hide()
	v.actions.RemoveAll()
	v.actions.Hide()
	v.attachments.RemoveAll()
	v.note.Hide()
	v.body.SetText(text)
}

func (v *viewer) show(mv *engine.MessageView) {
	v.from.SetText(orDash(mv.From))
	v.to.SetText(orDash(mv.To))
	v.cc.SetText(mv.Cc)
	if mv.Cc == "" {
		v.ccKey.Hide()
		v.cc.Hide()
	} else {
		v.ccKey.Show()
		v.cc.Show()
	}
	v.date.SetText(longDate(format.MessageDate(mv.Date, mv.Received).Local()))
	v.subject.SetText(orDash(mv.Subject))
	v.header.Show()
	v.actions.Objects = v.m.messageActions(mv)
	if len(v.actions.Objects) == 1 {
		v.actions.Layout = layout.NewStackLayout() // the outbox's state and buttons, full width
	} else {
		v.actions.Layout = &flowLayout{} // wraps in a narrow pane
	}
	v.actions.Show()
	v.actions.Refresh()
	v.attachments.RemoveAll()
	for i, a := range mv.Body.Attachments {
		v.attachments.Add(v.attachmentRow(mv.ID, i, a))
	}
	switch {
	case mv.Partial:
		v.note.SetText(lang.L("Only the header was downloaded: the message is larger than the account's size limit."))
		v.note.Show()
	case mv.Body.HTML:
		v.note.SetText(lang.L("Shown as text, converted from HTML; remote content is never loaded."))
		v.note.Show()
	default:
		v.note.Hide()
	}
	v.body.show(mv.Body.Text, mv.Body.Headings)
}

// openLink opens a link of a message in the desktop's browser (or mail program), on a click.
func (m *mainWindow) openLink(u *url.URL) {
	if err := m.openURL(u.String()); err != nil {
		m.showError(lang.L("Could not open the link"), err)
	}
}

// copyText puts the open message's text on the clipboard.
func (m *mainWindow) copyText() {
	if m.open == nil {
		return
	}
	m.app.Clipboard().SetContent(m.viewer.body.Text)
	m.setStatus(lang.L("Copied the message text."))
}

func (v *viewer) attachmentRow(id int64, i int, a mimetext.Attachment) fyne.CanvasObject {
	name := a.Filename
	if name == "" {
		name = fmt.Sprintf("attachment-%d", i+1)
	}
	// A long name gives way; the size never does.
	label := widget.NewLabel(name)
	label.Truncation = fyne.TextTruncateEllipsis
	size := widget.NewLabel(sizeText(a.Size))
	size.Importance = widget.LowImportance
	save := widget.NewButtonWithIcon(lang.L("Save…"), theme.DocumentSaveIcon(), func() { v.m.saveAttachment(id, i, name) })
	open := widget.NewButtonWithIcon(lang.L("Open"), theme.FileIcon(), func() { v.m.openAttachment(id, i) })
	return container.NewBorder(nil, nil, widget.NewIcon(theme.MailAttachmentIcon()), container.NewHBox(size, save, open), label)
}

// pageDown scrolls the body one screen on (Space in the list), keeping a line of the last.
func (v *viewer) pageDown() {
	v.body.TypedKey(&fyne.KeyEvent{Name: fyne.KeyPageDown})
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// showMessage loads a message off the UI goroutine, shows it and marks it read.
func (m *mainWindow) showMessage(id int64) {
	m.openGen++
	eng, gen := m.eng, m.openGen
	var mv *engine.MessageView
	var subs []mailstore.Submission
	m.bridge.run(func(ctx context.Context) (err error) {
		if mv, err = eng.Message(ctx, id); err != nil {
			return err
		}
		if mv.Folder == mailstore.FolderOutbox {
			subs, err = eng.Outbox(ctx, "")
		}
		return err
	}, func(err error) {
		if gen != m.openGen || m.sel.len() > 0 && (m.sel.len() > 1 || !m.sel.ids[id]) && id != m.threadPick {
			return // another message was chosen meanwhile (the arrows move faster than it loads)
		}
		if err != nil {
			m.open = nil
			m.viewer.clear(lang.L("Could not open the message: ") + err.Error())
			return
		}
		for _, s := range subs {
			m.outbox[s.MessageID] = s
		}
		if m.indexOf(id) < 0 && id != m.threadPick { // (a conversation's other messages have no row)
			return // the list changed meanwhile (another folder, a search): not on screen
		}
		m.open = mv
		m.viewer.show(mv)
		if !mv.Read {
			m.setRead([]int64{id}, true, nil)
		}
		m.toolbar.update()
	})
}

// setRead changes the read state here at once and in the store in the background; saved, if
// not nil, then gets the ids whose state the store changed.
func (m *mainWindow) setRead(ids []int64, read bool, saved func(changed []int64)) {
	eng := m.eng
	m.setState(ids, func(msg *mailstore.Message) { msg.Read = read }, func(ctx context.Context) ([]int64, error) {
		return eng.SetRead(ctx, ids, read)
	}, lang.L("Could not save the read state: "), func(changed []int64) {
		m.refreshCounts()
		if saved != nil {
			saved(changed)
		}
	})
}

// setFlagged flags or unflags messages here at once and in the store in the background; saved,
// if not nil, then gets the ids whose state the store changed.
func (m *mainWindow) setFlagged(ids []int64, flagged bool, saved func(changed []int64)) {
	eng := m.eng
	m.setState(ids, func(msg *mailstore.Message) { msg.Flagged = flagged }, func(ctx context.Context) ([]int64, error) {
		return eng.SetFlagged(ctx, ids, flagged)
	}, lang.L("Could not save the flag: "), saved)
}

// setState changes the rows of ids (and the open message among them) with change at once, then
// saves through the bridge, in the order of the changes (Mark unread just after opening must
// not be overtaken by the opening's Mark read); failed is the status's words for an error,
// saved (if not nil) gets what the save changed.
func (m *mainWindow) setState(ids []int64, change func(*mailstore.Message), save func(context.Context) ([]int64, error), failed string, saved func(changed []int64)) {
	want := map[int64]bool{}
	for _, id := range ids {
		want[id] = true
	}
	mark := m.rows.mark(ids, change)
	if m.open != nil && want[m.open.ID] {
		change(&m.open.Message)
	}
	m.list.Refresh()
	m.toolbar.update()
	// Saved in the order asked (inOrder): each save waits for the one before, since saves
	// waiting for the archive's lock (a fetch committing) take it in no set order, and Flag then
	// Unflag must not end flagged.
	var changed []int64
	m.stateWrites.run(m.bridge, func(ctx context.Context) (err error) {
		changed, err = save(ctx)
		return err
	}, func(err error) {
		m.rows.markWritten(mark)
		if err != nil {
			m.setStatus(failed + err.Error())
			return
		}
		if saved != nil {
			saved(changed)
		}
	})
}

// writeAttachment extracts attachment i of message id into w (closing it) off the UI goroutine;
// done runs on the UI goroutine.
func (m *mainWindow) writeAttachment(id int64, i int, w io.WriteCloser, done func(error)) {
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

func (m *mainWindow) saveAttachment(id int64, i int, name string) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			m.showError(lang.L("Could not save the attachment"), err)
			return
		}
		if w == nil {
			return // cancelled
		}
		m.saveAttachmentTo(id, i, w, func(err error) {
			if err != nil {
				m.showError(lang.L("Could not save the attachment"), err)
				return
			}
			m.setStatus(lang.L("Saved ") + w.URI().Path() + ".")
		})
	}, m.window)
	d.SetFileName(name)
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// saveAttachmentTo saves attachment i of message id as the file the save dialog opened. That
// file was created with the umask's mode (often world-readable), so it is only closed here;
// the engine puts a private (0600) file in its place.
func (m *mainWindow) saveAttachmentTo(id int64, i int, w fyne.URIWriteCloser, done func(error)) {
	eng, path := m.eng, w.URI().Path()
	m.bridge.run(func(ctx context.Context) error {
		_ = w.Close()
		return eng.SaveAttachment(ctx, id, i, path)
	}, done)
}

// openAttachment writes the attachment into this run's private directory of opened files
// (removed when Pouch quits) and hands it to the desktop's default application.
func (m *mainWindow) openAttachment(id int64, i int) {
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
			m.showError(lang.L("Could not open the attachment"), err)
			return
		}
		u, err := url.Parse(storage.NewFileURI(path).String())
		if err == nil {
			err = m.app.OpenURL(u)
		}
		if err != nil {
			m.showError(lang.L("Could not open the attachment"), err)
			return
		}
		m.setStatus(lang.L("Opened ") + path + ".")
	})
}
