package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
)

// withFolders creates user folders in the fixture's archive and waits for the sidebar to show
// them.
func (f *fixture) withFolders(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := f.store.CreateFolder(context.Background(), p, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	f.q.wait(f.w.refreshFolders)
	f.eventually(t, "the folders in the sidebar", func() bool {
		for _, p := range paths {
			if !slices.ContainsFunc(f.w.folders, func(fi mailstore.FolderInfo) bool { return string(fi.Path) == p }) {
				return false
			}
		}
		return true
	})
}

// sidebarRowOf is the sidebar row of a folder, -1 if not shown.
func (f *fixture) sidebarRowOf(v folder) int {
	at := -1
	f.q.wait(func() {
		for i := 0; i < f.w.sidebar.Length(); i++ {
			if f.w.folderAt(i) == v {
				at = i
			}
		}
	})
	return at
}

// sidebarNames lists the sidebar's rows as shown: name, indented by depth, and unread count.
func (f *fixture) sidebarNames() string {
	var s string
	f.q.wait(func() { s = f.names() })
	return s
}

// names is sidebarNames on the UI goroutine.
func (f *fixture) names() string {
	var rows []string
	{
		for i := 0; i < f.w.sidebar.Length(); i++ {
			_, name, unread, _ := f.w.sidebarItem(i)
			ts := f.w.treeItem(i)
			s := strings.Repeat("  ", ts.depth) + name
			if ts.children && ts.open {
				s = "▾" + s
			} else if ts.children {
				s = "▸" + s
			}
			if unread > 0 {
				s += fmt.Sprintf(" (%d)", unread)
			}
			rows = append(rows, s)
		}
	}
	return strings.Join(rows, "|")
}

func TestFolderTreeInTheSidebar(t *testing.T) {
	f := newWindow(t)
	ctx := context.Background()
	f.withFolders(t, "Work", "Work/Invoices", "Private")
	var msg mailstore.Message
	f.q.wait(func() {
		for i := range f.w.rows.ids {
			if m := f.w.shownRow(i); strings.Contains(m.Subject, "Quarterly report") {
				msg = m
			}
		}
	})
	if _, err := f.store.MoveMessages(ctx, []int64{msg.ID}, "Work/Invoices"); err != nil {
		t.Fatal(err)
	}
	f.q.wait(f.w.refreshCounts)
	want := "All mail (6)|Home (6)|Drafts|Outbox|Sent|Private|▾Work|  Invoices (1)|Trash"
	f.eventually(t, "the tree with counts", func() bool { return f.names() == want })

	// Collapsing hides the subfolders and is remembered.
	f.q.wait(func() { f.w.toggleFolder("Work") })
	if got := f.sidebarNames(); got != "All mail (6)|Home (6)|Drafts|Outbox|Sent|Private|▸Work|Trash" {
		t.Errorf("collapsed: %s", got)
	}
	if got := f.w.app.Preferences().StringList(collapsedPref); len(got) != 1 || got[0] != "Work" {
		t.Errorf("remembered collapsed folders %q, want [Work]", got)
	}
	f.q.wait(func() { f.w.toggleFolder("Work") })

	// Opening a folder lists its messages; the selection in the sidebar follows it when rows
	// are added above.
	row := f.sidebarRowOf(folder{box: "Work/Invoices"})
	f.q.wait(func() { f.w.sidebar.Select(row) })
	f.eventually(t, "the folder's messages", func() bool {
		return f.w.list.Length() == 1 && f.w.rows.ids[0] == msg.ID
	})
	f.withFolders(t, "Archive")
	if got := f.text(func() string { return fmt.Sprint(f.w.folderAt(f.w.folderRow)) }); got != fmt.Sprint(folder{box: "Work/Invoices"}) {
		t.Errorf("after a folder was added above, the sidebar selects %s", got)
	}

	// The context menu: new subfolder, rename, delete (with Undo), mark all read.
	var labels []string
	f.q.wait(func() {
		for _, it := range f.w.folderMenu(folder{box: "Work"}) {
			labels = append(labels, it.Label)
		}
	})
	if got := strings.Join(labels, ","); got != "New subfolder…,Rename…,Delete folder…,,Mark all read" {
		t.Errorf("folder menu = %s", got)
	}
	f.q.wait(func() { f.w.createFolder("Work/Travel") })
	f.eventually(t, "the new subfolder", func() bool { return strings.Contains(f.names(), "  Travel") })
	f.q.wait(func() { f.w.renameFolder("Work/Travel", "Work/Trips") })
	f.eventually(t, "the renamed folder", func() bool { return strings.Contains(f.names(), "  Trips") })
	f.q.wait(func() { f.w.markAllRead(folder{box: "Work/Invoices"}) })
	f.eventually(t, "Invoices read", func() bool { return strings.Contains(f.names(), "|  Invoices|") })

	f.q.wait(func() { f.w.deleteFolder("Work") })
	f.eventually(t, "Work gone, its message in the Trash", func() bool {
		m, err := f.store.Message(ctx, msg.ID)
		return !strings.Contains(f.names(), "Work") && err == nil && m.Trashed != nil && f.w.undo.offered()
	})
	if f.w.view != (folder{}) {
		t.Errorf("after deleting the folder shown, the window shows %+v, want All mail", f.w.view)
	}
	f.q.wait(f.w.undo.take)
	f.eventually(t, "Undo to put the folder back", func() bool {
		m, err := f.store.Message(ctx, msg.ID)
		return strings.Contains(f.names(), "  Invoices") && err == nil && m.Trashed == nil && m.Folder == "Work/Invoices"
	})
}

// drag drags the selection from row i of the list to the sidebar row of v, as the driver
// reports a drag: events with the pointer's place on the canvas, then the end.
func (f *fixture) drag(t *testing.T, i int, v folder) {
	t.Helper()
	r := f.row(t, i)
	to := f.sidebarRowOf(v)
	f.q.wait(func() {
		d := fyne.CurrentApp().Driver()
		var target *sidebarRow
		for _, s := range f.w.sidebarRows {
			if s.Visible() && s.i == to {
				target = s
			}
		}
		if target == nil {
			t.Errorf("the sidebar row of %+v is not drawn", v)
			return
		}
		from := d.AbsolutePositionForObject(r).AddXY(20, 10)
		end := d.AbsolutePositionForObject(target).AddXY(20, 10)
		for _, at := range []fyne.Position{from.AddXY(5, 5), from.AddXY(-100, 0), end} {
			r.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{AbsolutePosition: at}})
		}
		if !target.tree.drop.Visible() {
			t.Errorf("the folder under the pointer is not marked")
		}
		r.DragEnd()
		if target.tree.drop.Visible() {
			t.Errorf("the folder stays marked after the drop")
		}
	})
}

