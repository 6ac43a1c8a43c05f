package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/mailstore"
)

// messageRow is one line of the message list: sender and date above the subject.
type messageRow struct {
	widget.BaseWidget
	from, date, subject *widget.Label
}

func newMessageRow() *messageRow {
	r := &messageRow{
		from:    widget.NewLabel("sender"),
		date:    widget.NewLabel("2006-01-02 15:04"),
		subject: widget.NewLabel("subject"),
	}
	r.from.TextStyle = fyne.TextStyle{Bold: true}
	r.from.Truncation = fyne.TextTruncateEllipsis
	r.subject.Truncation = fyne.TextTruncateEllipsis
	r.ExtendBaseWidget(r)
	return r
}

func (r *messageRow) set(m *mailstore.Message) {
	from := m.From
	if from == "" {
		from = "(no sender)"
	}
	subject := m.Subject
	if subject == "" {
		subject = "(no subject)"
	}
	r.from.SetText(from)
	r.date.SetText(formatDate(m, "2006-01-02 15:04"))
	r.subject.SetText(subject)
}

func (r *messageRow) CreateRenderer() fyne.WidgetRenderer {
	top := container.NewBorder(nil, nil, nil, r.date, r.from)
	return widget.NewSimpleRenderer(container.New(layout.NewCustomPaddedVBoxLayout(0), top, r.subject))
}
