package ui

import (
	"context"
	"errors"
	"fmt"
	"fyne.io/fyne/v2/lang"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/compose"
	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
)

// draftDelay is how long typing must pause before the draft is saved.
const draftDelay = 2 * time.Second

// maxSuggestions bounds the address completions shown at once.
const maxSuggestions = 6

// composeWindow is one message being written, in a window of its own. The draft is saved to
// the archive as the user types (after a pause of draftDelay) and when the window closes;
// Send queues the message (replacing the draft) and submits it through the bridge.
type composeWindow struct {
	m    *mainWindow
	win  fyne.Window
	base *compose.Message // what the fields do not show: From, thread, Message-ID

	account      string // the sending account
	draftID      int64  // the saved draft; 0 = none yet
	draftAccount string // the account draftID belongs to
	failedID     int64  // a message the server refused; discarded when sent again

	from                 *widget.Select // shown with several sending accounts
	to, cc, bcc, subject *widget.Entry
	body                 *widget.Entry
	addrError            *widget.Label // the first wrong address, as typed
	suggest              *fyne.Container
	activeAddr           *widget.Entry // the address field the suggestions complete
	attachments          []compose.Attachment
	attList              *fyne.Container
	size                 *widget.Label
	warning              *widget.Label // above the server's SIZE limit
	status               *widget.Label
	progress             *widget.ProgressBarInfinite
	send, attach, trash  *widget.Button

	addrs     []mailstore.Correspondent // most used first
	limit     int64                     // the server's SIZE; 0 = unknown
	delay     time.Duration
	timer     *time.Timer
	dirty     bool     // changed since the last save
	saving    bool     // a save is under way
	afterSave []func() // to run once no save is under way
	sending   bool
	done      bool // sent or discarded: nothing more to save
	closed    bool
	cancel    func() // the size-limit lookup
}

// sendingAccounts are the accounts with an SMTP server.
func (m *mainWindow) sendingAccounts() []mailstore.Account {
	var out []mailstore.Account
	for _, a := range m.accounts {
		if a.SendsMail() {
			out = append(out, a)
		}
	}
	return out
}

// composeNew opens an empty message from the selected account (or the first that sends).
func (m *mainWindow) composeNew() {
	accts := m.sendingAccounts()
	if len(accts) == 0 {
		m.showError(lang.L("Cannot write a message"), errors.New(lang.L("no account has an SMTP server to send through (pouch account edit NAME --smtp-host …)")))
		return
	}
	a := accts[0]
	if s := accountByName(accts, m.view.account); s != nil {
		a = *s
	}
	from, err := m.eng.Identity(&a)
	if err != nil {
		m.showError(lang.L("Cannot write a message"), err)
		return
	}
	m.openCompose(a.Name, &compose.Message{From: from, Text: "\n\n" + compose.WithSignature("", a.Signature)}, 0)
}

// reply answers the open message (Ctrl+R; Ctrl+Shift+R with all).
func (m *mainWindow) reply(all bool) {
	m.composeFromOpen(lang.L("Cannot reply"), func(ctx context.Context, eng *engine.Engine, id int64) (*compose.Message, string, error) {
		return eng.ComposeReply(ctx, id, all, "")
	})
}

// forward forwards the open message inline, with its attachments (Ctrl+L).
func (m *mainWindow) forward() {
	m.composeFromOpen(lang.L("Cannot forward"), func(ctx context.Context, eng *engine.Engine, id int64) (*compose.Message, string, error) {
		return eng.ComposeForward(ctx, id, "")
	})
}

// composeFromOpen opens a compose window on what build makes of the open message, with room
// above the quote for the answer.
func (m *mainWindow) composeFromOpen(failure string, build func(context.Context, *engine.Engine, int64) (*compose.Message, string, error)) {
	if m.open == nil {
		return
	}
	id, eng := m.open.ID, m.eng
	var msg *compose.Message
	var acct string
	m.bridge.run(func(ctx context.Context) (err error) {
		msg, acct, err = build(ctx, eng, id)
		return err
	}, func(err error) {
		if err != nil {
			m.showError(failure, err)
			return
		}
		msg.Text = "\n\n" + msg.Text
		m.openCompose(acct, msg, 0)
	})
}

