package engine_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// dropRig is the fixture on a stateful scripted server whose maildrop lives across sessions.
type dropRig struct {
	*fixture
	drop *pop3test.Maildrop
	srv  *pop3test.MaildropServer
	db   *sql.DB
}

func newDropRig(t *testing.T, leaveDays int, forever bool) *dropRig {
	t.Helper()
	drop := pop3test.NewMaildrop()
	srv := pop3test.ServeMaildrop(t, drop, "alice", "pw")
	f := newFixture(t, fixtureOptions{addr: srv.Addr(), auth: "USER", password: "pw", leaveDays: leaveDays, forever: forever})
	return &dropRig{fixture: f, drop: drop, srv: srv, db: rawDB(t, f.store)}
}

func (r *dropRig) fetch(t *testing.T) engine.Result {
	t.Helper()
	res := r.e.Fetch(context.Background(), r.a, nil)
	if res.Err != nil {
		t.Fatalf("fetch: %v", res.Err)
	}
	return res
}

// stored reports whether the archive holds exactly these bytes (as the server sends them).
func (r *dropRig) stored(t *testing.T, data []byte) bool {
	t.Helper()
	want := sha256.Sum256(pop3test.Bytes(data))
	hexWant := hex.EncodeToString(want[:])
	var n int
	if err := r.db.QueryRow(`SELECT count(*) FROM messages WHERE sha256 = ?`, hexWant).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// purge deletes messages here as a user does: to the Trash, then Empty Trash.
func (r *dropRig) purge(t *testing.T, ids ...int64) {
	t.Helper()
	ctx := context.Background()
	if err := r.store.TrashMessages(ctx, ids, r.clk.now()); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.EmptyTrash(ctx, r.clk.now()); err != nil {
		t.Fatal(err)
	}
}

// deleteOnServer turns on "delete on the server when deleted here".
func (r *dropRig) deleteOnServer(t *testing.T) {
	t.Helper()
	r.a.DeleteOnServer = true
	if err := r.store.UpdateAccount(context.Background(), r.a); err != nil {
		t.Fatal(err)
	}
}

func msg(subject string) []byte {
	return []byte(fmt.Sprintf("Subject: %s\r\nMessage-ID: <%s@test>\r\n\r\nbody of %s\r\n", subject, subject, subject))
}

// TestUIDLReuseNeverDeletesUnstoredMail is finding 1: UIDL X held A, A was stored and deleted
// (leave-days 0), X disappeared from the listing and was pruned; then the server lists X again
// for another message B. B must be stored as a new message before anything deletes it.
func TestUIDLReuseNeverDeletesUnstoredMail(t *testing.T) {
	r := newDropRig(t, 0, false)
	a, b := msg("A"), msg("B")
	r.drop.Add("X", a)
	if res := r.fetch(t); res.New != 1 || res.Deleted != 1 {
		t.Fatalf("first fetch = %+v, want A stored and deleted", res)
	}
	if res := r.fetch(t); res.Pruned != 1 {
		t.Fatalf("second fetch = %+v, want X pruned", res)
	}
	r.drop.Add("X", b) // a rebuilt mailbox numbers UIDLs from the start again
	res := r.fetch(t)
	if !r.stored(t, b) {
		t.Fatalf("B was not stored (fetch %+v); server still has %d message(s)", res, r.drop.Len())
	}
	if res.New != 1 || !r.stored(t, a) {
		t.Errorf("fetch = %+v; want B stored as a new message next to A", res)
	}
	if rc, _ := r.store.Check(context.Background(), false); rc.Problems() != 0 {
		t.Errorf("check after the reuse = %+v, want clean", rc)
	}
}

// TestSwappedMessageNotDeleted is finding 2: UIDL Y held C, stored with leave-days N; the
// server now serves D under Y. When C is due, Y must not be deleted on the strength of C.
func TestSwappedMessageNotDeleted(t *testing.T) {
	cases := []struct {
		name string
		d    []byte
	}{
		{"other size", append(msg("D"), "a longer body\r\n"...)},
		// Same size as C: only the bytes can tell.
		{"same size", msg("E")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newDropRig(t, 3, false)
			cMsg := msg("C")
			r.drop.Add("Y", cMsg)
			if res := r.fetch(t); res.New != 1 {
				t.Fatalf("first fetch = %+v", res)
			}
			r.drop.Replace("Y", c.d)
			r.clk.add(4 * 24 * time.Hour)
			res := r.fetch(t)
			onServer := bytes.Equal(r.drop.Messages()["Y"], pop3test.Bytes(c.d))
			if !onServer && !r.stored(t, c.d) {
				t.Fatalf("fetch = %+v: D was deleted from the server and never stored", res)
			}
			{
				if res.Changed != 1 || res.Deleted != 0 || !r.stored(t, c.d) || !onServer {
					t.Errorf("fetch = %+v; want D stored as new, not deleted (first seen now)", res)
				}
				// D is due three days after it was first seen, and only then.
				r.clk.add(3 * 24 * time.Hour)
				if res := r.fetch(t); res.Deleted != 1 || r.drop.Len() != 0 {
					t.Errorf("fetch three days later = %+v, want D deleted", res)
				}
			}
		})
	}
}

