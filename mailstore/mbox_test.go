package mailstore_test

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

func TestImportThunderbirdMbox(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := newAccount(t, s, "home")
	path := filepath.Join("testdata", "mbox", "thunderbird.mbox")
	res, err := s.Import(ctx, a.ID, mailstore.FormatMbox, path, time.Now(), nil)
	if err != nil || res.Imported != 4 || res.Skipped != 0 {
		t.Fatalf("Import() = %+v, %v; want 4 imported", res, err)
	}
	ms, err := s.Messages(ctx, mailstore.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	bySubject := map[string]mailstore.Message{}
	for _, m := range ms {
		bySubject[m.Subject] = m
		if m.UIDL != mailstore.ImportUIDLPrefix+m.SHA256 || m.Account != "home" {
			t.Errorf("message %q: UIDL %q account %q, want import:<sha256> in home", m.Subject, m.UIDL, m.Account)
		}
	}
	wantBodies := map[string]string{
		"Lunch on Friday?":           "\r\n\r\nHi Alice,\r\nFrom the window you can see the corner.\r\nFrom the corner it is two minutes.\r\n\r\nAnna\r\n",
		"Café con leña":              "\r\n\r\nTwo blank lines follow, then a line that only looks like a separator.\r\n\r\n\r\nFrom here on it is body text.\r\n",
		"Last one, no final newline": "\r\n\r\nThe end.\r\n",
	}
	for subject, suffix := range wantBodies {
		m, ok := bySubject[subject]
		if !ok {
			t.Errorf("no message %q among %v", subject, ms)
			continue
		}
		raw, _ := s.Raw(ctx, m.ID)
		if !strings.HasSuffix(string(raw), suffix) || strings.Contains(strings.ReplaceAll(string(raw), "\r\n", ""), "\n") {
			t.Errorf("raw of %q = %q, want CRLF lines ending in %q", subject, raw, suffix)
		}
	}
	if m := bySubject["Quarterly report (with attachment)"]; !m.HasAttachments || m.From != "Bob Martin <bob@example.net>" {
		t.Errorf("report = %+v, want parsed headers with an attachment", m)
	}
	// Imports never create ledger rows: nothing may ever be deleted on a server because of them.
	l, err := s.Ledger(ctx, a.ID)
	if err != nil || len(l) != 0 {
		t.Errorf("Ledger() after import = %v, %v; want empty", l, err)
	}
	// A second import skips everything.
	res, err = s.Import(ctx, a.ID, mailstore.FormatMbox, path, time.Now(), nil)
	if err != nil || res.Imported != 0 || res.Skipped != 4 {
		t.Errorf("second Import() = %+v, %v; want 4 skipped", res, err)
	}
	// Imported messages are searchable.
	if _, err := s.IndexAll(ctx, nil); err != nil {
		t.Fatal(err)
	}
	q, _ := mailstore.ParseQuery("corner has:attachment")
	if got, _ := s.Search(ctx, q, 0); len(got) != 0 {
		t.Errorf("search corner has:attachment = %v, want none", got)
	}
	q, _ = mailstore.ParseQuery(`"two minutes"`)
	if got, _ := s.Search(ctx, q, 0); len(got) != 1 || got[0].Subject != "Lunch on Friday?" {
		t.Errorf(`search "two minutes" = %v, want the lunch message`, got)
	}
}

func TestMboxrdRoundTrip(t *testing.T) {
	msgs := []string{
		"Subject: plain\r\n\r\nhello\r\n",
		"Subject: from lines\r\n\r\nFrom me to you\r\n>From quoted\r\n>>From twice\r\nFromage is not a From_ line\r\n",
		"Subject: blank then From\r\n\r\nfirst\r\n\r\nFrom here on\r\n\r\n",
		"Subject: trailing blank lines\r\n\r\nbody\r\n\r\n\r\n",
		"Subject: lone CR\r\n\r\na\rb\r\n",
	}
	var mbox bytes.Buffer
	for _, m := range msgs {
		mailstore.WriteMboxrd(&mbox, []byte(m), "a@example.org", time.Date(2026, 11, 16, 9, 5, 0, 0, time.UTC))
	}
	out := mbox.String()
	for _, want := range []string{"From a@example.org Mon Nov 16 09:05:00 2026\n", "\n>From me to you\n", "\n>>From quoted\n",
		"\n>>>From twice\n", "\nFromage is", "\n>From here on\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("mbox lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\r\n") {
		t.Errorf("mbox has CRLF line ends")
	}
	var got []string
	err := mailstore.ReadMbox(strings.NewReader(out), func(m []byte) error {
		got = append(got, string(mailstore.ToCRLF(m)))
		return nil
	})
	if err != nil {
		t.Fatalf("ReadMbox() = %v", err)
	}
	if !slices.Equal(got, msgs) {
		t.Errorf("round trip:\n got %q\nwant %q", got, msgs)
	}
}
