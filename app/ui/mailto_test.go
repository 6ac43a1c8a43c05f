package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/pouchmail/pouch/app/compose"
)

// A mailto: link's draft opens in the compose window from the account that sends, with its
// signature; with no such account the window says why instead.
func TestMailtoDraftOpensCompose(t *testing.T) {
	f := newWindow(t)
	draft, err := compose.ParseMailto("mailto:bob@example.net?cc=carol@example.com&subject=Agenda&body=Hi%20Bob")
	if err != nil {
		t.Fatal(err)
	}
	f.q.wait(func() { f.w.writeTo(draft) })
	f.eventually(t, "the refusal", func() bool { return strings.Contains(f.w.status.Text, "No account has an SMTP server") })

	a := f.acct
	a.SMTPHost, a.SMTPPort, a.Address, a.Signature = "smtp.example.com", 465, "alice@example.org", "Alice"
	if err := f.store.UpdateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	f.q.wait(func() { f.w.writeTo(draft) })
	c := f.composer(t, 1)
	f.q.wait(func() {
		if c.to.Text != "<bob@example.net>" && c.to.Text != "bob@example.net" {
			t.Errorf("To = %q", c.to.Text)
		}
		if !strings.Contains(c.cc.Text, "carol@example.com") || c.subject.Text != "Agenda" || !strings.HasPrefix(c.body.Text, "Hi Bob") ||
			!strings.Contains(c.body.Text, "-- \nAlice") {
			t.Errorf("compose window: cc %q subject %q body %q", c.cc.Text, c.subject.Text, c.body.Text)
		}
		if c.account != a.Name {
			t.Errorf("from account %q, want %q", c.account, a.Name)
		}
	})
}
