package mailstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// BackupTo writes a consistent copy of the archive to path with SQLite's VACUUM INTO: one
// read transaction, so other connections (the window, a running fetch) keep reading and
// writing meanwhile, and the copy is the archive as of one moment. path must not exist. The
// copy is compact (free pages dropped) and synced to disk before BackupTo returns.
func (s *Store) BackupTo(ctx context.Context, path string) error {
	// Created here, empty and private, so an existing file is never touched and the copy is
	// not world-readable; VACUUM INTO accepts an empty file.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("mailstore: backup: %s: %w", path, os.ErrExist)
	} else if err != nil {
		return fmt.Errorf("mailstore: backup: %w", err)
	}
	f.Close()
	if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		os.Remove(path)
		return fmt.Errorf("mailstore: backup: %w", err)
	}
	if err := syncFile(path); err != nil {
		os.Remove(path)
		return fmt.Errorf("mailstore: backup: %w", err)
	}
	return nil
}

// VerifyFile opens the archive file at path (bringing its schema up to date), runs Check on it
// without repairing anything and closes it again. It fails when the file is not an archive,
// cannot be opened, or has problems (the indexing backlog is not one).
func VerifyFile(ctx context.Context, path string) (*CheckReport, error) {
	if st, err := os.Stat(path); err != nil {
		return nil, err
	} else if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a file", path)
	}
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	s, err := Open(ctx, path)
	if err != nil {
		return nil, err
	}
	r, err := s.Check(ctx, false)
	if e := s.Close(); err == nil && e != nil {
		err = fmt.Errorf("mailstore: close %s: %w", path, e)
	}
	if err != nil {
		return nil, err
	}
	if n := r.Problems(); n > 0 {
		return r, fmt.Errorf("%s: check found %d problem(s)", path, n)
	}
	return r, nil
}

// checkHeader refuses a file that is not a SQLite database before SQLite would make it one.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	hdr := make([]byte, 16)
	if _, err := io.ReadFull(f, hdr); err != nil || !bytes.Equal(hdr, []byte("SQLite format 3\x00")) {
		return fmt.Errorf("%s is not a Pouch archive (not a SQLite database)", path)
	}
	return nil
}
