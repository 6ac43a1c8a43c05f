package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestMarkFlagAndState: mark flags and unflags beside read and unread, list and search show the
// state (JSON and the plain STATE column), and is:flagged finds what was flagged.
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

	// JSON: every message with its read and flagged state.
	code, out, errs := pouchRun(t, dir, "list", "--json")
	if code != 0 {
		t.Fatalf("list --json = %d: %s", code, errs)
	}
	var ms []struct {
		Subject       string
		Read, Flagged bool
	}
	if err := json.Unmarshal([]byte(out), &ms); err != nil {
		t.Fatal(err)
	}
	type state struct{ read, flagged bool }
	want := map[string]state{"invoice 1": {false, true}, "invoice 2": {true, true}, "hello": {true, false}}
	for _, m := range ms {
		if got := (state{m.Read, m.Flagged}); got != want[m.Subject] {
			t.Errorf("list --json: %s read %v flagged %v, want %+v", m.Subject, m.Read, m.Flagged, want[m.Subject])
		}
	}

	// Plain: the STATE column after the ID, N for unread and * for flagged.
	for _, args := range [][]string{{"list"}, {"search", "in:inbox"}} {
		code, out, errs := pouchRun(t, dir, args...)
		if code != 0 {
			t.Fatalf("%v = %d: %s", args, code, errs)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 4 || !strings.HasPrefix(strings.Join(strings.Fields(lines[0]), " "), "ID STATE DATE") {
			t.Fatalf("%v:\n%s\nwant a header with ID STATE DATE and three rows", args, out)
		}
		for subject, mark := range map[string]string{"invoice 1": "N*", "invoice 2": "*", "hello": ""} {
			for _, l := range lines[1:] {
				if !strings.HasSuffix(l, subject) {
					continue
				}
				f := strings.Fields(l)
				got := f[1]
				if strings.Count(got, "-") == 2 { // the date: no mark
					got = ""
				}
				if got != mark {
					t.Errorf("%v: %s shows state %q, want %q:\n%s", args, subject, got, mark, out)
				}
			}
		}
	}

	// is:flagged finds the two flagged, newest first.
	code, out, errs = pouchRun(t, dir, "search", "--json", "is:flagged")
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
}
