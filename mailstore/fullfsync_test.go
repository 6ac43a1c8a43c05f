package mailstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/pouchmail/pouch/mailstore"
)

// On macOS, synchronous=FULL only reaches the disk platter with F_FULLFSYNC; SQLite uses it
// when fullfsync is on. The flag is per connection, so several pooled connections are held
// at once and each is asked.
func TestFullFsyncOnEveryPooledConnection(t *testing.T) {
	ctx := context.Background()
	s, err := mailstore.Open(ctx, filepath.Join(t.TempDir(), "pouch.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db := mailstore.DB(s)
	const n = 5
	conns := make([]*sql.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := 0; i < n; i++ {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	if got := db.Stats().OpenConnections; got < n {
		t.Fatalf("OpenConnections = %d, want >= %d", got, n)
	}
	for i, c := range conns {
		var v int
		if err := c.QueryRowContext(ctx, "PRAGMA fullfsync").Scan(&v); err != nil {
			t.Fatalf("connection %d: PRAGMA fullfsync: %v", i, err)
		}
		if v != 1 {
			t.Errorf("connection %d: PRAGMA fullfsync = %d, want 1", i, v)
		}
	}
}
