package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// TestRulesRunAfterFetch: the rules run on the mail a real fetch stores, after its commit and
// indexing; a rule's Trash is local, and the server copy is deleted only as without rules:
// once the user empties the Trash, for an account that deletes on the server.
func TestRulesRunAfterFetch(t *testing.T) {
	for _, deleteOnServer := range []bool{false, true} {
		name := "keep on server"
		if deleteOnServer {
			name = "delete on server when purged"
		}
		t.Run(name, func(t *testing.T) {
			e, store, a, d, _ := setup(t, mailstore.SecurityNone)
			ctx := context.Background()
			setRetention(t, store, a, 0, true) // keep forever: only a purge could delete
			if _, err := rawDB(t, store).Exec(`UPDATE accounts SET delete_on_server = ? WHERE id = ?`, deleteOnServer, a.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := e.CreateFolder(ctx, "Bills"); err != nil {
				t.Fatal(err)
			}
			for _, r := range []mailstore.Rule{
				{Name: "bills", Query: "from:billing@ subject:invoice", MoveTo: "Bills", MarkRead: true},
				{Name: "lottery", Query: "body:lottery", Trash: true, Stop: true},
			} {
				if _, err := e.AddRule(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			mustDeliver(t, d, "invoice", "From: billing@shop.example\nSubject: Your invoice\n\nDue.\n")
			mustDeliver(t, d, "lottery", "From: win@spam.example\nSubject: Hello\n\nYou won the lottery.\n")
			mustDeliver(t, d, "plain", "From: anna@example.org\nSubject: Lunch\n\nFriday?\n")
			res := e.Fetch(ctx, a, nil)
			if res.Err != nil || res.New != 3 {
				t.Fatalf("fetch = %+v, want 3 new", res)
			}
			// The index catches up after the session (the poller, a search); the rules follow it.
			if _, err := e.IndexBacklog(ctx, nil); err != nil {
				t.Fatal(err)
			}
			where := map[string]string{}
			msgs, err := store.Messages(ctx, mailstore.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			trashed, err := e.TrashedMessages(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range append(msgs, trashed...) {
				w := string(m.Folder)
				if m.Trashed != nil {
					w = "trash"
				}
				if m.Read {
					w += ", read"
				}
				where[m.Subject] = w
			}
			want := map[string]string{"Your invoice": "Bills, read", "Hello": "trash", "Lunch": "inbox"}
			for subj, w := range want {
				if where[subj] != w {
					t.Errorf("%q is in %q, want %q", subj, where[subj], w)
				}
			}
			if st, err := e.RulesStatus(ctx); err != nil || st.Pending != 0 || len(st.Failing) != 0 {
				t.Errorf("RulesStatus() = %+v, %v; want nothing pending or failing", st, err)
			}

			// The trashed message stays on the server through later sessions.
			if res := e.Fetch(ctx, a, nil); res.Err != nil || res.Deleted != 0 {
				t.Fatalf("second fetch = %+v, want nothing deleted", res)
			}
			if n := serverCount(t, d); n != 3 {
				t.Fatalf("server holds %d messages after a rule trashed one, want 3", n)
			}
			// Emptying the Trash is the user's act; only then does the account's setting apply.
			if n, err := e.EmptyTrash(ctx); err != nil || n != 1 {
				t.Fatalf("EmptyTrash() = %d, %v", n, err)
			}
			res = e.Fetch(ctx, a, nil)
			want3 := 3
			if deleteOnServer {
				want3 = 2
			}
			if res.Err != nil || serverCount(t, d) != want3 {
				t.Errorf("after emptying the Trash: fetch %+v, server holds %d, want %d", res, serverCount(t, d), want3)
			}
		})
	}
}

// TestFailingRuleLeavesMailInInbox: a rule whose folder was deleted fails; the message stays in
// the Inbox untouched, and the rule keeps the failure for the status.
func TestFailingRuleLeavesMailInInbox(t *testing.T) {
	e, store, a, d, _ := setup(t, mailstore.SecurityNone)
	ctx := context.Background()
	if _, err := e.CreateFolder(ctx, "Lists/Go"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddRule(ctx, mailstore.Rule{Name: "golang", Query: "subject:golang", MoveTo: "Lists/Go", MarkRead: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DeleteFolder(ctx, "Lists/Go"); err != nil {
		t.Fatal(err)
	}
	mustDeliver(t, d, "one", "From: list@example.org\nSubject: [golang-nuts] generics\n\nhi\n")
	if res := e.Fetch(ctx, a, nil); res.Err != nil || res.New != 1 {
		t.Fatalf("fetch = %+v", res)
	}
	if _, err := e.IndexBacklog(ctx, nil); err != nil {
		t.Fatal(err)
	}
	msgs, err := store.Messages(ctx, mailstore.Filter{Folder: mailstore.FolderInbox})
	if err != nil || len(msgs) != 1 || msgs[0].Read {
		t.Fatalf("inbox = %+v, %v; want the message, unread", msgs, err)
	}
	st, err := e.RulesStatus(ctx)
	if err != nil || st.Pending != 0 || st.Err != nil || len(st.Failing) != 1 || st.Failing[0].Failures != 1 ||
		!strings.Contains(st.Failing[0].LastError, `folder "Lists/Go" does not exist any more`) {
		t.Errorf("RulesStatus() = %+v, %v; want golang failing once, its folder gone", st, err)
	}
	// Checks the editor relies on: unknown folders and accounts are refused at once.
	if _, err := e.AddRule(ctx, mailstore.Rule{Name: "x", Query: "x", MoveTo: "Nope"}); !errors.Is(err, mailstore.ErrFolderNotFound) {
		t.Errorf("AddRule(unknown folder) = %v", err)
	}
	var nf *engine.NotFoundError
	if _, err := e.AddRule(ctx, mailstore.Rule{Name: "x", Query: "account:nobody", MarkRead: true}); !errors.As(err, &nf) {
		t.Errorf("AddRule(unknown account) = %v, want a *NotFoundError", err)
	}
	if n, err := e.CountMatching(ctx, "golang"); err != nil || n != 1 {
		t.Errorf("CountMatching(golang) = %d, %v; want 1", n, err)
	}
}

// TestThreadsAfterFetch: a reply fetched before the message it answers joins its thread when
// that arrives in a later session.
func TestThreadsAfterFetch(t *testing.T) {
	e, _, a, d, _ := setup(t, mailstore.SecurityNone)
	ctx := context.Background()
	mustDeliver(t, d, "reply", "Message-ID: <r@x>\nIn-Reply-To: <p@x>\nDate: Tue, 3 Nov 2026 10:00:00 +0000\nSubject: Re: plans\n\nok\n")
	if res := e.Fetch(ctx, a, nil); res.Err != nil {
		t.Fatal(res.Err)
	}
	mustDeliver(t, d, "parent", "Message-ID: <p@x>\nDate: Mon, 2 Nov 2026 10:00:00 +0000\nSubject: plans\n\nshall we?\n")
	if res := e.Fetch(ctx, a, nil); res.Err != nil {
		t.Fatal(res.Err)
	}
	ts, err := e.Threads(ctx, mailstore.Filter{})
	if err != nil || len(ts) != 1 || ts[0].Count != 2 {
		t.Fatalf("Threads() = %+v, %v; want one conversation of 2", ts, err)
	}
	msgs, err := e.Thread(ctx, ts[0].Latest.Thread)
	if err != nil || len(msgs) != 2 || msgs[0].Subject != "plans" || msgs[1].Subject != "Re: plans" {
		t.Errorf("Thread() = %+v, %v; want plans, then the reply", msgs, err)
	}
}

// TestRulesRunInThePoller: in the window, the poller's index catch-up after a check is what
// runs the rules on the new mail.
func TestRulesRunInThePoller(t *testing.T) {
	ctx := context.Background()
	drop := pop3test.NewMaildrop()
	drop.Add("a1", []byte("From: billing@shop.example\nSubject: Invoice 7\n\nDue.\n"))
	drop.Add("a2", []byte("From: anna@example.org\nSubject: Lunch\n\nFriday?\n"))
	srv := pop3test.ServeMaildrop(t, drop, "alice", "pw")
	f := newFixture(t, fixtureOptions{addr: srv.Addr(), auth: "USER", password: "pw", leaveDays: 14})
	if _, err := f.e.AddRule(ctx, mailstore.Rule{Name: "bills", Query: "from:billing@", MarkRead: true, Flag: true}); err != nil {
		t.Fatal(err)
	}
	p := f.e.NewPoller(engine.PollerOptions{})
	p.Start(ctx)
	t.Cleanup(p.Stop)
	deadline := time.Now().Add(20 * time.Second)
	for {
		msgs, err := f.store.Messages(ctx, mailstore.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.e.RulesStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) == 2 && st.Pending == 0 {
			for _, m := range msgs {
				if want := m.Subject == "Invoice 7"; m.Read != want || m.Flagged != want {
					t.Errorf("%q: read %v, flagged %v; want %v", m.Subject, m.Read, m.Flagged, want)
				}
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s: %d messages, %d waiting for the rules", len(msgs), st.Pending)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRulesLeftOverRunOnCatchUp: mail indexed whose rules did not run (the process stopped in
// between) gets them on the next catch-up, though there is nothing left to index.
func TestRulesLeftOverRunOnCatchUp(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, fixtureOptions{})
	a := &mailstore.Account{Name: "home", Host: "pop.example.org", Port: 995, Security: mailstore.SecurityTLS,
		Username: "alice", LeaveDays: 14, Interval: time.Hour}
	if err := f.store.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	res, err := f.store.NewSaver(a.ID).Save(ctx, []mailstore.BatchItem{{UIDL: "1", Data: []byte("From: billing@shop.example\r\nSubject: Invoice\r\n\r\nDue.\r\n")}}, f.clk.now())
	if err != nil {
		t.Fatal(err)
	}
	// Indexed behind the engine's back, as a run stopped right after indexing leaves it.
	if _, err := f.store.IndexAll(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.AddRule(ctx, mailstore.Rule{Name: "bills", Query: "from:billing@", MarkRead: true}); err != nil {
		t.Fatal(err)
	}
	if n, err := f.e.IndexBacklog(ctx, nil); err != nil || n != 0 {
		t.Fatalf("IndexBacklog() = %d, %v; want nothing to index", n, err)
	}
	if m, err := f.store.Message(ctx, res[0].ID); err != nil || !m.Read {
		t.Errorf("message after the catch-up: %+v, %v; want it read by the rule", m, err)
	}
}
