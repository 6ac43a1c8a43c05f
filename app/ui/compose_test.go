package ui

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/submit/submittest"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/mailstore/mimetext"
)

// newSendingWindow is newWindow with the account sending through a real SMTP server (aiosmtpd);
// extra messages are stored first (for address completion).
func newSendingWindow(t *testing.T, extra ...string) (*fixture, *submittest.Server) {
	t.Helper()
	s := submittest.Start(t, &submittest.Options{Size: 200_000})
	f := newWindow(t)
	ctx := context.Background()
	for i, raw := range extra {
		item := mailstore.BatchItem{UIDL: fmt.Sprint("extra-", i), Data: []byte(raw)}
		if _, err := f.store.NewSaver(f.acct.ID).Save(ctx, []mailstore.BatchItem{item}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	a := f.acct
	a.SMTPHost, a.SMTPPort, a.SMTPSecurity, a.CACertPEM = "127.0.0.1", s.TLSPort, mailstore.SecurityTLS, s.CertPEM
	a.Address, a.DisplayName, a.Signature = "alice@example.org", "Alice", "Alice at home"
	if err := f.store.UpdateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := f.kr.Set(a.Name, s.Password); err != nil {
		t.Fatal(err)
	}
	f.q.wait(func() { f.w.draftDelay = 150 * time.Millisecond; f.w.reload() })
	f.eventually(t, "the account to send", func() bool { return len(f.w.sendingAccounts()) == 1 })
	return f, s
}

// composer returns the n-th compose window (from 1), once it is open.
func (f *fixture) composer(t *testing.T, n int) *composeWindow {
	t.Helper()
	f.eventually(t, fmt.Sprintf("compose window %d", n), func() bool { return len(f.w.composers) >= n })
	var c *composeWindow
	f.q.wait(func() { c = f.w.composers[n-1] })
	return c
}

func TestComposeAndSend(t *testing.T) {
	f, s := newSendingWindow(t)
	path := filepath.Join(t.TempDir(), "agenda.pdf")
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0, 0xff, '.', '\r', '\n'}, 3000)...)
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	f.q.wait(f.w.composeNew)
	c := f.composer(t, 1)
	f.q.wait(func() {
		if !strings.Contains(c.body.Text, "-- \nAlice at home") {
			t.Errorf("new message body %q: want the signature", c.body.Text)
		}
		c.to.SetText("Bob <bob@example.net>, carol@example.com")
		c.bcc.SetText("hidden@example.com")
		c.subject.SetText("Agenda for Friday")
		c.body.SetText("Hi Bob,\n.\nthe agenda.\n" + c.body.Text)
		c.attachURIs([]fyne.URI{storage.NewFileURI(path)}) // as dropped on the window
	})
	f.eventually(t, "the dropped file attached", func() bool { return len(c.attachments) == 1 })
	if got := f.text(func() string { return c.size.Text }); !strings.Contains(got, "1 attachment, 15") {
		t.Errorf("size shown: %q", got)
	}
	f.q.wait(c.sendMessage)
	f.eventually(t, "the message sent", func() bool { return c.done })
	if got := f.text(func() string { return f.w.status.Text }); got != "Sent." {
		t.Errorf("status = %q, want Sent.", got)
	}
	acc, err := s.Accepted()
	if err != nil || len(acc) != 1 {
		t.Fatalf("accepted = %+v, %v", acc, err)
	}
	if got := strings.Join(acc[0].RcptTos, ","); got != "bob@example.net,carol@example.com,hidden@example.com" {
		t.Errorf("envelope recipients %q", got)
	}
	ctx := context.Background()
	sent, _ := f.store.Messages(ctx, mailstore.Filter{Folder: mailstore.FolderSent})
	drafts, _ := f.store.Messages(ctx, mailstore.Filter{Folder: mailstore.FolderDrafts})
	if len(sent) != 1 || sent[0].Subject != "Agenda for Friday" || !sent[0].HasAttachments || len(drafts) != 0 {
		t.Fatalf("sent %+v, drafts %d", sent, len(drafts))
	}
	raw, _ := f.store.Raw(ctx, sent[0].ID)
	if name, data, err := mimetext.AttachmentData(raw, 0); err != nil || name != "agenda.pdf" || !bytes.Equal(data, pdf) {
		t.Errorf("sent attachment %q, equal %v, %v", name, bytes.Equal(data, pdf), err)
	}

	// The Sent folder in the sidebar shows it, to its recipients.
	f.q.wait(func() { f.w.sidebar.Select(f.w.rowOf(mailstore.FolderSent)) })
	f.eventually(t, "the Sent folder", func() bool { return f.w.rows.len() == 1 && f.w.rows.ids[0] == sent[0].ID })
}

