package mailstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/mailstore/mimetext"
)

func fixtures(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("mimetext", "testdata", "*", "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	return files
}

func fixtureName(file string) string {
	return filepath.ToSlash(filepath.Join(filepath.Base(filepath.Dir(file)), filepath.Base(file)))
}

func TestSaveMessageFixtures(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a := testAccount("work")
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1800000000, 0)
	for _, file := range fixtures(t) {
		name := fixtureName(file)
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			m, err := s.SaveMessage(ctx, a.ID, name, raw, now)
			if err != nil {
				t.Fatalf("SaveMessage() = %v, want nil (every message is stored)", err)
			}
			got, err := s.Raw(ctx, m.ID)
			if err != nil {
				t.Fatalf("Raw() = %v, want nil", err)
			}
			if !bytes.Equal(got, raw) {
				t.Errorf("Raw() differs from the saved bytes (%d vs %d bytes)", len(got), len(raw))
			}
			sum := sha256.Sum256(raw)
			if m.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("SHA256 = %s, want %x", m.SHA256, sum)
			}
			if m.Size != int64(len(raw)) {
				t.Errorf("Size = %d, want %d", m.Size, len(raw))
			}

			stored, err := s.Message(ctx, m.ID)
			if err != nil {
				t.Fatalf("Message() = %v, want nil", err)
			}
			if !equalMessage(*stored, *m) {
				t.Errorf("Message() = %+v\nSaveMessage() returned %+v", stored, m)
			}
			if stored.Account != "work" || stored.AccountID != a.ID || stored.UIDL != name || !stored.Received.Equal(now) {
				t.Errorf("Message() = {Account:%q AccountID:%d UIDL:%q Received:%v}, want {work %d %s %v}",
					stored.Account, stored.AccountID, stored.UIDL, stored.Received, a.ID, name, now)
			}

			hd := mimetext.ParseHeaders(raw)
			if !stored.Date.Equal(hd.Date) || stored.From != hd.From || stored.To != hd.To || stored.Cc != hd.Cc ||
				stored.Subject != hd.Subject || stored.MessageID != hd.MessageID || stored.HasAttachments != hd.HasAttachments {
				t.Errorf("Message() = %+v, want the fields of %+v", stored, hd)
			}
		})
	}
}

func TestSaveMessageTwice(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a := testAccount("work")
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	t1 := time.Unix(1700000000, 0)
	t2 := t1.Add(time.Hour)
	first, err := s.SaveMessage(ctx, a.ID, "uidl-1", []byte("Subject: first\r\n\r\none\r\n"), t1)
	if err != nil {
		t.Fatalf("SaveMessage() = %v, want nil", err)
	}
	before, _ := s.Ledger(ctx, a.ID)

	_, err = s.SaveMessage(ctx, a.ID, "uidl-1", []byte("Subject: second\r\n\r\ntwo\r\n"), t2)
	if !errors.Is(err, mailstore.ErrExists) {
		t.Fatalf("second SaveMessage() = %v, want ErrExists", err)
	}
	if n, _ := s.CountMessages(ctx, a.ID); n != 1 {
		t.Errorf("CountMessages() = %d, want 1", n)
	}
	raw, _ := s.Raw(ctx, first.ID)
	if !bytes.Contains(raw, []byte("first")) {
		t.Errorf("Raw() = %q, want the first message unchanged", raw)
	}
	after, _ := s.Ledger(ctx, a.ID)
	if !equalEntry(before["uidl-1"], after["uidl-1"]) {
		t.Errorf("ledger changed by a refused save: %+v -> %+v", before["uidl-1"], after["uidl-1"])
	}
}

