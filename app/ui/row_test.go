package ui

import (
	"image/color"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/mailstore/mimetext"
)

func TestListDate(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.Local) // a Thursday
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 12, 3, 9, 25, 0, 0, time.Local), "Today 09:25"},
		{time.Date(2026, 12, 3, 0, 0, 0, 0, time.Local), "Today 00:00"},
		{time.Date(2026, 12, 2, 23, 59, 0, 0, time.Local), "Yesterday 23:59"},
		{time.Date(2026, 11, 30, 18, 10, 0, 0, time.Local), "Monday 18:10"},
		{time.Date(2026, 11, 27, 8, 0, 0, 0, time.Local), "Friday 08:00"},
		{time.Date(2026, 11, 26, 8, 0, 0, 0, time.Local), "26 November"},
		{time.Date(2026, 1, 1, 8, 0, 0, 0, time.Local), "1 January"},
		{time.Date(2025, 12, 31, 8, 0, 0, 0, time.Local), "31 December 2025"},
		{time.Date(2027, 1, 5, 8, 0, 0, 0, time.Local), "5 January 2027"}, // a wrong clock: the full date
		{time.Date(2026, 12, 5, 8, 0, 0, 0, time.Local), "5 December 2026"},
	}
	for _, tt := range tests {
		if got := listDate(tt.t, now); got != tt.want {
			t.Errorf("listDate(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
}

func TestSenderName(t *testing.T) {
	tests := []struct{ from, name, address string }{
		{"Anna Lindqvist <anna@example.org>", "Anna Lindqvist", "anna@example.org"},
		{`"Lindqvist, Anna" <anna@example.org>`, "Lindqvist, Anna", "anna@example.org"},
		{"José Müller <jose@example.org>, bob@example.net", "José Müller", "jose@example.org"},
		{"bob@example.net", "bob@example.net", ""},
		{"not an address", "not an address", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		if name, addr := senderName(tt.from); name != tt.name || addr != tt.address {
			t.Errorf("senderName(%q) = %q, %q; want %q, %q", tt.from, name, addr, tt.name, tt.address)
		}
	}
}

// TestMessageRow: the row shows the sender's name, its address under the pointer, and an unread
// dot that keeps its place when read.
func TestMessageRow(t *testing.T) {
	test.NewTempApp(t)
	r := newMessageRow()
	w := test.NewTempWindow(t, r)
	msg := &mailstore.Message{From: "Anna Lindqvist <anna@example.org>", Subject: "Lunch", Date: time.Now(), Folder: mailstore.FolderInbox}
	r.set(msg, "")
	if r.from.Text != "Anna Lindqvist" {
		t.Errorf("sender %q, want the name", r.from.Text)
	}
	if r.unread.FillColor == color.Transparent {
		t.Error("an unread message has no unread mark")
	}
	test.MoveMouse(w.Canvas(), r.from.Position().AddXY(5, 5))
	if r.from.Text != "anna@example.org" {
		t.Errorf("sender under the pointer %q, want the address", r.from.Text)
	}
	r.from.MouseOut()
	if r.from.Text != "Anna Lindqvist" {
		t.Errorf("sender after the pointer left %q, want the name", r.from.Text)
	}
	width := r.from.Position().X
	msg.Read = true
	r.set(msg, "")
	if r.unread.FillColor != color.Transparent {
		t.Error("a read message keeps the unread mark")
	}
	if r.from.Position().X != width {
		t.Error("the sender moved when the message was read")
	}
	if !r.date.Visible() || r.date.Text == "" || r.date.Text[:5] != "Today" {
		t.Errorf("date %q, want Today …", r.date.Text)
	}
}

func TestBodySegments(t *testing.T) {
	var opened []string
	open := func(u *url.URL) { opened = append(opened, u.String()) }
	text := "Hi Bob,\nthe agenda is at https://example.org/agenda?id=3.\n" +
		"Write to mailto:anna@example.org or see Sale <https://shop.example.com/x>\n" +
		"Anna wrote:\n> see http://old.example.net\n>> older\nThanks"
	segs := bodySegments(text, []int{6}, open)
	var links, quotes, headings []string
	var all strings.Builder
	for _, s := range segs {
		switch s := s.(type) {
		case *widget.HyperlinkSegment:
			links = append(links, s.Text)
			all.WriteString(s.Text)
			s.OnTapped()
		case *widget.TextSegment:
			switch s.Style {
			case quoteStyle:
				quotes = append(quotes, s.Text)
			case headingStyle:
				headings = append(headings, s.Text)
			}
			all.WriteString(s.Text)
		}
	}
	if all.String() != text {
		t.Errorf("the segments read\n%q\nwant the text unchanged\n%q", all.String(), text)
	}
	wantLinks := []string{"https://example.org/agenda?id=3", "mailto:anna@example.org", "https://shop.example.com/x"}
	if !slices.Equal(links, wantLinks) {
		t.Errorf("links %q, want %q", links, wantLinks)
	}
	if !slices.Equal(opened, wantLinks) {
		t.Errorf("clicks opened %q, want %q", opened, wantLinks)
	}
	if want := []string{"Thanks"}; !slices.Equal(headings, want) {
		t.Errorf("headings %q, want %q", headings, want)
	}
	if want := []string{"> see http://old.example.net\n", ">> older\n"}; !slices.Equal(quotes, want) {
		t.Errorf("quoted lines %q, want %q", quotes, want)
	}
}

// TestViewerLinks: a message's link opens in the browser when clicked, not before.
func TestViewerLinks(t *testing.T) {
	f := newWindow(t)
	var opened []string
	f.q.wait(func() { f.w.browser = func(u string) error { opened = append(opened, u); return nil } })
	f.q.wait(func() { f.w.viewer.body.SetText("See https://example.org/a for more.") })
	var link *widget.HyperlinkSegment
	f.q.wait(func() {
		for _, s := range f.w.viewer.body.rich.Segments {
			if h, ok := s.(*widget.HyperlinkSegment); ok {
				link = h
			}
		}
	})
	if link == nil || link.Text != "https://example.org/a" {
		t.Fatalf("no link shown with its target: %+v", link)
	}
	if len(opened) != 0 {
		t.Fatalf("opened %q before any click", opened)
	}
	f.q.wait(link.OnTapped)
	f.eventually(t, "the link opened", func() bool { return len(opened) == 1 && opened[0] == "https://example.org/a" })
}

// TestAttachmentRowKeepsSize: in a narrow pane, a long file name gives way and the size stays
// whole.
func TestAttachmentRowKeepsSize(t *testing.T) {
	f := newWindow(t)
	var row fyne.CanvasObject
	f.q.wait(func() {
		row = f.w.viewer.attachmentRow(1, 0, mimetext.Attachment{Filename: strings.Repeat("very long name ", 20) + ".pdf",
			ContentType: "application/pdf", Size: 123456})
	})
	w := test.NewTempWindow(t, row)
	w.Resize(fyne.NewSize(420, 60))
	var size *widget.Label
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Text == sizeText(123456) {
			size = l
		}
		if c, ok := o.(*fyne.Container); ok {
			for _, o := range c.Objects {
				walk(o)
			}
		}
	}
	walk(row)
	if size == nil {
		t.Fatal("no size label in the attachment row")
	}
	if size.Size().Width < size.MinSize().Width || size.Position().X+size.Size().Width > 420 {
		t.Errorf("size label %v at %v, want its whole width %v inside the row", size.Size(), size.Position(), size.MinSize())
	}
}
