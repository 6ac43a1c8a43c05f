package ui

import (
	"context"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/format"
	"github.com/pouchmail/pouch/mailstore"
)

// Conversations: with "Group by conversation" (More menu, remembered) the list shows one row
// per conversation, its latest message, with the number of messages after the subject; opening
// it lists the conversation's messages in order above the open message, each a click away.

// conversationsPref remembers the conversation view.
const conversationsPref = "conversation_view"

// rowsFor reads one page of the list: the messages f selects, or in the conversation view the
// latest message of each conversation with each conversation's size.
func rowsFor(ctx context.Context, eng *engine.Engine, f mailstore.Filter, conv bool) ([]mailstore.Message, map[int64]int, error) {
	if !conv {
		msgs, err := eng.Store().Messages(ctx, f)
		return msgs, nil, err
	}
	threads, err := eng.Threads(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	msgs := make([]mailstore.Message, len(threads))
	sizes := make(map[int64]int, len(threads))
	for i, t := range threads {
		msgs[i] = t.Latest
		sizes[t.Latest.Thread] = t.Count
	}
	return msgs, sizes, nil
}

// setConversations turns the conversation view on or off.
func (m *mainWindow) setConversations(on bool) {
	m.conversations = on
	m.app.Preferences().SetBool(conversationsPref, on)
	m.loadMessages()
}

// conversationSize is how many messages the conversation of msg has in the list's view; 0 outside
// the conversation view.
func (m *mainWindow) conversationSize(msg *mailstore.Message) int {
	if !m.conversations || msg.Thread == 0 {
		return 0
	}
	return m.threadSize[msg.Thread]
}

// withCount is a row's subject with its conversation's size.
func withCount(subject string, n int) string {
	if n < 2 {
		return subject
	}
	return subject + "  (" + strconv.Itoa(n) + ")"
}

// showThread lists the messages of the conversation of the row opened, oldest first, above the
// open message; a click on one opens it.
func (m *mainWindow) showThread(msg mailstore.Message) {
	strip := m.viewer.thread
	if m.conversationSize(&msg) < 2 {
		strip.RemoveAll()
		strip.Hide()
		return
	}
	eng := m.eng
	var msgs []mailstore.Message
	m.bridge.run(func(ctx context.Context) (err error) {
		msgs, err = eng.Thread(ctx, msg.Thread)
		return err
	}, func(err error) {
		if err != nil || m.sel.len() != 1 || !m.sel.ids[msg.ID] {
			return // failed (the message itself still shows), or another row was chosen meanwhile
		}
		m.threadMsgs = msgs
		m.fillThread(msg.ID)
	})
}

// fillThread shows the conversation's messages with open marked.
func (m *mainWindow) fillThread(open int64) {
	strip := m.viewer.thread
	strip.RemoveAll()
	strip.Add(widget.NewLabelWithStyle(lang.N("Conversation of {{.Count}} messages", len(m.threadMsgs),
		map[string]any{"Count": len(m.threadMsgs)}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, t := range m.threadMsgs {
		from := t.From
		if from == "" {
			from = lang.L("(no sender)")
		}
		text := listDate(format.MessageDate(t.Date, t.Received).Local(), time.Now()) + "  " + from
		b := widget.NewButton(text, nil)
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.LowImportance
		if t.ID == open {
			b.Importance = widget.MediumImportance
		}
		id := t.ID
		b.OnTapped = func() {
			m.threadPick = id
			m.showMessage(id)
			m.fillThread(id)
		}
		strip.Add(b)
	}
	strip.Show()
}

// threadStrip is the viewer's place for the conversation's messages, hidden outside one.
func threadStrip() *fyne.Container {
	c := container.NewVBox()
	c.Hide()
	return c
}
