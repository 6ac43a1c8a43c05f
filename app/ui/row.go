package ui

import (
	"image/color"
	"net/mail"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/format"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/resources"
)

// messageRow is one line of the message list: the sender's name (the address while the pointer
// is on it) and the date above the subject and size, with an attachment mark; unread messages
// are bold with a dot before the sender, flagged ones have a star before the date ("Flagged"
// under the pointer). Rows are recycled: the list builds only the rows on screen, whatever the
// number of messages.
type messageRow struct {
	widget.BaseWidget
	from                *hoverLabel
	date, subject, size *widget.Label
	clip                *widget.Icon
	star                *tipIcon
	unread              *canvas.Circle
}

// tipIcon is an icon that says what it means in a small pop-up while the pointer is on it.
type tipIcon struct {
	widget.Icon
	tip string
	pop *widget.PopUp // shown while the pointer is on the icon
}

func newTipIcon(res fyne.Resource, tip string) *tipIcon {
	i := &tipIcon{tip: tip}
	i.Resource = res
	i.ExtendBaseWidget(i)
	return i
}

func (i *tipIcon) MouseIn(ev *desktop.MouseEvent) {
	c := fyne.CurrentApp().Driver().CanvasForObject(i)
	if c == nil {
		return
	}
	if i.pop == nil {
		i.pop = widget.NewPopUp(widget.NewLabel(i.tip), c)
	}
	i.pop.ShowAtPosition(ev.AbsolutePosition.AddXY(8, 16)) // below the pointer, clear of it
}

func (i *tipIcon) MouseMoved(*desktop.MouseEvent) {}

func (i *tipIcon) MouseOut() { i.hideTip() }

func (i *tipIcon) hideTip() {
	if i.pop != nil {
		i.pop.Hide()
	}
}

// Hide takes the tip away with the icon: the pointer may still be where it was.
func (i *tipIcon) Hide() {
	i.hideTip()
	i.Icon.Hide()
}

// hoverLabel shows other text while the pointer is on it: a sender's address for the name.
type hoverLabel struct {
	widget.Label
	text, hover string
}

func newHoverLabel() *hoverLabel {
	l := &hoverLabel{}
	l.ExtendBaseWidget(l)
	return l
}

// show sets the text and the text shown under the pointer ("" = the same).
func (l *hoverLabel) show(text, hover string) {
	l.text, l.hover = text, hover
	l.SetText(text)
}

func (l *hoverLabel) MouseIn(*desktop.MouseEvent) {
	if l.hover != "" {
		l.SetText(l.hover)
	}
}

func (l *hoverLabel) MouseMoved(*desktop.MouseEvent) {}

func (l *hoverLabel) MouseOut() { l.SetText(l.text) }

// senderName splits a From field ("Name <addr>", decoded) into what the list shows, the name
// (the address when there is none), and the address. A field that does not parse is shown as
// it is.
func senderName(from string) (name, address string) {
	list, err := mail.ParseAddressList(from)
	if err != nil || len(list) == 0 {
		return from, ""
	}
	a := list[0]
	if a.Name == "" {
		return a.Address, ""
	}
	return a.Name, a.Address
}

func newMessageRow() *messageRow {
	r := &messageRow{
		from:    newHoverLabel(),
		date:    widget.NewLabel("2006-01-02 15:04"),
		subject: widget.NewLabel(lang.L("subject")),
		size:    widget.NewLabel(lang.L("999 KB")),
		clip:    widget.NewIcon(theme.MailAttachmentIcon()),
		star:    newTipIcon(theme.NewColoredResource(resources.StarIcon(), theme.ColorNamePrimary), lang.L("Flagged")),
		unread:  canvas.NewCircle(color.Transparent),
	}
	r.from.SetText(lang.L("sender"))
	r.from.Truncation = fyne.TextTruncateEllipsis
	r.subject.Truncation = fyne.TextTruncateEllipsis
	r.date.Importance = widget.LowImportance
	r.size.Importance = widget.LowImportance
	r.size.SizeName = theme.SizeNameCaptionText
	r.star.Hide()
	r.ExtendBaseWidget(r)
	return r
}

// set shows m; state (the outbox's word for it) takes the date's place when not empty.
func (r *messageRow) set(m *mailstore.Message, state string) {
	from, address := senderName(m.From)
	if from == "" {
		from = lang.L("(no sender)")
	}
	if m.Folder.Written() {
		from, address = lang.L("To: ")+m.To, "" // written here: who it is for
		if m.To == "" || strings.Contains(m.To, "@invalid") {
			from = lang.L("To: (no recipient yet)")
		}
	}
	subject := m.Subject
	if subject == "" {
		subject = lang.L("(no subject)")
	}
	bold := fyne.TextStyle{Bold: !m.Read}
	r.from.TextStyle, r.subject.TextStyle = bold, bold
	r.from.show(from, address)
	r.subject.SetText(subject)
	r.unread.FillColor = color.Transparent // the space stays: names line up, read or not
	if !m.Read {
		r.unread.FillColor = theme.Color(theme.ColorNamePrimary)
	}
	r.unread.Refresh()
	if m.Flagged {
		r.star.Show()
	} else {
		r.star.Hide()
	}
	r.date.SetText(listDate(format.MessageDate(m.Date, m.Received).Local(), time.Now()))
	r.date.Importance = widget.LowImportance
	if state != "" {
		r.date.SetText(state)
		r.date.Importance = widget.WarningImportance
	}
	r.date.Refresh()
	r.size.SetText(sizeText(m.Size))
	if m.HasAttachments {
		r.clip.Show()
	} else {
		r.clip.Hide()
	}
}

// blank shows an empty row while its page is read.
func (r *messageRow) blank() {
	for _, l := range []*widget.Label{r.date, r.subject, r.size} {
		l.SetText("")
	}
	r.from.show("", "")
	r.unread.FillColor = color.Transparent
	r.unread.Refresh()
	r.clip.Hide()
	r.star.Hide()
}

func (r *messageRow) CreateRenderer() fyne.WidgetRenderer {
	dot := container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(8), r.unread))
	top := container.NewBorder(nil, nil, dot, container.NewHBox(r.star, r.date), r.from)
	indent := canvas.NewRectangle(color.Transparent) // the subject lines up with the sender
	indent.SetMinSize(fyne.NewSquareSize(8))
	bottom := container.NewBorder(nil, nil, indent, container.NewHBox(r.clip, r.size), r.subject)
	return widget.NewSimpleRenderer(container.New(layout.NewCustomPaddedVBoxLayout(0), top, bottom))
}
