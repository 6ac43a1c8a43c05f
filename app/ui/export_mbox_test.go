package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pouchmail/pouch/app/engine"
)

// Exporting to a file the user picked never destroys what the file held: an existing file is
// refused with a clear message and left as it was; a new name gets the mbox.
func TestExportNeverOverwrites(t *testing.T) {
	f := newWindow(t)
	dir := t.TempDir()
	old := filepath.Join(dir, "old.mbox")
	if err := os.WriteFile(old, []byte("precious\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.q.wait(func() { f.w.exportMboxTo(engine.ExportOptions{}, dir, "old.mbox") })
	var status string
	f.eventually(t, "the export to end", func() bool {
		status = f.w.status.Text
		return strings.HasPrefix(status, "Export") && !strings.HasPrefix(status, "Exporting")
	})
	if b, _ := os.ReadFile(old); string(b) != "precious\n" {
		t.Errorf("the existing file now holds %d bytes %q..., want it untouched", len(b), b[:min(20, len(b))])
	}
	if !strings.Contains(status, "already exists") {
		t.Errorf("status = %q, want it to say the file already exists", status)
	}

	f.q.wait(func() { f.w.exportMboxTo(engine.ExportOptions{}, dir, "new.mbox") })
	f.eventually(t, "the second export to end", func() bool {
		status = f.w.status.Text
		return strings.HasPrefix(status, "Exported")
	})
	if b, _ := os.ReadFile(filepath.Join(dir, "new.mbox")); !bytes.HasPrefix(b, []byte("From ")) {
		t.Errorf("new.mbox starts %q, want an mbox", b[:min(20, len(b))])
	}
}