// editDraft resumes draft id in a compose window.
func (m *mainWindow) editDraft(id int64) {
	eng := m.eng
	var msg *compose.Message
	var acct string
	m.bridge.run(func(ctx context.Context) (err error) {
		msg, acct, err = eng.OpenDraft(ctx, id)
		return err
	}, func(err error) {
		if err != nil {
			m.showError(lang.L("Cannot open the draft"), err)
			return
		}
		if a := accountByName(m.accounts, acct); a != nil {
			if from, err := m.eng.Identity(a); err == nil {
				msg.From = from
			}
		}
		m.openCompose(acct, msg, id)
	})
}

// openCompose shows msg in a new compose window; draftID is the draft it continues (0 = none).
func (m *mainWindow) openCompose(account string, msg *compose.Message, draftID int64) *composeWindow {
	c := &composeWindow{m: m, base: msg, account: account, draftID: draftID, draftAccount: account, delay: m.draftDelay}
	if c.delay == 0 {
		c.delay = draftDelay
	}
	title := lang.L("New message")
	if msg.Subject != "" {
		title = msg.Subject
	}
	c.win = m.app.NewWindow(title)
	c.build()
	c.fill(msg)
	c.win.Resize(fyne.NewSize(860, 680))
	c.win.SetCloseIntercept(c.close)
	c.win.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { c.attachURIs(uris) })
	m.composers = append(m.composers, c)
	c.win.Show()
	c.win.Canvas().Focus(c.firstEmpty())
	c.loadAddresses()
	c.loadSizeLimit()
	return c
}

func (c *composeWindow) build() {
	entry := func(field, hint string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(hint)
		if field != "" {
			e.Validator = func(s string) error {
				_, err := parseField(field, s)
				return err
			}
			e.OnChanged = func(string) { c.addressChanged(e) }
		} else {
			e.OnChanged = func(string) { c.changed() }
		}
		return e
	}
	c.to = entry("to", lang.L("Name <address>, …"))
	c.cc = entry("cc", "")
	c.bcc = entry("bcc", lang.L("Only in the envelope: the other recipients do not see these"))
	c.subject = entry("", lang.L("Subject"))
	c.subject.OnChanged = func(s string) {
		if s == "" {
			s = lang.L("New message")
		}
		c.win.SetTitle(s)
		c.changed()
	}
	c.body = widget.NewMultiLineEntry()
	c.body.Wrapping = fyne.TextWrapWord
	c.body.OnChanged = func(string) { c.changed() }

	c.addrError = widget.NewLabel("")
	c.addrError.Importance = widget.DangerImportance
	c.addrError.Wrapping = fyne.TextWrapWord
	c.addrError.Hide()
	c.suggest = container.NewVBox()
	c.attList = container.NewVBox()
	c.size = widget.NewLabel("")
	c.size.Importance = widget.LowImportance
	c.warning = widget.NewLabel("")
	c.warning.Importance = widget.WarningImportance
	c.warning.Wrapping = fyne.TextWrapWord
	c.warning.Hide()
	c.status = widget.NewLabel("")
	c.status.Truncation = fyne.TextTruncateEllipsis
	c.progress = widget.NewProgressBarInfinite()
	c.progress.Stop()
	c.progress.Hide()

	c.send = widget.NewButtonWithIcon(lang.L("Send"), theme.MailSendIcon(), c.sendMessage)
	c.send.Importance = widget.HighImportance
	c.attach = widget.NewButtonWithIcon(lang.L("Attach…"), theme.MailAttachmentIcon(), c.chooseFile)
	c.trash = widget.NewButtonWithIcon(lang.L("Discard"), theme.DeleteIcon(), c.discard)

	key := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	}
	var fields []fyne.CanvasObject
	if accts := c.m.sendingAccounts(); len(accts) > 1 {
		var names []string
		for _, a := range accts {
			names = append(names, a.Name)
		}
		c.from = widget.NewSelect(names, c.setAccount)
		fields = append(fields, key(lang.L("From")), c.from)
	}
	fields = append(fields, key(lang.L("To")), c.to, key(lang.L("Cc")), c.cc, key(lang.L("Bcc")), c.bcc, key(lang.L("Subject")), c.subject)
	form := container.New(layout.NewFormLayout(), fields...)
	buttons := container.NewHBox(c.send, c.attach, layout.NewSpacer(), c.trash)
	top := container.NewVBox(buttons, widget.NewSeparator(), form, c.addrError, c.suggest, c.attList, c.size, c.warning)
	bottom := container.NewBorder(nil, nil, nil, nil, container.NewStack(c.status, c.progress))
	c.win.SetContent(container.NewBorder(top, bottom, nil, nil, c.body))

	sc := c.win.Canvas()
	sc.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) { c.sendMessage() })
	sc.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) { c.saveNow() })
}

