package mailstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

func TestParseFolder(t *testing.T) {
	tests := []struct {
		in   string
		want mailstore.Folder
		bad  bool
	}{
		{in: "inbox", want: mailstore.FolderInbox},
		{in: " Sent ", want: mailstore.FolderSent},
		{in: "OUTBOX", want: mailstore.FolderOutbox},
		{in: "Drafts", want: mailstore.FolderDrafts},
		{in: "Trash", want: mailstore.FolderTrash},
		{in: "Work", want: "Work"},
		{in: "Work/Invoices", want: "Work/Invoices"},
		{in: " Work / Invoices 2026 ", want: "Work/Invoices 2026"},
		{in: "Work/Inbox", want: "Work/Inbox"}, // reserved at the top level only
		{in: "Café/Ñandú", want: "Café/Ñandú"},
		{in: "", bad: true},
		{in: "   ", bad: true},
		{in: "/Work", bad: true},
		{in: "Work/", bad: true},
		{in: "Work//Invoices", bad: true},
		{in: "Work/ /Invoices", bad: true},
		{in: "Work/..", bad: true},
		{in: "./Work", bad: true},
		{in: "Inbox/Sub", bad: true},
		{in: "trash/x", bad: true},
		{in: "a\x00b", bad: true},
		{in: "a\nb", bad: true},
		{in: "\xff", bad: true},
		{in: strings.Repeat("a/", mailstore.MaxFolderDepth) + "a", bad: true},
		{in: strings.Repeat("x", mailstore.MaxFolderSegment+1), bad: true},
	}
	for _, tt := range tests {
		got, err := mailstore.ParseFolder(tt.in)
		var ne *mailstore.FolderNameError
		if tt.bad {
			if !errors.As(err, &ne) {
				t.Errorf("ParseFolder(%q) = %q, %v; want a *FolderNameError", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseFolder(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// FuzzParseFolder: what ParseFolder accepts is a fixed point, and a user folder's path has no
// empty segment, no control character and no reserved top-level name.
func FuzzParseFolder(f *testing.F) {
	for _, s := range []string{"Work/Invoices", " a / b ", "inbox", "a//b", "Trash/x", "\x00", "Ä/ö"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := mailstore.ParseFolder(s)
		if err != nil {
			return
		}
		again, err := mailstore.ParseFolder(string(got))
		if err != nil || again != got {
			t.Fatalf("ParseFolder(%q) = %q, but that parses as %q, %v", s, got, again, err)
		}
		if got.System() {
			return
		}
		segs := strings.Split(string(got), "/")
		if len(segs) > mailstore.MaxFolderDepth {
			t.Fatalf("%q: %d levels", got, len(segs))
		}
		for i, seg := range segs {
			if seg == "" || seg != strings.TrimSpace(seg) || strings.ContainsAny(seg, "\x00\r\n") {
				t.Fatalf("%q: bad segment %q", got, seg)
			}
			if i == 0 && mailstore.Folder(strings.ToLower(seg)).System() {
				t.Fatalf("%q: reserved top-level name", got)
			}
		}
	})
}

// folderOf returns the folder (path or system name) each key's message is in, "trash:" before
// it when trashed.
func folderOf(t *testing.T, s *mailstore.Store, id int64) string {
	t.Helper()
	m, err := s.Message(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if m.Trashed != nil {
		return "trash:" + string(m.Folder)
	}
	return string(m.Folder)
}

func listed(t *testing.T, s *mailstore.Store, f mailstore.Filter) []int64 {
	t.Helper()
	ms, err := s.Messages(context.Background(), f)
	if err != nil {
		t.Fatalf("Messages(%+v) = %v", f, err)
	}
	ids := []int64{}
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	return ids
}

func TestFolderCreateRename(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	now := time.Unix(1800000000, 0)
	f, err := s.CreateFolder(ctx, " Work / Invoices ", now)
	if err != nil || f != "Work/Invoices" {
		t.Fatalf("CreateFolder() = %q, %v; want Work/Invoices (parents created)", f, err)
	}
	for _, p := range []string{"Work", "work/INVOICES"} {
		if _, err := s.CreateFolder(ctx, p, now); !errors.Is(err, mailstore.ErrFolderExists) {
			t.Errorf("CreateFolder(%q) = %v, want ErrFolderExists (case ignored)", p, err)
		}
	}
	for _, p := range []string{"Inbox", "sent", "Trash"} {
		if _, err := s.CreateFolder(ctx, p, now); err == nil {
			t.Errorf("CreateFolder(%q) = nil, want an error for a system folder", p)
		}
	}
	if _, err := s.CreateFolder(ctx, "Work/Travel/2026", now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateFolder(ctx, "Archive", now); err != nil {
		t.Fatal(err)
	}

	// Into itself, onto an existing folder, from a missing one, a system folder: refused.
	refused := []struct {
		from, to string
		want     error
	}{
		{"Work", "Work/Sub", mailstore.ErrFolderNotAllowed},
		{"work", "WORK/Travel/x", mailstore.ErrFolderNotAllowed},
		{"Work/Travel", "Archive", mailstore.ErrFolderExists},
		{"Work/Travel", "work/invoices", mailstore.ErrFolderExists},
		{"Nope", "Other", mailstore.ErrFolderNotFound},
		{"Work", "Sent", mailstore.ErrFolderNotAllowed},
		{"Sent", "Work2", mailstore.ErrFolderNotAllowed},
	}
	for _, r := range refused {
		if _, err := s.RenameFolder(ctx, r.from, r.to, now); !errors.Is(err, r.want) {
			t.Errorf("RenameFolder(%q, %q) = %v, want %v", r.from, r.to, err, r.want)
		}
	}
	// A move under another (missing) parent takes the subfolders along.
	if got, err := s.RenameFolder(ctx, "work/travel", "Archive/Old/Trips", now); err != nil || got != "Archive/Old/Trips" {
		t.Fatalf("RenameFolder() = %q, %v", got, err)
	}
	// Changing only the case of its own path is a rename.
	if _, err := s.RenameFolder(ctx, "archive", "ARCHIVE", now); err != nil {
		t.Fatalf("RenameFolder(case only) = %v", err)
	}
	tree, err := s.FolderTree(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, fi := range tree {
		if !fi.System() {
			paths = append(paths, fmt.Sprintf("%d:%s", fi.Depth, fi.Path))
		}
	}
	want := []string{"0:ARCHIVE", "1:ARCHIVE/Old", "2:ARCHIVE/Old/Trips", "3:ARCHIVE/Old/Trips/2026", "0:Work", "1:Work/Invoices"}
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("user folders = %q, want %q", paths, want)
	}
}

func TestFolderTreeMoveAndList(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	ids := seedSearch(t, s) // lunch report cafe sale in home, soup in work
	home, _ := s.AccountByName(ctx, "home")
	now := time.Unix(1800000000, 0)
	if _, err := s.CreateFolder(ctx, "Work/Invoices", now); err != nil {
		t.Fatal(err)
	}
	draft, err := s.SaveOutgoing(ctx, home.ID, corpusRaw(0), mailstore.OutgoingOptions{Folder: mailstore.FolderDrafts}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetRead(ctx, []int64{ids["cafe"]}, true); err != nil {
		t.Fatal(err)
	}
	n, err := s.MoveMessages(ctx, []int64{ids["report"], ids["cafe"], ids["soup"], ids["soup"]}, "work/invoices")
	if err != nil || n != 3 {
		t.Fatalf("MoveMessages() = %d, %v; want 3", n, err)
	}
	if n, err := s.MoveMessages(ctx, []int64{ids["report"]}, "Work/Invoices"); err != nil || n != 0 {
		t.Errorf("MoveMessages() to where it is = %d, %v; want 0", n, err)
	}
	if err := s.TrashMessages(ctx, []int64{ids["sale"]}, now); err != nil {
		t.Fatal(err)
	}
	if got := folderOf(t, s, ids["soup"]); got != "Work/Invoices" {
		t.Errorf("soup is in %q, want Work/Invoices", got)
	}

	tree, err := s.FolderTree(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, fi := range tree {
		got = append(got, fmt.Sprintf("%s(%s) %d/%d", fi.Path, fi.Account, fi.Unread, fi.Total))
	}
	want := []string{"inbox(home) 1/1", "inbox(work) 0/0", "drafts() 0/1", "outbox() 0/0", "sent() 0/0",
		"Work() 0/0", "Work/Invoices() 2/3", "trash() 1/1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FolderTree() =\n %q\nwant\n %q", got, want)
	}

	// A folder's messages, paged, newest first: soup (22 Nov), cafe (18), report (17).
	f := mailstore.Filter{Folder: "WORK/invoices"}
	if all := listed(t, s, f); !reflect.DeepEqual(all, []int64{ids["soup"], ids["cafe"], ids["report"]}) {
		t.Errorf("folder listing = %v", all)
	}
	f.Limit, f.Offset = 2, 1
	if page := listed(t, s, f); !reflect.DeepEqual(page, []int64{ids["cafe"], ids["report"]}) {
		t.Errorf("second page = %v, want cafe, report", page)
	}
	if inbox := listed(t, s, mailstore.Filter{Folder: mailstore.FolderInbox, AccountID: home.ID}); !reflect.DeepEqual(inbox, []int64{ids["lunch"]}) {
		t.Errorf("home inbox = %v, want lunch only", inbox)
	}
	if tr := listed(t, s, mailstore.Filter{Folder: mailstore.FolderTrash}); !reflect.DeepEqual(tr, []int64{ids["sale"]}) {
		t.Errorf("Folder trash = %v, want sale", tr)
	}
	if none := listed(t, s, mailstore.Filter{Folder: "Nowhere"}); len(none) != 0 {
		t.Errorf("an unknown folder lists %v", none)
	}
	if got := search(t, s, ids, "in:work/invoices"); !reflect.DeepEqual(got, []string{"soup", "cafe", "report"}) {
		t.Errorf("in:work/invoices = %v", got)
	}
	if got := search(t, s, ids, "in:Work/Invoices has:attachment"); !reflect.DeepEqual(got, []string{"soup", "report"}) {
		t.Errorf("in:Work/Invoices has:attachment = %v", got)
	}
	if got := search(t, s, ids, "in:inbox"); !reflect.DeepEqual(got, []string{"lunch"}) {
		t.Errorf("in:inbox = %v, want lunch (moved and trashed mail is elsewhere)", got)
	}

	// Moving out of the Trash restores; into the inbox means each message's own account's.
	if _, err := s.MoveMessages(ctx, []int64{ids["sale"], ids["soup"]}, mailstore.FolderInbox); err != nil {
		t.Fatal(err)
	}
	if a, b := folderOf(t, s, ids["sale"]), folderOf(t, s, ids["soup"]); a != "inbox" || b != "inbox" {
		t.Errorf("after a move to the inbox: sale in %q, soup in %q", a, b)
	}
	work, _ := s.AccountByName(ctx, "work")
	if wi := listed(t, s, mailstore.Filter{Folder: mailstore.FolderInbox, AccountID: work.ID}); !reflect.DeepEqual(wi, []int64{ids["soup"]}) {
		t.Errorf("work inbox = %v, want soup", wi)
	}

	// Refused moves change nothing.
	refused := []struct {
		ids  []int64
		to   mailstore.Folder
		want error
	}{
		{[]int64{ids["lunch"]}, mailstore.FolderOutbox, mailstore.ErrFolderNotAllowed},
		{[]int64{ids["lunch"]}, mailstore.FolderDrafts, mailstore.ErrFolderNotAllowed},
		{[]int64{ids["lunch"], draft}, "Work", mailstore.ErrFolderNotAllowed},
		{[]int64{ids["lunch"], 424242}, "Work", mailstore.ErrNotFound},
		{[]int64{ids["lunch"]}, "Nowhere", mailstore.ErrFolderNotFound},
	}
	for _, r := range refused {
		if _, err := s.MoveMessages(ctx, r.ids, r.to); !errors.Is(err, r.want) {
			t.Errorf("MoveMessages(%v, %q) = %v, want %v", r.ids, r.to, err, r.want)
		}
	}
	if got := folderOf(t, s, ids["lunch"]); got != "inbox" {
		t.Errorf("a refused move moved lunch to %q", got)
	}
	if got := folderOf(t, s, draft); got != "drafts" {
		t.Errorf("a refused move moved the draft to %q", got)
	}

	n, err = s.MarkAllRead(ctx, mailstore.Filter{Folder: "Work/Invoices"})
	if err != nil || n != 1 {
		t.Errorf("MarkAllRead() = %d, %v; want 1 (report; cafe was read)", n, err)
	}
	if m, _ := s.Message(ctx, ids["lunch"]); m.Read {
		t.Errorf("MarkAllRead of a folder marked a message elsewhere")
	}
}

// A move is metadata: the raw bytes and the ledger stay exactly as they were.
func TestMoveKeepsRawAndLedger(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	ids := seedSearch(t, s)
	home, _ := s.AccountByName(ctx, "home")
	before, err := s.Ledger(ctx, home.ID)
	if err != nil {
		t.Fatal(err)
	}
	rawOf := func() map[int64]string {
		out := map[int64]string{}
		for _, id := range ids {
			raw, err := s.Raw(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			out[id] = string(raw)
		}
		return out
	}
	rawBefore := rawOf()
	now := time.Unix(1800000000, 0)
	if _, err := s.CreateFolder(ctx, "Keep", now); err != nil {
		t.Fatal(err)
	}
	all := []int64{ids["lunch"], ids["report"], ids["cafe"], ids["sale"]}
	if _, err := s.MoveMessages(ctx, all, "Keep"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RenameFolder(ctx, "Keep", "Kept/Here", now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteFolder(ctx, "Kept", now); err != nil {
		t.Fatal(err)
	}
	after, _ := s.Ledger(ctx, home.ID)
	if !reflect.DeepEqual(before, after) {
		t.Errorf("ledger changed:\n %v\n %v", before, after)
	}
	if !reflect.DeepEqual(rawBefore, rawOf()) {
		t.Errorf("raw bytes changed")
	}
	for _, id := range all {
		if err := s.VerifyMessage(ctx, id); err != nil {
			t.Errorf("VerifyMessage(%d) = %v", id, err)
		}
	}
}

func TestDeleteFolderAndUndo(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	ids := seedSearch(t, s)
	now := time.Unix(1800000000, 0)
	for _, p := range []string{"Work/Invoices/2026", "Work/Travel", "Workshop"} {
		if _, err := s.CreateFolder(ctx, p, now); err != nil {
			t.Fatal(err)
		}
	}
	move := func(id int64, f mailstore.Folder) {
		if _, err := s.MoveMessages(ctx, []int64{id}, f); err != nil {
			t.Fatal(err)
		}
	}
	move(ids["lunch"], "Work")
	move(ids["report"], "Work/Invoices/2026")
	move(ids["cafe"], "Work/Travel")
	move(ids["sale"], "Workshop") // a name sharing the prefix: not a subfolder
	if err := s.TrashMessages(ctx, []int64{ids["cafe"]}, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}

	if _, err := s.DeleteFolder(ctx, "Nope", now); !errors.Is(err, mailstore.ErrFolderNotFound) {
		t.Errorf("DeleteFolder(Nope) = %v, want ErrFolderNotFound", err)
	}
	if _, err := s.DeleteFolder(ctx, "Sent", now); !errors.Is(err, mailstore.ErrFolderNotAllowed) {
		t.Errorf("DeleteFolder(Sent) = %v, want ErrFolderNotAllowed", err)
	}
	d, err := s.DeleteFolder(ctx, "work", now)
	if err != nil {
		t.Fatal(err)
	}
	if want := []mailstore.Folder{"Work", "Work/Invoices", "Work/Travel", "Work/Invoices/2026"}; d.Path != "Work" || len(d.Folders) != 4 ||
		d.Folders[0] != "Work" || !sameSet(d.Folders, want) {
		t.Errorf("deletion = %+v, want Work and its 3 subfolders, parents first", d)
	}
	if len(d.Messages) != 3 {
		t.Errorf("deletion moved %d messages, want 3", len(d.Messages))
	}
	for key, want := range map[string]string{"lunch": "trash:inbox", "report": "trash:inbox", "cafe": "trash:inbox", "sale": "Workshop", "soup": "inbox"} {
		if got := folderOf(t, s, ids[key]); got != want {
			t.Errorf("after delete, %s is in %q, want %q", key, got, want)
		}
	}
	if m, _ := s.Message(ctx, ids["cafe"]); !m.Trashed.Equal(now.Add(-time.Hour)) {
		t.Errorf("a message in the Trash before got a new trash time %v", m.Trashed)
	}
	if ok, _ := s.FolderExists(ctx, "Work/Travel"); ok {
		t.Errorf("subfolder still exists")
	}

	if n, err := s.RestoreFolder(ctx, d, now); err != nil || n != 3 {
		t.Fatalf("RestoreFolder() = %d, %v; want 3", n, err)
	}
	for key, want := range map[string]string{"lunch": "Work", "report": "Work/Invoices/2026", "cafe": "trash:Work/Travel", "sale": "Workshop"} {
		if got := folderOf(t, s, ids[key]); got != want {
			t.Errorf("after undo, %s is in %q, want %q", key, got, want)
		}
	}
	// Undoing twice moves nothing that has moved since.
	if n, err := s.RestoreFolder(ctx, d, now); err != nil || n != 0 {
		t.Errorf("second RestoreFolder() = %d, %v; want 0", n, err)
	}

	// A folder can never be dropped under its messages, whoever tries.
	if _, err := mailstore.DB(s).Exec(`DELETE FROM folders WHERE path = 'Work'`); err == nil {
		t.Errorf("deleting a folder row holding messages succeeded; want a foreign key error")
	}
}

func sameSet(a, b []mailstore.Folder) bool {
	x, y := append([]mailstore.Folder(nil), a...), append([]mailstore.Folder(nil), b...)
	sort.Slice(x, func(i, j int) bool { return x[i] < x[j] })
	sort.Slice(y, func(i, j int) bool { return y[i] < y[j] })
	return reflect.DeepEqual(x, y)
}

// An archive from before folders opens with every message where it was.
func TestFolderMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pouch.db")
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join("migrations", "*.sql"))
	sort.Strings(files)
	for _, f := range files {
		if filepath.Base(f) >= "0008" {
			break
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(b)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	_, err = db.Exec(`PRAGMA user_version = 7;
		INSERT INTO accounts (id, name, host, port, security, username, created) VALUES (1, 'home', 'h', 995, 'tls', 'u', 0);
		INSERT INTO messages (account_id, account_name, uidl, raw, sha256, size, received, folder, read)
		VALUES (1, 'home', 'a', x'41', 'x', 1, 1, 'inbox', 0), (1, 'home', 'b', x'42', 'y', 1, 2, 'sent', 1),
		       (1, 'home', 'c', x'43', 'z', 1, 3, 'inbox', 1)`)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := mailstore.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(version 7 archive) = %v", err)
	}
	defer s.Close()
	tree, err := s.FolderTree(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, fi := range tree {
		got[string(fi.Path)] = fmt.Sprintf("%d/%d", fi.Unread, fi.Total)
	}
	if got["inbox"] != "1/2" || got["sent"] != "0/1" || got["trash"] != "0/0" {
		t.Errorf("folder counts after migration = %v", got)
	}
	a, err := s.AccountByName(context.Background(), "home")
	if err != nil || a.Local {
		t.Errorf("migrated account = %+v, %v; want not local", a, err)
	}
}

// The folder tree reads an index only, in order, never the message rows (their raw bytes).
func TestFolderTreeUsesIndex(t *testing.T) {
	s := openTest(t)
	rows, err := mailstore.DB(s).Query(`EXPLAIN QUERY PLAN ` + mailstore.FolderCountsQuery)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if p := strings.Join(plan, "; "); !strings.Contains(p, "COVERING INDEX messages_folder_counts") || strings.Contains(p, "TEMP B-TREE") {
		t.Errorf("plan = %q, want an ordered scan of a covering index", p)
	}
}

// A removed account's kept inbox mail has an inbox entry of its own, by the name it keeps.
func TestFolderTreeRemovedAccount(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	ids := seedSearch(t, s) // soup is work's
	work, _ := s.AccountByName(ctx, "work")
	if err := s.DeleteAccount(ctx, work.ID, false); err != nil {
		t.Fatal(err)
	}
	tree, err := s.FolderTree(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, fi := range tree {
		if fi.Path == mailstore.FolderInbox {
			got = append(got, fmt.Sprintf("%s removed=%v %d/%d", fi.Account, fi.Removed, fi.Unread, fi.Total))
		}
	}
	if want := []string{"home removed=false 4/4", "work removed=true 1/1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("inboxes = %q, want %q", got, want)
	}
	if l := listed(t, s, mailstore.Filter{RemovedAccount: "work", Folder: mailstore.FolderInbox}); !reflect.DeepEqual(l, []int64{ids["soup"]}) {
		t.Errorf("removed account's inbox = %v", l)
	}
}

// Random creates, renames, moves and deletes (with messages moved about) keep the tree whole:
// every folder's parent exists, its path is its parent's path, "/" and its name, path_key is
// the path in lower case, and every message is in an existing folder or a system one.
func TestFolderOperationsKeepTreeWhole(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := newAccount(t, s, "home")
	ids := saveN(t, s, a, 40)
	now := time.Unix(1800000000, 0)
	r := rand.New(rand.NewPCG(7, 11))
	names := []string{"A", "b", "Work", "Ünï", "x y", "a"}
	randPath := func() string {
		n := 1 + r.IntN(3)
		segs := make([]string, n)
		for i := range segs {
			segs[i] = names[r.IntN(len(names))]
			if r.IntN(4) == 0 {
				segs[i] = strings.ToUpper(segs[i])
			}
		}
		return strings.Join(segs, "/")
	}
	var deletions []*mailstore.FolderDeletion
	done := map[int]int{} // successful operations by kind
	for step := range 400 {
		var err error
		op := r.IntN(6)
		switch op {
		case 0, 1:
			_, err = s.CreateFolder(ctx, randPath(), now)
		case 2:
			_, err = s.RenameFolder(ctx, randPath(), randPath(), now)
		case 3:
			var d *mailstore.FolderDeletion
			if d, err = s.DeleteFolder(ctx, randPath(), now); err == nil {
				deletions = append(deletions, d)
			}
		case 4:
			sel := []int64{ids[r.IntN(len(ids))], ids[r.IntN(len(ids))]}
			_, err = s.MoveMessages(ctx, sel, mailstore.Folder(randPath()))
		case 5:
			if len(deletions) > 0 {
				_, err = s.RestoreFolder(ctx, deletions[r.IntN(len(deletions))], now)
			}
		}
		var ne *mailstore.FolderNameError
		if err != nil && !errors.Is(err, mailstore.ErrFolderExists) && !errors.Is(err, mailstore.ErrFolderNotFound) &&
			!errors.Is(err, mailstore.ErrFolderNotAllowed) && !errors.As(err, &ne) {
			t.Fatalf("step %d: %v", step, err)
		}
		if err == nil {
			done[op]++
		}
		var bad int
		err = mailstore.DB(s).QueryRow(`SELECT
			(SELECT count(*) FROM folders f LEFT JOIN folders p ON p.id = f.parent_id
			  WHERE (f.parent_id IS NULL AND instr(f.path, '/') > 0)
			     OR (f.parent_id IS NOT NULL AND (p.id IS NULL OR f.path <> p.path || '/' || f.name))
			     OR (f.parent_id IS NULL AND f.path <> f.name))
			+ (SELECT count(*) FROM messages m WHERE m.folder_id IS NOT NULL
			     AND (m.folder <> 'inbox' OR NOT EXISTS (SELECT 1 FROM folders f WHERE f.id = m.folder_id)))`).Scan(&bad)
		if err != nil {
			t.Fatal(err)
		}
		if bad != 0 {
			t.Fatalf("step %d: %d broken folder rows or messages", step, bad)
		}
		tree, err := s.FolderTree(ctx)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, fi := range tree {
			if fi.ID != 0 && fi.Path.Name() != "" && strings.ToLower(string(fi.Path)) != keyOf(t, s, fi.ID) {
				t.Fatalf("step %d: %q has key %q", step, fi.Path, keyOf(t, s, fi.ID))
			}
			total += fi.Total
		}
		if total != len(ids) {
			t.Fatalf("step %d: the tree counts %d messages, want %d", step, total, len(ids))
		}
	}
	// The sequence must exercise every kind of operation, or it proves little.
	for op := range 6 {
		if done[op] < 5 {
			t.Errorf("only %d successful operations of kind %d (%v)", done[op], op, done)
		}
	}
}

func keyOf(t *testing.T, s *mailstore.Store, id int64) string {
	t.Helper()
	var k string
	if err := mailstore.DB(s).QueryRow(`SELECT path_key FROM folders WHERE id = ?`, id).Scan(&k); err != nil {
		t.Fatal(err)
	}
	return k
}
