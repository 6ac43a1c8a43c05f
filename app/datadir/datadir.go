// Package datadir decides where the archive lives and moves or replaces it as a whole: the
// data directory of each OS, the one-time move from the old location, and restoring a backup.
// The archive is one SQLite file (DBFile) with its WAL and SHM, a spool for large downloads
// and lock files; preferences are not here (the window keeps them in the configuration
// directory).
package datadir

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
	"github.com/pouchmail/pouch/app/datadir/osdir"
	"github.com/pouchmail/pouch/mailstore"
)

// DBFile is the archive's file name inside the data directory.
const DBFile = "pouch.db"

// Default returns the data directory of this OS: $XDG_DATA_HOME/pouch (~/.local/share/pouch)
// on Linux and the BSDs, %LocalAppData%\Pouch on Windows, ~/Library/Application Support/Pouch
// on macOS.
func Default(getenv func(string) string) (string, error) { return osdir.Default(getenv) }

// Legacy returns where Pouch kept the archive before: the configuration directory + "pouch".
func Legacy(getenv func(string) string) (string, error) { return osdir.Legacy(getenv) }

// Description says where Default is, for help texts.
const Description = osdir.Description

// Location is the data directory chosen, and a sentence for the user when it is news.
type Location struct {
	Dir string
	// Notice says the archive was moved, or why it stays at the old location; "" otherwise.
	Notice string
}

// Resolve returns the data directory: explicit (--data-dir) if given, else $POUCH_DATA_DIR,
// else Default. An archive found at the Legacy location, with none at Default, is moved there
// first (Move); when it cannot be moved (another Pouch has it open, a failure), it is used
// where it is and Notice says why.
func Resolve(ctx context.Context, explicit string, getenv func(string) string) (Location, error) {
	if explicit != "" {
		return Location{Dir: explicit}, nil
	}
	if d := getenv("POUCH_DATA_DIR"); d != "" {
		return Location{Dir: d}, nil
	}
	def, err := Default(getenv)
	if err != nil {
		return Location{}, fmt.Errorf("no data directory: %v (set --data-dir or POUCH_DATA_DIR)", err)
	}
	old, err := Legacy(getenv)
	if err != nil || !exists(filepath.Join(old, DBFile)) || sameDir(old, def) {
		return Location{Dir: def}, nil
	}
	if exists(filepath.Join(def, DBFile)) {
		return Location{Dir: def}, nil // moved before; an older copy left there is the user's
	}
	switch err := Move(ctx, old, def); {
	case err == nil:
		return Location{Dir: def, Notice: fmt.Sprintf("moved the archive from %s to %s", old, def)}, nil
	case errors.Is(err, ErrDestinationExists):
		return Location{Dir: def}, nil
	case errors.Is(err, mailstore.ErrInUse):
		return Location{Dir: old, Notice: fmt.Sprintf("the archive stays in %s while another Pouch has it open; it moves to %s when none does", old, def)}, nil
	case ctx.Err() != nil:
		return Location{}, ctx.Err()
	default:
		return Location{Dir: old, Notice: fmt.Sprintf("the archive stays in %s: moving it to %s failed: %v", old, def, err)}, nil
	}
}

// ErrDestinationExists says the destination already holds an archive: nothing was moved.
var ErrDestinationExists = errors.New("an archive already exists there")

// moveLockWait bounds how long a Pouch waits for another one that is moving the archive.
var moveLockWait = 30 * time.Second

// sameFilesystem reports whether a file in from can be renamed into to; tests replace it to
// take the copying path.
var sameFilesystem = probeRename