// fill puts msg into the fields without counting as a change.
func (c *composeWindow) fill(msg *compose.Message) {
	if c.from != nil {
		c.from.OnChanged = nil
		c.from.SetSelected(c.account)
		c.from.OnChanged = c.setAccount
	}
	c.to.SetText(formatAddresses(msg.To))
	c.cc.SetText(formatAddresses(msg.Cc))
	c.bcc.SetText(formatAddresses(msg.Bcc))
	c.subject.SetText(msg.Subject)
	c.body.SetText(msg.Text)
	c.attachments = slices.Clone(msg.Attachments)
	c.showAttachments()
	c.hideSuggestions()
	c.addrError.Hide()
	c.dirty = false
	c.stopTimer()
}

// firstEmpty is where the cursor goes: the first empty address field or the subject, else the
// body.
func (c *composeWindow) firstEmpty() fyne.Focusable {
	switch {
	case c.to.Text == "" && c.cc.Text == "":
		return c.to
	case c.subject.Text == "":
		return c.subject
	}
	c.body.CursorRow, c.body.CursorColumn = 0, 0
	return c.body
}

func formatAddresses(as []*compose.Address) string {
	var s []string
	for _, a := range as {
		s = append(s, mailstore.FormatAddress(a.Name, a.Address))
	}
	return strings.Join(s, ", ")
}

// parseField reads an address field as typed: a comma left at the end is not a mistake.
func parseField(field, s string) ([]*compose.Address, error) {
	return compose.ParseAddressList(field, strings.TrimRight(s, ", \t"))
}

// setAccount changes the sender (the From selector).
func (c *composeWindow) setAccount(name string) {
	a := accountByName(c.m.accounts, name)
	if a == nil || name == c.account {
		return
	}
	from, err := c.m.eng.Identity(a)
	if err != nil {
		c.status.SetText(err.Error())
		return
	}
	c.account = name
	base := *c.base
	base.From = from
	c.base = &base
	c.limit = 0
	c.loadSizeLimit()
	c.changed()
}

// changed counts an edit: the draft is saved once typing pauses.
func (c *composeWindow) changed() {
	if c.done || c.sending {
		return
	}
	c.dirty = true
	c.updateSize()
	c.stopTimer()
	c.timer = time.AfterFunc(c.delay, func() { c.m.bridge.do(func() { c.saveDraft(nil) }) })
}

func (c *composeWindow) stopTimer() {
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
}

func (c *composeWindow) addressChanged(e *widget.Entry) {
	c.activeAddr = e
	c.checkAddresses()
	c.showSuggestions(e)
	c.changed()
}

