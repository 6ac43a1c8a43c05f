package ui

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
)

// TestImportFromTheWindow: Import… runs the engine's import off the UI goroutine with a
// progress dialog; the messages land in a new local account shown in the sidebar, and a second
// import of the same file skips them all.
func TestImportFromTheWindow(t *testing.T) {
	f := newWindow(t)
	var labels []string
	f.q.wait(func() {
		for _, it := range f.w.archiveMenuItems() {
			labels = append(labels, it.Label)
		}
	})
	if !strings.Contains(strings.Join(labels, ","), "Import…") {
		t.Fatalf("archive menu items = %q, want Import…", labels)
	}
	f.q.wait(func() { f.w.archiveMenuItems()[2].Action() })
	if txt := overlayTexts(f); !strings.Contains(txt, "Messages already in the archive are skipped") {
		t.Errorf("import dialog says %q", txt)
	}

	mbox := filepath.Join(t.TempDir(), "old.mbox")
	var b strings.Builder
	for _, s := range []string{"one", "two", "three"} {
		b.WriteString("From alice@example.org Mon Jan  1 00:00:00 2024\nFrom: alice@example.org\nSubject: old " + s + "\n\nbody " + s + "\n\n")
	}
	if err := os.WriteFile(mbox, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := engine.ImportOptions{Format: "mbox", Path: mbox, Account: "Archive 2019"}
	f.q.wait(func() { f.w.importFrom(opts) })
	f.eventually(t, "the import to end", func() bool {
		return f.w.importing == nil && f.w.status.Text == "Imported 3 messages into Archive 2019 (0 already here)."
	})
	f.eventually(t, "the new local account in the sidebar", func() bool { return accountByName(f.w.accounts, "Archive 2019") != nil })
	a, err := f.store.AccountByName(context.Background(), "Archive 2019")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := f.store.Count(context.Background(), mailstore.Filter{AccountID: a.ID}); n != 3 {
		t.Errorf("%d messages in the imported account, want 3", n)
	}
	f.q.wait(func() { f.w.importFrom(opts) })
	f.eventually(t, "the second import to skip them", func() bool {
		return f.w.importing == nil && f.w.status.Text == "Imported 0 messages into Archive 2019 (3 already here)."
	})
}

// TestImportCancel: Cancel stops a long import; what was imported before stays, and the status
// says so.
func TestImportCancel(t *testing.T) {
	f := newWindow(t)
	mbox := filepath.Join(t.TempDir(), "big.mbox")
	var b strings.Builder
	for i := range 20000 {
		b.WriteString("From alice@example.org Mon Jan  1 00:00:00 2024\nFrom: alice@example.org\nSubject: bulk " + strconv.Itoa(i) + "\n\nbody\n\n")
	}
	if err := os.WriteFile(mbox, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	f.q.wait(func() { f.w.importFrom(engine.ImportOptions{Format: "mbox", Path: mbox, Account: "Bulk"}) })
	cancel := overlayButton(f, "Cancel")
	if cancel == nil {
		t.Fatal("the progress dialog has no Cancel")
	}
	f.q.wait(func() { test.Tap(cancel) })
	f.eventually(t, "the import to stop", func() bool {
		return f.w.importing == nil && strings.HasPrefix(f.w.status.Text, "Import cancelled")
	})
	a, err := f.store.AccountByName(context.Background(), "Bulk")
	if err != nil {
		return // cancelled before the account was made: nothing imported
	}
	if n, _ := f.store.Count(context.Background(), mailstore.Filter{AccountID: a.ID}); n >= 20000 {
		t.Errorf("%d messages imported after Cancel, want fewer than 20000", n)
	}
}