// TestAccountPointedElsewhere is finding 3: changing an account's host or user starts its
// ledger afresh, so UIDLs the new mailbox shares with the old one are downloaded, not deleted.
func TestAccountPointedElsewhere(t *testing.T) {
	ctx := context.Background()
	r := newDropRig(t, 1, false)
	r.drop.Add("1", msg("old mailbox"))
	r.fetch(t)
	// The same account now points at another mailbox with the same UIDL for another message.
	other := newDropRig(t, 1, false)
	other.drop.Add("1", msg("new mailbox"))
	r.a.Host, r.a.Port = pop3test.HostPort(other.srv.Addr())
	r.a.Username = "alice2"
	if err := r.store.UpdateAccount(ctx, r.a); err != nil {
		t.Fatal(err)
	}
	l, _ := r.store.Ledger(ctx, r.a.ID)
	if len(l) != 0 {
		t.Errorf("ledger after pointing the account elsewhere = %v, want empty", l)
	}
	// Same host but another port is still the same mailbox: the ledger stays.
	r2 := newDropRig(t, 1, false)
	r2.drop.Add("1", msg("kept"))
	r2.fetch(t)
	r2.a.Port++
	if err := r2.store.UpdateAccount(ctx, r2.a); err != nil {
		t.Fatal(err)
	}
	if l, _ := r2.store.Ledger(ctx, r2.a.ID); len(l) != 1 {
		t.Errorf("ledger after a port change = %v, want it kept", l)
	}
}

// TestAccountPointedElsewhereEndToEnd: after the switch, the new mailbox's message under the
// shared UIDL is downloaded before its retention ever deletes it.
func TestAccountPointedElsewhereEndToEnd(t *testing.T) {
	ctx := context.Background()
	r := newDropRig(t, 1, false)
	r.drop.Add("1", msg("old mailbox"))
	r.fetch(t)
	other := pop3test.NewMaildrop()
	other.Add("1", msg("new mailbox"))
	srv := pop3test.ServeMaildrop(t, other, "alice", "pw")
	host, port := pop3test.HostPort(srv.Addr())
	if host != "127.0.0.1" {
		t.Fatalf("server on %s", host)
	}
	r.a.Host, r.a.Port = "localhost", port // the same user name on another server
	if err := r.e.UpdateAccount(ctx, r.a, nil); err != nil {
		t.Fatal(err)
	}
	r.clk.add(2 * 24 * time.Hour)
	res := r.fetch(t)
	if !r.stored(t, msg("new mailbox")) || res.Deleted != 0 || other.Len() != 1 {
		t.Fatalf("fetch after the switch = %+v; want the new mailbox's message stored and kept", res)
	}
}