// checkAddresses flags the first wrong address of the three fields, as the user types.
func (c *composeWindow) checkAddresses() {
	for _, f := range []struct {
		name string
		e    *widget.Entry
	}{{"to", c.to}, {"cc", c.cc}, {"bcc", c.bcc}} {
		if _, err := parseField(f.name, f.e.Text); err != nil {
			var ae *compose.AddressError
			text := err.Error()
			if errors.As(err, &ae) {
				text = lang.L("{{.Field}}: not an address list: {{.Error}}", map[string]any{"Field": fieldLabel(f.name), "Error": fmt.Sprint(ae.Err)})
			}
			c.addrError.SetText(text)
			c.addrError.Show()
			return
		}
	}
	c.addrError.SetText("")
	c.addrError.Hide()
}

// loadAddresses reads the archive's addresses for completion.
func (c *composeWindow) loadAddresses() {
	eng := c.m.eng
	var addrs []mailstore.Correspondent
	c.m.bridge.run(func(ctx context.Context) (err error) {
		addrs, err = eng.Correspondents(ctx, 5000)
		return err
	}, func(err error) {
		if err == nil {
			c.addrs = addrs
		}
	})
}

// suggestions are the archive's addresses matching the word being typed, most used first.
func (c *composeWindow) suggestions(text string) []mailstore.Correspondent {
	word := strings.ToLower(strings.TrimSpace(text[strings.LastIndexByte(text, ',')+1:]))
	if word == "" {
		return nil
	}
	var out []mailstore.Correspondent
	for _, a := range c.addrs {
		if strings.Contains(strings.ToLower(a.Address), word) || strings.Contains(strings.ToLower(a.Name), word) {
			if strings.EqualFold(a.Address, word) {
				return nil // typed in full
			}
			out = append(out, a)
			if len(out) == maxSuggestions {
				break
			}
		}
	}
	return out
}

func (c *composeWindow) showSuggestions(e *widget.Entry) {
	c.suggest.RemoveAll()
	for _, s := range c.suggestions(e.Text) {
		s := s
		b := widget.NewButtonWithIcon(s.String(), theme.AccountIcon(), func() { c.complete(e, s) })
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.LowImportance
		c.suggest.Add(b)
	}
	c.suggest.Refresh()
}

func (c *composeWindow) hideSuggestions() { c.suggest.RemoveAll() }

// complete replaces the word being typed in e with s.
func (c *composeWindow) complete(e *widget.Entry, s mailstore.Correspondent) {
	head := e.Text[:strings.LastIndexByte(e.Text, ',')+1]
	if head != "" {
		head += " "
	}
	e.SetText(head + s.String() + ", ")
	e.CursorColumn = len([]rune(e.Text))
	e.Refresh()
	c.hideSuggestions()
	c.win.Canvas().Focus(e)
}

// chooseFile attaches a file picked in a file dialog.
func (c *composeWindow) chooseFile() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			c.status.SetText(lang.L("Could not open the file: ") + err.Error())
			return
		}
		if r == nil {
			return
		}
		name := r.URI().Name()
		var data []byte
		c.m.bridge.run(func(context.Context) (err error) {
			defer r.Close()
			data, err = io.ReadAll(r)
			return err
		}, func(err error) {
			if err != nil {
				c.status.SetText(lang.L("Could not read ") + name + ": " + err.Error())
				return
			}
			c.addAttachments([]compose.Attachment{compose.NewAttachment(name, data)})
		})
	}, c.win)
	d.Resize(fyne.NewSize(760, 520))
	d.Show()
}

