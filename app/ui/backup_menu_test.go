package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/mailstore"
)

// The More menu's Backup… writes a checked copy of the open archive off the UI goroutine and
// says so in words; an existing file is refused and left as it was; Restore… explains the
// command line, since the open archive cannot be replaced under the window.
func TestBackupFromTheWindow(t *testing.T) {
	f := newWindow(t)
	var labels []string
	f.q.wait(func() {
		for _, it := range f.w.archiveMenuItems() {
			labels = append(labels, it.Label)
		}
	})
	if strings.Join(labels, ",") != "Backup…,Restore…,Import…" {
		t.Fatalf("archive menu items = %q", labels)
	}
	// Backup… opens the dialog asking for a name.
	f.q.wait(func() { f.w.archiveMenuItems()[0].Action() })
	f.eventually(t, "the backup dialog", func() bool { return len(f.w.window.Canvas().Overlays().List()) > 0 })

	dir := t.TempDir()
	f.q.wait(func() { f.w.backupTo(dir, "copy.db") })
	var status string
	f.eventually(t, "the backup to end", func() bool {
		status = f.w.status.Text
		return !strings.HasPrefix(status, "Backing up")
	})
	if status != "Backed up 7 message(s) to "+filepath.Join(dir, "copy.db")+"; the copy checks clean." {
		t.Fatalf("status = %q", status)
	}
	r, err := mailstore.VerifyFile(context.Background(), filepath.Join(dir, "copy.db"))
	if err != nil || r.Messages != 7 {
		t.Fatalf("the backup: %+v, %v; want 7 messages", r, err)
	}

	old := filepath.Join(dir, "old.db")
	if err := os.WriteFile(old, []byte("precious\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.q.wait(func() { f.w.backupTo(dir, "old.db") })
	f.eventually(t, "the second backup to fail", func() bool {
		status = f.w.status.Text
		return strings.HasPrefix(status, "Backup failed")
	})
	if b, _ := os.ReadFile(old); string(b) != "precious\n" || !strings.Contains(status, "already exists") {
		t.Errorf("status %q, old.db holds %q; want it refused and untouched", status, b)
	}
	f.q.wait(func() { f.w.backupTo(dir, "../escape.db") })
	if status := f.text(func() string { return f.w.status.Text }); !strings.Contains(status, "not a file name") {
		t.Errorf("status = %q, want a refused name", status)
	}

	f.q.wait(func() { f.w.archiveMenuItems()[1].Action() })
	var help string
	f.q.wait(func() {
		for _, o := range f.w.window.Canvas().Overlays().List() {
			walk(o, func(l *widget.Label) { help += l.Text })
		}
	})
	if !strings.Contains(help, "pouch restore FILE") {
		t.Errorf("Restore… says %q, want the command", help)
	}
}
