package mailstore_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

func TestParseQuery(t *testing.T) {
	day := func(s string) time.Time {
		d, _ := time.ParseInLocation("2006-01-02", s, time.UTC)
		return d
	}
	tests := []struct {
		in    string
		want  mailstore.Query
		match string
	}{
		{in: "lunch", want: mailstore.Query{Terms: []mailstore.Term{{Text: "lunch"}}}, match: `"lunch"`},
		{in: "  lunch   friday ", want: mailstore.Query{Terms: []mailstore.Term{{Text: "lunch"}, {Text: "friday"}}},
			match: `"lunch" AND "friday"`},
		{in: `"great soup"`, want: mailstore.Query{Terms: []mailstore.Term{{Text: "great soup", Phrase: true}}}, match: `"great soup"`},
		{in: `quart*`, want: mailstore.Query{Terms: []mailstore.Term{{Text: "quart", Prefix: true}}}, match: `"quart"*`},
		{in: `from:anna@example.org`, want: mailstore.Query{Terms: []mailstore.Term{{Field: "from", Text: "anna@example.org"}}},
			match: `from_addr : "anna@example.org"`},
		{in: `FROM:"Anna Lindqvist" to:alice subject:rep* cc:carol body:soup`, want: mailstore.Query{Terms: []mailstore.Term{
			{Field: "from", Text: "Anna Lindqvist", Phrase: true}, {Field: "to", Text: "alice"},
			{Field: "subject", Text: "rep", Prefix: true}, {Field: "cc", Text: "carol"}, {Field: "body", Text: "soup"}}},
			match: `from_addr : "Anna Lindqvist" AND to_addr : "alice" AND subject : "rep"* AND cc_addr : "carol" AND body : "soup"`},
		{in: "has:attachment", want: mailstore.Query{HasAttachment: true}},
		{in: "has:Attachments report", want: mailstore.Query{HasAttachment: true, Terms: []mailstore.Term{{Text: "report"}}}, match: `"report"`},
		{in: "is:unread IS:Flagged soup", want: mailstore.Query{Unread: true, Flagged: true, Terms: []mailstore.Term{{Text: "soup"}}}, match: `"soup"`},
		{in: "is:read is:unflagged", want: mailstore.Query{Read: true, Unflagged: true}},
		{in: "after:2026-11-17 before:2026-11-19", want: mailstore.Query{After: day("2026-11-17"), Before: day("2026-11-19")}},
		{in: "account:home in:trash", want: mailstore.Query{Account: "home", Trash: true}},
		{in: "in:Sent", want: mailstore.Query{Folder: mailstore.FolderSent}},
		{in: "in:Work/Invoices", want: mailstore.Query{Folder: "Work/Invoices"}},
		{in: `in:"Old mail / 2019" x`, want: mailstore.Query{Folder: "Old mail/2019", Terms: []mailstore.Term{{Text: "x"}}}, match: `"x"`},
		{in: `say "hi`, want: mailstore.Query{Terms: []mailstore.Term{{Text: "say"}, {Text: "hi", Phrase: true}}}, match: `"say" AND "hi"`},
		{in: `a"b OR c NOT d`, want: mailstore.Query{Terms: []mailstore.Term{{Text: `a"b`}, {Text: "OR"}, {Text: "c"}, {Text: "NOT"}, {Text: "d"}}},
			match: `"a""b" AND "OR" AND "c" AND "NOT" AND "d"`},
		{in: `foo:bar`, want: mailstore.Query{Terms: []mailstore.Term{{Text: "foo:bar"}}}, match: `"foo:bar"`},
		{in: `!!! ***`, want: mailstore.Query{Unsearchable: true}},
		{in: `café`, want: mailstore.Query{Terms: []mailstore.Term{{Text: "café"}}}, match: `"café"`},
		{in: "x\x00y", want: mailstore.Query{Terms: []mailstore.Term{{Text: "x"}, {Text: "y"}}}, match: `"x" AND "y"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := mailstore.ParseQueryIn(tt.in, time.UTC)
			if err != nil {
				t.Fatalf("ParseQueryIn(%q) = %v, want nil", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseQueryIn(%q) =\n %+v\nwant\n %+v", tt.in, got, tt.want)
			}
			if m := got.Match(); m != tt.match {
				t.Errorf("Match() = %q, want %q", m, tt.match)
			}
		})
	}
}

func TestParseQueryErrors(t *testing.T) {
	for _, in := range []string{"", "   ", "before:yesterday", "after:2026-13-01", "has:pdf", "is:starred", "in:a//b", "in:/x", "in:Work/..", "in:Inbox/x", strings.Repeat("a ", 3000)} {
		_, err := mailstore.ParseQueryIn(in, time.UTC)
		var qe *mailstore.QueryError
		if !errors.As(err, &qe) {
			t.Errorf("ParseQueryIn(%.20q) = %v, want a *QueryError", in, err)
		}
	}
}

// searchCorpus is a small archive with known contents, saved in date order.
var searchCorpus = []struct {
	key, from, to, cc, subject, date, body string
	attachment                             string // file name; "" = none
	html                                   bool
}{
	{key: "lunch", from: "Anna Lindqvist <anna@example.org>", to: "alice@example.com", subject: "Lunch on Friday?",
		date: "Mon, 16 Nov 2026 09:15:00 +0000", body: "Are you free for lunch? The new place does a great soup."},
	{key: "report", from: "Bob Martin <bob@example.net>", to: "alice@example.com", cc: "carol@example.com",
		subject: "Quarterly report", date: "Tue, 17 Nov 2026 14:02:33 +0000", body: "Please find the report attached.",
		attachment: "report-q3.pdf"},
	{key: "cafe", from: "José Muñoz <jose@example.es>", to: "alice@example.com", subject: "Café con leña",
		date: "Wed, 18 Nov 2026 18:45:10 +0000", body: "El café de mañana es a las diez."},
	{key: "sale", from: "Newsletter <news@shop.example>", to: "alice@example.com", subject: "Winter sale",
		date: "Sat, 21 Nov 2026 08:30:00 +0000", body: "<p>Our <b>winter</b> sale: 20% off <i>everything</i>.</p>", html: true},
	{key: "soup", from: "anna@example.org", to: "bob@example.net", subject: "Re: soup recipe",
		date: "Sun, 22 Nov 2026 10:00:00 +0000", body: "Soup great, the recipe is below.", attachment: "recipe.txt"},
}

func corpusRaw(i int) []byte {
	c := searchCorpus[i]
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\n", mimeWord(c.from), c.to)
	if c.cc != "" {
		fmt.Fprintf(&b, "Cc: %s\r\n", c.cc)
	}
	fmt.Fprintf(&b, "Subject: %s\r\nDate: %s\r\nMessage-ID: <%s@example>\r\nMIME-Version: 1.0\r\n", mimeWord(c.subject), c.date, c.key)
	ctype := "text/plain"
	if c.html {
		ctype = "text/html"
	}
	if c.attachment == "" {
		fmt.Fprintf(&b, "Content-Type: %s; charset=utf-8\r\n\r\n%s\r\n", ctype, c.body)
		return []byte(b.String())
	}
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"xx\"\r\n\r\n--xx\r\nContent-Type: %s; charset=utf-8\r\n\r\n%s\r\n", ctype, c.body)
	fmt.Fprintf(&b, "--xx\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"%s\"\r\n\r\nAAAA\r\n--xx--\r\n", c.attachment)
	return []byte(b.String())
}

// mimeWord encodes non-ASCII header text as an RFC 2047 word, as mail does.
func mimeWord(s string) string {
	for _, r := range s {
		if r > 127 {
			name, addr, ok := strings.Cut(s, " <")
			if ok {
				return "=?UTF-8?B?" + b64(name) + "?= <" + addr
			}
			return "=?UTF-8?B?" + b64(s) + "?="
		}
	}
	return s
}

// seedSearch saves the corpus in two accounts ("home" gets all but "soup", which goes to
// "work") and returns the message ID of each key.
func seedSearch(t *testing.T, s *mailstore.Store) map[string]int64 {
	t.Helper()
	home, work := newAccount(t, s, "home"), newAccount(t, s, "work")
	ids := map[string]int64{}
	for i, c := range searchCorpus {
		acct := home.ID
		if c.key == "soup" {
			acct = work.ID
		}
		ids[c.key] = save(t, s, acct, "uidl-"+c.key, corpusRaw(i), time.Unix(1800000000, 0)).ID
	}
	return ids
}

func search(t *testing.T, s *mailstore.Store, ids map[string]int64, query string) []string {
	t.Helper()
	q, err := mailstore.ParseQueryIn(query, time.UTC)
	if err != nil {
		t.Fatalf("ParseQueryIn(%q) = %v", query, err)
	}
	// A limit above the corpus: the plan that needs one (probe) can run, and nothing is cut.
	ms, err := s.Search(context.Background(), q, 1000)
	if err != nil {
		t.Fatalf("Search(%q) = %v, want nil", query, err)
	}
	// SearchIDs lists the same messages in the same order, and MessagesByID reads them back.
	got, err := s.SearchIDs(context.Background(), q, 0)
	if err != nil {
		t.Fatalf("SearchIDs(%q) = %v, want nil", query, err)
	}
	var want []int64
	for _, m := range ms {
		want = append(want, m.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("SearchIDs(%q) = %v, want Search's %v", query, got, want)
	}
	if back, err := s.MessagesByID(context.Background(), got); err != nil || !reflect.DeepEqual(back, ms) {
		t.Errorf("MessagesByID(SearchIDs(%q)) = %v, %v; want Search's messages", query, back, err)
	}
	byID := map[int64]string{}
	for k, id := range ids {
		byID[id] = k
	}
	keys := []string{}
	for _, m := range ms {
		keys = append(keys, byID[m.ID])
	}
	return keys
}

func TestSearch(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	ids := seedSearch(t, s)

	// Saving does not index: the backlog holds every message until IndexAll.
	if n, err := s.IndexBacklog(ctx); err != nil || n != len(searchCorpus) {
		t.Fatalf("IndexBacklog() = %d, %v; want %d", n, err, len(searchCorpus))
	}
	if got := search(t, s, ids, "lunch"); len(got) != 0 {
		t.Errorf("before indexing, search lunch = %v, want nothing", got)
	}
	var calls int
	n, err := s.IndexAll(ctx, func(done, total int) { calls++ })
	if err != nil || n != len(searchCorpus) || calls == 0 {
		t.Fatalf("IndexAll() = %d, %v (%d progress calls); want %d", n, err, calls, len(searchCorpus))
	}
	if n, _ := s.IndexBacklog(ctx); n != 0 {
		t.Fatalf("IndexBacklog() after IndexAll = %d, want 0", n)
	}

	// Read and flagged state for is:; the rest stays unread and unflagged.
	if _, err := s.SetRead(ctx, []int64{ids["lunch"], ids["cafe"]}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := mailstore.DB(s).ExecContext(ctx, `UPDATE messages SET flagged = 1 WHERE id IN (?, ?)`, ids["report"], ids["cafe"]); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		query string
		want  []string // newest first
	}{
		{"lunch", []string{"lunch"}},
		{"is:read", []string{"cafe", "lunch"}},
		{"is:unread", []string{"soup", "sale", "report"}},
		{"is:flagged", []string{"cafe", "report"}},
		{"is:unflagged", []string{"soup", "sale", "lunch"}},
		{"is:unread is:flagged", []string{"report"}},
		{"is:read is:unread", []string{}},
		{"is:unread soup", []string{"soup"}},
		{"is:flagged café", []string{"cafe"}},
		{"is:flagged account:work", []string{}},
		{"LUNCH friday", []string{"lunch"}},
		{"soup", []string{"soup", "lunch"}},
		{`"great soup"`, []string{"lunch"}},
		{`"soup great"`, []string{"soup"}},
		{"quart*", []string{"report"}},
		{"rec*", []string{"soup"}},
		{"from:anna", []string{"soup", "lunch"}},
		{`from:"Anna Lindqvist"`, []string{"lunch"}},
		{"from:bob@example.net", []string{"report"}},
		{"to:bob", []string{"soup"}},
		{"cc:carol", []string{"report"}},
		{"subject:soup", []string{"soup"}},
		{"has:attachment", []string{"soup", "report"}},
		{"has:attachment report", []string{"report"}},
		{"report-q3.pdf", []string{"report"}},
		{"recipe.txt", []string{"soup"}},
		{"café", []string{"cafe"}},
		{"cafe", []string{"cafe"}},
		{"MAÑANA", []string{"cafe"}},
		{"from:josé", []string{"cafe"}},
		{"everything", []string{"sale"}},  // HTML body turned into text
		{"winter sale", []string{"sale"}}, // subject and body
		{"b", []string{}},                 // an HTML tag is not text
		{"after:2026-11-18", []string{"soup", "sale", "cafe"}},
		{"before:2026-11-18", []string{"report", "lunch"}},
		{"after:2026-11-17 before:2026-11-18", []string{"report"}},
		{"account:work", []string{"soup"}},
		{"account:home soup", []string{"lunch"}},
		{"account:nobody", []string{}},
		{"nothing-like-this", []string{}},
		{`"unterminated phrase`, []string{}},
		{`!!!`, []string{}},
		{`NEAR( OR AND NOT ) ^ : * "`, []string{}},
		{`lunch' OR 1=1 --`, []string{}},
	}
	// Every plan (search.go) gives the same answers: by ID, walking the date index against the
	// set of matches, and walking it asking the index about each message (with a limit only).
	plans := []struct {
		name                 string
		byIDBelow, probeFrom int
	}{{"default", -1, -1}, {"by ID", 1 << 30, 1 << 30}, {"walk", 0, 1 << 30}, {"probe", 0, 0}}
	for _, p := range plans {
		restore := func() {}
		if p.byIDBelow >= 0 {
			restore = mailstore.SetSearchPlans(p.byIDBelow, p.probeFrom)
		}
		for _, tt := range tests {
			if got := search(t, s, ids, tt.query); !slices.Equal(got, tt.want) {
				t.Errorf("%s: search %q = %v, want %v", p.name, tt.query, got, tt.want)
			}
		}
		restore()
	}

	// The Trash is searched only with in:trash.
	if err := s.TrashMessages(ctx, []int64{ids["lunch"]}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := search(t, s, ids, "soup"); !slices.Equal(got, []string{"soup"}) {
		t.Errorf("search soup with lunch trashed = %v, want [soup]", got)
	}
	if got := search(t, s, ids, "soup in:trash"); !slices.Equal(got, []string{"lunch"}) {
		t.Errorf("search soup in:trash = %v, want [lunch]", got)
	}
	// A limit keeps the newest.
	q, _ := mailstore.ParseQueryIn("alice", time.UTC)
	ms, err := s.Search(ctx, q, 2)
	if err != nil || len(ms) != 2 || ms[0].ID != ids["sale"] || ms[1].ID != ids["cafe"] {
		t.Errorf("Search(alice, 2) = %v, %v; want sale and cafe", ms, err)
	}
}

// TestMessagesByID: the rows come in the order asked, whatever the store's order, and an ID no
// longer stored is left out.
func TestMessagesByID(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	ids := seedSearch(t, s)
	ask := []int64{ids["report"], 999999, ids["lunch"], ids["cafe"]}
	ms, err := s.MessagesByID(ctx, ask)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, m := range ms {
		got = append(got, m.ID)
	}
	if want := []int64{ids["report"], ids["lunch"], ids["cafe"]}; !slices.Equal(got, want) {
		t.Errorf("MessagesByID(%v) = %v, want %v", ask, got, want)
	}
	if ms, err := s.MessagesByID(ctx, nil); err != nil || len(ms) != 0 {
		t.Errorf("MessagesByID(nil) = %v, %v; want nothing", ms, err)
	}
}

// TestIndexBacklogSurvivesReopen: what was not indexed before a close (or a crash) is still
// in the backlog afterwards, and a purged message leaves the index.
func TestIndexBacklogSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	ids := seedSearch(t, s)
	if n, err := s.IndexPending(ctx, 2); err != nil || n != 2 {
		t.Fatalf("IndexPending(2) = %d, %v; want 2", n, err)
	}
	path := s.Path()
	s2, err := mailstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if n, err := s2.IndexBacklog(ctx); err != nil || n != len(searchCorpus)-2 {
		t.Fatalf("IndexBacklog() after reopen = %d, %v; want %d", n, err, len(searchCorpus)-2)
	}
	if _, err := s2.IndexAll(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := s2.TrashMessages(ctx, []int64{ids["lunch"]}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if n, err := s2.EmptyTrash(ctx, time.Now()); err != nil || n != 1 {
		t.Fatalf("EmptyTrash() = %d, %v; want 1", n, err)
	}
	var left int
	if err := mailstore.DB(s2).QueryRow(`SELECT count(*) FROM message_fts WHERE rowid = ?`, ids["lunch"]).Scan(&left); err != nil || left != 0 {
		t.Errorf("index rows of the purged message = %d, %v; want 0", left, err)
	}
	if got := search(t, s2, ids, "in:trash lunch"); len(got) != 0 {
		t.Errorf("purged message still found: %v", got)
	}
}

// matchTerm is one term read back from an FTS5 MATCH expression.
type matchTerm struct {
	column, text string
	prefix       bool
}

// matchColumns are the FTS5 columns a term may be limited to (Query.Match's field filters).
var matchColumns = []string{"from_addr", "to_addr", "cc_addr", "subject", "body"}

// parseMatch reads a MATCH expression in the only form Query.Match may write:
//
//	expr := term { " AND " term }
//	term := [ column " : " ] '"' { any rune but '"' | '""' } '"' [ "*" ]
//
// and fails on anything else: a bare word, an operator, a parenthesis or an unquoted
// column filter in it would be FTS5 syntax made of user input.
func parseMatch(expr string) ([]matchTerm, error) {
	var terms []matchTerm
	rest := expr
	for {
		var m matchTerm
		for _, col := range matchColumns {
			if after, ok := strings.CutPrefix(rest, col+" : "); ok {
				m.column, rest = col, after
				break
			}
		}
		if !strings.HasPrefix(rest, `"`) {
			return nil, fmt.Errorf("at %q: want a quoted string", rest)
		}
		rest = rest[1:]
		var text strings.Builder
		for {
			i := strings.IndexByte(rest, '"')
			if i < 0 {
				return nil, fmt.Errorf("unterminated string %q", text.String()+rest)
			}
			text.WriteString(rest[:i])
			rest = rest[i+1:]
			if !strings.HasPrefix(rest, `"`) {
				break // the closing quote
			}
			text.WriteByte('"') // a doubled quote inside the string
			rest = rest[1:]
		}
		m.text = text.String()
		m.prefix = strings.HasPrefix(rest, "*")
		if m.prefix {
			rest = rest[1:]
		}
		terms = append(terms, m)
		if rest == "" {
			return terms, nil
		}
		after, ok := strings.CutPrefix(rest, " AND ")
		if !ok {
			return nil, fmt.Errorf("at %q: want \" AND \" or the end", rest)
		}
		rest = after
	}
}

// checkMatch fails t unless q's MATCH expression is made of q's terms, each quoted.
func checkMatch(t *testing.T, in string, q mailstore.Query) {
	t.Helper()
	m := q.Match()
	if len(q.Terms) == 0 {
		if m != "" {
			t.Fatalf("ParseQueryIn(%q): no terms but MATCH %q", in, m)
		}
		return
	}
	got, err := parseMatch(m)
	if err != nil {
		t.Fatalf("ParseQueryIn(%q): MATCH %q is not only quoted terms: %v", in, m, err)
	}
	if len(got) != len(q.Terms) {
		t.Fatalf("ParseQueryIn(%q): MATCH %q has %d terms, want %d", in, m, len(got), len(q.Terms))
	}
	fields := map[string]string{"": "", "from": "from_addr", "to": "to_addr", "cc": "cc_addr", "subject": "subject", "body": "body"}
	for i, term := range q.Terms {
		col, ok := fields[term.Field]
		want := matchTerm{column: col, text: term.Text, prefix: term.Prefix}
		if !ok || got[i] != want {
			t.Fatalf("ParseQueryIn(%q): MATCH %q term %d = %+v, want %+v (from %+v)", in, m, i, got[i], want, term)
		}
	}
}

func TestParseMatchRejects(t *testing.T) {
	for _, m := range []string{`lunch`, `"a" OR "b"`, `"a" "b"`, `NEAR("a" "b")`, `from_addr:"a"`, `col : "a"`,
		`"a`, `"a"" AND "b"`, `"a"**`, `"a" AND`, `^"a"`, `"a" AND NOT "b"`} {
		if got, err := parseMatch(m); err == nil {
			t.Errorf("parseMatch(%q) = %+v, want an error", m, got)
		}
	}
	got, err := parseMatch(`body : "say ""hi"""* AND "x"`)
	want := []matchTerm{{"body", `say "hi"`, true}, {"", "x", false}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("parseMatch = %+v, %v; want %+v", got, err, want)
	}
}

func FuzzSearchQuery(f *testing.F) {
	for _, seed := range []string{"lunch", `"a b" c*`, `from:"x y`, `NEAR(a b)`, `a OR b`, `"""`, `*`, `^a`, `col:x`,
		`subject:* from:"`, "before:2026-01-01", "is:unread is:flagged x", "is:nothing", "caf\u00e9 \u0301", "\x00\xff",
		`a"b`, `subject:"say ""hi"""`, `body:x* to:y"z`, `"NEAR(" AND c:"d"*`} {
		f.Add(seed)
	}
	s := openTest(f)
	ctx := context.Background()
	a := testAccount("fuzz")
	if err := s.CreateAccount(ctx, a); err != nil {
		f.Fatal(err)
	}
	save(f, s, a.ID, "1", corpusRaw(0), time.Now())
	if _, err := s.IndexAll(ctx, nil); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in string) {
		q, err := mailstore.ParseQueryIn(in, time.UTC)
		if err != nil {
			var qe *mailstore.QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("ParseQueryIn(%q) = %v, want nil or a *QueryError", in, err)
			}
			return
		}
		// User text reaches FTS5 only inside quoted strings, never as syntax.
		checkMatch(t, in, q)
		// Whatever the user typed, the database never sees a syntax error.
		if _, err := s.Search(ctx, q, 10); err != nil {
			t.Fatalf("Search(%q) [MATCH %q] = %v, want nil", in, q.Match(), err)
		}
	})
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestOptimizeIndexKeepsResults: merging the index's segments changes no answer.
func TestOptimizeIndexKeepsResults(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	ids := seedSearch(t, s)
	for { // one message per batch: a segment each
		n, err := s.IndexPending(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	before := search(t, s, ids, "soup")
	if err := s.OptimizeIndex(ctx); err != nil {
		t.Fatalf("OptimizeIndex = %v", err)
	}
	if after := search(t, s, ids, "soup"); !slices.Equal(before, after) || len(after) != 2 {
		t.Errorf("search soup: %v before optimizing, %v after; want the same two", before, after)
	}
}

// TestStateFiltersUseCoveringIndex: is:unread and is:flagged are read from the search's
// covering index like the other filters, so a rule over the whole archive, or the rule
// editor's count, never reads a message row (raw bytes first) to test them.
func TestStateFiltersUseCoveringIndex(t *testing.T) {
	s := openTest(t)
	for _, in := range []string{"is:unread", "is:read is:flagged", "is:unflagged has:attachment account:home in:Work"} {
		stmt, args := mailstore.WholeArchiveMatch(mustQuery(t, in))
		rows, err := mailstore.DB(s).Query(`EXPLAIN QUERY PLAN `+stmt, args...)
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
		if p := strings.Join(plan, "; "); !strings.Contains(p, "SCAN m2 USING COVERING INDEX messages_search") {
			t.Errorf("%s: plan = %q, want a scan of the covering index messages_search", in, p)
		}
	}
}
