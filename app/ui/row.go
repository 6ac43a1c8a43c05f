package ui

import (
	"fyne.io/fyne/v2/lang"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/format"
	"github.com/pouchmail/pouch/mailstore"
)

// messageRow is one line of the message list: sender and date above the subject and size, with
// an attachment mark; unread messages are bold. Rows are recycled: the list builds only the
// rows on screen, whatever the number of messages.
type messageRow struct {
	widget.BaseWidget
	from, date, subject, size *widget.Label
	clip                      *widget.Icon
}

func newMessageRow() *messageRow {
	r := &messageRow{
		from:    widget.NewLabel(lang.L("sender")),
		date:    widget.NewLabel("2006-01-02 15:04"),
		subject: widget.NewLabel(lang.L("subject")),
		size:    widget.NewLabel(lang.L("999 KB")),
		clip:    widget.NewIcon(theme.MailAttachmentIcon()),
	}
	r.from.Truncation = fyne.TextTruncateEllipsis
	r.subject.Truncation = fyne.TextTruncateEllipsis
	r.date.Importance = widget.LowImportance
	r.size.Importance = widget.LowImportance
	r.size.SizeName = theme.SizeNameCaptionText
	r.ExtendBaseWidget(r)
	return r
}

// set shows m; state (the outbox's word for it) takes the date's place when not empty.
func (r *messageRow) set(m *mailstore.Message, state string) {
	from := m.From
	if from == "" {
		from = lang.L("(no sender)")
	}
	if m.Folder.Written() {
		from = lang.L("To: ") + m.To // written here: who it is for
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
	r.from.SetText(from)
	r.subject.SetText(subject)
	r.date.SetText(formatDate(m, "2006-01-02 15:04"))
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
	for _, l := range []*widget.Label{r.from, r.date, r.subject, r.size} {
		l.SetText("")
	}
	r.clip.Hide()
}

func (r *messageRow) CreateRenderer() fyne.WidgetRenderer {
	top := container.NewBorder(nil, nil, nil, r.date, r.from)
	bottom := container.NewBorder(nil, nil, nil, container.NewHBox(r.clip, r.size), r.subject)
	return widget.NewSimpleRenderer(container.New(layout.NewCustomPaddedVBoxLayout(0), top, bottom))
}

func formatDate(msg *mailstore.Message, layout string) string {
	return format.MessageDate(msg.Date, msg.Received).Local().Format(layout)
}
