package mailstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

func TestCorrespondentsMostUsedFirst(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := newAccount(t, s, "home")
	msgs := []string{
		"From: Bob <bob@example.net>\r\nTo: me@example.org\r\nSubject: 1\r\n\r\nx\r\n",
		"From: bob@example.net\r\nTo: me@example.org, Carol <carol@example.com>\r\nSubject: 2\r\n\r\nx\r\n",
		"From: Robert <BOB@example.net>\r\nTo: me@example.org\r\nCc: carol@example.com\r\nSubject: 3\r\n\r\nx\r\n",
		"From: dave@example.com\r\nTo: me@example.org\r\nSubject: 4\r\n\r\nx\r\n",
	}
	for i, raw := range msgs {
		item := mailstore.BatchItem{UIDL: fmt.Sprint(i), Data: []byte(raw)}
		if _, err := s.NewSaver(a.ID).Save(ctx, []mailstore.BatchItem{item}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Correspondents(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"me@example.org 4", "bob@example.net 3", "carol@example.com 2", "dave@example.com 1"}
	if len(got) != len(want) {
		t.Fatalf("Correspondents = %+v", got)
	}
	for i, c := range got {
		if s := fmt.Sprintf("%s %d", c.Address, c.Count); !strings.EqualFold(s, want[i]) {
			t.Errorf("row %d = %q, want %q", i, s, want[i])
		}
	}
	if got[1].Name != "Robert" || got[1].String() != "Robert <BOB@example.net>" {
		t.Errorf("bob = %+v (%s), want the latest name", got[1], got[1].String())
	}
	if top, _ := s.Correspondents(ctx, 2); len(top) != 2 {
		t.Errorf("limit 2 gave %d", len(top))
	}
}
