package mailstore_test

import (
	"context"
	"slices"
	"testing"

	"github.com/pouchmail/pouch/mailstore"
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
	if _, err := s.SetRead(ctx, homeIDs[:1100], true); err != nil {
		t.Fatalf("SetRead() = %v", err)
	}
	if _, err := s.SetRead(ctx, []int64{workIDs[0], 999999}, true); err != nil {
		t.Fatalf("SetRead(unknown id) = %v, want nil", err)
	}
	if c := counts(); c[home.ID] != 100 || c[work.ID] != 2 {
		t.Fatalf("after SetRead: UnreadCounts() = %v, want home 100, work 2", c)
	}
	m, err := s.Message(ctx, homeIDs[0])
	if err != nil || !m.Read {
		t.Fatalf("Message() = %+v, %v; want Read", m, err)
	}
	if _, err := s.SetRead(ctx, homeIDs[:1], false); err != nil {
		t.Fatal(err)
	}
	if c := counts(); c[home.ID] != 101 {
		t.Errorf("after marking unread: UnreadCounts() = %v, want home 101", c)
	}
	if _, err := s.SetRead(ctx, nil, true); err != nil {
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
	if _, err := s.SetFlagged(ctx, append(slices.Clone(ids[:1100]), 999999), true); err != nil {
		t.Fatalf("SetFlagged() = %v", err)
	}
	if _, err := s.SetFlagged(ctx, ids[:10], false); err != nil {
		t.Fatalf("SetFlagged(false) = %v", err)
	}
	if _, err := s.SetFlagged(ctx, nil, true); err != nil {
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

// TestSetStateReportsChanged: SetRead and SetFlagged return the ids whose state they changed,
// ascending, across chunks; ids already in that state, unknown ids and an id named twice are
// not reported (again), and neither looks at the other's state. The window's Undo reverts only
// these, so a message flagged before a Flag is still flagged after its Undo.
func TestSetStateReportsChanged(t *testing.T) {
	type setter func(*mailstore.Store, context.Context, []int64, bool) ([]int64, error)
	for _, c := range []struct {
		name       string
		set, other setter
		is         func(*mailstore.Message) bool
	}{
		{"SetRead", (*mailstore.Store).SetRead, (*mailstore.Store).SetFlagged, func(m *mailstore.Message) bool { return m.Read }},
		{"SetFlagged", (*mailstore.Store).SetFlagged, (*mailstore.Store).SetRead, func(m *mailstore.Message) bool { return m.Flagged }},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			s := openTest(t)
			ids := saveN(t, s, newAccount(t, s, "home"), 1200) // more than two chunks
			set := func(ids []int64, on bool) []int64 {
				t.Helper()
				changed, err := c.set(s, ctx, ids, on)
				if err != nil {
					t.Fatalf("%s() = %v", c.name, err)
				}
				return changed
			}
			// Already set before: 5 and 600 (the second chunk); the other state on 7 only.
			if got := set([]int64{ids[5], ids[600]}, true); !slices.Equal(got, []int64{ids[5], ids[600]}) {
				t.Fatalf("%s(5, 600) changed %v, want both", c.name, got)
			}
			if _, err := c.other(s, ctx, []int64{ids[7], ids[8]}, true); err != nil {
				t.Fatal(err)
			}

			// Named: all 1200 in reverse order, an unknown id, and 7 again at the end.
			named := slices.Clone(ids)
			slices.Reverse(named)
			named = append(named, 999999, ids[7])
			got := set(named, true)
			want := slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return id == ids[5] || id == ids[600] })
			if !slices.Equal(got, want) {
				t.Errorf("%s(all) changed %d ids (first %v), want the %d not set before, ascending", c.name, len(got), got[:min(len(got), 3)], len(want))
			}
			if got := set(ids, true); len(got) != 0 {
				t.Errorf("%s(all) again changed %d, want none", c.name, len(got))
			}
			if got := set(nil, true); len(got) != 0 {
				t.Errorf("%s(nil) changed %v, want none", c.name, got)
			}

			// Undone with what was reported, 5 and 600 keep their earlier state.
			if got := set(want, false); !slices.Equal(got, want) {
				t.Errorf("%s(false) of the changed reported %d, want %d", c.name, len(got), len(want))
			}
			for i, on := range map[int]bool{0: false, 5: true, 7: false, 600: true, 1199: false} {
				m, err := s.Message(ctx, ids[i])
				if err != nil {
					t.Fatal(err)
				}
				if c.is(m) != on {
					t.Errorf("after the undo, message %d is %v, want %v", i, c.is(m), on)
				}
			}
		})
	}
}
