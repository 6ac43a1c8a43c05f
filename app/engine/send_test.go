package engine_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/compose"
	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/submit"
	"github.com/pouchmail/pouch/app/submit/submittest"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/mailstore/mimetext"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// sendSetup is setup plus a real SMTP server (aiosmtpd) that delivers into the Dovecot user's
// Maildir, so what Pouch sends comes back over POP3.
func sendSetup(t *testing.T, security mailstore.Security) (*engine.Engine, *mailstore.Store, *mailstore.Account, *pop3test.Dovecot, *submittest.Server, *clock) {
	t.Helper()
	e, store, a, d, clk := setup(t, mailstore.SecurityTLS)
	uid, gid, chown := d.MailOwner()
	s := submittest.Start(t, &submittest.Options{User: "alice", Password: "secret-pw", Maildir: d.Maildir("alice"),
		UID: uid, GID: gid, Chown: chown})
	a.CACertPEM = append(append([]byte{}, d.CertPEM...), s.CertPEM...)
	a.SMTPHost, a.SMTPSecurity = "127.0.0.1", security
	a.SMTPPort = s.StartTLSPort
	if security == mailstore.SecurityTLS {
		a.SMTPPort = s.TLSPort
	}
	a.Address, a.DisplayName, a.Signature = "alice@example.org", "Alice Ærø", "Alice"
	if err := e.UpdateAccount(context.Background(), a, nil); err != nil {
		t.Fatal(err)
	}
	return e, store, a, d, s, clk
}

func fetchedSince(t *testing.T, store *mailstore.Store, subject string) *mailstore.Message {
	t.Helper()
	ms, err := store.Messages(context.Background(), mailstore.Filter{Folder: mailstore.FolderInbox})
	if err != nil {
		t.Fatal(err)
	}
	for i := range ms {
		if ms[i].Subject == subject {
			return &ms[i]
		}
	}
	t.Fatalf("no fetched message with subject %q among %d", subject, len(ms))
	return nil
}

func TestSendRoundTripThroughRealServers(t *testing.T) {
	for _, sec := range []mailstore.Security{mailstore.SecurityStartTLS, mailstore.SecurityTLS} {
		t.Run(string(sec), func(t *testing.T) { roundTrip(t, sec) })
	}
}

