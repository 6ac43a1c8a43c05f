package mailstore_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

// threadScenarios store the fixtures of testdata/threads in the order given and expect the
// groups named to share a thread, and every other fixture to be alone or in another group.
var threadScenarios = []struct {
	name   string
	order  []string
	groups [][]string
}{
	{
		name:   "replies in order",
		order:  []string{"report-root", "report-reply", "report-outlook", "report-gap", "report-unrelated"},
		groups: [][]string{{"report-root", "report-reply", "report-outlook", "report-gap"}},
	},
	{
		// Each reply arrives before what it answers: the threads merge when the parent comes.
		name:   "replies before parents",
		order:  []string{"report-outlook", "report-reply", "report-gap", "report-root", "list-reply", "list-root"},
		groups: [][]string{{"report-root", "report-reply", "report-outlook", "report-gap"}, {"list-root", "list-reply"}},
	},
	{
		name:   "chain stored backwards",
		order:  []string{"chain-c", "chain-a", "chain-b"},
		groups: [][]string{{"chain-a", "chain-b", "chain-c"}},
	},
	{
		// No references at all: a reply joins by subject within the window, not months later,
		// and a message without a reply marker never joins by subject.
		name:   "subject fallback",
		order:  []string{"lunch", "lunch-aw", "lunch-late", "report-root", "report-unrelated"},
		groups: [][]string{{"lunch", "lunch-aw"}},
	},
	{
		// Mailing-list tags and reply markers differ; the references decide.
		name:   "list",
		order:  []string{"list-root", "list-reply", "lunch"},
		groups: [][]string{{"list-root", "list-reply"}},
	},
}

