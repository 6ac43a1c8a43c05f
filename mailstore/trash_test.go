package mailstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

func TestTrash(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	ids := seedSearch(t, s) // "soup" is in account work, the rest in home
	work, err := s.AccountByName(ctx, "work")
	if err != nil {
		t.Fatal(err)
	}
	work.DeleteOnServer = true
	if err := s.UpdateAccount(ctx, work); err != nil {
		t.Fatal(err)
	}
	count := func(f mailstore.Filter) int {
		t.Helper()
		ms, err := s.Messages(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return len(ms)
	}
	now := time.Unix(1800000500, 0)
	if err := s.TrashMessages(ctx, []int64{ids["lunch"], ids["soup"], ids["sale"]}, now); err != nil {
		t.Fatal(err)
	}
	if n := count(mailstore.Filter{}); n != 2 {
		t.Errorf("default listing has %d messages, want 2 (trashed ones hidden)", n)
	}
	if n := count(mailstore.Filter{Trash: true}); n != 3 {
		t.Errorf("Trash listing has %d messages, want 3", n)
	}
	m, _ := s.Message(ctx, ids["lunch"])
	if m.Trashed == nil || !m.Trashed.Equal(now) {
		t.Errorf("Trashed = %v, want %v", m.Trashed, now)
	}
	if err := s.RestoreMessages(ctx, []int64{ids["sale"]}); err != nil {
		t.Fatal(err)
	}
	if n := count(mailstore.Filter{}); n != 3 {
		t.Errorf("listing after restore has %d messages, want 3", n)
	}
	// Unknown IDs change nothing, even when listed with known ones.
	if err := s.TrashMessages(ctx, []int64{ids["cafe"], 424242}, now); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("TrashMessages(unknown) = %v, want ErrNotFound", err)
	}
	if m, _ := s.Message(ctx, ids["cafe"]); m.Trashed != nil {
		t.Errorf("a failed TrashMessages moved a message")
	}

	n, err := s.EmptyTrash(ctx, now.Add(time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("EmptyTrash() = %d, %v; want 2", n, err)
	}
	if _, err := s.Message(ctx, ids["lunch"]); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("purged message still there: %v", err)
	}
	// work deletes on the server: its ledger row asks for it; home does not.
	wl, _ := s.Ledger(ctx, work.ID)
	if e := wl["uidl-soup"]; e.DeleteRequested == nil || !e.DeleteRequested.Equal(now.Add(time.Hour)) || e.MessageID != 0 || e.Downloaded == nil {
		t.Errorf("work ledger entry = %+v, want delete requested, message gone, still downloaded", e)
	}
	home, _ := s.AccountByName(ctx, "home")
	hl, _ := s.Ledger(ctx, home.ID)
	if e := hl["uidl-lunch"]; e.DeleteRequested != nil || e.Downloaded == nil {
		t.Errorf("home ledger entry = %+v, want no delete request and still downloaded", e)
	}
	if n, err := s.EmptyTrash(ctx, now); err != nil || n != 0 {
		t.Errorf("EmptyTrash() of an empty Trash = %d, %v", n, err)
	}
}