// TestDeleteRequestDroppedWhenUnlisted is finding 4: a purged copy's delete request must not
// outlive its UIDL; a later reuse of the UIDL is downloaded, never deleted unseen.
func TestDeleteRequestDroppedWhenUnlisted(t *testing.T) {
	ctx := context.Background()
	r := newDropRig(t, 0, true)
	r.deleteOnServer(t)
	r.drop.Add("Z", msg("deleted here"))
	r.fetch(t)
	ms, _ := r.store.Messages(ctx, mailstore.Filter{})
	r.purge(t, ms[0].ID)
	// Another client deletes Z before Pouch does; a later message reuses the UIDL.
	r.drop.Remove("Z")
	r.fetch(t)
	r.drop.Add("Z", msg("reuse"))
	res := r.fetch(t)
	if !r.stored(t, msg("reuse")) || r.drop.Len() != 1 || res.Deleted != 0 {
		t.Fatalf("fetch = %+v; want the reused UIDL's message stored and left on the server", res)
	}
}

// TestDeleteRequestHonouredWhenUnchanged: the request still works while the server copy is the
// message that was deleted here.
func TestDeleteRequestHonouredWhenUnchanged(t *testing.T) {
	ctx := context.Background()
	r := newDropRig(t, 0, true)
	r.deleteOnServer(t)
	r.drop.Add("Z", msg("deleted here"))
	r.drop.Add("W", msg("swapped after the delete"))
	r.fetch(t)
	ms, _ := r.store.Messages(ctx, mailstore.Filter{})
	ids := []int64{ms[0].ID, ms[1].ID}
	r.purge(t, ids...)
	r.drop.Replace("W", append(msg("W2"), "longer\r\n"...))
	res := r.fetch(t)
	left := r.drop.Messages()
	if _, ok := left["Z"]; ok || res.Deleted != 1 {
		t.Errorf("fetch = %+v; want Z deleted as asked", res)
	}
	if _, ok := left["W"]; !ok || !r.stored(t, append(msg("W2"), "longer\r\n"...)) {
		t.Errorf("W changed after the delete request: want it stored and kept, server has %v", left)
	}
}

// TestOneBadMessageDoesNotBlock: a message the server always refuses is skipped, recorded and
// shown by retention; the rest of the mailbox flows.
func TestOneBadMessageDoesNotBlock(t *testing.T) {
	ctx := context.Background()
	r := newDropRig(t, 0, false)
	for i := range 5 {
		r.drop.Add(fmt.Sprintf("u%d", i), msg(fmt.Sprintf("m%d", i)))
	}
	r.drop.Refuse("u1", "message is corrupt")
	for range 2 {
		res := r.e.Fetch(ctx, r.a, nil)
		if res.Err != nil || len(res.Skipped) != 1 || res.Skipped[0].UIDL != "u1" || !strings.Contains(res.Warning, "could not be downloaded") {
			t.Fatalf("fetch = %+v; want u1 skipped with a warning", res)
		}
	}
	if n, _ := r.store.CountMessages(ctx, r.a.ID); n != 4 || r.drop.Len() != 1 {
		t.Errorf("%d stored, %d on the server; want 4 and the refused one left", n, r.drop.Len())
	}
	rows, err := r.e.Retention(ctx, "")
	if err != nil || len(rows) != 1 || rows[0].DeleteAfter != nil || rows[0].Kept != engine.KeptNotDownloads ||
		rows[0].Failures != 2 || !strings.Contains(rows[0].Failure, "corrupt") {
		t.Errorf("Retention = %+v, %v; want u1 kept, failed twice", rows, err)
	}
	if w := engine.StrandedWarning(rows); w == "" {
		t.Errorf("no warning for a message stranded on the server")
	}
	r.drop.Refuse("u1", "")
	if res := r.fetch(t); res.New != 1 || r.drop.Len() != 0 {
		t.Errorf("fetch after the server recovers = %+v", res)
	}
}

