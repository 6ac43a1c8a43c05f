package ui

import (
	"image/color"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/pouchmail/pouch/mailstore"
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
