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
	// Fewer, larger checkpoints too: each one syncs the WAL and the database file, which is
	// what the deferred commits set out to avoid; Sync checkpoints the rest.
	for _, p := range []string{"PRAGMA synchronous = NORMAL", fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", lazyCheckpointPages)} {
		if _, err := c.ExecContext(ctx, p); err != nil {
			c.Close()
			return nil, err
		}
	}
	return &lazyConn{c}, nil
}

// beginWrite begins a write transaction: on the pool, committed at synchronous=FULL, or with
// lazy on a connection of its own at synchronous=NORMAL (lazyConn), durable once Sync returns.
// The caller holds writeMu, rolls tx back unless committed, then calls done.
func (s *Store) beginWrite(ctx context.Context, lazy bool) (tx *sql.Tx, done func(), err error) {
	if !lazy {
		tx, err = s.db.BeginTx(ctx, nil)
		return tx, func() {}, err
	}
	conn, err := s.lazyConn(ctx)
	if err != nil {
		return nil, nil, err
	}
	if tx, err = conn.BeginTx(ctx, nil); err != nil {
		conn.close()
		return nil, nil, err
	}
	return tx, conn.close, nil
}

// lazyCheckpointPages is the WAL size (in pages, 64 MiB) at which a deferred commit
// checkpoints; SQLite's default, restored for every other writer, is 1000 pages (4 MiB).
const lazyCheckpointPages = 16384

// close returns the connection to the pool with synchronous=FULL (and the default checkpoint
// size) again, or, when that cannot
// be restored, closes it, so that no other caller ever commits on it believing it durable.
func (c *lazyConn) close() {
	for _, p := range []string{"PRAGMA synchronous = FULL", "PRAGMA wal_autocheckpoint = 1000"} {
		if _, err := c.ExecContext(context.Background(), p); err != nil {
			c.Raw(func(any) error { return driver.ErrBadConn })
			break
		}
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
	if err := checkSync(ctx, conn, syncFull); err != nil {
		return err
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
