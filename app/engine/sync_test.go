package engine_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/cli"
	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/internal/testenv"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

func serverCount(t *testing.T, d *pop3test.Dovecot) int {
	t.Helper()
	files, err := d.MaildirFiles("alice")
	if err != nil {
		t.Fatal(err)
	}
	return len(files)
}

func setRetention(t *testing.T, store *mailstore.Store, a *mailstore.Account, leaveDays int, forever bool) {
	t.Helper()
	db := rawDB(t, store)
	if _, err := db.Exec(`UPDATE accounts SET leave_days = ?, keep_forever = ? WHERE id = ?`, leaveDays, forever, a.ID); err != nil {
		t.Fatal(err)
	}
	a.LeaveDays, a.KeepForever = leaveDays, forever
}

// rawDB opens a second connection pool on the archive, for fixtures the API does not offer.
func rawDB(t *testing.T, store *mailstore.Store) *sql.DB {
	t.Helper()
	// Escaped: a fuzz seed's temp dir has a '#' in its name, which would end a URI's path.
	path := strings.NewReplacer("%", "%25", "#", "%23", "?", "%3f").Replace(store.Path())
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestRetentionAgainstDovecot: leave-days N deletes exactly N days after first seen (never
// earlier), changing N applies to messages already on the server, and the ledger records the
// deletions and is pruned afterwards.
func TestRetentionAgainstDovecot(t *testing.T) {
	e, store, a, d, clk := setup(t, mailstore.SecurityNone)
	ctx := context.Background()
	mustDeliver(t, d, "one", "Subject: one\n\nfirst\n")
	mustDeliver(t, d, "two", "Subject: two\n\nsecond\n")
	if res := e.Fetch(ctx, a, nil); res.Err != nil || res.New != 2 || res.Deleted != 0 {
		t.Fatalf("first fetch = %+v", res)
	}
	clk.add(3 * 24 * time.Hour)
	mustDeliver(t, d, "three", "Subject: three\n\nthird\n")
	if res := e.Fetch(ctx, a, nil); res.Err != nil || res.New != 1 || res.Deleted != 0 {
		t.Fatalf("fetch after 3 days = %+v", res)
	}
	// 14 days minus a second after the first two were first seen: still kept.
	clk.add(11*24*time.Hour - time.Second)
	if res := e.Fetch(ctx, a, nil); res.Err != nil || res.Deleted != 0 || serverCount(t, d) != 3 {
		t.Fatalf("fetch just before 14 days = %+v, server %d", res, serverCount(t, d))
	}
	clk.add(time.Second)
	res := e.Fetch(ctx, a, nil)
	if res.Err != nil || res.Deleted != 2 || serverCount(t, d) != 1 {
		t.Fatalf("fetch at 14 days = %+v, server has %d, want 2 deleted", res, serverCount(t, d))
	}
	ledger, _ := store.Ledger(ctx, a.ID)
	if len(ledger) != 3 {
		t.Errorf("ledger after the deleting session has %d rows, want 3 (deleted ones marked)", len(ledger))
	}
	for _, le := range ledger {
		if (le.DeletedFromServer == nil) != (le.FirstSeen.Equal(clk.now().Add(-11 * 24 * time.Hour))) {
			t.Errorf("ledger row %+v: wrong deleted_at", le)
		}
	}
	// The next session prunes the rows of deleted messages.
	if res := e.Fetch(ctx, a, nil); res.Err != nil || res.Pruned != 2 {
		t.Errorf("pruning fetch = %+v, want 2 pruned", res)
	}
	// Changing leave-days to 1 applies to the remaining message (first seen 11 days ago).
	setRetention(t, store, a, 1, false)
	if res := e.Fetch(ctx, a, nil); res.Err != nil || res.Deleted != 1 || serverCount(t, d) != 0 {
		t.Errorf("fetch with leave-days 1 = %+v, server %d", res, serverCount(t, d))
	}
	if n, _ := store.CountMessages(ctx, a.ID); n != 3 {
		t.Errorf("%d messages stored, want 3 (deletion on the server keeps the local copy)", n)
	}
}

func TestLeaveDaysZeroAndKeepForever(t *testing.T) {
	e, store, a, d, clk := setup(t, mailstore.SecurityNone)
	ctx := context.Background()
	setRetention(t, store, a, 0, true)
	mustDeliver(t, d, "one", "Subject: one\n\nfirst\n")
	clk.add(10000 * 24 * time.Hour)
	if res := e.Fetch(ctx, a, nil); res.Err != nil || res.New != 1 || res.Deleted != 0 || serverCount(t, d) != 1 {
		t.Fatalf("keep forever: %+v", res)
	}
	rows, err := e.Retention(ctx, "")
	if err != nil || len(rows) != 1 || rows[0].DeleteAfter != nil || !rows[0].Local {
		t.Fatalf("Retention = %+v, %v; want one local row kept forever", rows, err)
	}
	setRetention(t, store, a, 0, false)
	mustDeliver(t, d, "two", "Subject: two\n\nsecond\n")
	if res := e.Fetch(ctx, a, nil); res.Err != nil || res.New != 1 || res.Deleted != 2 || serverCount(t, d) != 0 {
		t.Fatalf("leave-days 0: %+v, server %d", res, serverCount(t, d))
	}
}

// TestDeleteRequestedHere: a ledger row with delete_requested_at is DELEted at the next
// session, even when kept forever.
func TestDeleteRequestedHere(t *testing.T) {
	e, store, a, d, clk := setup(t, mailstore.SecurityNone)
	ctx := context.Background()
	setRetention(t, store, a, 0, true)
	mustDeliver(t, d, "one", "Subject: one\n\nfirst\n")
	mustDeliver(t, d, "two", "Subject: two\n\nsecond\n")
	if res := e.Fetch(ctx, a, nil); res.Err != nil || res.New != 2 {
		t.Fatalf("fetch = %+v", res)
	}
	ledger, _ := store.Ledger(ctx, a.ID)
	var one string
	for u, le := range ledger {
		m, _ := store.Message(ctx, le.MessageID)
		if m.Subject == "one" {
			one = u
		}
	}
	if err := store.RequestServerDelete(ctx, a.ID, []string{one}, clk.now()); err != nil {
		t.Fatal(err)
	}
	if res := e.Fetch(ctx, a, nil); res.Err != nil || res.Deleted != 1 {
		t.Fatalf("fetch = %+v, want 1 deleted", res)
	}
	files, _ := d.MaildirFiles("alice")
	if _, ok := files["two"]; len(files) != 1 || !ok {
		t.Errorf("server holds %v, want only two", files)
	}
}

// TestHashMismatchBlocksDele: a stored copy whose bytes no longer match its hash stops the
// session before any DELE.
func TestHashMismatchBlocksDele(t *testing.T) {
	e, store, a, d, _ := setup(t, mailstore.SecurityNone)
	ctx := context.Background()
	setRetention(t, store, a, 0, true)
	mustDeliver(t, d, "one", "Subject: one\n\nfirst\n")
	if res := e.Fetch(ctx, a, nil); res.Err != nil || res.New != 1 {
		t.Fatalf("fetch = %+v", res)
	}
	if _, err := rawDB(t, store).Exec(`UPDATE messages SET raw = CAST('tampered' AS BLOB)`); err != nil {
		t.Fatal(err)
	}
	setRetention(t, store, a, 0, false)
	res := e.Fetch(ctx, a, nil)
	var ierr *mailstore.IntegrityError
	var nd *engine.NotDeletedError
	if !errors.As(res.Err, &ierr) || !errors.As(res.Err, &nd) || res.Deleted != 0 {
		t.Fatalf("fetch = %+v, want an IntegrityError and no deletion", res)
	}
	if serverCount(t, d) != 1 {
		t.Errorf("the server copy was deleted despite the hash mismatch")
	}
}

func TestSessionLock(t *testing.T) {
	e, store, a, d, _ := setup(t, mailstore.SecurityNone)
	ctx := context.Background()
	mustDeliver(t, d, "one", "Subject: one\n\nfirst\n")
	// A second engine on the same data (another process, as far as the lock is concerned)
	// holds the account while the first one fetches.
	block := make(chan struct{})
	held := make(chan struct{})
	sec := secrets.NewMemory()
	if err := sec.Set("home", "secret-pw"); err != nil {
		t.Fatal(err)
	}
	e2 := engine.New(store, sec, engine.Options{Checkpoint: func(name string) {
		if name == engine.CheckpointRetr {
			close(held)
			<-block
		}
	}})
	done := make(chan engine.Result)
	go func() { done <- e2.Fetch(ctx, a, nil) }()
	<-held
	res := e.Fetch(ctx, a, nil)
	var lerr *engine.LockedError
	if !errors.As(res.Err, &lerr) || !strings.Contains(res.Err.Error(), `another Pouch is fetching account "home"`) {
		t.Errorf("concurrent fetch = %v, want a LockedError", res.Err)
	}
	close(block)
	if r := <-done; r.Err != nil || r.New != 1 {
		t.Errorf("the lock holder's session = %+v", r)
	}
}

// TestSessionLockHeld uses a real second holder of the lock file: a child process.
func TestSessionLockAcrossProcesses(t *testing.T) {
	if os.Getenv("POUCH_TEST_HOLD_LOCK") != "" {
		// Child: hold the lock until stdin closes.
		dir := os.Getenv("POUCH_TEST_HOLD_LOCK")
		store, err := mailstore.Open(context.Background(), filepath.Join(dir, "pouch.db"))
		if err != nil {
			fmt.Println("open:", err)
			os.Exit(1)
		}
		a, _ := store.AccountByName(context.Background(), "home")
		sec := secrets.NewMemory()
		_ = sec.Set("home", "secret-pw")
		e := engine.New(store, sec, engine.Options{DataDir: dir, Checkpoint: func(name string) {
			if name == engine.CheckpointRetr {
				fmt.Println("holding")
				io.Copy(io.Discard, os.Stdin)
			}
		}})
		res := e.Fetch(context.Background(), a, nil)
		fmt.Println("child done:", res.Err)
		os.Exit(0)
	}
	_, store, a, d, _ := setup(t, mailstore.SecurityNone)
	ctx := context.Background()
	mustDeliver(t, d, "one", "Subject: one\n\nfirst\n")
	dir := filepath.Dir(store.Path())
	cmd := exec.Command(os.Args[0], "-test.run=^TestSessionLockAcrossProcesses$")
	cmd.Env = append(os.Environ(), "POUCH_TEST_HOLD_LOCK="+dir)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, _ := stdout.Read(buf)
	if !strings.Contains(string(buf[:n]), "holding") {
		stdin.Close()
		cmd.Wait()
		t.Fatalf("child said %q", buf[:n])
	}
	sec := secrets.NewMemory()
	_ = sec.Set("home", "secret-pw")
	e := engine.New(store, sec, engine.Options{DataDir: dir})
	res := e.Fetch(ctx, a, nil)
	var lerr *engine.LockedError
	if !errors.As(res.Err, &lerr) {
		t.Errorf("fetch while another process holds the lock = %v, want a LockedError", res.Err)
	}
	stdin.Close()
	rest, _ := io.ReadAll(stdout)
	cmd.Wait()
	if !strings.Contains(string(rest), "child done: <nil>") {
		t.Errorf("child: %s", rest)
	}
	// Once released, a session runs.
	if res := e.Fetch(ctx, a, nil); res.Err != nil {
		t.Errorf("fetch after release = %v", res.Err)
	}
}

// scriptedAccount is the fixture on a scripted server, logging in with USER and "pw".
func scriptedAccount(t *testing.T, srv *pop3test.Server, leaveDays int, forever bool) (*engine.Engine, *mailstore.Store, *mailstore.Account) {
	f := newFixture(t, fixtureOptions{addr: srv.Addr(), auth: "USER", password: "pw", leaveDays: leaveDays, forever: forever})
	return f.e, f.store, f.a
}

func loginSteps(capa ...string) []pop3test.Step {
	return []pop3test.Step{
		pop3test.Reply("+OK ready"),
		pop3test.Exchange("CAPA", append(append([]string{"+OK"}, capa...), ".")...),
		pop3test.Exchange("USER alice", "+OK"),
		pop3test.Exchange("PASS pw", "+OK logged in"),
		pop3test.Exchange("CAPA", append(append([]string{"+OK"}, capa...), ".")...),
	}
}

// TestNoUIDLServer: leave-days 0 works by message number in one session; anything else is a
// clear error.
func TestNoUIDLServer(t *testing.T) {
	steps := append(loginSteps("USER", "TOP"),
		pop3test.Exchange("UIDL", "-ERR unknown command"),
		pop3test.Exchange("LIST", "+OK", "1 18", "2 18", "."),
		pop3test.Exchange("RETR 1", "+OK", "Subject: a", "", "one", "."),
		pop3test.Exchange("RETR 2", "+OK", "Subject: b", "", "two", "."),
		pop3test.Exchange("DELE 1", "+OK"),
		pop3test.Exchange("DELE 2", "+OK"),
		pop3test.Exchange("QUIT", "+OK bye"),
	)
	srv := pop3test.NewServer(t, steps...)
	e, store, a := scriptedAccount(t, srv, 0, false)
	res := e.Fetch(context.Background(), a, nil)
	if res.Err != nil || res.New != 2 || res.Deleted != 2 {
		t.Fatalf("fetch = %+v", res)
	}
	srv.Wait()
	if n, _ := store.CountMessages(context.Background(), a.ID); n != 2 {
		t.Errorf("%d stored, want 2", n)
	}

	srv2 := pop3test.NewServer(t, append(loginSteps("USER"),
		pop3test.Exchange("UIDL", "-ERR unknown command"), pop3test.ExpectEOF())...)
	e2, _, a2 := scriptedAccount(t, srv2, 7, false)
	res = e2.Fetch(context.Background(), a2, nil)
	var nu *engine.NoUIDLError
	if !errors.As(res.Err, &nu) || !strings.Contains(res.Err.Error(), "leaving mail on it is impossible") {
		t.Errorf("leave-days 7 without UIDL = %v, want a NoUIDLError", res.Err)
	}
}

// TestQuitFailureRecordsNoDeletion: DELE accepted but QUIT refused: deleted_at stays unset.
func TestQuitFailureRecordsNoDeletion(t *testing.T) {
	steps := append(loginSteps("USER", "UIDL"),
		pop3test.Exchange("UIDL", "+OK", "1 aaa", "."),
		pop3test.Exchange("RETR 1", "+OK", "Subject: a", "", "one", "."),
		pop3test.Exchange("DELE 1", "+OK"),
		pop3test.Exchange("QUIT", "-ERR [SYS/TEMP] could not remove messages"),
	)
	srv := pop3test.NewServer(t, steps...)
	e, store, a := scriptedAccount(t, srv, 0, false)
	res := e.Fetch(context.Background(), a, nil)
	var perr *pop3.Error
	if !errors.As(res.Err, &perr) || perr.Command != "QUIT" || res.Deleted != 0 || res.New != 1 {
		t.Fatalf("fetch = %+v, want the QUIT error", res)
	}
	ledger, _ := store.Ledger(context.Background(), a.ID)
	if le := ledger["aaa"]; le.Downloaded == nil || le.DeletedFromServer != nil {
		t.Errorf("ledger = %+v, want downloaded and not deleted", le)
	}
}

// TestHundredThousandUIDLs: a session over messages left on the server (all known) is linear
// in their number: one over 100,000 takes less than eight times as long as one over 25,000
// (four when linear, sixteen when quadratic). The best of up to three tries each, as the
// machine may be busy.
func TestHundredThousandUIDLs(t *testing.T) {
	const n = 100000
	uidls := make([]string, n)
	for i := range uidls {
		uidls[i] = fmt.Sprintf("uid-%08d-%x", i, i*7919)
	}
	ctx := context.Background()
	session := func(k int) time.Duration {
		listing := pop3test.WriteFunc(func(w io.Writer) error {
			io.WriteString(w, "+OK\r\n")
			for i, u := range uidls[:k] {
				fmt.Fprintf(w, "%d %s\r\n", i+1, u)
			}
			_, err := io.WriteString(w, ".\r\n")
			return err
		})
		srv := pop3test.NewServer(t, append(loginSteps("USER", "UIDL"), pop3test.Expect("UIDL"), listing, pop3test.Exchange("QUIT", "+OK"))...)
		e, store, a := scriptedAccount(t, srv, 0, true)
		if err := store.MarkSeen(ctx, a.ID, uidls[:k], time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := rawDB(t, store).Exec(`UPDATE ledger SET downloaded_at = first_seen`); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		res := e.Fetch(ctx, a, nil)
		took := time.Since(start)
		if res.Err != nil || res.OnServer != k || res.New != 0 {
			t.Fatalf("fetch = %+v", res)
		}
		return took
	}
	best := map[int]time.Duration{}
	for range 3 {
		for _, k := range []int{n / 4, n} {
			if took := session(k); best[k] == 0 || took < best[k] {
				best[k] = took
			}
		}
		if best[n] < 8*best[n/4] {
			break
		}
	}
	t.Logf("sessions over known UIDLs: %d in %v, %d in %v", n/4, best[n/4], n, best[n])
	if best[n] >= 8*best[n/4] {
		t.Errorf("a session over %d UIDLs took %v, over %d %v: not linear", n, best[n], n/4, best[n/4])
	}
}

// TestSizeLimitPartialAndFetchFull: a message over the size limit is stored as headers only,
// never DELEted, and FetchFull replaces it in place.
func TestSizeLimitPartialAndFetchFull(t *testing.T) {
	e, store, a, d, _ := setup(t, mailstore.SecurityNone)
	ctx := context.Background()
	big := "Subject: big\n\n" + strings.Repeat("0123456789abcdef\n", 1000) + "zanzibar\n"
	mustDeliver(t, d, "big", big)
	mustDeliver(t, d, "small", "Subject: small\n\nhi\n")
	if _, err := rawDB(t, store).Exec(`UPDATE accounts SET size_limit = 4096, leave_days = 0 WHERE id = ?`, a.ID); err != nil {
		t.Fatal(err)
	}
	a.SizeLimit, a.LeaveDays = 4096, 0
	res := e.Fetch(ctx, a, nil)
	if res.Err != nil || res.New != 2 || res.Partial != 1 || res.Deleted != 1 {
		t.Fatalf("fetch = %+v, want 2 new, 1 partial, 1 deleted", res)
	}
	files, _ := d.MaildirFiles("alice")
	if _, ok := files["big"]; !ok || len(files) != 1 {
		t.Fatalf("server has %d files; the partial one must stay", len(files))
	}
	msgs, _ := store.Messages(ctx, mailstore.Filter{})
	var id int64
	for _, m := range msgs {
		if m.Subject == "big" {
			id = m.ID
			if !m.Partial || m.Size > 100 {
				t.Errorf("big message stored as %+v, want partial headers", m)
			}
		}
	}
	// Another session still does not delete it.
	if res := e.Fetch(ctx, a, nil); res.Err != nil || res.Deleted != 0 {
		t.Errorf("second fetch = %+v", res)
	}
	full, err := e.FetchFull(ctx, id, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.ReplaceAll(big, "\n", "\r\n")
	raw, _ := store.Raw(ctx, id)
	if full.ID != id || full.Partial || string(raw) != want {
		t.Fatalf("after FetchFull: %+v, %d bytes, want the full %d bytes", full, len(raw), len(want))
	}
	// The body, absent from the headers-only copy, is searchable once the message is complete.
	if found, err := e.Search(ctx, "zanzibar", 10); err != nil || len(found) != 1 || found[0].ID != id {
		t.Errorf("search for a word of the full body = %v, %v; want message %d", found, err, id)
	}
	if res := e.Fetch(ctx, a, nil); res.Err != nil || res.Deleted != 1 || serverCount(t, d) != 0 {
		t.Errorf("fetch after FetchFull = %+v, want the now complete message deleted", res)
	}
}

// TestLockedDatabaseStopsWithoutDele: another writer takes the database in the middle of a
// session, after a message is downloaded and before it is committed: the session stops before
// any DELE and says why. A message stored earlier and due for deletion would be DELEted by a
// session that went on past the failed commit, so a DELE shows on the server.
func TestLockedDatabaseStopsWithoutDele(t *testing.T) {
	e, store, a, d, clk := setup(t, mailstore.SecurityNone)
	ctx := context.Background()
	// "due" is stored while kept forever, then becomes due with leave-days 0.
	setRetention(t, store, a, 0, true)
	mustDeliver(t, d, "due", "Subject: due\n\nstored before\n")
	if res := e.Fetch(ctx, a, nil); res.Err != nil || res.New != 1 || res.Deleted != 0 {
		t.Fatalf("first fetch = %+v", res)
	}
	setRetention(t, store, a, 0, false)
	mustDeliver(t, d, "new", "Subject: new\n\nfirst\n")

	db := rawDB(t, store)
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	sec := secrets.NewMemory()
	if err := sec.Set("home", "secret-pw"); err != nil {
		t.Fatal(err)
	}
	var (
		once    sync.Once
		lockErr = errors.New("the retr checkpoint was never reached")
	)
	locking := engine.New(store, sec, engine.Options{Now: clk.now, Timeout: 10 * time.Second, Checkpoint: func(name string) {
		if name == engine.CheckpointRetr {
			once.Do(func() { _, lockErr = conn.ExecContext(ctx, "BEGIN IMMEDIATE") })
		}
	}})
	res := locking.Fetch(ctx, a, nil)
	if lockErr != nil {
		t.Fatalf("taking the database lock during the session: %v", lockErr)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	var nd *engine.NotDeletedError
	if !errors.As(res.Err, &nd) || !strings.Contains(res.Err.Error(), "locked") {
		t.Errorf("fetch with the database locked = %v, want NotDeletedError saying locked", res.Err)
	}
	if n := serverCount(t, d); res.Deleted != 0 || n != 2 {
		t.Fatalf("deleted %d, server has %d of 2 messages: a DELE was sent", res.Deleted, n)
	}
	// Unlocked, the same session deletes both: the messages were due, so the check above
	// would have seen a DELE.
	if res := e.Fetch(ctx, a, nil); res.Err != nil || res.Deleted != 2 || serverCount(t, d) != 0 {
		t.Errorf("fetch after the lock is released = %+v, server %d; want both deleted", res, serverCount(t, d))
	}
}

// mountTmpfs mounts a small tmpfs (root only) and returns its path.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		testenv.Missing(t, "TMPFS", "cannot mount a tmpfs (needs root): %v %s", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// onDisk is the fixture on Dovecot with its data in dir, leave-days 0, on the real time.
func onDisk(t *testing.T, d *pop3test.Dovecot, dir string) (*engine.Engine, *mailstore.Store, *mailstore.Account) {
	f := newFixture(t, fixtureOptions{addr: d.PlainAddr, dataDir: dir, wallClock: true})
	return f.e, f.store, f.a
}

func TestDiskFullStopsWithoutDele(t *testing.T) {
	d := testenv.Dovecot(t, nil)
	dir := mountTmpfs(t, "3m")
	e, _, a := onDisk(t, d, dir)
	mustDeliver(t, d, "small", "Subject: small\n\nhi\n")
	mustDeliver(t, d, "huge", "Subject: huge\n\n"+strings.Repeat(strings.Repeat("x", 76)+"\n", 60000))
	res := e.Fetch(context.Background(), a, nil)
	t.Logf("disk full: %v", res.Err)
	var nd *engine.NotDeletedError
	if !errors.As(res.Err, &nd) || !strings.Contains(strings.ToLower(res.Err.Error()), "full") && !strings.Contains(res.Err.Error(), "no space") {
		t.Errorf("fetch onto a full disk = %v, want NotDeletedError saying the disk is full", res.Err)
	}
	if res.Deleted != 0 || serverCount(t, d) != 2 {
		t.Errorf("deleted %d, server has %d; want nothing deleted", res.Deleted, serverCount(t, d))
	}
}

// cliFetch runs `pouch --data-dir dir fetch --json` in-process with the password in memory.
func cliFetch(dir string) (code int, stdout, stderr string) {
	sec := secrets.NewMemory()
	_ = sec.Set("home", "secret-pw")
	var out, errb strings.Builder
	code = cli.Main(context.Background(), cli.Env{Args: []string{"--data-dir", dir, "fetch", "--json"},
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }, Secrets: sec})
	return code, out.String(), errb.String()
}

// TestReadOnlyDataDir: `pouch fetch` on a data dir that became read-only stops before any
// session, with a clear reason, and the server keeps everything: here a message already
// stored and due for deletion, which a fetch that went on (say, on an archive opened
// read-only) would DELE.
func TestReadOnlyDataDir(t *testing.T) {
	d := testenv.Dovecot(t, nil)
	dir := mountTmpfs(t, "16m")
	e, store, a := onDisk(t, d, dir)
	ctx := context.Background()
	a.KeepForever = true
	if err := e.UpdateAccount(ctx, a, nil); err != nil {
		t.Fatal(err)
	}
	mustDeliver(t, d, "due", "Subject: due\n\nstored before\n")
	if res := e.Fetch(ctx, a, nil); res.Err != nil || res.New != 1 || res.Deleted != 0 {
		t.Fatalf("first fetch = %+v", res)
	}
	a.KeepForever = false // leave-days 0: "due" is deleted by the next session
	if err := e.UpdateAccount(ctx, a, nil); err != nil {
		t.Fatal(err)
	}
	store.Close() // no file open for writing, or the remount fails as busy
	if out, err := exec.Command("mount", "-o", "remount,ro", dir).CombinedOutput(); err != nil {
		testenv.Missing(t, "TMPFS", "remount read-only: %v %s", err, bytes.TrimSpace(out))
	}
	defer exec.Command("mount", "-o", "remount,rw", dir).Run() // harmless when already rw
	code, stdout, stderr := cliFetch(dir)
	if code != 1 || !strings.Contains(stderr, "read-only") {
		t.Errorf("fetch in a read-only data dir: exit %d, stdout %q, stderr %q; want exit 1 and a read-only error", code, stdout, stderr)
	}
	if n := serverCount(t, d); n != 1 {
		t.Fatalf("server has %d messages after the failed fetch, want 1: the due message was deleted", n)
	}
	// Writable again, the same fetch deletes it: the check above would have seen a DELE.
	if out, err := exec.Command("mount", "-o", "remount,rw", dir).CombinedOutput(); err != nil {
		t.Fatalf("remount read-write: %v %s", err, out)
	}
	if code, stdout, stderr := cliFetch(dir); code != 0 || serverCount(t, d) != 0 {
		t.Errorf("fetch once writable: exit %d, stdout %q, stderr %q, server %d; want the due message deleted",
			code, stdout, stderr, serverCount(t, d))
	}
}

func TestDeleteReasonTable(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(t time.Time) *time.Time { return &t }
	stored := mailstore.LedgerEntry{UIDL: "u", FirstSeen: t0, Downloaded: at(t0), MessageID: 1}
	notStored := mailstore.LedgerEntry{UIDL: "u", FirstSeen: t0}
	requested := stored
	requested.DeleteRequested = at(t0)
	requestedGone := notStored
	requestedGone.Downloaded = at(t0)
	requestedGone.DeleteRequested = at(t0)
	tests := []struct {
		name      string
		leaveDays int
		forever   bool
		le        mailstore.LedgerEntry
		now       time.Time
		want      string
	}{
		{"leave 0, stored", 0, false, stored, t0, "retention"},
		{"leave 0, not stored", 0, false, notStored, t0.Add(1000 * 24 * time.Hour), ""},
		{"leave 14, a second early", 14, false, stored, t0.Add(14*24*time.Hour - time.Second), ""},
		{"leave 14, due", 14, false, stored, t0.Add(14 * 24 * time.Hour), "retention"},
		{"leave 14, clock before first seen", 14, false, stored, t0.Add(-time.Hour), ""},
		{"keep forever", 0, true, stored, t0.Add(100000 * 24 * time.Hour), ""},
		{"keep forever, deleted here", 0, true, requested, t0, "deleted here"},
		{"purged here and requested", 30, false, requestedGone, t0, "deleted here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &mailstore.Account{LeaveDays: tt.leaveDays, KeepForever: tt.forever}
			if got := engine.DeleteReason(a, tt.le, tt.now); got != tt.want {
				t.Errorf("deleteReason = %q, want %q", got, tt.want)
			}
		})
	}
}
