package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/storage"
)

// Save… writes private mail readable by the user only, whatever mode the save dialog created
// the file with.
func TestSavedAttachmentIsPrivate(t *testing.T) {
	f := newWindow(t)
	msg := f.open(t, "Quarterly report")
	path := filepath.Join(t.TempDir(), "report.pdf")
	w, err := storage.Writer(storage.NewFileURI(path)) // what the save dialog hands over
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	f.q.wait(func() { f.w.saveAttachmentTo(msg.ID, 0, w, func(err error) { done <- err }) })
	if err := <-done; err != nil {
		t.Fatalf("saving = %v", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := st.Mode().Perm(); m != 0o600 {
		t.Errorf("saved attachment mode = %v, want 0600", m)
	}
	if b, _ := os.ReadFile(path); !bytes.HasPrefix(b, []byte("%PDF")) {
		t.Errorf("saved %q..., want the decoded PDF", b[:min(8, len(b))])
	}
}

// Open writes the attachment into a private directory of this process, which goes when the
// window does.
func TestOpenedAttachmentIsTemporary(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	f := newWindow(t)
	msg := f.open(t, "Quarterly report")
	f.q.wait(func() { f.w.openAttachment(msg.ID, 0) })
	var status string
	f.eventually(t, "the attachment to be opened", func() bool {
		status = f.w.status.Text
		return strings.HasPrefix(status, "Opened ")
	})
	path := strings.TrimSuffix(strings.TrimPrefix(status, "Opened "), ".")
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := st.Mode().Perm(); m != 0o600 {
		t.Errorf("opened attachment mode = %v, want 0600", m)
	}
	rel, err := filepath.Rel(tmp, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		t.Fatalf("opened attachment at %s, want it under the temp dir %s", path, tmp)
	}
	top := filepath.Join(tmp, strings.Split(filepath.ToSlash(rel), "/")[0])
	if st, err := os.Stat(top); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("the attachments directory %s: %v, %v; want mode 0700", top, st.Mode().Perm(), err)
	}
	f.q.wait(func() { _ = f.w.opened.Close() })
	if _, err := os.Stat(top); !os.IsNotExist(err) {
		t.Errorf("%s is still there after the window closed (%v)", top, err)
	}
}