// attachURIs attaches dropped files (folders and other things are skipped with a word).
func (c *composeWindow) attachURIs(uris []fyne.URI) {
	var paths []string
	for _, u := range uris {
		if u.Scheme() == "file" {
			paths = append(paths, u.Path())
		}
	}
	if len(paths) == 0 {
		return
	}
	var atts []compose.Attachment
	var skipped []string
	c.m.bridge.run(func(context.Context) error {
		for _, p := range paths {
			st, err := os.Stat(p)
			if err != nil || !st.Mode().IsRegular() {
				skipped = append(skipped, p)
				continue
			}
			data, err := os.ReadFile(p)
			if err != nil {
				skipped = append(skipped, p)
				continue
			}
			atts = append(atts, compose.NewAttachment(p, data))
		}
		return nil
	}, func(error) {
		if len(skipped) > 0 {
			c.status.SetText(lang.L("Not attached (not a readable file): ") + strings.Join(skipped, ", "))
		}
		c.addAttachments(atts)
	})
}

func (c *composeWindow) addAttachments(atts []compose.Attachment) {
	if len(atts) == 0 || c.done {
		return
	}
	c.attachments = append(c.attachments, atts...)
	c.showAttachments()
	c.changed()
}

func (c *composeWindow) showAttachments() {
	c.attList.RemoveAll()
	for i, a := range c.attachments {
		i := i
		label := widget.NewLabel(fmt.Sprintf("%s (%s, %s)", a.Filename, a.ContentType, sizeText(int64(len(a.Data)))))
		label.Truncation = fyne.TextTruncateEllipsis
		remove := widget.NewButtonWithIcon("", theme.ContentRemoveIcon(), func() {
			if i < len(c.attachments) {
				c.attachments = slices.Delete(c.attachments, i, i+1)
				c.showAttachments()
				c.changed()
			}
		})
		remove.Importance = widget.LowImportance
		c.attList.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.MailAttachmentIcon()), remove, label))
	}
	c.attList.Refresh()
	c.updateSize()
}

// estimate is about the size of the built message: attachments grow by a third in base64.
func (c *composeWindow) estimate() int64 {
	n := int64(len(c.body.Text)+len(c.subject.Text)) + 1024
	for _, a := range c.attachments {
		n += int64(len(a.Data))*4/3 + int64(len(a.Data))/38 + 256
	}
	return n
}

// updateSize shows the attachments' and the message's size, and warns above the server's limit.
func (c *composeWindow) updateSize() {
	if len(c.attachments) == 0 {
		c.size.SetText("")
		c.size.Hide()
	} else {
		var total int64
		for _, a := range c.attachments {
			total += int64(len(a.Data))
		}
		c.size.SetText(lang.N("{{.Count}} attachments, {{.Size}}; the message will be about {{.Total}}.", len(c.attachments),
			map[string]any{"Count": len(c.attachments), "Size": sizeText(total), "Total": sizeText(c.estimate())}))
		c.size.Show()
	}
	if c.limit > 0 && c.estimate() > c.limit {
		c.warning.SetText(lang.L("Too large: the server accepts messages up to {{.Limit}}, and this one will be about {{.Size}}. Remove an attachment or send a link instead.",
			map[string]any{"Limit": sizeText(c.limit), "Size": sizeText(c.estimate())}))
		c.warning.Show()
	} else {
		c.warning.Hide()
	}
}

// loadSizeLimit asks the account's server for its SIZE limit (EHLO).
func (c *composeWindow) loadSizeLimit() {
	if c.cancel != nil {
		c.cancel()
	}
	acct, eng := c.account, c.m.eng
	var limit int64
	var ok bool
	c.cancel = c.m.bridge.start(func(ctx context.Context) (err error) {
		limit, ok, err = eng.SizeLimit(ctx, acct)
		return err
	}, func(err error) {
		if err != nil || !ok || acct != c.account {
			return
		}
		c.limit = limit
		c.updateSize()
	})
}

