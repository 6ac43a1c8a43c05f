package mailstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

// TestSaveUIDLCollision: downloaded bytes are never discarded unless the account already holds
// them. A UIDL that names other bytes than the message stored under it (reused by the server
// after a rebuild, or a message changed under it) gives a new message; the earlier one keeps its
// bytes under a retired name, and the ledger follows the new bytes.
func TestSaveUIDLCollision(t *testing.T) {
	ctx := context.Background()
	t0 := time.Unix(1700000000, 0)
	msgA := "Subject: A\r\n\r\nthe first message\r\n"
	msgB := "Subject: B\r\n\r\nanother message under the same UIDL\r\n"
	big := "Subject: big\r\n\r\n" + strings.Repeat("x", mailstore.ChunkSize+10) + "\r\n"
	cases := []struct {
		name        string
		first, then string
		wantNew     bool // the second save stored a new message
	}{
		{"same bytes again", msgA, msgA, false},
		{"other bytes", msgA, msgB, true},
		{"other bytes, chunked", msgA, big, true},
		{"chunked, same bytes again", big, big, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, a := syncStore(t)
			sv := s.NewSaver(a.ID)
			save := func(raw string, at time.Time) mailstore.BatchResult {
				t.Helper()
				res, err := sv.Save(ctx, []mailstore.BatchItem{{UIDL: "X", Data: []byte(raw)}}, at)
				if err != nil {
					t.Fatal(err)
				}
				return res[0]
			}
			first := save(c.first, t0)
			// The server deleted X (the ledger row is pruned), then lists X again.
			if _, err := s.PruneLedger(ctx, a.ID, nil); err != nil {
				t.Fatal(err)
			}
			t1 := t0.Add(time.Hour)
			if err := s.MarkSeen(ctx, a.ID, []string{"X"}, t1); err != nil {
				t.Fatal(err)
			}
			second := save(c.then, t1)
			n, _ := s.CountMessages(ctx, a.ID)
			l, _ := s.Ledger(ctx, a.ID)
			le := l["X"]
			if !c.wantNew {
				if !second.Exists || second.ID != first.ID || n != 1 || le.MessageID != first.ID {
					t.Fatalf("second save = %+v, %d stored, ledger %+v; want linked to message %d", second, n, le, first.ID)
				}
				return
			}
			if second.Exists || second.ID == first.ID || second.Replaced != first.ID || n != 2 {
				t.Fatalf("second save = %+v, %d stored; want a new message replacing %d", second, n, first.ID)
			}
			if le.MessageID != second.ID || le.SHA256 != second.SHA256 || le.Size != int64(len(c.then)) {
				t.Errorf("ledger = %+v, want it on the new bytes (message %d)", le, second.ID)
			}
			for id, want := range map[int64]string{first.ID: c.first, second.ID: c.then} {
				raw, err := s.Raw(ctx, id)
				if err != nil || string(raw) != want {
					t.Errorf("message %d holds %d bytes, %v; want its own bytes", id, len(raw), err)
				}
			}
			old, _ := s.Message(ctx, first.ID)
			if old.UIDL != mailstore.RetiredUIDL("X", first.ID) {
				t.Errorf("earlier message's UIDL = %q, want it retired", old.UIDL)
			}
			// A swap back to the first bytes: that copy takes the UIDL again, nothing is stored.
			third := save(c.first, t1.Add(time.Hour))
			if !third.Exists || third.ID != first.ID || third.Replaced != second.ID {
				t.Errorf("swap back = %+v, want linked to message %d", third, first.ID)
			}
			if n, _ := s.CountMessages(ctx, a.ID); n != 2 {
				t.Errorf("%d messages after the swap back, want 2", n)
			}
			if r, err := s.Check(ctx, false); err != nil || r.Problems() != 0 {
				t.Errorf("Check() = %+v, %v; want a clean archive", r, err)
			}
		})
	}
}

// TestLedgerFollowsNewBytes: when a UIDL whose row is still in the ledger is downloaded again
// with other bytes, the row is about a new message: first seen now, an old delete request gone.
func TestLedgerFollowsNewBytes(t *testing.T) {
	ctx := context.Background()
	s, a := syncStore(t)
	sv := s.NewSaver(a.ID)
	t0 := time.Unix(1700000000, 0)
	if err := s.MarkSeen(ctx, a.ID, []string{"Y"}, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := sv.Save(ctx, []mailstore.BatchItem{{UIDL: "Y", Data: []byte("Subject: C\r\n\r\nc\r\n")}}, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.RequestServerDelete(ctx, a.ID, []string{"Y"}, t0); err != nil {
		t.Fatal(err)
	}
	t1 := t0.Add(48 * time.Hour)
	if _, err := sv.Save(ctx, []mailstore.BatchItem{{UIDL: "Y", Data: []byte("Subject: D\r\n\r\nd\r\n")}}, t1); err != nil {
		t.Fatal(err)
	}
	le := (func() mailstore.LedgerEntry { l, _ := s.Ledger(ctx, a.ID); return l["Y"] })()
	if !le.FirstSeen.Equal(t1) || le.DeleteRequested != nil {
		t.Errorf("ledger row = %+v; want first seen %v and no delete request", le, t1)
	}
}