func TestReplyAndForwardPrefill(t *testing.T) {
	f, _ := newSendingWindow(t)
	f.open(t, "Lunch on Friday")
	f.q.wait(func() { f.w.reply(false) })
	c := f.composer(t, 1)
	f.q.wait(func() {
		if c.subject.Text != "Re: Lunch on Friday?" || c.to.Text != "Anna Lindqvist <anna@example.org>" {
			t.Errorf("reply: subject %q, to %q", c.subject.Text, c.to.Text)
		}
		if !strings.HasPrefix(c.body.Text, "\n\n-- \nAlice at home") || !strings.Contains(c.body.Text, "Anna Lindqvist wrote:\n> ") {
			t.Errorf("reply body:\n%s", c.body.Text)
		}
		if c.base.InReplyTo == "" || c.win.Title() != "Re: Lunch on Friday?" {
			t.Errorf("reply: in-reply-to %q, title %q", c.base.InReplyTo, c.win.Title())
		}
	})

	f.open(t, "Quarterly report")
	f.q.wait(f.w.forward)
	fw := f.composer(t, 2)
	f.q.wait(func() {
		if fw.subject.Text != "Fwd: Quarterly report (with attachment)" || fw.to.Text != "" || len(fw.attachments) != 1 {
			t.Errorf("forward: subject %q, to %q, %d attachments", fw.subject.Text, fw.to.Text, len(fw.attachments))
		}
	})
}

func TestAddressCompletionAndCheck(t *testing.T) {
	f, _ := newSendingWindow(t,
		"From: Zed Rare <zed-rare@example.org>\r\nTo: alice@example.org\r\nSubject: r\r\n\r\nx\r\n",
		"From: Zed Often <zed-often@example.net>\r\nTo: alice@example.org\r\nSubject: o1\r\n\r\nx\r\n",
		"From: zed-often@example.net\r\nTo: alice@example.org\r\nCc: Zed Rare <zed-rare@example.org>, zed-often@example.net\r\nSubject: o2\r\n\r\nx\r\n",
		"From: bob@example.net\r\nTo: Zed Often <zed-often@example.net>\r\nSubject: o3\r\n\r\nx\r\n",
	)
	f.q.wait(f.w.composeNew)
	c := f.composer(t, 1)
	f.eventually(t, "the archive's addresses", func() bool { return len(c.addrs) > 0 })
	f.q.wait(func() {
		c.to.SetText("anna@example.org, ZED")
		var got []string
		for _, s := range c.suggestions(c.to.Text) {
			got = append(got, s.Address)
		}
		if strings.Join(got, " ") != "zed-often@example.net zed-rare@example.org" {
			t.Errorf("suggestions for zed = %v, want the most used first", got)
		}
		if len(c.suggest.Objects) != 2 {
			t.Errorf("%d suggestions shown, want 2", len(c.suggest.Objects))
		}
		c.complete(c.to, c.suggestions(c.to.Text)[0])
		if c.to.Text != "anna@example.org, Zed Often <zed-often@example.net>, " || c.addrError.Visible() || c.to.Validate() != nil {
			t.Errorf("completed: %q, error %q", c.to.Text, c.addrError.Text)
		}

		c.cc.SetText("bob@example.net, carol@")
		if !c.addrError.Visible() || !strings.HasPrefix(c.addrError.Text, "Cc:") || c.cc.Validate() == nil {
			t.Errorf("a wrong address is not flagged: %q", c.addrError.Text)
		}
		c.cc.SetText("bob@example.net, carol@example.com")
		if c.addrError.Visible() || c.cc.Validate() != nil {
			t.Errorf("a right address is flagged: %q", c.addrError.Text)
		}
	})
}