func roundTrip(t *testing.T, sec mailstore.Security) {
	e, store, a, _, s, _ := sendSetup(t, sec)
	ctx := context.Background()
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0, 0xff, '\r', '\n', '.', 0x80}, 20000)...)
	m, err := e.Compose(ctx, engine.Draft{Account: a.Name, To: []string{"Bob Smith <bob@example.net>, alice@example.org"},
		Cc: []string{"carol@example.com"}, Bcc: []string{"hidden@example.com"}, Subject: "Grüße — round trip",
		Body:        "Hello Bob,\n.\nA line with a dot above, and ünïcödé.\n",
		Attachments: []compose.Attachment{compose.NewAttachment("Bericht März.pdf", pdf)}})
	if err != nil {
		t.Fatal(err)
	}
	id, err := e.Queue(ctx, a.Name, m, 0)
	if err != nil {
		t.Fatal(err)
	}
	queued, _ := store.Raw(ctx, id)
	res, err := e.SendNow(ctx, id)
	if err != nil || res.State != mailstore.SendSent || res.Err != nil {
		t.Fatalf("SendNow = %+v, %v", res, err)
	}
	sent, _ := store.Message(ctx, id)
	sentRaw, _ := store.Raw(ctx, id)
	if sent.Folder != mailstore.FolderSent || !bytes.Equal(sentRaw, queued) {
		t.Fatalf("sent copy: folder %q, same bytes %v", sent.Folder, bytes.Equal(sentRaw, queued))
	}
	acc, _ := s.Accepted()
	last := acc[len(acc)-1]
	if strings.Join(last.RcptTos, ",") != "bob@example.net,alice@example.org,carol@example.com,hidden@example.com" ||
		last.MailFrom != "alice@example.org" || !last.TLS || last.Login != "alice" {
		t.Errorf("server saw %+v", last)
	}

	// Back over POP3: the server's copy is the submitted bytes under the MDA's headers.
	if r := e.Fetch(ctx, a, nil); r.Err != nil || r.New != 1 {
		t.Fatalf("fetch = %+v", r)
	}
	got := fetchedSince(t, store, "Grüße — round trip")
	raw, _ := store.Raw(ctx, got.ID)
	if !bytes.HasSuffix(raw, sentRaw) || !bytes.HasPrefix(raw, []byte("Return-Path: <alice@example.org>\r\n")) {
		t.Errorf("fetched bytes are not the sent ones under the server's headers:\n%.600s", raw)
	}
	if bytes.Contains(raw, []byte("hidden@example.com")) {
		t.Errorf("the Bcc recipient shows in the delivered message")
	}
	if got.From != "Alice Ærø <alice@example.org>" || !strings.Contains(got.To, "Bob Smith <bob@example.net>") || got.Cc != "carol@example.com" {
		t.Errorf("fetched headers: from %q to %q cc %q", got.From, got.To, got.Cc)
	}
	body, err := mimetext.ParseBody(raw)
	if err != nil || !strings.Contains(body.Text, "Hello Bob,\n.\nA line with a dot above, and ünïcödé.\n\n-- \nAlice") {
		t.Errorf("fetched body %q, %v", body.Text, err)
	}
	name, data, err := mimetext.AttachmentData(raw, 0)
	if err != nil || name != "Bericht März.pdf" || !bytes.Equal(data, pdf) {
		t.Errorf("fetched attachment %q (%d bytes, equal %v), %v", name, len(data), bytes.Equal(data, pdf), err)
	}

	// A reply to it: threaded, "Re:" once, quoted, to the other recipients (not oneself).
	rm, acct, err := e.ComposeReply(ctx, got.ID, true, "Thanks!")
	if err != nil || acct != a.Name {
		t.Fatal(err)
	}
	rid, err := e.Queue(ctx, acct, rm, 0)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := e.SendNow(ctx, rid); err != nil || res.State != mailstore.SendSent {
		t.Fatalf("reply: %+v, %v", res, err)
	}
	if r := e.Fetch(ctx, a, nil); r.Err != nil || r.New != 1 {
		t.Fatalf("fetch = %+v", r)
	}
	reply := fetchedSince(t, store, "Re: Grüße — round trip")
	rraw, _ := store.Raw(ctx, reply.ID)
	o, _ := compose.ReadOriginal(rraw)
	if o.References[len(o.References)-1] != got.MessageID || !bytes.Contains(rraw, []byte("In-Reply-To: <"+got.MessageID+">")) {
		t.Errorf("reply threading: references %v, want %s", o.References, got.MessageID)
	}
	if !strings.Contains(o.Text, "Thanks!") || !strings.Contains(o.Text, "Alice Ærø wrote:\n> Hello Bob,") {
		t.Errorf("reply text %q", o.Text)
	}
	if reply.To != "Bob Smith <bob@example.net>" || reply.Cc != "carol@example.com" {
		t.Errorf("reply to %q cc %q", reply.To, reply.Cc)
	}
}

