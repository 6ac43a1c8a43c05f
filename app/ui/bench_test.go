package ui

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
)

// bulkArchive makes an archive of n small messages. Rows go in with one SQL transaction: saving
// them one durable commit at a time would take minutes and measure nothing about the window.
func bulkArchive(t testing.TB, n int) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pouch.db")
	store, err := mailstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	a := &mailstore.Account{Name: "Big", Host: "pop.example.com", Port: 995, Security: mailstore.SecurityTLS,
		Username: "u", LeaveDays: 14, Interval: 10 * time.Minute}
	if err := store.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	store.Close()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	stmt, err := tx.Prepare(`INSERT INTO messages (account_id, account_name, uidl, raw, sha256, size, date, received,
		from_addr, to_addr, subject, message_id, has_attachments) VALUES (?, 'Big', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for i := range n {
		raw := fmt.Sprintf("Subject: message %d\r\n\r\nbody %d\r\n", i, i)
		if _, err := stmt.Exec(a.ID, fmt.Sprintf("u%d", i), raw, fmt.Sprintf("%064x", i), len(raw), base+int64(i)*600,
			base+int64(i)*600, fmt.Sprintf("Sender %d <s%d@example.org>", i%500, i%500), "me@example.org",
			fmt.Sprintf("Message number %d about something", i), fmt.Sprintf("m%d@example.org", i), i%7 == 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestFirstPaint100k opens the window on an archive of 100,000 messages and logs how long the
// first paint (accounts, counts and the first rows of the list rendered) takes, and how long
// until the whole folder is loaded; the figures are reported, not asserted.
func TestFirstPaint100k(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("builds a 100,000-message archive; timings need a build without -race")
	}
	const n = 100_000
	path := bulkArchive(t, n)
	ctx := context.Background()
	store, err := mailstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	a := test.NewTempApp(t)
	q := newQueue(t)
	start := time.Now()
	var w *mainWindow
	q.wait(func() {
		w = newMainWindow(ctx, a, engine.New(store, secrets.NewMemory(), engine.Options{}), q.do, &fakePoller{})
	})
	f := &fixture{w: w, q: q}
	defer q.wait(w.window.Close)
	f.eventually(t, "the first rows", func() bool { return w.list.Length() > 0 })
	q.wait(func() { w.window.Canvas().Refresh(w.list); _ = w.window.Canvas().Capture() })
	paint := time.Since(start)
	f.eventually(t, "the whole folder", func() bool { return w.list.Length() == n })
	all := time.Since(start)
	// Scrolling to the end builds only the rows on screen.
	q.wait(func() { w.list.ScrollToBottom(); _ = w.window.Canvas().Capture() })
	t.Logf("100,000 messages: first paint %v, whole folder loaded %v, scrolled to the end %v",
		paint.Round(time.Millisecond), all.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}
