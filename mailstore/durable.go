package mailstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
)

// Durability. Every pooled connection runs with synchronous=FULL: a commit returns once it is
// on disk. A session's downloaded messages need less until something is deleted on the
// server: a Saver with DeferSync commits them with synchronous=NORMAL, which in WAL mode is
// still atomic and survives a crash of the process (the WAL is in the OS's page cache), and
// loses at most the last commits on a power loss, after which those messages are simply
// downloaded again. Sync is the barrier: once it returns, every commit before it is on disk.

// The values PRAGMA synchronous reports.
const (
	syncNormal = "1"
	syncFull   = "2"
)

// lazyConn is a pooled connection switched to synchronous=NORMAL for one transaction.
type lazyConn struct{ *sql.Conn }

func (s *Store) lazyConn(ctx context.Context) (*lazyConn, error) {
	c, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := c.ExecContext(ctx, "PRAGMA synchronous = NORMAL"); err != nil {
		c.Close()
		return nil, err
	}
	return &lazyConn{c}, nil
}

// close returns the connection to the pool with synchronous=FULL again, or, when that cannot
// be restored, closes it, so that no other caller ever commits on it believing it durable.
func (c *lazyConn) close() {
	if _, err := c.ExecContext(context.Background(), "PRAGMA synchronous = FULL"); err != nil {
		c.Raw(func(any) error { return driver.ErrBadConn })
	}
	c.Close()
}

// Sync makes every transaction committed so far durable, whatever its synchronous setting and
// whichever connection or process committed it. A checkpoint copies into the database file
// what no reader still needs, syncing the WAL before and the file after; what it cannot copy
// (a reader holds an older snapshot) is made durable in the WAL itself: a commit at
// synchronous=FULL syncs the WAL file, and with it every frame written before it. That commit
// rewrites user_version with its own value: one page written, nothing changed. Every sync uses
// F_FULLFSYNC where the connection asks for it (fullfsync). A reader can then no longer hold
// up every deletion: only a writer holding the lock past the busy timeout makes Sync fail.
func (s *Store) Sync(ctx context.Context) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("mailstore: sync: %w", err)
	}
	defer conn.Close()
	var got string
	if err := conn.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&got); err != nil {
		return &DurabilityError{Err: err}
	}
	if got != syncFull {
		return &DurabilityError{Err: fmt.Errorf("synchronous = %s, want %s", got, syncFull)}
	}
	var busy, log, done int
	if err := conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &done); err != nil {
		return &DurabilityError{Err: err}
	}
	if busy == 0 && done == log {
		return nil // the whole WAL is in the database file, synced
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return &DurabilityError{Err: err}
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return &DurabilityError{Err: err}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v)); err != nil {
		return &DurabilityError{Err: err}
	}
	if err := checkSync(ctx, tx, syncFull); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return &DurabilityError{Err: err}
	}
	return nil
}
