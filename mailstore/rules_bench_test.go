package mailstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

// benchPending is how many fetched, indexed messages wait for the rules in the benchmarks
// below: a fetch of 10,000 messages.
const benchPending = 10000

// pendingStore is an archive of benchPending fetched messages, indexed, with rules rules (a
// sender, a subject word, a body word, an attachment; moves, marks and flags) defined.
func pendingStore(b *testing.B, rules int) *mailstore.Store {
	b.Helper()
	s := openTest(b)
	ctx := context.Background()
	a := newAccount(b, s, "home")
	now := time.Unix(1790000000, 0)
	sv := s.NewSaver(a.ID)
	for start := 0; start < benchPending; start += 500 {
		items := make([]mailstore.BatchItem, 0, 500)
		for i := start; i < start+500; i++ {
			raw := ruleMail(fmt.Sprintf("sender%d@host%d.example", i%50, i%7), fmt.Sprintf("Subject %d word%d", i, i%40),
				fmt.Sprintf("body text %d term%d and some more words to index", i, i%30), i%9 == 0)
			items = append(items, mailstore.BatchItem{UIDL: fmt.Sprintf("u%d", i), Data: raw})
		}
		if _, err := sv.Save(ctx, items, now); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.IndexAll(ctx, nil); err != nil {
		b.Fatal(err)
	}
	if rules > 0 {
		if _, err := s.CreateFolder(ctx, "Lists", now); err != nil {
			b.Fatal(err)
		}
	}
	for i := range rules {
		r := mailstore.Rule{Name: fmt.Sprintf("rule %d", i)}
		switch i % 4 {
		case 0:
			r.Query = fmt.Sprintf("from:sender%d@", i)
		case 1:
			r.Query = fmt.Sprintf("subject:word%d", i)
		case 2:
			r.Query = fmt.Sprintf("body:term%d", i)
		case 3:
			r.Query = "has:attachment from:host3"
		}
		switch i % 3 {
		case 0:
			r.MoveTo = "Lists"
		case 1:
			r.MarkRead = true
		case 2:
			r.Flag = true
		}
		if _, err := s.AddRule(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// benchApplyPending times ApplyPendingRules over benchPending marked, indexed messages; before
// each run (not timed) every message is marked again and put back as it was fetched.
func benchApplyPending(b *testing.B, rules int) {
	s := pendingStore(b, rules)
	ctx := context.Background()
	changed := 0
	for b.Loop() {
		b.StopTimer()
		if _, err := mailstore.DB(s).Exec(`UPDATE messages SET rules_pending = 1, folder_id = NULL, read = 0, flagged = 0`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := s.ApplyPendingRules(ctx, time.Now())
		if err != nil || res.Examined != benchPending {
			b.Fatalf("ApplyPendingRules examined %d, %v; want %d", res.Examined, err, benchPending)
		}
		changed = res.Changed
	}
	b.ReportMetric(float64(changed), "changed")
}

// BenchmarkApplyPendingNoRules is the rules pass of a fetch of 10,000 messages with no rules.
func BenchmarkApplyPendingNoRules(b *testing.B) { benchApplyPending(b, 0) }

// BenchmarkApplyPending20Rules is the same pass with 20 rules.
func BenchmarkApplyPending20Rules(b *testing.B) { benchApplyPending(b, 20) }
