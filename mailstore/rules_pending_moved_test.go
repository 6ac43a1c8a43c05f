package mailstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

// TestPendingRulesLeaveMailTheUserFiled: a fetch returns once its mail is committed and the
// rules run once it is indexed, so the window shows new mail, and the user may file it,
// before the rules run. The user's decision stands: a rule must not move a message the user
// has moved meanwhile out of the folder the user chose.
func TestPendingRulesLeaveMailTheUserFiled(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a := newAccount(t, s, "home")
	now := time.Unix(1790000000, 0)
	m := save(t, s, a.ID, "u1", ruleMail("billing@shop.example", "Invoice 7", "due", false), now)
	for _, f := range []string{"Mine", "Bills"} {
		if _, err := s.CreateFolder(ctx, f, now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddRule(ctx, mailstore.Rule{Name: "bills", Query: "from:billing@", MoveTo: "Bills"}); err != nil {
		t.Fatal(err)
	}
	// The user files it before it is indexed.
	if _, err := s.MoveMessages(ctx, []int64{m.ID}, "Mine"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IndexAll(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyPendingRules(ctx, now); err != nil {
		t.Fatal(err)
	}
	got, err := s.Message(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Folder != "Mine" {
		t.Errorf("message filed by the user in Mine before the rules ran is in %q after them, want Mine", got.Folder)
	}
	if n, _ := s.RulesBacklog(ctx); n != 0 {
		t.Errorf("RulesBacklog() = %d, want 0", n)
	}
}