func TestDragMessagesOntoAFolder(t *testing.T) {
	f := newWindow(t)
	ctx := context.Background()
	f.withFolders(t, "Work", "Work/Invoices")
	f.click(t, 1, 0)
	f.click(t, 3, fyne.KeyModifierShift)
	var ids []int64
	f.q.wait(func() { ids = f.w.selectedIDs() })
	f.drag(t, 3, folder{box: "Work/Invoices"})
	f.eventually(t, "the three moved out of the list", func() bool { return f.w.list.Length() == 4 })
	for _, id := range ids {
		if m, err := f.store.Message(ctx, id); err != nil || m.Folder != "Work/Invoices" {
			t.Errorf("message %d is in %q (%v), want Work/Invoices", id, m.Folder, err)
		}
	}
	if status := f.text(func() string { return f.w.status.Text }); status != "Moved 3 messages to Work/Invoices." {
		t.Errorf("status = %q", status)
	}
	f.eventually(t, "the count on the folder", func() bool { return strings.Contains(f.names(), "Invoices (") })

	// Undo puts them back in the inbox.
	f.q.wait(f.w.undo.take)
	f.eventually(t, "the three back", func() bool { return f.w.list.Length() == 7 })
	for _, id := range ids {
		if m, _ := f.store.Message(ctx, id); m.Folder != mailstore.FolderInbox {
			t.Errorf("after Undo message %d is in %q", id, m.Folder)
		}
	}

	// A row that is not selected is dragged alone; onto the Trash it is deleted.
	f.drag(t, 5, folder{trash: true})
	f.eventually(t, "row 5 in the Trash", func() bool { return f.w.list.Length() == 6 })
	if n, _ := f.store.CountMessages(ctx, 0); n != 7 {
		t.Errorf("%d messages in the archive, want 7 (the Trash keeps them)", n)
	}
}

func TestMoveToDialog(t *testing.T) {
	f := newWindow(t)
	ctx := context.Background()
	f.withFolders(t, "Work")
	msg := f.open(t, "Lunch on Friday")
	f.q.wait(f.w.showMoveTo)
	if f.w.moveList == nil || f.w.moveList.Length() != 3 {
		t.Fatalf("Move to… lists %v folders, want Inbox, Sent and Work", f.w.moveList)
	}
	f.q.wait(func() {
		f.w.moveList.Select(2)
		f.w.dismissDialog() // Escape: nothing moves
	})
	if m, _ := f.store.Message(ctx, msg.ID); m.Folder != mailstore.FolderInbox {
		t.Fatalf("Escape on Move to… moved the message to %q", m.Folder)
	}
	f.q.wait(f.w.showMoveTo)
	f.q.wait(func() {
		f.w.moveList.Select(2)
		confirmDialog(f.w.window.Canvas())
	})
	f.eventually(t, "the message in Work", func() bool { m, _ := f.store.Message(ctx, msg.ID); return m.Folder == "Work" })
}

