package mailstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/pouchmail/pouch/mailstore"
)

// openTest opens a store in a fresh temporary directory (never :memory:,
// which WAL and a pool of connections cannot share).
func openTest(t testing.TB) *mailstore.Store {
	t.Helper()
	s, err := mailstore.Open(context.Background(), filepath.Join(t.TempDir(), "pouch.db"))
	if err != nil {
		t.Fatalf("Open() = %v, want nil", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close() = %v, want nil", err)
		}
	})
	return s
}

func TestOpenCreatesPrivateDirAndFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	path := filepath.Join(dir, "pouch.db")
	s, err := mailstore.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open() = %v, want nil", err)
	}
	defer s.Close()
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	if runtime.GOOS == "windows" {
		return
	}
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("mode of %s = %v, want %v", p, got, want)
		}
	}
}

func TestOpenPathWithSpecialCharacters(t *testing.T) {
	// '?', '#' and '%' would be read as URI syntax if not escaped.
	path := filepath.Join(t.TempDir(), "we?ird#dir %41", "pouch.db")
	s, err := mailstore.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(%q) = %v, want nil", path, err)
	}
	defer s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database file not at %q: %v", path, err)
	}
	if err := mailstore.CheckPragmas(context.Background(), mailstore.DB(s)); err != nil {
		t.Errorf("CheckPragmas() = %v, want nil", err)
	}
}

func TestPragmas(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	want := map[string]string{
		"journal_mode": "wal",
		"synchronous":  "2",
		"foreign_keys": "1",
		"busy_timeout": "5000",
	}
	for name, w := range want {
		var got string
		if err := mailstore.DB(s).QueryRowContext(ctx, "PRAGMA "+name).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", name, err)
		}
		if !strings.EqualFold(got, w) {
			t.Errorf("PRAGMA %s = %s, want %s", name, got, w)
		}
	}
}

// pooledPragmas are the settings every pooled connection must have, written out here
// rather than taken from the package, so that a change to the code's own list fails.
var pooledPragmas = []struct{ name, want string }{
	{"journal_mode", "wal"},
	{"synchronous", "2"}, // FULL: a saved message survives power loss before its DELE
	{"foreign_keys", "1"},
	{"busy_timeout", "5000"}, // ms; a locked archive fails a session after 5 s
}

// Pragmas are per connection: hold many connections at once so the pool
// has to open new ones, and check each.
func TestPragmasOnEveryPooledConnection(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	db := mailstore.DB(s)

	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Accounts(ctx); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Accounts() = %v, want nil", err)
	}

	const n = 8
	conns := make([]*sql.Conn, 0, n)
	for i := 0; i < n; i++ {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	if got := db.Stats().OpenConnections; got < n {
		t.Errorf("OpenConnections = %d, want >= %d", got, n)
	}
	for i, c := range conns {
		for _, p := range pooledPragmas {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+p.name).Scan(&got); err != nil {
				t.Fatalf("connection %d: PRAGMA %s: %v", i, p.name, err)
			}
			if !strings.EqualFold(got, p.want) {
				t.Errorf("connection %d: PRAGMA %s = %s, want %s", i, p.name, got, p.want)
			}
		}
		c.Close()
	}
}

func userVersion(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pouch.db")
	want := mailstore.SchemaVersion()
	if want < 1 {
		t.Fatalf("SchemaVersion() = %d, want >= 1", want)
	}

	// Opening twice is idempotent and keeps data.
	s, err := mailstore.Open(ctx, path)
	if err != nil {
		t.Fatalf("first Open() = %v, want nil", err)
	}
	if err := s.CreateAccount(ctx, testAccount("kept")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if got := userVersion(t, path); got != want {
		t.Errorf("user_version after first open = %d, want %d", got, want)
	}
	s, err = mailstore.Open(ctx, path)
	if err != nil {
		t.Fatalf("second Open() = %v, want nil", err)
	}
	if _, err := s.AccountByName(ctx, "kept"); err != nil {
		t.Errorf("AccountByName() after reopen = %v, want nil", err)
	}
	s.Close()
	if got := userVersion(t, path); got != want {
		t.Errorf("user_version after second open = %d, want %d", got, want)
	}

	// The accounts table must never grow a place for a secret.
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query("SELECT name FROM pragma_table_info('accounts')")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var col string
		rows.Scan(&col)
		for _, bad := range []string{"pass", "secret", "token", "credential"} {
			if strings.Contains(strings.ToLower(col), bad) {
				t.Errorf("accounts has column %q; secrets belong in the keyring", col)
			}
		}
	}
	rows.Close()

	// A database from a newer Pouch is refused, not modified.
	too := want + 5
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", too)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err = mailstore.Open(ctx, path)
	if err == nil {
		s.Close()
		t.Fatalf("Open() of a version %d database = nil, want error", too)
	}
	if !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open() = %q, want an error saying the database is newer", err)
	}
	if got := userVersion(t, path); got != too {
		t.Errorf("user_version = %d after refused open, want %d", got, too)
	}
}

func TestOpenConcurrently(t *testing.T) {
	// Two processes starting at once must not both apply a migration.
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pouch.db")
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := mailstore.Open(ctx, path)
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open() #%d = %v, want nil", i, err)
		}
	}
}

// The verification must catch a connection whose settings did not take,
// such as one opened with a misspelt DSN option.
func TestCheckPragmasDetectsMisspeltOption(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plain.db")
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&synchronous=FULL&_foreign_keys=on&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = mailstore.CheckPragmas(context.Background(), db)
	if err == nil || !strings.Contains(err.Error(), "synchronous") {
		t.Errorf("CheckPragmas() = %v, want an error about synchronous", err)
	}
}

func TestListingUsesIndex(t *testing.T) {
	s := openTest(t)
	for _, q := range []string{
		"SELECT id FROM messages m ORDER BY coalesce(m.date, m.received) DESC, m.id DESC LIMIT 50",
		"SELECT id FROM messages m WHERE m.account_id = 1 ORDER BY coalesce(m.date, m.received) DESC, m.id DESC LIMIT 50",
	} {
		rows, err := mailstore.DB(s).Query("EXPLAIN QUERY PLAN " + q)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		p := strings.Join(plan, "; ")
		if strings.Contains(p, "TEMP B-TREE") || !strings.Contains(p, "INDEX messages_by_") {
			t.Errorf("plan for %q = %q, want an index scan without sorting", q, p)
		}
	}
}
