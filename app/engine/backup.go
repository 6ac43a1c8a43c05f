package engine

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/pouchmail/pouch/mailstore"
)

// Backup writes a consistent copy of the archive to out, which must not exist, while sessions,
// the window and other processes go on using it (SQLite's VACUUM INTO reads one snapshot).
// The copy is written under a temporary name beside out, synced, opened and checked
// (mailstore.VerifyFile) before it takes the name out; a copy that does not check out is
// removed and nothing is left at out. Passwords and OAuth2 sign-ins are in the keyring, not in
// the copy.
func (e *Engine) Backup(ctx context.Context, out string) (*mailstore.CheckReport, error) {
	if _, err := os.Lstat(out); err == nil {
		return nil, fmt.Errorf("backup: %s already exists", out)
	}
	tmp := out + ".partial"
	if err := e.store.BackupTo(ctx, tmp); err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("backup: %s exists (left by an interrupted backup?); remove it first", tmp)
		}
		return nil, err
	}
	report, err := mailstore.VerifyFile(ctx, tmp)
	if err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("backup: the copy does not check out, removed: %w", err)
	}
	// A hard link never replaces a file that appeared meanwhile; where links are not
	// supported, rename after a last look.
	if err := os.Link(tmp, out); err == nil {
		os.Remove(tmp)
	} else if _, serr := os.Lstat(out); serr == nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("backup: %s already exists", out)
	} else if err := os.Rename(tmp, out); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("backup: %w", err)
	}
	return report, nil
}