// message is the message as the fields stand; strict refuses wrong addresses, else they are
// left out (a draft keeps what it can).
func (c *composeWindow) message(strict bool) (*compose.Message, error) {
	msg := *c.base
	msg.Date = time.Time{}
	for _, f := range []struct {
		name string
		e    *widget.Entry
		out  *[]*compose.Address
	}{{"to", c.to, &msg.To}, {"cc", c.cc, &msg.Cc}, {"bcc", c.bcc, &msg.Bcc}} {
		as, err := parseField(f.name, f.e.Text)
		if err != nil && strict {
			return nil, err
		}
		*f.out = as
	}
	msg.Subject = c.subject.Text
	msg.Text = c.body.Text
	msg.Attachments = slices.Clone(c.attachments)
	return &msg, nil
}

// saveDraft saves the fields as the draft when they changed, then runs then; a save under way
// finishes first (its id is the one to replace).
func (c *composeWindow) saveDraft(then func()) {
	if then != nil {
		c.afterSave = append(c.afterSave, then)
	}
	if c.saving {
		return
	}
	if !c.dirty || c.done || c.sending {
		c.runAfterSave()
		return
	}
	c.stopTimer()
	msg, _ := c.message(false)
	c.dirty, c.saving = false, true
	eng, acct, id, old := c.m.eng, c.account, c.draftID, c.draftAccount
	var newID int64
	c.m.bridge.run(func(ctx context.Context) (err error) {
		if id != 0 && old != acct {
			// The sender changed: the draft moves to the new account.
			if err := eng.DiscardOutgoing(ctx, id); err != nil {
				return err
			}
			id = 0
		}
		newID, err = eng.SaveDraft(ctx, acct, id, msg)
		return err
	}, func(err error) {
		c.saving = false
		if err != nil {
			c.status.SetText(lang.L("Could not save the draft: ") + err.Error())
			c.dirty = true
			c.runAfterSave()
			return
		}
		c.draftID, c.draftAccount = newID, acct
		c.base.MessageID = msg.MessageID // the same draft keeps its Message-ID
		if !c.closed {
			c.status.SetText(lang.L("Draft saved at ") + time.Now().Format("15:04:05") + ".")
		}
		c.m.outgoingChanged()
		if c.dirty && !c.closed {
			c.saveDraft(nil)
			return
		}
		c.runAfterSave()
	})
}

func (c *composeWindow) runAfterSave() {
	fns := c.afterSave
	c.afterSave = nil
	for _, fn := range fns {
		fn()
	}
}

// saveNow saves the draft at once (Ctrl+S).
func (c *composeWindow) saveNow() {
	c.dirty = c.dirty || c.draftID == 0
	c.saveDraft(nil)
}

// close keeps what was typed as a draft and closes the window.
func (c *composeWindow) close() {
	if c.sending {
		c.status.SetText(lang.L("Sending… the window closes when the server has answered."))
		return
	}
	c.closed = true
	c.stopTimer()
	if c.cancel != nil {
		c.cancel()
	}
	c.saveDraft(nil)
	c.win.Close()
}

// discard deletes the draft and closes the window.
func (c *composeWindow) discard() {
	c.stopTimer()
	c.done, c.dirty = true, false
	c.saveDraft(func() {
		if c.draftID == 0 {
			return
		}
		id, eng := c.draftID, c.m.eng
		c.m.bridge.run(func(ctx context.Context) error { return eng.DiscardOutgoing(ctx, id) }, func(err error) {
			if err != nil {
				c.m.setStatus(lang.L("Could not discard the draft: ") + err.Error())
				return
			}
			c.m.setStatus(lang.L("Draft discarded."))
			c.m.outgoingChanged()
		})
	})
	c.close()
}

// sendMessage queues the message (replacing its draft) and submits it at once.
func (c *composeWindow) sendMessage() {
	if c.sending || c.done {
		return
	}
	msg, err := c.message(true)
	if err == nil && len(msg.To)+len(msg.Cc)+len(msg.Bcc) == 0 {
		err = errors.New(lang.L("add a recipient (To, Cc or Bcc)"))
	}
	if err == nil && c.limit > 0 && c.estimate() > c.limit {
		err = errors.New(lang.L("the message is about {{.Size}}; the server accepts up to {{.Limit}}",
			map[string]any{"Size": sizeText(c.estimate()), "Limit": sizeText(c.limit)}))
	}
	if err != nil {
		c.status.SetText(lang.L("Not sent: ") + err.Error())
		dialog.NewError(err, c.win).Show()
		return
	}
	c.stopTimer()
	c.setSending(true)
	c.saveDraft(func() { c.submit(msg) })
}

