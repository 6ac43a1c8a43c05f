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

// Sync makes every transaction committed so far durable, whatever its synchronous setting: a
// FULL checkpoint copies the whole WAL into the database file, syncing the WAL before and the
// database file after (with F_FULLFSYNC where the connection asks for it). A reader holding
// an older snapshot past the busy timeout leaves part of the WAL uncopied: that is an error
// (*DurabilityError), and the caller must not act as if the data were durable.
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
	if err := conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(FULL)").Scan(&busy, &log, &done); err != nil {
		return &DurabilityError{Err: err}
	}
	if busy != 0 || done != log {
		return &DurabilityError{Err: fmt.Errorf("checkpoint copied %d of %d WAL frames: a reader held an older snapshot", done, log)}
	}
	return nil
}