func readThreadFixture(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "threads", name+".eml"))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// checkThreads asserts that ids (by fixture name) are grouped exactly as groups says.
func checkThreads(t *testing.T, s *mailstore.Store, ids map[string]int64, groups [][]string) {
	t.Helper()
	thread := map[string]int64{}
	for name, id := range ids {
		m, err := s.Message(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if m.Thread == 0 {
			t.Fatalf("%s has no thread", name)
		}
		thread[name] = m.Thread
	}
	groupOf := map[string]int{}
	for i, g := range groups {
		for _, name := range g {
			groupOf[name] = i + 1
		}
	}
	for a := range ids {
		for b := range ids {
			if a >= b {
				continue
			}
			same := groupOf[a] != 0 && groupOf[a] == groupOf[b]
			if got := thread[a] == thread[b]; got != same {
				t.Errorf("%s and %s in one thread = %v, want %v", a, b, got, same)
			}
		}
	}
}

func TestThreads(t *testing.T) {
	for _, sc := range threadScenarios {
		t.Run(sc.name, func(t *testing.T) {
			s := openTest(t)
			a := newAccount(t, s, "work")
			ids := map[string]int64{}
			for i, name := range sc.order {
				m := save(t, s, a.ID, "u"+name, readThreadFixture(t, name), time.Unix(1790000000+int64(i), 0))
				ids[name] = m.ID
			}
			checkThreads(t, s, ids, sc.groups)

			// The same messages stored before threads existed come out the same way.
			if err := mailstore.Unthread(s); err != nil {
				t.Fatal(err)
			}
			if n, err := s.ThreadBacklog(context.Background()); err != nil || n != len(sc.order) {
				t.Fatalf("ThreadBacklog() = %d, %v; want %d", n, err, len(sc.order))
			}
			n, err := s.ThreadBackfill(context.Background(), 2)
			if err != nil || n != len(sc.order) {
				t.Fatalf("ThreadBackfill() = %d, %v; want %d", n, err, len(sc.order))
			}
			checkThreads(t, s, ids, sc.groups)
		})
	}
}

func TestThreadMessagesAndSummaries(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a := newAccount(t, s, "work")
	ids := map[string]int64{}
	for i, name := range []string{"report-gap", "report-reply", "report-root", "lunch", "lunch-aw"} {
		ids[name] = save(t, s, a.ID, "u"+name, readThreadFixture(t, name), time.Unix(1790000000+int64(i), 0)).ID
	}
	if _, err := s.SetRead(ctx, []int64{ids["report-root"]}, true); err != nil {
		t.Fatal(err)
	}
	root, err := s.Message(ctx, ids["report-root"])
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := s.ThreadMessages(ctx, root.Thread)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range msgs {
		got = append(got, m.Subject)
	}
	// By date: root (Mon 09:14 +0100), reply (Mon 10:01 +0100), gap (Tue).
	want := []string{"Quarterly report", "Re: Quarterly report", "Re: Quarterly report"}
	if !slices.Equal(got, want) || msgs[0].ID != ids["report-root"] || msgs[2].ID != ids["report-gap"] {
		t.Errorf("ThreadMessages = %q (ids %d...), want %q starting with the root", got, msgs[0].ID, want)
	}

	sums, err := s.Threads(ctx, mailstore.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 2 {
		t.Fatalf("Threads() = %d conversations, want 2", len(sums))
	}
	// Lunch (Wed 4 Nov) is the most recently active; the report ends on Tue 3 Nov.
	if !strings.Contains(sums[0].Latest.Subject, "Lunch") || sums[0].Count != 2 || sums[0].Unread != 2 {
		t.Errorf("first conversation = %q, %d messages, %d unread; want the lunch one, 2, 2", sums[0].Latest.Subject, sums[0].Count, sums[0].Unread)
	}
	if sums[1].Latest.ID != ids["report-gap"] || sums[1].Count != 3 || sums[1].Unread != 2 {
		t.Errorf("second conversation = message %d, %d messages, %d unread; want %d, 3, 2", sums[1].Latest.ID, sums[1].Count, sums[1].Unread, ids["report-gap"])
	}

	// A message in the Trash leaves the conversation's count.
	if err := s.TrashMessages(ctx, []int64{ids["report-gap"]}, time.Now()); err != nil {
		t.Fatal(err)
	}
	sums, err = s.Threads(ctx, mailstore.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if sums[1].Count != 2 || sums[1].Latest.ID != ids["report-reply"] {
		t.Errorf("after trashing: %d messages, latest %d; want 2, %d", sums[1].Count, sums[1].Latest.ID, ids["report-reply"])
	}
}

// The conversation list is read from one covering index: message rows hold the raw bytes.
func TestThreadsUseCoveringIndex(t *testing.T) {
	s := openTest(t)
	q := strings.NewReplacer("?", "1").Replace(mailstore.ThreadGroupsQuery())
	rows, err := mailstore.DB(s).Query(`EXPLAIN QUERY PLAN ` + q)
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
	p := strings.Join(plan, "; ")
	if !strings.Contains(p, "COVERING INDEX messages_by_thread") || strings.Contains(p, "SCAN m ") {
		t.Errorf("plan = %q, want the messages read from the covering index messages_by_thread", p)
	}
}

// TestThreadLookupsUseTheirIndexes: the Saver looks a message's thread up for every message it
// stores; each look-up must seek an index that covers it, never read a message row (it holds
// the raw bytes before thread_id), let alone walk them.
func TestThreadLookupsUseTheirIndexes(t *testing.T) {
	s := openTest(t)
	wants := [][]string{{"USING COVERING INDEX messages_by_message_id (message_id=?"},
		{"USING COVERING INDEX messages_by_thread_subject (thread_subject=?"}, {"USING COVERING INDEX messages_thread_of (id=?"},
		{"USING COVERING INDEX messages_by_message_id (message_id=?", "USING COVERING INDEX messages_thread_of (id=?"}}
	for i, want := range wants {
		rows, err := mailstore.DB(s).Query(`EXPLAIN QUERY PLAN `+mailstore.ThreadLookups[i], "x", 1, 2, 3)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		for _, w := range want {
			if p := strings.Join(plan, "; "); !strings.Contains(p, w) {
				t.Errorf("look-up %d: plan = %q, want %q", i, p, w)
			}
		}
	}
}
