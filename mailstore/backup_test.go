package mailstore_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

// TestBackupWhileWriting: VACUUM INTO copies what is committed while another connection (say
// the window's fetch) holds a write transaction open, and the copy checks clean.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := newAccount(t, s, "home")
	saveN(t, s, a, 5)

	other, err := mailstore.Open(ctx, s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := mailstore.DB(other).BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE accounts SET username = 'uncommitted'`); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(t.TempDir(), "backup.db")
	done := make(chan error, 1)
	go func() { done <- s.BackupTo(ctx, out) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("backup waited for the writer")
	}
	tx.Rollback()

	r, err := mailstore.VerifyFile(ctx, out)
	if err != nil || r.Messages != 5 {
		t.Fatalf("VerifyFile = %+v, %v; want 5 messages, no problems", r, err)
	}
	b, err := mailstore.Open(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got, err := b.AccountByName(ctx, "home")
	if err != nil || got.Username == "uncommitted" {
		t.Errorf("backup account = %+v, %v; want the committed state", got, err)
	}
	if err := s.BackupTo(ctx, out); err == nil || !errors.Is(err, os.ErrExist) {
		t.Errorf("backup onto an existing file = %v", err)
	}
}

func TestLockExclusive(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if _, err := mailstore.LockExclusive(ctx, s.Path()); !errors.Is(err, mailstore.ErrInUse) {
		t.Fatalf("LockExclusive while open = %v, want ErrInUse", err)
	}
	path := s.Path()
	s.Close()
	x, err := mailstore.LockExclusive(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if empty, err := x.Empty(ctx); err != nil || !empty {
		t.Errorf("Empty = %v, %v", empty, err)
	}
	// Nobody opens it meanwhile.
	db, _ := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=0")
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM accounts").Scan(&n); err == nil {
		t.Error("another connection read the locked archive")
	}
	x.Close()
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM accounts").Scan(&n); err != nil {
		t.Errorf("after Close: %v", err)
	}
}
