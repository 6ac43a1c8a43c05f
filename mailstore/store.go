// Package mailstore is Pouch's local archive: a SQLite database holding
// account settings (never secrets), every downloaded message as the exact raw
// bytes received plus parsed headers for display, and the per-account UIDL
// ledger that decides what to download and when to delete from the server.
//
// Build with -tags sqlite_fts5.
package mailstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
)

var (
	// ErrNotFound reports that the requested account or message does not exist.
	ErrNotFound = errors.New("mailstore: not found")
	// ErrExists reports that an account name is already taken.
	ErrExists = errors.New("mailstore: already exists")
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Store is an open archive. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string
	// writeMu orders this process's long write transactions (batch saves, index batches) so
	// they queue here instead of in SQLite's sleeping busy handler.
	writeMu sync.Mutex
}

// pragma is a connection setting and the value PRAGMA reports once it took
// effect.
type pragma struct {
	name string
	want string
}

// mattn/go-sqlite3 applies these DSN options on every new pooled connection,
// and silently ignores misspelt ones; pragmas lists what must be read back.
// synchronous=FULL: a saved message must survive power loss, because the
// server-side delete depends on it (WAL defaults to NORMAL otherwise).
const dsnOptions = "_journal_mode=WAL&_synchronous=FULL&_foreign_keys=on&_busy_timeout=5000&_txlock=immediate"

// driverName is go-sqlite3 with a connect hook for the settings its DSN cannot express.
const driverName = "sqlite3-pouch"

// connPragmas run on every new pooled connection, after the DSN options. fullfsync: on macOS
// a plain fsync leaves the data in the drive's cache, so synchronous=FULL is only durable with
// F_FULLFSYNC (elsewhere the flag is recorded and has no effect).
var connPragmas = []string{"PRAGMA fullfsync = ON"}

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		for _, p := range connPragmas {
			if _, err := c.Exec(p, nil); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
		}
		return nil
	}})
}

var pragmas = []pragma{
	{"journal_mode", "wal"},
	{"synchronous", "2"}, // FULL
	{"foreign_keys", "1"},
	{"busy_timeout", "5000"},
	{"fullfsync", "1"},
}

// An Option changes how Open sets up the pooled connections.
type Option func(*options)

type options struct {
	cacheKiB int
}

// CacheKiB bounds each pooled connection's page cache to kib KiB instead of SQLite's default
// 2,000 KiB. The window uses it: its queries read a page of rows at a time, the pages it misses
// are still in the OS's file cache, and every connection the pool keeps holds a cache of its
// own (bench/RESULTS.md, "The window's memory").
func CacheKiB(kib int) Option { return func(o *options) { o.cacheKiB = kib } }

// Open opens the archive at path, creating the file and its parent directory
// (mode 0700) if needed, applies pending migrations and verifies the
// connection settings.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("mailstore: open %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("mailstore: open %s: %w", path, err)
	}
	// Create the file ourselves so it is private from the start; SQLite
	// would create it with the umask's default (often world-readable).
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("mailstore: open %s: %w", path, err)
	}
	f.Close()

	db, err := sql.Open(driverName, dsn(abs, o))
	if err != nil {
		return nil, fmt.Errorf("mailstore: open %s: %w", path, err)
	}
	s := &Store{db: db, path: abs}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("mailstore: open %s: %w", path, err)
	}
	return s, nil
}

// dsn builds a file: URI so that '?', '#' or '%' in the path cannot be
// mistaken for options.
func dsn(abs string, o options) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // Windows drive letter
	}
	q := dsnOptions
	if o.cacheKiB > 0 {
		q += fmt.Sprintf("&_cache_size=-%d", o.cacheKiB) // negative: KiB rather than pages
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: q}
	return u.String()
}

func (s *Store) init(ctx context.Context) error {
	conn, err := s.firstConn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := checkPragmas(ctx, conn); err != nil {
		return err
	}
	return migrate(ctx, conn)
}

// firstConn opens the first connection. Switching a new file to WAL needs
// an exclusive lock and SQLite may answer SQLITE_BUSY without calling the
// busy handler (to avoid a deadlock) when another process is doing the same,
// so that case is retried here for up to the busy timeout.
func (s *Store) firstConn(ctx context.Context) (*sql.Conn, error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		conn, err := s.db.Conn(ctx)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return conn, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func isBusy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

// querier is what *sql.DB, *sql.Conn and *sql.Tx have in common.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// checkPragmas reads every required pragma back on q's connection.
func checkPragmas(ctx context.Context, q querier) error {
	for _, p := range pragmas {
		var got string
		if err := q.QueryRowContext(ctx, "PRAGMA "+p.name).Scan(&got); err != nil {
			return fmt.Errorf("read pragma %s: %w", p.name, err)
		}
		if !strings.EqualFold(got, p.want) {
			return fmt.Errorf("pragma %s = %s, want %s", p.name, got, p.want)
		}
	}
	return nil
}

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in order, checking that they
// are numbered 1, 2, 3... without gaps.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var ms []migration
	for i, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v != i+1 {
			return nil, fmt.Errorf("migration %s: want number %04d", base, i+1)
		}
		b, err := migrationFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	return ms, nil
}

// SchemaVersion is the schema version this code writes (PRAGMA user_version).
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// migrate applies each pending migration in its own transaction. The
// version is re-read inside the (immediate) transaction so that two
// processes opening the same file at once do not both apply it.
func migrate(ctx context.Context, conn *sql.Conn) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	latest := 0
	if len(ms) > 0 {
		latest = ms[len(ms)-1].version
	}
	var current int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > latest {
		return fmt.Errorf("database schema version %d is newer than this program supports (%d); use a newer Pouch", current, latest)
	}
	for _, m := range ms {
		if m.version <= current {
			continue
		}
		if err := applyMigration(ctx, conn, m); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, conn *sql.Conn, m migration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var current int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return err
	}
	if current >= m.version {
		return nil // applied meanwhile by another process
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	// user_version is part of the database header, so it commits or rolls
	// back with the migration.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
		return err
	}
	return tx.Commit()
}

// Close closes the database.
func (s *Store) Close() error {
	return s.db.Close()
}

// Path returns the absolute path of the database file.
func (s *Store) Path() string {
	return s.path
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintUnique ||
			se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
	}
	return false
}
