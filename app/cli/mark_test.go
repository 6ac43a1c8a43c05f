package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMarkFlagAndState: mark flags and unflags beside read and unread, list, search and trash
// list carry the state in --json while their plain tables keep their columns, and is:flagged
// finds what was flagged.
func TestMarkFlagAndState(t *testing.T) {
	dir := t.TempDir()
	mbox := filepath.Join(t.TempDir(), "old.mbox")
	if err := os.WriteFile(mbox, []byte(threeMessages), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := pouchRun(t, dir, "import", mbox, "--format", "mbox", "--account", "old mail"); code != 0 {
		t.Fatalf("import = %d: %s", code, errs)
	}
	ids := map[string]string{}
	for _, m := range listJSON(t, dir) {
		ids[m.Subject] = strconv.FormatInt(m.ID, 10)
	}
	inv1, inv2, hello := ids["invoice 1"], ids["invoice 2"], ids["hello"]

	steps := []struct {
		args []string
		code int
		out  string // in stdout (code 0) or stderr
	}{
		{[]string{"mark", inv1, "--flag"}, 0, "marked 1 message(s) flagged\n"},
		{[]string{"mark", inv2, hello, "--read", "--flag"}, 0, "marked 2 message(s) read and flagged\n"},
		{[]string{"mark", "--unflag", hello}, 0, "marked 1 message(s) unflagged\n"},
		{[]string{"mark", inv1, "--flag", "--unflag"}, ExitUsage, "--flag or --unflag"},
		{[]string{"mark", inv1, "--read", "--unread", "--flag"}, ExitUsage, "--read or --unread"},
		{[]string{"mark", inv1}, ExitUsage, "--read or --unread"},
		{[]string{"mark", "--flag"}, ExitUsage, "message IDs"},
		{[]string{"search", "is:starred"}, ExitUsage, "is:unread, is:read, is:flagged and is:unflagged"},
	}
	for _, s := range steps {
		code, out, errs := pouchRun(t, dir, s.args...)
		text := out
		if s.code != 0 {
			text = errs
		}
		if code != s.code || !strings.Contains(text, s.out) {
			t.Errorf("pouch %s = %d, out %q, err %q; want %d and %q", strings.Join(s.args, " "), code, out, errs, s.code, s.out)
		}
	}

	// The state is --json's: list, search and trash list carry read and flagged.
	type state struct{ read, flagged bool }
	want := map[string]state{"invoice 1": {false, true}, "invoice 2": {true, true}, "hello": {true, false}}
	checkJSON := func(args ...string) int {
		t.Helper()
		code, out, errs := pouchRun(t, dir, append(args, "--json")...)
		if code != 0 {
			t.Fatalf("%v --json = %d: %s", args, code, errs)
		}
		var ms []struct {
			Subject       string
			Read, Flagged bool
		}
		if err := json.Unmarshal([]byte(out), &ms); err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if got := (state{m.Read, m.Flagged}); got != want[m.Subject] {
				t.Errorf("%v --json: %s read %v flagged %v, want %+v", args, m.Subject, m.Read, m.Flagged, want[m.Subject])
			}
		}
		return len(ms)
	}
	if n := checkJSON("list"); n != 3 {
		t.Errorf("list --json listed %d, want 3", n)
	}
	if n := checkJSON("search", "in:inbox"); n != 3 {
		t.Errorf("search in:inbox --json listed %d, want 3", n)
	}

	// is:flagged finds the two flagged, newest first.
	code, out, errs := pouchRun(t, dir, "search", "--json", "is:flagged")
	if code != 0 {
		t.Fatalf("search is:flagged = %d: %s", code, errs)
	}
	var found []listedMessage
	if err := json.Unmarshal([]byte(out), &found); err != nil {
		t.Fatal(err)
	}
	if len(found) != 2 || found[0].Subject != "invoice 2" || found[1].Subject != "invoice 1" {
		t.Errorf("search is:flagged = %+v, want invoice 2 and invoice 1", found)
	}

	// The flagged, unread invoice 1 in the Trash: trash list --json carries its state too.
	if code, _, errs := pouchRun(t, dir, "delete", inv1); code != 0 {
		t.Fatalf("delete = %d: %s", code, errs)
	}
	if n := checkJSON("trash", "list"); n != 1 {
		t.Errorf("trash list --json listed %d, want 1", n)
	}

	// The plain tables keep the columns they had before flags (scripts read them): no state,
	// the date right after the ID.
	for _, c := range []struct {
		args   []string
		header string
		rows   int
	}{
		{[]string{"list"}, "ID DATE FROM SUBJECT", 2},
		{[]string{"search", "in:inbox"}, "ID DATE ACCOUNT FROM SUBJECT", 2},
		{[]string{"search", "in:trash"}, "ID DATE ACCOUNT FROM SUBJECT", 1},
		{[]string{"trash", "list"}, "ID DELETED FROM SUBJECT", 1},
	} {
		code, out, errs := pouchRun(t, dir, c.args...)
		if code != 0 {
			t.Fatalf("%v = %d: %s", c.args, code, errs)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if got := strings.Join(strings.Fields(lines[0]), " "); got != c.header || len(lines) != c.rows+1 {
			t.Errorf("%v: header %q and %d rows, want %q and %d:\n%s", c.args, got, len(lines)-1, c.header, c.rows, out)
			continue
		}
		for _, l := range lines[1:] {
			if f := strings.Fields(l); len(f) < 2 || !isDay(f[1]) {
				t.Errorf("%v: row %q has no date after the ID", c.args, l)
			}
		}
	}
}

// isDay reports whether s is a date as the plain tables print it (2006-01-02).
func isDay(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}
