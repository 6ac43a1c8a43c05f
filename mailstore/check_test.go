package mailstore_test

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/pouchmail/pouch/mailstore"
)

func TestCheckDetectsAndRepairs(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	ids := seedSearch(t, s)
	if _, err := s.IndexAll(ctx, nil); err != nil {
		t.Fatal(err)
	}
	r, err := s.Check(ctx, false)
	if err != nil || r.Problems() != 0 || r.Messages != len(searchCorpus) || r.IndexBacklog != 0 {
		t.Fatalf("Check() of a healthy archive = %+v, %v; want no problems", r, err)
	}

	db := mailstore.DB(s)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// A corrupted row: the raw bytes no longer match their hash.
	exec(`UPDATE messages SET raw = CAST('tampered' AS BLOB) WHERE id = ?`, ids["cafe"])
	corrupted, _ := s.Raw(ctx, ids["cafe"])
	// Parsed headers drifted (and the index text no longer matches them either).
	exec(`UPDATE messages SET subject = 'wrong', has_attachments = 0 WHERE id = ?`, ids["report"])
	// An out-of-date index: a message marked indexed is missing, and a purged one lingers.
	exec(`DELETE FROM message_fts WHERE rowid = ?`, ids["lunch"])
	exec(`INSERT INTO message_fts (rowid, subject, from_addr, to_addr, cc_addr, body, attachments) VALUES (9999, 'ghost', '', '', '', '', '')`)
	// A ledger row pointing at other bytes than were downloaded under its UIDL.
	exec(`UPDATE ledger SET sha256 = 'feed' WHERE message_id = ?`, ids["sale"])
	// A pruned ledger row (the server no longer lists the message) is normal, not a problem.
	exec(`DELETE FROM ledger WHERE message_id = ?`, ids["lunch"])

	r, err = s.Check(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want []int64
	}{
		{"HashMismatch", r.HashMismatch, []int64{ids["cafe"]}},
		// The tampered bytes also parse to other headers and index text.
		{"HeaderDrift", r.HeaderDrift, sorted(ids["report"], ids["cafe"])},
		{"IndexMissing", r.IndexMissing, []int64{ids["lunch"]}},
		{"IndexStale", r.IndexStale, sorted(ids["report"], ids["cafe"])},
		{"IndexOrphans", r.IndexOrphans, []int64{9999}},
		{"LedgerMismatch", r.LedgerMismatch, []int64{ids["sale"]}},
	}
	for _, c := range checks {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("Check().%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if r.Repaired || r.Fixed != 0 {
		t.Errorf("Check(false) repaired something: %+v", r)
	}

	r, err = s.Check(ctx, true)
	if err != nil || !r.Repaired || r.Fixed == 0 {
		t.Fatalf("Check(true) = %+v, %v; want repairs", r, err)
	}
	r, err = s.Check(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if r.Problems() != 1 || !slices.Equal(r.HashMismatch, []int64{ids["cafe"]}) {
		t.Errorf("Check() after repair = %+v; want only the hash mismatch left", r)
	}
	// Repair never touches raw bytes.
	if raw, _ := s.Raw(ctx, ids["cafe"]); !bytes.Equal(raw, corrupted) {
		t.Errorf("repair changed raw bytes")
	}
	m, _ := s.Message(ctx, ids["report"])
	if m.Subject != "Quarterly report" || !m.HasAttachments {
		t.Errorf("report after repair = %+v, want its headers re-derived", m)
	}
	l, _ := s.Ledger(ctx, 1)
	if e, ok := l["uidl-sale"]; !ok || e.MessageID != 0 || e.Downloaded != nil {
		t.Errorf("ledger entry after repair = %+v, want the download forgotten (fetched again)", e)
	}
	if _, ok := l["uidl-lunch"]; ok {
		t.Errorf("repair recreated a pruned ledger row")
	}
	if got := search(t, s, ids, "lunch"); !slices.Equal(got, []string{"lunch"}) {
		t.Errorf("search lunch after repair = %v", got)
	}
	if got := search(t, s, ids, "ghost"); len(got) != 0 {
		t.Errorf("search ghost after repair = %v", got)
	}
}

func TestCheckReportsBacklogAndLedgerMismatch(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	ids := seedSearch(t, s)
	// Nothing indexed yet: a backlog is not a problem.
	r, err := s.Check(ctx, false)
	if err != nil || r.Problems() != 0 || r.IndexBacklog != len(searchCorpus) {
		t.Fatalf("Check() = %+v, %v; want only a backlog", r, err)
	}
	if _, err := mailstore.DB(s).Exec(`UPDATE ledger SET message_id = ? WHERE uidl = 'uidl-lunch'`, ids["report"]); err != nil {
		t.Fatal(err)
	}
	r, err = s.Check(ctx, true)
	if err != nil || len(r.LedgerMismatch) == 0 || r.Fixed == 0 {
		t.Fatalf("Check(true) = %+v, %v; want a ledger mismatch fixed", r, err)
	}
	if r, _ := s.Check(ctx, false); r.Problems() != 0 || r.IndexBacklog != 0 {
		t.Errorf("Check() after repair = %+v, want clean and indexed", r)
	}
}

func sorted(ids ...int64) []int64 {
	slices.Sort(ids)
	return ids
}
