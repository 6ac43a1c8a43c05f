package mailstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

func TestMessagesOrderAndFilter(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a, b := newAccount(t, s, "a"), newAccount(t, s, "b")
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
		save(t, s, m.acct.ID, m.uidl, []byte(m.raw), time.Unix(m.received, 0))
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