// confirmDialog presses the confirm button (the last) of the dialog on top.
func confirmDialog(c fyne.Canvas) {
	pop, ok := c.Overlays().Top().(*widget.PopUp)
	if !ok {
		return
	}
	var last *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.Button:
			last = o
		case *fyne.Container:
			for _, x := range o.Objects {
				walk(x)
			}
		}
	}
	if box, ok := pop.Content.(*fyne.Container); ok && len(box.Objects) > 3 {
		walk(box.Objects[3])
	}
	if last != nil {
		last.OnTapped()
	}
}

// TestMove10000 selects 10,000 messages (Ctrl+A) and moves them to a folder: the move is one
// engine call off the UI goroutine, and no piece of work on the UI goroutine takes longer than
// a frame meanwhile. The figures are logged; the frame budget is asserted without -race.
func TestMove10000(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 10,000-message archive")
	}
	const n = 10_000
	path := bulkArchive(t, n)
	ctx := context.Background()
	store, err := mailstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.CreateFolder(ctx, "Archive", time.Now()); err != nil {
		t.Fatal(err)
	}
	a := test.NewTempApp(t)
	q := newQueue(t)
	var (
		mu      sync.Mutex
		slowest time.Duration
		timing  bool
	)
	// The window's own work on the UI goroutine, timed (the test's checks are not).
	timed := func(fn func()) {
		q.do(func() {
			start := time.Now()
			fn()
			mu.Lock()
			if d := time.Since(start); timing && d > slowest {
				slowest = d
			}
			mu.Unlock()
		})
	}
	var w *mainWindow
	q.wait(func() {
		w = newMainWindow(ctx, a, engine.New(store, secrets.NewMemory(), engine.Options{}), timed, &fakePoller{})
	})
	f := &fixture{w: w, q: q, store: store}
	defer q.wait(w.window.Close)
	f.eventually(t, "the whole folder", func() bool { return w.list.Length() == n && len(w.folders) == 1 })

	// Ctrl+A, best of five: the machine is shared, and a frame is short.
	selectAll := time.Hour
	for range 5 {
		q.wait(func() {
			w.sel.set()
			start := time.Now()
			w.selectAll()
			selectAll = min(selectAll, time.Since(start))
		})
	}
	// The move, best of three (each after moving them back behind the window's back).
	worst, moved := time.Hour, time.Hour
	for round := range 3 {
		if round > 0 {
			ids := make([]int64, 0, n)
			msgs, err := store.Messages(ctx, mailstore.Filter{Folder: "Archive"})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs {
				ids = append(ids, m.ID)
			}
			if _, err := store.MoveMessages(ctx, ids, mailstore.FolderInbox); err != nil {
				t.Fatal(err)
			}
			q.wait(w.loadMessages)
			f.eventually(t, "the messages back", func() bool { return w.list.Length() == n })
			q.wait(w.selectAll)
		}
		mu.Lock()
		timing, slowest = true, 0
		mu.Unlock()
		start := time.Now()
		q.wait(func() { w.moveSelected("Archive") })
		f.eventually(t, "the list emptied", func() bool { return w.list.Length() == 0 })
		f.eventually(t, "the folder's count", func() bool { return len(w.folders) == 1 && w.folders[0].Total == n })
		moved = min(moved, time.Since(start))
		mu.Lock()
		worst, timing = min(worst, slowest), false
		mu.Unlock()
	}
	t.Logf("10,000 messages: Ctrl+A %v, moved, the list redrawn and the folder counted in %v, longest UI work meanwhile %v",
		selectAll.Round(time.Microsecond), moved.Round(time.Millisecond), worst.Round(time.Microsecond))
	if in, _ := store.Count(ctx, mailstore.Filter{Folder: "Archive"}); in != n {
		t.Errorf("%d messages in Archive, want %d", in, n)
	}
	if frame := time.Second / 60; !raceEnabled && (worst > frame || selectAll > frame) {
		t.Errorf("UI goroutine work took %v (Ctrl+A %v), over a frame (%v)", worst, selectAll, frame)
	}
}