func TestSaveMessageErrors(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a := testAccount("work")
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, err := s.SaveMessage(ctx, 12345, "u", []byte("x"), now); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("SaveMessage(unknown account) = %v, want ErrNotFound", err)
	}
	if _, err := s.SaveMessage(ctx, a.ID, "", []byte("x"), now); err == nil {
		t.Error("SaveMessage(empty uidl) = nil, want error")
	}
	m, err := s.SaveMessage(ctx, a.ID, "nil", nil, now)
	if err != nil {
		t.Fatalf("SaveMessage(nil raw) = %v, want nil", err)
	}
	if raw, err := s.Raw(ctx, m.ID); err != nil || len(raw) != 0 || raw == nil {
		t.Errorf("Raw(empty) = %q (nil=%v), %v; want empty non-nil", raw, raw == nil, err)
	}
	if _, err := s.Raw(ctx, 999); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("Raw(missing) = %v, want ErrNotFound", err)
	}
	if _, err := s.Message(ctx, 999); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("Message(missing) = %v, want ErrNotFound", err)
	}
}

func TestLedger(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a := testAccount("work")
	other := testAccount("other")
	for _, x := range []*mailstore.Account{a, other} {
		if err := s.CreateAccount(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	t1 := time.Unix(1700000000, 0)
	t2 := t1.Add(24 * time.Hour)
	t3 := t2.Add(time.Hour)

	if err := s.MarkSeen(ctx, a.ID, []string{"a", "b"}, t1); err != nil {
		t.Fatalf("MarkSeen() = %v, want nil", err)
	}
	if err := s.MarkSeen(ctx, a.ID, []string{"a", "b", "c", "c"}, t2); err != nil {
		t.Fatalf("second MarkSeen() = %v, want nil", err)
	}
	m, err := s.SaveMessage(ctx, a.ID, "b", []byte("Subject: b\r\n\r\n"), t3)
	if err != nil {
		t.Fatal(err)
	}
	// Saving a UIDL never listed still records it as first seen then.
	m2, err := s.SaveMessage(ctx, a.ID, "d", []byte("Subject: d\r\n\r\n"), t3)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkDeleted(ctx, a.ID, []string{"b", "unknown"}, t3); err != nil {
		t.Fatalf("MarkDeleted() = %v, want nil", err)
	}

	l, err := s.Ledger(ctx, a.ID)
	if err != nil {
		t.Fatalf("Ledger() = %v, want nil", err)
	}
	want := map[string]mailstore.LedgerEntry{
		"a": {UIDL: "a", FirstSeen: t1},
		"b": {UIDL: "b", FirstSeen: t1, Downloaded: &t3, DeletedFromServer: &t3, MessageID: m.ID},
		"c": {UIDL: "c", FirstSeen: t2},
		"d": {UIDL: "d", FirstSeen: t3, Downloaded: &t3, MessageID: m2.ID},
	}
	if len(l) != len(want) {
		t.Errorf("Ledger() has %d entries, want %d", len(l), len(want))
	}
	for uidl, w := range want {
		if got := l[uidl]; !equalEntry(got, w) {
			t.Errorf("Ledger()[%q] = %s, want %s", uidl, fmtEntry(got), fmtEntry(w))
		}
	}
	if l, _ := s.Ledger(ctx, other.ID); len(l) != 0 {
		t.Errorf("Ledger(other) = %d entries, want 0", len(l))
	}
	if err := s.MarkSeen(ctx, 999, []string{"x"}, t1); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("MarkSeen(unknown account) = %v, want ErrNotFound", err)
	}
	if err := s.MarkSeen(ctx, a.ID, []string{"ok", ""}, t1); err == nil {
		t.Error("MarkSeen(empty uidl) = nil, want error")
	}
	if l, _ := s.Ledger(ctx, a.ID); len(l) != len(want) {
		t.Errorf("a failed MarkSeen left %d entries, want %d (one transaction)", len(l), len(want))
	}
}

func TestMarkSeenLarge(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a := testAccount("big")
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	const n = 100000
	uidls := make([]string, n)
	for i := range uidls {
		uidls[i] = "UID-" + strconv.Itoa(i)
	}
	now := time.Unix(1700000000, 0)
	if err := s.MarkSeen(ctx, a.ID, uidls, now); err != nil {
		t.Fatalf("MarkSeen(%d) = %v, want nil", n, err)
	}
	if err := s.MarkSeen(ctx, a.ID, uidls, now.Add(time.Hour)); err != nil {
		t.Fatalf("second MarkSeen(%d) = %v, want nil", n, err)
	}
	l, err := s.Ledger(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(l) != n {
		t.Errorf("Ledger() has %d entries, want %d", len(l), n)
	}
	if e := l[uidls[n-1]]; !e.FirstSeen.Equal(now) {
		t.Errorf("FirstSeen = %v, want %v", e.FirstSeen, now)
	}
}

func TestMessagesOrderAndFilter(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a, b := testAccount("a"), testAccount("b")
	for _, x := range []*mailstore.Account{a, b} {
		if err := s.CreateAccount(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	// received times; "nodate" sorts by its received time.
	msgs := []struct {
		acct     *mailstore.Account
		uidl     string
		raw      string
		received int64
	}{
		{a, "old", "Date: Mon, 02 Jan 2006 15:04:05 +0000\r\nSubject: old\r\n\r\n", 1700000000},
		{a, "new", "Date: Sat, 01 Jan 2022 00:00:00 +0000\r\nSubject: new\r\n\r\n", 1700000001},
		{b, "mid", "Date: Sun, 01 Jan 2012 00:00:00 +0000\r\nSubject: mid\r\n\r\n", 1700000002},
		{a, "nodate", "Subject: nodate\r\n\r\n", 1500000000}, // 2017
		{b, "same1", "Date: Sun, 01 Jan 2012 00:00:00 +0000\r\nSubject: same1\r\n\r\n", 1700000003},
	}
	for _, m := range msgs {
		if _, err := s.SaveMessage(ctx, m.acct.ID, m.uidl, []byte(m.raw), time.Unix(m.received, 0)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		f    mailstore.Filter
		want []string
	}{
		{"all", mailstore.Filter{}, []string{"new", "nodate", "same1", "mid", "old"}},
		{"account a", mailstore.Filter{AccountID: a.ID}, []string{"new", "nodate", "old"}},
		{"account b", mailstore.Filter{AccountID: b.ID}, []string{"same1", "mid"}},
		{"limit", mailstore.Filter{Limit: 2}, []string{"new", "nodate"}},
		{"limit offset", mailstore.Filter{Limit: 2, Offset: 2}, []string{"same1", "mid"}},
		{"offset only", mailstore.Filter{Offset: 3}, []string{"mid", "old"}},
		{"unknown account", mailstore.Filter{AccountID: 999}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := s.Messages(ctx, tt.f)
			if err != nil {
				t.Fatalf("Messages(%+v) = %v, want nil", tt.f, err)
			}
			var got []string
			for _, m := range ms {
				got = append(got, m.UIDL)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("Messages(%+v) = %q, want %q", tt.f, got, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		id   int64
		want int
	}{{0, 5}, {a.ID, 3}, {b.ID, 2}} {
		if n, err := s.CountMessages(ctx, tt.id); err != nil || n != tt.want {
			t.Errorf("CountMessages(%d) = %d, %v; want %d", tt.id, n, err, tt.want)
		}
	}
}

func equalEntry(a, b mailstore.LedgerEntry) bool {
	eqp := func(x, y *time.Time) bool {
		if x == nil || y == nil {
			return x == nil && y == nil
		}
		return x.Equal(*y)
	}
	return a.UIDL == b.UIDL && a.FirstSeen.Equal(b.FirstSeen) && eqp(a.Downloaded, b.Downloaded) &&
		eqp(a.DeletedFromServer, b.DeletedFromServer) && a.MessageID == b.MessageID
}

func fmtEntry(e mailstore.LedgerEntry) string {
	p := func(t *time.Time) string {
		if t == nil {
			return "nil"
		}
		return t.UTC().Format(time.RFC3339)
	}
	return "{" + e.UIDL + " first=" + e.FirstSeen.UTC().Format(time.RFC3339) + " downloaded=" + p(e.Downloaded) +
		" deleted=" + p(e.DeletedFromServer) + " msg=" + strconv.Itoa(int(e.MessageID)) + "}"
}

func equalMessage(a, b mailstore.Message) bool {
	if !a.Date.Equal(b.Date) || !a.Received.Equal(b.Received) {
		return false
	}
	a.Date, a.Received, b.Date, b.Received = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return a == b
}
