package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/mailstore"
)

// addThread stores a conversation of n messages: a first one and replies to it, a minute apart.
func (f *fixture) addThread(t *testing.T, n int) {
	t.Helper()
	start := time.Now().Add(-time.Hour)
	items := make([]mailstore.BatchItem, n)
	for i := range items {
		subject, reply := "Plans for the garden", ""
		if i > 0 {
			subject = "Re: " + subject
			reply = fmt.Sprintf("In-Reply-To: <garden-%d@example.org>\r\nReferences: <garden-0@example.org>\r\n", i-1)
		}
		items[i] = mailstore.BatchItem{UIDL: fmt.Sprintf("garden-%d", i), Data: fmt.Appendf(nil,
			"From: Person %d <p%d@example.org>\r\nTo: alice@example.org\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <garden-%d@example.org>\r\n%s\r\nPart %d.\r\n",
			i, i, subject, start.Add(time.Duration(i)*time.Minute).Format(time.RFC1123Z), i, reply, i)}
	}
	if _, err := f.store.NewSaver(f.acct.ID).Save(context.Background(), items, time.Now()); err != nil {
		t.Fatal(err)
	}
}

func TestConversationView(t *testing.T) {
	f := newWindow(t)
	f.addThread(t, 3)
	f.q.wait(f.w.loadMessages)
	f.eventually(t, "ten messages", func() bool { return f.w.list.Length() == 10 })

	f.q.wait(func() { f.w.setConversations(true) })
	f.eventually(t, "eight conversations", func() bool { return f.w.list.Length() == 8 })
	if !f.w.app.Preferences().Bool(conversationsPref) {
		t.Error("the conversation view is not remembered")
	}
	// The conversation's row is its latest message, with the count after the subject.
	row := -1
	f.q.wait(func() {
		for i := range f.w.rows.ids {
			if strings.Contains(f.w.shownRow(i).Subject, "garden") {
				row = i
			}
		}
	})
	if row < 0 {
		t.Fatal("no row for the conversation")
	}
	// The row is drawn at once, its text once its page of rows has been read.
	f.row(t, row)
	const want = "Re: Plans for the garden  (3)"
	f.eventually(t, fmt.Sprintf("the conversation's row to say %q", want), func() bool {
		for _, o := range test.LaidOutObjects(f.w.list) {
			if lr, ok := o.(*listRow); ok && lr.Visible() && lr.i == row {
				return lr.row.subject.Text == want
			}
		}
		return false
	})
	// Opening it lists its messages in order; a click opens one.
	f.click(t, row, 0)
	f.eventually(t, "the conversation in the viewer", func() bool { return len(f.w.viewer.thread.Objects) == 4 && f.w.viewer.thread.Visible() })
	for i, want := range []string{"Person 0", "Person 1", "Person 2"} {
		if got := f.text(func() string { return f.w.viewer.thread.Objects[i+1].(*widget.Button).Text }); !strings.Contains(got, want) {
			t.Errorf("conversation line %d = %q, want %s", i+1, got, want)
		}
	}
	f.q.wait(func() { test.Tap(f.w.viewer.thread.Objects[1].(*widget.Button)) })
	f.eventually(t, "the first message open", func() bool { return strings.Contains(f.w.viewer.body.Text, "Part 0.") })

	// Delete takes the message on screen, not the conversation's latest (its row).
	var first, latest int64
	f.q.wait(func() { first, latest = f.w.threadMsgs[0].ID, f.w.threadMsgs[2].ID })
	f.key(fyne.KeyDelete, false)
	f.eventually(t, "the first message in the Trash", func() bool {
		m, err := f.store.Message(context.Background(), first)
		return err == nil && m.Trashed != nil
	})
	if m, _ := f.store.Message(context.Background(), latest); m.Trashed != nil {
		t.Error("Delete on a conversation's first message deleted its latest")
	}
	f.eventually(t, "the conversation counted again", func() bool {
		for i := 0; i < f.w.rows.len(); i++ {
			if r := f.w.rows.row(i); r != nil && r.ID == latest {
				return f.w.conversationSize(r) == 2
			}
		}
		return false
	})

	f.q.wait(func() { f.w.setConversations(false) })
	f.eventually(t, "the messages again, one in the Trash", func() bool { return f.w.list.Length() == 9 })
}
