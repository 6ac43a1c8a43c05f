package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gofrs/flock"
	"github.com/pouchmail/pouch/mailstore"
)

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
	fl, err := e.accountLock(a)
	if err != nil {
		return nil, err
	}
	return tryLock(fl, a, "session lock")
}

// lockAccountWait takes the account's session lock like lockAccount, but waits up to max for
// a running session to end: a *LockedError after that, ctx's error as soon as ctx ends.
func (e *Engine) lockAccountWait(ctx context.Context, a *mailstore.Account, max time.Duration) (unlock func(), err error) {
	fl, err := e.accountLock(a)
	if err != nil {
		return nil, err
	}
	return waitLock(ctx, fl, a, "session lock", max)
}

// tryLock takes fl without waiting; a *LockedError when another holds it.
func tryLock(fl *flock.Flock, a *mailstore.Account, what string) (unlock func(), err error) {
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, fl.Path(), err)
	}
	if !ok {
		return nil, &LockedError{Account: a.Name, Path: fl.Path()}
	}
	return func() { _ = fl.Unlock() }, nil
}

// waitLock takes fl, waiting up to max: a *LockedError after that, ctx's error when ctx ends.
func waitLock(ctx context.Context, fl *flock.Flock, a *mailstore.Account, what string, max time.Duration) (unlock func(), err error) {
	wctx, cancel := context.WithTimeout(ctx, max)
	defer cancel()
	ok, err := fl.TryLockContext(wctx, 50*time.Millisecond)
	switch {
	case ok:
		return func() { _ = fl.Unlock() }, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case err != nil && !errors.Is(err, context.DeadlineExceeded):
		return nil, fmt.Errorf("%s %s: %w", what, fl.Path(), err)
	}
	return nil, &LockedError{Account: a.Name, Path: fl.Path()}
}

func (e *Engine) accountLock(a *mailstore.Account) (*flock.Flock, error) {
	dir := filepath.Join(e.dataDir(), "locks")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("session lock: %w", err)
	}
	path := filepath.Join(dir, "account-"+strconv.FormatInt(a.ID, 10)+".lock")
	return flock.New(path, flock.SetPermissions(0o600)), nil
}

// removeLockWait bounds how long removing an account waits for a running session to end: a
// poll that is finishing gets its turn, a long download gets a clear "try again" instead of a
// frozen dialog.
var removeLockWait = 15 * time.Second

// lockSend takes the account's cross-process send lock without waiting (DataDir/locks/
// send-ID.lock): one submission run per account at a time, so that a message "submitting" in a
// run that holds it is never taken for one whose process died.
func (e *Engine) lockSend(a *mailstore.Account) (unlock func(), err error) {
	fl, err := e.sendLock(a)
	if err != nil {
		return nil, err
	}
	return tryLock(fl, a, "send lock")
}

// lockSendWait is lockSend waiting up to max for another run to end.
func (e *Engine) lockSendWait(ctx context.Context, a *mailstore.Account, max time.Duration) (unlock func(), err error) {
	fl, err := e.sendLock(a)
	if err != nil {
		return nil, err
	}
	return waitLock(ctx, fl, a, "send lock", max)
}

func (e *Engine) sendLock(a *mailstore.Account) (*flock.Flock, error) {
	dir := filepath.Join(e.dataDir(), "locks")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("send lock: %w", err)
	}
	return flock.New(filepath.Join(dir, "send-"+strconv.FormatInt(a.ID, 10)+".lock"), flock.SetPermissions(0o600)), nil
}
