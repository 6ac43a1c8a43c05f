package mailstore_test

import (
	"context"
	"slices"
	"testing"
)

func TestSetReadAndUnreadCounts(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	home, work := newAccount(t, s, "home"), newAccount(t, s, "work")
	// More than one chunk of ids, to cover the split UPDATE.
	homeIDs := saveN(t, s, home, 1200)
	workIDs := saveN(t, s, work, 3)

	counts := func() map[int64]int {
		t.Helper()
		c, err := s.UnreadCounts(ctx)
		if err != nil {
			t.Fatalf("UnreadCounts() = %v", err)
		}
		return c
	}
	if c := counts(); c[home.ID] != 1200 || c[work.ID] != 3 {
		t.Fatalf("UnreadCounts() = %v, want home 1200, work 3", c)
	}
	if err := s.SetRead(ctx, homeIDs[:1100], true); err != nil {
		t.Fatalf("SetRead() = %v", err)
	}
	if err := s.SetRead(ctx, []int64{workIDs[0], 999999}, true); err != nil {
		t.Fatalf("SetRead(unknown id) = %v, want nil", err)
	}
	if c := counts(); c[home.ID] != 100 || c[work.ID] != 2 {
		t.Fatalf("after SetRead: UnreadCounts() = %v, want home 100, work 2", c)
	}
	m, err := s.Message(ctx, homeIDs[0])
	if err != nil || !m.Read {
		t.Fatalf("Message() = %+v, %v; want Read", m, err)
	}
	if err := s.SetRead(ctx, homeIDs[:1], false); err != nil {
		t.Fatal(err)
	}
	if c := counts(); c[home.ID] != 101 {
		t.Errorf("after marking unread: UnreadCounts() = %v, want home 101", c)
	}
	if err := s.SetRead(ctx, nil, true); err != nil {
		t.Errorf("SetRead(nil) = %v, want nil", err)
	}

	// A removed account's mail counts under 0.
	if err := s.DeleteAccount(ctx, work.ID, false); err != nil {
		t.Fatal(err)
	}
	if c := counts(); c[0] != 2 || c[work.ID] != 0 {
		t.Errorf("after removing work: UnreadCounts() = %v, want 2 under 0", c)
	}
}

// TestSetFlagged: flags are set and cleared across chunks, apart from the read state, and an
// unknown id is ignored.
func TestSetFlagged(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := newAccount(t, s, "home")
	ids := saveN(t, s, a, 1200) // more than one chunk
	if err := s.SetFlagged(ctx, append(slices.Clone(ids[:1100]), 999999), true); err != nil {
		t.Fatalf("SetFlagged() = %v", err)
	}
	if err := s.SetFlagged(ctx, ids[:10], false); err != nil {
		t.Fatalf("SetFlagged(false) = %v", err)
	}
	if err := s.SetFlagged(ctx, nil, true); err != nil {
		t.Errorf("SetFlagged(nil) = %v, want nil", err)
	}
	if n, err := s.CountMatches(ctx, mustQuery(t, "is:flagged")); err != nil || n != 1090 {
		t.Errorf("CountMatches(is:flagged) = %d, %v; want 1090", n, err)
	}
	for i, want := range map[int]bool{0: false, 9: false, 10: true, 1099: true, 1100: false} {
		m, err := s.Message(ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		if m.Flagged != want || m.Read {
			t.Errorf("message %d: flagged %v read %v; want flagged %v, unread", i, m.Flagged, m.Read, want)
		}
	}
}
