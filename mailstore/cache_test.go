package mailstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/pouchmail/pouch/mailstore"
)

// TestCacheKiB: the option reaches every pooled connection; without it SQLite's default stays.
func TestCacheKiB(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pouch.db")
	for _, c := range []struct {
		opts []mailstore.Option
		want int
	}{{nil, -2000}, {[]mailstore.Option{mailstore.CacheKiB(256)}, -256}} {
		s, err := mailstore.Open(ctx, path, c.opts...)
		if err != nil {
			t.Fatal(err)
		}
		var got int
		err = mailstore.DB(s).QueryRowContext(ctx, "PRAGMA cache_size").Scan(&got)
		s.Close()
		if err != nil || got != c.want {
			t.Errorf("Open(%d options): cache_size = %d, %v; want %d", len(c.opts), got, err, c.want)
		}
	}
}
