package mailstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

const outgoingRaw = "From: Ann <ann@example.org>\r\nTo: bob@example.net\r\nSubject: Outgoing hello\r\n" +
	"Message-ID: <x1@example.org>\r\nDate: Mon, 02 Mar 2026 10:00:00 +0000\r\n\r\nbody text\r\n"

func TestOutboxStateMachine(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := newAccount(t, s, "home")
	a.SMTPHost, a.SMTPPort, a.SMTPSecurity, a.Signature = "smtp.example.org", 465, mailstore.SecurityTLS, "Ann"
	if err := s.UpdateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.AccountByName(ctx, "home"); got.SMTPHost != "smtp.example.org" || got.SMTPPort != 465 || got.SMTPSecurity != "tls" || got.Signature != "Ann" {
		t.Fatalf("SMTP settings not stored: %+v", got)
	}
	now := time.Unix(1_800_000_000, 0)
	env := &mailstore.Envelope{From: "ann@example.org", To: []string{"bob@example.net", "hidden@example.com"}}
	id, err := s.SaveOutgoing(ctx, a.ID, []byte(outgoingRaw), mailstore.OutgoingOptions{Folder: mailstore.FolderOutbox, Envelope: env}, now)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Message(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if m.Folder != mailstore.FolderOutbox || !strings.HasPrefix(m.UIDL, mailstore.LocalUIDLPrefix) || !m.Read {
		t.Errorf("saved message = folder %q, uidl %q, read %v", m.Folder, m.UIDL, m.Read)
	}
	due, err := s.DueSubmissions(ctx, a.ID, now)
	if err != nil || len(due) != 1 || due[0].State != mailstore.SendQueued || len(due[0].To) != 2 {
		t.Fatalf("DueSubmissions = %+v, %v", due, err)
	}
	// Not from the ledger: nothing here can ever cause a server deletion.
	if l, err := s.Ledger(ctx, a.ID); err != nil || len(l) != 0 {
		t.Errorf("ledger = %v, %v; want empty", l, err)
	}

	// A 4xx: back in the queue, later.
	if err := s.MarkSubmitting(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSubmitting(ctx, id); !errors.Is(err, mailstore.ErrStateChanged) {
		t.Errorf("second MarkSubmitting = %v, want ErrStateChanged", err)
	}
	if err := s.DiscardOutgoing(ctx, id); !errors.Is(err, mailstore.ErrStateChanged) {
		t.Errorf("DiscardOutgoing while submitting = %v, want ErrStateChanged", err)
	}
	if err := s.MarkRetry(ctx, id, "451 try later", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.DueSubmissions(ctx, a.ID, now); len(due) != 0 {
		t.Errorf("due before the back-off ends: %d", len(due))
	}
	if next, ok, _ := s.NextAttempt(ctx, a.ID); !ok || !next.Equal(now.Add(time.Minute)) {
		t.Errorf("NextAttempt = %v %v", next, ok)
	}

	// A crash after MarkSubmitting: may have been sent, never queued again on its own.
	if err := s.MarkSubmitting(ctx, id); err != nil {
		t.Fatal(err)
	}
	if n, err := s.RecoverSubmitting(ctx, a.ID); err != nil || n != 1 {
		t.Fatalf("RecoverSubmitting = %d, %v", n, err)
	}
	sub, _ := s.Submission(ctx, id)
	if sub.State != mailstore.SendMaybeSent || sub.Attempts != 1 {
		t.Errorf("after recovery: %+v", sub)
	}
	if due, _ := s.DueSubmissions(ctx, a.ID, now.Add(time.Hour)); len(due) != 0 {
		t.Errorf("a maybe-sent message is due again: %+v", due)
	}
	// The user says: send it again.
	if err := s.Requeue(ctx, id, now); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSubmitting(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSent(ctx, id, "2.0.0 queued as 1234", now); err != nil {
		t.Fatal(err)
	}
	m, _ = s.Message(ctx, id)
	raw, _ := s.Raw(ctx, id)
	if m.Folder != mailstore.FolderSent || string(raw) != outgoingRaw {
		t.Errorf("after sent: folder %q, raw equal %v", m.Folder, string(raw) == outgoingRaw)
	}
	if box, _ := s.Outbox(ctx, 0); len(box) != 0 {
		t.Errorf("outbox after sent: %+v", box)
	}
	if err := s.DiscardOutgoing(ctx, id); !errors.Is(err, mailstore.ErrStateChanged) {
		t.Errorf("DiscardOutgoing of a sent message = %v", err)
	}

	// A 5xx: failed, with the text; discarding removes it.
	id2, err := s.SaveOutgoing(ctx, a.ID, []byte(strings.Replace(outgoingRaw, "x1@", "x2@", 1)),
		mailstore.OutgoingOptions{Folder: mailstore.FolderOutbox, Envelope: env}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkFailed(ctx, id2, "550 5.1.1 no such user"); err != nil {
		t.Fatal(err)
	}
	box, _ := s.Outbox(ctx, a.ID)
	if len(box) != 1 || box[0].State != mailstore.SendFailed || box[0].LastError != "550 5.1.1 no such user" {
		t.Errorf("outbox = %+v", box)
	}
	if err := s.DiscardOutgoing(ctx, id2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Message(ctx, id2); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("discarded message still there: %v", err)
	}

	// Folders in listings and search.
	sent, _ := s.Messages(ctx, mailstore.Filter{Folder: mailstore.FolderSent})
	inbox, _ := s.Messages(ctx, mailstore.Filter{Folder: mailstore.FolderInbox})
	if len(sent) != 1 || len(inbox) != 0 {
		t.Errorf("sent %d, inbox %d", len(sent), len(inbox))
	}
	if _, err := s.IndexAll(ctx, nil); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int{"in:sent outgoing": 1, "in:inbox outgoing": 0, "in:outbox": 0, "outgoing": 1} {
		pq, err := mailstore.ParseQuery(q)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Search(ctx, pq, 0)
		if err != nil || len(got) != want {
			t.Errorf("Search(%q) = %d, %v; want %d", q, len(got), err, want)
		}
	}
}

func TestDrafts(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := newAccount(t, s, "home")
	now := time.Unix(1_800_000_000, 0)
	id, err := s.SaveDraft(ctx, a.ID, 0, []byte("Subject: first\r\n\r\none\r\n"), now)
	if err != nil {
		t.Fatal(err)
	}
	if id2, err := s.SaveDraft(ctx, a.ID, id, []byte("Subject: second\r\n\r\ntwo\r\n"), now); err != nil || id2 != id {
		t.Fatalf("SaveDraft(replace) = %d, %v", id2, err)
	}
	drafts, _ := s.Messages(ctx, mailstore.Filter{Folder: mailstore.FolderDrafts})
	if len(drafts) != 1 || drafts[0].Subject != "second" {
		t.Fatalf("drafts = %+v", drafts)
	}
	// Sending it replaces the draft in one transaction.
	env := &mailstore.Envelope{From: "a@example.org", To: []string{"b@example.org"}}
	out, err := s.SaveOutgoing(ctx, a.ID, []byte(outgoingRaw), mailstore.OutgoingOptions{Folder: mailstore.FolderOutbox, Envelope: env, DraftID: id}, now)
	if err != nil {
		t.Fatal(err)
	}
	if drafts, _ := s.Messages(ctx, mailstore.Filter{Folder: mailstore.FolderDrafts}); len(drafts) != 0 {
		t.Errorf("draft kept after it went to the outbox")
	}
	if _, err := s.SaveDraft(ctx, a.ID, out, []byte("x"), now); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("SaveDraft over an outbox message = %v, want ErrNotFound", err)
	}
	if _, err := s.SaveOutgoing(ctx, a.ID, []byte(outgoingRaw), mailstore.OutgoingOptions{Folder: mailstore.FolderOutbox}, now); err == nil {
		t.Errorf("SaveOutgoing to the outbox without an envelope = nil")
	}
}
