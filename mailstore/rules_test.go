package mailstore_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

func TestRuleValidate(t *testing.T) {
	tests := []struct {
		name string
		rule mailstore.Rule
		ok   bool
	}{
		{"read", mailstore.Rule{Name: "bills", Query: "from:billing@ subject:invoice", MarkRead: true}, true},
		{"move to inbox", mailstore.Rule{Name: "back", Query: "has:attachment", MoveTo: "INBOX"}, true},
		{"trash and stop", mailstore.Rule{Name: "spam", Query: `subject:"you won"`, Trash: true, Stop: true}, true},
		{"no name", mailstore.Rule{Name: "  ", Query: "x", MarkRead: true}, false},
		{"control in name", mailstore.Rule{Name: "a\nb", Query: "x", MarkRead: true}, false},
		{"no query", mailstore.Rule{Name: "a", Query: " ", MarkRead: true}, false},
		{"bad query", mailstore.Rule{Name: "a", Query: "after:yesterday", MarkRead: true}, false},
		{"unknown has", mailstore.Rule{Name: "a", Query: "has:nothing", MarkRead: true}, false},
		{"unknown is", mailstore.Rule{Name: "a", Query: "is:starred", MarkRead: true}, false},
		{"on unread", mailstore.Rule{Name: "a", Query: "is:unread from:x", Flag: true}, true},
		{"no action", mailstore.Rule{Name: "a", Query: "x", Stop: true}, false},
		{"into outbox", mailstore.Rule{Name: "a", Query: "x", MoveTo: "outbox"}, false},
		{"into drafts", mailstore.Rule{Name: "a", Query: "x", MoveTo: "Drafts"}, false},
		{"into sent", mailstore.Rule{Name: "a", Query: "x", MoveTo: "sent"}, false},
		{"into trash", mailstore.Rule{Name: "a", Query: "x", MoveTo: "trash"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rule.Validate()
			var re *mailstore.RuleError
			if tt.ok && err != nil || !tt.ok && !errors.As(err, &re) {
				t.Errorf("Validate(%+v) = %v, want ok = %v (a *RuleError otherwise)", tt.rule, err, tt.ok)
			}
		})
	}
}

