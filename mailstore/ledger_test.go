package mailstore_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

func TestLedger(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a, other := newAccount(t, s, "work"), newAccount(t, s, "other")
	t1 := time.Unix(1700000000, 0)
	t2 := t1.Add(24 * time.Hour)
	t3 := t2.Add(time.Hour)

	if err := s.MarkSeen(ctx, a.ID, []string{"a", "b"}, t1); err != nil {
		t.Fatalf("MarkSeen() = %v, want nil", err)
	}
	if err := s.MarkSeen(ctx, a.ID, []string{"a", "b", "c", "c"}, t2); err != nil {
		t.Fatalf("second MarkSeen() = %v, want nil", err)
	}
	m := save(t, s, a.ID, "b", []byte("Subject: b\r\n\r\n"), t3)
	// Saving a UIDL never listed still records it as first seen then.
	m2 := save(t, s, a.ID, "d", []byte("Subject: d\r\n\r\n"), t3)
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

// TestPruneLedgerRule: the ledger describes what the server lists now. Every row of a UIDL no
// longer listed goes, a purged copy's row with a delete request included: kept, a later reuse
// of the UIDL would be DELEd with no download at all.
func TestPruneLedgerRule(t *testing.T) {
	s := openTest(t)
	a := newAccount(t, s, "home")
	ctx := context.Background()
	now := time.Unix(1700000000, 0)
	// stored: downloaded, stored here; purged: downloaded, local copy gone, server deletion
	// requested; deleted: deleted by us; never: never downloaded; listed and requested: still on
	// the server.
	all := []string{"stored", "purged", "deleted", "never", "listed", "requested"}
	if err := s.MarkSeen(ctx, a.ID, all, now); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"stored", "purged", "deleted", "listed", "requested"} {
		save(t, s, a.ID, u, []byte("Subject: "+u+"\r\n\r\n"), now)
	}
	if err := s.RequestServerDelete(ctx, a.ID, []string{"purged", "requested"}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := mailstore.DB(s).Exec(`DELETE FROM messages WHERE uidl IN ('purged', 'requested')`); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkDeleted(ctx, a.ID, []string{"deleted"}, now); err != nil {
		t.Fatal(err)
	}
	n, err := s.PruneLedger(ctx, a.ID, []string{"listed", "requested"})
	if err != nil {
		t.Fatal(err)
	}
	l, _ := s.Ledger(ctx, a.ID)
	if n != 4 || len(l) != 2 || l["requested"].DeleteRequested == nil || l["listed"].MessageID == 0 {
		t.Errorf("pruned %d, ledger %v; want every unlisted row pruned, the listed ones kept as they were", n, l)
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
