package ui

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
)

// TestListReadsRowsByPage: on a folder of 3,000 messages the list holds every ID but reads the
// rows of the pages it draws only, keeps at most keptPages of them, and draws the right
// message at the top and at the end.
func TestListReadsRowsByPage(t *testing.T) {
	const n = 3000
	path := bulkArchive(t, n)
	ctx := context.Background()
	store, err := mailstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	a := test.NewTempApp(t)
	q := newQueue(t)
	var w *mainWindow
	q.wait(func() {
		w = newMainWindow(ctx, a, engine.New(store, secrets.NewMemory(), engine.Options{}), q.do, &fakePoller{})
	})
	f := &fixture{w: w, q: q}
	defer q.wait(w.window.Close)
	f.eventually(t, "every message listed", func() bool { return w.list.Length() == n })
	draw := func() { q.wait(func() { _ = w.window.Canvas().Capture() }) }
	// bulkArchive dates message i at i×10 minutes: newest first, the top row is the last one.
	rowAt := func(i int) string {
		var s string
		q.wait(func() {
			if msg := w.rows.row(i); msg != nil {
				s = msg.Subject
			}
		})
		return s
	}
	draw()
	f.eventually(t, "the first page read", func() bool { return w.rows.row(0) != nil })
	if got, want := rowAt(0), fmt.Sprintf("Message number %d about something", n-1); got != want {
		t.Errorf("top row %q, want %q", got, want)
	}
	var pages int
	q.wait(func() { pages = len(w.rows.pages) })
	if pages != 1 {
		t.Errorf("%d pages read for the first screen, want 1", pages)
	}
	// Scrolling through the whole folder reads the pages it passes, keeping a few.
	for i := 0; i < n; i += pageSize {
		q.wait(func() { w.list.ScrollTo(i) })
		draw()
		f.eventually(t, fmt.Sprintf("row %d read", i), func() bool { return w.rows.row(i) != nil })
	}
	q.wait(func() { w.list.ScrollToBottom() })
	draw()
	f.eventually(t, "the last row read", func() bool { return w.rows.row(n-1) != nil })
	if got, want := rowAt(n-1), "Message number 0 about something"; got != want {
		t.Errorf("last row %q, want %q", got, want)
	}
	q.wait(func() { pages = len(w.rows.pages) })
	if pages > keptPages {
		t.Errorf("%d pages held after scrolling through, want at most %d", pages, keptPages)
	}
}

// TestViewQuery: each sidebar folder is a search of filters alone, narrowed by the user's
// query; the user's in: picks another folder from the inbox views only.
func TestViewQuery(t *testing.T) {
	tests := []struct {
		v    folder
		q    string
		want mailstore.Query
	}{
		{folder{}, "", mailstore.Query{Folder: mailstore.FolderInbox}},
		{folder{account: "Home Office"}, "", mailstore.Query{Folder: mailstore.FolderInbox, Account: "Home Office"}},
		{folder{}, "in:drafts", mailstore.Query{Folder: mailstore.FolderDrafts}},
		{folder{trash: true}, "", mailstore.Query{Trash: true}},
		{folder{box: mailstore.FolderSent}, "in:drafts", mailstore.Query{Folder: mailstore.FolderSent}},
		{folder{box: mailstore.Folder("Projects/Big one")}, "", mailstore.Query{Folder: mailstore.Folder("Projects/Big one")}},
		{folder{account: "Home"}, "has:attachment", mailstore.Query{Folder: mailstore.FolderInbox, Account: "Home", HasAttachment: true}},
	}
	for _, tt := range tests {
		got, err := mailstore.ParseQuery(viewQuery(tt.v, tt.q))
		if err != nil {
			t.Errorf("viewQuery(%+v, %q) = %q: %v", tt.v, tt.q, viewQuery(tt.v, tt.q), err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("viewQuery(%+v, %q) = %q, parsed %+v; want %+v", tt.v, tt.q, viewQuery(tt.v, tt.q), got, tt.want)
		}
	}
}

// shownRow is row i of the list, for the tests: the row read if its page was (the state the
// window shows), else the store's.
func (m *mainWindow) shownRow(i int) mailstore.Message {
	if r := m.rows.row(i); r != nil {
		return *r
	}
	ms, _ := m.eng.MessagesByID(context.Background(), []int64{m.rows.ids[i]})
	if len(ms) == 1 {
		return ms[0]
	}
	return mailstore.Message{}
}

// TestListRows: the rows kept by page follow removals and read-state changes, and drop the
// least recently drawn pages beyond keptPages.
func TestListRows(t *testing.T) {
	var r listRows
	ids := make([]int64, 25*pageSize)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	r.reset(ids)
	for p := range 10 {
		page, need := r.pageIDs(p)
		if !need || len(page) != pageSize || page[0] != int64(p*pageSize+1) {
			t.Fatalf("pageIDs(%d) = %d ids from %v, %v", p, len(page), page[:1], need)
		}
		if _, again := r.pageIDs(p); again {
			t.Errorf("page %d asked twice", p)
		}
		var rows []mailstore.Message
		for _, id := range page[1:] { // the first message went meanwhile
			rows = append(rows, mailstore.Message{ID: id, Subject: fmt.Sprint(id)})
		}
		r.put(p, page, rows)
	}
	if len(r.pages) != keptPages {
		t.Errorf("%d pages kept, want %d", len(r.pages), keptPages)
	}
	if r.row(0) != nil || r.row(9*pageSize+5) == nil {
		t.Error("the oldest pages should go, the latest stay")
	}
	if got := r.row(9 * pageSize); got == nil || got.ID != int64(9*pageSize+1) || got.Subject != "" {
		t.Errorf("a message gone before its page was read: %+v, want its place with its ID only", got)
	}
	r.each([]int64{905, 906}, func(m *mailstore.Message) { m.Read = true })
	if !r.row(904).Read || !r.row(905).Read || r.row(906).Read {
		t.Error("each did not reach exactly the rows asked")
	}
	if m := r.find(905); m == nil || m.ID != 905 {
		t.Errorf("find(905) = %+v", m)
	}
	r.remove(905, 2000, 99999)
	if r.len() != len(ids)-2 || r.index(905) >= 0 || r.index(906) != 904 || len(r.pages) != 0 {
		t.Errorf("after remove: %d ids, 905 at %d, 906 at %d, %d pages", r.len(), r.index(905), r.index(906), len(r.pages))
	}
}