func TestDraftSavedAndResumed(t *testing.T) {
	f, _ := newSendingWindow(t)
	ctx := context.Background()
	drafts := func() []mailstore.Message {
		ds, err := f.store.Messages(ctx, mailstore.Filter{Folder: mailstore.FolderDrafts})
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	f.q.wait(f.w.composeNew)
	c := f.composer(t, 1)
	f.q.wait(func() {
		c.subject.SetText("Plans")
		c.body.SetText("First thoughts")
	})
	f.eventually(t, "the draft saved", func() bool { return c.draftID != 0 })
	if ds := drafts(); len(ds) != 1 || ds[0].Subject != "Plans" {
		t.Fatalf("drafts after the pause: %+v", ds)
	}
	f.q.wait(func() {
		c.to.SetText("bob@example.net")
		c.bcc.SetText("hidden@example.com")
		c.body.SetText("Second thoughts")
	})
	// Closing saves what the pause has not yet saved.
	f.q.wait(c.close)
	f.eventually(t, "the draft updated", func() bool {
		ds := drafts()
		if len(ds) != 1 {
			return false
		}
		raw, _ := f.store.Raw(ctx, ds[0].ID)
		return bytes.Contains(raw, []byte("Second thoughts")) && ds[0].To == "bob@example.net"
	})
	id := drafts()[0].ID

	// The Drafts folder lists it; opening it resumes it in a compose window.
	f.q.wait(func() { f.w.sidebar.Select(f.w.rowOf(mailstore.FolderDrafts)) })
	f.eventually(t, "the Drafts folder", func() bool { return f.w.rows.len() == 1 && f.w.rows.ids[0] == id })
	f.open(t, "Plans")
	if n := f.text(func() string { return fmt.Sprint(len(f.w.viewer.actions.Objects)) }); n != "2" {
		t.Errorf("draft actions: %s, want Edit and Discard", n)
	}
	f.q.wait(func() { f.w.editDraft(id) })
	r := f.composer(t, 2)
	f.q.wait(func() {
		if r.subject.Text != "Plans" || r.to.Text != "bob@example.net" || !strings.HasPrefix(r.body.Text, "Second thoughts") || r.draftID != id {
			t.Errorf("resumed: subject %q to %q body %q id %d", r.subject.Text, r.to.Text, r.body.Text, r.draftID)
		}
	})
	// Discarding deletes it.
	f.q.wait(r.discard)
	f.eventually(t, "the draft discarded", func() bool { return len(drafts()) == 0 })
}

func TestSendRefusedThenOutboxActions(t *testing.T) {
	f, s := newSendingWindow(t)
	ctx := context.Background()
	write := func(subject string) *composeWindow {
		n := len(f.w.composers)
		f.q.wait(f.w.composeNew)
		c := f.composer(t, n+1)
		f.q.wait(func() {
			c.to.SetText("bob@example.net")
			c.subject.SetText(subject)
		})
		return c
	}

	// A 5xx: the window stays, with the server's text; the message waits in the Outbox, failed.
	if err := s.ReplyNext("554 5.7.1 Rejected: looks like spam"); err != nil {
		t.Fatal(err)
	}
	c := write("Refused")
	f.q.wait(c.sendMessage)
	f.eventually(t, "the refusal", func() bool { return !c.sending && c.failedID != 0 })
	if got := f.text(func() string { return c.status.Text }); !strings.Contains(got, "Rejected: looks like spam") {
		t.Errorf("status after a 5xx: %q", got)
	}
	// Sent again from the window: the refused copy goes, the new one is sent.
	f.q.wait(c.sendMessage)
	f.eventually(t, "the message sent", func() bool { return c.done })
	if out, _ := f.w.eng.Outbox(ctx, ""); len(out) != 0 {
		t.Errorf("outbox after sending again: %+v", out)
	}

	// A 4xx: the window closes with "Will retry"; the Outbox shows it and its actions.
	if err := s.ReplyNext("451 4.3.0 Try again later"); err != nil {
		t.Fatal(err)
	}
	c = write("Deferred")
	f.q.wait(c.sendMessage)
	f.eventually(t, "the window closed", func() bool { return c.done })
	if got := f.text(func() string { return f.w.status.Text }); !strings.HasPrefix(got, "Will retry at ") || !strings.Contains(got, "Try again later") {
		t.Errorf("status after a 4xx: %q", got)
	}
	f.q.wait(func() { f.w.sidebar.Select(f.w.rowOf(mailstore.FolderOutbox)) })
	f.eventually(t, "the Outbox", func() bool { return f.w.rows.len() == 1 })
	msg := f.open(t, "Deferred")
	row := f.listed(t)[0]
	if got := f.text(func() string { return f.w.outboxState(&row) }); !strings.HasPrefix(got, "will retry at") {
		t.Errorf("outbox row state %q", got)
	}
	f.q.wait(func() { f.w.retrySend(msg.ID) })
	f.eventually(t, "the retry sent", func() bool { return f.w.status.Text == "Sent." && f.w.rows.len() == 0 })

	// May have been sent: Mark as sent moves it to Sent.
	m, err := f.w.eng.Compose(ctx, engineDraft("Uncertain"))
	if err != nil {
		t.Fatal(err)
	}
	id, err := f.w.eng.Queue(ctx, "Home", m, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.MarkSubmitting(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := f.store.MarkMaybeSent(ctx, id, "connection reset after the end of the message"); err != nil {
		t.Fatal(err)
	}
	f.q.wait(f.w.loadMessages)
	f.eventually(t, "the uncertain message listed", func() bool { return f.w.rows.len() == 1 })
	f.open(t, "Uncertain")
	row = f.listed(t)[0]
	if got := f.text(func() string { return f.w.outboxState(&row) }); got != "may have been sent" {
		t.Errorf("outbox row state %q", got)
	}
	f.q.wait(func() { f.w.confirmSent(id) })
	f.eventually(t, "moved to Sent", func() bool { return f.w.rows.len() == 0 })
	if got, _ := f.store.Message(ctx, id); got.Folder != mailstore.FolderSent {
		t.Errorf("after Mark as sent: folder %q", got.Folder)
	}

	// Discard: a queued message is deleted.
	m, _ = f.w.eng.Compose(ctx, engineDraft("Discarded"))
	id, _ = f.w.eng.Queue(ctx, "Home", m, 0)
	f.q.wait(f.w.loadMessages)
	f.eventually(t, "the queued message listed", func() bool { return f.w.rows.len() == 1 })
	f.open(t, "Discarded")
	f.q.wait(func() { f.w.discardNow(id) })
	f.eventually(t, "discarded", func() bool { return f.w.rows.len() == 0 })
	if _, err := f.store.Message(ctx, id); err == nil {
		t.Error("the discarded message is still stored")
	}
}

func engineDraft(subject string) engine.Draft {
	return engine.Draft{Account: "Home", To: []string{"bob@example.net"}, Subject: subject, Body: "x"}
}
