package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/gofrs/flock"
	"github.com/pouchmail/pouch/mailstore"
)

// LockedError says another session (in this process or another Pouch, say a `pouch fetch`
// from cron while the window runs) holds the account's lock.
type LockedError struct {
	Account string
	Path    string // the lock file
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("another Pouch is fetching account %q (lock %s held); try again when it is done", e.Account, e.Path)
}

// dataDir is where locks and the download spool live.
func (e *Engine) dataDir() string {
	if e.opts.DataDir != "" {
		return e.opts.DataDir
	}
	return filepath.Dir(e.store.Path())
}

// lockAccount takes the account's cross-process session lock without waiting. The lock is
// an flock(2)/LockFileEx on DataDir/locks/account-ID.lock: the OS drops it when the process
// dies, so a killed fetch never leaves a stale lock behind. The file name uses the account's
// id, which a rename does not change.
func (e *Engine) lockAccount(a *mailstore.Account) (unlock func(), err error) {
	dir := filepath.Join(e.dataDir(), "locks")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("session lock: %w", err)
	}
	path := filepath.Join(dir, "account-"+strconv.FormatInt(a.ID, 10)+".lock")
	fl := flock.New(path, flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("session lock %s: %w", path, err)
	}
	if !ok {
		return nil, &LockedError{Account: a.Name, Path: path}
	}
	return func() { _ = fl.Unlock() }, nil
}
