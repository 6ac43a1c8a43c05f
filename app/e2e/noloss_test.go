package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/internal/testenv"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// storedHashes returns the SHA-256 of every message `pouch list --json` shows.
func (c *cli) storedHashes() map[string]bool {
	c.t.Helper()
	out := map[string]bool{}
	for _, m := range decode[[]listed](c.t, c.ok("", "list", "--json")) {
		out[m.SHA256] = true
	}
	return out
}

func wireHash(raw []byte) string {
	sum := sha256.Sum256(pop3test.Bytes(raw))
	return hex.EncodeToString(sum[:])
}

// TestUIDLReuseEndToEnd: the built binary, leave-days 0, against a server that hands a
// deleted message's UIDL to a new message. The new message is stored before it is deleted.
func TestUIDLReuseEndToEnd(t *testing.T) {
	c := newCLI(t)
	drop := pop3test.NewMaildrop()
	srv := pop3test.ServeMaildrop(t, drop, "alice", "pw")
	c.addAccount("s", srv.Addr(), "pw", "--security", "none", "--auth", "USER", "--leave-days", "0")
	a := []byte("Subject: A\r\nMessage-ID: <a@e2e>\r\n\r\nfirst\r\n")
	b := []byte("Subject: B\r\nMessage-ID: <b@e2e>\r\n\r\nsecond, same UIDL\r\n")
	drop.Add("1", a)
	c.ok("", "fetch")
	c.ok("", "fetch") // X is gone from the listing: its ledger row is pruned
	drop.Add("1", b)
	c.ok("", "fetch")
	got := c.storedHashes()
	if !got[wireHash(a)] || !got[wireHash(b)] {
		t.Fatalf("archive holds %v; want both A and B (server deleted %d)", got, len(drop.Deleted()))
	}
	for _, d := range drop.Deleted() {
		if !got[wireHash(d)] {
			t.Errorf("deleted on the server without a local copy: %q", d)
		}
	}
	if r := c.run("", "check"); r.code != 0 {
		t.Errorf("check after the reuse: exit %d: %s", r.code, r.stdout+r.stderr)
	}
}

// TestSwappedMessageEndToEnd: leave-days 2; the server serves other bytes under a UIDL already
// downloaded. When the old message is due, the server's copy is not deleted unseen: it is
// stored as a new message and kept on the server for its own two days.
func TestSwappedMessageEndToEnd(t *testing.T) {
	c := newCLI(t)
	drop := pop3test.NewMaildrop()
	srv := pop3test.ServeMaildrop(t, drop, "alice", "pw")
	c.addAccount("s", srv.Addr(), "pw", "--security", "none", "--auth", "USER", "--leave-days", "2")
	cMsg := []byte("Subject: C\r\n\r\nthe original\r\n")
	dMsg := []byte("Subject: D\r\n\r\nthe swap, same size\r\n"[:len(cMsg)])
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	drop.Add("Y", cMsg)
	if r := c.runAt(t0, "fetch"); r.code != 0 {
		t.Fatalf("fetch: %s", r.stderr)
	}
	drop.Replace("Y", dMsg)
	r := c.runAt(t0.Add(3*24*time.Hour), "fetch")
	if r.code != 0 || !strings.Contains(r.stderr, "changed under a known UIDL") {
		t.Fatalf("fetch when C is due: exit %d, stderr %q; want a warning about the change", r.code, r.stderr)
	}
	if len(drop.Deleted()) != 0 || !c.storedHashes()[wireHash(dMsg)] {
		t.Fatalf("server deleted %q; want D stored and kept", drop.Deleted())
	}
	rows := decode[[]struct {
		UIDL        string     `json:"uidl"`
		DeleteAfter *time.Time `json:"delete_after"`
	}](t, c.runAt(t0.Add(3*24*time.Hour), "retention", "--json").stdout)
	if len(rows) != 1 || rows[0].DeleteAfter == nil || !rows[0].DeleteAfter.Equal(t0.Add(5*24*time.Hour)) {
		t.Errorf("retention = %+v; want D due two days after it was first seen", rows)
	}
	if r := c.runAt(t0.Add(5*24*time.Hour), "fetch"); r.code != 0 || len(drop.Deleted()) != 1 {
		t.Errorf("fetch when D is due: exit %d, server deleted %d", r.code, len(drop.Deleted()))
	}
}

// TestDovecotRebuildReusesUIDL is finding 1 on the real Dovecot: a user whose UIDLs are IMAP
// UIDs (pop3_uidl_format=%u), leave-days 0. A is fetched and deleted; the Maildir's index is
// rebuilt while B arrives, and Dovecot lists B under A's old UIDL. B must be stored.
func TestDovecotRebuildReusesUIDL(t *testing.T) {
	d := testenv.Dovecot(t, &pop3test.DovecotOptions{Users: []pop3test.DovecotUser{
		{Name: "alice", Password: "secret-pw", UIDLFormat: "%u"},
	}})
	c := newCLI(t)
	c.addAccount("dove", d.PlainAddr, "secret-pw", "--security", "starttls", "--ca-file", d.CertFile, "--leave-days", "0")
	a := []byte("Subject: A\nMessage-ID: <a@dove>\n\nfirst\n")
	b := []byte("Subject: B\nMessage-ID: <b@dove>\n\nsecond\n")
	if err := d.Deliver("alice", "a", a); err != nil {
		t.Fatal(err)
	}
	c.ok("", "fetch")
	uidlA := decode[[]listed](t, c.ok("", "list", "--json"))[0].UIDL
	c.ok("", "fetch") // A is gone: its row is pruned
	if err := d.RebuildIndex("alice"); err != nil {
		t.Fatal(err)
	}
	if err := d.Deliver("alice", "b", b); err != nil {
		t.Fatal(err)
	}
	c.ok("", "fetch")
	msgs := decode[[]listed](t, c.ok("", "list", "--json"))
	got := map[string]string{}
	for _, m := range msgs {
		got[m.SHA256] = m.UIDL
	}
	if _, ok := got[wireHash(b)]; !ok {
		t.Fatalf("archive %v lacks B; Dovecot log:\n%s", got, d.Log())
	}
	if got[wireHash(b)] != uidlA {
		t.Logf("Dovecot listed B as %q, A was %q: the rebuild did not reuse the UIDL", got[wireHash(b)], uidlA)
		t.Errorf("the test did not reproduce a reused UIDL")
	}
	if _, ok := got[wireHash(a)]; !ok {
		t.Errorf("archive lost A")
	}
	if files, _ := d.MaildirFiles("alice"); len(files) != 0 {
		t.Errorf("server still holds %d message(s), want B deleted after it was stored", len(files))
	}
}