// TestRetentionShowsWhatWillHappen: messages without a local copy get no delete date.
func TestRetentionShowsWhatWillHappen(t *testing.T) {
	ctx := context.Background()
	r := newDropRig(t, 5, false)
	r.drop.Add("a", msg("a"))
	r.drop.Add("b", msg("b"))
	r.fetch(t)
	ms, _ := r.store.Messages(ctx, mailstore.Filter{})
	r.purge(t, ms[0].ID)
	rows, err := r.e.Retention(ctx, "")
	if err != nil || len(rows) != 2 {
		t.Fatalf("Retention = %+v, %v", rows, err)
	}
	var kept, due int
	for _, row := range rows {
		switch {
		case row.DeleteAfter == nil && row.Kept == engine.KeptNoLocalCopy:
			kept++
		case row.DeleteAfter != nil && row.Kept == "":
			due++
		}
	}
	if kept != 1 || due != 1 {
		t.Errorf("Retention = %+v; want one kept (no local copy), one with a date", rows)
	}
	// What retention promises is what a session does.
	r.clk.add(6 * 24 * time.Hour)
	if res := r.fetch(t); res.Deleted != 1 || r.drop.Len() != 1 {
		t.Errorf("fetch when due = %+v, server %d", res, r.drop.Len())
	}
}

// TestDuplicateUIDLSkipped: two messages listed under one UIDL cannot be told apart across
// sessions; they are left alone, said so, and the rest of the mailbox flows.
func TestDuplicateUIDLSkipped(t *testing.T) {
	ctx := context.Background()
	r := newDropRig(t, 0, false)
	r.drop.Add("dup", msg("first"))
	r.drop.Add("ok", msg("fine"))
	r.drop.Add("dup", msg("second"))
	res := r.e.Fetch(ctx, r.a, nil)
	if res.Err != nil || res.New != 1 || res.Deleted != 1 || len(res.Skipped) != 2 || !strings.Contains(res.Warning, "could not be downloaded") {
		t.Fatalf("fetch = %+v; want ok stored and deleted, both dup messages skipped", res)
	}
	if r.drop.Len() != 2 {
		t.Errorf("server has %d messages, want the two sharing a UIDL left", r.drop.Len())
	}
}

// TestDueMessageRefusedDoesNotBlockNewMail: a message that falls due and that the server will
// not let Pouch read again stays on the server; new mail still flows.
func TestDueMessageRefusedDoesNotBlockNewMail(t *testing.T) {
	ctx := context.Background()
	r := newDropRig(t, 3, false)
	r.drop.Add("old", msg("old"))
	r.fetch(t)
	r.clk.add(4 * 24 * time.Hour)
	r.drop.Refuse("old", "message is corrupt")
	r.drop.Add("new", msg("new"))
	res := r.e.Fetch(ctx, r.a, nil)
	if res.Err != nil || res.New != 1 || !r.stored(t, msg("new")) || res.Deleted != 0 || r.drop.Len() != 2 {
		t.Errorf("fetch = %+v; want the new message stored and the unreadable due one kept", res)
	}
}

// TestConnectionDropOnOneMessage: a message on which the server drops the connection is tried
// last, then only once a day, so the others are stored and, in between, deleted as due.
func TestConnectionDropOnOneMessage(t *testing.T) {
	ctx := context.Background()
	r := newDropRig(t, 0, false)
	for i := range 4 {
		r.drop.Add(fmt.Sprintf("u%d", i), msg(fmt.Sprintf("m%d", i)))
	}
	r.drop.DropConnection("u1", true)
	for range retryFailuresForTest {
		if res := r.e.Fetch(ctx, r.a, nil); res.Err == nil {
			t.Fatalf("fetch with a connection dropped = %+v, want an error", res)
		}
	}
	for i := range 4 {
		if i != 1 && !r.stored(t, msg(fmt.Sprintf("m%d", i))) {
			t.Errorf("m%d not stored: one message blocks the others", i)
		}
	}
	res := r.e.Fetch(ctx, r.a, nil)
	if res.Err != nil || res.Deleted != 3 || r.drop.Len() != 1 || len(res.Skipped) != 1 {
		t.Errorf("fetch after %d failures = %+v; want u1 left alone, the others deleted", retryFailuresForTest, res)
	}
	// A day later it is tried again; the server has recovered.
	r.drop.DropConnection("u1", false)
	r.clk.add(25 * time.Hour)
	if res := r.fetch(t); res.New != 1 || r.drop.Len() != 0 {
		t.Errorf("fetch a day later = %+v", res)
	}
}