func TestSendRetriesAndFailures(t *testing.T) {
	e, store, a, _, s, clk := sendSetup(t, mailstore.SecurityStartTLS)
	ctx := context.Background()
	queue := func(subject string) int64 {
		m, err := e.Compose(ctx, engine.Draft{Account: a.Name, To: []string{"bob@example.net"}, Subject: subject, Body: "x"})
		if err != nil {
			t.Fatal(err)
		}
		id, err := e.Queue(ctx, a.Name, m, 0)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}

	// 451 once: back in the queue with a back-off, sent on the next due run.
	s.ReplyNext("451 4.3.0 Mailbox temporarily unavailable")
	id := queue("retried")
	res, err := e.SendNow(ctx, id)
	if err != nil || res.State != mailstore.SendQueued || !res.Next.After(clk.now()) {
		t.Fatalf("451: %+v, %v", res, err)
	}
	box, _ := e.Outbox(ctx, a.Name)
	if len(box) != 1 || !strings.Contains(box[0].LastError, "Mailbox temporarily unavailable") {
		t.Errorf("outbox after 451: %+v", box)
	}
	if rs, _ := e.SendDue(ctx, a); len(rs) != 0 {
		t.Errorf("sent before the back-off ended: %+v", rs)
	}
	clk.add(2 * time.Minute)
	rs, err := e.SendDue(ctx, a)
	if err != nil || len(rs) != 1 || rs[0].State != mailstore.SendSent {
		t.Fatalf("after back-off: %+v, %v", rs, err)
	}

	// 550: stopped, with the server's text; never retried on its own.
	s.ReplyNext("550 5.7.1 Relaying denied by policy")
	id = queue("refused")
	res, _ = e.SendNow(ctx, id)
	var se *submit.ServerError
	if res.State != mailstore.SendFailed || !errors.As(res.Err, &se) || se.Code != 550 {
		t.Fatalf("550: %+v", res)
	}
	sub, _ := store.Submission(ctx, id)
	if !strings.Contains(sub.LastError, "Relaying denied by policy") {
		t.Errorf("failed message shows %q", sub.LastError)
	}
	clk.add(24 * time.Hour)
	if rs, _ := e.SendDue(ctx, a); len(rs) != 0 {
		t.Errorf("a refused message was retried: %+v", rs)
	}

	// No answer after the final dot: may have been sent; never sent again on its own.
	s.HangNext()
	id = queue("uncertain")
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	res, _ = e.SendNow(cctx, id)
	cancel()
	if res.State != mailstore.SendMaybeSent {
		t.Fatalf("hang: %+v", res)
	}
	clk.add(24 * time.Hour)
	if rs, _ := e.SendDue(ctx, a); len(rs) != 0 {
		t.Errorf("a maybe-sent message was sent again: %+v", rs)
	}
	// The user decides: send again.
	if err := e.RetrySend(ctx, id); err != nil {
		t.Fatal(err)
	}
	if res, _ := e.SendNow(ctx, id); res.State != mailstore.SendSent {
		t.Errorf("after the user's retry: %+v", res)
	}

	// Bad settings: the password refused.
	if err := e.SetPassword(ctx, a.Name, "wrong"); err != nil {
		t.Fatal(err)
	}
	id = queue("bad password")
	res, _ = e.SendNow(ctx, id)
	if res.State != mailstore.SendFailed || !errors.As(res.Err, &se) || !se.AuthFailed() {
		t.Errorf("wrong password: %+v", res)
	}
}

func TestDraftsAndSizeLimit(t *testing.T) {
	e, _, a, _, _, _ := sendSetup(t, mailstore.SecurityTLS)
	ctx := context.Background()
	m, err := e.Compose(ctx, engine.Draft{Account: a.Name, To: []string{"bob@example.net"}, Bcc: []string{"hidden@example.com"}, Subject: "draft", Body: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	id, err := e.SaveDraft(ctx, a.Name, 0, m)
	if err != nil {
		t.Fatal(err)
	}
	// Opened again, the draft has every recipient it was saved with, Bcc too.
	back, acct, err := e.OpenDraft(ctx, id)
	if err != nil || acct != a.Name {
		t.Fatalf("OpenDraft = %v, %q", err, acct)
	}
	if len(back.To) != 1 || back.To[0].Address != "bob@example.net" || len(back.Bcc) != 1 || back.Bcc[0].Address != "hidden@example.com" {
		t.Errorf("draft opened again: To %v, Bcc %v", back.To, back.Bcc)
	}
	// Sent from the draft opened again: the Bcc recipient is in the envelope, in no header.
	sent, err := e.Queue(ctx, a.Name, back, id)
	if err != nil {
		t.Fatal(err)
	}
	if raw, _ := e.Raw(ctx, sent); bytes.Contains(raw, []byte("hidden@example.com")) {
		t.Errorf("the queued message shows the Bcc recipient:\n%s", raw)
	}
	if err := e.DiscardOutgoing(ctx, sent); err != nil {
		t.Fatal(err)
	}
	id, err = e.SaveDraft(ctx, a.Name, 0, m)
	if err != nil {
		t.Fatal(err)
	}
	m.Text = "v2"
	m.To = nil
	if id2, err := e.SaveDraft(ctx, a.Name, id, m); err != nil || id2 != id {
		t.Fatalf("SaveDraft = %d, %v", id2, err)
	}
	ds, _ := e.Drafts(ctx, a.Name)
	if len(ds) != 1 {
		t.Fatalf("drafts = %+v", ds)
	}
	if err := e.DiscardOutgoing(ctx, id); err != nil {
		t.Fatal(err)
	}
	if ds, _ := e.Drafts(ctx, ""); len(ds) != 0 {
		t.Errorf("draft kept after discard")
	}
	limit, ok, err := e.SizeLimit(ctx, a.Name)
	if err != nil || !ok || limit != 10<<20 {
		t.Errorf("SizeLimit = %d %v %v", limit, ok, err)
	}
}