// Move moves the archive in the directory from to the directory to, which must not hold one:
// only when no other Pouch has it open (mailstore.ErrInUse otherwise), never losing the old
// copy before the new one opens. Under SQLite's exclusive lock the WAL is checkpointed into
// the database file, so that file alone is the archive: on one file system it is renamed (one
// atomic step); across file systems SQLite copies it (VACUUM INTO, still under the lock), the
// copy is synced and compared with the original (integrity check, counts and sizes) before it
// takes the archive's name. Then the new archive is opened, and only after that are the old
// file, its empty WAL and SHM, the spool (moved along) and the lock files removed. Movers wait
// for each other (a lock file in to/locks).
func Move(ctx context.Context, from, to string) error {
	src, dst := filepath.Join(from, DBFile), filepath.Join(to, DBFile)
	if err := os.MkdirAll(filepath.Join(to, "locks"), 0o700); err != nil {
		return err
	}
	fl := flock.New(filepath.Join(to, "locks", "move.lock"), flock.SetPermissions(0o600))
	wctx, cancel := context.WithTimeout(ctx, moveLockWait)
	defer cancel()
	if ok, err := fl.TryLockContext(wctx, 50*time.Millisecond); !ok {
		if err == nil || errors.Is(err, context.DeadlineExceeded) {
			return mailstore.ErrInUse
		}
		return err
	}
	defer fl.Unlock()
	// Another Pouch may have moved it while this one waited.
	if exists(dst) {
		return ErrDestinationExists
	}
	if !exists(src) {
		return nil
	}
	x, err := mailstore.LockExclusive(ctx, src)
	if err != nil {
		return err
	}
	held := true
	release := func() {
		if held {
			x.Close()
			held = false
		}
	}
	defer release()
	renamed := false
	if sameFilesystem(from, to) {
		// Windows cannot rename an open file: the lock goes first. The file is whole (the
		// checkpoint above), so a Pouch that opens it in between finds it complete.
		release()
		if err := os.Rename(src, dst); err != nil {
			return err
		}
		renamed = true
	} else {
		if err := copyVerified(ctx, x, dst); err != nil {
			return err
		}
		release()
	}
	syncDir(to)
	// The new archive must open before anything of the old one goes.
	s, err := mailstore.Open(ctx, dst)
	if err == nil {
		err = s.Close()
	}
	if err != nil {
		if renamed {
			if rerr := os.Rename(dst, src); rerr != nil {
				return fmt.Errorf("the moved archive does not open (%v), and moving it back failed: %v; it is in %s", err, rerr, dst)
			}
		} else {
			os.Remove(dst)
		}
		return fmt.Errorf("the moved archive does not open: %w", err)
	}
	if !renamed {
		if err := os.Remove(src); err != nil {
			return fmt.Errorf("copied the archive to %s, but could not remove %s: %w", dst, src, err)
		}
	}
	moveSpool(from, to)
	cleanup(from)
	return nil
}

// copyVerified copies the locked archive to dst through SQLite, syncs it and compares it.
func copyVerified(ctx context.Context, x *mailstore.Exclusive, dst string) error {
	part := dst + ".partial"
	os.Remove(part) // a killed earlier try
	if err := x.CopyTo(ctx, part); err != nil {
		os.Remove(part)
		return err
	}
	if err := verifyCopy(ctx, x, part); err != nil {
		os.Remove(part)
		return err
	}
	if err := os.Rename(part, dst); err != nil {
		os.Remove(part)
		return err
	}
	return nil
}

func verifyCopy(ctx context.Context, x *mailstore.Exclusive, part string) error {
	want, err := x.Summary(ctx)
	if err != nil {
		return err
	}
	c, err := mailstore.LockExclusive(ctx, part)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.IntegrityCheck(ctx); err != nil {
		return fmt.Errorf("the copy in %s: %w", part, err)
	}
	got, err := c.Summary(ctx)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("the copy in %s differs from the archive (%+v, want %+v)", part, got, want)
	}
	return nil
}

// moveSpool moves the download spool along (leftovers of killed downloads, which the next
// session of their account removes); a failure leaves them where they are.
func moveSpool(from, to string) {
	src, dst := filepath.Join(from, "spool"), filepath.Join(to, "spool")
	entries, err := os.ReadDir(src)
	if err != nil {
		return
	}
	if !exists(dst) && os.Rename(src, dst) == nil {
		return
	}
	if os.MkdirAll(dst, 0o700) != nil {
		return
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			_ = os.Rename(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()))
		}
	}
}

// cleanup removes what the old data directory still holds of Pouch once the archive is gone:
// the WAL (only if empty: SQLite removes it on close), the SHM, the lock files and the empty
// spool. Anything else stays, and so does the directory then.
func cleanup(dir string) {
	if st, err := os.Stat(filepath.Join(dir, DBFile+"-wal")); err == nil && st.Size() == 0 {
		os.Remove(filepath.Join(dir, DBFile+"-wal"))
	}
	if !exists(filepath.Join(dir, DBFile+"-wal")) {
		os.Remove(filepath.Join(dir, DBFile+"-shm"))
	}
	if entries, err := os.ReadDir(filepath.Join(dir, "locks")); err == nil {
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".lock") {
				os.Remove(filepath.Join(dir, "locks", e.Name()))
			}
		}
	}
	os.Remove(filepath.Join(dir, "locks"))
	os.Remove(filepath.Join(dir, "spool"))
	os.Remove(dir)
}

// probeRename reports whether a file can be renamed from one directory into the other, that
// is whether they are on one file system.
func probeRename(from, to string) bool {
	f, err := os.CreateTemp(from, ".pouch-move-probe-")
	if err != nil {
		return false
	}
	name := f.Name()
	f.Close()
	target := filepath.Join(to, filepath.Base(name))
	if err := os.Rename(name, target); err != nil {
		os.Remove(name)
		return false
	}
	os.Remove(target)
	return true
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// sameDir reports whether a and b are one directory (on macOS's case-insensitive file system,
// "pouch" and "Pouch" are).
func sameDir(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// syncDir makes a rename in dir durable where the OS allows it (not on Windows, where a
// directory cannot be opened for syncing and renames are journaled anyway).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