const retryFailuresForTest = 3

// TestTrickledMessage: a message the server trickles in (a line now and then, never silent for
// a whole timeout, never ending) ends within the rate bound, and is then handled like any
// message that breaks the connection: the session stops before any DELE and QUIT, the
// message is recorded as failing, tried after the others next time and, after three failures,
// left alone on the server while the others are stored and deleted as due. It is never
// deleted on the server. The same holds for a message over the size limit, read with TOP.
func TestTrickledMessage(t *testing.T) {
	for _, tc := range []struct {
		name      string
		cmd       string
		sizeLimit int64
	}{{"RETR", "RETR", 0}, {"TOP over the size limit", "TOP", 100}} {
		t.Run(tc.name, func(t *testing.T) { testTrickledMessage(t, tc.cmd, tc.sizeLimit) })
	}
}

func testTrickledMessage(t *testing.T, cmd string, sizeLimit int64) {
	// Without a bound on the whole reply the sessions would never end: this ends them instead.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const timeout = 400 * time.Millisecond
	drop := pop3test.NewMaildrop()
	srv := pop3test.ServeMaildrop(t, drop, "alice", "pw")
	f := newFixture(t, fixtureOptions{addr: srv.Addr(), auth: "USER", password: "pw", timeout: timeout})
	r := &dropRig{fixture: f, drop: drop, srv: srv, db: rawDB(t, f.store)}
	r.a.SizeLimit = sizeLimit
	trickled := append(msg("m1"), fmt.Sprintf("%0200d\r\n", 0)...) // over the size limit
	for i := range 4 {
		if i == 1 {
			r.drop.Add("u1", trickled)
		} else {
			r.drop.Add(fmt.Sprintf("u%d", i), msg(fmt.Sprintf("m%d", i)))
		}
	}
	r.drop.Trickle("u1", 50*time.Millisecond)
	// fetch retries while the server still holds the maildrop for the session before, which
	// it frees once it sees the hang-up, as the poller would.
	fetch := func() engine.Result {
		for i := 0; ; i++ {
			res := r.e.Fetch(ctx, r.a, nil)
			var perr *pop3.Error
			if !errors.As(res.Err, &perr) || !perr.Code.Is(pop3.CodeInUse) || i == 20 {
				return res
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	for session := 1; session <= retryFailuresForTest; session++ {
		start := time.Now()
		res := fetch()
		var slow *pop3.SlowReplyError
		if !errors.As(res.Err, &slow) || slow.Command != cmd {
			t.Fatalf("session %d: fetch = %+v, want a *pop3.SlowReplyError for %s", session, res, cmd)
		}
		var nd *engine.NotDeletedError
		if !errors.As(res.Err, &nd) {
			t.Errorf("session %d: error %v does not say that nothing was deleted", session, res.Err)
		}
		if len(res.Skipped) != 1 || res.Skipped[0].UIDL != "u1" || !strings.Contains(res.Warning, "u1") {
			t.Errorf("session %d: skipped %+v, warning %q; want u1 named", session, res.Skipped, res.Warning)
		}
		if took := time.Since(start); took > 10*timeout {
			t.Errorf("session %d took %v, want about %v", session, took, timeout)
		}
		if _, dele := r.drop.Counts(); dele != 0 || r.drop.Len() != 4 {
			t.Fatalf("session %d: %d deleted, %d on the server; want nothing deleted", session, dele, r.drop.Len())
		}
		if session == 1 {
			continue
		}
		// From the second session on it goes last: the others are stored before it fails.
		for _, i := range []int{0, 2, 3} {
			if !r.stored(t, msg(fmt.Sprintf("m%d", i))) {
				t.Errorf("session %d: m%d not stored: the trickled message blocks the others", session, i)
			}
		}
	}
	rows, err := r.e.Retention(ctx, "")
	if err != nil || len(rows) != 4 {
		t.Fatalf("Retention = %+v, %v", rows, err)
	}
	for _, row := range rows {
		if row.UIDL == "u1" && (row.Failures != retryFailuresForTest || !strings.Contains(row.Failure, "Options.MinRate") || row.DeleteAfter != nil) {
			t.Errorf("Retention of u1 = %+v; want %d failures naming Options.MinRate and no delete date", row, retryFailuresForTest)
		}
	}
	// Resting now: the session goes past it (asking for it would fail the session), and the
	// others are deleted as due.
	res := fetch()
	if res.Err != nil || res.Deleted != 3 || len(res.Skipped) != 1 || res.Skipped[0].UIDL != "u1" ||
		!strings.Contains(res.Warning, "could not be downloaded") {
		t.Errorf("fetch after %d failures = %+v; want u1 left alone, the others deleted", retryFailuresForTest, res)
	}
	if _, ok := r.drop.Messages()["u1"]; !ok || r.drop.Len() != 1 {
		t.Errorf("server holds %d messages, want u1 alone", r.drop.Len())
	}
	for _, gone := range r.drop.Deleted() {
		if bytes.Equal(gone, pop3test.Bytes(trickled)) {
			t.Errorf("the trickled message was deleted on the server")
		}
	}
}

// TestTrickleCancelled: stopping (SIGTERM cancels the context) mid-trickle ends the session at
// once, long before the rate bound, with nothing deleted; the message is not counted as failing,
// since it was not its fault.
func TestTrickleCancelled(t *testing.T) {
	r := newDropRig(t, 0, false) // a 20 s timeout: only the cancel ends the session in time
	r.drop.Add("u0", msg("m0"))
	r.drop.Add("u1", msg("m1"))
	r.drop.Trickle("u1", 50*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	start := time.Now()
	res := r.e.Fetch(ctx, r.a, func(p engine.Progress) {
		if p.Phase == engine.PhaseDownload {
			once.Do(func() { time.AfterFunc(300*time.Millisecond, cancel) })
		}
	})
	cancel()
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("fetch took %v after a cancel at 300ms", took)
	}
	if !errors.Is(res.Err, context.Canceled) {
		t.Errorf("fetch = %+v, want context.Canceled", res)
	}
	if _, dele := r.drop.Counts(); dele != 0 || r.drop.Len() != 2 {
		t.Errorf("%d deleted, %d on the server; want nothing deleted", dele, r.drop.Len())
	}
	rows, err := r.e.Retention(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		if row.Failures != 0 {
			t.Errorf("Retention of %s = %+v: a cancel counted as its failure", row.UIDL, row)
		}
	}
}

// TestPartialNeverRereadOrDeleted: a headers-only copy is never the reason to read the
// server's copy again or to delete it, even once the local copy is purged with a delete request.
func TestPartialNeverRereadOrDeleted(t *testing.T) {
	ctx := context.Background()
	r := newDropRig(t, 1, false)
	r.a.SizeLimit = 100
	r.deleteOnServer(t)
	big := append(msg("big"), fmt.Sprintf("%0200d\r\n", 0)...)
	r.drop.Add("big", big)
	r.fetch(t)
	r.clk.add(2 * 24 * time.Hour)
	retr, _ := r.drop.Counts()
	if res := r.fetch(t); res.Changed != 0 || res.Deleted != 0 {
		t.Errorf("fetch when due = %+v; want nothing read again, nothing deleted", res)
	}
	ms, _ := r.store.Messages(ctx, mailstore.Filter{})
	r.purge(t, ms[0].ID)
	if res := r.fetch(t); res.Deleted != 0 || res.New != 0 || r.drop.Len() != 1 {
		t.Errorf("fetch after purging the headers-only copy = %+v; want it left on the server, not fetched back", res)
	}
	if after, _ := r.drop.Counts(); after != retr {
		t.Errorf("%d RETR of a headers-only message, want none", after-retr)
	}
	rows, _ := r.e.Retention(ctx, "")
	if len(rows) != 1 || rows[0].DeleteAfter != nil {
		t.Errorf("Retention = %+v, want no delete date for a headers-only message", rows)
	}
}

// TestUIDLListedAgainAfterDelete: a UIDL Pouch deleted that the server lists again (message
// numbers as UIDLs, say) names a new message, downloaded even when the old copy was purged.
func TestUIDLListedAgainAfterDelete(t *testing.T) {
	ctx := context.Background()
	r := newDropRig(t, 0, false)
	r.drop.Add("1", msg("A"))
	if res := r.fetch(t); res.Deleted != 1 {
		t.Fatalf("first fetch = %+v", res)
	}
	ms, _ := r.store.Messages(ctx, mailstore.Filter{})
	r.purge(t, ms[0].ID)
	r.drop.Add("1", msg("C"))
	if res := r.fetch(t); !r.stored(t, msg("C")) || res.Deleted != 1 {
		t.Errorf("fetch = %+v; want C stored, then deleted", res)
	}
}

// TestNoUIDLServerSkipsRefused: on a server without UIDL, a message the server refuses is
// left there and the others are stored and deleted.
func TestNoUIDLServerSkipsRefused(t *testing.T) {
	steps := append(loginSteps("USER", "TOP"),
		pop3test.Exchange("UIDL", "-ERR unknown command"),
		pop3test.Exchange("LIST", "+OK", "1 18", "2 18", "."),
		pop3test.Expect("RETR 1"), pop3test.Reply("-ERR cannot read message"),
		pop3test.Exchange("RETR 2", "+OK", "Subject: b", "", "two", "."),
		pop3test.Exchange("DELE 2", "+OK"),
		pop3test.Exchange("QUIT", "+OK bye"),
	)
	srv := pop3test.NewServer(t, steps...)
	e, store, a := scriptedAccount(t, srv, 0, false)
	res := e.Fetch(context.Background(), a, nil)
	if res.Err != nil || res.New != 1 || res.Deleted != 1 || len(res.Skipped) != 1 {
		t.Fatalf("fetch = %+v; want message 2 stored and deleted, message 1 skipped", res)
	}
	srv.Wait()
	if n, _ := store.CountMessages(context.Background(), a.ID); n != 1 {
		t.Errorf("%d stored, want 1", n)
	}
}

// TestFetchFullRefusesAnotherMessage: fetch --full of a headers-only copy whose UIDL now names
// another message keeps the stored headers rather than replacing them with that message.
func TestFetchFullRefusesAnotherMessage(t *testing.T) {
	ctx := context.Background()
	r := newDropRig(t, 0, true)
	r.a.SizeLimit = 100
	if err := r.store.UpdateAccount(ctx, r.a); err != nil {
		t.Fatal(err)
	}
	big := append(msg("big"), fmt.Sprintf("%0200d\r\n", 0)...)
	r.drop.Add("big", big)
	r.fetch(t)
	ms, _ := r.store.Messages(ctx, mailstore.Filter{})
	before, _ := r.store.Raw(ctx, ms[0].ID)
	r.drop.Replace("big", append(msg("other"), fmt.Sprintf("%0300d\r\n", 0)...))
	_, err := r.e.FetchFull(ctx, ms[0].ID, nil)
	var ce *engine.ChangedError
	if !errors.As(err, &ce) {
		t.Fatalf("FetchFull after a swap = %v, want a ChangedError", err)
	}
	// Ended without QUIT, the session would hold the mailbox until the server noticed, and the
	// FetchFull below could find it in use.
	if r.drop.InUse() {
		t.Error("FetchFull returned with the mailbox still held")
	}
	if after, _ := r.store.Raw(ctx, ms[0].ID); !bytes.Equal(after, before) {
		t.Errorf("the headers-only copy changed")
	}
	r.drop.Replace("big", big)
	if m, err := r.e.FetchFull(ctx, ms[0].ID, nil); err != nil || m.Partial {
		t.Errorf("FetchFull of the same message = %+v, %v", m, err)
	}
}