func (c *composeWindow) setSending(on bool) {
	c.sending = on
	for _, w := range []fyne.Disableable{c.send, c.attach, c.trash, c.to, c.cc, c.bcc, c.subject, c.body} {
		if on {
			w.Disable()
		} else {
			w.Enable()
		}
	}
	if c.from != nil {
		if on {
			c.from.Disable()
		} else {
			c.from.Enable()
		}
	}
	if on {
		c.status.SetText("")
		c.progress.Show()
		c.progress.Start()
	} else {
		c.progress.Stop()
		c.progress.Hide()
	}
}

func (c *composeWindow) submit(msg *compose.Message) {
	eng, acct, draftID, draftAcct, failed := c.m.eng, c.account, c.draftID, c.draftAccount, c.failedID
	c.status.SetText(lang.L("Sending…"))
	var (
		id  int64
		res *engine.SendResult
	)
	c.m.bridge.run(func(ctx context.Context) (err error) {
		if failed != 0 {
			_ = eng.DiscardOutgoing(ctx, failed) // sent again, edited: the refused copy goes
		}
		if draftID != 0 && draftAcct != acct {
			if err := eng.DiscardOutgoing(ctx, draftID); err != nil {
				return err
			}
			draftID = 0
		}
		if id, err = eng.Queue(ctx, acct, msg, draftID); err != nil {
			return err
		}
		res, err = eng.SendNow(ctx, id)
		return err
	}, func(err error) {
		c.setSending(false)
		c.m.outgoingChanged()
		if id == 0 {
			c.dirty = true
			c.status.SetText(lang.L("Not sent: ") + err.Error())
			dialog.NewError(err, c.win).Show()
			return
		}
		c.draftID, c.failedID = 0, 0
		if err != nil {
			c.finish(lang.L("Queued; not sent yet: ") + err.Error() + lang.L(". It waits in the Outbox."))
			return
		}
		switch res.State {
		case mailstore.SendSent:
			c.finish(lang.L("Sent."))
		case mailstore.SendQueued:
			c.finish(lang.L("Will retry at {{.Time}}: {{.Error}}. The message waits in the Outbox.", map[string]any{"Time": res.Next.Local().Format("15:04"), "Error": errText(res.Err)}))
		case mailstore.SendMaybeSent:
			c.finish(lang.L("The message may have been sent: ") + errText(res.Err) + lang.L(". See the Outbox."))
		default:
			c.failedID = id
			c.status.SetText(lang.L("Not sent: ") + errText(res.Err))
			d := widget.NewLabel(lang.L("The server refused the message:\n") + errText(res.Err))
			d.Wrapping = fyne.TextWrapWord
			dialog.NewCustom(lang.L("Not sent"), lang.L("Close"), d, c.win).Show()
		}
	})
}

func errText(err error) string {
	if err == nil {
		return lang.L("no reason given")
	}
	return err.Error()
}

// finish closes the window after a send, with the outcome in the main window's status bar.
func (c *composeWindow) finish(status string) {
	c.done, c.dirty, c.closed = true, false, true
	c.stopTimer()
	if c.cancel != nil {
		c.cancel()
	}
	c.m.setStatus(status)
	c.win.Close()
}

// fieldLabel is an address field's label, in the window's language.
func fieldLabel(name string) string {
	switch name {
	case "to":
		return lang.L("To")
	case "cc":
		return lang.L("Cc")
	case "bcc":
		return lang.L("Bcc")
	}
	return name
}