func TestRuleStorage(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	var ids []int64
	for _, name := range []string{"one", "two", "three"} {
		id, err := s.AddRule(ctx, mailstore.Rule{Name: name, Query: name, MarkRead: true})
		if err != nil {
			t.Fatalf("AddRule(%s) = %v", name, err)
		}
		ids = append(ids, id)
	}
	if _, err := s.AddRule(ctx, mailstore.Rule{Name: "two", Query: "x", Flag: true}); !errors.Is(err, mailstore.ErrExists) {
		t.Errorf("AddRule(duplicate name) = %v, want ErrExists", err)
	}
	names := func() string {
		rs, err := s.Rules(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out string
		for _, r := range rs {
			out += r.Name + " "
		}
		return out
	}
	if got := names(); got != "one two three " {
		t.Errorf("Rules() = %q, want in the order added", got)
	}
	if err := s.ReorderRules(ctx, []int64{ids[2], ids[0], ids[1]}); err != nil {
		t.Fatal(err)
	}
	if got := names(); got != "three one two " {
		t.Errorf("after reorder: %q", got)
	}
	if err := s.ReorderRules(ctx, []int64{ids[2], ids[0]}); err == nil {
		t.Error("ReorderRules(missing one) = nil, want an error")
	}
	if err := s.UpdateRule(ctx, mailstore.Rule{ID: ids[0], Name: "uno", Query: "from:x", Flag: true, Stop: true}); err != nil {
		t.Fatal(err)
	}
	r, err := s.Rule(ctx, "uno")
	if err != nil || r.Query != "from:x" || !r.Flag || r.MarkRead || !r.Stop {
		t.Errorf("Rule(uno) = %+v, %v; want the update", r, err)
	}
	if got := names(); got != "three uno two " {
		t.Errorf("an update keeps the place: %q", got)
	}
	if err := s.RemoveRule(ctx, "uno"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveRule(ctx, "uno"); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("RemoveRule(again) = %v, want ErrNotFound", err)
	}
	if got := names(); got != "three two " {
		t.Errorf("after remove: %q", got)
	}
}

// ruleMail is a small fetched message.
func ruleMail(from, subject, body string, attachment bool) []byte {
	if !attachment {
		return []byte(fmt.Sprintf("From: %s\r\nTo: me@example.org\r\nSubject: %s\r\n\r\n%s\r\n", from, subject, body))
	}
	return []byte(fmt.Sprintf("From: %s\r\nTo: me@example.org\r\nSubject: %s\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n%s\r\n"+
		"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=x.pdf\r\n\r\nPDF\r\n--b--\r\n", from, subject, body))
}

func TestApplyPendingRules(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a := newAccount(t, s, "home")
	now := time.Unix(1790000000, 0)
	id := map[string]int64{}
	for _, m := range []struct {
		key, from, subject, body string
		att                      bool
	}{
		{"invoice", "billing@shop.example", "Your invoice 42", "Amount due", false},
		{"invoice-pdf", "billing@shop.example", "Invoice 43", "attached", true},
		{"lottery", "win@spam.example", "Hello", "you won the lottery", false},
		{"friend", "anna@example.org", "Lunch", "friday?", true},
		{"plain", "bob@example.org", "Notes", "nothing", false},
	} {
		id[m.key] = save(t, s, a.ID, m.key, ruleMail(m.from, m.subject, m.body, m.att), now).ID
	}
	// Imported mail is not incoming mail: the rules do not run on it.
	if _, err := s.Import(ctx, a.ID, mailstore.FormatEML, writeEML(t, ruleMail("billing@shop.example", "Invoice 1", "old", false)), now, nil); err != nil {
		t.Fatal(err)
	}
	for _, r := range []mailstore.Rule{
		{Name: "bills", Query: "from:billing@ subject:invoice", MarkRead: true, Flag: true, Stop: true},
		{Name: "attachments", Query: "has:attachment", Flag: true},
		{Name: "lottery", Query: "body:lottery", Trash: true},
	} {
		if _, err := s.AddRule(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	// Not indexed yet: the rules wait, since a condition may name body text.
	res, err := s.ApplyPendingRules(ctx, now)
	if err != nil || res.Examined != 0 {
		t.Fatalf("ApplyPendingRules before indexing = %+v, %v; want nothing examined", res, err)
	}
	if n, _ := s.RulesBacklog(ctx); n != 5 {
		t.Fatalf("RulesBacklog() = %d, want the 5 fetched messages", n)
	}
	if _, err := s.IndexAll(ctx, nil); err != nil {
		t.Fatal(err)
	}
	res, err = s.ApplyPendingRules(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Examined != 5 || res.Changed != 4 || res.Failed != 0 {
		t.Errorf("ApplyPendingRules = %+v, want 5 examined, 4 changed", res)
	}
	want := map[string]struct{ read, flagged, trashed bool }{
		"invoice":     {true, true, false},
		"invoice-pdf": {true, true, false}, // "attachments" flags too, but "bills" stopped first: the same result
		"lottery":     {false, false, true},
		"friend":      {false, true, false},
		"plain":       {false, false, false},
	}
	for key, w := range want {
		m, err := s.Message(ctx, id[key])
		if err != nil {
			t.Fatal(err)
		}
		if m.Read != w.read || m.Flagged != w.flagged || (m.Trashed != nil) != w.trashed || m.Folder != mailstore.FolderInbox {
			t.Errorf("%s: read %v flagged %v trashed %v folder %s; want %+v in the inbox", key, m.Read, m.Flagged, m.Trashed != nil, m.Folder, w)
		}
	}
	if got := res.Rules[1]; got.Rule != "attachments" || got.Matched != 1 {
		t.Errorf("attachments matched %d (after bills' stop), want 1 (the friend's)", got.Matched)
	}
	if n, _ := s.RulesBacklog(ctx); n != 0 {
		t.Errorf("RulesBacklog() after = %d, want 0", n)
	}
	// The rules ran once: a second catch-up finds nothing.
	if res, _ := s.ApplyPendingRules(ctx, now); res.Examined != 0 {
		t.Errorf("second ApplyPendingRules examined %d", res.Examined)
	}
	// A rule trashes locally: the ledger has no delete request.
	rows, err := mailstore.DB(s).Query(`SELECT count(*) FROM ledger WHERE delete_requested_at IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	rows.Next()
	rows.Scan(&n)
	rows.Close()
	if n != 0 {
		t.Errorf("%d ledger rows with a delete request after a rule trashed a message, want 0", n)
	}

	// On demand: only the named rule, over the whole archive (the imported invoice included).
	res, err = s.RunRules(ctx, mailstore.RunScope{Rule: "bills"}, now)
	if err != nil {
		t.Fatal(err)
	}
	// The two fetched invoices are read and flagged already: only the imported one changes.
	if res.Rules[0].Matched != 3 || len(res.Rules) != 1 || res.Changed != 1 {
		t.Errorf("RunRules(bills) = %+v, want 3 matched (two fetched, one imported), 1 changed", res)
	}
	if _, err := s.RunRules(ctx, mailstore.RunScope{Rule: "nope"}, now); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("RunRules(unknown) = %v, want ErrNotFound", err)
	}
	if n, err := s.CountMatches(ctx, mustQuery(t, "from:billing@")); err != nil || n != 3 {
		t.Errorf("CountMatches(from:billing@) = %d, %v; want 3", n, err)
	}
}

func mustQuery(t *testing.T, s string) mailstore.Query {
	t.Helper()
	q, err := mailstore.ParseQuery(s)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// writeEML writes raw as an .eml file for Import and returns its path.
func writeEML(t *testing.T, raw []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.eml")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A rule follows its folder through a rename; once the folder is deleted the rule fails, and
// the messages it matched stay in the inbox, untouched, with the failure counted and kept.
func TestRuleMoveAndFailingRule(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a := newAccount(t, s, "home")
	now := time.Unix(1790000000, 0)
	if _, err := s.CreateFolder(ctx, "Bills/2026", now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddRule(ctx, mailstore.Rule{Name: "x", Query: "x", MoveTo: "Nowhere"}); !errors.Is(err, mailstore.ErrFolderNotFound) {
		t.Errorf("AddRule(unknown folder) = %v, want ErrFolderNotFound", err)
	}
	if _, err := s.AddRule(ctx, mailstore.Rule{Name: "bills", Query: "from:billing@", MoveTo: "bills/2026", MarkRead: true}); err != nil {
		t.Fatal(err)
	}
	fetch := func(uidl string) int64 {
		id := save(t, s, a.ID, uidl, ruleMail("billing@shop.example", "Invoice "+uidl, "due", false), now).ID
		if _, err := s.IndexAll(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ApplyPendingRules(ctx, now); err != nil {
			t.Fatal(err)
		}
		return id
	}
	folderOf := func(id int64) (mailstore.Folder, bool) {
		m, err := s.Message(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return m.Folder, m.Read
	}
	if f, read := folderOf(fetch("a")); f != "Bills/2026" || !read {
		t.Errorf("first message in %q (read %v), want Bills/2026, read", f, read)
	}
	if _, err := s.RenameFolder(ctx, "Bills/2026", "Bills/Paid", now); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.Rule(ctx, "bills"); r.MoveTo != "Bills/Paid" {
		t.Errorf("rule moves to %q after the rename, want Bills/Paid", r.MoveTo)
	}
	if f, _ := folderOf(fetch("b")); f != "Bills/Paid" {
		t.Errorf("after the rename the message went to %q", f)
	}
	if _, err := s.DeleteFolder(ctx, "Bills/Paid", now); err != nil {
		t.Fatal(err)
	}
	id := fetch("c")
	if f, read := folderOf(id); f != mailstore.FolderInbox || read {
		t.Errorf("with its folder deleted the rule left the message in %q (read %v), want the inbox, unread", f, read)
	}
	r, err := s.Rule(ctx, "bills")
	if err != nil || r.Failures != 1 || r.LastError == "" || r.FailedAt == nil {
		t.Errorf("Rule(bills) = %+v, %v; want one failure with its error", r, err)
	}
	res, err := s.RunRules(ctx, mailstore.RunScope{Folder: mailstore.FolderInbox}, now)
	if err != nil || res.Failed != 1 || res.Rules[0].Failed != 1 || res.Rules[0].Error == "" {
		t.Errorf("RunRules(inbox) = %+v, %v; want the failure reported", res, err)
	}
	// The same path again: the rule works again.
	if _, err := s.CreateFolder(ctx, "Bills/Paid", now); err != nil {
		t.Fatal(err)
	}
	if res, err := s.RunRules(ctx, mailstore.RunScope{Folder: mailstore.FolderInbox}, now); err != nil || res.Changed != 1 {
		t.Errorf("RunRules after re-creating the folder = %+v, %v; want 1 changed", res, err)
	}
	if f, _ := folderOf(id); f != "Bills/Paid" {
		t.Errorf("message in %q, want Bills/Paid", f)
	}
	if _, err := s.RunRules(ctx, mailstore.RunScope{Folder: "No/Such"}, now); !errors.Is(err, mailstore.ErrFolderNotFound) {
		t.Errorf("RunRules(unknown folder) = %v, want ErrFolderNotFound", err)
	}
}

// A run over more messages than one transaction writes counts and keeps its failures once.
func TestRunRulesAcrossTransactions(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a := newAccount(t, s, "home")
	now := time.Unix(1790000000, 0)
	const n = 2100 // more than one write transaction's worth
	items := make([]mailstore.BatchItem, n)
	for i := range items {
		items[i] = mailstore.BatchItem{UIDL: fmt.Sprint("u", i), Data: ruleMail("news@list.example", fmt.Sprint("Issue ", i), "weekly", false)}
	}
	if _, err := s.NewSaver(a.ID).Save(ctx, items, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IndexAll(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateFolder(ctx, "News", now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddRule(ctx, mailstore.Rule{Name: "news", Query: "from:news@", MoveTo: "News"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteFolder(ctx, "News", now); err != nil {
		t.Fatal(err)
	}
	res, err := s.ApplyPendingRules(ctx, now)
	if err != nil || res.Examined != n || res.Failed != n || res.Rules[0].Failed != n {
		t.Fatalf("ApplyPendingRules = %+v, %v; want %d examined and failed", res, err, n)
	}
	if r, _ := s.Rule(ctx, "news"); r.Failures != n {
		t.Errorf("rule failures = %d, want %d", r.Failures, n)
	}
	if _, err := s.CreateFolder(ctx, "News", now); err != nil {
		t.Fatal(err)
	}
	res, err = s.RunRules(ctx, mailstore.RunScope{}, now)
	if err != nil || res.Examined != n || res.Changed != n || res.Failed != 0 {
		t.Fatalf("RunRules = examined %d, changed %d, failed %d, %v; want %d changed", res.Examined, res.Changed, res.Failed, err, n)
	}
	if fs, err := s.Messages(ctx, mailstore.Filter{Folder: "News"}); err != nil || len(fs) != n {
		t.Errorf("News holds %d messages, %v; want %d", len(fs), err, n)
	}
}

// With no rules, ApplyPendingRules only clears the marks of the indexed pending messages, more
// than one transaction's worth, and changes nothing else; messages not indexed yet keep theirs.
func TestApplyPendingRulesWithoutRules(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a := newAccount(t, s, "home")
	now := time.Unix(1790000000, 0)
	const indexed = 2050 // more than one write chunk
	items := make([]mailstore.BatchItem, indexed)
	for i := range items {
		items[i] = mailstore.BatchItem{UIDL: fmt.Sprintf("u%d", i), Data: ruleMail("anna@example.org", fmt.Sprintf("Note %d", i), "text", i%10 == 0)}
	}
	if _, err := s.NewSaver(a.ID).Save(ctx, items, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IndexAll(ctx, nil); err != nil {
		t.Fatal(err)
	}
	// Two more arrive after the index caught up: they keep waiting.
	late := []int64{save(t, s, a.ID, "late1", ruleMail("bob@example.org", "Later", "text", false), now).ID,
		save(t, s, a.ID, "late2", ruleMail("bob@example.org", "Later too", "text", false), now).ID}
	// An imported message is not marked; a read, flagged one shows nothing else is touched.
	if _, err := s.Import(ctx, a.ID, mailstore.FormatEML, writeEML(t, ruleMail("carl@example.org", "Old", "old", false)), now, nil); err != nil {
		t.Fatal(err)
	}
	db := mailstore.DB(s)
	if _, err := db.Exec(`UPDATE messages SET read = 1, flagged = 1 WHERE id = (SELECT min(id) FROM messages)`); err != nil {
		t.Fatal(err)
	}
	snapshot := func() (rows []string, pending map[int64]bool) {
		t.Helper()
		r, err := db.Query(`SELECT id, folder, coalesce(folder_id, 0), read, flagged, coalesce(trashed_at, 0), indexed, hex(raw), rules_pending FROM messages ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		pending = map[int64]bool{}
		for r.Next() {
			var id, folderID, read, flagged, trashed, idx, p int64
			var folder, raw string
			if err := r.Scan(&id, &folder, &folderID, &read, &flagged, &trashed, &idx, &raw, &p); err != nil {
				t.Fatal(err)
			}
			rows = append(rows, fmt.Sprint(id, folder, folderID, read, flagged, trashed, idx, raw))
			if p == 1 {
				pending[id] = true
			}
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		return rows, pending
	}
	before, pendingBefore := snapshot()
	if len(pendingBefore) != indexed+len(late) {
		t.Fatalf("%d messages pending before, want %d", len(pendingBefore), indexed+len(late))
	}

	res, err := s.ApplyPendingRules(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Examined != indexed || res.Changed != 0 || res.Failed != 0 || len(res.Rules) != 0 {
		t.Errorf("ApplyPendingRules = %+v, want %d examined and nothing else", res, indexed)
	}
	after, pendingAfter := snapshot()
	if !slices.Equal(before, after) {
		t.Error("ApplyPendingRules without rules changed more than the marks")
	}
	if len(pendingAfter) != len(late) || !pendingAfter[late[0]] || !pendingAfter[late[1]] {
		t.Errorf("pending after: %v, want only the messages not indexed yet %v", pendingAfter, late)
	}
	// Once indexed, they are cleared too.
	if _, err := s.IndexAll(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if res, err := s.ApplyPendingRules(ctx, now); err != nil || res.Examined != len(late) {
		t.Errorf("ApplyPendingRules after indexing the rest = %+v, %v; want %d examined", res, err, len(late))
	}
	if n, _ := s.RulesBacklog(ctx); n != 0 {
		t.Errorf("RulesBacklog() = %d, want 0", n)
	}
}

// TestRuleOnUnreadOnly: a rule's is:unread acts on unread messages only, whether it runs on
// fetched mail (one read in the window before it was indexed) or on demand, and the editor's
// preview counts the same messages.
func TestRuleOnUnreadOnly(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a := newAccount(t, s, "home")
	now := time.Unix(1790000000, 0)
	id := map[string]int64{}
	for _, key := range []string{"new", "seen", "other"} {
		from := "x@example.org"
		if key == "other" {
			from = "y@example.org"
		}
		id[key] = save(t, s, a.ID, key, ruleMail(from, "Note "+key, "text", false), now).ID
	}
	if _, err := s.SetRead(ctx, []int64{id["seen"]}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddRule(ctx, mailstore.Rule{Name: "unread from x", Query: "is:unread from:x@example.org", Flag: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IndexAll(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if n, err := s.CountMatches(ctx, mustQuery(t, "is:unread from:x@example.org")); err != nil || n != 1 {
		t.Errorf("CountMatches(is:unread from:x) = %d, %v; want 1", n, err)
	}
	if res, err := s.ApplyPendingRules(ctx, now); err != nil || res.Changed != 1 {
		t.Fatalf("ApplyPendingRules = %+v, %v; want 1 changed", res, err)
	}
	flagged := func() map[string]bool {
		t.Helper()
		got := map[string]bool{}
		for key, mid := range id {
			m, err := s.Message(ctx, mid)
			if err != nil {
				t.Fatal(err)
			}
			got[key] = m.Flagged
		}
		return got
	}
	if got, want := flagged(), map[string]bool{"new": true, "seen": false, "other": false}; !maps.Equal(got, want) {
		t.Errorf("after the pending rules: flagged %v, want %v", got, want)
	}

	// On demand: the message read meanwhile is left alone, the one marked unread again flagged.
	if _, err := mailstore.DB(s).ExecContext(ctx, `UPDATE messages SET flagged = 0`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetRead(ctx, []int64{id["new"]}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetRead(ctx, []int64{id["seen"]}, false); err != nil {
		t.Fatal(err)
	}
	if res, err := s.RunRules(ctx, mailstore.RunScope{}, now); err != nil || res.Changed != 1 {
		t.Fatalf("RunRules = %+v, %v; want 1 changed", res, err)
	}
	if got, want := flagged(), map[string]bool{"new": false, "seen": true, "other": false}; !maps.Equal(got, want) {
		t.Errorf("after RunRules: flagged %v, want %v", got, want)
	}
}
