package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pouchmail/pouch/mailstore/mimetext"
)

// Attachment returns the display-safe file name ("" if the message gives none) and the
// decoded bytes of attachment i of message id.
func (e *Engine) Attachment(ctx context.Context, id int64, i int) (string, []byte, error) {
	raw, err := e.Raw(ctx, id)
	if err != nil {
		return "", nil, err
	}
	return mimetext.AttachmentData(raw, i)
}

// SaveAttachment writes attachment i of message id to path with mode 0600: mail is private.
// The bytes go to a new file next to path, which is then renamed over it, so a file the save
// dialog already created (with the umask's mode, and open to anyone who opened it meanwhile)
// never holds them.
func (e *Engine) SaveAttachment(ctx context.Context, id int64, i int, path string) error {
	_, data, err := e.Attachment(ctx, id, i)
	if err != nil {
		return err
	}
	return writePrivate(path, data)
}

// writePrivate replaces path with a 0600 file holding data, durably.
func writePrivate(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".pouch-*") // 0600
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("saving %s: %w", path, err)
	}
	return nil
}

// openedPrefix names the per-process directories of opened attachments in the temp dir:
// pouch-open-PID-RANDOM.
const openedPrefix = "pouch-open-"

// openedMaxAge is when a directory of opened attachments is removed even though a process
// with its PID runs (PIDs are reused): nothing has been opened from it for that long.
const openedMaxAge = 24 * time.Hour

// OpenedFiles keeps the attachments the user opens with another application: in a private
// (0700) directory of this process under the temp dir, created on first use and removed by
// Close. Leftovers of processes that ended without Close go with RemoveStaleOpened.
type OpenedFiles struct {
	base string // "" = os.TempDir()

	mu     sync.Mutex
	dir    string
	closed bool
}

// NewOpenedFiles returns an empty OpenedFiles under base ("" = the system temp dir). It touches
// nothing on disk until Write.
func NewOpenedFiles(base string) *OpenedFiles { return &OpenedFiles{base: base} }

// ErrOpenedFilesClosed says Write was called after Close.
var ErrOpenedFilesClosed = errors.New("the directory for opened attachments is closed")

// Write stores data as name (reduced to a plain file name) with mode 0600, in a directory of
// its own so that attachments with the same name do not collide, and returns its path.
func (o *OpenedFiles) Write(name string, data []byte) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return "", ErrOpenedFilesClosed
	}
	if o.dir != "" {
		// Another Pouch may have removed a directory unused for openedMaxAge.
		if st, err := os.Lstat(o.dir); err != nil || !st.IsDir() {
			o.dir = ""
		}
	}
	if o.dir == "" {
		base := o.base
		if base == "" {
			base = os.TempDir()
		}
		dir, err := os.MkdirTemp(base, openedPrefix+strconv.Itoa(os.Getpid())+"-") // 0700
		if err != nil {
			return "", fmt.Errorf("opening an attachment: %w", err)
		}
		o.dir = dir
	}
	sub, err := os.MkdirTemp(o.dir, "")
	if err != nil {
		return "", fmt.Errorf("opening an attachment: %w", err)
	}
	path := filepath.Join(sub, plainName(name))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("opening an attachment: %w", err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("opening an attachment: %w", err)
	}
	return path, nil
}

// Close removes the directory and everything opened from it; later Writes fail.
func (o *OpenedFiles) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closed = true
	if o.dir == "" {
		return nil
	}
	err := os.RemoveAll(o.dir)
	o.dir = ""
	return err
}

// plainName keeps only a usable file name: no directories, never "." or "..".
func plainName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "." || name == ".." || name == "/" || name == "" {
		return "attachment"
	}
	return name
}

// RemoveStaleOpened removes what earlier runs left of opened attachments under base ("" = the
// system temp dir): directories named pouch-open-PID-* whose process has ended, and any
// pouch-open-* directory (older versions named them without a PID) unused for openedMaxAge.
// This process's own directories stay. It returns how many it removed; errors are skipped, as
// another user's leftovers in a shared temp dir cannot be removed anyway.
func RemoveStaleOpened(base string, now time.Time) int {
	if base == "" {
		base = os.TempDir()
	}
	entries, err := os.ReadDir(base)
	if err != nil {
		return 0
	}
	n := 0
	for _, ent := range entries {
		rest, ok := strings.CutPrefix(ent.Name(), openedPrefix)
		if !ok || !ent.IsDir() { // IsDir is false for a symlink: never followed
			continue
		}
		pid := 0
		if p, _, ok := strings.Cut(rest, "-"); ok {
			pid, _ = strconv.Atoi(p)
		}
		if pid == os.Getpid() {
			continue
		}
		info, err := ent.Info()
		if err != nil {
			continue
		}
		gone := pid > 0 && !processAlive(pid)
		if !gone && now.Sub(info.ModTime()) < openedMaxAge {
			continue
		}
		if os.RemoveAll(filepath.Join(base, ent.Name())) == nil {
			n++
		}
	}
	return n
}
