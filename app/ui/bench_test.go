package ui

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/mailstore/mailstoretest"
)

// bulkArchive makes an archive of n small messages (mailstoretest.Bulk).
func bulkArchive(t testing.TB, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pouch.db")
	if err := mailstoretest.Bulk(context.Background(), path, n); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestFirstPaint100k opens the window on an archive of 100,000 messages and logs how long the
// first paint (accounts, counts, the folder's IDs and the first page of rows drawn) takes, and
// the time to scroll to the end (the last page read and drawn); the figures are reported, not
// asserted.
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
	f.eventually(t, "the folder listed", func() bool { return w.list.Length() == n })
	listed := time.Since(start)
	q.wait(func() { _ = w.window.Canvas().Capture() })
	f.eventually(t, "the first rows", func() bool { return w.rows.row(0) != nil })
	q.wait(func() { _ = w.window.Canvas().Capture() })
	paint := time.Since(start)
	// Scrolling to the end reads and builds only the rows on screen.
	scroll := time.Now()
	q.wait(func() { w.list.ScrollToBottom(); _ = w.window.Canvas().Capture() })
	f.eventually(t, "the last rows", func() bool { return w.rows.row(n-1) != nil })
	t.Logf("100,000 messages: listed %v, first paint %v, scrolled to the end in %v",
		listed.Round(time.Millisecond), paint.Round(time.Millisecond), time.Since(scroll).Round(time.Millisecond))
}
