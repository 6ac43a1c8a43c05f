package datadir

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

// NotEmptyError says the data directory holds an archive with accounts or messages, which a
// restore replaces only when told to (--force).
type NotEmptyError struct{ Path string }

func (e *NotEmptyError) Error() string {
	return fmt.Sprintf("%s is not empty; restore --force replaces it and keeps it aside", e.Path)
}

// Restored says what Restore did.
type Restored struct {
	Path   string                 // the archive now in use
	Aside  string                 // where the archive it replaced was kept; "" if none (or empty)
	Report *mailstore.CheckReport // the check of the restored file
}

// now names the file kept aside; tests fix it.
var now = time.Now

// Restore replaces the archive in dir with a copy of the backup file: the file is copied into
// dir, synced, opened and checked first (a file that is not an archive, or has problems,
// changes nothing). The archive there is replaced only when no Pouch has it open
// (mailstore.ErrInUse), and only when it is empty or force is set: it is then renamed aside
// (pouch.db.before-restore-TIME, never deleted) before the copy takes its name, and put back
// if the copy does not open.
func Restore(ctx context.Context, dir, file string, force bool) (*Restored, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	dst := filepath.Join(dir, DBFile)
	if sameFile(file, dst) {
		return nil, fmt.Errorf("%s is the archive itself", file)
	}
	// Refuse early, before copying a large file, when the answer is known.
	if err := checkReplaceable(ctx, dst, force); err != nil {
		return nil, err
	}
	tmp := filepath.Join(dir, DBFile+".restoring")
	os.Remove(tmp)
	if err := copyFile(file, tmp); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("copying %s: %w", file, err)
	}
	defer os.Remove(tmp)
	report, err := mailstore.VerifyFile(ctx, tmp)
	if err != nil {
		return nil, fmt.Errorf("%s does not check out, nothing restored: %w", file, err)
	}
	res := &Restored{Path: dst, Report: report}
	if exists(dst) {
		x, err := mailstore.LockExclusive(ctx, dst)
		if err != nil {
			return nil, err
		}
		empty, err := x.Empty(ctx)
		x.Close()
		if err != nil {
			return nil, err
		}
		if !empty && !force {
			return nil, &NotEmptyError{Path: dst}
		}
		aside := filepath.Join(dir, fmt.Sprintf("%s.before-restore-%s", DBFile, now().Format("20060102-150405")))
		if err := os.Rename(dst, aside); err != nil {
			return nil, fmt.Errorf("keeping the archive aside: %w", err)
		}
		if empty {
			defer os.Remove(aside)
		} else {
			res.Aside = aside
		}
		for _, ext := range []string{"-wal", "-shm"} {
			os.Remove(dst + ext) // emptied by the exclusive lock's checkpoint
		}
		if err := os.Rename(tmp, dst); err != nil {
			if rerr := os.Rename(aside, dst); rerr != nil {
				return nil, fmt.Errorf("restoring failed (%v) and so did putting the archive back (%v): it is in %s", err, rerr, aside)
			}
			return nil, err
		}
		syncDir(dir)
		s, err := mailstore.Open(ctx, dst)
		if err == nil {
			err = s.Close()
		}
		if err != nil {
			os.Remove(dst)
			if rerr := os.Rename(aside, dst); rerr != nil {
				return nil, fmt.Errorf("the restored archive does not open (%v) and putting the old one back failed (%v): it is in %s", err, rerr, aside)
			}
			return nil, fmt.Errorf("the restored archive does not open, the old one is back: %w", err)
		}
		return res, nil
	}
	if err := os.Rename(tmp, dst); err != nil {
		return nil, err
	}
	syncDir(dir)
	return res, nil
}

// checkReplaceable answers early whether dst may be replaced.
func checkReplaceable(ctx context.Context, dst string, force bool) error {
	if !exists(dst) {
		return nil
	}
	x, err := mailstore.LockExclusive(ctx, dst)
	if err != nil {
		return err
	}
	defer x.Close()
	empty, err := x.Empty(ctx)
	if err != nil {
		return err
	}
	if !empty && !force {
		return &NotEmptyError{Path: dst}
	}
	return nil
}

// copyFile copies src to the new file dst (mode 0600) and syncs it.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if st, err := in.Stat(); err != nil {
		return err
	} else if !st.Mode().IsRegular() {
		return errors.New("not a regular file")
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func sameFile(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}
