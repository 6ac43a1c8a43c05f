package mailstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// ErrInUse says another connection, in this process or another (a running window, a `pouch
// fetch` from cron, an older Pouch), has the archive open.
var ErrInUse = errors.New("the archive is in use by another Pouch")

// Exclusive is sole access to an archive file: while it is held no other connection can read
// or write the file, and the file is self-contained (its WAL checkpointed into it).
type Exclusive struct {
	db   *sql.DB
	conn *sql.Conn
}

// LockExclusive takes sole access to the archive at path without waiting: ErrInUse when any
// other connection has it open. It works across processes and versions of Pouch because it is
// SQLite's own lock (exclusive locking mode), which every open connection conflicts with. The
// file must exist. Close releases it; SQLite then removes the empty WAL.
func LockExclusive(ctx context.Context, path string) (*Exclusive, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, err
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // Windows drive letter
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: "mode=rw&_locking_mode=EXCLUSIVE&_busy_timeout=0"}
	db, err := sql.Open(driverName, u.String())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, exclusiveErr(path, err)
	}
	// The first access takes the lock; the checkpoint moves every committed transaction from
	// the WAL into the database file, so the file alone is the whole archive.
	var busy, logFrames, done int
	if err := conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &done); err != nil {
		conn.Close()
		db.Close()
		return nil, exclusiveErr(path, err)
	}
	if busy != 0 {
		conn.Close()
		db.Close()
		return nil, ErrInUse
	}
	return &Exclusive{db: db, conn: conn}, nil
}

func exclusiveErr(path string, err error) error {
	if isBusy(err) {
		return ErrInUse
	}
	return fmt.Errorf("mailstore: %s: %w", path, err)
}

// Close releases sole access.
func (x *Exclusive) Close() error {
	err := x.conn.Close()
	if e := x.db.Close(); err == nil {
		err = e
	}
	return err
}

// Empty reports whether the archive holds no account and no message.
func (x *Exclusive) Empty(ctx context.Context) (bool, error) {
	var n int
	err := x.conn.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM messages)`).Scan(&n)
	if err != nil && strings.Contains(err.Error(), "no such table") {
		return true, nil // a file that was never migrated
	}
	return n == 0, err
}

// CopyTo writes a copy of the archive to path (which must not exist) through SQLite, under
// the lock, and syncs it.
func (x *Exclusive) CopyTo(ctx context.Context, path string) error {
	if _, err := x.conn.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("mailstore: copy to %s: %w", path, err)
	}
	return syncFile(path)
}

// IntegrityCheck runs SQLite's integrity check on the whole file.
func (x *Exclusive) IntegrityCheck(ctx context.Context) error {
	var res string
	if err := x.conn.QueryRowContext(ctx, "PRAGMA integrity_check(1)").Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("integrity check: %s", res)
	}
	return nil
}

// Summary is what two copies of one archive have in common whatever their page layout.
type Summary struct {
	Schema                                 int
	Accounts, Messages, Chunks, LedgerRows int64
	Bytes, MaxID                           int64
	SHA256Sum, LedgerSum                   string
}

// Summary counts the archive's rows and bytes and digests its hashes and ledger.
func (x *Exclusive) Summary(ctx context.Context) (Summary, error) {
	var s Summary
	err := x.conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&s.Schema)
	if err == nil {
		err = x.conn.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM accounts), (SELECT count(*) FROM messages), (SELECT count(*) FROM message_chunks),
			(SELECT count(*) FROM ledger), (SELECT coalesce(sum(size), 0) FROM messages), (SELECT coalesce(max(id), 0) FROM messages),
			(SELECT coalesce(group_concat(sha256, ','), '') FROM (SELECT sha256 FROM messages ORDER BY id)),
			(SELECT coalesce(group_concat(account_id || ':' || uidl || ':' || coalesce(message_id, ''), ','), '') FROM (SELECT account_id, uidl, message_id FROM ledger ORDER BY account_id, uidl))`).
			Scan(&s.Accounts, &s.Messages, &s.Chunks, &s.LedgerRows, &s.Bytes, &s.MaxID, &s.SHA256Sum, &s.LedgerSum)
	}
	if err != nil {
		return s, fmt.Errorf("mailstore: summary: %w", err)
	}
	s.SHA256Sum, s.LedgerSum = digest(s.SHA256Sum), digest(s.LedgerSum)
	return s, nil
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if e := f.Close(); err == nil {
		err = e
	}
	return err
}
